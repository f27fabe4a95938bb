"""Readers turn a file's bytes into a Document; a registry maps file suffixes to them.

Every module in this package registers its formats with `@reader(".ext", ...)`, and the
package imports all its modules on first use, so adding a format is one new module.
Readers take the bytes sync already read (and hashed), so a file is read from disk once,
and import their parser inside the function, so a sync that reads no such file (an
unchanged re-scan) never pays for it. A reader is a plain function of its arguments:
the ingest workers run it in another process.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ingest.document import Document, UnreadableFile
from ingest.ocr import OcrOptions


@dataclass(frozen=True)
class ReadOptions:
    """What a reader may need besides the bytes: how far OCR may go, and whom to tell
    about slow progress inside one file (OCR pages: `on_progress(done, total)`)."""

    ocr: OcrOptions = field(default_factory=OcrOptions)
    on_progress: Callable[[int, int], None] | None = None
    nesting: int = 0  # attachments deep, for readers that read what a file contains

    def progress(self, done: int, total: int) -> None:
        if self.on_progress is not None:
            self.on_progress(done, total)


ReadFn = Callable[[bytes, Path, ReadOptions], Document]

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


def parser(module: str, package: str) -> ModuleType:
    """Import a format library that is an optional extra, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise UnreadableFile(
            f"reading this format needs {package}: pip install 'local-doc-assistant[formats]'"
        ) from exc


def reader_reference(path: Path) -> tuple[str, str] | None:
    """(module, name) of the reader for `path`'s suffix, for a worker process to import:
    a reader registered at run time (a plugin, a test) reaches the workers this way."""
    _load_all()
    fn = _REGISTRY.get(path.suffix.lower())
    return None if fn is None else (fn.__module__, fn.__qualname__)


def register_reference(suffix: str, module: str, name: str) -> None:
    """Register the reader `module`.`name` for `suffix` in this process (a worker)."""
    _load_all()
    target: Any = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    _REGISTRY[suffix.lower()] = target


def read_document(data: bytes, path: Path, options: ReadOptions | None = None) -> Document:
    """Extract a Document from `data` (the content of `path`); raise UnreadableFile on failure."""
    _load_all()
    fn = _REGISTRY.get(path.suffix.lower())
    if fn is None:
        raise UnreadableFile(f"unsupported file type {path.suffix or '(none)'}")
    if not data:
        raise UnreadableFile("empty file (0 bytes)")
    try:
        doc = fn(data, path, options or ReadOptions())
    except (UnreadableFile, MemoryError):  # MemoryError: the worker's limit says why
        raise
    except Exception as exc:  # a parser's own error on malformed input
        raise UnreadableFile(f"cannot parse {path.suffix} file: {short_reason(exc)}") from exc
    if not doc.has_text:
        raise UnreadableFile("no text found")
    if not doc.engine:
        doc.engine = fn.__module__.rpartition(".")[2]
    return doc


def short_reason(exc: Exception) -> str:
    """The user sees this on one line: the first line of the parser's message, not a dump."""
    message = str(exc).strip()
    return (message.splitlines()[0] if message else type(exc).__name__)[:120]
