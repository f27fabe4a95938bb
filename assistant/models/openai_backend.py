"""The OpenAI-compatible backend: any local server that speaks `/v1/chat/completions`.

vLLM, llama.cpp's server, llama-cpp-python's server and LM Studio all do. Plain httpx and
a few lines of SSE parsing keep the `openai` package (and its defaults) out of the project.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from assistant.egress import checked_http_client
from assistant.errors import BackendError
from assistant.models.base import Message, rewrites_well, served_by_name
from assistant.models.cutting import StreamCutter
from assistant.settings import Settings

log = logging.getLogger(__name__)

MODEL_SETTING = "model"
DEFAULT_WINDOW = 4096  # when neither the settings nor the server say
TIMEOUT = httpx.Timeout(600.0, connect=5.0)


class OpenAIBackend:
    """Streams answers from an OpenAI-compatible server on this machine (or an allowed host)."""

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str | None = None,
        *,
        allowed_hosts: Sequence[str] = (),
        api_key: str | None = None,
        context_tokens: int | None = None,
    ) -> None:
        self.base_url = base_url.strip().rstrip("/")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else None
        self._http = checked_http_client(
            self.base_url + "/", allowed_hosts, timeout=TIMEOUT, headers=headers, keep_alive=False
        )
        self._context_tokens = context_tokens
        self._served: list[dict[str, Any]] | None = None
        self._cutter = StreamCutter()
        self.model = model or self._first_model()

    @property
    def context_tokens(self) -> int:
        """The configured window, else what the server reports, else a safe 4096."""
        if self._context_tokens is None:
            self._context_tokens = self._server_window() or DEFAULT_WINDOW
        return self._context_tokens

    def count_tokens(self, text: str) -> int:
        """No tokenizer endpoint is common to these servers, so over-estimate: ~3 chars a token."""
        return math.ceil(len(text) / 3)

    def stream_chat(
        self, messages: list[Message], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        body = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "stream": True,
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        answered = finished = False
        with (
            self._errors(),
            self._cutter.stream() as (stopped, trace),
            self._http.stream(
                "POST", "chat/completions", json=body, extensions={"trace": trace}
            ) as reply,
        ):
            if reply.is_error:
                reply.read()
                self._raise_for(reply)
            for line in reply.iter_lines():
                text = _sse_text(line)
                if text is None:
                    finished = True
                    break
                if text:
                    answered = True
                    yield text
        if stopped.is_set():
            return
        if not finished and not answered:
            # llama-cpp-python's server answers 200 and then closes an empty stream when the
            # prompt does not fit its window; the reason is only in the server's own log.
            raise BackendError(
                f"the server at {self.base_url} ended the answer without any text: the "
                "prompt may exceed its context window (see the server's log), so set "
                "context_tokens to the window it was started with"
            )
        if not finished:
            log.warning(
                "the stream from %s ended without [DONE]: the answer may be cut", self.base_url
            )

    def cancel(self) -> None:
        """Cut every stream open now, even one still waiting for the server's first byte
        (a server reading a long prompt): see `cutting`."""
        self._cutter.cut()

    def list_models(self) -> list[str]:
        return [str(m["id"]) for m in self._models() if "id" in m]

    def check(self) -> None:
        served = self.list_models()
        if self.model not in served:
            raise self._not_served(served)

    def _models(self, refresh: bool = True) -> list[dict[str, Any]]:
        if self._served is None or refresh:
            with self._errors():
                reply = self._http.get("models")
                if reply.is_error:
                    raise BackendError(
                        f"{self.base_url}/models answered {reply.status_code} "
                        f"({_error_detail(reply)}): check openai_base_url (it usually ends in /v1)"
                    )
                try:
                    data = reply.json().get("data", [])
                except (ValueError, AttributeError) as exc:
                    raise BackendError(
                        f"{self.base_url}/models did not answer like an OpenAI-compatible "
                        "server: check openai_base_url (it usually ends in /v1)"
                    ) from exc
            self._served = [m for m in data if isinstance(m, dict)]
        return self._served

    def _first_model(self) -> str:
        served = self.list_models()
        if not served:
            raise BackendError(f"the server at {self.base_url} serves no model: load one in it")
        log.info("no model configured: using %s, the first model the server lists", served[0])
        return served[0]

    def _server_window(self) -> int | None:
        """vLLM lists `max_model_len` with each model; llama.cpp's server says n_ctx in /props."""
        try:
            for entry in self._models(refresh=False):
                if entry.get("id") == self.model:
                    for key in ("max_model_len", "context_length", "max_context_length"):
                        if isinstance(entry.get(key), int):
                            return int(entry[key])
        except BackendError:
            return None
        try:
            reply = self._http.get(str(self._http.base_url.join("/props")))
            if reply.status_code == 200:
                props = reply.json()
                n_ctx = props.get("default_generation_settings", {}).get("n_ctx") or props.get(
                    "n_ctx"
                )
                if isinstance(n_ctx, int) and n_ctx > 0:
                    return n_ctx
        except (httpx.HTTPError, ValueError, AttributeError):
            pass
        return None

    def _raise_for(self, reply: httpx.Response) -> None:
        """Say which model is missing and what is served, since that is the usual 4xx."""
        detail = _error_detail(reply)
        if reply.status_code in (400, 404):
            try:
                served = self.list_models()
            except BackendError:
                served = None
            if served is not None and self.model not in served:
                raise self._not_served(served)
        raise BackendError(f"the server at {self.base_url} answered {reply.status_code}: {detail}")

    def _not_served(self, served: list[str]) -> BackendError:
        listing = ", ".join(served) if served else "nothing"
        return BackendError(
            f"model {self.model} is not served at {self.base_url}: it serves {listing}; "
            "set model to one of those"
        )

    def _errors(self) -> _HttpErrors:
        return _HttpErrors(self.base_url)


class _HttpErrors:
    """Turns transport failures into BackendErrors that say what to do."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
            raise BackendError(
                f"no OpenAI-compatible server at {self.base_url}: start one (for example "
                "`python -m llama_cpp.server --model FILE`) or use --backend llamacpp"
            ) from exc
        if isinstance(exc, httpx.HTTPError):
            raise BackendError(f"lost the connection to {self.base_url}: {exc}") from exc
        return False


def _sse_text(line: str) -> str | None:
    """The text in one SSE line: "" for lines without any, None at `[DONE]`."""
    if not line.startswith("data:"):
        return ""  # blank separators, comments (": ping"), event: lines
    payload = line[len("data:") :].strip()
    if payload == "[DONE]":
        return None
    try:
        event = json.loads(payload)
    except ValueError:
        log.debug("skipping a malformed SSE line: %r", line)
        return ""
    if not isinstance(event, dict):
        return ""
    if event.get("error"):
        raise BackendError(f"the model server reported an error: {event['error']}")
    choices = event.get("choices") or []
    if not choices or not isinstance(choices[0], dict):
        return ""  # e.g. a final usage-only event
    delta = choices[0].get("delta") or {}
    return str(delta.get("content") or "")


def _error_detail(reply: httpx.Response) -> str:
    try:
        data = reply.json()
    except ValueError:
        return reply.text[:200]
    error = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(error, dict):
        error = error.get("message", error)
    return str(error)[:200]


# -- the plugin (see assistant.models.base.BackendPlugin) ----------------------------------


def from_settings(settings: Settings) -> OpenAIBackend:
    return OpenAIBackend(
        settings.openai_base_url,
        settings.model,
        allowed_hosts=settings.allowed_hosts,
        api_key=settings.openai_api_key,
        context_tokens=settings.context_tokens,
    )


def list_models(settings: Settings) -> list[str]:
    """Asks the server: a placeholder model name, because listing needs none."""
    return OpenAIBackend(
        settings.openai_base_url,
        "any",
        allowed_hosts=settings.allowed_hosts,
        api_key=settings.openai_api_key,
    ).list_models()


can_rewrite = rewrites_well  # a served model is judged by the size its name says
model_file = served_by_name


def location(settings: Settings) -> str:
    return f"at {settings.openai_base_url}"


def endpoints(settings: Settings) -> dict[str, str | None]:
    return {"openai_base_url": settings.openai_base_url}
