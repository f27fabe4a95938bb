"""Calendar dates however they are written: a question says "the payment due June 5, 2025"
or "the December 2025 payment", a schedule's row says "06/05/2025". Words cannot match them, so a
row is matched to the question by the dates both name, read as (year, month, day).
"""

from __future__ import annotations

import re

from assistant.evidence.text import MONTH_NAMES

# (year or None, month, day or None): "June 2025" has no day, "March 20" no year.
Day = tuple[int | None, int, int | None]

_MONTH_OF = {name: n for n, name in enumerate(MONTH_NAMES, 1)} | {
    name[:3]: n for n, name in enumerate(MONTH_NAMES, 1)
}
_MONTH_OF["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTH_OF, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_WRITTEN = [
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b(?:,?\s+{_YEAR}\b)?", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b", re.IGNORECASE),
]
# A month alone ("net pay in March") names no row: the pay date of March's payslip is a
# date in March too, and it is not the net pay.
_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)\d\d)(?![\d/.-])")
_ISO = re.compile(r"(?<![\d-])((?:19|20)\d\d)-(\d{1,2})-(\d{1,2})(?![\d-])")


def calendar_dates(text: str) -> set[Day]:
    """The dates `text` names. "06/05/2025" is read both ways (5 June in the US, 6 May in
    Britain): the question's own wording picks one."""
    return _found(text)[0]


def date_spans(text: str) -> list[tuple[int, int]]:
    """Where in `text` its dates are written."""
    return _found(text)[1]


def _found(text: str) -> tuple[set[Day], list[tuple[int, int]]]:
    found: set[Day] = set()
    covered: list[tuple[int, int]] = []
    for pattern in _WRITTEN:
        for match in pattern.finditer(text):
            if any(a <= match.start() < b for a, b in covered):
                continue
            covered.append(match.span())
            groups = match.groupdict()
            day = int(groups["day"]) if groups.get("day") else None
            year = int(groups["year"]) if groups.get("year") else None
            if day is None or 1 <= day <= 31:
                found.add((year, _MONTH_OF[groups["month"].lower()], day))
    for match in _NUMERIC.finditer(text):
        first, second, year = (int(g) for g in match.groups())
        covered.append(match.span())
        for month, day in ((first, second), (second, first)):
            if 1 <= month <= 12 and 1 <= day <= 31:
                found.add((year, month, day))
    for match in _ISO.finditer(text):
        year, month, day = (int(g) for g in match.groups())
        covered.append(match.span())
        if 1 <= month <= 12:
            found.add((year, month, day))
    return found, covered


def names_date(asked: set[Day], held: set[Day]) -> bool:
    """Whether a date the question names is one the text holds: the same month, and the
    same year and day wherever the question gives them."""
    return any(
        a[1] == h[1] and a[0] in (None, h[0]) and a[2] in (None, h[2]) for a in asked for h in held
    )
