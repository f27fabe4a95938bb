"""PowerPoint .pptx reader (python-pptx): one slide a page, its title a heading, its notes kept.

A slide's text is read in the order a person reads the slide (top to bottom, then left
to right), not the order the shapes were added in; a table is a section of its own
(ingest/tables.py: a row a line, each cell beside its column header), grouped
shapes their members, and the speaker notes follow the slide's text, marked as notes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ingest.document import Document, Section, UnreadableFile
from ingest.readers import ReadOptions, parser, reader, short_reason
from ingest.tables import table_section


@reader(".pptx")
def read_pptx(data: bytes, path: Path, options: ReadOptions) -> Document:
    pptx = parser("pptx", "python-pptx")
    from pptx.exc import PackageNotFoundError

    try:
        deck = pptx.Presentation(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise UnreadableFile(f"corrupt PPTX: {short_reason(exc)}") from exc
    sections = []
    for number, slide in enumerate(deck.slides, start=1):
        title_shape = slide.shapes.title
        title = " ".join(title_shape.text.split()) if title_shape is not None else ""
        headings = (title,) if title else ()
        tables: list[Section] = []
        parts = [t for t in _shape_texts(slide.shapes, tables, number, headings) if t]
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                parts.append(f"Notes: {notes.text.strip()}")
        if parts:
            sections.append(Section(text="\n\n".join(parts), page=number, headings=headings))
        sections.extend(tables)
    props = deck.core_properties
    fields = (("title", props.title), ("author", props.author))
    metadata = {k: v.strip() for k, v in fields if v and v.strip()}
    return Document(sections=sections, metadata=metadata, engine="python-pptx")


def _shape_texts(
    shapes: Iterable[Any], tables: list[Section], page: int, headings: tuple[str, ...]
) -> list[str]:
    """The shapes' text in reading order; their tables go to `tables` as sections."""
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    texts = []
    for shape in sorted(shapes, key=lambda s: (s.top or 0, s.left or 0)):
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            texts.extend(_shape_texts(shape.shapes, tables, page, headings))
        elif getattr(shape, "has_table", False) and shape.has_table:
            table = shape.table
            grid = [[None if c.is_spanned else c.text for c in row.cells] for row in table.rows]
            header_rows = 1 if table.first_row else None
            section = table_section(grid, headings, page=page, header_rows=header_rows)
            if section is not None:
                tables.append(section)
        elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            texts.append(shape.text_frame.text.strip())
    return texts
