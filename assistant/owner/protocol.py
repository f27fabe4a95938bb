"""The owner socket's wire format: JSON lines, one request and its replies per connection.

The client sends one line `{"op": NAME, "args": {...}}`. The owner answers with any
number of `{"event": NAME, "data": ...}` lines (tokens of an answer, an ingest's files)
and then exactly one `{"result": ...}` or `{"error": {"message": ..., "exit_code": ...}}`.
The socket file is made 0600 in a 0700 data dir: only the user reaches it, so no token.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ingest.errors import UserError
from ingest.pathnames import json_text

SOCKET_NAME = "owner.sock"
# A socket's name holds 108 bytes on Linux (104 on macOS). A longer path is reached on
# Linux through the data dir's open descriptor (/proc/self/fd/N/owner.sock); elsewhere
# the socket moves to a private folder of the temporary dir, named after the data dir.
MAX_SOCKET_PATH = 100
_PROC_FD = Path("/proc/self/fd")


def socket_path(data_dir: Path) -> Path:
    path = data_dir / SOCKET_NAME
    if len(os.fsencode(path)) <= MAX_SOCKET_PATH or _PROC_FD.is_dir():
        return path
    digest = hashlib.sha256(os.fsencode(os.path.realpath(data_dir))).hexdigest()[:20]
    return Path(tempfile.gettempdir()) / f"assistant-{os.getuid()}" / f"{digest}.sock"


@contextlib.contextmanager
def address(path: Path) -> Iterator[str]:
    """A name to bind or connect `path` by that fits in a socket address."""
    if len(os.fsencode(path)) <= MAX_SOCKET_PATH or not _PROC_FD.is_dir():
        yield str(path)
        return
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        yield f"{_PROC_FD}/{fd}/{path.name}"
    finally:
        os.close(fd)


class RemoteError(UserError):
    """An error the owner met doing what it was asked: its message and exit code."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class OwnerGone(UserError):
    """The owner stopped (or was killed) in the middle of an answer."""

    exit_code = 1


class OwnerStopped(UserError):
    """The owner was stopped (Ctrl-C, SIGTERM) while it did a write another process had
    asked for: it stopped between files, keeping those done."""

    exit_code = 1

    def __init__(self, owner: str) -> None:
        super().__init__(
            f"the index's owner ({owner}) was stopped before this ingest was done: the files "
            "it indexed are kept; run the ingest again"
        )


def search_request(
    query: str, k: int | None, within: str | None, types: Sequence[str], mode: str
) -> dict[str, Any]:
    """The arguments of a `search` request (the owner's Service.search takes them)."""
    return {"query": query, "k": k, "within": within, "types": list(types), "mode": mode}


def encode(message: dict[str, Any]) -> bytes:
    """One line of JSON; a file name that is not UTF-8 travels as a JSON escape, so
    `decode` gives the very same name back."""
    return (json_text(message) + "\n").encode()


def decode(line: bytes) -> dict[str, Any]:
    return dict(json.loads(line))


def error_reply(exc: BaseException) -> dict[str, Any]:
    code = exc.exit_code if isinstance(exc, UserError) else 1
    message = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
    return {"error": {"message": message, "exit_code": code}}
