"""Tests for the OpenAI-compatible backend: a real llama-cpp-python server (slow), a tiny
SSE stand-in for the error paths, and a port with nothing listening."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import StubHandler, StubServer, assert_streams_a_reply, free_port
from silent_server import SilentServer, assert_cut_before_the_first_byte

from assistant.errors import BackendError, EgressRefused
from assistant.models.base import Message
from assistant.models.openai_backend import OpenAIBackend


class FakeOpenAI(StubServer):
    """Serves /v1/models and a streamed /v1/chat/completions, vLLM-style (404 for an
    unknown model), to test parsing and messages without starting a model."""

    def __init__(self, models: list[str], pieces: list[str]) -> None:
        fake = self
        self.bodies: list[dict[str, Any]] = []

        class Handler(StubHandler):
            def do_GET(self) -> None:
                if self.path == "/v1/models":
                    data = [{"id": m, "object": "model", "max_model_len": 16384} for m in models]
                    self.send_json(200, {"object": "list", "data": data})
                else:
                    self.send_json(404, {"error": "not found"})

            def do_POST(self) -> None:
                body = self.read_json()
                fake.bodies.append(body)
                if body["model"] not in models:
                    msg = f"The model `{body['model']}` does not exist."
                    self.send_json(404, {"error": {"message": msg, "code": 404}})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                role = {"choices": [{"index": 0, "delta": {"role": "assistant"}}]}
                self.wfile.write(f"data: {json.dumps(role)}\n\n".encode())
                self.wfile.write(b": keep-alive comment\n\n")
                for piece in pieces:
                    event = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                done = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())

        super().__init__(Handler)
        self.url += "/v1"


def test_connection_refused_message():
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(BackendError) as err:
        OpenAIBackend(url)
    assert str(err.value) == (
        f"no OpenAI-compatible server at {url}: start one (for example "
        "`python -m llama_cpp.server --model FILE`) or use --backend llamacpp"
    )
    backend = OpenAIBackend(url, "some-model")  # a named model needs no request up front
    with pytest.raises(BackendError, match="no OpenAI-compatible server"):
        list(backend.stream_chat([Message("user", "hi")], max_tokens=8, temperature=0))


def test_remote_server_refused():
    with pytest.raises(EgressRefused):
        OpenAIBackend("https://8.8.4.4/v1", "gpt")


def test_streams_sse_pieces_in_order():
    with FakeOpenAI(["qwen", "llama"], ["Hello", ", ", "world"]) as fake:
        backend = OpenAIBackend(fake.url)
        assert backend.model == "qwen"  # the first model the server lists
        assert backend.list_models() == ["qwen", "llama"]
        assert backend.context_tokens == 16384  # vLLM's max_model_len
        chunks = list(backend.stream_chat([Message("user", "hi")], max_tokens=9, temperature=0))
        assert chunks == ["Hello", ", ", "world"]
        assert fake.bodies[0]["stream"] is True
        assert fake.bodies[0]["max_tokens"] == 9


def test_model_not_served_names_it_and_lists_what_is():
    with FakeOpenAI(["qwen", "llama"], ["x"]) as fake:
        backend = OpenAIBackend(fake.url, "mistral")
        expected = (
            f"model mistral is not served at {fake.url}: it serves qwen, llama; "
            "set model to one of those"
        )
        with pytest.raises(BackendError) as err:
            list(backend.stream_chat([Message("user", "hi")], max_tokens=8, temperature=0))
        assert str(err.value) == expected
        with pytest.raises(BackendError) as err:
            backend.check()
        assert str(err.value) == expected


def test_wrong_base_url_says_so():
    with FakeOpenAI(["qwen"], ["x"]) as fake:
        wrong = fake.url.removesuffix("/v1")
        with pytest.raises(BackendError, match=r"answered 404 .*check openai_base_url"):
            OpenAIBackend(wrong)


@pytest.mark.slow
def test_real_llama_cpp_server_streams(llama_server):
    backend = OpenAIBackend(llama_server)
    assert backend.model in backend.list_models()
    assert backend.model.endswith(".gguf")
    backend.check()
    assert_streams_a_reply(backend)


@pytest.mark.slow
def test_real_server_prompt_too_long_is_a_clear_error(llama_server):
    """llama-cpp-python's server does not report its window and answers an oversized
    prompt with an empty 200 stream: that must not look like an empty answer."""
    backend = OpenAIBackend(llama_server)
    with pytest.raises(BackendError) as err:
        list(backend.stream_chat([Message("user", "word " * 3000)], max_tokens=16, temperature=0))
    assert "context window" in str(err.value)


def test_cancel_cuts_a_stream_still_waiting_for_its_first_token():
    """cancel() from another thread wakes the reader blocked before the first byte: the
    stream ends quietly and the server sees the connection close, before it sent anything."""
    with SilentServer() as server:
        assert_cut_before_the_first_byte(OpenAIBackend(server.url, "big-7b"), server)
