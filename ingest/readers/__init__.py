"""Readers turn a file's bytes into a Document; a registry maps file suffixes to them.

Every module in this package registers its formats with `@reader(".ext", ...)`, and the
package imports all its modules on first use, so adding a format is one new module.
Readers take the bytes sync already read (and hashed), so a file is read from disk once.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

from ingest.document import Document, UnreadableFile

ReadFn = Callable[[bytes, Path], Document]

_REGISTRY: dict[str, ReadFn] = {}
_loaded = False


def reader(*suffixes: str) -> Callable[[ReadFn], ReadFn]:
    """Register a read function for the given lower-case suffixes (with the dot)."""

    def register(fn: ReadFn) -> ReadFn:
        for suffix in suffixes:
            _REGISTRY[suffix.lower()] = fn
        return fn

    return register


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    _loaded = True


def supported_suffixes() -> frozenset[str]:
    _load_all()
    return frozenset(_REGISTRY)


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in supported_suffixes()


def read_document(data: bytes, path: Path) -> Document:
    """Extract a Document from `data` (the content of `path`); raise UnreadableFile on failure."""
    _load_all()
    fn = _REGISTRY.get(path.suffix.lower())
    if fn is None:
        raise UnreadableFile(f"unsupported file type {path.suffix or '(none)'}")
    if not data:
        raise UnreadableFile("empty file (0 bytes)")
    try:
        doc = fn(data, path)
    except UnreadableFile:
        raise
    except Exception as exc:  # a parser's own error on malformed input
        raise UnreadableFile(f"cannot parse {path.suffix} file: {exc}") from exc
    if not doc.has_text:
        raise UnreadableFile("no text found")
    return doc
