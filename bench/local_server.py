"""A server process a bench starts on 127.0.0.1, waits for, and ends by its own process id,
with the tests' own helpers (tests/processes.py); where a test fails, this exits the bench."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from processes import free_port, stop, wait_ready  # noqa: E402

__all__ = ["free_port", "loopback_server"]

START_SECONDS = 120  # a server that loads a model first is slow to answer on 2 cores
STOP_SECONDS = 30  # a graceful stop (the watcher finishing its batch) before SIGKILL


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
        failed = wait_ready(server, ready_url, START_SECONDS, pause=0.3)
        if failed is not None:
            sys.exit(f"{name} {failed} (see {log_path})")
        yield server
    finally:
        stop(server, grace=STOP_SECONDS)
