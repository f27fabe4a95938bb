"""The one-writer lock: a lock file holding the writer's PID and the folders it indexes.

An OS lock (flock) rather than the file's existence decides who holds it, so a writer
killed with -9 never leaves a stale lock behind. Readers never take it.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from types import TracebackType
from typing import Any

from ingest.errors import IndexBusy

LOCK_NAME = "writer.lock"


class WriterLock:
    def __init__(self, data_dir: Path, purpose: str = "ingest", folders: list[str] | None = None):
        self.path = data_dir / LOCK_NAME
        self.purpose = purpose
        self.folders = folders or []
        self._fd: int | None = None

    def acquire(self) -> WriterLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = read_holder(self.path)
            os.close(fd)
            raise IndexBusy(int(holder.get("pid", 0)), holder.get("folders")) from None
        info = {"pid": os.getpid(), "purpose": self.purpose, "folders": self.folders}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self._fd = fd
        return self

    def update(self, **extra: Any) -> None:
        """Publish the holder's progress (a watcher's queue, last change) to `status`."""
        if self._fd is None:
            return
        info = {"pid": os.getpid(), "purpose": self.purpose, "folders": self.folders, **extra}
        data = json.dumps(info).encode()
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def read_holder(path: Path) -> dict[str, Any]:
    """What the process holding the lock file at `path` published (the writer's, the
    owner's), or {} when none holds it; `{"pid": 0}` when one holds it but has not said
    who yet (between its flock and its write)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return {}
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raw = os.pread(fd, 65536, 0)
            try:
                return dict(json.loads(raw or b"{}")) or {"pid": 0}
            except ValueError:
                return {"pid": 0}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return {}
    finally:
        os.close(fd)


def current_writer(data_dir: Path) -> dict[str, Any]:
    return read_holder(data_dir / LOCK_NAME)
