"""Which answers a model writes: `answer_mode` and what `auto` makes of a model's size."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant import library, models
from assistant.errors import ConfigError
from assistant.models.sizing import SMALL_GGUF_BYTES, is_small_model, small_gguf, tiny_by_name
from assistant.settings import Settings


class Named:
    """A served model known by its name only (no file): enough for the size rules."""

    name = "openai"

    def __init__(self, model: str) -> None:
        self.model = model


@pytest.mark.parametrize(
    ("model", "tiny"),
    [
        ("SmolLM2-135M-Instruct.Q4_1.gguf", True),
        ("qwen2.5:0.5b", True),
        ("llama3.2:1b", False),
        ("qwen2.5-7b-instruct", False),
        ("llama3.2", False),
    ],
)
def test_a_name_that_says_under_a_billion_parameters(model: str, tiny: bool) -> None:
    assert tiny_by_name(model) is tiny
    assert is_small_model(Named(model)) is tiny  # type: ignore[arg-type]


def test_a_gguf_file_is_judged_by_its_size(tmp_path: Path) -> None:
    small, big = tmp_path / "small.gguf", tmp_path / "big.gguf"
    small.write_bytes(b"\0" * 1024)
    with big.open("wb") as out:  # sparse: no disk is used
        out.truncate(SMALL_GGUF_BYTES + 1)
    assert small_gguf(small) and not small_gguf(big) and not small_gguf(tmp_path / "none.gguf")


def test_auto_quotes_for_a_tiny_model_and_lets_a_bigger_one_write() -> None:
    auto = Settings(answer_mode="auto")
    assert library.answer_mode(auto, None) == "extractive"
    assert library.answer_mode(auto, Named("qwen2.5:0.5b")) == "extractive"  # type: ignore[arg-type]
    assert library.answer_mode(auto, Named("llama3.1:8b")) == "generative"  # type: ignore[arg-type]
    forced = Settings(answer_mode="generative")
    assert library.answer_mode(forced, Named("qwen2.5:0.5b")) == "generative"  # type: ignore[arg-type]


def test_no_model_is_opened_where_none_will_write(tmp_path: Path) -> None:
    """A GGUF path that does not exist would fail to load: it is never tried."""
    missing = str(tmp_path / "missing.gguf")
    extractive = Settings(answer_mode="extractive", backend="llamacpp", model_path=missing)
    assert library.open_answerer(extractive) is None
    tiny = tmp_path / "tiny.gguf"
    tiny.write_bytes(b"\0" * 1024)
    auto = Settings(answer_mode="auto", backend="llamacpp", model_path=str(tiny))
    assert library.open_answerer(auto) is None


def test_any_backend_with_a_small_local_file_is_not_loaded_to_quote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size rule asks the plugin for its file, so a backend of one's own that loads a
    local model is judged like the embedded one, without naming it anywhere."""
    tiny = tmp_path / "tiny.gguf"
    tiny.write_bytes(b"\0" * 1024)

    def never_opened(settings: Settings) -> None:
        raise AssertionError("a model too small to write was loaded")

    plugin = SimpleNamespace(model_file=lambda settings: tiny, from_settings=never_opened)
    monkeypatch.setitem(models.REGISTERED, "local", plugin)
    assert library.open_answerer(Settings(answer_mode="auto", backend="local")) is None
    tiny.unlink()  # no file, no size to judge: the backend is opened and asked
    with pytest.raises(AssertionError, match="too small to write was loaded"):
        library.open_answerer(Settings(answer_mode="auto", backend="local"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("answer_mode", "poetic", "answer_mode must be one of auto, extractive, generative"),
        ("evidence_sentences", -1, "evidence_sentences must be at least 0"),
    ],
)
def test_bad_answer_settings_are_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings(**{field: value})  # type: ignore[arg-type]
