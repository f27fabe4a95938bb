"""The registry of model backends by name, and `open_backend`, which picks one for `auto`.

Adding a backend is one module with a class that has `from_settings(settings)`, plus one
line in `BACKENDS`. Backend modules import their heavy dependencies lazily, so importing
this package costs nothing for backends that are not used.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from assistant.errors import ConfigError
from assistant.models.base import Backend, Message
from assistant.settings import Settings

log = logging.getLogger(__name__)


def _ollama(settings: Settings) -> Backend:
    from assistant.models.ollama_backend import OllamaBackend

    return OllamaBackend.from_settings(settings)


def _openai(settings: Settings) -> Backend:
    from assistant.models.openai_backend import OpenAIBackend

    return OpenAIBackend.from_settings(settings)


def _llamacpp(settings: Settings) -> Backend:
    from assistant.models.llamacpp_backend import LlamaCppBackend

    return LlamaCppBackend.from_settings(settings)


BACKENDS: dict[str, Callable[[Settings], Backend]] = {
    "ollama": _ollama,
    "openai": _openai,
    "llamacpp": _llamacpp,
}


def choose_backend_name(settings: Settings) -> str:
    """The backend `open_backend` will use; for `auto`, the first that can answer.

    `auto` prefers Ollama when a server answers on its host with at least one model,
    because a user who runs Ollama has chosen their model there. A GGUF file given with
    `model_path` means the embedded model. Otherwise the embedded model, which needs no
    server, so a fresh machine still answers. An Ollama host the egress policy refuses
    raises rather than falling back, so a config mistake is not silently hidden.
    """
    if settings.backend != "auto":
        if settings.backend not in BACKENDS:
            names = ", ".join(["auto", *BACKENDS])
            raise ConfigError(f"unknown backend {settings.backend!r}: use one of {names}")
        return settings.backend
    if settings.model_path:
        return "llamacpp"
    from assistant.models.ollama_backend import probe

    models = probe(settings.ollama_host, settings.allowed_hosts)
    if models:
        log.info("auto: Ollama answers at %s with %d models", settings.ollama_host, len(models))
        return "ollama"
    log.info("auto: no Ollama with models at %s, using the embedded model", settings.ollama_host)
    return "llamacpp"


def open_backend(settings: Settings) -> Backend:
    """The configured backend, ready to stream; raises BackendError/EgressRefused with a fix."""
    return BACKENDS[choose_backend_name(settings)](settings)


__all__ = ["BACKENDS", "Backend", "Message", "choose_backend_name", "open_backend"]
