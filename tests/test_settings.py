"""Settings layers: defaults < TOML config < environment < flags, typed, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.settings import Settings, load_settings


def test_layers_override_in_order(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('k = 7\nbackend = "ollama"\nallowed_hosts = ["10.0.0.5"]\nmax_file_mb = 3\n')
    env = {"ASSISTANT_K": "9", "ASSISTANT_CONTEXT_TOKENS": "2048"}
    settings = load_settings(config_file=config, environ=env, backend="llamacpp")
    assert settings.k == 9  # environment beats the file
    assert settings.backend == "llamacpp"  # a flag beats both
    assert settings.allowed_hosts == ["10.0.0.5"]
    assert settings.max_file_mb == 3.0
    assert settings.context_tokens == 2048 and isinstance(settings.context_tokens, int)
    assert settings.chunk_tokens == Settings().chunk_tokens  # untouched default


def test_flags_given_as_none_do_not_override(tmp_path: Path) -> None:
    settings = load_settings(
        config_file=tmp_path / "none.toml", environ={"ASSISTANT_K": "4"}, k=None
    )
    assert settings.k == 4


def test_ollama_host_from_its_own_variable(tmp_path: Path) -> None:
    settings = load_settings(
        config_file=tmp_path / "none.toml", environ={"OLLAMA_HOST": "127.0.0.1"}
    )
    assert settings.ollama_host == "http://127.0.0.1:11434"


def test_unknown_key_and_bad_value_are_errors_naming_the_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("colour = 'blue'\n")
    with pytest.raises(ConfigError, match=r"config.toml: unknown setting 'colour'"):
        load_settings(config_file=config, environ={})
    with pytest.raises(ConfigError, match=r"setting 'k' has a bad value 'many'"):
        load_settings(config_file=tmp_path / "none.toml", environ={"ASSISTANT_K": "many"})
    config.write_text("k = [")
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_settings(config_file=config, environ={})


def test_list_from_environment_is_comma_separated(tmp_path: Path) -> None:
    env = {"ASSISTANT_IGNORE": "*.bak, drafts/"}
    assert load_settings(config_file=tmp_path / "n.toml", environ=env).ignore == [
        "*.bak",
        "drafts/",
    ]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"environ": {"ASSISTANT_K": "0"}}, "k must be at least 1, not 0"),
        ({"k": -3}, "k must be at least 1, not -3"),
        ({"environ": {"ASSISTANT_CHUNK_OVERLAP": "200"}}, "chunk_overlap (200) must be less"),
        ({"environ": {"ASSISTANT_TEMPERATURE": "-1"}}, "temperature must not be negative"),
        ({"max_answer_tokens": 0}, "max_answer_tokens must be at least 1"),
        (
            {"environ": {"ASSISTANT_EMBEDDING_BACKEND": "gpu"}},
            "embedding_backend must be one of auto, onnx-int8, torch, not 'gpu'",
        ),
    ],
)
def test_values_that_would_do_nothing_are_refused(
    tmp_path: Path, where: dict, message: str
) -> None:
    """From any layer: k = 0 would quietly find nothing, an overlap as long as a chunk
    would fail deep inside the chunker."""
    environ = where.pop("environ", {})
    with pytest.raises(ConfigError) as refused:
        load_settings(config_file=tmp_path / "none.toml", environ=environ, **where)
    assert message in str(refused.value)
