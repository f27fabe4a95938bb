"""HTML reader: the visible text, in sections under h1..h6, with <title> as metadata."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.document import Document, Section
from ingest.readers import ReadOptions, reader
from ingest.readers._decode import decode_text

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
        text = _tidy("".join(self._parts))
        if text:
            headings = tuple(title for _, title in self._stack)
            self._sections.append(Section(text=text, headings=headings))
        self._parts.clear()

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
            elif name in ("td", "th"):
                self._parts.append(" ".join(child.get_text(" ").split()) + " | ")
            elif name in _BLOCKS:
                self._parts.append("\n\n")
                self._walk(child, in_pre or name == "pre")
                self._parts.append("\n\n")
            elif name in _LINES:
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


def _is_hidden(tag: Tag) -> bool:
    return tag.has_attr("hidden") or bool(_HIDDEN_STYLE.search(str(tag.get("style", ""))))


def _tidy(text: str) -> str:
    """Trim each line (and table rows' trailing separator) and keep at most one blank line."""
    lines = [line.strip().removesuffix("|").rstrip() for line in text.split("\n")]
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return tidy.strip()
