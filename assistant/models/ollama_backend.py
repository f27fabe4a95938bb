"""The Ollama backend: chats with a local `ollama serve` through the official `ollama` client."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import ollama

from assistant.egress import check_endpoint
from assistant.errors import BackendError
from assistant.models.base import Message, rewrites_well, served_by_name
from assistant.models.cutting import NO_KEEP_ALIVE, StreamCutter
from assistant.models.ollama_probe import normalize_host, probe
from assistant.settings import Settings

log = logging.getLogger(__name__)

MODEL_SETTING = "model"
DEFAULT_WINDOW = 8192  # when the server does not report the model's context length
OLLAMA_DEFAULT_NUM_CTX = 2048  # Ollama's own default; it silently cuts longer prompts
# Tokens a chat template adds per message (role markers, separators); generous on purpose.
PER_MESSAGE_OVERHEAD = 8
# Models can take minutes to load into memory on the first request; connecting must be quick.
TIMEOUT = httpx.Timeout(600.0, connect=5.0)


def estimate_tokens(text: str) -> int:
    """Ollama exposes no tokenizer over HTTP, so over-estimate: about 3 characters a token.

    Real tokenizers average nearer 4 characters a token on English prose; erring high keeps
    prompts inside the window at the price of a little unused context.
    """
    return math.ceil(len(text) / 3)


class OllamaBackend:
    """Streams answers from a model served by Ollama on this machine (or an allowed host)."""

    name = "ollama"

    def __init__(
        self,
        host: str,
        model: str | None = None,
        *,
        allowed_hosts: Sequence[str] = (),
        context_tokens: int | None = None,
        client: ollama.Client | None = None,
    ) -> None:
        self.host = host = normalize_host(host)
        check_endpoint(host, allowed_hosts)
        self._cutter = StreamCutter()
        self._client = client or _make_client(host, self._cutter)
        self._context_tokens = context_tokens
        self.model = model or self._first_model()

    @property
    def context_tokens(self) -> int:
        """The configured window, else the model's own (from `show`), else 8192."""
        if self._context_tokens is None:
            self._context_tokens = self._model_window()
        return self._context_tokens

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    def num_ctx_for(self, messages: Sequence[Message], max_tokens: int) -> int:
        """The `num_ctx` option a request needs so Ollama does not cut the prompt.

        Rounded up to a power of two (at least Ollama's 2048) because Ollama reloads the
        model whenever `num_ctx` changes: few distinct values mean few reloads.
        """
        needed = max_tokens + sum(
            self.count_tokens(m.content) + PER_MESSAGE_OVERHEAD for m in messages
        )
        size = OLLAMA_DEFAULT_NUM_CTX
        while size < needed:
            size *= 2
        return min(size, self.context_tokens)

    def stream_chat(
        self, messages: list[Message], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        options = {
            "num_ctx": self.num_ctx_for(messages, max_tokens),
            "num_predict": max_tokens,
            "temperature": temperature,
        }
        payload = [{"role": m.role, "content": m.content} for m in messages]
        log.debug("ollama chat model=%s options=%s", self.model, options)
        with self._errors(), self._cutter.stream():
            for part in self._client.chat(self.model, payload, stream=True, options=options):
                text = part.message.content
                if text:
                    yield text

    def cancel(self) -> None:
        """Cut the answer's stream now, even while Ollama still reads the prompt."""
        self._cutter.cut()

    def list_models(self) -> list[str]:
        with self._errors():
            return [m.model for m in self._client.list().models if m.model]

    def check(self) -> None:
        """`show` answers only for a pulled model, so one call checks server and model."""
        with self._errors():
            self._client.show(self.model)

    def _first_model(self) -> str:
        models = self.list_models()
        if not models:
            raise BackendError(
                f"Ollama at {self.host} has no models: pull one with `ollama pull MODEL` "
                "(for example `ollama pull llama3.2`), or use --backend llamacpp"
            )
        log.info("no model configured: using %s, the first model Ollama lists", models[0])
        return models[0]

    def _model_window(self) -> int:
        with self._errors():
            info: dict[str, Any] = dict(self._client.show(self.model).modelinfo or {})
        for key, value in info.items():
            if key.endswith(".context_length") and isinstance(value, int) and value > 0:
                return value
        return DEFAULT_WINDOW

    def _errors(self) -> _OllamaErrors:
        return _OllamaErrors(self.host, getattr(self, "model", None))


class _OllamaErrors:
    """Turns the client's exceptions into BackendErrors that say what to do."""

    def __init__(self, host: str, model: str | None) -> None:
        self.host = host
        self.model = model

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: object) -> bool:
        if exc is None:
            return False
        # A refused connection surfaces as the builtin ConnectionError from plain calls,
        # but as httpx.ConnectError from a stream (the client does not wrap that path).
        if isinstance(exc, (ConnectionError, httpx.ConnectError, httpx.ConnectTimeout)):
            raise BackendError(
                f"Ollama is not running at {self.host}: start it with `ollama serve`, "
                "or use --backend llamacpp"
            ) from exc
        if isinstance(exc, ollama.ResponseError):
            if exc.status_code == 404 and self.model:
                raise BackendError(
                    f"model {self.model} is not pulled: run `ollama pull {self.model}`"
                ) from exc
            raise BackendError(f"Ollama at {self.host} answered with an error: {exc}") from exc
        if isinstance(exc, httpx.HTTPError):
            raise BackendError(f"lost the connection to Ollama at {self.host}: {exc}") from exc
        return False


def _make_client(host: str, cutter: StreamCutter | None = None) -> ollama.Client:
    """A client that ignores the environment: no OLLAMA_API_KEY header, no proxies.

    The client adds `Authorization: Bearer $OLLAMA_API_KEY` by itself; a key meant for
    ollama.com has no business reaching a local server, so that header is removed. With a
    `cutter`, its streams can be cut (no keep-alive, so each request has its own socket).
    """
    extra: dict[str, Any] = {}
    if cutter is not None:
        extra = {"limits": NO_KEEP_ALIVE, "event_hooks": {"request": [cutter.attach_trace]}}
    client = ollama.Client(
        host=host, timeout=TIMEOUT, trust_env=False, follow_redirects=False, **extra
    )
    client._client.headers.pop("authorization", None)
    return client


# -- the plugin (see assistant.models.base.BackendPlugin) ----------------------------------


def from_settings(settings: Settings) -> OllamaBackend:
    return OllamaBackend(
        settings.ollama_host,
        settings.model,
        allowed_hosts=settings.allowed_hosts,
        context_tokens=settings.context_tokens,
    )


def list_models(settings: Settings) -> list[str]:
    models = probe(settings.ollama_host, settings.allowed_hosts)
    if models is None:
        raise BackendError(
            f"no Ollama server answers at {settings.ollama_host}: run `ollama serve`"
        )
    return models


can_rewrite = rewrites_well  # a served model is judged by the size its name says
model_file = served_by_name


def location(settings: Settings) -> str:
    return f"at {settings.ollama_host}"


def endpoints(settings: Settings) -> dict[str, str | None]:
    return {"ollama_host": settings.ollama_host}
