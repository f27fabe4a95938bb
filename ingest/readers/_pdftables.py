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
    for table in page.find_tables():
        grid = table.extract()
        if len(grid) < 2 or max(len(r) for r in grid) < 2:
            continue  # a box drawn round a paragraph, not a table
        x0, top, x1, bottom = table.bbox
        first = table.rows[0].bbox if table.rows else None
        bold = first is not None and _bold_only(page.within_bbox(first).chars)
        found.append(Found(top, bottom, x0, x1, grid, 1 if bold else None))
    return found


def _bold_only(chars: list[dict[str, Any]]) -> bool:
    visible = [c for c in chars if c["text"].strip()]
    return bool(visible) and all("bold" in c["fontname"].lower() for c in visible)
