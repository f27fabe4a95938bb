"""Tables on born-digital PDF pages, found by pdfplumber, and the text around them.

pypdf gives a table as a run of cells one per line, its headers somewhere above, so a
question about a cell finds neither its row nor its column. pdfplumber (MIT) sees the
page's geometry: a ruled table is the grid its drawn lines make (`find_tables`), a bold
first row its header; unruled ones, and the text around the tables, come from its words
by ingest/layout.py. (PyMuPDF finds tables too, but its licence is the AGPL.)
The leading underscore keeps the registry from taking this module for a reader.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ingest.layout import Carry, Found, Part, layout_parts

if TYPE_CHECKING:
    from pdfplumber.page import Page

log = logging.getLogger(__name__)
# Words of one run are at most this share of their height apart (a space is about a
# quarter of it; the next column's text starts further off).
_SPACE = 0.5


def page_parts(data: bytes, pages: Sequence[int]) -> dict[int, list[Part]]:
    """For each page index in `pages` (0-based) that holds a table: its parts in order.
    Pages without a table are left out (their text is read as before)."""
    import pdfplumber

    out: dict[int, list[Part]] = {}
    carry: Carry | None = None
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


def _page(page: Page, carry: Carry | None) -> tuple[list[Part] | None, Carry | None]:
    words = page.extract_words(extra_attrs=["fontname", "size"])
    return layout_parts(words, _ruled(page), carry)


def _ruled(page: Page) -> list[Found]:
    found = []
    flow: list[dict[str, Any]] | None = None
    for table in page.find_tables():
        grid = table.extract()
        for number, row in enumerate(table.rows):
            if number < len(grid) and any(_overlapping(c) for c in grid[number] if c):
                flow = page.extract_words(use_text_flow=True) if flow is None else flow
                grid[number] = _cells_from_flow(flow, row.cells, grid[number])
        if len(grid) < 2 or max(len(r) for r in grid) < 2:
            continue  # a box drawn round a paragraph, not a table
        x0, top, x1, bottom = table.bbox
        first = table.rows[0].bbox if table.rows else None
        # A table drawn past the page's edge is still read: its first row is cropped to
        # the page (pdfplumber refuses a box that is not inside it).
        bold = first is not None and _bold_only(page.within_bbox(first, strict=False).chars)
        found.append(Found(top, bottom, x0, x1, grid, 1 if bold else None))
    return found


def _overlapping(text: str) -> bool:
    """A cell whose letters come interleaved: a header set wider than its column runs
    over the next one's text ("Amount provider charged" over "Medicare-approved" reads,
    cut at the drawn lines, "r cMheadrgiceadre-appro")."""
    return any(
        len(w) > 3 and w[0].islower() and any(ch.isupper() for ch in w[1:]) for w in text.split()
    )


def _cells_from_flow(
    words: list[dict[str, Any]],
    boxes: Sequence[tuple[float, float, float, float] | None],
    cells: list[str | None],
) -> list[str | None]:
    """A row's cells read as a person does where texts overlap: each run of words in
    the order the PDF writes them belongs to the cell it starts in."""
    texts: list[list[str]] = [[] for _ in boxes]
    run_cell: int | None = None
    previous: dict[str, Any] | None = None
    drawn = [b for b in boxes if b is not None]
    if not drawn:
        return cells
    top, bottom = min(b[1] for b in drawn), max(b[3] for b in drawn)
    for word in words:
        middle = (word["top"] + word["bottom"]) / 2
        if not top <= middle <= bottom:
            previous = None
            continue
        continues = (
            previous is not None
            and abs(word["top"] - previous["top"]) < 1
            and previous["x1"] - 1
            <= word["x0"]
            <= previous["x1"] + _SPACE * (word["bottom"] - word["top"])
        )
        if not continues:
            run_cell = next(
                (
                    i
                    for i, b in enumerate(boxes)
                    if b is not None and b[0] <= word["x0"] < b[2] and b[1] <= middle <= b[3]
                ),
                None,
            )
        if run_cell is not None:
            texts[run_cell].append(word["text"])
        previous = word
    # A cell no run starts in keeps what the grid read (None: covered by a merged cell).
    return [" ".join(t) if t else c for t, c in zip(texts, cells, strict=True)]


def _bold_only(chars: list[dict[str, Any]]) -> bool:
    visible = [c for c in chars if c["text"].strip()]
    return bool(visible) and all("bold" in c["fontname"].lower() for c in visible)
