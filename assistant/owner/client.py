"""Asking the owner: one connection per request, its events passed on as they come."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.owner.protocol import (
    OwnerGone,
    RemoteError,
    address,
    decode,
    encode,
    socket_path,
)

EventSink = Callable[[str, Any], None]


class Owner:
    """The process that owns a data dir's store, reached on its socket."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connection(self) -> socket.socket:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with address(self.path) as name:
                conn.connect(name)
        except OSError as exc:
            conn.close()
            raise OwnerGone(f"the index's owner stopped ({exc.strerror})") from None
        return conn

    def call(self, op: str, args: dict[str, Any], on_event: EventSink | None = None) -> Any:
        """Send one request; pass each event to `on_event`; return the result or raise
        the owner's error (a RemoteError with its message and exit code)."""
        with self._connection() as conn:
            try:
                return self._exchange(conn, op, args, on_event)
            except (ConnectionResetError, BrokenPipeError) as exc:
                # The owner closed its socket while ending: the request was never taken.
                raise OwnerGone(f"the index's owner stopped ({exc.strerror})") from None

    def _exchange(
        self, conn: socket.socket, op: str, args: dict[str, Any], on_event: EventSink | None
    ) -> Any:
        conn.sendall(encode({"op": op, "args": args}))
        with conn.makefile("rb") as replies:
            for line in replies:
                reply = decode(line)
                if "event" in reply:
                    if on_event is not None:
                        on_event(reply["event"], reply.get("data"))
                elif "error" in reply:
                    error = reply["error"]
                    raise RemoteError(error["message"], int(error.get("exit_code", 1)))
                else:
                    return reply.get("result")
        raise OwnerGone("the index's owner stopped before it answered")


def find_owner(data_dir: Path) -> Owner | None:
    """The owner listening for `data_dir`, or None: no socket, or a stale one that a
    killed owner left (nobody accepts on it). Each request connects anew: a connection
    held idle would keep the owner from ending."""
    path = socket_path(data_dir)
    if not path.exists():
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        try:
            with address(path) as name:
                conn.connect(name)
        except OSError:
            return None
    return Owner(path)
