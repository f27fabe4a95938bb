"""Table rows and form fields: recognising the lines readers write for them (the format is
ingest/tables.py's) in a passage's text, where they sit among lines of prose.

Readers keep a table as one line per row, `Row label | Header A: value | Header B: value`
(blank cells left out; a one-column table `Row label: value`; a sheet's row names its
first column too, `Date: 2025-03-01 | Amount: 418`), and a form field as `Label: value`.
A person reads such a line by its labels, not as a sentence, so the sentence splitter
keeps it whole as one evidence unit with its record (assistant/evidence/structure.py picks
the cell a question asks for).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.evidence.abbreviations import ends_no_sentence
from ingest.tables import CELL_SEPARATOR

MAX_LABEL_WORDS = 8  # "Total amount you may owe the provider" is a label; a clause is not
MAX_LABEL_CHARS = 60
MAX_FIELD_CHARS = 200  # a longer "Label: text" line is prose with a colon in it
# A label may hold a time ("12:45 pm: Kiama Blowhole", a timetable's line).
_FIELD = re.compile(r"^(?P<label>(?:[^:|]|(?<=\d):(?=\d\d))+?):\s+(?P<value>\S.*)$")
# A field's value is one statement: "Note: the office is shut. Call us on Monday." is prose.
_SECOND_SENTENCE = re.compile(r"[.!?]\s+[A-Z]")


def _second_sentence(value: str) -> bool:
    """Whether a field's value runs on into a second sentence (a dot after an initial or
    an abbreviation such as "Dr." or "no." ends none)."""
    return any(
        not ends_no_sentence(value, match.start()) for match in _SECOND_SENTENCE.finditer(value)
    )


# A label names a thing; "The answer is: ..." or "as follows: ..." ends in a word that
# leads into a clause instead.
_LEADING_WORDS = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "the",
        "a",
        "an",
        "of",
        "to",
        "for",
        "and",
        "or",
        "as",
        "follows",
        "include",
        "includes",
        "including",
        "says",
        "said",
        "with",
        "by",
        "in",
        "on",
        "at",
        "from",
    ]
)


@dataclass(frozen=True)
class Cell:
    header: str  # the column header ("" for a field or a one-column table)
    value: str


@dataclass(frozen=True)
class Record:
    """One table row or form field, as the reader wrote it."""

    kind: str  # "row" or "field"
    label: str  # the row label or the field's label ("" when the row has none)
    cells: tuple[Cell, ...]


def _label_like(text: str, alone: bool) -> bool:
    """A header or label: short, not the end of a clause. A line alone (a field, not a
    row's cell) must also start like a label, so a wrapped line of prose is not one."""
    words = text.split()
    return (
        0 < len(words) <= MAX_LABEL_WORDS
        and len(text) <= MAX_LABEL_CHARS
        and not text.endswith((".", ",", ";"))
        and (not alone or text[:1].isupper() or text[:1].isdigit())
    )


def _pair(segment: str, alone: bool = False) -> tuple[str, str] | None:
    match = _FIELD.match(segment.strip())
    if match is None or not _label_like(match["label"].strip(), alone):
        return None
    return match["label"].strip(), match["value"].strip()


# A plain-text receipt or statement sets a line's figure apart by a run of spaces or a tab
# ("READING GLASSES +2.00          T      $12.99", "Week 1   June 2 - June 6   $195.00"):
# what is before the gap labels the figure, as "Label: value" does. The figure is a sum (a
# currency sign or code), or a number, and ends the line.
_CURRENCY = r"(?:[$£€¥]|(?:EUR|USD|GBP|CAD|AUD|NZD|CHF|INR|ZAR|SEK|NOK|DKK)\s?)"
_GAP_FIGURE = re.compile(
    rf"^(?P<label>\S.*?)(?: {{2,}}|\t+)"
    rf"(?P<value>-?{_CURRENCY}?-?\d[\d,]*(?:\.\d+)?%?(?:\s?(?:CR|DR))?)$"
)


def _gap_field(line: str) -> Record | None:
    match = _GAP_FIGURE.match(line.strip())
    if match is None:
        return None
    label = " ".join(match["label"].split())
    if not any(ch.isalpha() for ch in label) or not _label_like(label, alone=True):
        return None
    return Record("field", label, (Cell("", match["value"]),))


def parse_record(line: str) -> Record | None:
    """The row or field a line holds, or None for a line of prose (or a header row, which
    has no values: it reads as a heading)."""
    spaced = line
    line = " ".join(line.split())
    if CELL_SEPARATOR in line:
        segments = [s for s in (p.strip() for p in line.split(CELL_SEPARATOR)) if s]
        found = [_pair(s) for s in segments]
        label = ""
        if found and found[0] is None:
            label, found = segments[0], found[1:]
        pairs = [p for p in found if p is not None]
        if not pairs or len(pairs) < len(found):
            return None
        return Record("row", label, tuple(Cell(h, v) for h, v in pairs))
    if len(line) > MAX_FIELD_CHARS:
        return None
    pair = _pair(line, alone=True)
    if pair is None:
        return _gap_field(spaced)
    if _second_sentence(pair[1]):
        return None
    if pair[0].split()[-1].lower() in _LEADING_WORDS:
        return None
    return Record("field", pair[0], (Cell("", pair[1]),))
