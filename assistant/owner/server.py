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

from assistant.owner.protocol import address, decode, encode, error_reply, socket_path
from ingest.store import owner

log = logging.getLogger(__name__)

Emit = Callable[[str, Any], None]
Op = Callable[[dict[str, Any], Emit], Any]


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        def emit(name: str, data: Any) -> None:
            self.wfile.write(encode({"event": name, "data": data}))
            self.wfile.flush()

        line = self.rfile.readline()
        if not line:
            return  # a liveness check: connected, then closed
        with self.server.working():
            try:
                request = decode(line)
                op = self.server.ops.get(str(request.get("op")))
                if op is None:
                    raise ValueError(f"unknown request {request.get('op')!r}")
                reply: dict[str, Any] = {"result": op(dict(request.get("args") or {}), emit)}
            except (BrokenPipeError, ConnectionResetError):
                return  # the client went away (Ctrl-C): nothing to answer
            except Exception as exc:  # each failure is the client's answer, not the owner's end
                log.debug("request failed", exc_info=True)
                reply = error_reply(exc)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(encode(reply))


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    ops: Mapping[str, Op]

    def __init__(self, path: str) -> None:
        super().__init__(path, _Handler)
        self._busy = 0
        self._idle = threading.Condition()

    @contextlib.contextmanager
    def working(self) -> Iterator[None]:
        with self._idle:
            self._busy += 1
        try:
            yield
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Until every request already being worked on is answered (the store must not
        close under an ingest another process asked for), or `timeout` seconds: whether
        it is idle."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)


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
        self._server.shutdown()  # no new requests,
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # nor connections: a client finds no owner, or a reset one
        self._server.socket.close()
        if not self._server.wait_idle(grace):
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
