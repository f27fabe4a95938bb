"""A count said with its noun in the right number ("1 chunk", "2 chunks"): the one helper
for every line a person reads, the CLI's, the chat's and the log's. Here, in the lowest
layer, so that `ingest` (which never imports `assistant`) uses it too."""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`count` and its noun, agreeing: "1 chunk", "0 chunks", "2 files". English adds an
    s; `nouns` is the plural where it does not ("1 match", "3 matches")."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"
