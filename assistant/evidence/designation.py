"""Which one of several: the designation a question gives a thing against the unit's.

Papers come in siblings of one sort, told apart by a letter, a figure or an ordinal:
Medicare's Part A and Part B, a tax return's Schedule 1 and Schedule 2, a report card
for Quarter 2 and one for Quarter 3, the first and the second half of a tax bill, Plan G
and Plan N. "What's Dad's Medicare Part A deductible?" asked where only the Part B
deductible is written finds "You have now met your $257.00 Part B deductible": every
word matches but the one that says which. A careful reader sees that the line, or the
paper it is on (`report_card_nora_2024-25_q2.pdf` for "the third quarter"), is about a
sibling of the thing asked, not the thing, and says the documents do not say.

A thing named by a word before what it is ("the Lyme vaccine", "the college savings
accounts") has siblings too: a table's rows, each named by its label. A row whose label
(or caption) names what the thing is and whose label names it otherwise ("Rabies" under
"Vaccinations", "Checking account") is a `sibling`, where the paper holds the word that
says which one asked nowhere.

So a designation is a sort (quarter, half, term, part, schedule, plan, tier, ...) and
its value ("3", "A"), read the same way from the question and from a unit under its
headings and its file's name: "third quarter", "Q3", "Quarter 3" and "q 3" (a file's
name, split) are one designation. A unit `conflicting` with the question names the sort
with another value and not the one asked; `lacking` it says no value of the sort asked
(assistant/evidence/which.py prefers the unit lacking fewest, and declines a conflict).
"""

from __future__ import annotations

import re

from assistant.evidence.kinds import attributes_asked
from assistant.evidence.select import Candidate, Evidence
from assistant.evidence.text import words
from assistant.evidence.topic import compounds, paper_text, unsaid
from assistant.retrieve import STOPWORDS

# Sorts whose siblings are told apart by a figure, a capital letter or a roman numeral
# after the sort's name: "Part A", "Schedule 1", "Quarter 2", "Plan G", "Tier II".
_NAMED_SORTS = (
    "quarter|half|term|semester|trimester|part|schedule|plan|tier|phase|option|form|box|"
    "line|step|stage|level|chapter|appendix|exhibit|annex|unit|apartment|apt|suite|room|"
    "floor|terminal|gate|zone|lot|building|section|ward|platform|module"
)
# Sorts of a period counted by an ordinal before it: "third quarter", "2nd half",
# "second-half".
_PERIODS = "quarter|half|term|semester|trimester"
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6,
}  # fmt: skip
_ROMAN = {"II": 2, "III": 3, "IV": 4, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "XI": 11, "XII": 12}
_SORT_VALUE = re.compile(
    rf"\b(?i:({_NAMED_SORTS}))s?\s+((?!(?:19|20)\d\d\b)\d{{1,4}}[A-Z]?|[A-Z](?![\w'’])|[IVX]{{2,4}}(?!\w))"
)
_ORDINAL_PERIOD = re.compile(
    rf"\b({'|'.join(_ORDINALS)})[\s-]+({_PERIODS})s?\b",
    re.IGNORECASE,
)
# "Q3", "Q3 2025", and "q 3" as a file's name reads once split (`report_card_..._q3.pdf`).
_QUARTER = re.compile(r"\b[Qq] ?([1-4])\b")
_SAME_SORT = {"apt": "apartment"}

Designation = tuple[str, str]  # (sort, value): ("quarter", "3"), ("part", "A")


def _value(value: str) -> str:
    """One way of writing a value: "third" and "3rd" are "3", "II" is "2"."""
    lowered = value.lower()
    if lowered in _ORDINALS:
        return str(_ORDINALS[lowered])
    if value in _ROMAN:
        return str(_ROMAN[value])
    return value.lstrip("0") or value


def designations(text: str) -> frozenset[Designation]:
    """The designations a text names: {("quarter", "3"), ("part", "A")} for "the third
    quarter's Part A"."""
    found = {
        (_SAME_SORT.get(sort.lower(), sort.lower()), _value(value))
        for sort, value in _SORT_VALUE.findall(text)
    }
    found.update((sort.lower(), _value(ordinal)) for ordinal, sort in _ORDINAL_PERIOD.findall(text))
    found.update(("quarter", value) for value in _QUARTER.findall(text))
    return frozenset(found)


def described(found: set[Designation] | frozenset[Designation]) -> list[str]:
    """Designations as words: ["part A", "quarter 3"]."""
    return [f"{sort} {value}" for sort, value in sorted(found)]


def _held(evidence: Evidence, candidate: Candidate) -> frozenset[Designation]:
    """What the candidate names, read under its headings and its file's name."""
    return designations(evidence.window_under_headings(candidate))


def lacking(evidence: Evidence, candidate: Candidate) -> list[str]:
    """The question's designations the candidate does not name: ["quarter 3"] for a line
    of the Quarter 2 card, and for a line naming no quarter at all."""
    asked = designations(evidence.question.text)
    if not asked:
        return []
    return described(asked - _held(evidence, candidate))


def conflicting(evidence: Evidence, candidate: Candidate) -> list[str]:
    """The question's designations whose sort the candidate names with another value
    only: ["part A"] for "your $257.00 Part B deductible", ["quarter 3"] for any line of
    `report_card_nora_2024-25_q2.pdf`. Empty where it names the one asked, or no value of
    that sort (a line that says no quarter may still be the quarter's)."""
    asked = designations(evidence.question.text)
    if not asked:
        return []
    held = _held(evidence, candidate)
    answered = {sort for sort, _ in held & asked}
    named = {sort for sort, _ in held}
    return described({(s, v) for s, v in asked if s in named and s not in answered})


def sibling(evidence: Evidence, candidate: Candidate) -> list[str]:
    """The question's `compounds` that a table row or form field names a sibling of: its
    label, or the caption a row sits under, names the compound's last word (what it is), its
    label names it by other words, and the paper holds a word that says which one asked
    nowhere. ["college savings accounts"] for the will's "Checking account" row,
    ["lyme vaccine"] for the "Rabies (3-year)" row under "Vaccinations": a row is one of
    its table's things, and its label says which; a label that is the thing alone
    ("Executor" for "the backup executor") names no other one. The word that says which
    is held only in one of its forms, not by a word close in meaning: siblings are close
    in meaning (Lyme and rabies, college and institution), and so would pass for it."""
    record = candidate.sentence.record
    runs = compounds(evidence.question.text) if record is not None and record.label else []
    if record is None or not runs:
        return []
    # A label that names what the question asks in its own words is that thing, not a
    # sibling of it: "Alternate executor" for "the backup executor" (`attributes_asked`).
    if any(a.search(record.label) for a in attributes_asked(evidence.question.text)):
        return []
    label = [
        w.lower() for w in words(record.label) if not w[:1].isdigit() and w.lower() not in STOPWORDS
    ]
    # A table's caption says what its rows are ("Vaccinations"); a field's heading says
    # what the paper is, and its label a part of it ("Period of cover"), not another one.
    caption = evidence.caption(candidate) if record.kind == "row" else None
    naming = f"{record.label} {caption or ''}"
    absent = set(unsaid([w for run in runs for w in run[:-1]], paper_text(evidence, candidate)))
    found = []
    for run in runs:
        others = [w for w in label if len(unsaid(list(run), w)) == len(run)]
        said = absent.isdisjoint(run[:-1]) or unsaid([run[-1]], naming)
        if not said and others:
            found.append(" ".join(run))
    return found
