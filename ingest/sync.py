"""Sync: bring the index in line with folders on disk, touching only what changed.

Per file: size and mtime unchanged → skip without reading; content hash unchanged →
update the record; the hash of a path that vanished in this same sync → a move (the
vectors follow the file, nothing is embedded); otherwise read, chunk, embed, replace.
Reading and chunking run in a thread ahead of the embedder, which is the bottleneck.
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunk import Chunk, TokenCounter, chunk_document
from ingest.document import UnreadableFile
from ingest.embed import Embedder
from ingest.errors import UserError
from ingest.ocr import OcrOptions
from ingest.readers import ReadOptions, read_document
from ingest.scan import Excluded, FileStat, Root, absolute, scan
from ingest.store import FileRecord, FileVersion, Index

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncOptions:
    chunk_tokens: int = 200
    chunk_overlap: int = 32
    max_file_bytes: int = 100 * 1024 * 1024
    ignore: Sequence[str] = ()
    exclude: Sequence[Path] = ()  # folders never scanned (the data dir, when it sits inside)
    # Texts per encode call (the encoder sorts them by length inside); None: the
    # embedder's own choice, several of its batches (256 on a CPU, thousands on a GPU)
    embed_batch: int | None = None
    ocr: OcrOptions = field(default_factory=OcrOptions)


@dataclass(frozen=True)
class Change:
    """One line of what a sync did, for the CLI and the watcher to show."""

    kind: str  # added, updated, moved, removed, failed
    path: str
    detail: str = ""  # the failure reason, or the old path of a move
    chunks: int = 0
    seconds: float = 0.0


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    moved: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0

    def count(self, change: Change) -> None:
        if change.kind == "failed":
            self.failed.append((change.path, change.detail))
        else:
            setattr(self, change.kind, getattr(self, change.kind) + 1)
        self.chunks_embedded += change.chunks if change.kind in ("added", "updated") else 0

    def as_dict(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "moved": self.moved,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "failed": [{"path": p, "reason": r} for p, r in self.failed],
            "chunks_embedded": self.chunks_embedded,
            "seconds": round(self.seconds, 3),
        }


class SyncListener:
    """Callbacks for progress; the default does nothing. The CLI draws a bar with them."""

    def planned(self, files: int) -> None: ...

    def file_done(self, change: Change | None) -> None: ...

    def chunks_embedded(self, count: int) -> None: ...

    def file_progress(self, path: str, done: int, total: int) -> None:
        """Slow work inside one file: `done` of `total` pages recognised by OCR so far."""


@dataclass
class _Prepared:
    """A file read and chunked, waiting for its vectors."""

    path: str
    stat: FileStat
    content_hash: str
    chunks: list[Chunk]
    existed: bool
    started: float
    engine: str
    vectors: list[list[float]] = field(default_factory=list)


@dataclass(frozen=True)
class _Move:
    old: str
    new: str
    stat: FileStat


@dataclass(frozen=True)
class _Touch:
    """Same content under a new stat: remember the stat so the next sync skips the file."""

    path: str
    stat: FileStat


@dataclass(frozen=True)
class _Failure:
    path: str
    stat: FileStat
    content_hash: str | None
    reason: str
    gone: bool = False  # vanished between scan and read: nothing left to record


_Outcome = _Prepared | _Move | _Touch | _Failure


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class Syncer:
    """Applies changes to one Index with one Embedder. The caller holds the writer lock."""

    def __init__(
        self,
        index: Index,
        embedder: Embedder,
        options: SyncOptions | None = None,
        listener: SyncListener | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.options = options or SyncOptions()
        self.listener = listener or SyncListener()
        self.tokens = TokenCounter(embedder.count_tokens, embedder.token_spans)
        self.excluded = Excluded(self.options.exclude)
        index.check_model(embedder.name, embedder.dimension)

    # -- entry points --------------------------------------------------------------
    def sync(self, roots: Sequence[Path]) -> SyncReport:
        """Full sync of `roots` (folders or files): the index ends up matching the disk."""
        roots = [absolute(r) for r in roots]
        for root in roots:
            if not root.exists():
                raise UserError(f"{root}: no such file or folder")
            if self.excluded(str(root)):
                raise UserError(f"{root}: inside the index's own data dir, which is never indexed")
        start = time.monotonic()
        self.index.reconcile()
        on_disk = scan([Root(r, self.options.ignore) for r in roots], self.excluded)
        known: dict[str, FileRecord] = {}
        for root in roots:
            known.update((r.path, r) for r in self.index.catalog.files(str(root)))
        self.index.catalog.add_folders(str(r) for r in roots if r.is_dir())
        report = self._apply(on_disk, known)
        report.seconds = time.monotonic() - start
        return report

    def sync_paths(self, paths: Iterable[Path]) -> SyncReport:
        """Sync just these paths (files or folders, present or gone): the watcher's batch."""
        start = time.monotonic()
        on_disk: dict[str, FileStat] = {}
        known: dict[str, FileRecord] = {}
        for path in {absolute(p) for p in paths}:
            if path.exists():
                on_disk.update(scan([Root(path, self.options.ignore)], self.excluded))
            known.update((r.path, r) for r in self.index.catalog.files(str(path)))
        report = self._apply(on_disk, known)
        report.seconds = time.monotonic() - start
        return report

    # -- the work ---------------------------------------------------------------------
    def _apply(self, on_disk: dict[str, FileStat], known: dict[str, FileRecord]) -> SyncReport:
        report = SyncReport()
        candidates = []
        for path, st in on_disk.items():
            record = known.get(path)
            if (
                record is not None
                and (record.size, record.mtime_ns) == (st.size, st.mtime_ns)
                and not _failed_unread(record)
            ):
                report.unchanged += 1
            else:
                candidates.append(path)
        vanished = {p: r for p, r in known.items() if p not in on_disk}
        self.listener.planned(len(candidates) + len(vanished))
        moved_from = {r.hash: p for p, r in vanished.items() if r.hash}

        def done(change: Change | None) -> None:
            if change is not None:
                report.count(change)
                log.info("%s %s %s", change.kind, change.path, change.detail)
            else:
                report.unchanged += 1
            self.listener.file_done(change)

        pending: list[_Prepared] = []
        texts = 0
        for item in self._prepare(candidates, on_disk, known, moved_from):
            if isinstance(item, _Prepared):
                pending.append(item)
                texts += len(item.chunks)
                if texts >= (self.options.embed_batch or self.embedder.texts_per_call):
                    for change in self._embed_and_write(pending):
                        done(change)
                    pending, texts = [], 0
            elif isinstance(item, _Move):
                vanished.pop(item.old, None)
                self.index.move_file(item.old, item.new, item.stat.size, item.stat.mtime_ns)
                done(Change("moved", item.new, item.old))
            elif isinstance(item, _Touch):
                self.index.catalog.touch_file(item.path, item.stat.size, item.stat.mtime_ns)
                done(None)
            else:
                if item.gone:
                    self.index.remove_file(item.path)
                else:
                    self.index.record_failure(
                        item.path,
                        item.stat.size,
                        item.stat.mtime_ns,
                        item.content_hash,
                        item.reason,
                    )
                done(Change("failed", item.path, item.reason))
        for change in self._embed_and_write(pending):
            done(change)
        for path in vanished:
            self.index.remove_file(path)
            done(Change("removed", path))
        return report

    def _prepare(
        self,
        candidates: list[str],
        on_disk: dict[str, FileStat],
        known: dict[str, FileRecord],
        moved_from: dict[str, str],
    ) -> Iterator[_Outcome]:
        """Read, hash and chunk in a background thread; yield what each file needs.

        Writes stay on the caller's thread: one SQLite connection, one writer.
        """
        out: queue.Queue[object] = queue.Queue(maxsize=64)
        end = object()
        claimed: set[str] = set()

        def work() -> None:
            try:
                for path in candidates:
                    out.put(
                        self._prepare_one(path, on_disk[path], known.get(path), moved_from, claimed)
                    )
            except BaseException as exc:  # surface a bug in the caller's thread
                out.put(exc)
            out.put(end)

        thread = threading.Thread(target=work, name="ingest-read", daemon=True)
        thread.start()
        while (item := out.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
        thread.join()

    def _prepare_one(
        self,
        path: str,
        st: FileStat,
        record: FileRecord | None,
        moved_from: dict[str, str],
        claimed: set[str],
    ) -> _Outcome:
        started = time.monotonic()
        if st.size > self.options.max_file_bytes:
            limit = self.options.max_file_bytes / 1e6
            return _Failure(
                path, st, None, f"too large ({st.size / 1e6:.0f} MB, the limit is {limit:.0f} MB)"
            )
        try:
            data = Path(path).read_bytes()
            # Record the stat of what was read: a file rewritten mid-read is picked up next time.
            now = os.stat(path)
            st = FileStat(now.st_size, now.st_mtime_ns)
        except FileNotFoundError:
            return _Failure(path, st, None, "vanished before it could be read", gone=True)
        except PermissionError:
            return _Failure(path, st, None, "permission denied")
        except OSError as exc:
            return _Failure(path, st, None, f"cannot read: {exc.strerror or exc}")
        digest = content_hash(data)
        if record is not None and record.hash == digest:
            return _Touch(path, st)
        source = moved_from.get(digest)
        if record is None and source is not None and source not in claimed:
            claimed.add(source)
            return _Move(source, path, st)
        options = ReadOptions(
            ocr=self.options.ocr,
            on_progress=lambda done, total: self.listener.file_progress(path, done, total),
        )
        try:
            document = read_document(data, Path(path), options)
            chunks = chunk_document(
                document,
                self.tokens,
                self.embedder.max_seq_length,
                self.options.chunk_tokens,
                self.options.chunk_overlap,
            )
        except UnreadableFile as exc:
            return _Failure(path, st, digest, str(exc))
        self.embedder.load_in_background()
        return _Prepared(path, st, digest, chunks, record is not None, started, document.engine)

    def _embed_and_write(self, prepared: list[_Prepared]) -> Iterator[Change | None]:
        texts = [c.embedding_text for p in prepared for c in p.chunks]
        vectors = self.embedder.embed(texts) if texts else []
        self.listener.chunks_embedded(len(texts))
        if texts:
            self.index.bind_model(self.embedder.name, len(vectors[0]))
        offset = 0
        for p in prepared:
            p.vectors = vectors[offset : offset + len(p.chunks)]
            offset += len(p.chunks)
        self.index.write_files(
            [
                FileVersion(
                    p.path,
                    p.stat.size,
                    p.stat.mtime_ns,
                    p.content_hash,
                    p.chunks,
                    p.vectors,
                    p.engine,
                )
                for p in prepared
            ]
        )
        for p in prepared:
            yield Change(
                "updated" if p.existed else "added",
                p.path,
                chunks=len(p.chunks),
                seconds=time.monotonic() - p.started,
            )


def _failed_unread(record: FileRecord) -> bool:
    """A file that failed before it was read (too large, no permission, an I/O error) is
    tried again on every sync: a raised limit or a `chmod` changes nothing in the file."""
    return record.state == "failed" and record.hash is None
