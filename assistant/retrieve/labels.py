"""The words a paper's labels use for what a question asks in other words.

People ask in verbs and plain words; papers answer under labels: "When does the bus
leave?" is answered by `Departure: 8:45 AM`, "What do we still owe on the house?" by
`Outstanding principal balance`, "the last payment" by "The final payment of $630.77",
"How tall is the fence?" by `Height: 5 feet`, "When does the MOT run out?" by `Expiry
date: 21/02/2026`, "1 teaspoon" by a row labelled `1 tsp`.
No word is shared, so the keyword side, which finds rows by their labels, misses them,
and the embedding model alone places them in its thirties.

This is a small, general vocabulary of such question forms and the label words a person
reads them as (the verb and the field that records it, the spoken word and its
abbreviation on a form or a recipe), in one place for both sides of an answer:
- the keyword side searches the label words as other forms of the question's word: they
  widen what BM25 matches and what coverage counts as held, never the vector side's
  query, and never weigh more than the question's own word (`label_forms`);
- the unit choice reads a saying's names as what the paper calls the thing asked: a line
  labelled so answers ("run out": `Expiry date: 21/02/2026`;
  `assistant.evidence.kinds.attributes_asked`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Saying:
    """One thing people ask in their own words and papers record under a label: what in a
    question says it, what names it on a paper (a label, or the words a sentence says it
    with), and the label words the keyword side searches for it."""

    asks: re.Pattern[str]
    names: re.Pattern[str]
    labels: tuple[str, ...]


def _saying(asks: str, names: str, labels: tuple[str, ...] = ()) -> Saying:
    return Saying(re.compile(asks, re.I), re.compile(names, re.I), labels)


# What a question's words ask for as a form, a letter or a statement labels it. A reader
# knows these of any paper, not of one: a unit naming it is the paper's line for what is
# asked (`assistant.evidence.kinds.attributes_asked`), and its label words are searched
# beside the question's own.
SAYINGS: tuple[Saying, ...] = (
    _saying(r"\bhow (?:tall|high)\b", r"\b(?:height|tall|high)\b", ("height",)),
    _saying(r"\bhow wide\b", r"\b(?:width|wide)\b", ("width",)),
    _saying(r"\bhow deep\b", r"\b(?:depth|deep)\b", ("depth",)),
    _saying(
        r"\bhow heavy\b|\bhow much does\b.*\bweigh\b", r"\b(?:weight|weighs?|heavy)\b", ("weight",)
    ),
    _saying(r"\ballerg", r"\ballerg", ("allergies", "allergy")),
    # "Who do I make the check out to?" is the Payable to line.
    _saying(
        r"\b(?:make|made|write|written)\b.*\b(?:checks?|cheques?) (?:out )?to\b|\bpayable\b",
        r"\bpayable\b|\bpay to the order\b",
        ("payable",),
    ),
    _saying(
        r"\bhow many (?:\w+ )?(?:payments|installments|instalments)\b",
        r"\bterm\b|\bnumber of (?:payments|installments|instalments)\b",
        ("term",),
    ),
    _saying(
        r"\b(?:backup|back-up|alternate|successor|contingent)\b",
        r"\b(?:backup|back-up|alternate|successor|contingent)\b",
    ),
    _saying(
        # Not "make the check out to", which asks who a cheque is payable to.
        r"\bcheck[- ]?out\b(?!\s+to\b)|\b(?:have to|must|need to) (?:be out|leave)\b",
        r"\bcheck[- ]?out\b|\bdeparture\b",
    ),
    # What runs out expires: "When does the MOT run out?" is the Expiry date line, as are
    # "valid until" and "expires".
    _saying(
        r"\bruns? out\b|\bexpir\w*|\bvalid (?:until|till|to|through)\b",
        r"\bexpir\w*|\bvalid (?:until|till|to|through)\b",
        ("expiry", "expires", "expiration"),
    ),
    # A car's mileage is its odometer reading, and the other way round.
    _saying(r"\bmileage\b|\bodometer\b", r"\bmileage\b|\bodometer\b", ("odometer", "mileage")),
    # What is still owed, left to pay or outstanding is a balance ("Balance: £840.00").
    _saying(
        r"\bowe[ds]?\b|\bowing\b|\boutstanding\b|\b(?:left|still|remaining) to (?:pay|be paid)\b",
        r"\bbalance\b|\boutstanding\b|\bamount (?:due|owed|owing)\b",
        ("balance", "outstanding"),
    ),
    # What a payslip pays out is its net pay: "How much did she take home?".
    _saying(r"\btake[- ]?home\b|\btook home\b", r"\bnet\b", ("net",)),
    # What a policy covers something for is its limit (or sum insured), not its premium.
    _saying(
        r"\bcovered (?:for|up to)\b|\bcoverage\b|\binsured for\b|\bhow much cover\b",
        r"\blimits?\b|\bsum insured\b|\bcover(?:age)? (?:amount|limit)\b",
        ("limit",),
    ),
    # What was paid out of pocket is the payer's own share: "You paid", "Patient pays";
    # not a plan's out-of-pocket maximum, which is a line of its own.
    _saying(
        r"\bout[- ]of[- ]pocket\b(?![- ](?:max\w*|limit))",
        r"\byou (?:paid|pay|owe)\b|\byour (?:share|cost|portion)\b|\bpatient (?:pays|paid|"
        r"portion|share)\b",
    ),
    # What someone put or paid into a pension or a savings plan is a contribution.
    _saying(
        # "in" only where it ends the phrase: "net pay in May", "pay in total" and
        # "putting in a water heater" ask for no contribution.
        r"\b(?:put|puts|paid|pay|pays|paying)\s+into\b"
        r"|\b(?:put|paid|pay|pays)\s+in\b(?=\s*(?:\?|$|so far\b|each\b|every\b|per\b))",
        r"\bcontribut\w*",
        ("contribution", "contributions"),
    ),
    # What was put aside or set aside is what a savings table calls saved.
    _saying(
        r"\b(?:put|set|putting|setting)\s+(?:\w+\s+)?(?:aside|away)\b|\bsaved up\b",
        r"\bsaved\b|\bsavings?\b",
        ("saved", "savings"),
    ),
    # The full cost, all up, altogether: a bill's or a fee table's Total line or column, not
    # one of the parts it adds up. Not "in total", which as often counts ("How many
    # payments is that in total?" is the Term, not the Total of payments).
    _saying(
        r"\b(?:full|whole|overall|combined|entire)\s+(?:cost|price|amount|fee|fees|charge|bill)s?\b"
        r"|\ball[- ]up\b|\baltogether\b|\ball told\b",
        r"\btotal\b",
        ("total",),
    ),
)

# Forms of a question's word that a paper's label may use instead, searched by the keyword
# side only: what they name is no line of a form of its own.
_FORMS: dict[str, tuple[str, ...]] = {
    # Times of going and coming are departures and arrivals ("annual leave" is none, so
    # a Departure line is not taken for what such a question asks).
    "leave": ("departure", "depart"),
    "leaves": ("departure", "depart"),
    "arrive": ("arrival",),
    "arrives": ("arrival",),
    # The last of a series is called its final one, and the other way round.
    "last": ("final",),
    "final": ("last",),
    # What something costs is its price.
    "cost": ("price",),
    "costs": ("price",),
    "price": ("cost",),
}

# "How ADJ" asks for the measure's name, the label it sits under (`Age: 12 years`), searched
# by the keyword side. Only after "how": "the old contract" asks for no age, "a big order"
# for no size. Not lines of their own: "how big was the deposit" asks for a sum, "how long"
# for a duration as often as a length.
_MEASURES: dict[str, tuple[str, ...]] = {
    "old": ("age",),
    "far": ("distance",),
    "big": ("size",),
    "long": ("length", "duration"),
}

# Units and labels written short on forms, recipes and tables, both ways.
_SHORT = (
    ("teaspoon", "tsp"),
    ("teaspoons", "tsp"),
    ("tablespoon", "tbsp"),
    ("tablespoons", "tbsp"),
    ("minute", "min"),
    ("minutes", "min"),
    ("hour", "hr"),
    ("hours", "hrs"),
    ("ounce", "oz"),
    ("ounces", "oz"),
    ("pound", "lb"),
    ("pounds", "lbs"),
    ("foot", "ft"),
    ("feet", "ft"),
    ("account", "acct"),
    ("amount", "amt"),
    ("department", "dept"),
    ("appointment", "appt"),
)

_WORD = re.compile(r"\w+", re.UNICODE)


def _shorts() -> dict[str, tuple[str, ...]]:
    both: dict[str, list[str]] = {}
    for long, short in _SHORT:
        both.setdefault(long, []).append(short)
        both.setdefault(short, []).append(long)
    return {w: tuple(dict.fromkeys(forms)) for w, forms in both.items()}


_ABBREVIATIONS = _shorts()


def sayings_asked(question: str) -> tuple[Saying, ...]:
    """The sayings the question asks in its own words (often none)."""
    return tuple(s for s in SAYINGS if s.asks.search(question))


def label_forms(question: str, terms: Sequence[str]) -> dict[str, list[str]]:
    """For each of `terms` (the keyword side's words of `question`), the label words a
    paper may record it under, if any: `leave` -> departure, depart; `tall` after "how"
    -> height; "run out" -> expiry; `teaspoon` -> tsp. A saying's labels go to the first
    of the terms its words hold ("left to pay": left). A term with none is left out."""
    lowered = question.lower()
    words = _WORD.findall(lowered)
    after_how = {b for a, b in zip(words, words[1:], strict=False) if a == "how"}
    forms_of: dict[str, list[str]] = {
        term: [
            *_FORMS.get(term, ()),
            *(_MEASURES.get(term, ()) if term in after_how else ()),
            *_ABBREVIATIONS.get(term, ()),
        ]
        for term in terms
    }
    for saying in SAYINGS:
        for match in saying.asks.finditer(lowered):
            said = _WORD.findall(match.group())
            term = next((t for t in terms if t in said), None)
            if term is not None:
                forms_of[term] += saying.labels
                break
    found: dict[str, list[str]] = {}
    for term, forms in forms_of.items():
        kept = [f for f in dict.fromkeys(forms) if f != term and f not in terms]
        if kept:
            found[term] = kept
    return found
