"""A server process a bench starts on 127.0.0.1, waits for, and ends by its own process id
(the benches' copy of what `tests/conftest.py` does for the tests, which fails a test
where this exits the bench)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

START_SECONDS = 120  # a server that loads a model first is slow to answer on 2 cores
STOP_SECONDS = 30  # a graceful stop (the watcher finishing its batch) before SIGKILL


def free_port() -> int:
    """A port with nothing listening on it (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def loopback_server(
    name: str,
    command: Sequence[str],
    ready_url: str,
    log_path: Path,
    env: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` started with its output in `log_path`, ready once `ready_url` answers 200;
    on the way out SIGTERM, then SIGKILL if it has not ended within STOP_SECONDS."""
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if httpx.get(ready_url, timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"{name} did not start (see {log_path})")
            time.sleep(0.3)
        yield server
    finally:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=STOP_SECONDS)
