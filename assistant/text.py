"""Text as the faces show it: a passage, a heading or a question cut to a one-line snippet;
a count with its noun in the right number."""

from __future__ import annotations


def snippet(text: str, limit: int) -> str:
    """`text` on one line (runs of whitespace become one space), cut at a word boundary to
    at most `limit` characters, an ellipsis marking the cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + " …"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`count` and its noun, agreeing: "1 chunk", "0 chunks", "2 files". English adds an
    s; `nouns` is the plural where it does not ("1 match", "3 matches")."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"
