"""Starting a real `assistant serve` for a test module: its own home, data dir and port,
an index built in-process first (the session's embedder is loaded already), the server as
a subprocess on loopback, ended by its PID."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from conftest import SAMPLE_DOCS, free_port, loopback_server

# Answers stay short and greedy: these tests are about the wire, not the prose.
FAST_ANSWERS = {
    "ASSISTANT_BACKEND": "llamacpp",
    # The embedded model writes (auto would quote the evidence for a model this small).
    "ASSISTANT_ANSWER_MODE": "generative",
    "ASSISTANT_K": "2",
    "ASSISTANT_MAX_ANSWER_TOKENS": "24",
    "ASSISTANT_TEMPERATURE": "0",
    "ASSISTANT_DEBOUNCE_SECONDS": "0.2",
}


@dataclass
class Served:
    url: str  # http://127.0.0.1:PORT
    root: Path
    docs: Path
    data_dir: Path
    log: Path
    env: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers=self.headers, timeout=300, trust_env=False, **kwargs
        )


def sse_events(lines: Iterable[str]) -> list[tuple[str, Any]]:
    """The (event, data) pairs of a server-sent event stream, in order."""
    events: list[tuple[str, Any]] = []
    event = ""
    for line in lines:
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            events.append((event, json.loads(line[6:])))
    return events


def server_env(root: Path) -> dict[str, str]:
    """The environment of a server (or an MCP subprocess) living under `root`."""
    home = root / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        ASSISTANT_DATA_DIR=str(root / "data"),
        ASSISTANT_CONFIG=str(root / "config.toml"),
        **FAST_ANSWERS,
    )
    return env


def build_index(root: Path, embedder: object) -> Path:
    """sample_docs copied under `root` and indexed there; returns the docs folder."""
    from badfiles import corrupt_pdf

    from assistant import library
    from assistant.settings import Settings

    docs = root / "docs"
    shutil.copytree(SAMPLE_DOCS, docs)
    corrupt_pdf(docs)  # a failed file, with its reason, for /v1/files
    library.ingest(Settings(data_dir=root / "data"), [docs])
    return docs


@contextmanager
def served(
    root: Path, docs: Path, args: list[str], token: str | None = None, host: str = "127.0.0.1"
) -> Iterator[Served]:
    port = free_port()
    env = server_env(root)
    headers = {"authorization": f"Bearer {token}"} if token else {}
    cmd = [sys.executable, "-m", "assistant.cli", "serve", "--host", host, "--port", str(port)]
    cmd += args
    url = f"http://{host}:{port}"
    log = root / "serve.log"
    with loopback_server(cmd, url + "/v1/health", log, "assistant serve", env, headers):
        yield Served(url, root, docs, root / "data", log, env, headers)
