"""A throwaway model backend, complete in this one file: what adding LM Studio or vLLM takes.

It "answers" by quoting the first line of the first evidence it was given, cited by its
number, so a test can see
the real prompt went in and a real answer came out, without any model. Registered by the
tests in `assistant.models.REGISTERED`; nothing in the project knows its name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from assistant.models.base import Backend, Message, served_by_name
from assistant.settings import Settings

MODEL_SETTING = "model"
MODELS = ["echo-1", "echo-2"]
DEFAULT_WINDOW = 4096
_LABEL = re.compile(r"^\[(\d+)\] ")


class EchoBackend:
    name = "echo"

    def __init__(self, model: str | None = None, context_tokens: int | None = None) -> None:
        self.model = model or MODELS[0]
        self.context_tokens = context_tokens or DEFAULT_WINDOW

    def count_tokens(self, text: str) -> int:
        """No tokenizer: a safe over-estimate, as for a server that exposes none."""
        return math.ceil(len(text) / 3)

    def stream_chat(
        self, messages: list[Message], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        lines = messages[-1].content.splitlines()
        found = next(((n, m) for n, line in enumerate(lines) if (m := _LABEL.match(line))), None)
        if found is None:
            yield "Nothing was given."
            return
        label, match = found
        quote = next((t for t in lines[label + 1 :] if t.strip() and not t.startswith("#")), "")
        yield from ["The documents say: ", quote.strip(), f" [{match.group(1)}]"]

    def list_models(self) -> list[str]:
        return list(MODELS)

    def check(self) -> None:
        """Always ready."""


def from_settings(settings: Settings) -> EchoBackend:
    return EchoBackend(settings.model, settings.context_tokens)


def list_models(settings: Settings) -> list[str]:
    return list(MODELS)


def can_rewrite(backend: Backend) -> bool:
    return False


def location(settings: Settings) -> str:
    return "in the test"


def endpoints(settings: Settings) -> dict[str, str | None]:
    return {}


model_file = served_by_name
