"""A sheet's rows as a table section: each value beside its column name (ingest/tables.py).

Shared by the spreadsheet readers (CSV/TSV, XLSX, ODS). A row becomes one line,
`Ada | Amount: 418 | Paid: 2025-10-09`, so the chunker keeps rows whole, and a passage
about one cell names the column it sits in, which a bare "Ada 418 2025-10-09" would
not. The leading underscore keeps the registry from taking this for a reader.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterable, Sequence

from ingest.document import Section
from ingest.tables import is_number, table_section, text_sections

# A currency symbol in a number format: "$"#,##0.00, [$€-1809]#,##0.00 or £#,##0.
_CURRENCY = re.compile(r'"([$£€¥])"|\[\$([$£€¥])[^\]]*\]|\\?([$£€¥])')
_PLACES = re.compile(r"\.(0+)")


def cell_text(value: object) -> str:
    """A cell as a person reads it: 418 not 418.0, a date without a midnight time."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return " ".join(str(value).split())


def shown(value: object, number_format: str | None) -> object:
    """A number as the sheet shows it where its format says money or a percentage
    ("$65.00", "12.5%"): a question asks what the sheet shows, and a bare 65 reads as no
    sum at all. Other values are left to cell_text."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not number_format:
        return value
    section = number_format.split(";")[0]
    symbol = next((g for m in _CURRENCY.finditer(section) for g in m.groups() if g), "")
    percent = "%" in section
    if not symbol and not percent:
        return value
    places = _PLACES.search(section)
    number = value * 100 if percent else value
    digits = f"{abs(number):{',' if ',' in section else ''}.{len(places[1]) if places else 0}f}"
    return f"{'-' if number < 0 else ''}{symbol}{digits}{'%' if percent else ''}"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the names a sheet without a header row shows."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = string.ascii_uppercase[remainder] + letters
    return letters


def sheet_sections(rows: Iterable[Sequence[object]], headings: Sequence[str] = ()) -> list[Section]:
    """The sheet's tables under `headings` (the sheet's name).

    Blank rows part a sheet into blocks (a key/value block, then a table, then notes);
    a block's leading one-cell rows are its title, kept as its caption, and a block of
    one-cell rows only is text (and the title of a table right below it). A block whose
    first row is all text (no numbers) has that row for its header, or is a key/value
    form; one that starts with data goes on under the header of the table above it, if
    as wide, else has none: its columns are named as the spreadsheet shows them (A, B...).
    """
    sections: list[Section] = []
    title = None
    header: list[str] | None = None
    for block in _blocks(rows):
        cells = [[cell_text(v) for v in row] for row in block]
        titles = 0
        while titles < len(block) and sum(1 for c in cells[titles] if c) == 1:
            titles += 1
        lines = [" ".join(c for c in row if c) for row in cells[:titles]]
        if titles == len(block):  # text, perhaps the title of the table below it
            sections.extend(text_sections("\n".join(lines), headings))
            title = lines[-1]
            continue
        caption = lines[-1] if lines else title
        title = None
        body = cells[titles:]
        if all(_is_label(v) for v in block[titles] if cell_text(v)):
            header = body[0]
            section = table_section(body, headings, caption=caption)
        elif header and len(header) == len(body[0]):  # the table above, after a blank row
            section = table_section([header, *body], headings, header_rows=1, caption=caption)
        else:
            letters = [column_letter(i) for i in range(max(len(r) for r in cells))]
            section = table_section(body, headings, header_rows=0, caption=caption, headers=letters)
        if section is not None:
            sections.append(section)
    return sections


def _blocks(rows: Iterable[Sequence[object]]) -> list[list[Sequence[object]]]:
    """The sheet's rows in runs between blank rows."""
    blocks: list[list[Sequence[object]]] = [[]]
    for row in rows:
        if any(cell_text(v) for v in row):
            blocks[-1].append(row)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _is_label(value: object) -> bool:
    """Text that is not a number, an amount or a date written as text ("2024-06-10")."""
    return isinstance(value, str) and not is_number(value)
