"""The owner lock: one process at a time opens a data dir's embedded vector store.

Chroma's embedded `PersistentClient` (its HNSW segment writer and compactor) is not safe
across processes: a reader opening the folder while a writer works can write to it too,
and the segments end up unloadable for good. So the embedded store has one owner: the
process holding an flock on `owner.lock` in the data dir. `Index` claims it before it
opens an embedded client and `open_client` refuses to open one for a process that does
not hold it. Others ask the owner over its socket (assistant/owner) or wait.

An OS lock rather than a file's existence decides, so an owner killed with -9 never
leaves a stale lock. Within one process claims are counted: the chat's retrievers, its
watcher and a summary share the one flock, and the last release closes the client.

A clean stop leaves `chroma.clean` beside the store; an owner that finds the store but
not the mark (the last one crashed, or an older version left it) first opens it in a
child process (`ingest.store.probe`), so a store that would crash the vector library
is reported with what to run instead of ending the command with a segfault.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import UserError
from ingest.store.lock import read_holder

OWNER_LOCK = "owner.lock"
CLEAN_MARK = "chroma.clean"


class StoreOwned(UserError):
    """Another process owns the embedded vector store and did not free it in time."""

    exit_code = 6

    def __init__(self, data_dir: Path, holder: dict[str, Any], waited: float = 0.0) -> None:
        self.holder = holder
        pid = holder.get("pid", "?")
        what = holder.get("purpose", "work")
        after = f" after waiting {waited:.0f} s" if waited else ""
        super().__init__(
            f"the index in {data_dir} is in use by process {pid} ({what}){after}: "
            "try again when it ends, or stop it"
        )


class NotOwner(RuntimeError):
    """A code path tried to open the embedded store without the owner lock: a bug."""


@dataclass
class _Held:
    fd: int
    count: int
    info: dict[str, Any]
    on_last_release: list[Callable[[], None]] = field(default_factory=list)


_HELD: dict[str, _Held] = {}
_GUARD = threading.RLock()


def _key(data_dir: Path) -> str:
    return os.path.realpath(data_dir)


def owns(data_dir: Path) -> bool:
    """Whether this process holds the owner lock of `data_dir`."""
    with _GUARD:
        return _key(data_dir) in _HELD


def try_claim(data_dir: Path, purpose: str) -> bool:
    """Take the owner lock (or count one more claim on it) without waiting."""
    key = _key(data_dir)
    with _GUARD:
        held = _HELD.get(key)
        if held is not None:
            held.count += 1
            return True
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(data_dir / OWNER_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        info = {"pid": os.getpid(), "purpose": purpose, "listening": False}
        _write(fd, info)
        _HELD[key] = _Held(fd, 1, info)
        return True


def claim(
    data_dir: Path,
    purpose: str,
    wait: float = 0.0,
    waiting: Callable[[dict[str, Any]], None] | None = None,
    ready: Callable[[], bool] | None = None,
) -> bool:
    """Take the owner lock, waiting up to `wait` seconds for its holder to end.

    `waiting` is told (once) who holds it. `ready`, polled while waiting, can end the wait
    early without the lock (the holder started answering on its socket): then False.
    Raises StoreOwned when the lock did not free in time.
    """
    started = time.monotonic()
    told = False
    while not try_claim(data_dir, purpose):
        if ready is not None and ready():
            return False
        waited = time.monotonic() - started
        found = holder(data_dir)
        if waited >= wait:
            raise StoreOwned(data_dir, found, waited)
        if waiting is not None and not told and found:
            waiting(found)
            told = True
        time.sleep(0.05)
    return True


def release(data_dir: Path) -> None:
    """Drop one claim; the last one runs the close hooks and frees the lock."""
    key = _key(data_dir)
    with _GUARD:
        held = _HELD.get(key)
        if held is None:
            return
        held.count -= 1
        if held.count > 0:
            return
        _free(key, held)


def _free(key: str, held: _Held) -> None:
    for hook in reversed(held.on_last_release):
        with contextlib.suppress(Exception):  # freeing the lock matters more
            hook()
    del _HELD[key]
    with contextlib.suppress(OSError):
        os.ftruncate(held.fd, 0)
    fcntl.flock(held.fd, fcntl.LOCK_UN)
    os.close(held.fd)


@contextlib.contextmanager
def claimed(data_dir: Path, purpose: str, **how: Any) -> Iterator[bool]:
    """`claim` for a block; yields False (and holds nothing) when `ready` ended the wait."""
    got = claim(data_dir, purpose, **how)
    try:
        yield got
    finally:
        if got:
            release(data_dir)


def on_last_release(data_dir: Path, hook: Callable[[], None]) -> None:
    """Run `hook` when this process frees the lock (or exits): closing the client."""
    with _GUARD:
        _HELD[_key(data_dir)].on_last_release.append(hook)


def publish(data_dir: Path, **info: Any) -> None:
    """Say more about the owner (its socket is listening) to processes looking for it."""
    with _GUARD:
        held = _HELD.get(_key(data_dir))
        if held is None:
            return
        held.info.update(info)
        _write(held.fd, held.info)


def holder(data_dir: Path) -> dict[str, Any]:
    """What the owner published, or {} when no process holds the lock."""
    with _GUARD:
        held = _HELD.get(_key(data_dir))
        if held is not None:
            return dict(held.info)
    return read_holder(data_dir / OWNER_LOCK)


def _write(fd: int, info: dict[str, Any]) -> None:
    data = json.dumps(info).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


# -- the clean-stop mark ---------------------------------------------------------------
def stopped_cleanly(data_dir: Path) -> bool:
    return (data_dir / CLEAN_MARK).exists()


def mark_in_use(data_dir: Path) -> None:
    """The store is open: until the mark comes back, a crash may have left it damaged."""
    with contextlib.suppress(FileNotFoundError):
        (data_dir / CLEAN_MARK).unlink()


def mark_clean(data_dir: Path) -> None:
    (data_dir / CLEAN_MARK).write_text(f"closed by process {os.getpid()}\n")


@atexit.register
def _release_all() -> None:
    """At a normal exit, close what this process owns (and leave the clean mark)."""
    with _GUARD:
        for key, held in list(_HELD.items()):
            _free(key, held)
