"""An OpenAI-compatible server that takes a chat request and sends nothing back, as a
model server does while it reads a long prompt, noting when the client hangs up.

It stands in for llama.cpp's server, whose prompt reading cannot be made to last on
demand; `release` lets the handler finish at the end of a test.
"""

from __future__ import annotations

import select
import socket
import threading

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
