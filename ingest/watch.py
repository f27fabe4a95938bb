"""The watcher: one catch-up sync, then file-system events debounced into batched syncs.

Events are only hints about which paths to look at again; `Syncer.sync_paths` decides
what changed by comparing the disk with the catalog. That is why the watcher can be
simple about event order: an editor's atomic save arrives as a create (or modify) of a
temp file, a move of the temp file over the original and a modify of the folder, and
a "save as" in some tools arrives as a delete of the original followed by a create.
Collecting touched paths for a quiet period and syncing them in one call turns all of
these into one update of the original path, and a rename whose old and new paths
land in the same batch into a move that re-embeds nothing.
"""

from __future__ import annotations

import dataclasses
import errno
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from ingest.embed import Embedder
from ingest.errors import UserError
from ingest.ignore import IGNORE_FILE
from ingest.readers import is_supported
from ingest.scan import Excluded, Root, absolute, walk
from ingest.store import Index
from ingest.sync import Change, Syncer, SyncListener, SyncOptions
from ingest.words import plural

log = logging.getLogger(__name__)

INOTIFY_SYSCTL = "fs.inotify.max_user_watches"
INOTIFY_LIMIT_FILE = Path("/proc/sys/fs/inotify/max_user_watches")


class WatchStopped(Exception):
    """Raised inside a sync when a stop was asked for: the files committed so far stay
    committed (crash order), the rest is picked up by the next start's catch-up."""


class _Listener(SyncListener):
    """Passes progress on to the caller's listener; notes each change for `status` and
    stops the sync at the next file once a stop is asked for."""

    def __init__(self, inner: SyncListener, watcher: Watcher) -> None:
        self.inner = inner
        self.watcher = watcher

    def planned(self, files: int) -> None:
        self.inner.planned(files)

    def file_done(self, change: Change | None) -> None:
        self.inner.file_done(change)
        if change is not None:
            self.watcher.last_change = time.time()
            self.watcher.publish()
        if self.watcher.stopping:
            raise WatchStopped()

    def chunks_embedded(self, count: int) -> None:
        self.inner.chunks_embedded(count)

    def model_step(self, what: str) -> None:
        self.inner.model_step(what)

    def model_ready(self, what: str, seconds: float) -> None:
        self.inner.model_ready(what, seconds)


class Watcher:
    """Keeps one index current for some folders until `stop()` is called.

    The caller holds the writer lock; `publish` (the lock's `update`) receives the
    queue size and the time of the last change for `assistant status`.
    """

    def __init__(
        self,
        index: Index,
        embedder: Embedder,
        roots: Sequence[Path],
        options: SyncOptions | None = None,
        listener: SyncListener | None = None,
        *,
        debounce: float = 0.5,
        max_wait: float | None = None,
        poll: bool = False,
        poll_interval: float = 1.0,
        publish: Callable[..., None] | None = None,
        write_lock: threading.Lock | None = None,
    ) -> None:
        self.options = options or SyncOptions()
        if not self.options.follow_outside and not self.options.fence:
            # A batch syncs paths inside the roots; the folders the watcher was given are
            # the roots themselves.
            fence = tuple(absolute(r) for r in roots)
            self.options = dataclasses.replace(self.options, fence=fence)
        self.syncer = Syncer(
            index, embedder, self.options, _Listener(listener or SyncListener(), self)
        )
        self.index = index
        self.embedder = embedder
        self.roots = [Root(r, self.options.ignore) for r in roots]
        self.debounce = debounce
        # A steady stream of events (a long copy) must not postpone indexing forever.
        self.max_wait = max_wait if max_wait is not None else max(10.0, 20 * debounce)
        self.poll = poll
        self.poll_interval = poll_interval
        self._publish = publish
        self.excluded = Excluded(self.options.exclude)
        # Held around every sync, so another writer in this process (a server's ingest
        # route, sharing this index) takes turns with the watcher's batches.
        self.write_lock = write_lock or threading.Lock()
        self._cond = threading.Condition()
        self._pending: set[str] = set()
        self._resync: set[str] = set()  # roots whose ignore rules changed
        self._first_event = 0.0
        self._last_event = 0.0
        self._in_batch = 0
        self._stop = threading.Event()
        self.stop_asked: float | None = None  # when (monotonic): a stop's grace counts from it
        self._observers: list[Any] = []
        self._published: tuple[Any, ...] = ()
        self._published_at = 0.0
        self.last_change: float | None = None
        self.state = "starting"
        self.polled_roots: list[str] = []  # roots that fell back to polling
        self.ready = threading.Event()  # set once the catch-up sync is done

    # -- control -----------------------------------------------------------------------
    @property
    def folders(self) -> list[str]:
        """The watched roots, absolute, as the catalog records their files."""
        return [r.text for r in self.roots]

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def stop(self) -> None:
        """Ask `run` to return; safe from any thread and from a signal handler."""
        if self.stop_asked is None:
            self.stop_asked = time.monotonic()
        self._stop.set()
        # The condition's lock is reentrant: a signal handler that interrupts its own
        # thread while that thread holds it still gets through.
        with self._cond:
            self._cond.notify_all()

    def run(self) -> None:
        """Catch up, then sync batches of touched paths until stopped."""
        for root in self.roots:
            if not root.path.exists():
                raise UserError(f"{root.path}: no such file or folder")
        self.embedder.load_in_background()
        self._start_observers()
        try:
            self.state = "catching up"
            self.publish(force=True)
            try:
                with self.write_lock:
                    self.syncer.sync([r.path for r in self.roots])
            except WatchStopped:
                return
            except UserError:
                raise
            except Exception:
                log.exception("the catch-up sync failed; watching for changes anyway")
            self.state = "watching"
            self.publish(force=True)
            self.ready.set()
            while not self._stop.is_set():
                batch, resync = self._next_batch()
                if batch or resync:
                    self._sync_batch(batch, resync)
        finally:
            self.state = "stopped"
            self._stop_observers()

    # -- events ------------------------------------------------------------------------
    def on_event(self, event: Any) -> None:
        """Note the paths an event touched; called on the observer's thread."""
        touched = [os.fsdecode(event.src_path)]
        if getattr(event, "dest_path", ""):
            touched.append(os.fsdecode(event.dest_path))
        for path in touched:
            self._note(path, event.is_directory)

    def _note(self, raw: str, is_dir: bool) -> None:
        if not raw or self.excluded(raw):
            return
        root = self._root_for(raw)
        if root is None:
            return
        path = Path(raw)
        resync = False
        if path.name == IGNORE_FILE and root.rules is not None:
            # New ignore rules can hide or reveal anything below: rescan the whole root.
            root.rules.forget_folder(path.parent)
            resync = True
        elif root.ignored(path, is_dir) or (not is_dir and not is_supported(path)):
            return
        with self._cond:
            now = time.monotonic()
            if not self._pending and not self._resync:
                self._first_event = now
            self._last_event = now
            if resync:
                self._resync.add(root.text)
            else:
                self._pending.add(raw)
            self._cond.notify_all()

    def _root_for(self, path: str) -> Root | None:
        matches = [r for r in self.roots if r.contains(path)]
        return max(matches, key=lambda r: len(r.text)) if matches else None

    def _next_batch(self) -> tuple[set[str], set[str]]:
        """Wait for a quiet period after the last event (or for `max_wait` since the
        first one), then take everything touched so far."""
        with self._cond:
            while not self._stop.is_set():
                if not self._pending and not self._resync:
                    self._cond.wait()  # idle: no timer, no CPU
                    continue
                now = time.monotonic()
                due = min(self._last_event + self.debounce, self._first_event + self.max_wait)
                if now >= due:
                    batch, resync = self._pending, self._resync
                    self._pending, self._resync = set(), set()
                    self._in_batch = len(batch)
                    return batch, resync
                self._cond.wait(due - now)
                self.publish()
        return set(), set()

    # -- batches -----------------------------------------------------------------------
    def _sync_batch(self, batch: set[str], resync: set[str]) -> None:
        """One sync for the whole batch, so both ends of a rename meet; a batch that
        fails is retried file by file so one bad file cannot hold back the others."""
        self.publish(force=True)
        with self.write_lock:
            self._sync_locked(batch, resync)

    def _sync_locked(self, batch: set[str], resync: set[str]) -> None:
        try:
            for root in sorted(resync):
                self.syncer.sync([Path(root)])
            paths = sorted(self._expand(batch))
            if paths:
                report = self.syncer.sync_paths(paths)
                log.info("batch of %d paths: %s", len(paths), report.as_dict())
        except WatchStopped:
            return
        except UserError:
            raise
        except Exception:
            log.exception("a batch of %d paths failed; retrying them one by one", len(batch))
            self._sync_one_by_one(batch)
        finally:
            self._in_batch = 0
            self.publish(force=True)

    def _sync_one_by_one(self, batch: set[str]) -> None:
        for raw in sorted(batch):
            if self._stop.is_set():
                return
            try:
                self.syncer.sync_paths(sorted(self._expand({raw})))
            except WatchStopped:
                return
            except UserError:
                raise
            except Exception as exc:
                log.error("%s: not indexed: %s (it is tried again when it changes)", raw, exc)

    def _expand(self, batch: set[str]) -> set[Path]:
        """Files for folders, walked with the root's ignore rules: `sync_paths` would
        scan a folder as if it were a root, missing the ignore files above it."""
        paths: set[Path] = set()
        for raw in batch:
            path = Path(raw)
            root = self._root_for(raw)
            if root is None or not path.is_dir():
                paths.add(path)  # a file, or a path that is gone (its records go)
                continue
            paths.update(walk(root, self.excluded, path))
            for record in self.index.catalog.files(raw):
                if not os.path.lexists(record.path):
                    paths.add(Path(record.path))
        return paths

    # -- status ------------------------------------------------------------------------
    @property
    def pending(self) -> int:
        return len(self._pending) + self._in_batch

    def publish(self, force: bool = False) -> None:
        """Tell `status` how far along the watcher is, at most twice a second."""
        if self._publish is None:
            return
        info = (self.state, self.pending, self.last_change, tuple(self.polled_roots))
        now = time.monotonic()
        if info == self._published or (not force and now - self._published_at < 0.5):
            return
        self._published, self._published_at = info, now
        try:
            self._publish(
                state=self.state,
                pending=self.pending,
                last_change=self.last_change,
                polling=list(self.polled_roots),
            )
        except OSError as exc:  # status is a courtesy; indexing goes on
            log.debug("cannot publish the watcher's status: %s", exc)

    # -- observers ---------------------------------------------------------------------
    def _start_observers(self) -> None:
        from watchdog.observers.polling import PollingObserver

        handler = _Handler(self)
        native: Any = None
        if not self.poll:
            try:
                from watchdog.observers import Observer

                native = Observer()
                native.start()
                self._observers.append(native)
            except OSError as exc:
                log.warning("%s; watching by polling instead", _inotify_advice(exc))
                native = None
        poller: Any = None
        for root in self.roots:
            target, recursive = (
                (str(root.path.parent), False) if root.is_file else (root.text, True)
            )
            if native is not None:
                try:
                    native.schedule(handler, target, recursive=recursive, event_filter=EVENTS)
                    missing = _unwatched_folders(native, target) if recursive else 0
                    if not missing:
                        continue
                    log.warning(
                        "%s: %s could not be watched (%s); watching this folder by polling instead",
                        root.text,
                        plural(missing, "folder"),
                        _inotify_advice(None),
                    )
                    _unschedule(native, target)
                except OSError as exc:
                    if exc.errno not in (errno.ENOSPC, errno.EMFILE):
                        raise
                    log.warning(
                        "%s: %s; watching this folder by polling instead",
                        root.text,
                        _inotify_advice(exc),
                    )
                self.polled_roots.append(root.text)
            if poller is None:
                poller = PollingObserver(timeout=self.poll_interval)
                poller.start()
                self._observers.append(poller)
            poller.schedule(handler, target, recursive=recursive, event_filter=EVENTS)

    def _stop_observers(self) -> None:
        for observer in self._observers:
            observer.stop()
        for observer in self._observers:
            # Daemon threads: a poller mid-snapshot of a big tree must not delay the exit
            # (SIGTERM promises 5 s); whatever it still reports is never read.
            observer.join(timeout=0.5)
        self._observers.clear()


def _event_types() -> list[type]:
    from watchdog.events import (
        DirCreatedEvent,
        DirDeletedEvent,
        DirMovedEvent,
        FileClosedEvent,
        FileCreatedEvent,
        FileDeletedEvent,
        FileModifiedEvent,
        FileMovedEvent,
    )

    # Not opened/closed-without-writing: the sync's own reads would wake the watcher.
    # Not folder-modified: every child event already names the child.
    return [
        FileCreatedEvent,
        FileModifiedEvent,
        FileClosedEvent,
        FileDeletedEvent,
        FileMovedEvent,
        DirCreatedEvent,
        DirDeletedEvent,
        DirMovedEvent,
    ]


EVENTS = _event_types()


class _Handler:
    """The watchdog handler protocol (`dispatch`), forwarding every event to the watcher."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def dispatch(self, event: Any) -> None:
        try:
            self.watcher.on_event(event)
        except Exception:  # an exception here would kill the observer's thread
            log.exception("cannot handle the event %r", event)


def _inotify_advice(exc: OSError | None) -> str:
    """What to do when inotify runs out: the kernel limits watches (one per folder) and
    instances per user, and other programs (editors, sync clients) use them too."""
    if exc is not None and exc.errno == errno.EMFILE:
        return (
            "out of inotify instances; raise the limit with "
            "`sudo sysctl fs.inotify.max_user_instances=1024`"
        )
    try:
        limit = f" (now {int(INOTIFY_LIMIT_FILE.read_text())})"
    except (OSError, ValueError):
        limit = ""
    return (
        f"out of inotify watches{limit}; raise the limit with "
        f"`sudo sysctl {INOTIFY_SYSCTL}=524288` (and add `{INOTIFY_SYSCTL}=524288` to "
        "/etc/sysctl.d/90-inotify.conf to keep it)"
    )


def _unwatched_folders(observer: Any, target: str) -> int:
    """Folders under `target` that inotify is not watching.

    watchdog raises only when the root folder cannot be watched; a failure on a folder
    below it (the usual way to run out of watches) is skipped silently, which would
    leave that part of the tree unwatched without a word. Its watch map is private, so
    when it is not where we expect, trust the watch.
    """
    for attempt in range(2):
        missing = _count_unwatched(observer, target)
        if not missing or attempt:
            return missing
        time.sleep(0.3)  # a folder created a moment ago may not have its watch yet
    return 0


def _count_unwatched(observer: Any, target: str) -> int:
    watched: set[bytes] | None = None
    for emitter in list(getattr(observer, "emitters", ())):
        if getattr(emitter.watch, "path", None) != target:
            continue
        group = getattr(emitter, "_inotify", None)
        mapping = getattr(group, "_active_callbacks_by_path", None)
        if isinstance(mapping, dict):
            watched = set(mapping)
    if watched is None:
        return 0
    missing = 0
    for here, dirs, _files in os.walk(target):
        for name in list(dirs):
            full = os.path.join(here, name)
            if os.path.islink(full):
                dirs.remove(name)
            elif os.fsencode(full) not in watched and os.path.isdir(full):
                missing += 1
    return missing


def _unschedule(observer: Any, target: str) -> None:
    for emitter in list(getattr(observer, "emitters", ())):
        if emitter.watch.path == target:
            observer.unschedule(emitter.watch)


# How often the main thread looks at the clock while the watcher runs. A wait cannot be
# shortened once begun: waits of 5 s noticed the grace running out up to 1 s late.
SIGNAL_POLL_SECONDS = 0.2


def run_until_signalled(watcher: Watcher, grace: float = 4.0) -> bool:
    """Run `watcher` on a thread until SIGINT or SIGTERM; must be called on the main thread.

    The watcher stops at the next file boundary. Returns False when it is still inside
    a step it cannot leave (an embedding call) `grace` seconds after the signal (within
    SIGNAL_POLL_SECONDS): the caller should then end the process at once, and the next
    start's reconcile drops whatever that step had half written.
    """
    errors: list[BaseException] = []
    deadline: list[float] = []

    def work() -> None:
        try:
            watcher.run()
        except BaseException as exc:  # re-raised on the main thread
            errors.append(exc)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if not deadline:
            log.info("signal %d: stopping", signum)
            deadline.append(time.monotonic() + grace)
        watcher.stop()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    thread = threading.Thread(target=work, name="watcher", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(timeout=SIGNAL_POLL_SECONDS)
            if deadline and thread.is_alive() and time.monotonic() > deadline[0]:
                return False
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if errors:
        raise errors[0]
    return True
