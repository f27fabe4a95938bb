"""The short names people call each other by, against the full names papers write.

A household asks about "Dan's W-2" and "Jen's 401(k)"; the W-2 says "Daniel", the plan
statement "Jennifer". A reader knows they are one person; the name checks (whose paper
is this, is the question's topic on it) compared letters, and declined. Two ways a short
name stands for a long one: it starts it ("Dan", "Daniel"; "Theo", "Theodore"), or it is
one of English's old pet forms that do not ("Bob" for Robert, "Liz" for Elizabeth).

A file's name is written in lower case ("lakeshore_rx_eob_janice_2025-02.pdf"), where a
short name starts ordinary words too ("Ann" starts "annual", "Ben" "benefit"): there,
only the short names written down below stand for a full name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# The short names people go by, by the full name they stand for: those that do not start
# it, and the commonest that do (which a lower-case file name is read by).
_PET_FORMS = {
    "danielle": "dani",
    "janice": "jan",
    "janet": "jan",
    "janine": "jan",
    "walter": "walt",
    "theodore": "theo",
    "timothy": "tim",
    "matthew": "matt",
    "nicholas": "nick",
    "nicola": "nicky",
    "christopher": "chris",
    "christine": "chris",
    "christina": "chris",
    "samuel": "sam",
    "samantha": "sam",
    "benjamin": "ben",
    "kenneth": "ken",
    "ronald": "ron",
    "donald": "don",
    "gregory": "greg",
    "jeffrey": "jeff",
    "jessica": "jess",
    "jonathan": "jon",
    "joshua": "josh",
    "deborah": "deb",
    "debra": "deb",
    "douglas": "doug",
    "frederick": "fred",
    "geoffrey": "geoff",
    "pamela": "pam",
    "patrick": "pat",
    "peter": "pete",
    "philip": "phil",
    "phillip": "phil",
    "raymond": "ray",
    "stanley": "stan",
    "valerie": "val",
    "victor": "vic",
    "zachary": "zach",
    "leonard": "len leo",
    "natalie": "nat",
    "nathan": "nat",
    "nathaniel": "nat",
    "melanie": "mel",
    "melissa": "mel",
    "maxwell": "max",
    "barbara": "barb",
    "sebastian": "seb",
    "alfred": "alf",
    "albert": "al bert",
    "alan": "al",
    "frances": "fran",
    "francis": "frank fran",
    "robert": "bob bobby rob robbie bert",
    "william": "bill billy will willie liam",
    "elizabeth": "liz lizzie beth betty eliza libby lisa elsie",
    "james": "jim jimmy jamie",
    "michael": "mike mikey mick micky",
    "richard": "dick rick ricky rich",
    "edward": "ted teddy ned eddie ed",
    "john": "jack johnny",
    "charles": "chuck charlie",
    "margaret": "peggy maggie meg madge greta",
    "katherine": "kate katie kathy cathy kat kit",
    "catherine": "kate katie kathy cathy cat",
    "kathleen": "kate katie kathy",
    "susan": "sue susie suzy",
    "anthony": "tony",
    "thomas": "tom tommy",
    "david": "dave davy",
    "stephen": "steve stevie",
    "steven": "steve stevie",
    "joseph": "joe joey",
    "josephine": "jo josie",
    "joanne": "jo",
    "andrew": "andy drew",
    "daniel": "dan danny",
    "jennifer": "jen jenn jenny",
    "lawrence": "larry",
    "henry": "harry hank hal",
    "harold": "harry hal",
    "gerald": "jerry gerry",
    "terence": "terry",
    "theresa": "tess terry",
    "rebecca": "becky becca",
    "mary": "molly polly",
    "sarah": "sally",
    "victoria": "vicky tori",
    "amanda": "mandy",
    "patricia": "pat trish patty tricia",
    "isabella": "izzy bella",
    "isabel": "izzy bella",
    "abigail": "abby",
    "eleanor": "ellie nell nellie",
    "helen": "nell nellie",
    "virginia": "ginny",
    "cynthia": "cindy",
    "gabriel": "gabe",
    "alexander": "sandy xander",
    "alexandra": "sandy lexi",
    "louis": "lou",
    "louise": "lou",
}


def _by_pet_form() -> dict[str, frozenset[str]]:
    """Each pet form with the full names it stands for ("kate": Katherine, Catherine...)."""
    found: dict[str, set[str]] = {}
    for full, pets in _PET_FORMS.items():
        for pet in pets.split():
            found.setdefault(pet, set()).add(full)
    return {pet: frozenset(fulls) for pet, fulls in found.items()}


PET_FORMS = _by_pet_form()
# A name this long at least is known by the longer names it starts ("Dan", "Daniel"); a
# shorter one ("Al", "Jo") only through PET_FORMS.
SHORTEST = 3
_CAPITALISED = re.compile(r"\b[A-Z][a-z\u00e0-\u024f]+")


def same_person(asked: str, written: str) -> bool:
    """Whether the name a question gives and one a paper writes (both lower-case, no
    possessive) can be one person's: the same, one a pet form of the other, or the
    shorter starting the longer."""
    if asked == written:
        return True
    if written in PET_FORMS.get(asked, ()) or asked in PET_FORMS.get(written, ()):
        return True
    short, long = sorted((asked, written), key=len)
    return len(short) >= SHORTEST and long.startswith(short)


def goes_by(name: str, text: str, file_words: Iterable[str] = ()) -> bool:
    """Whether the text writes, as a name (a capitalised word), someone the question's
    `name` can be ("Daniel" for "dan", "Robert" for "bob"), or a file's name does, by a
    short name written down ("janice" for "jan")."""
    return any(same_person(name, word.lower()) for word in _CAPITALISED.findall(text)) or any(
        word in PET_FORMS.get(name, ()) for word in file_words
    )
