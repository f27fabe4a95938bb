"""OpenDocument readers (odfpy): .odt text by headings, .ods one sheet a section, .odp one
slide a page with its notes, the same shapes as the Word, Excel and PowerPoint readers;
tables are sections of their own (ingest/tables.py)."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

from ingest.document import Document, Section, UnreadableFile
from ingest.readers import ReadOptions, parser, reader, short_reason
from ingest.readers._table import sheet_sections
from ingest.tables import table_section, text_sections

log = logging.getLogger(__name__)

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_PRESENTATION = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
# A sheet "repeats" its empty trailing rows and columns up to the format's limits
# (1,048,576 rows); only repeats of cells that hold something are written out, and those
# at most this many times.
_MAX_REPEAT = 1000


def _load(data: bytes, kind: str) -> Any:
    parser("odf", "odfpy")
    from odf.opendocument import load

    try:
        return load(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, ExpatError, OSError) as exc:
        raise UnreadableFile(f"corrupt {kind}: {short_reason(exc)}") from exc


def _text(element: Any) -> str:
    from odf import teletype

    return " ".join(teletype.extractText(element).split())


def _attr(element: Any, namespace: str, name: str) -> str | None:
    value = element.attributes.get((namespace, name))
    return None if value is None else str(value)


def _children(element: Any) -> list[Any]:
    return [c for c in element.childNodes if getattr(c, "qname", None)]


def _metadata(doc: Any) -> dict[str, str]:
    from odf import dc, meta

    fields = {"title": doc.meta.getElementsByType(dc.Title)}
    fields["author"] = doc.meta.getElementsByType(dc.Creator) or doc.meta.getElementsByType(
        meta.InitialCreator
    )
    return {k: t for k, found in fields.items() if found and (t := _text(found[0]))}


@reader(".odt")
def read_odt(data: bytes, path: Path, options: ReadOptions) -> Document:
    doc = _load(data, "ODT")
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    body: list[str] = []

    def flush() -> None:
        headings = tuple(title for _, title in stack)
        sections.extend(text_sections("\n\n".join(body), headings))
        body.clear()

    def walk(element: Any) -> None:
        for child in _children(element):
            namespace, name = child.qname
            if (namespace, name) == (_TEXT, "h"):
                title = _text(child)
                level = int(_attr(child, _TEXT, "outline-level") or 1)
                if title:
                    flush()
                    while stack and stack[-1][0] >= level:
                        stack.pop()
                    stack.append((level, title))
                    body.append(title)
            elif (namespace, name) == (_TEXT, "p"):
                if line := _text(child):
                    body.append(line)
            elif (namespace, name) == (_TABLE, "table"):
                flush()
                headings = tuple(title for _, title in stack)
                header_rows = sum(
                    len(h.getElementsByType(_row_class())) for h in _header_groups(child)
                )
                table = table_section(_table_rows(child), headings, header_rows=header_rows or None)
                if table is not None:
                    sections.append(table)
            elif (namespace, name) == (_TEXT, "list-item"):
                items = [t for p in _children(child) if (t := _text(p))]
                if items:
                    body.append("\n".join(f"- {t}" for t in items))
            else:  # sections, lists, frames: their paragraphs are inside
                walk(child)

    walk(doc.text)
    flush()
    return Document(sections=sections, metadata=_metadata(doc), engine="odfpy")


@reader(".ods")
def read_ods(data: bytes, path: Path, options: ReadOptions) -> Document:
    doc = _load(data, "ODS")
    sections = []
    for table in doc.spreadsheet.getElementsByType(_table_class()):
        name = _attr(table, _TABLE, "name") or ""
        sections.extend(sheet_sections(_table_rows(table, typed=True), (name,) if name else ()))
    return Document(sections=sections, metadata=_metadata(doc), engine="odfpy")


@reader(".odp")
def read_odp(data: bytes, path: Path, options: ReadOptions) -> Document:
    from odf import draw, presentation

    doc = _load(data, "ODP")
    sections = []
    for number, page in enumerate(doc.presentation.getElementsByType(draw.Page), start=1):
        title, parts = "", []
        for frame in page.getElementsByType(draw.Frame):
            if frame.parentNode is not page:  # inside the notes: read below
                continue
            text = "\n".join(t for p in frame.getElementsByType(_p_class()) if (t := _text(p)))
            if _attr(frame, _PRESENTATION, "class") == "title" and not title:
                title = " ".join(text.split())
            if text:
                parts.append(text)
        for notes in page.getElementsByType(presentation.Notes):
            text = "\n".join(t for p in notes.getElementsByType(_p_class()) if (t := _text(p)))
            if text:
                parts.append(f"Notes: {text}")
        if parts:
            sections.append(
                Section(text="\n\n".join(parts), page=number, headings=(title,) if title else ())
            )
    return Document(sections=sections, metadata=_metadata(doc), engine="odfpy")


def _table_class() -> Any:
    from odf import table

    return table.Table


def _row_class() -> Any:
    from odf import table

    return table.TableRow


def _header_groups(table: Any) -> list[Any]:
    """The table's <table:table-header-rows>: the rows a writer repeats on every page."""
    return [c for c in _children(table) if c.qname == (_TABLE, "table-header-rows")]


def _p_class() -> Any:
    from odf import text

    return text.P


def _table_rows(table: Any, typed: bool = False) -> list[list[Any]]:
    """The table's rows of cell values (typed: numbers and dates as the sheet stores
    them, so a header row of labels is told from a row of data)."""
    from odf import table as odf_table

    rows: list[list[Any]] = []
    for row in table.getElementsByType(odf_table.TableRow):
        cells: list[Any] = []
        for cell in _children(row):
            if cell.qname not in ((_TABLE, "table-cell"), (_TABLE, "covered-table-cell")):
                continue
            if cell.qname == (_TABLE, "covered-table-cell"):  # under a merged cell
                value = None
            else:
                value = _cell_value(cell) if typed else _text(cell)
            repeat = int(_attr(cell, _TABLE, "number-columns-repeated") or 1)
            cells.extend([value] * (min(repeat, _MAX_REPEAT) if value not in ("", None) else 1))
        repeat = int(_attr(row, _TABLE, "number-rows-repeated") or 1)
        rows.extend([cells] * (min(repeat, _MAX_REPEAT) if any(cells) else 1))
    return rows


def _cell_value(cell: Any) -> Any:
    kind = _attr(cell, _OFFICE, "value-type")
    if kind in ("float", "percentage", "currency"):
        raw = _attr(cell, _OFFICE, "value")
        try:
            return float(raw) if raw is not None else _text(cell)
        except ValueError:
            return _text(cell)
    return _text(cell)
