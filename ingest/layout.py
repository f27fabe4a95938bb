"""Tables found from where words sit on a page: born-digital PDF pages and scans alike.

A table without ruling is still plain to a person: lines whose words fall into the same
columns, parted by gaps much wider than a space. Given a page's words with their boxes
(pdfplumber's for a PDF, Tesseract's for a scan), this finds such runs of lines, and
lays the page out as parts in reading order: the text above, between and below the
tables, and each table rendered in ingest/tables.py's line format with its caption (the
short line just above it). A table that goes on from the previous page without its
header row takes that table's header and caption (`Carry`).

A word is a dict with x0, x1, top, bottom (any one unit: points, pixels), text, size
(its font size or height in that unit) and fontname ("" where unknown, as in a scan).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ingest.document import Section
from ingest.tables import KIND_TABLE, KIND_TEXT, TableText, is_field, render_table, split_forms

Word = dict[str, Any]

# Words sit on one line when their middles are closer than this share of their height.
_LINE_TOLERANCE = 0.5
# A gap between words wider than this many times the font size separates two columns;
# prose spaces words by about a quarter of it.
_COLUMN_GAP = 1.0
# An unruled table has at least this many lines (a header and two rows) ...
_MIN_ROWS = 3
# ... of short cells: prose set in two columns has long ones.
_MAX_CELL_WORDS = 12
# A caption is one of the last few lines above a table, short and not a sentence.
_CAPTION_LOOKBACK = 3
_CAPTION_WORDS = 12
# A page's first table continues the previous page's only under this few lines of text.
_RUNNING_HEAD_LINES = 2
# A blank line between text lines further apart than this many line heights.
_PARAGRAPH_GAP = 1.6


@dataclass(frozen=True)
class Part:
    """A piece of a page in reading order: text, or a table or form rendered to lines."""

    kind: str
    text: str
    caption: str | None = None


@dataclass
class Found:
    """A table's place on the page and its cells (None: covered by a merged cell)."""

    top: float
    bottom: float
    x0: float
    x1: float
    grid: list[list[str | None]]
    header_rows: int | None  # 1 where the first row is set in bold, None to guess


@dataclass
class Carry:
    """The last table of the previous page, for one that continues it."""

    headers: tuple[str, ...]
    caption: str | None


def part_sections(part: Part, page: int | None, headings: Sequence[str] = ()) -> list[Section]:
    """A part of a page as sections: its prose without headings (a page has no heading
    structure to read), its "Label: value" runs and tables under `headings` (the
    document's title) and, for a table, its caption."""
    if part.kind == KIND_TEXT:
        return [
            Section(text, page, tuple(headings) if kind != KIND_TEXT else (), kind=kind)
            for kind, text in split_forms(part.text)
        ]
    path = tuple(headings)
    if part.caption and part.caption not in path[-1:]:
        path = (*path, part.caption)
    return [Section(part.text, page, path, kind=part.kind)]


def layout_parts(
    words: Sequence[Word], ruled: Sequence[Found] = (), carry: Carry | None = None
) -> tuple[list[Part] | None, Carry | None]:
    """The page as parts in reading order, and what a table on the next page may carry
    on; None for the parts where the page has no table (`ruled` ones found by the
    caller from drawn lines, unruled ones here)."""
    found = list(ruled)
    free = [w for w in words if not any(inside(w, f) for f in found)]
    found += _unruled(_lines(free))
    if not found:
        return None, None
    found.sort(key=lambda f: f.top)
    parts: list[Part] = []
    lines = _lines([w for w in free if not any(inside(w, f) for f in found)])
    above = float("-inf")
    for number, table in enumerate(found):
        band = [line for line in lines if above <= line[0]["top"] < table.top]
        text = _text(band)
        if text:
            parts.append(Part(KIND_TEXT, text))
        # Only a page's first table, under no more than a running head, goes on from
        # the previous page.
        continued = carry if number == 0 and len(band) <= _RUNNING_HEAD_LINES else None
        rendered = _render(table, continued)
        if rendered is not None:
            caption = (
                rendered.title
                or _caption(band)
                or (continued.caption if continued else rendered.corner)
            )
            parts.append(Part(rendered.kind, rendered.text, caption))
            carry = Carry(rendered.headers, caption) if rendered.kind == KIND_TABLE else None
        above = table.bottom
    text = _text([line for line in lines if line[0]["top"] >= above])
    if text:
        parts.append(Part(KIND_TEXT, text))
    return parts, carry


def _render(table: Found, carry: Carry | None) -> TableText | None:
    """The table's lines. One that may continue the previous page's table and does not
    repeat its header row (nor sets a first row in bold) takes that table's headers,
    where its column count matches."""
    if carry is not None and table.header_rows is None:
        own = render_table(table.grid)
        if own is not None and own.headers == carry.headers:
            return own
        continued = render_table(table.grid, headers=carry.headers)
        if continued is not None and continued.headers == carry.headers:
            return continued
    return render_table(table.grid, header_rows=table.header_rows)


def inside(word: Word, box: Found) -> bool:
    """Whether the word's middle lies in the table's box."""
    x0, top, x1, bottom = box.x0, box.top, box.x1, box.bottom
    middle_x = (word["x0"] + word["x1"]) / 2
    middle_y = (word["top"] + word["bottom"]) / 2
    return x0 <= middle_x <= x1 and top <= middle_y <= bottom


def _lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines, top to bottom, each left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and _same_line(lines[-1][0], word):
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _same_line(first: Word, word: Word) -> bool:
    height = min(first["bottom"] - first["top"], word["bottom"] - word["top"])
    middle = (first["top"] + first["bottom"]) / 2 - (word["top"] + word["bottom"]) / 2
    return abs(middle) <= _LINE_TOLERANCE * max(height, 1e-6)


def _segments(line: list[Word]) -> list[list[Word]]:
    """A line cut where the gap between two words is wide enough to part columns."""
    out = [[line[0]]]
    for previous, word in zip(line, line[1:], strict=False):
        if word["x0"] - previous["x1"] > _COLUMN_GAP * max(word["size"], previous["size"]):
            out.append([word])
        else:
            out[-1].append(word)
    return out


def _unruled(lines: list[list[Word]]) -> list[Found]:
    """Runs of lines whose short segments line up in the same columns."""
    found = []
    run: list[list[list[Word]]] = []
    for line in [*lines, None]:
        segments = _segments(line) if line else []
        short = len(segments) >= 2 and all(len(s) <= _MAX_CELL_WORDS for s in segments)
        if short and (not run or _close(run[-1], segments)):
            run.append(segments)
            continue
        found += _tables(run)
        run = [segments] if short else []
    return found


def _tables(run: list[list[list[Word]]]) -> list[Found]:
    """The run's tables: the longest first rows whose columns line up, then the same on
    the rest (a bill's summary table with an "Account charges | Amount" table right
    under it, on other columns). Rows that line up stop doing so once they don't: more
    rows only widen the columns, so a run that lines up throughout is one table, read
    once."""
    found = []
    start = 0
    while len(run) - start >= _MIN_ROWS:
        if (whole := _columns(run[start:])) is not None:
            return [*found, whole]
        end = start + _MIN_ROWS
        table = _columns(run[start:end])
        if table is None:
            start += 1
            continue
        while end < len(run) and (longer := _columns(run[start : end + 1])) is not None:
            table, end = longer, end + 1
        found.append(table)
        start = end
    return found


def _close(previous: list[list[Word]], segments: list[list[Word]]) -> bool:
    """The next row of the same table: no more than a couple of line heights below."""
    height = max(w["bottom"] - w["top"] for s in previous for w in s)
    gap = segments[0][0]["top"] - max(w["bottom"] for s in previous for w in s)
    return gap <= 2 * height


def _columns(run: list[list[list[Word]]]) -> Found | None:
    """The run as a grid: columns are the x ranges its segments overlap in; None where
    a line has two segments in one column (text that only happens to have wide gaps)."""
    spans: list[list[float]] = []
    for x0, x1 in sorted((s[0]["x0"], s[-1]["x1"]) for line in run for s in line):
        if spans and x0 <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], x1)
        else:
            spans.append([x0, x1])
    if len(spans) < 2:
        return None
    grid: list[list[str | None]] = []
    for line in run:
        row: list[str | None] = [""] * len(spans)
        for segment in line:
            column = next(i for i, (a, b) in enumerate(spans) if a <= segment[0]["x0"] <= b)
            if row[column]:
                return None
            row[column] = " ".join(w["text"] for w in segment)
        grid.append(row)
    words = [w for line in run for s in line for w in s]
    header = [w for s in run[0] for w in s]
    bold = all("bold" in w["fontname"].lower() for w in header) and not all(
        "bold" in w["fontname"].lower() for w in words
    )
    return Found(
        top=min(w["top"] for w in words),
        bottom=max(w["bottom"] for w in words),
        x0=spans[0][0],
        x1=spans[-1][1],
        grid=grid,
        header_rows=1 if bold else None,
    )


def _text(lines: list[list[Word]]) -> str:
    """Lines as text, a blank line where the gap above a line says a paragraph starts."""
    out: list[str] = []
    previous: list[Word] | None = None
    for line in lines:
        if previous is not None:
            height = max(w["bottom"] - w["top"] for w in previous)
            gap = line[0]["top"] - previous[0]["top"]
            out.append("\n\n" if gap > _PARAGRAPH_GAP * height else "\n")
        out.append(" ".join(w["text"] for w in line))
        previous = line
    return "".join(out).strip()


def _caption(band: list[list[Word]]) -> str | None:
    """The table's title: of the last lines above it, the nearest short one that is not
    a sentence ("Summary of claims", "Deductions")."""
    for line in reversed(band[-_CAPTION_LOOKBACK:]):
        text = " ".join(w["text"] for w in line)
        if is_field(text):  # the last field of a form above the table
            return None
        if len(text.split()) <= _CAPTION_WORDS and not text.rstrip().endswith("."):
            return text
    return None
