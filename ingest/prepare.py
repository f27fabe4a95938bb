"""One file made ready for the index: read, hashed, parsed and chunked (or found unchanged,
moved or unreadable).

This is the work the reader processes do (ingest/workers.py), one task at a time; it
touches no index, so it runs the same in a worker or, in tests, in the caller's process.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunk import Chunk, TokenCounter, chunk_document
from ingest.document import Document, UnreadableFile
from ingest.embed import Embedder
from ingest.ocr import OcrOptions
from ingest.readers import ReadOptions, read_document, reader_reference, register_reference
from ingest.scan import FileStat


@dataclass(frozen=True)
class Task:
    """What a worker needs to know about one file besides its bytes."""

    path: str
    stat: FileStat
    known_hash: str | None  # the catalog's content hash for this path, if any
    existed: bool  # the catalog has a record for this path (an update, not an add)
    may_move: bool  # no record here, and files vanished in this sync: maybe one moved here
    reader: tuple[str, str] | None  # the reader for its suffix, as (module, name)

    @classmethod
    def of(
        cls, path: str, stat: FileStat, known_hash: str | None, existed: bool, may_move: bool
    ) -> Task:
        return cls(path, stat, known_hash, existed, may_move, reader_reference(Path(path)))


@dataclass
class Prepared:
    """A file read and chunked, waiting for its vectors."""

    path: str
    stat: FileStat
    content_hash: str
    chunks: list[Chunk]
    engine: str  # what read it (pypdf, pypdf+tesseract, ...)
    vectors: list[list[float]] = field(default_factory=list)


@dataclass(frozen=True)
class Hashed:
    """A new file whose content is that of a file gone in this sync: the caller decides
    whether it is that file's move (nothing to parse) or must be read after all."""

    path: str
    stat: FileStat
    content_hash: str


@dataclass(frozen=True)
class Touch:
    """Same content under a new stat: remember the stat so the next sync skips the file."""

    path: str
    stat: FileStat


@dataclass(frozen=True)
class Failure:
    path: str
    stat: FileStat
    content_hash: str | None
    reason: str
    gone: bool = False  # vanished between scan and read: nothing left to record


Outcome = Prepared | Hashed | Touch | Failure


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


@dataclass(frozen=True)
class ChunkSetup:
    """How files are read and cut into chunks: the model whose tokens count, the sizes,
    and how far OCR may go."""

    model: str
    chunk_tokens: int
    chunk_overlap: int
    ocr: OcrOptions = field(default_factory=OcrOptions)
    # Characters of extracted text a file may have (None: no limit): a 10 KB PDF that
    # expanded to 1.2 MB of text took 102 s to embed.
    max_text_chars: int | None = None


class FilePreparer:
    """Prepares files for one chunk setup; a worker makes one when it starts."""

    def __init__(self, setup: ChunkSetup, tokenizer_of: Embedder | None = None) -> None:
        self.setup = setup
        # Only the tokenizer is used: loading it is milliseconds, and no model loads here.
        self.tokens_from = tokenizer_of or Embedder(setup.model)
        self.tokens = TokenCounter(self.tokens_from.count_tokens, self.tokens_from.token_spans)
        self.moved_hashes: frozenset[str] = frozenset()

    def prepare(
        self,
        task: Task,
        hashed: Callable[[str], None] = lambda _digest: None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Outcome:
        """`hashed` hears the content hash before parsing starts, so a file whose reader is
        ended for a limit can still be recorded under its content (and skipped until it
        changes); `progress` hears a reader's reports (OCR pages done of total)."""
        path, st = task.path, task.stat
        try:
            data = Path(path).read_bytes()
            # Record the stat of what was read: a file rewritten mid-read is picked up next time.
            now = os.stat(path)
            st = FileStat(now.st_size, now.st_mtime_ns)
        except FileNotFoundError:
            return Failure(path, st, None, "vanished before it could be read", gone=True)
        except PermissionError:
            return Failure(path, st, None, "permission denied")
        except OSError as exc:
            return Failure(path, st, None, f"cannot read: {exc.strerror or exc}")
        digest = content_hash(data)
        if task.known_hash == digest:
            return Touch(path, st)
        if task.may_move and digest in self.moved_hashes:
            return Hashed(path, st, digest)
        hashed(digest)
        self._ensure_reader(path, task.reader)
        try:
            options = ReadOptions(ocr=self.setup.ocr, on_progress=progress)
            document = read_document(data, Path(path), options)
            too_long = self._text_over_limit(document)
            if too_long:
                # No hash: a raised limit takes effect at the next sync, unchanged file or not.
                return Failure(path, st, None, too_long)
            chunks = chunk_document(
                document,
                self.tokens,
                self.tokens_from.max_seq_length,
                self.setup.chunk_tokens,
                self.setup.chunk_overlap,
            )
        except UnreadableFile as exc:
            return Failure(path, st, digest, str(exc))
        return Prepared(path, st, digest, chunks, document.engine)

    def _text_over_limit(self, document: Document) -> str | None:
        """Why the document's text is too long to index, or None when it is not."""
        limit = self.setup.max_text_chars
        length = sum(len(s.text) for s in document.sections)
        if limit is None or length <= limit:
            return None
        return (
            f"its text is {length:,} characters, over the limit of {limit:,} "
            "(max_text_chars: raise it to index this file)"
        )

    @staticmethod
    def _ensure_reader(path: str, reference: tuple[str, str] | None) -> None:
        """A worker knows the readers its package registers; one the parent registered at
        run time (a plugin, a test) is imported here by reference."""
        if reference is not None and reader_reference(Path(path)) != reference:
            register_reference(Path(path).suffix, *reference)
