"""The one small interface every model backend implements, and the messages it takes.

The answer layer owns the prompt and the citations; a backend only streams tokens of a
chat, lists its models, checks it can answer, and counts tokens so prompts fit its window.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Message:
    role: str  # "system", "user" or "assistant"
    content: str


@runtime_checkable
class Backend(Protocol):
    name: str  # the registry name: "ollama", "openai", "llamacpp"
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
