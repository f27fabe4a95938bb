"""Cutting an HTTP stream from another thread, at once, even before its first byte.

A model server can read a long prompt for many seconds before it sends anything. The
thread reading its answer is then blocked in the socket, where neither closing the
response (it does not exist until the headers arrive) nor closing the socket (a closed
descriptor does not wake a blocked read) reaches it. Shutting the socket down does: the
read returns at once and the server sees the connection close. httpcore's trace hook
gives each request's socket as it connects; without keep-alive every request connects.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx

Trace = Callable[[str, dict[str, Any]], None]
NO_KEEP_ALIVE = httpx.Limits(max_keepalive_connections=0)


class StreamCutter:
    """The streams open now, each with its stop flag and socket; `cut` ends them all."""

    def __init__(self) -> None:
        self._open: dict[threading.Event, socket.socket | None] = {}
        self._lock = threading.Lock()
        self._local = threading.local()  # the trace of the stream this thread opens

    @contextlib.contextmanager
    def stream(self) -> Iterator[tuple[threading.Event, Trace]]:
        """One stream's stop flag, and the trace hook that records its socket (pass it as
        the request's `trace` extension, or let `attach_trace` do it). A transport error
        after a cut is the cut itself: it ends the stream quietly."""
        stop = threading.Event()
        with self._lock:
            self._open[stop] = None

        def trace(event: str, info: dict[str, Any]) -> None:
            if event == "connection.connect_tcp.complete":
                sock = info["return_value"].get_extra_info("socket")
                with self._lock:
                    self._open[stop] = sock
                if stop.is_set():  # cut while it was connecting
                    _shut(sock)

        self._local.trace = trace
        try:
            yield stop, trace
        except httpx.HTTPError:
            if not stop.is_set():
                raise
        finally:
            self._local.trace = None
            with self._lock:
                self._open.pop(stop, None)

    def attach_trace(self, request: httpx.Request) -> None:
        """An httpx request hook, for a client whose requests are built elsewhere (the
        `ollama` package's): gives the request the trace of this thread's open stream."""
        trace = getattr(self._local, "trace", None)
        if trace is not None:
            request.extensions["trace"] = trace

    def cut(self) -> None:
        with self._lock:
            streams = list(self._open.items())
        for stop, sock in streams:
            stop.set()
            if sock is not None:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
