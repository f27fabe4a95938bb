"""Reader processes: files are read, parsed and chunked in a pool of worker processes, each
file under a time and a memory limit.

Processes, not threads: parsing is Python under the GIL, and a pathological file (a PDF
whose parser loops or balloons) must be stoppable, which only a process is. A worker is
`python -m ingest.workers` talking pickles over two pipes; it runs in a session of its
own, so ending it for a limit ends whatever it started (an OCR program) too. A worker
that is ended is replaced, and its file is recorded as failed with the reason.

The time limit counts from the last sign of progress: a reader that reports progress
(`ReadOptions.progress`, OCR page by page) renews it, one that reports nothing gets the
limit for the whole file. The memory limit is what the worker may add while reading: its
own address space (RLIMIT_AS, so a runaway allocation fails at once with MemoryError) and,
checked by the parent, the resident memory of the worker and everything it started (the
Tesseract process of OCR) together.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from ingest.prepare import ChunkSetup, Failure, FilePreparer, Outcome, Task

log = logging.getLogger(__name__)

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

POLL_SECONDS = 0.1  # how often deadlines are checked while waiting for results
MEMORY_EVERY = 0.5  # how often the resident memory of busy workers is summed
QUEUED_PER_WORKER = 2  # files sent to a worker at once: the next waits in its pipe
PROGRESS_EVERY = 0.2  # at most this often a worker sends a progress report


@dataclass(frozen=True)
class Limits:
    seconds: float = 120.0  # per file, without progress
    memory_bytes: int | None = 2048 * 2**20  # address space a worker may add; None: no limit

    def time_reason(self) -> str:
        return f"took longer than {self.seconds:g} s without progress (file_timeout_seconds)"

    def memory_reason(self) -> str:
        megabytes = (self.memory_bytes or 0) / 2**20
        return f"needed more than {megabytes:.0f} MiB of memory (max_file_memory_mb)"


@dataclass(frozen=True)
class Progress:
    """A reader's report on the file it is reading (pages OCR'd of the total)."""

    path: str
    done: int
    total: int


@dataclass(frozen=True)
class Finished:
    task: Task
    outcome: Outcome
    started: float  # time.monotonic() when a worker took the file


Event = Progress | Finished


class ReaderBug(RuntimeError):
    """A worker raised something that is not a reason a file is unreadable: our bug."""


class _Worker:
    """One worker process and the files sent to it: the first is being read, the others
    wait in its pipe, so it never idles while the parent is busy elsewhere."""

    def __init__(self, setup: ChunkSetup, limits: Limits) -> None:
        task_read, self._tasks_fd = os.pipe()
        self._results_fd, result_write = os.pipe()
        env = dict(os.environ)
        # The caller's import path (a checkout, a test folder with its own readers).
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ingest.workers", str(task_read), str(result_write)],
            pass_fds=(task_read, result_write),
            env=env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        os.close(task_read)
        os.close(result_write)
        self.tasks = Connection(self._tasks_fd, readable=False)
        self.results = Connection(self._results_fd, writable=False)
        level = logging.getLogger("ingest").getEffectiveLevel()
        self.tasks.send((setup, limits.memory_bytes, level))
        self.limits = limits
        self.queued: deque[Task] = deque()
        self.digest: str | None = None  # of the file being read, once the worker said
        self.started = self.deadline = 0.0
        # Memory is weighed every MEMORY_EVERY seconds, not per file (a /proc walk per file
        # was a fifth of the parent's time on small files): a file's baseline is the last
        # weight before it began.
        self.last_resident = self.resident_before = 0

    def assign(self, task: Task) -> None:
        self.queued.append(task)
        if len(self.queued) == 1:
            self._begin()
        self.tasks.send(("read", task))

    def _begin(self) -> None:
        """The first queued file is now the one being read: its limits start."""
        self.digest = None
        self.resident_before = self.last_resident
        self.started = time.monotonic()
        self.renew()

    def renew(self) -> None:
        self.deadline = time.monotonic() + self.limits.seconds

    def finished(self, outcome: Outcome) -> Finished:
        """The file being read is done; the next queued one starts."""
        event = Finished(self.queued.popleft(), outcome, self.started)
        if self.queued:
            self._begin()
        return event

    def give_up(self, reason: str) -> tuple[Finished, list[Task]]:
        """End the worker: its file fails with `reason`, the files queued behind it go back."""
        task = self.queued.popleft()
        rest = list(self.queued)
        self.queued.clear()
        self.end()
        return Finished(
            task, Failure(task.path, task.stat, self.digest, reason), self.started
        ), rest

    def resident(self) -> int:
        """Resident bytes of the worker and every process it started (Linux); 0 elsewhere."""
        total, pending, seen = 0, [self.proc.pid], set()
        while pending:
            pid = pending.pop()
            if pid in seen:
                continue
            seen.add(pid)
            try:
                with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
                    total += int(statm.read().split()[1]) * _PAGE
                for task_dir in os.scandir(f"/proc/{pid}/task"):
                    with open(f"{task_dir.path}/children", encoding="ascii") as children:
                        pending.extend(int(c) for c in children.read().split())
            except (OSError, ValueError):
                continue  # gone meanwhile, or no /proc
        return total

    def too_big(self) -> bool:
        """The worker and what it started (OCR's Tesseract) hold more than the limit beyond
        what the worker held before this file."""
        limit = self.limits.memory_bytes
        self.last_resident = self.resident()
        return limit is not None and self.last_resident - self.resident_before > limit

    def crash_reason(self) -> str:
        code = self.proc.wait(timeout=5)
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"the reader crashed ({signal.Signals(-code).name})"
        return f"the reader crashed (exit status {code})"

    def end(self) -> None:
        """Ended with everything it started; never left running."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self.tasks.close()
        self.results.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.tasks.send(("stop",))
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=2)
        self.end()


class ReaderPool:
    """Up to `size` workers for one chunk setup, started as work arrives and kept for the
    next sync (a watcher syncs many small batches)."""

    def __init__(self, setup: ChunkSetup, size: int, limits: Limits) -> None:
        self.setup = setup
        self.size = max(1, size)
        self.limits = limits
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()  # one sync at a time per pool

    def run(
        self,
        tasks: Iterable[Task],
        moved_hashes: frozenset[str] = frozenset(),
        stop: threading.Event | None = None,
    ) -> Iterator[Event]:
        """Events for every task (a Finished each, in completion order, Progress between),
        until all are done or `stop` is set (then files being read are abandoned)."""
        with self._lock:
            yield from self._run(deque(tasks), moved_hashes, stop or threading.Event())

    def _run(
        self, queue: deque[Task], moved_hashes: frozenset[str], stop: threading.Event
    ) -> Iterator[Event]:
        live = self._workers
        for worker in live:
            worker.tasks.send(("moves", moved_hashes))
        next_weighing = 0.0
        try:
            while (queue or any(w.queued for w in live)) and not stop.is_set():
                # A new worker only when every one has work: one file starts one process.
                if queue and len(live) < self.size and all(w.queued for w in live):
                    live.append(self._start(moved_hashes))
                for worker in sorted(live, key=lambda w: len(w.queued)):
                    while queue and len(worker.queued) < QUEUED_PER_WORKER:
                        worker.assign(queue.popleft())
                busy = {w.results: w for w in live if w.queued}
                for conn in wait(list(busy), timeout=POLL_SECONDS):
                    worker = busy[conn]  # type: ignore[index]
                    event, requeue = self._receive(worker)
                    if requeue is not None:
                        live.remove(worker)
                        queue.extendleft(reversed(requeue))
                    if event is not None:
                        yield event
                now = time.monotonic()
                weigh = self.limits.memory_bytes is not None and now >= next_weighing
                if weigh:
                    next_weighing = now + MEMORY_EVERY
                for worker in [w for w in live if w.queued]:
                    reason = None
                    if now > worker.deadline:
                        reason = self.limits.time_reason()
                    elif weigh and worker.too_big():
                        reason = self.limits.memory_reason()
                    if reason is not None:
                        live.remove(worker)
                        finished, requeue = worker.give_up(reason)
                        queue.extendleft(reversed(requeue))
                        yield finished
        finally:
            for worker in [w for w in live if w.queued]:  # stopped early: nothing half-read
                live.remove(worker)
                worker.end()

    def _receive(self, worker: _Worker) -> tuple[Event | None, list[Task] | None]:
        """The worker's next message as an event, and, when the worker is gone, the files
        that were queued behind the one it failed on."""
        try:
            message = worker.results.recv()
        except (EOFError, OSError):
            return worker.give_up(worker.crash_reason())
        kind = message[0]
        if kind == "done":
            return worker.finished(message[1]), None
        if kind == "ready":  # its own weight once started: the first file's baseline
            worker.last_resident = worker.resident_before = message[1]
            return None, None
        worker.renew()
        if kind == "hashed":
            worker.digest = message[1]
            return None, None
        if kind == "progress":
            return Progress(worker.queued[0].path, *message[1:]), None
        if kind == "memory":
            return worker.give_up(self.limits.memory_reason())
        raise ReaderBug(f"reading {worker.queued[0].path} failed: {message[1]}")

    def _start(self, moved_hashes: frozenset[str]) -> _Worker:
        worker = _Worker(self.setup, self.limits)
        worker.tasks.send(("moves", moved_hashes))
        return worker

    def close(self) -> None:
        with self._lock:
            for worker in self._workers:
                worker.stop()
            self._workers.clear()


_pools: dict[tuple[ChunkSetup, int, Limits], ReaderPool] = {}
_pools_lock = threading.Lock()


def shared_pool(setup: ChunkSetup, size: int, limits: Limits) -> ReaderPool:
    """One pool per setup per process: every Syncer of a process (a watcher's batches, a
    test suite's many syncs) reuses warm workers instead of starting new ones."""
    key = (setup, size, limits)
    with _pools_lock:
        if key not in _pools:
            if not _pools:
                atexit.register(close_pools)
            _pools[key] = ReaderPool(setup, size, limits)
        return _pools[key]


def close_pools() -> None:
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.close()


# -- the worker process -------------------------------------------------------------------


def _limit_memory(extra: int) -> None:
    """Allow `extra` bytes of address space beyond what the worker holds now."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as status:
            line = next(x for x in status if x.startswith("VmSize:"))
        now = int(line.split()[1]) * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = now + extra
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (ImportError, OSError, StopIteration, ValueError):
        log.debug("no memory limit for reader workers on this system")


def _child(task_fd: int, result_fd: int) -> None:
    tasks = Connection(task_fd, writable=False)
    results = Connection(result_fd, readable=False)
    setup, memory_bytes, level = tasks.recv()
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # Imported here, after the offline flags, as in the parent; then the limit applies to
    # what reading adds, not to the libraries.
    from ingest.offline import force_offline

    force_offline()
    preparer = FilePreparer(setup)
    if memory_bytes:
        _limit_memory(memory_bytes)
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            resident = int(statm.read().split()[1]) * _PAGE
    except OSError:  # no /proc: the parent cannot weigh it either
        resident = 0
    results.send(("ready", resident))
    last_report = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last_report[0] >= PROGRESS_EVERY or done >= total:
            last_report[0] = now
            results.send(("progress", done, total))

    while True:
        try:
            message = tasks.recv()
        except EOFError:  # the parent is gone
            return
        if message[0] == "stop":
            return
        if message[0] == "moves":
            preparer.moved_hashes = message[1]
            continue
        task: Task = message[1]
        try:
            outcome: Any = preparer.prepare(
                task, lambda digest: results.send(("hashed", digest)), report
            )
        except MemoryError:
            outcome = None  # let go of what the reader built before saying so
            results.send(("memory",))
            return  # a fresh worker replaces this one
        except Exception:
            results.send(("bug", traceback.format_exc(limit=8)))
            continue
        results.send(("done", outcome))


if __name__ == "__main__":
    _child(int(sys.argv[1]), int(sys.argv[2]))
