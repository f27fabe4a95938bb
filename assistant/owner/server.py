"""What an owner runs: a Unix socket server in the data dir answering the others.

Each connection carries one request and runs on a thread of its own; the work is the
Service's (assistant/serve/service.py), the same object `serve` answers HTTP with: reads
borrow retrievers of their own, writes go one at a time through its write lock.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socketserver
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from assistant.owner.protocol import (
    OwnerStopped,
    address,
    decode,
    encode,
    error_reply,
    socket_path,
)
from ingest.store import owner

log = logging.getLogger(__name__)

Emit = Callable[[str, Any], None]
Op = Callable[[dict[str, Any], Emit], Any]


class _Handler(socketserver.StreamRequestHandler):
    server: _Server
    op = ""  # the request's, once read

    def handle(self) -> None:
        self._sending = threading.Lock()
        self._answered = False

        def emit(name: str, data: Any) -> None:
            self.send({"event": name, "data": data})

        line = self.rfile.readline()
        if not line:
            return  # a liveness check: connected, then closed
        with self.server.working(self):
            try:
                request = decode(line)
                self.op = str(request.get("op"))
                op = self.server.ops.get(self.op)
                if op is None:
                    raise ValueError(f"unknown request {request.get('op')!r}")
                reply: dict[str, Any] = {"result": op(dict(request.get("args") or {}), emit)}
            except (BrokenPipeError, ConnectionResetError):
                return  # the client went away (Ctrl-C): nothing to answer
            except Exception as exc:  # each failure is the client's answer, not the owner's end
                log.debug("request failed", exc_info=True)
                reply = error_reply(exc)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.send(reply, last=True)

    def send(self, message: dict[str, Any], last: bool = False) -> None:
        """One line to the client; nothing after its answer (see `_Server.abandon`)."""
        with self._sending:
            if self._answered:
                return
            self._answered = last
            self.wfile.write(encode(message))
            self.wfile.flush()


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    ops: Mapping[str, Op]

    def __init__(self, path: str) -> None:
        super().__init__(path, _Handler)
        self._busy: set[_Handler] = set()
        self._idle = threading.Condition()

    @contextlib.contextmanager
    def working(self, handler: _Handler) -> Iterator[None]:
        with self._idle:
            self._busy.add(handler)
        try:
            yield
        finally:
            with self._idle:
                self._busy.discard(handler)
                self._idle.notify_all()

    def abandon(self, replies: Mapping[str, dict[str, Any]]) -> None:
        """Answer the requests still being worked on whose op has a reply here (the
        process is about to end under them): their clients get that, not a reset."""
        with self._idle:
            busy = list(self._busy)
        for handler in busy:
            if handler.op in replies:
                with contextlib.suppress(OSError):
                    handler.send(replies[handler.op], last=True)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Until every request already being worked on is answered (the store must not
        close under an ingest another process asked for), or `timeout` seconds: whether
        it is idle."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._busy, timeout)


class OwnerServer:
    """Listens on the data dir's socket while this process holds the owner lock."""

    def __init__(self, data_dir: Path, ops: Mapping[str, Op]) -> None:
        self.data_dir = data_dir
        self.path = socket_path(data_dir)
        self.ops = ops
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not owner.owns(self.data_dir):
            raise owner.NotOwner("only the owner of a data dir listens on its socket")
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # We hold the lock, so a socket file left here is a killed owner's: stale.
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        old = os.umask(0o177)
        try:
            with address(self.path) as name:
                server = _Server(name)
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        server.ops = self.ops
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="owner", daemon=True
        )
        self._thread.start()
        owner.publish(self.data_dir, listening=True)

    def stop(self, grace: float | None = None) -> bool:
        """Take no more requests and wait for those being worked on (a forwarded ingest
        stops at its next file when the owner is stopping: ops.Forward). False when some
        still are after `grace` seconds: the caller ends the process then (what they
        committed stays; the next start catches up), rather than close the store under
        them."""
        if self._server is None:
            return True
        owner.publish(self.data_dir, listening=False)
        # The socket file goes first: a client connecting while the serving loop ends
        # would wait in the backlog and be reset; with no file it finds no owner.
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self._server.shutdown()  # no new requests (those in the backlog are reset)
        self._server.socket.close()
        if not self._server.wait_idle(grace):
            # A forwarded ingest still inside an embedding call: its client is told, in
            # the words it would have heard at the next file (ops.Forward).
            purpose = owner.holder(self.data_dir).get("purpose", "work")
            stopped = OwnerStopped(f"process {os.getpid()}, {purpose}")
            self._server.abandon({"ingest": error_reply(stopped)})
            return False
        self._server.server_close()
        self._server = None
        return True


@contextlib.contextmanager
def listening(data_dir: Path, ops: Mapping[str, Op]) -> Iterator[OwnerServer]:
    server = OwnerServer(data_dir, ops)
    server.start()
    try:
        yield server
    finally:
        server.stop()
