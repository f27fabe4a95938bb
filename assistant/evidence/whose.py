"""Whose: the person (or named thing) a question is about against the one the evidence is.

"What was Theo's MAP Language Usage score?" asked of a folder where only Nora's report
card has that score finds Nora's, under a file named `report_card_nora_...`. A careful
reader declines: the question names Theo, the passage is Nora's. So a name the question
gives (a word with a capital past its first) that one of the retrieved papers is named
for, by its file's name or title (`report_card_theo_...`), is a subject of these papers:
a unit that does not hold it, under its headings and its file's name, is about someone
else. A name no paper is named for is left to the abstention's other features: prose
about one subject (every passage under one title) names it in a dozen ways.

Kinship words ("Dad", "Mom") name people by relation, which papers do by name ("Harold"):
they never count.
"""

from __future__ import annotations

import re

from assistant.evidence.nicknames import goes_by
from assistant.evidence.qualifiers import document_name
from assistant.evidence.select import Candidate, Evidence
from assistant.evidence.text import words
from assistant.retrieve import STOPWORDS
from ingest.dates import MONTHS
from ingest.namewords import file_terms

KINSHIP = frozenset(
    """dad daddy mom mommy mum mummy mam mother father mama papa grandma grandpa granny
    grandad granddad gran grandmother grandfather grandson granddaughter grandchild
    grandkids nana nanna nan son daughter stepson stepdaughter wife husband partner brother
    sister aunt uncle niece nephew cousin baby kids kid children parents""".split()  # noqa: SIM905 - a word list, read as one
)
_POSSESSIVE = re.compile(r"['’]s$")
# A paper's title block, where a statement, a letter or a record says whose it is: the
# start of its first chunks (a title alone is often a chunk of its own, and the
# "Employee: Priya Marchetti" block under it the next).
OPENING_CHARS = 300
OPENING_CHUNKS = 2


def _bare(word: str) -> str:
    return _POSSESSIVE.sub("", word.lower())


def asked_names(question: str) -> set[str]:
    """The names a question gives: words with a capital past its first word, kinship
    words and months aside, and a name that says whose kin is asked about ("Ciarán's
    mother" is asked about: her care home's statement is in her name, not his)."""
    said = words(question)
    named = {_bare(w) for w in said[1:] if w[:1].isupper()}
    return named - kin_owners(question) - KINSHIP - MONTHS - STOPWORDS


def kin_owners(question: str) -> set[str]:
    """The names that only say whose kin is asked about, lower-cased: "ciarán" in "How
    much does Ciarán's mother pay?"."""
    said = words(question)
    return {
        _bare(w) for w, after in zip(said, said[1:], strict=False)
        if _POSSESSIVE.search(w) and _bare(after) in KINSHIP
    }  # fmt: skip


def subjects(evidence: Evidence) -> set[str]:
    """The names the question gives that a retrieved document is named for (by its file's
    name or title): the subjects of these papers, not words a unit says differently."""
    named = {_bare(w) for p in evidence.passages for w in words(document_name(p))}
    return asked_names(evidence.question.text) & named


def under(evidence: Evidence, candidate: Candidate) -> str:
    """What the candidate is under: its own words, headings and file name, and the
    opening of its paper where that was retrieved, which says whose the whole paper is
    ("Member: Marta Ashworth" atop a pension statement whose value line names no one)."""
    return f"{evidence.window_under_headings(candidate)} {opening(evidence, candidate)}"


def held(evidence: Evidence, candidate: Candidate) -> set[str]:
    """The words, lower-cased, the candidate is `under`."""
    return {_bare(w) for w in words(under(evidence, candidate))}


def opening(evidence: Evidence, candidate: Candidate) -> str:
    """The first OPENING_CHARS of each of the candidate's paper's first OPENING_CHUNKS
    chunks, where retrieved."""
    path = evidence.passages[candidate.source - 1].path
    return " ".join(
        p.text[:OPENING_CHARS]
        for p in evidence.passages
        if p.path == path and p.first < OPENING_CHUNKS
    )


def other_subject(evidence: Evidence, candidate: Candidate) -> list[str]:
    """The question's subjects (`subjects`) the candidate lacks: ["theo"] for Theo's score
    found under `report_card_nora_2024-25_q2.pdf` while a paper named for Theo is among
    those retrieved. Empty where it holds them all, each by any name the person goes by
    ("Dan" by "Daniel": assistant/evidence/nicknames.py)."""
    missing = subjects(evidence) - held(evidence, candidate)
    if not missing:
        return []
    text = under(evidence, candidate)
    named = file_words(evidence, candidate)
    return sorted(name for name in missing if not goes_by(name, text, named))


def file_words(evidence: Evidence, candidate: Candidate) -> list[str]:
    """The words of the candidate's file's name, lower-cased."""
    return [w.lower() for w in words(file_terms(evidence.passages[candidate.source - 1].path))]
