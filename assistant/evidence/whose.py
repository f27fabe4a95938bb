"""Whose: the person (or named thing) a question is about against the one the evidence is.

"What was Theo's MAP Language Usage score?" asked of a folder holding Nora's report card
and not Theo's finds Nora's score, under a file named `report_card_nora_...`. A careful
reader declines: the question names Theo, the passage is Nora's. So: a name the question
gives that the chosen unit does not hold (read under its headings and its file's name),
while the unit's document is named for someone or something else, is a reason to say the
documents do not say.

A name is a word the retrieved passages write with a capital every time (Nora, Sunridge,
Medigap); "Statement" or "Balance", written both ways, are not. Kinship words ("Dad",
"Mom") name people by relation, which papers do by name: they never count.
"""

from __future__ import annotations

import re

from assistant.evidence.qualifiers import document_name
from assistant.evidence.select import Candidate, Evidence
from assistant.evidence.text import MONTHS, words
from assistant.retrieve import STOPWORDS

KINSHIP = frozenset(
    """dad daddy mom mommy mum mummy mother father mama papa grandma grandpa granny grandad
    grandmother grandfather nana nan son daughter wife husband brother sister aunt uncle
    cousin baby kids kid children""".split()  # noqa: SIM905 - a word list, read as one
)
_POSSESSIVE = re.compile(r"['’]s$")


def _bare(word: str) -> str:
    return _POSSESSIVE.sub("", word.lower())


def proper_names(evidence: Evidence) -> set[str]:
    """Words the retrieved passages write with a capital, and never without one."""
    capital: set[str] = set()
    lower: set[str] = set()
    for passage in evidence.passages:
        for word in words(passage.text):
            (capital if word[:1].isupper() else lower).add(_bare(word))
    return capital - lower - STOPWORDS - MONTHS


def asked_names(question: str) -> set[str]:
    """The names a question gives: words with a capital past its first word, kinship
    words and months aside."""
    return {_bare(w) for w in words(question)[1:] if w[:1].isupper()} - KINSHIP - MONTHS - STOPWORDS


def subjects(evidence: Evidence) -> set[str]:
    """The names the question gives that a retrieved document is named for (by its file's
    name or title): the subjects of these papers, not words a unit says differently."""
    named = {_bare(w) for p in evidence.passages for w in words(document_name(p))}
    return asked_names(evidence.question.text) & named


def held(evidence: Evidence, candidate: Candidate) -> set[str]:
    return {_bare(w) for w in words(evidence.window_under_headings(candidate))}


def other_subject(evidence: Evidence, candidate: Candidate) -> list[str]:
    """The question's subjects (`subjects`) the candidate lacks: ["theo"] for Theo's score
    found under `report_card_nora_2024-25_q2.pdf` while a paper named for Theo is among
    those retrieved. Empty where it holds them all."""
    return sorted(subjects(evidence) - held(evidence, candidate))
