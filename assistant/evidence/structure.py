"""Choosing the cell of a table row (or the value of a form field) that a question asks for,
and quoting it with what identifies it: "what did the pension cost this period" is the
cell whose row says Pension and whose column says This period.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from assistant.evidence.question import QuestionProfile
from assistant.evidence.records import Cell, Record
from assistant.evidence.text import content_stems, has_date, has_number, numbers, without_dates
from ingest.tables import CELL_SEPARATOR

# A question that compares cells ("which year was higher?") is answered by showing them.
_COMPARES = re.compile(
    r"\b(?:which|what) (?:year|month|quarter|period|one)\b|\bcompare[ds]?\b|\bversus\b|\bvs\.?\b"
    r"|\b(?:higher|lower|more|less|larger|smaller|greater|bigger|increase[ds]?|decrease[ds]?)\b",
    re.IGNORECASE,
)


_MONEY = re.compile(r"[$£€¥]\s?\d|\d\s?%|\b\d+\.\d\d\b")
# "25-0118-44721", "GS-1184", "****4471": an identifier holds figures but is no amount.
_IDENTIFIER = re.compile(r"\b\d+(?:-\d+){2,}\b|\b[A-Za-z]{1,5}-\d|\*{2,}\d")
HEADER_COSINE_WEIGHT = 3.0  # a header as close as 0.5 by meaning counts as 1.5 shared words


def type_fit(profile: QuestionProfile, value: str) -> float:
    """How well a cell's value is the kind of thing asked for: for "how much", a sum of
    money or a share most, a plain figure less, an identifier or a word not at all."""
    if profile.answer_type == "date":
        return 1.0 if has_date(value) else -0.5
    if profile.answer_type == "amount":
        if _MONEY.search(value):
            return 1.0
        if _IDENTIFIER.search(value) or not has_number(without_dates(value)):
            return -1.0  # a claim number or a name answers no "how much"
        return 0.5
    return 0.0


def cell_scores(
    record: Record,
    profile: QuestionProfile,
    weights: Mapping[str, float],
    closeness: Sequence[float] | None = None,
) -> list[float]:
    """How well each cell's header matches what the question names: its words (weighted by
    rarity), its figures ("in 2019" picks the 2019 column), its meaning (`closeness`, the
    question's cosine to each header), and whether the value is the kind of thing asked
    for and not already in the question."""
    asked = set(profile.stems)
    scores = []
    for n, cell in enumerate(record.cells):
        header = set(content_stems(cell.header))
        score = sum(weights.get(t, 1.0) for t in asked & header)
        score += 2.0 * len(profile.numbers & numbers(cell.header))
        score += type_fit(profile, cell.value)
        if closeness is not None:
            score += HEADER_COSINE_WEIGHT * closeness[n]
        if numbers(cell.value) and numbers(cell.value) <= profile.numbers:
            score -= 2.0  # the question already says it: the answer is another cell
        scores.append(score)
    return scores


def compares(question: str) -> bool:
    return bool(_COMPARES.search(question))


def chosen_cells(
    record: Record,
    profile: QuestionProfile,
    weights: Mapping[str, float],
    closeness: Sequence[float] | None = None,
) -> list[Cell]:
    """The cell(s) that answer: the best-matching one; every tied one, or the whole row
    when the question compares (its cells side by side are the answer)."""
    if len(record.cells) == 1:
        return list(record.cells)
    if compares(profile.text):
        return list(record.cells)
    # "in 2019 and 2018", "at the end of Q1 and Q2": each column the question names.
    named = [c for c in record.cells if profile.numbers & numbers(c.header)]
    if len(named) > 1 and len({frozenset(profile.numbers & numbers(c.header)) for c in named}) > 1:
        return named
    scores = cell_scores(record, profile, weights, closeness)
    top = max(scores)
    return [c for c, s in zip(record.cells, scores, strict=True) if s == top]


def _shown(cells: Sequence[Cell]) -> str:
    return CELL_SEPARATOR.join(f"{c.header}: {c.value}" if c.header else c.value for c in cells)


def cell_text(record: Record, cells: Sequence[Cell]) -> str:
    """`Net pay (March 2025): £1,984.20`: the cell with what identifies it; several cells
    of one row side by side as `Total sales: 2019: $1,496.5 | 2018: $1,202.9`. A row with
    no label (a sheet's) is named by its first cell, shown beside the one asked for."""
    if not record.label:
        first = record.cells[0]
        rest = [c for c in cells if c != first] or list(record.cells[1:2])
        return _shown([first, *rest])
    if record.kind == "field" or (len(cells) == 1 and not cells[0].header):
        return f"{record.label}: {cells[0].value}"
    if len(cells) == 1:
        return f"{record.label} ({cells[0].header}): {cells[0].value}"
    return f"{record.label}: {_shown(cells)}"
