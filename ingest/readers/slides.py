"""PowerPoint .pptx reader (python-pptx): one slide a page, its title a heading, its notes kept.

A slide's text is read in the order a person reads the slide (top to bottom, then left
to right), not the order the shapes were added in; tables keep their rows, grouped
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
        parts = [t for t in _shape_texts(slide.shapes) if t]
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                parts.append(f"Notes: {notes.text.strip()}")
        if parts:
            sections.append(
                Section(text="\n\n".join(parts), page=number, headings=(title,) if title else ())
            )
    props = deck.core_properties
    fields = (("title", props.title), ("author", props.author))
    metadata = {k: v.strip() for k, v in fields if v and v.strip()}
    return Document(sections=sections, metadata=metadata, engine="python-pptx")


def _shape_texts(shapes: Iterable[Any]) -> list[str]:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    texts = []
    for shape in sorted(shapes, key=lambda s: (s.top or 0, s.left or 0)):
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            texts.extend(_shape_texts(shape.shapes))
        elif getattr(shape, "has_table", False) and shape.has_table:
            rows = [
                " | ".join(" ".join(cell.text.split()) for cell in row.cells)
                for row in shape.table.rows
            ]
            texts.append("\n".join(r for r in rows if r.strip(" |")))
        elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            texts.append(shape.text_frame.text.strip())
    return texts
