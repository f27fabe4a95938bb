"""Tables and forms as text: the one line format every reader writes and evidence reads back.

A person asks "what was the allowed amount for the ankle X-ray?"; the answer is a cell, and
the cell means nothing without its row label and its column header. So every reader turns
a table into a section (`Section.kind == KIND_TABLE`) whose text is one line per row:

    ROW LABEL | HEADER A: value | HEADER B: value

- the row label (the first column's cell) comes first, then a `header: value` pair for
  each other column, joined by " | "; a row whose label cell is blank (a total under a
  group) is its pairs alone, `2019: 1,568,428 | 2018: 1,717,462`;
- blank cells are left out; a table with a single value column gives `ROW LABEL: value`;
- a row that holds only a label (a group like "Operating expenses") is the label alone;
- a table without a header row names its columns `Column 2`, `Column 3`... (1-based;
  a spreadsheet's by its letters, `B`, `C`..., as the spreadsheet shows them);
- merged cells: a header spanning columns names each of them, stacked header rows are
  joined ("2019 $"), a row label spanning rows labels each of them; a drawn grid's group
  header without merged cells ("December 31" over "2019 | 2 0 1 8", "(in millions)"
  under them) names each column under it too: "December 31 2019 (in millions)";
- the table's caption or title, when there is one, is the last entry of the section's
  `headings` (document headings first), never a line of the text;
- every line ends with "\\n".

A form (`Section.kind == KIND_FORM`) is one line per field, `Label: value`: "Label: value"
lines of a letter or statement, two-column key/value tables and PDF form fields. A label
whose value is blank is left out: a label alone answers nothing.

Labels and headers never contain ": " or " | " and values never contain " | " (they are
rewritten to " - " and " / "), so `parse_line` reads any such line back unambiguously.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ingest.document import Section

KIND_TEXT = "text"
KIND_TABLE = "table"
KIND_FORM = "form"
CELL_SEPARATOR = " | "
PAIR_SEPARATOR = ": "
UNNAMED_COLUMN = "Column {}"  # 1-based column number, for tables without a header row

# Amounts, counts, percentages and dates: what a header row does not hold and a body does.
_NUMBER = re.compile(
    r"^[(\-−+]?\s*[$£€¥]?\s*\d[\d,.\s]*%?\)?$|^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}$|^[-—–]$"
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
# "2 0 1 8": a year set letter-spaced, as report layouts do in their header rows.
_SPACED_DIGITS = re.compile(r"^\d(?: \d){3}$")
# A column named by a period: "April 27, 2019", "Dec. 31, 2019", "FY2019", "fiscal 2019",
# "Q1 2019", "2019 $": a year beside words, and no other figure than a day's.
_PERIOD = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_PERIOD_REST = re.compile(r"^(?:[^\d]|(?<!\d)(?:[0-3]?\d)(?!\d))*$")
# "Statement date: 02/07/2025": a short label, a colon, the value on the same line.
_LABEL_VALUE = re.compile(r"^([A-Z][\w '&/().,#%-]{0,48}?[\w).#%]):[ \t]+(\S.*)$")
_FORM_LABEL_WORDS = 8
# A label column's header names the table where no caption does, unless it is as short
# as "No." or "#".
_CORNER_LETTERS = 4
# A header is a few rows at most ("Year ended", "2019 | 2018", "(in millions)", "$ | $").
_MAX_HEADER_ROWS = 4


@dataclass(frozen=True)
class Row:
    """One line read back: the row label (a form's label) and its (header, value) pairs;
    `ROW LABEL: value` reads as the label with one pair whose header is ""."""

    label: str
    cells: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TableText:
    """A table rendered to lines: `kind` is KIND_TABLE or KIND_FORM (a key/value table),
    `headers` the names of its columns (for a continuation on the next page)."""

    kind: str
    text: str
    headers: tuple[str, ...]
    corner: str | None = None  # the label column's header: what the rows are ("Deduction")
    title: str | None = None  # a first row merged across the table: what the table is


def parse_line(line: str) -> Row:
    """A table or form line back into its label and pairs (the inverse of the writers)."""
    parts = line.rstrip("\n").split(CELL_SEPARATOR)
    if len(parts) == 1:
        label, sep, value = parts[0].partition(PAIR_SEPARATOR)
        return Row(label.strip(), (("", value.strip()),) if sep else ())
    # A label never holds ": ", so a first part that does is the row's first pair.
    label = "" if PAIR_SEPARATOR in parts[0] else parts.pop(0).strip()
    pairs = []
    for part in parts:
        header, _, value = part.partition(PAIR_SEPARATOR)
        pairs.append((header.strip(), value.strip()))
    return Row(label, tuple(pairs))


def clean_cell(value: object) -> str:
    """A cell's text on one line, without the separator the format uses."""
    if value is None:
        return ""
    return " ".join(str(value).split()).replace("|", "/")


def _name(text: str) -> str:
    """A label or header: no ": " inside (it would end the label early) nor at its end."""
    return text.rstrip(":").rstrip().replace(": ", " - ")


def row_line(label: str, pairs: Iterable[tuple[str, str]]) -> str:
    """One table row in the format above (pairs with a blank value are left out)."""
    kept = [(_name(h), v) for h, v in pairs if v]
    label = _name(label)
    if len(kept) == 1 and not kept[0][0]:
        return f"{label}{PAIR_SEPARATOR}{kept[0][1]}\n"
    cells = [f"{h}{PAIR_SEPARATOR}{v}" for h, v in kept]
    return CELL_SEPARATOR.join([label, *cells] if label else cells) + "\n"


def form_line(label: str, value: str) -> str:
    """One form field, or "" when the value is blank (a label alone answers nothing)."""
    label, value = _name(clean_cell(label)), clean_cell(value)
    return f"{label}{PAIR_SEPARATOR}{value}\n" if label and value else ""


def is_field(text: str) -> bool:
    """A "Label: value" line whose value is a number: a form field, never a caption."""
    match = _LABEL_VALUE.match(text.strip())
    return match is not None and is_number(match.group(2))


def is_number(text: str) -> bool:
    """An amount, count, percentage or date: a body cell, not a header."""
    return bool(_NUMBER.match(text.strip()))


def render_table(
    grid: Sequence[Sequence[object]],
    header_rows: int | None = None,
    headers: Sequence[str] | None = None,
) -> TableText | None:
    """The lines of a table given as rows of cells (None: covered by a merged cell).

    `header_rows` is how many rows at the top are headers when the source says so (HTML
    <th>, a bold first row in a PDF); None guesses from the cells. `headers` continues a
    table from the previous page: every row is then a body row under those names. A table
    with no header whose first column holds labels (and every other column values) is a
    key/value form. None when nothing is left (a table of blank cells).
    """
    rows, kept = _trimmed([[None if c is None else clean_cell(c) for c in row] for row in grid])
    if not rows:
        return None
    width = len(kept)
    title = None
    if headers is None and _is_title(rows):
        # A first cell merged across the whole width names the table ("Maya - March
        # 2025"); read as a header it would prefix every column's name.
        title = rows.pop(0)[0]
        # Where the source marked only that row as a header, the header is guessed.
        header_rows = header_rows - 1 if header_rows and header_rows > 1 else None
    if headers is not None and len(headers) > width:  # named before blank columns went
        headers = [headers[i] for i in kept] if len(headers) > max(kept) else None
    if headers is not None and len(headers) == width:
        names = list(headers)
        body = rows
    else:
        count = _guess_header_rows(rows) if header_rows is None else header_rows
        count = min(count, len(rows) - 1) if len(rows) > 1 else 0
        if count == 0 and _is_form(rows):
            text = "".join(_form_lines(rows))
            return TableText(KIND_FORM, text, (), title=title) if text else None
        names = _header_names(rows[:count], width)
        body = rows[count:]
        if count:
            # Lines of text under the header with no row label (whose business, which
            # quarter) say what the table is; as rows they would answer for it.
            lead = 0
            while lead < len(body) - 1 and _is_title_line(body[lead]):
                lead += 1
            if lead:
                title = " - ".join(filter(None, [title, *_texts(body[:lead])]))
                body = body[lead:]
    lines = []
    labels = []
    above: list[str | None] = [None] * width
    for row in body:
        # A cell covered by a merged one above it takes its text in the label column
        # (a label spanning rows labels each), and is blank elsewhere.
        cells = [(above[i] or "") if c is None and i == 0 else (c or "") for i, c in enumerate(row)]
        above = [c if c else above[i] for i, c in enumerate(cells)]
        if not any(cells):
            continue
        pairs = [(names[i], c) for i, c in enumerate(cells[1:], start=1) if c]
        if width == 2 and pairs and cells[0]:
            pairs = [("", pairs[0][1])]
        lines.append(row_line(cells[0], pairs))
        labels.append(cells[0])
    if not lines:
        return None
    # The label column's header names the rows ("Deduction") where they are labels,
    # not where they are dates or numbers.
    named = (
        names[0] != UNNAMED_COLUMN.format(1) and sum(map(str.isalpha, names[0])) >= _CORNER_LETTERS
    )
    corner = names[0] if named and sum(map(_is_label, labels)) * 2 > len(labels) else None
    return TableText(KIND_TABLE, "".join(lines), tuple(names), corner, title)


def _is_title_line(row: list[str | None]) -> bool:
    """A body row with no label and no figure: a line of text set in the table."""
    return not row[0] and any(row) and not any(is_number(c or "") for c in row)


def _texts(rows: list[list[str | None]]) -> list[str]:
    return [" ".join(c for c in row if c) for row in rows]


def _is_title(rows: list[list[str | None]]) -> bool:
    """A first row whose one text spans every column (the others covered by it, None),
    over a table; over key/value pairs it is the first of their sections ("Parties")."""
    first = rows[0]
    spans = len(first) > 1 and bool(first[0]) and all(c is None for c in first[1:])
    return spans and len(rows) > 1 and not _is_form(rows[1:])


def _trimmed(rows: list[list[str | None]]) -> tuple[list[list[str | None]], list[int]]:
    """Without rows and columns that are blank throughout, all rows as wide as the
    widest; and the indices of the columns kept."""
    rows = [r for r in rows if any(r)]
    if not rows:
        return [], []
    width = max(len(r) for r in rows)
    keep = [i for i in range(width) if any(i < len(r) and r[i] for r in rows)]
    return [[r[i] if i < len(r) else "" for i in keep] for r in rows], keep


def _is_label(text: str | None) -> bool:
    return bool(text) and not is_number(text or "")


def is_period(text: str | None) -> bool:
    """A year, or a date or period with a year in it ("2019", "2 0 1 8", "April 27,
    2019", "FY2019"): what names a column of a report's table, not a value in its body."""
    text = (text or "").strip()
    if _YEAR.match(text) or (_SPACED_DIGITS.match(text) and _YEAR.match(text.replace(" ", ""))):
        return True
    found = _PERIOD.findall(text)
    return (
        len(found) == 1 and not is_number(text) and bool(_PERIOD_REST.match(_PERIOD.sub("", text)))
    )


def _guess_header_rows(rows: list[list[str | None]]) -> int:
    """Header rows at the top: a first row of labels (years count as labels) over a body
    that holds numbers, then further rows of labels while their first cell is blank or
    the rest are years (a stacked header: "Year ended", then "2019 | 2018", "$ | $")."""
    if len(rows) < 2:
        return 0
    first = rows[0]
    if not all(_is_label(c) or is_period(c) for c in first if c):
        return 0
    if len(first) == 2 and first[0]:
        # A two-column table is a header and one value column only where the values
        # below are numbers and the first row's is not; otherwise it is key/value pairs.
        values = [r[1] for r in rows[1:] if r[1]]
        numeric = sum(is_number(v) for v in values)
        if not (_is_label(first[1]) and values and numeric * 2 >= len(values)):
            return 0
    count = 1
    while count < min(len(rows) - 1, _MAX_HEADER_ROWS) and any(rows[count][1:]):
        cells = rows[count]
        if any(is_number(c or "") and not is_period(c) for c in cells):
            break
        # Another header row: its first cell blank, or periods across it (a units line
        # such as "($ in millions)" may sit above "For the year ended | 2019 | 2018",
        # "(Dollars in millions) | April 27, 2019 | April 28, 2018"), or labels under a
        # row that named only some columns (a group: "December 31, 2019" over "Carrying
        # amount | Fair value").
        periods = all(is_period(c) for c in cells[1:] if c)
        if cells[0] and not periods and _filled(cells) <= _filled(rows[count - 1]):
            break
        # Under a first row naming every column, the label column's too, a row naming
        # fewer is not another header row but the first of the body (a sheet's title
        # lines under its header); a report's units line sits under a blank corner.
        full = count == 1 and all(first)
        units = all(c.startswith("(") for c in cells[1:] if c)
        if not periods and not units and full and _filled(cells) < len(cells) - 1:
            break
        count += 1
    return count


def _filled(row: Sequence[str | None]) -> int:
    """How many of a row's value cells hold text."""
    return sum(1 for c in row[1:] if c)


def _is_form(rows: list[list[str | None]]) -> bool:
    """Key/value pairs: two or four columns, every even column a short text label."""
    width = len(rows[0])
    if width not in (2, 4):
        return False
    for row in rows:
        for i in range(0, width, 2):
            label = row[i]
            if label and (not _is_label(label) or len(label.split()) > _FORM_LABEL_WORDS):
                return False
    return True


def _form_lines(rows: list[list[str | None]]) -> list[str]:
    return [
        line
        for row in rows
        for i in range(0, len(row), 2)
        if (line := form_line(row[i] or "", row[i + 1] or ""))
    ]


def _header_names(header: list[list[str | None]], width: int) -> list[str]:
    """One name per column: a cell covered by a merged header takes the text to its
    left; stacked header rows are joined; a column with no name gets `Column N`.

    In a stacked header a row may name a group of columns without merged cells (a drawn
    grid, a PDF): over the value columns, a row's one text ("December 31", "(in
    millions)") names them all; where the row's first value cell holds text, a blank
    cell after a text is under the same group ("December 31, 2019" over its carrying
    amount and fair value, then "December 31, 2018" over its two)."""
    parts: list[list[str]] = [[] for _ in range(width)]
    for row in header:
        values = [c for c in row[1:] if c]
        spread = len(header) > 1 and len(values) == 1
        # Groups read from the left only where the first group starts at the first value
        # column; texts set centred over their group ("| | Year ended | |") name no others.
        grouped = len(header) > 1 and len(row) > 1 and bool(row[1])
        left = ""
        for i, cell in enumerate(row):
            if i and spread:
                text = values[0]
            elif cell is None or (i and not cell and grouped and row is not header[-1]):
                text = left
            else:
                text = cell
            left = text
            text = text.replace(" ", "") if _SPACED_DIGITS.match(text) else text
            if text and text not in parts[i]:
                parts[i].append(text)
    return [" ".join(p) or UNNAMED_COLUMN.format(i + 1) for i, p in enumerate(parts)]


def table_section(
    grid: Sequence[Sequence[object]],
    headings: Sequence[str] = (),
    *,
    page: int | None = None,
    header_rows: int | None = None,
    caption: str | None = None,
    headers: Sequence[str] | None = None,
) -> Section | None:
    """A table as a section under `headings`, its caption last among them; a key/value
    table comes back as a form."""
    rendered = render_table(grid, header_rows, headers)
    if rendered is None:
        return None
    path = tuple(headings)
    for title in (clean_cell(caption), rendered.title):
        if title and title not in path[-1:]:
            path = (*path, title)
    return Section(rendered.text, page, path, kind=rendered.kind)


def text_sections(
    text: str, headings: Sequence[str] = (), page: int | None = None
) -> list[Section]:
    """Prose as sections, its runs of "Label: value" lines as forms of their own."""
    return [Section(t, page, tuple(headings), kind=k) for k, t in split_forms(text)]


def split_forms(text: str) -> list[tuple[str, str]]:
    """Prose cut into (kind, text) runs: two or more "Label: value" lines in a row (blank
    lines between them allowed) are a form, one field a line; the rest stays text, in
    its order."""
    lines = text.split("\n")
    runs: list[tuple[str, str]] = []
    prose: list[str] = []
    i = 0
    while i < len(lines):
        fields, end = _form_run(lines, i)
        if len(fields) >= 2:
            if "\n".join(prose).strip():
                runs.append((KIND_TEXT, "\n".join(prose).strip()))
            prose = []
            runs.append((KIND_FORM, "".join(fields)))
            i = end
        else:
            prose.append(lines[i])
            i += 1
    if "\n".join(prose).strip():
        runs.append((KIND_TEXT, "\n".join(prose).strip()))
    return runs


def _form_run(lines: list[str], start: int) -> tuple[list[str], int]:
    """The form lines from `start` on (blank lines skipped) and where they end."""
    fields: list[str] = []
    end = start
    i = start
    while i < len(lines):
        line = lines[i].strip()
        match = _LABEL_VALUE.match(line)
        if match:
            fields.append(form_line(match.group(1), match.group(2)))
            end = i + 1
        elif line:
            break
        i += 1
    return fields, end
