"""Sync: bring the index in line with folders on disk, touching only what changed.

Per file: size and mtime unchanged → skip without reading; content hash unchanged →
update the record; the hash of a path that vanished in this same sync → a move (the
vectors follow the file, nothing is embedded); otherwise read, chunk, embed, replace.

The pipeline: reader processes (ingest/workers.py) read, parse and chunk files in
parallel, each under a time and memory limit; this process embeds a batch of their chunks
while a writer thread writes the batch before it (vectors, then the catalog rows, in one
transaction per batch). The one-writer lock is the caller's, and all writes of a sync go
through that one writer thread, in order.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ingest.embed import Embedder
from ingest.embed.device import cpu_threads
from ingest.errors import UserError
from ingest.ocr import OcrOptions
from ingest.prepare import ChunkSetup, Failure, Hashed, Prepared, Task, Touch
from ingest.scan import Excluded, Fence, FileStat, Root, absolute, scan
from ingest.store import FileRecord, FileVersion, Index
from ingest.workers import Finished, Limits, Progress, ReaderPool, shared_pool

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncOptions:
    chunk_tokens: int = 200
    chunk_overlap: int = 32
    max_file_bytes: int = 100 * 2**20
    max_text_chars: int | None = 2_000_000  # characters of text a file may yield; None: any
    ignore: Sequence[str] = ()
    exclude: Sequence[Path] = ()  # folders never scanned (the data dir, when it sits inside)
    # Symlinks that lead outside the folders given are not followed unless this is set...
    follow_outside: bool = False
    # ...and never outside these, when given (a server's folders), whatever it says.
    fence: tuple[Path, ...] = ()
    # Texts per encode call (the encoder sorts them by length inside); None: the
    # embedder's own choice, several of its batches (256 on a CPU, thousands on a GPU)
    embed_batch: int | None = None
    ocr: OcrOptions = field(default_factory=OcrOptions)
    workers: int | None = None  # reader processes; None: one per core
    file_timeout: float = 120.0  # seconds a reader may go without progress on one file
    file_memory_bytes: int | None = 2048 * 2**20  # memory a reader may add; None: no limit


READ_AHEAD_FILES = 256  # prepared files waiting for the embedder, at most
WRITES_AHEAD = 2  # embedded batches waiting for the writer, at most


@dataclass(frozen=True)
class Change:
    """One line of what a sync did, for the CLI and the watcher to show."""

    # added, updated, moved, removed, failed, empty (0 bytes: nothing to index), outside
    # (a symlink leading out of the folders given: not followed; `detail` says where to)
    kind: str
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
    empty: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    outside: list[tuple[str, str]] = field(default_factory=list)  # (link, where it leads)
    chunks_embedded: int = 0
    seconds: float = 0.0

    def count(self, change: Change) -> None:
        if change.kind == "failed":
            self.failed.append((change.path, change.detail))
        elif change.kind == "outside":
            self.outside.append((change.path, change.detail))
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
            "empty": self.empty,
            "failed": [{"path": p, "reason": r} for p, r in self.failed],
            "outside": [{"path": p, "target": t} for p, t in self.outside],
            "chunks_embedded": self.chunks_embedded,
            "seconds": round(self.seconds, 3),
        }


class SyncListener:
    """Callbacks for progress; the default does nothing. The CLI draws a bar with them."""

    def planned(self, files: int) -> None: ...

    def file_read(self, path: str) -> None:
        """A worker has read a file (or found it unreadable), before its vectors: progress
        while the embedder is busy or still loading. Called from the sync's reading thread."""

    def model_step(self, what: str) -> None:
        """A one-time step before the first embedding: `what` (the int8 copy of the model)
        is being made. No file's time includes it."""

    def model_ready(self, what: str, seconds: float) -> None: ...

    def file_done(self, change: Change | None) -> None: ...

    def chunks_embedded(self, count: int) -> None: ...

    def file_progress(self, path: str, done: int, total: int) -> None:
        """Slow work inside one file: `done` of `total` pages recognised by OCR so far.
        Called from the sync's reading thread, not the one that called `sync`."""


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
        self.excluded = Excluded(self.options.exclude)
        index.check_model(embedder.name, embedder.dimension)

    @property
    def pool(self) -> ReaderPool:
        """The process's warm readers for this chunk setup (started at the first file)."""
        options = self.options
        setup = ChunkSetup(
            self.embedder.name,
            options.chunk_tokens,
            options.chunk_overlap,
            options.ocr,
            options.max_text_chars,
        )
        limits = Limits(options.file_timeout, options.file_memory_bytes)
        return shared_pool(setup, options.workers or cpu_threads(), limits)

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
        fence = self._fence(roots)
        on_disk = scan([Root(r, self.options.ignore) for r in roots], self.excluded, fence)
        known: dict[str, FileRecord] = {}
        for root in roots:
            known.update((r.path, r) for r in self.index.catalog.files(str(root)))
        self.index.catalog.add_folders(str(r) for r in roots if r.is_dir())
        report = self._apply(on_disk, known, fence)
        report.seconds = time.monotonic() - start
        return report

    def sync_paths(self, paths: Iterable[Path]) -> SyncReport:
        """Sync just these paths (files or folders, present or gone): the watcher's batch."""
        start = time.monotonic()
        on_disk: dict[str, FileStat] = {}
        known: dict[str, FileRecord] = {}
        unique = {absolute(p) for p in paths}
        fence = self._fence(sorted(unique))
        for path in unique:
            if path.exists():
                on_disk.update(scan([Root(path, self.options.ignore)], self.excluded, fence))
            known.update((r.path, r) for r in self.index.catalog.files(str(path)))
        report = self._apply(on_disk, known, fence)
        report.seconds = time.monotonic() - start
        return report

    def _fence(self, given: Sequence[Path]) -> Fence:
        """Where this sync's walk may lead: the server's folders when it has some, else
        the folders given unless links out are to be followed."""
        if self.options.fence:
            return Fence(self.options.fence)
        return Fence(None if self.options.follow_outside else given)

    # -- the work ---------------------------------------------------------------------
    def _apply(
        self, on_disk: dict[str, FileStat], known: dict[str, FileRecord], fence: Fence
    ) -> SyncReport:
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
        self.listener.planned(len(candidates) + len(vanished) + len(fence.outside))
        for link, target in sorted(fence.outside.items()):
            change = Change("outside", link, target)
            report.count(change)
            log.info("not followed: %s leads outside the folders given, to %s", link, target)
            self.listener.file_done(change)
        moved_from = {r.hash: p for p, r in vanished.items() if r.hash}
        with _Writes(self.index, report, self.listener) as writes:
            tasks = []
            for path in candidates:
                st, record = on_disk[path], known.get(path)
                if st.size == 0:
                    writes.empty(path, st)
                    continue
                if st.size > self.options.max_file_bytes:
                    writes.failure(Failure(path, st, None, _too_large(st.size, self.options)))
                    continue
                known_hash = record.hash if record is not None else None
                may_move = record is None and bool(moved_from)
                tasks.append(Task.of(path, st, known_hash, record is not None, may_move))
            # Largest first: a big file started last would keep one worker busy alone.
            tasks.sort(key=lambda t: -t.stat.size)
            claimed: set[str] = set()
            unclaimed = self._read_embed_write(tasks, moved_from, claimed, vanished, writes)
            if unclaimed:  # same content as a vanished file that another file already took
                again = [dataclasses.replace(t, may_move=False) for t in unclaimed]
                self._read_embed_write(again, {}, claimed, vanished, writes)
            for path in vanished:
                writes.remove(path)
        return report

    def _read_embed_write(
        self,
        tasks: list[Task],
        moved_from: dict[str, str],
        claimed: set[str],
        vanished: dict[str, FileRecord],
        writes: _Writes,
    ) -> list[Task]:
        """Workers read and chunk ahead; this thread embeds a batch while the writer
        thread writes the one before. Returns the tasks of new files whose content matched
        a vanished file that was already claimed (they still need reading)."""
        unclaimed: list[Task] = []
        pending: list[tuple[Prepared, Task, float]] = []
        texts = 0
        per_call = 0
        for finished, read_seconds in self._read_ahead(tasks, frozenset(moved_from)):
            outcome = finished.outcome
            if isinstance(outcome, Prepared):
                per_call = per_call or self._load_model()
                pending.append((outcome, finished.task, read_seconds))
                texts += len(outcome.chunks)
                if texts >= per_call:
                    self._embed(pending, writes)
                    pending, texts = [], 0
            elif isinstance(outcome, Hashed):
                source = moved_from[outcome.content_hash]
                if source in claimed:
                    unclaimed.append(finished.task)
                else:
                    claimed.add(source)
                    vanished.pop(source, None)
                    writes.move(source, outcome)
            elif isinstance(outcome, Touch):
                writes.touch(outcome)
            else:
                writes.failure(outcome)
        self._embed(pending, writes)
        return unclaimed

    def _load_model(self) -> int:
        """Load the encoder (at the first file with text; the workers read on meanwhile),
        telling the listener when that means making the int8 model, and return how many
        texts one embed call takes."""
        step = self.embedder.first_load_step()
        if step is not None:
            self.listener.model_step(step)
        started = time.monotonic()
        per_call = self.options.embed_batch or self.embedder.texts_per_call
        self.embedder.encoder  # noqa: B018 - the property loads it, here rather than mid-batch
        if step is not None:
            self.listener.model_ready(step, time.monotonic() - started)
        return per_call

    def _read_ahead(
        self, tasks: list[Task], moved_hashes: frozenset[str]
    ) -> Iterator[tuple[Finished, float]]:
        """The pool's results, each with the seconds its reading took, gathered by a thread
        of their own so the workers keep reading while this thread embeds (or waits for the
        model); progress reports go straight to the listener."""
        if not tasks:
            return
        out: queue.Queue[object] = queue.Queue(maxsize=READ_AHEAD_FILES)
        stop = threading.Event()
        end = object()

        def gather() -> None:
            try:
                for event in self.pool.run(tasks, moved_hashes, stop):
                    if isinstance(event, Progress):
                        self.listener.file_progress(event.path, event.done, event.total)
                        continue
                    read = (event, time.monotonic() - event.started)
                    self.listener.file_read(event.task.path)
                    while not stop.is_set():
                        with contextlib.suppress(queue.Full):
                            out.put(read, timeout=0.2)
                            break
            except BaseException as exc:  # surface it in the caller's thread
                out.put(exc)
            out.put(end)

        thread = threading.Thread(target=gather, name="ingest-read", daemon=True)
        thread.start()
        try:
            while (item := out.get()) is not end:
                if isinstance(item, BaseException):
                    raise item
                yield item  # type: ignore[misc]
        finally:
            stop.set()
            with contextlib.suppress(queue.Empty):
                while True:  # unblock a gatherer waiting for room
                    out.get_nowait()
            thread.join()

    def _embed(self, pending: list[tuple[Prepared, Task, float]], writes: _Writes) -> None:
        """Embed a batch; each file's time is its reading plus its share of the batch's
        embedding (by chunks), not the time it waited for the batch or for the model."""
        if not pending:
            return
        texts = [c.embedding_text for p, _, _ in pending for c in p.chunks]
        started = time.monotonic()
        vectors = self.embedder.embed(texts) if texts else []
        per_text = (time.monotonic() - started) / max(len(texts), 1)
        self.listener.chunks_embedded(len(texts))
        offset = 0
        for prepared, _, _ in pending:
            prepared.vectors = vectors[offset : offset + len(prepared.chunks)]
            offset += len(prepared.chunks)
        timed = [(p, read + per_text * len(p.chunks), t.existed) for p, t, read in pending]
        writes.files(self.embedder.name, timed)


class _Writes:
    """Every index write of a sync, in order, on one thread of its own: vectors and
    catalog rows of one batch go in while the next batch is embedded. The crash order is
    the Index's own (vectors first, then one transaction); at most `WRITES_AHEAD` batches
    wait, so memory stays bounded when writing is the slower side.

    Changes are reported to the listener on the caller's thread, in the order written.
    """

    def __init__(self, index: Index, report: SyncReport, listener: SyncListener) -> None:
        self.index = index
        self.report = report
        self.listener = listener
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-write")
        self._waiting: deque[Future[list[Change | None]]] = deque()

    def __enter__(self) -> _Writes:
        return self

    def __exit__(self, kind: object, *_rest: object) -> None:
        try:
            if kind is None:
                while self._waiting:
                    self._done(self._waiting.popleft())
        finally:
            # On an error or Ctrl-C: the write in progress completes (a kill at any point is
            # safe anyway), the ones not started are dropped; the next sync redoes them.
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _submit(self, job: Callable[[], list[Change | None]], batch: bool = False) -> None:
        self._waiting.append(self._pool.submit(job))
        while self._waiting and (
            self._waiting[0].done() or (batch and len(self._waiting) > WRITES_AHEAD)
        ):
            self._done(self._waiting.popleft())

    def _done(self, future: Future[list[Change | None]]) -> None:
        for change in future.result():
            if change is not None:
                self.report.count(change)
                log.info("%s %s %s", change.kind, change.path, change.detail)
            else:
                self.report.unchanged += 1
            self.listener.file_done(change)

    def files(self, model: str, prepared: list[tuple[Prepared, float, bool]]) -> None:
        def job() -> list[Change | None]:
            with_text = [p for p, _, _ in prepared if p.vectors]
            if with_text:
                self.index.bind_model(model, len(with_text[0].vectors[0]))
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
                    for p, _, _ in prepared
                ]
            )
            return [
                Change("updated" if existed else "added", p.path, chunks=len(p.chunks), seconds=s)
                for p, s, existed in prepared
            ]

        self._submit(job, batch=True)

    def move(self, source: str, moved: Hashed) -> None:
        def job() -> list[Change | None]:
            self.index.move_file(source, moved.path, moved.stat.size, moved.stat.mtime_ns)
            return [Change("moved", moved.path, source)]

        self._submit(job)

    def touch(self, touched: Touch) -> None:
        def job() -> list[Change | None]:
            self.index.catalog.touch_file(touched.path, touched.stat.size, touched.stat.mtime_ns)
            return [None]

        self._submit(job)

    def failure(self, failed: Failure) -> None:
        def job() -> list[Change | None]:
            if failed.gone:
                self.index.remove_file(failed.path)
            else:
                self.index.record_failure(
                    failed.path,
                    failed.stat.size,
                    failed.stat.mtime_ns,
                    failed.content_hash,
                    failed.reason,
                )
            return [Change("failed", failed.path, failed.reason)]

        self._submit(job)

    def empty(self, path: str, st: FileStat) -> None:
        def job() -> list[Change | None]:
            self.index.record_empty(path, st.mtime_ns)
            return [Change("empty", path)]

        self._submit(job)

    def remove(self, path: str) -> None:
        def job() -> list[Change | None]:
            self.index.remove_file(path)
            return [Change("removed", path)]

        self._submit(job)


def _too_large(size: int, options: SyncOptions) -> str:
    """In MiB, as `max_file_mb` counts: "100 MB" in decimal units read as 105 MB."""
    limit = options.max_file_bytes / 2**20
    return f"too large ({size / 2**20:.1f} MiB, the limit is {limit:g} MiB: max_file_mb)"


def _failed_unread(record: FileRecord) -> bool:
    """A file that failed before it was read (too large, no permission, an I/O error) is
    tried again on every sync: a raised limit or a `chmod` changes nothing in the file."""
    return record.state == "failed" and record.hash is None
