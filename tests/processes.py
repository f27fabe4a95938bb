"""Processes a test or a bench starts on this machine: a free loopback port, a server that is
ready once its URL answers, and the end of every child by its own process id (SIGTERM, then
SIGKILL). Shared by tests/conftest.py, tests/owner_stress.py and bench/local_server.py, so a
bench drives its servers exactly as the tests do."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import httpx


def free_port() -> int:
    """A port with nothing listening on it (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(proc: subprocess.Popen[bytes], grace: float) -> None:
    """End `proc` by its own pid: SIGTERM, and SIGKILL if it has not ended within `grace`
    seconds (a watcher finishes its batch first)."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_ready(
    proc: subprocess.Popen[bytes],
    url: str,
    seconds: float,
    headers: dict[str, str] | None = None,
    pause: float = 0.2,
) -> str | None:
    """Wait until `url` answers 200 on loopback; None when it did, else why it did not (the
    process ended, or `seconds` passed), for the caller to fail its test or its bench."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            return f"exited with {proc.returncode}"
        try:
            if httpx.get(url, headers=headers, timeout=1, trust_env=False).status_code == 200:
                return None
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            return f"did not answer within {seconds:.0f} s"
        time.sleep(pause)
