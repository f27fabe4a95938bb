"""Spreadsheet readers: Excel .xlsx/.xlsm (openpyxl) and .csv/.tsv, one section per sheet.

Each sheet is a table section under its name, each row a line of `column: value` pairs
(ingest/tables.py), so "what did the Quillfeather invoice come to" finds the row
whose Amount column says it. Formulas give the value Excel last computed and saved.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ingest.document import Document, UnreadableFile
from ingest.readers import ReadOptions, parser, reader, short_reason
from ingest.readers._decode import decode_text
from ingest.readers._table import sheet_sections, shown


@reader(".xlsx", ".xlsm")
def read_xlsx(data: bytes, path: Path, options: ReadOptions) -> Document:
    openpyxl = parser("openpyxl", "openpyxl")
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # read_only streams rows instead of building every cell object; data_only gives
        # the cached results of formulas rather than their source text.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile(f"corrupt XLSX: {short_reason(exc)}") from exc
    try:
        sections = [
            section
            for sheet in book.worksheets
            for section in sheet_sections(_shown_rows(sheet), (sheet.title,))
        ]
        metadata = _workbook_metadata(book)
    except Exception as exc:  # the sheets are parsed only now, each part's XML on its own
        raise UnreadableFile(f"corrupt XLSX: {short_reason(exc)}") from exc
    finally:
        book.close()
    return Document(sections=sections, metadata=metadata, engine="openpyxl")


def _shown_rows(sheet: object) -> Iterator[list[object]]:
    """The sheet's rows of values, money and percentages as the cells' formats show them."""
    for row in sheet.iter_rows():  # type: ignore[attr-defined]
        yield [shown(cell.value, getattr(cell, "number_format", None)) for cell in row]


def _workbook_metadata(book: object) -> dict[str, str]:
    props = getattr(book, "properties", None)
    fields = {"title": getattr(props, "title", None), "author": getattr(props, "creator", None)}
    return {k: str(v).strip() for k, v in fields.items() if v and str(v).strip()}


@reader(".csv", ".tsv")
def read_csv(data: bytes, path: Path, options: ReadOptions) -> Document:
    text = decode_text(data)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnreadableFile(f"malformed CSV: {short_reason(exc)}") from exc
    return Document(sections=sheet_sections(rows), engine="csv")


def _sniff_delimiter(text: str) -> str:
    """Comma, semicolon (what Excel writes where the comma is the decimal mark), tab or |."""
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","
