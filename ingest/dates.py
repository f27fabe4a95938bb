"""Calendar dates however they are written: a question says "the payment due June 5, 2025"
or "the December 2025 payment", a schedule's row says "06/05/2025", a file is called
`statement_2025-03.pdf`. Words cannot match them, so rows, papers and questions are matched
by the dates they name, read as (year, month, day). This is the one reader of written dates:
a file's name (ingest/namewords.py), the rows' dates (assistant/evidence/select.py,
structure.py), the months that name a paper (qualifiers.py) and the amounts that are no
dates (text.py) all read them here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# In calendar order; `month_number` numbers them.
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTHS = frozenset(MONTH_NAMES)

# (year or None, month, day or None): "June 2025" has no day, "March 20" no year.
Day = tuple[int | None, int, int | None]

_MONTH_OF = {name: n for n, name in enumerate(MONTH_NAMES, 1)} | {
    name[:3]: n for n, name in enumerate(MONTH_NAMES, 1)
}
_MONTH_OF["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTH_OF, key=len, reverse=True)) + r")\.?"
# A spelled month's year may be an old one ("March 1685"); a numeric date's is this era's.
_YEAR = r"(?P<year>(?:1\d|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
# A month alone ("net pay in March") names no row: the pay date of March's payslip is a
# date in March too, and it is not the net pay.
_SPELLED = [
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b(?:,?\s+{_YEAR}\b)?", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b", re.IGNORECASE),
]
# Not inside a longer figure ("1.03/04/2025", "2019-20"); a full stop after it ends a sentence.
_ALONE_BEFORE = r"(?<![\d/-])(?<!\d\.)"
_ALONE_AFTER = r"(?![\d/-]|\.\d)"
_NUMERIC = re.compile(
    rf"{_ALONE_BEFORE}(\d{{1,2}})[/.-](\d{{1,2}})[/.-]((?:19|20)\d\d){_ALONE_AFTER}"
)
# Year first: "2025-04-30", and a month of a year without its day, "2025-03", "2025_03".
# ("2019.12" is a figure: a month without its day is not read after a full stop).
_ISO = re.compile(
    rf"{_ALONE_BEFORE}((?:19|20)\d\d)"
    r"(?:([-_/.])(0?[1-9]|1[0-2])\2([0-3]?\d)|[-_/](0[1-9]|1[0-2]))"
    rf"{_ALONE_AFTER}"
)
# In a file's name the separator may be left out: `statement_202503.pdf`.
_FILE_MONTH = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.]?(0[1-9]|1[0-2])(?!\d)")


def month_number(word: str) -> int | None:
    """1-12 for a month's name, short name or "Sept.", any case; None for another word."""
    return _MONTH_OF.get(word.lower().rstrip("."))


@dataclass(frozen=True)
class Written:
    """One date as a text writes it, and the days it can be."""

    start: int
    end: int
    days: frozenset[Day]
    spelled: bool  # its month is a word, not a figure
    # A numeric date's reading as month/day/year and as day/month/year, where it can be.
    month_first: Day | None = None
    day_first: Day | None = None

    def read(self, order: str | None) -> frozenset[Day]:
        """Its days, a numeric one read in `order` ("mdy", "dmy"; see `slash_order`)
        where the order is known and the date can be read so."""
        chosen = {"mdy": self.month_first, "dmy": self.day_first}.get(order or "")
        return frozenset({chosen}) if chosen is not None else self.days


def written_dates(text: str) -> list[Written]:
    """The dates `text` writes, in the order of the forms above. "06/05/2025" is read both
    ways (5 June in the US, 6 May in Britain): the document's other dates or the
    question's wording pick one."""
    found: list[Written] = []
    for pattern in _SPELLED:
        for match in pattern.finditer(text):
            if any(w.start <= match.start() < w.end for w in found):
                continue
            groups = match.groupdict()
            day = int(groups["day"]) if groups.get("day") else None
            year = int(groups["year"]) if groups.get("year") else None
            if day is None or 1 <= day <= 31:
                month = _MONTH_OF[groups["month"].lower()]
                found.append(Written(*match.span(), frozenset({(year, month, day)}), True))
    for match in _NUMERIC.finditer(text):
        first, second, year = (int(g) for g in match.groups())
        month_first = (year, first, second) if first <= 12 and 1 <= second <= 31 else None
        day_first = (year, second, first) if second <= 12 and 1 <= first <= 31 else None
        days = frozenset(d for d in (month_first, day_first) if d is not None and d[1] >= 1)
        found.append(Written(*match.span(), days, False, month_first, day_first))
    for match in _ISO.finditer(text):
        year, _, month, day, month_alone = match.groups()
        reading = (int(year), int(month or month_alone), int(day) if day else None)
        found.append(Written(*match.span(), frozenset({reading}), False))
    return found


def calendar_dates(text: str) -> set[Day]:
    """Every day `text` names, a numeric date both ways it can be read."""
    return {day for written in written_dates(text) for day in written.days}


def date_spans(text: str) -> list[tuple[int, int]]:
    """Where in `text` its dates are written."""
    return [(w.start, w.end) for w in written_dates(text)]


def without_dates(text: str) -> str:
    """The text with its spelled dates ("31 March", "September 2025") taken out, so that
    what is left counts amounts."""
    for written in reversed(written_dates(text)):
        if written.spelled:
            text = f"{text[: written.start]} {text[written.end :]}"
    return text


def slash_order(text: str) -> str | None:
    """How a text writes 04/05/2024: "mdy" where some date has a day over 12 in second
    place (03/27/2025), "dmy" where one has it first, None where none tells."""
    for written in written_dates(text):
        if written.month_first is None and written.day_first is not None:
            return "dmy"
        if written.day_first is None and written.month_first is not None:
            return "mdy"
    return None


def file_months(stem: str) -> list[tuple[int, int]]:
    """The (year, month) pairs a file's name holds: `power_gas_bill_2025-02` is February
    2025's."""
    return [(int(y), int(m)) for y, m in _FILE_MONTH.findall(stem)]


def names_date(asked: set[Day], held: set[Day]) -> bool:
    """Whether a date the question names is one the text holds: the same month, and the
    same year and day wherever the question gives them."""
    return any(
        a[1] == h[1] and a[0] in (None, h[0]) and a[2] in (None, h[2]) for a in asked for h in held
    )
