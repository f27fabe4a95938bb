"""An OpenAI-compatible server that takes a chat request and sends nothing back, as a
model server does while it reads a long prompt, noting when the client hangs up.

It stands in for llama.cpp's server, whose prompt reading cannot be made to last on
demand; `release` lets the handler finish at the end of a test.
"""

from __future__ import annotations

import select
import socket
import threading
from typing import Any

from conftest import StubHandler, StubServer


class SilentServer(StubServer):
    """Serves /v1/models (one model, `big-7b`) and a silent /v1/chat/completions."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.hung_up = threading.Event()
        self.release = threading.Event()
        self.sent = False
        silent = self

        class Handler(StubHandler):
            def do_GET(self) -> None:
                data = [{"id": "big-7b", "object": "model", "max_model_len": 4096}]
                self.send_json(200, {"object": "list", "data": data})

            def do_POST(self) -> None:
                self.read_json()
                silent.asked.set()
                while not silent.release.wait(0.02):
                    readable, _, _ = select.select([self.connection], [], [], 0)
                    if readable and not self.connection.recv(1, socket.MSG_PEEK):
                        silent.hung_up.set()
                        return
                silent.sent = True
                self.send_json(200, {})

        super().__init__(Handler)
        self.url += "/v1"


def assert_cut_before_the_first_byte(backend: Any, server: SilentServer) -> None:
    """`backend.cancel()` from another thread, while its stream waits for the first byte,
    ends the stream at once and quietly, and the server sees the connection close before
    it sent anything."""
    from assistant.models.base import Cancellable, Message

    assert isinstance(backend, Cancellable)
    got: list[list[str]] = []
    prompt = [Message("user", "q")]
    reader = threading.Thread(
        target=lambda: got.append(list(backend.stream_chat(prompt, max_tokens=8, temperature=0)))
    )
    reader.start()
    assert server.asked.wait(10)
    backend.cancel()
    reader.join(timeout=10)
    alive = reader.is_alive()
    hung_up = server.hung_up.wait(10)
    server.release.set()  # frees the handler either way
    assert not alive and got == [[]]
    assert hung_up and not server.sent
