"""Word (.docx) reader: paragraphs and tables in body order, sections by heading styles.

A table is a section of its own (ingest/tables.py: a row a line, each cell beside its
column header) under the headings above it and its caption; "Label: value" paragraphs
are forms."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.document import Document, Section, UnreadableFile
from ingest.readers import ReadOptions, reader, short_reason
from ingest.tables import table_section, text_sections

if TYPE_CHECKING:
    import docx.document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

# python-docx is imported inside read_docx: the registry imports every reader module to
# learn the suffixes, and a sync that reads no .docx should not pay for it.

log = logging.getLogger(__name__)

_HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
_CAPTION_WORDS = 12


@reader(".docx")
def read_docx(data: bytes, path: Path, options: ReadOptions) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise UnreadableFile(f"corrupt DOCX: {short_reason(exc)}") from exc

    stack: list[tuple[int, str]] = []  # (level, title); Title is level 0, above Heading 1
    sections: list[Section] = []
    body: list[str] = []

    def flush() -> None:
        headings = tuple(title for _, title in stack)
        sections.extend(text_sections("\n\n".join(body).strip(), headings))
        body.clear()

    # iter_inner_content keeps paragraphs and tables interleaved as the author placed
    # them; document.paragraphs and document.tables would tear a table from its context.
    caption: str | None = None
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            flush()
            headings = tuple(title for _, title in stack)
            table = table_section(
                _grid(block), headings, header_rows=_header_rows(block), caption=caption
            )
            if table is not None:
                sections.append(table)
            caption = None
            continue
        text = block.text.strip()
        level = _heading_level(block)
        if level is not None and text:
            flush()
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
        if text:
            body.append(f"- {text}" if level is None and _is_list_item(block) else text)
            caption = text if _is_caption(block, text) else None
    flush()
    return Document(sections=sections, metadata=_metadata(document))


def _is_caption(paragraph: Paragraph, text: str) -> bool:
    """A table's title: a paragraph in the Caption style, or a short line that is not a
    sentence right above the table."""
    return _style_name(paragraph) == "Caption" or (
        len(text.split()) <= _CAPTION_WORDS and text[-1] not in ".:"
    )


def _is_list_item(paragraph: Paragraph) -> bool:
    """A bulleted or numbered paragraph (a list style, or list numbering of its own): Word
    draws its bullet, so it reads as one fact of a list, as ODT's and HTML's items do, not
    as a short title line."""
    properties = paragraph._p.pPr
    if properties is not None and properties.numPr is not None:
        return True
    return _style_name(paragraph).startswith("List")


def _heading_level(paragraph: Paragraph) -> int | None:
    name = _style_name(paragraph)
    if name == "Title":
        return 0
    match = _HEADING_STYLE.match(name)
    return int(match.group(1)) if match else None


def _style_name(paragraph: Paragraph) -> str:
    """The paragraph's style name; "" for none, or for a style id the styles part does
    not define."""
    try:
        return (paragraph.style.name or "") if paragraph.style is not None else ""
    except (KeyError, ValueError):
        return ""


def _grid(table: Table) -> list[list[str | None]]:
    """The table's cells row by row; None where a merged cell spans from the left."""
    rows = []
    for row in table.rows:
        cells: list[str | None] = []
        previous = None
        for cell in row.cells:
            # A merged cell comes back once per grid column it spans; say it once.
            cells.append(None if cell._tc is previous else cell.text)
            previous = cell._tc
        rows.append(cells)
    return rows


def _header_rows(table: Table) -> int | None:
    """The rows Word repeats as a header (w:tblHeader), or a first row all in bold over
    rows that are not; None to guess from the cells."""
    from docx.oxml.ns import qn

    marked = 0
    for row in table.rows:
        properties = row._tr.trPr
        if properties is None or properties.find(qn("w:tblHeader")) is None:
            break
        marked += 1
    if marked:
        return marked
    rows = list(table.rows)
    if len(rows) > 1 and _bold(rows[0]) and not _bold(rows[1]):
        return 1
    return None


def _bold(row: object) -> bool:
    runs = [
        run
        for cell in row.cells  # type: ignore[attr-defined]
        for paragraph in cell.paragraphs
        for run in paragraph.runs
        if run.text.strip()
    ]
    return bool(runs) and all(run.bold for run in runs)


def _metadata(document: docx.document.Document) -> dict[str, str]:
    try:
        props = document.core_properties
        fields = {"title": props.title, "author": props.author}
    except Exception as exc:  # core.xml is optional and sometimes malformed
        log.debug("unreadable DOCX core properties: %s", exc)
        return {}
    return {key: value.strip() for key, value in fields.items() if value and value.strip()}
