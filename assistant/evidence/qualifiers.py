"""Which document: the years and months a question names, checked against the evidence's.

A household keeps near-duplicates: January's bill and February's, the 2023 contract and
the 2025 one, one statement a month. "How much electricity did we use on the March 2025
bill?" asked of a folder holding only January's and February's has a fluent, wrong answer
in each of them. A careful reader looks at what the cited passage is (its file's name, its
title and headings: `power_gas_bill_2025-02.pdf` is February 2025's) before quoting it:

- among the candidates that score nearly as well as the best, prefer one whose context
  holds the year and month the question names (February's row, not January's);
- where the best one's document is dated, by its file name or title, with another year or
  month than the question names, and the unit itself does not name it either, the
  documents do not say: the statement is March's, the question asks for April's.

Only the document's own date counts for the second rule: a report whose file name holds
no date (a Wikipedia article, an annual report extract) never conflicts, and a unit that
names the year asked for (a row "2019: $1,496.5", "due July 11, 2025") is never declined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.evidence.select import Candidate, Evidence, file_terms
from assistant.evidence.text import MONTHS, numbers, words

# How far below the best score a candidate may be and still be preferred for naming the
# year or month asked for (scores are log-odds: 3 is a twentieth of the best's odds).
PREFER_MARGIN = 3.0
PREFER_POOL = 30  # candidates looked at, best first

_YEAR = re.compile(r"(?<![\d.,])(?:19|20)\d\d(?![\d.,]\d)")
_ISO_MONTH = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_./](0?[1-9]|1[0-2])(?:[-_./]\d\d?)?(?!\d)")
# 04/05/2024 is April in the US and May in Britain: both readings count.
_SLASH_DATE = re.compile(r"(?<!\d)(\d\d?)[/.](\d\d?)[/.]((?:19|20)\d\d)(?!\d)")
_SHORT_MONTHS = {m[:3]: m for m in MONTHS} | {"sept": "september"}
_MONTH_ORDER = [
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
]  # fmt: skip


@dataclass(frozen=True)
class Dated:
    """The years and months a text names, its figures and its numeric dates read out."""

    years: frozenset[str]
    months: frozenset[str]

    @classmethod
    def of_text(cls, text: str) -> Dated:
        years = set(_YEAR.findall(text))
        months = {_SHORT_MONTHS.get(w.lower(), w.lower()) for w in words(text)} & MONTHS
        for year, month in _ISO_MONTH.findall(text):
            years.add(year)
            months.add(_MONTH_ORDER[int(month) - 1])
        for first, second, year in _SLASH_DATE.findall(text):
            years.add(year)
            months.update(_MONTH_ORDER[int(n) - 1] for n in (first, second) if 1 <= int(n) <= 12)
        return cls(frozenset(years), frozenset(months))

    @classmethod
    def of_question(cls, question: str) -> Dated:
        """The years and months a question names: a month only when written with a
        capital and not as its first word ("May I ..." and "march" are no months)."""
        years = frozenset(_YEAR.findall(question))
        tokens = words(question)
        months = {
            _SHORT_MONTHS.get(w.lower(), w.lower())
            for i, w in enumerate(tokens)
            if i > 0 and w[:1].isupper()
        }
        return cls(years, frozenset(months & MONTHS))

    def __bool__(self) -> bool:
        return bool(self.years or self.months)


def identity(evidence: Evidence, candidate: Candidate) -> str:
    """What the candidate's document is: its file's name (dates spelt out) and the
    passage's headings (a statement's title, "Payslip March 2025")."""
    passage = evidence.passages[candidate.source - 1]
    return f"{file_terms(passage.path)} {' '.join(passage.headings)}"


def unmet(asked: Dated, text: str) -> list[str]:
    """The years and months asked for that `text` does not name."""
    found = Dated.of_text(text)
    figures = numbers(text)
    return sorted(y for y in asked.years if y not in found.years and y not in figures) + sorted(
        asked.months - found.months
    )


def conflicts(evidence: Evidence, candidate: Candidate) -> list[str]:
    """The years or months the question asks for where the candidate's document is dated
    otherwise and the candidate itself does not name them: "April" asked of
    `checking_2025-03.csv`'s March rows. Empty when the document carries no date."""
    asked = Dated.of_question(evidence.question.text)
    if not asked:
        return []
    dated = Dated.of_text(identity(evidence, candidate))
    missing = unmet(asked, evidence.window_under_headings(candidate))
    clash = []
    if dated.years and not (asked.years & dated.years):
        clash += [m for m in missing if m in asked.years]
    if dated.months and not (asked.months & dated.months):
        clash += [m for m in missing if m in asked.months]
    return clash


def prefer_qualified(evidence: Evidence) -> Evidence:
    """Put first, among the candidates scoring within PREFER_MARGIN of the best, the one
    whose context names most of the years and months the question asks for, when the best
    misses some: February's bill for "the February bill", not January's. The order is
    otherwise kept; the evidence is changed in place and returned."""
    asked = Dated.of_question(evidence.question.text)
    if not asked or not evidence.candidates:
        return evidence
    best = evidence.candidates[0]
    missing = len(unmet(asked, evidence.window_under_headings(best)))
    if not missing:
        return evidence
    pool = [c for c in evidence.candidates[:PREFER_POOL] if c.score >= best.score - PREFER_MARGIN]
    fewest = min(pool, key=lambda c: len(unmet(asked, evidence.window_under_headings(c))))
    if len(unmet(asked, evidence.window_under_headings(fewest))) < missing:
        evidence.candidates.remove(fewest)
        evidence.candidates.insert(0, fewest)
    return evidence
