"""Tests for the Ollama backend: the real `ollama` client against an in-process stand-in.

No Ollama server can be installed on this machine (it is neither on PyPI nor in Debian),
so a stand-in HTTP server on 127.0.0.1 (conftest's StubServer) speaks Ollama's protocol:
`/api/tags`, `/api/show`, and `/api/chat` streaming NDJSON, with Ollama's 404 for a
model that is not pulled. It records every request body so tests can inspect options.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import StubHandler, StubServer, free_port
from silent_server import SilentServer, assert_cut_before_the_first_byte

from assistant.errors import BackendError, ConfigError, EgressRefused
from assistant.library import open_backend
from assistant.models import choose_backend
from assistant.models.base import Backend, Message
from assistant.models.ollama_backend import OllamaBackend
from assistant.settings import Settings

TOKENS = ["The ", "answer ", "is ", "42", "."]


class FakeOllama(StubServer):
    """Speaks enough of Ollama's HTTP API for the client; one per test."""

    def __init__(self, models: dict[str, int]) -> None:
        self.models = models  # name -> context_length
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.headers: list[dict[str, str]] = []
        fake = self

        class Handler(StubHandler):
            def _body(self) -> dict[str, Any]:
                body = self.read_json()
                fake.requests.append((self.path, body))
                fake.headers.append(dict(self.headers))
                return body

            def do_GET(self) -> None:
                self._body()
                if self.path == "/api/tags":
                    self.send_json(200, {"models": [fake.tag(name) for name in fake.models]})
                else:
                    self.send_json(404, {"error": "not found"})

            def do_POST(self) -> None:
                body = self._body()
                name = body.get("model", "")
                if self.path not in ("/api/show", "/api/chat"):
                    self.send_json(404, {"error": "not found"})
                elif name not in fake.models:
                    self.send_json(404, {"error": f"model '{name}' not found"})
                elif self.path == "/api/show":
                    self.send_json(200, fake.show(name))
                else:
                    self._chat(name)

            def _chat(self, name: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.end_headers()
                base = {"model": name, "created_at": "2026-11-24T00:00:00Z"}
                for tok in TOKENS:
                    part = {**base, "message": {"role": "assistant", "content": tok}}
                    self.wfile.write((json.dumps({**part, "done": False}) + "\n").encode())
                    self.wfile.flush()
                last = {**base, "message": {"role": "assistant", "content": ""}, "done": True}
                last.update(done_reason="stop", total_duration=1, eval_count=len(TOKENS))
                self.wfile.write((json.dumps(last) + "\n").encode())

        super().__init__(Handler)

    def tag(self, name: str) -> dict[str, Any]:
        return {
            "name": name,
            "model": name,
            "modified_at": "2026-11-24T00:00:00Z",
            "size": 1000,
            "digest": "0" * 64,
            "details": {"format": "gguf", "family": "llama", "parameter_size": "1B"},
        }

    def show(self, name: str) -> dict[str, Any]:
        return {
            "modelfile": "",
            "parameters": "",
            "template": "{{ .Prompt }}",
            "details": {"format": "gguf", "family": "llama"},
            "model_info": {
                "general.architecture": "llama",
                "llama.context_length": self.models[name],
            },
            "capabilities": ["completion"],
        }

    def bodies(self, path: str) -> list[dict[str, Any]]:
        return [body for p, body in self.requests if p == path]


@pytest.fixture
def fake_ollama() -> Iterator[FakeOllama]:
    with FakeOllama({"tiny:latest": 32768, "other:7b": 4096}) as fake:
        yield fake


def test_streams_tokens_in_order(fake_ollama):
    backend = OllamaBackend(fake_ollama.url, "tiny:latest")
    chunks = list(backend.stream_chat([Message("user", "hi")], max_tokens=32, temperature=0.2))
    assert chunks == TOKENS
    chat = fake_ollama.bodies("/api/chat")[0]
    assert chat["stream"] is True
    assert chat["options"]["num_predict"] == 32
    assert chat["options"]["temperature"] == 0.2
    assert chat["messages"] == [{"role": "user", "content": "hi"}]


def test_num_ctx_covers_a_long_prompt(fake_ollama):
    """Ollama's default window (2048) would silently cut this prompt; num_ctx must not."""
    backend = OllamaBackend(fake_ollama.url, "tiny:latest")
    long_prompt = "word " * 4000  # 20,000 characters
    list(backend.stream_chat([Message("user", long_prompt)], max_tokens=400, temperature=0))
    num_ctx = fake_ollama.bodies("/api/chat")[0]["options"]["num_ctx"]
    assert num_ctx >= backend.count_tokens(long_prompt) + 400
    assert num_ctx <= 32768
    assert backend.context_tokens == 32768


def test_num_ctx_capped_at_the_model_window(fake_ollama):
    backend = OllamaBackend(fake_ollama.url, "other:7b")
    huge = "x" * 100_000
    list(backend.stream_chat([Message("user", huge)], max_tokens=100, temperature=0))
    assert fake_ollama.bodies("/api/chat")[0]["options"]["num_ctx"] == 4096


def test_short_prompt_keeps_the_default_window(fake_ollama):
    backend = OllamaBackend(fake_ollama.url, "tiny:latest")
    list(backend.stream_chat([Message("user", "hi")], max_tokens=100, temperature=0))
    assert fake_ollama.bodies("/api/chat")[0]["options"]["num_ctx"] == 2048


def test_default_model_is_the_first_listed(fake_ollama):
    backend = OllamaBackend(fake_ollama.url)
    assert backend.model == "tiny:latest"
    assert backend.list_models() == ["tiny:latest", "other:7b"]


def test_model_missing_message(fake_ollama):
    backend = OllamaBackend(fake_ollama.url, "llama3.2")
    with pytest.raises(BackendError) as err:
        list(backend.stream_chat([Message("user", "hi")], max_tokens=8, temperature=0))
    assert str(err.value) == "model llama3.2 is not pulled: run `ollama pull llama3.2`"
    with pytest.raises(BackendError, match="is not pulled"):
        backend.check()


def test_server_down_message():
    url = f"http://127.0.0.1:{free_port()}"
    backend = OllamaBackend(url, "tiny:latest")
    expected = (
        f"Ollama is not running at {url}: start it with `ollama serve`, or use --backend llamacpp"
    )
    with pytest.raises(BackendError) as err:
        list(backend.stream_chat([Message("user", "hi")], max_tokens=8, temperature=0))
    assert str(err.value) == expected
    with pytest.raises(BackendError) as err:
        backend.list_models()
    assert str(err.value) == expected


def test_no_api_key_sent_to_the_local_server(fake_ollama, monkeypatch):
    monkeypatch.setenv("OLLAMA_API_KEY", "secret-for-ollama-com")
    backend = OllamaBackend(fake_ollama.url, "tiny:latest")
    backend.list_models()
    assert all("authorization" not in {k.lower() for k in h} for h in fake_ollama.headers)


def test_remote_host_refused_before_any_request():
    with pytest.raises(EgressRefused):
        OllamaBackend("http://8.8.8.8:11434", "tiny:latest")


def test_auto_picks_ollama_when_it_answers_with_a_model(fake_ollama):
    settings = Settings(backend="auto", ollama_host=fake_ollama.url)
    assert choose_backend(settings).name == "ollama"


def test_auto_picks_llamacpp_when_nothing_answers():
    settings = Settings(backend="auto", ollama_host=f"http://127.0.0.1:{free_port()}")
    assert choose_backend(settings).name == "llamacpp"


def test_auto_picks_llamacpp_when_ollama_has_no_models():
    with FakeOllama({}) as fake:
        assert choose_backend(Settings(backend="auto", ollama_host=fake.url)).name == "llamacpp"


def test_explicit_backend_is_used_without_probing():
    assert choose_backend(Settings(backend="openai", ollama_host="http://8.8.8.8")).name == "openai"


def test_open_backend_returns_a_ready_ollama_backend(fake_ollama):
    backend = open_backend(Settings(backend="auto", ollama_host=fake_ollama.url))
    assert isinstance(backend, Backend)
    assert (backend.name, backend.model) == ("ollama", "tiny:latest")


def test_unknown_backend_name_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown backend 'gpt'"):
        choose_backend(Settings(backend="gpt"))


def test_cancel_cuts_a_stream_still_waiting_for_its_first_token():
    """Ollama reading a long prompt sends nothing for a while: cancel() from another thread
    ends the stream at once, quietly, and Ollama sees the connection close (which stops
    its generation). Over the wire to a server that stays silent (silent_server)."""
    with SilentServer() as server:
        assert_cut_before_the_first_byte(
            OllamaBackend(server.url.removesuffix("/v1"), "big-7b", context_tokens=4096), server
        )
