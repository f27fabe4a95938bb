"""Text as the faces show it: a passage, a heading or a question cut to a one-line snippet,
and how a source is named ("report.pdf, page 3"). Light to import: a one-shot `search`
prints with it before anything else of the program loads (assistant/quick.py)."""

from __future__ import annotations

from pathlib import Path

from ingest.pathnames import shown


def snippet(text: str, limit: int) -> str:
    """`text` on one line (runs of whitespace become one space), cut at a word boundary to
    at most `limit` characters, an ellipsis marking the cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + " …"


def printable(text: str) -> str:
    """`text` for a terminal, its lines kept: every control character in a line (an escape
    sequence a document holds, a bell, a bidi control) is written as an escape, never
    sent raw, as `shown` writes a file name."""
    return "\n".join(shown(line) for line in text.split("\n"))


def file_location(
    path: str, page_start: int | None, page_end: int | None, attachment: str | None = None
) -> str:
    """How a source is named to the user and the model: "report.pdf, pages 3-4", or
    "mail.eml › invoice.pdf, page 2" for a passage of a file attached to another."""
    name = shown(Path(path).name)
    if attachment:
        name = f"{name} › {shown(attachment)}"
    if page_start is None:
        return name
    if page_end and page_end != page_start:
        return f"{name}, pages {page_start}-{page_end}"
    return f"{name}, page {page_start}"
