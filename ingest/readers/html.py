"""HTML reader: the visible text, in sections under h1..h6, with <title> as metadata.

A table of data is a section of its own (ingest/tables.py: a row a line, each cell
beside its column header; <caption> its last heading); a table that lays out the page is
read as text. "Label: value" lines are forms."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.document import Document, Section
from ingest.readers import ReadOptions, reader
from ingest.readers._decode import decode_text
from ingest.tables import table_section, text_sections

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

# bs4 is imported inside the functions that use it: the registry imports every reader
# module to learn the suffixes, and a sync that reads no HTML should not pay for bs4.

# Never shown to a reader of the page, so never worth an answer citing.
_DROP = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "svg", "iframe", "object"}
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
# Elements that end a paragraph: the chunker splits on the blank lines they leave.
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "aside", "main", "header", "footer", "nav", "ul", "ol"}
    | {"dl", "pre", "blockquote", "figure", "figcaption", "table", "form", "fieldset"}
    | {"address", "details", "summary", "hr"}
)
_LINES = frozenset({"li", "dt", "dd", "br", "tr", "caption"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


@reader(".html", ".htm")
def read_html(data: bytes, path: Path, options: ReadOptions) -> Document:
    declared = _META_CHARSET.search(data[:4096])
    text = decode_text(data, declared.group(1).decode("ascii") if declared else None)
    return html_document(text)


def html_document(markup: str) -> Document:
    """Sections and title of decoded HTML: also what EPUB chapters and HTML e-mail are."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    metadata = _metadata(soup)
    return Document(sections=_Walker().sections(soup), metadata=metadata, engine="html")


def _metadata(soup: BeautifulSoup) -> dict[str, str]:
    from bs4 import Tag

    metadata: dict[str, str] = {}
    if soup.title and soup.title.get_text(strip=True):
        metadata["title"] = " ".join(soup.title.get_text().split())
    author = soup.find("meta", attrs={"name": re.compile("^author$", re.I)})
    if isinstance(author, Tag) and str(author.get("content", "")).strip():
        metadata["author"] = str(author.get("content")).strip()
    return metadata


class _Walker:
    """Walks the tree once in document order, cutting a new section at each heading."""

    def __init__(self) -> None:
        # Bound once per document rather than imported in _walk, which recurses per element.
        from bs4 import NavigableString, Tag
        from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

        self._string_type = NavigableString
        self._tag_type = Tag
        self._not_text = (Comment, Declaration, Doctype, ProcessingInstruction)
        self._stack: list[tuple[int, str]] = []
        self._parts: list[str] = []
        self._sections: list[Section] = []

    def sections(self, soup: BeautifulSoup) -> list[Section]:
        self._walk(soup.body or soup, in_pre=False)
        self._flush()
        return self._sections

    def _flush(self) -> None:
        headings = tuple(title for _, title in self._stack)
        self._sections.extend(text_sections(_tidy("".join(self._parts)), headings))
        self._parts.clear()

    def _table(self, table: Tag) -> bool:
        """A table of data as a section of its own; False for one that lays out a page
        (one column, or tables inside it), whose text is walked as any other."""
        grid, header_rows = _grid(table, self._tag_type)
        if len(grid) < 2 or max(len(r) for r in grid) < 2 or table.find("table") is not None:
            return False
        self._flush()
        caption = table.find("caption")
        headings = tuple(title for _, title in self._stack)
        section = table_section(
            grid,
            headings,
            header_rows=header_rows,
            caption=caption.get_text(" ") if caption is not None else None,
        )
        if section is not None:
            self._sections.append(section)
        return True

    def _walk(self, node: Tag, in_pre: bool) -> None:
        for child in node.children:
            if isinstance(child, self._string_type):
                if not isinstance(child, self._not_text):
                    self._parts.append(str(child) if in_pre else re.sub(r"\s+", " ", child))
                continue
            if not isinstance(child, self._tag_type) or child.name in _DROP or _is_hidden(child):
                continue
            name = child.name
            if name in _HEADINGS:
                self._heading(_HEADINGS[name], " ".join(child.get_text(" ").split()))
            elif name == "table" and self._table(child):
                continue
            elif name in ("td", "th"):
                self._parts.append(" ".join(child.get_text(" ").split()) + " | ")
            elif name in _BLOCKS:
                self._parts.append("\n\n")
                self._walk(child, in_pre or name == "pre")
                self._parts.append("\n\n")
            elif name in _LINES:
                if name == "li":
                    # The bullet or number a reader of the page sees: a list's item is
                    # one fact ("At least 1.5 litres of water" under "What to bring"),
                    # not a short line taken for a title.
                    self._parts.append(_marker(child))
                # Only after: a newline on both sides would leave a blank line between
                # list items, and the chunker would take each item for a paragraph.
                self._walk(child, in_pre)
                self._parts.append("\n")
            else:
                self._walk(child, in_pre)

    def _heading(self, level: int, title: str) -> None:
        self._flush()
        if not title:
            return
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, title))
        self._parts.append(title + "\n\n")


def _grid(table: Tag, tag_type: type) -> tuple[list[list[str | None]], int | None]:
    """The table's rows of cells, None where a colspan or rowspan covers one; and its
    header rows: those in <thead> or all of <th> at the top, 0 where <th> only start the
    rows (row labels of a key/value table), None to guess."""
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    grid: list[list[str | None]] = []
    spans: dict[tuple[int, int], bool] = {}  # (row, column) covered from above or left
    kinds: list[list[str]] = []
    for r, tr in enumerate(rows):
        row: list[str | None] = []
        names: list[str] = []
        for cell in tr.find_all(["td", "th"], recursive=False):
            while spans.pop((r, len(row)), False):
                row.append(None)
            across = _span(cell.get("colspan"))
            down = _span(cell.get("rowspan"))
            for i in range(across):
                for j in range(down):
                    if i or j:
                        spans[(r + j, len(row) + i)] = True
            row.append(" ".join(cell.get_text(" ").split()))
            names.append(cell.name)
            row.extend([None] * (across - 1))
        while spans.pop((r, len(row)), False):
            row.append(None)
        grid.append(row)
        kinds.append(names)
    head = sum(1 for tr in rows if tr.find_parent("thead") is not None)
    top = 0
    while top < len(kinds) and kinds[top] and all(k == "th" for k in kinds[top]):
        top += 1
    labels = any(k[:1] == ["th"] and "td" in k for k in kinds)
    return grid, head or top or (0 if labels else None)


def _span(value: object) -> int:
    try:
        return max(1, min(int(str(value)), 100))
    except (TypeError, ValueError):
        return 1


def _is_hidden(tag: Tag) -> bool:
    return tag.has_attr("hidden") or bool(_HIDDEN_STYLE.search(str(tag.get("style", ""))))


def _tidy(text: str) -> str:
    """Trim each line (and table rows' trailing separator) and keep at most one blank line."""
    lines = [line.strip().removesuffix("|").rstrip() for line in text.split("\n")]
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return tidy.strip()


def _marker(item: Tag) -> str:
    """ "- " for an item of a bulleted list, "3. " for the third of a numbered one."""
    if item.parent is not None and item.parent.name == "ol":
        return f"{len(item.find_previous_siblings('li')) + 1}. "
    return "- "
