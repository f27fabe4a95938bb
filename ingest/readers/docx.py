"""Word (.docx) reader: paragraphs and tables in body order, sections by heading styles."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.document import Document, Section, UnreadableFile
from ingest.readers import ReadOptions, reader, short_reason

if TYPE_CHECKING:
    import docx.document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

# python-docx is imported inside read_docx: the registry imports every reader module to
# learn the suffixes, and a sync that reads no .docx should not pay for it.

log = logging.getLogger(__name__)

_HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)


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
        if any(part.strip() for part in body):
            headings = tuple(title for _, title in stack)
            sections.append(Section(text="\n\n".join(body).strip(), headings=headings))
        body.clear()

    # iter_inner_content keeps paragraphs and tables interleaved as the author placed
    # them; document.paragraphs and document.tables would tear a table from its context.
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            table_text = _table_text(block)
            if table_text:
                body.append(table_text)
            continue
        text = block.text.strip()
        level = _heading_level(block)
        if level is not None and text:
            flush()
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
        if text:
            body.append(text)
    flush()
    return Document(sections=sections, metadata=_metadata(document))


def _heading_level(paragraph: Paragraph) -> int | None:
    try:
        name = paragraph.style.name if paragraph.style is not None else ""
    except (KeyError, ValueError):  # a style id the styles part does not define
        return None
    if name == "Title":
        return 0
    match = _HEADING_STYLE.match(name or "")
    return int(match.group(1)) if match else None


def _table_text(table: Table) -> str:
    """One line per row, cells joined with ' | ': the row stays one retrievable unit."""
    lines = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            # A merged cell comes back once per grid column it spans; say it once.
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(" ".join(cell.text.split()))
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def _metadata(document: docx.document.Document) -> dict[str, str]:
    try:
        props = document.core_properties
        fields = {"title": props.title, "author": props.author}
    except Exception as exc:  # core.xml is optional and sometimes malformed
        log.debug("unreadable DOCX core properties: %s", exc)
        return {}
    return {key: value.strip() for key, value in fields.items() if value and value.strip()}
