"""Whether a model is too small to write answers better than quoting the evidence.

Measured for SmolLM2-135M (bench/RESULTS.md: its checked answers hold the gold answer less
often than the quoted best sentence). A model's size is read from what is at hand without
loading it: a GGUF file's size on disk, else the size its name gives (`qwen2.5:0.5b`,
`SmolLM2-135M`); a name that says nothing is trusted to be big enough.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.models.base import Backend
from assistant.settings import Settings

# About a billion parameters at 4-bit, half a billion at 8-bit: below, quote instead.
SMALL_GGUF_BYTES = 600_000_000
_TINY_NAME = re.compile(r"(?<![\d.])(0?\.\d+)\s*b\b|\d{2,3}m\b", re.IGNORECASE)


def tiny_by_name(model: str) -> bool:
    """A name that says the model has under a billion parameters."""
    return _TINY_NAME.search(model or "") is not None


def small_gguf(path: Path | None) -> bool:
    return path is not None and path.is_file() and path.stat().st_size < SMALL_GGUF_BYTES


def is_small_model(backend: Backend) -> bool:
    """Too small to write answers: a small GGUF file, or a name that says under 1B."""
    path = getattr(backend, "path", None)
    if isinstance(path, Path):
        return small_gguf(path)
    return tiny_by_name(backend.model)


def small_model_configured(settings: Settings) -> bool:
    """Whether the settings lead to a model too small to write answers, known without
    loading it (only a backend with a local model file can say so in advance)."""
    from assistant.models import backend_plugin, choose_backend

    return small_gguf(backend_plugin(choose_backend(settings).name).model_file(settings))
