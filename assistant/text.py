"""Text as the faces show it: a passage, a heading or a question cut to a one-line snippet."""

from __future__ import annotations


def snippet(text: str, limit: int) -> str:
    """`text` on one line (runs of whitespace become one space), cut at a word boundary to
    at most `limit` characters, an ellipsis marking the cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + " …"
