"""Rows of a sheet as text a question can find a cell in: each value beside its column name.

Shared by the spreadsheet readers (CSV/TSV, XLSX, ODS). A row becomes one paragraph,
`Name: Ada | Amount: 418 | Paid: 2025-10-09`, so the chunker keeps rows whole, and a
passage about one cell names the column it sits in, which a bare "Ada 418 2025-10-09"
would not. The leading underscore keeps the registry from taking this for a reader.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable, Sequence

ROW_SEPARATOR = "\n\n"  # the chunker's paragraph break: a row is never cut in two


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


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the names a sheet without a header row shows."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = string.ascii_uppercase[remainder] + letters
    return letters


def rows_text(rows: Iterable[Sequence[object]]) -> str:
    """The rows as paragraphs of `column: value` pairs.

    The first non-empty row is the header when all its cells are text and none is a
    number (a sheet that starts with data has no header: its columns are A, B, C...).
    """
    header: list[str] | None = None
    out: list[str] = []
    for raw in rows:
        cells = [cell_text(v) for v in raw]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if header is None:
            if all(_is_label(raw[i]) for i, c in enumerate(cells) if c):
                header = cells
                out.append(" | ".join(c for c in cells if c))
                continue
            header = []
        names = [
            (header[i] if i < len(header) and header[i] else column_letter(i))
            for i in range(len(cells))
        ]
        out.append(" | ".join(f"{n}: {c}" for n, c in zip(names, cells, strict=True) if c))
    return ROW_SEPARATOR.join(out)


def _is_label(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        float(value.replace(",", ""))
    except ValueError:
        return True
    return False
