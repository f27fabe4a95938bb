"""The two small interfaces of a model backend, and the messages it takes.

`Backend` is an open backend: the answer layer owns the prompt and the citations, so a
backend only streams tokens of a chat, lists its models, checks it can answer, and counts
tokens so prompts fit its window. `BackendPlugin` is what a backend *module* provides, so
the registry can open it from the settings and the faces never need to know its name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from assistant.settings import Settings


@dataclass(frozen=True)
class Message:
    role: str  # "system", "user" or "assistant"
    content: str


@runtime_checkable
class Backend(Protocol):
    name: str  # its name in the registry
    model: str  # the model that answers, as the backend names it

    @property
    def context_tokens(self) -> int:
        """The model's context window in its own tokens (prompt plus answer)."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` in the model's tokenizer, or a safe over-estimate where the
        server does not expose one."""
        ...

    def stream_chat(
        self, messages: list[Message], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        """Yield the answer's text as it is generated; raise BackendError with a fix."""
        ...

    def list_models(self) -> list[str]: ...

    def check(self) -> None:
        """Raise BackendError (with what to do) unless the backend can answer now."""
        ...


@runtime_checkable
class Cancellable(Protocol):
    """A backend that can stop a generation at once, from another thread (Esc in the chat):
    the embedded model aborts llama.cpp mid-step, a server's stream has its connection cut.
    Its `stream_chat` then ends quietly with what was written. Optional: a backend without
    it stops at its next token."""

    def cancel(self) -> None: ...


class BackendPlugin(Protocol):
    """What a backend module provides (module-level names): `assistant/models/x_backend.py`
    is the backend `x`, found by its file name."""

    # The Settings field a model chosen in the chat's model screen is written to: a name
    # the server knows ("model") or a model file ("model_path").
    MODEL_SETTING: str

    def from_settings(self, settings: Settings) -> Backend:
        """The backend, ready to stream; raise BackendError/EgressRefused with the fix."""
        ...

    def list_models(self, settings: Settings) -> list[str]:
        """What it could answer with; raise BackendError (with the fix) when it cannot say."""
        ...

    def can_rewrite(self, backend: Backend) -> bool:
        """Whether its model rewrites a follow-up question into a search query better than
        the rule does (`rewrites_well` judges a served model by its name)."""
        ...

    def location(self, settings: Settings) -> str:
        """Where it answers, for `doctor`: "at http://127.0.0.1:11434", "in this process"."""
        ...

    def endpoints(self, settings: Settings) -> dict[str, str | None]:
        """The settings that name a network endpoint it talks to (`doctor` checks each
        against the egress policy); {} for a backend that runs in this process."""
        ...

    def model_file(self, settings: Settings) -> Path | None:
        """The local model file it would load, known without loading it: its size says
        whether the model can write answers before a second is spent loading it (None for
        a model served by name; `served_by_name` says so)."""
        ...


def served_by_name(settings: Settings) -> Path | None:
    """A served model has no local file: its size is read from its name once open."""
    return None


_SMALL_MODEL = re.compile(r"(?<![\d.])(0?\.\d+|[1-3](\.\d+)?)\s*b\b|\d{2,3}m\b", re.IGNORECASE)


def rewrites_well(backend: Backend) -> bool:
    """Only a model of some size rewrites a follow-up better than the rule; a 135M one
    invents topics. The name usually says the size (`qwen2.5:0.5b`, `SmolLM2-135M`), and a
    name that does not is trusted."""
    return _SMALL_MODEL.search(backend.model or "") is None
