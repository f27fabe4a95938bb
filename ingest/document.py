"""The shape every reader returns: a document as ordered sections of text with their place."""

from __future__ import annotations

from dataclasses import dataclass, field


class UnreadableFile(Exception):
    """A file that cannot be turned into text; the message is the reason shown to the user.

    Sync records the reason in the catalog and moves on: one bad file never stops the rest.
    """


@dataclass(frozen=True)
class Section:
    """A run of text that shares one page and one heading path.

    `page` is 1-based for paged formats (PDF pages, slides, TIFF frames) and None
    otherwise; `headings` is the path of headings above the text, outermost first, so a
    chunk can say where it came from. `attachment` names the file inside the file that
    the text comes from (an e-mail's `report.pdf`; nested ones joined by " › "), whose
    pages `page` then counts.

    `kind` says what the text is: "text" (prose), "table" (one line per row, each cell
    beside its column header) or "form" (one `Label: value` line per field); the line
    format, and a parser for it, are in ingest/tables.py. A table's caption is the last
    of its `headings`.
    """

    text: str
    page: int | None = None
    headings: tuple[str, ...] = ()
    attachment: str | None = None
    kind: str = "text"


@dataclass
class Document:
    """A file's extracted text, in reading order, plus metadata (front matter, title...).

    `engine` says what read it ("pypdf", "pypdfium2+tesseract"...), for `status`; a
    reader that leaves it empty is named after its module.
    """

    sections: list[Section]
    metadata: dict[str, str] = field(default_factory=dict)
    engine: str = ""

    @property
    def has_text(self) -> bool:
        return any(s.text.strip() for s in self.sections)
