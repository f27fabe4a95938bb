"""File names where a plain `str` will not do: in the catalog and the vector store, and on
a terminal.

A name that is not valid UTF-8 reaches Python with each undecodable byte as a lone
surrogate (U+DC80-U+DCFF, PEP 383). SQLite and Chroma refuse such a string (one of them
aborted a whole ingest), so `stored` maps every surrogate to a private-use character of
plane 16 and back, one character for one, which keeps the mapping lossless and keeps a
folder's stored name a prefix of its files' stored names (the catalog finds a folder's
files by prefix). A name that really holds one of those private-use characters is kept
lossless by an escape character of its own.

A name can also hold newlines and terminal escape sequences; `shown` writes any path (or
a line holding one) so that it prints as one line of plain characters, and `json_text`
writes JSON that any output can encode and that reads back as the same names.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

_SURROGATES = (0xD800, 0xDFFF)
_STORED_BASE = 0x10F800  # U+10F800-U+10FFFF stand for the 2,048 surrogates, in order
_ESCAPE = chr(_STORED_BASE - 1)  # before a real character of that range, or of itself
_NEEDS_STORING = re.compile(f"[\ud800-\udfff{_ESCAPE}-\U0010ffff]")
_NEEDS_READING = re.compile(f"[{_ESCAPE}-\U0010ffff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_C0_NAMES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Characters that reorder what a terminal shows (a name can hide its real extension).
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def stored(path: str) -> str:
    """`path` as valid Unicode for SQLite and Chroma; `from_stored` gives it back exactly."""
    if _NEEDS_STORING.search(path) is None:
        return path
    return _NEEDS_STORING.sub(_store_char, path)


def _store_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    if _SURROGATES[0] <= code <= _SURROGATES[1]:
        return chr(_STORED_BASE + code - _SURROGATES[0])
    return _ESCAPE + match.group()


def from_stored(text: str) -> str:
    """The path `stored` was given."""
    if _NEEDS_READING.search(text) is None:
        return text
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == _ESCAPE:
            out.append(next(chars, ""))
        elif ord(char) >= _STORED_BASE:
            out.append(chr(ord(char) - _STORED_BASE + _SURROGATES[0]))
        else:
            out.append(char)
    return "".join(out)


def json_text(data: Any, **options: Any) -> str:
    """`json.dumps(data, ensure_ascii=False, **options)`, except that a lone surrogate (a
    byte of a name that is not UTF-8) is written as a JSON escape: the text encodes as
    UTF-8, and a JSON reader gets the very same name back."""
    text = json.dumps(data, ensure_ascii=False, **options)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def encodable(data: Any) -> Any:
    """`data` (JSON-like: dicts, lists, strings) with every string that holds a lone
    surrogate in its `stored` form, for a serializer that refuses them and cannot be told
    to escape them (the MCP SDK's): valid Unicode, and `from_stored` turns it back."""
    if isinstance(data, str):
        return stored(data) if _LONE_SURROGATE.search(data) else data
    if isinstance(data, dict):
        return {key: encodable(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [encodable(value) for value in data]
    return data


def shown(text: str) -> str:
    """`text` (a path, or a message naming one) safe to print on a terminal, on one line:
    control characters and bidi controls become escapes (\\n, \\x1b, \\u202e), and a byte
    that is not UTF-8 is written as \\xNN, the byte itself."""
    if text.isprintable():
        return text
    return "".join(_shown_char(c) for c in text)


def _shown_char(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte (PEP 383)
        return f"\\x{code - 0xDC00:02x}"
    if char in _C0_NAMES:
        return _C0_NAMES[char]
    category = unicodedata.category(char)
    if category in ("Cc", "Cs", "Zl", "Zp") or char in _BIDI_CONTROLS:
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char
