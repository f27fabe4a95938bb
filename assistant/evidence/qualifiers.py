"""Which document: the years and months a question names, checked against the evidence's.

A household keeps near-duplicates: January's bill and February's, the 2023 contract and
the 2025 one, one statement a month. "How much electricity did we use on the March 2025
bill?" asked of a folder holding only January's and February's has a fluent, wrong answer
in each of them. A careful reader looks at what the cited passage is (its file's name, its
title and headings: `power_gas_bill_2025-02.pdf` is February 2025's) before quoting it:
`gaps` are the dates asked for that a unit does not name (assistant/evidence/which.py
prefers the unit with fewest), and `conflicts` those where the unit's document is dated
otherwise, by its file's name or title: the statement is March's, the question asks for
April's, so the documents do not say.

Only the document's own date counts for the second rule: a report whose file name holds
no date (a Wikipedia article, an annual report extract) never conflicts, and a unit that
names the year asked for (a row "2019: $1,496.5", "due July 11, 2025") is never declined,
unless the question dates the paper itself ("the May 2025 bill": April's bill saying "due
by 20 May 2025" is still April's; `document_dates`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.evidence.select import Candidate, Evidence
from assistant.evidence.text import numbers, words
from assistant.retrieve import Passage
from ingest.dates import (
    MONTH_NAMES,
    MONTHS,
    Day,
    month_number,
    slash_order,
    written_dates,
)
from ingest.namewords import file_terms

_YEAR = re.compile(r"(?<![\d.,])(?:19|20)\d\d(?![\d.,]\d)")

# The papers a question may name by their date: "the March 2025 power bill", "our April
# 2025 checking statement", "the 2023 Prairie Mill agreement", "the bill from January 2025".
_DOCUMENTS = (
    r"bills?|statements?|payslips?|pay ?slips?|pay ?stubs?|paychecks?|policy|policies|"
    r"agreements?|contracts?|leases?|invoices?|receipts?|reports?|report cards?|notices?|"
    r"letters?|summary|summaries|returns?|minutes|newsletters?|schedules?"
)
_CAPITAL_MONTH = (
    "(?:"
    + "|".join([m.title() for m in MONTH_NAMES] + [m[:3].title() for m in MONTH_NAMES])
    + r"|Sept)\.?"
)
_DATE = rf"(?:{_CAPITAL_MONTH}(?:\s+\d\d?(?:st|nd|rd|th)?)?(?:,?\s+(?:19|20)\d\d)?|(?:19|20)\d\d)"
# Up to four words between the date and the paper ("power and gas bill"), none of them
# one that starts another phrase ("in", "on", "did").
_BETWEEN = (
    r"(?:\s+(?!(?:in|on|at|of|from|for|to|by|with|did|does|do|is|was|were|are)\b)[\w&'’-]+){0,4}?"
)
# A year said as the period a paper is for: "tax year 2025", "the 2024-25 school year".
# A bill, a policy or a report card is for one such year, so the year names the paper (the
# 2024 tax bill is due in 2025 and is still no bill for tax year 2025). Not a fiscal year:
# a report's table holds several, one a column.
_PERIOD_YEAR = r"(?i:tax|school|academic|plan|policy|benefit|coverage)\s+(?i:year)"
_DATED_DOCUMENT = re.compile(
    rf"(?<!\w)({_DATE}){_BETWEEN}\s+(?:{_DOCUMENTS})\b"
    rf"|\b(?:{_DOCUMENTS})\s+(?:from|dated)\s+({_DATE})(?!\w)"
    rf"|\b{_PERIOD_YEAR}\s+((?:19|20)\d\d)\b|\b((?:19|20)\d\d)(?:-\d\d)?\s+{_PERIOD_YEAR}\b"
)


# A month's name straight after one of these is the question's subject, a person: "What
# does Jan pay each month?", "When did June start?" ("in Jan", "Jan 2025" are months).
_AUXILIARIES = frozenset(
    "does did do has have had is was will would can could should must".split()  # noqa: SIM905 - a word list, read as one
)


def _month(word: str) -> str:
    """A month's full name, lower case, for any way it is written; another word as it is."""
    number = month_number(word)
    return MONTH_NAMES[number - 1] if number else word.lower()


def _month_capitalised(date: str) -> bool:
    """Whether a spelled date's month is written with a capital: "may 2025" in a question
    is no month ("they may 2025..." is rare, "May I" common)."""
    return any(w[:1].isupper() for w in words(date) if month_number(w) is not None)


def _pairs(days: frozenset[Day] | set[Day]) -> set[tuple[str, str]]:
    return {(MONTH_NAMES[m - 1], str(y)) for y, m, _ in days if y is not None}


@dataclass(frozen=True)
class Dated:
    """The years, months and months of a year a text names, its numeric dates read out."""

    years: frozenset[str]
    months: frozenset[str]
    pairs: frozenset[tuple[str, str]] = frozenset()  # (month, year)

    @classmethod
    def of_text(
        cls, text: str, order: str | None = None, known: frozenset[tuple[str, str]] = frozenset()
    ) -> Dated:
        """`order` says how the text writes numeric dates (`slash_order`); unknown, an
        ambiguous 04/05/2024 is read as the month of `known` (its document's date) it can
        be, else as both April and May."""
        years = set(_YEAR.findall(text))
        months = {_month(w) for w in words(text)} & MONTHS
        pairs: set[tuple[str, str]] = set()
        for written in written_dates(text):
            read = _pairs(written.read(order))
            pairs.update(read & known or read)
        years.update(y for _, y in pairs)
        months.update(m for m, _ in pairs)
        return cls(frozenset(years), frozenset(months), frozenset(pairs))

    @classmethod
    def of_question(cls, question: str) -> Dated:
        """The years and months a question names: a month only when written with a
        capital, not as its first word ("May I ..." and "march" are no months) and not
        as the subject after an auxiliary ("What does Jan pay ...": a person)."""
        tokens = words(question)
        months = {
            _month(w)
            for i, w in enumerate(tokens)
            if i > 0 and w[:1].isupper() and tokens[i - 1].lower() not in _AUXILIARIES
        }
        pairs = _pairs(
            {
                day
                for written in written_dates(question)
                if written.spelled and _month_capitalised(question[written.start : written.end])
                for day in written.days
            }
        )
        return cls(frozenset(_YEAR.findall(question)), frozenset(months & MONTHS), frozenset(pairs))

    def union(self, other: Dated) -> Dated:
        return Dated(self.years | other.years, self.months | other.months, self.pairs | other.pairs)

    def without(self, other: Dated) -> Dated:
        return Dated(self.years - other.years, self.months - other.months, self.pairs - other.pairs)

    def alone(self) -> Dated:
        """The years and months not named together as a month of a year."""
        return Dated(
            self.years - {y for _, y in self.pairs}, self.months - {m for m, _ in self.pairs}
        )

    def __bool__(self) -> bool:
        return bool(self.years or self.months or self.pairs)


def document_dates(question: str) -> Dated:
    """The dates a question gives a paper by ("the March 2025 power bill", "tax year
    2025"): the paper's own name or title must carry them, not merely a line in it
    (April's bill says "due by 20 May 2025", and is no May bill)."""
    found = " ".join(" ".join(groups) for groups in _DATED_DOCUMENT.findall(question))
    return Dated.of_text(found) if found else Dated(frozenset(), frozenset())


def document_name(passage: Passage) -> str:
    """What a passage's document is: its file's name (dates spelt out) and the passage's
    headings (a statement's title, "Payslip March 2025")."""
    return f"{file_terms(passage.path)} {' '.join(passage.headings)}"


def identity(evidence: Evidence, candidate: Candidate) -> str:
    """The candidate's `document_name`."""
    return document_name(evidence.passages[candidate.source - 1])


def gaps(evidence: Evidence, candidate: Candidate, asked: Dated) -> Dated:
    """What the question dates that the candidate does not: the month of a year ("March
    2025" where it says Mar 2024), a year, a month. A date the question gives a paper by
    (`document_dates`) is looked for in the paper's name and title, any other in the unit
    read under its headings and its file's name."""
    named = Dated.of_text(identity(evidence, candidate))
    by_name = document_dates(evidence.question.text)
    text = evidence.window_under_headings(candidate)
    path = evidence.passages[candidate.source - 1].path
    order = slash_order(" ".join(p.text for p in evidence.passages if p.path == path))
    found = Dated.of_text(text, order, named.pairs)
    rest = asked.without(by_name)
    return _unnamed(by_name, named, identity(evidence, candidate)).union(
        _unnamed(rest, found, text)
    )


def _unnamed(asked: Dated, found: Dated, text: str) -> Dated:
    alone = asked.alone()
    figures = numbers(text)
    return Dated(
        frozenset(y for y in alone.years if y not in found.years and y not in figures),
        alone.months - found.months,
        asked.pairs - found.pairs,
    )


def described(dated: Dated) -> list[str]:
    """A Dated as words: ["march 2025", "2023", "april"]."""
    return [f"{m} {y}" for m, y in sorted(dated.pairs)] + sorted(dated.years) + sorted(dated.months)


def conflicts(evidence: Evidence, candidate: Candidate) -> list[str]:
    """What the question dates that the candidate does not name while its document is
    dated otherwise (by its file's name or title): "april 2025" asked of
    `checking_2025-03.csv`'s rows. Empty when the document carries no date."""
    asked = Dated.of_question(evidence.question.text)
    if not asked:
        return []
    dated = Dated.of_text(identity(evidence, candidate))
    gap = gaps(evidence, candidate, asked)
    return described(
        Dated(
            frozenset(y for y in gap.years if dated.years and y not in dated.years),
            frozenset(m for m in gap.months if dated.months and m not in dated.months),
            frozenset(
                (m, y)
                for m, y in gap.pairs
                if (dated.pairs and (m, y) not in dated.pairs)
                or (dated.years and y not in dated.years)
            ),
        )
    )
