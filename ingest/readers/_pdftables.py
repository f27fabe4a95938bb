"""Tables on born-digital PDF pages, found by pdfplumber, and the text around them.

pypdf gives a table as a run of cells one per line, its headers somewhere above, so a
question about a cell finds neither its row nor its column. pdfplumber (MIT) sees the
page's geometry: a ruled table is the grid its drawn lines make (`find_tables`); an
unruled one is found here from word positions, as lines whose words fall into the same
columns. (PyMuPDF finds tables too, but its licence is the AGPL.)

A page with a table is read from pdfplumber's words: the text above, between and below
the tables in reading order, each table a section of its own in ingest/tables.py's line
format, its caption the short line just above it. A table that goes on over a page
break without its header row takes the header (and caption) of the one it continues.
The leading underscore keeps the registry from taking this module for a reader.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ingest.tables import KIND_TABLE, TableText, is_field, render_table

if TYPE_CHECKING:
    from pdfplumber.page import Page

log = logging.getLogger(__name__)

# Words whose tops differ by less than this (points) sit on one line.
_LINE_TOLERANCE = 3.0
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
    """A piece of a page in reading order: text (kind "text") or a rendered table."""

    kind: str
    text: str
    caption: str | None = None


@dataclass
class _Found:
    top: float
    bottom: float
    x0: float
    x1: float
    grid: list[list[str | None]]
    header_rows: int | None  # 1 where the first row is set in bold, None to guess


@dataclass
class _Carry:
    """The last table of the previous page, for one that continues it."""

    headers: tuple[str, ...]
    caption: str | None


def page_parts(data: bytes, pages: Sequence[int]) -> dict[int, list[Part]]:
    """For each page index in `pages` (0-based) that holds a table: its parts in order.
    Pages without a table are left out (their text is read as before)."""
    import pdfplumber

    out: dict[int, list[Part]] = {}
    carry: _Carry | None = None
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for index in pages:
            try:
                parts, carry = _page(pdf.pages[index], carry)
            except Exception as exc:  # one page pdfplumber cannot lay out costs its tables
                log.debug("pdfplumber: page %d: %s", index + 1, exc)
                parts, carry = None, None
            if parts is not None:
                out[index] = parts
    return out


def _page(page: Page, carry: _Carry | None) -> tuple[list[Part] | None, _Carry | None]:
    words = page.extract_words(extra_attrs=["fontname", "size"])
    found = _ruled(page)
    boxes = [(f.x0, f.top, f.x1, f.bottom) for f in found]
    free = [w for w in words if not any(_inside(w, b) for b in boxes)]
    found += _unruled(_lines(free))
    if not found:
        return None, None
    found.sort(key=lambda f: f.top)
    parts: list[Part] = []
    free = [w for w in free if not any(_inside(w, (f.x0, f.top, f.x1, f.bottom)) for f in found)]
    lines = _lines(free)
    above = 0.0
    for number, table in enumerate(found):
        band = [line for line in lines if above <= line[0]["top"] < table.top]
        text = _text(band)
        if text:
            parts.append(Part("text", text))
        # Only a page's first table, under no more than a running head, goes on from
        # the previous page.
        continued = carry if number == 0 and len(band) <= _RUNNING_HEAD_LINES else None
        rendered = _render(table, continued)
        if rendered is not None:
            caption = _caption(band) or (continued.caption if continued else rendered.corner)
            parts.append(Part(rendered.kind, rendered.text, caption))
            carry = _Carry(rendered.headers, caption) if rendered.kind == KIND_TABLE else None
        above = table.bottom
    text = _text([line for line in lines if line[0]["top"] >= above])
    if text:
        parts.append(Part("text", text))
    return parts, carry


def _render(table: _Found, carry: _Carry | None) -> TableText | None:
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


def _ruled(page: Page) -> list[_Found]:
    found = []
    for table in page.find_tables():
        grid = table.extract()
        if len(grid) < 2 or max(len(r) for r in grid) < 2:
            continue  # a box drawn round a paragraph, not a table
        x0, top, x1, bottom = table.bbox
        first = table.rows[0].bbox if table.rows else None
        bold = first is not None and _bold_only(page.within_bbox(first).chars)
        found.append(_Found(top, bottom, x0, x1, grid, 1 if bold else None))
    return found


def _bold_only(chars: list[dict[str, Any]]) -> bool:
    visible = [c for c in chars if c["text"].strip()]
    return bool(visible) and all("bold" in c["fontname"].lower() for c in visible)


def _inside(word: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    middle_x = (word["x0"] + word["x1"]) / 2
    middle_y = (word["top"] + word["bottom"]) / 2
    return x0 <= middle_x <= x1 and top <= middle_y <= bottom


def _lines(words: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Words grouped into lines, top to bottom, each left to right."""
    lines: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(word["top"] - lines[-1][0]["top"]) <= _LINE_TOLERANCE:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _segments(line: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """A line cut where the gap between two words is wide enough to part columns."""
    out = [[line[0]]]
    for previous, word in zip(line, line[1:], strict=False):
        if word["x0"] - previous["x1"] > _COLUMN_GAP * max(word["size"], previous["size"]):
            out.append([word])
        else:
            out[-1].append(word)
    return out


def _unruled(lines: list[list[dict[str, Any]]]) -> list[_Found]:
    """Runs of lines whose short segments line up in the same columns."""
    found = []
    run: list[list[list[dict[str, Any]]]] = []
    for line in [*lines, None]:
        segments = _segments(line) if line else []
        short = len(segments) >= 2 and all(len(s) <= _MAX_CELL_WORDS for s in segments)
        if short and (not run or _close(run[-1], segments)):
            run.append(segments)
            continue
        if len(run) >= _MIN_ROWS and (table := _columns(run)) is not None:
            found.append(table)
        run = [segments] if short else []
    return found


def _close(previous: list[list[dict[str, Any]]], segments: list[list[dict[str, Any]]]) -> bool:
    """The next row of the same table: no more than a couple of line heights below."""
    height = max(w["bottom"] - w["top"] for s in previous for w in s)
    gap = segments[0][0]["top"] - max(w["bottom"] for s in previous for w in s)
    return gap <= 2 * height


def _columns(run: list[list[list[dict[str, Any]]]]) -> _Found | None:
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
    return _Found(
        top=min(w["top"] for w in words),
        bottom=max(w["bottom"] for w in words),
        x0=spans[0][0],
        x1=spans[-1][1],
        grid=grid,
        header_rows=1 if bold else None,
    )


def _text(lines: list[list[dict[str, Any]]]) -> str:
    """Lines as text, a blank line where the gap above a line says a paragraph starts."""
    out: list[str] = []
    previous: list[dict[str, Any]] | None = None
    for line in lines:
        if previous is not None:
            height = max(w["bottom"] - w["top"] for w in previous)
            gap = line[0]["top"] - previous[0]["top"]
            out.append("\n\n" if gap > _PARAGRAPH_GAP * height else "\n")
        out.append(" ".join(w["text"] for w in line))
        previous = line
    return "".join(out).strip()


def _caption(band: list[list[dict[str, Any]]]) -> str | None:
    """The table's title: of the last lines above it, the nearest short one that is not
    a sentence ("Summary of claims", "Deductions")."""
    for line in reversed(band[-_CAPTION_LOOKBACK:]):
        text = " ".join(w["text"] for w in line)
        if is_field(text):  # the last field of a form above the table
            return None
        if len(text.split()) <= _CAPTION_WORDS and not text.rstrip().endswith("."):
            return text
    return None
