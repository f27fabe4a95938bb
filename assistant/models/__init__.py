"""The registry of model backends, and the `auto` choice between them.

The module `assistant/models/<name>_backend.py` is the backend `<name>`: it provides what
`BackendPlugin` lists, so adding one (LM Studio, vLLM) is that one file, and no module
outside this package names a backend. A backend from elsewhere (a plugin of your own, a
test's stand-in) goes into `REGISTERED`. A backend module is imported only when it is
used, so its dependencies cost nothing to the commands that never answer.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import pkgutil
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ConfigError
from assistant.models.base import Backend, BackendPlugin, Message, rewrites_well
from assistant.settings import Settings

log = logging.getLogger(__name__)

AUTO = "auto"
MODULE_SUFFIX = "_backend"

REGISTERED: dict[str, BackendPlugin] = {}
"""Backends from outside this package, by name: `REGISTERED["lmstudio"] = module`."""

_imported: dict[str, BackendPlugin] = {}


def backend_names() -> list[str]:
    """Every backend by name: this package's modules in file-name order, then REGISTERED."""
    found = [
        m.name.removesuffix(MODULE_SUFFIX)
        for m in pkgutil.iter_modules(__path__)
        if m.name.endswith(MODULE_SUFFIX)
    ]
    return list(dict.fromkeys([*found, *REGISTERED]))


def backend_plugin(name: str) -> BackendPlugin:
    """The backend module (or registered plugin) called `name`; ConfigError if none is."""
    if name in REGISTERED:
        return REGISTERED[name]
    if name not in _imported:
        _check_known(name)
        module: BackendPlugin = importlib.import_module(f"{__name__}.{name}{MODULE_SUFFIX}")  # type: ignore[assignment]
        _imported[name] = module
    return _imported[name]


def _check_known(name: str) -> None:
    if name not in backend_names():
        names = ", ".join([AUTO, *backend_names()])
        raise ConfigError(f"unknown backend {name!r}: use one of {names}")


@dataclass(frozen=True)
class BackendChoice:
    name: str
    reason: str = ""  # why `auto` chose it; empty when the settings named it


def choose_backend(settings: Settings) -> BackendChoice:
    """The backend that answers for these settings; for `auto`, the first that can.

    `auto` prefers Ollama when a server answers on its host with at least one model,
    because a user who runs Ollama has chosen their model there. A GGUF file given with
    `model_path` means the embedded model. Otherwise the embedded model, which needs no
    server, so a fresh machine still answers. An Ollama host the egress policy refuses
    raises rather than falling back, so a config mistake is not silently hidden.
    """
    if settings.backend != AUTO:
        _check_known(settings.backend)
        return BackendChoice(settings.backend)
    if settings.model_path:
        return BackendChoice("llamacpp", "a model file was given")
    from assistant.models.ollama_probe import probe

    models = probe(settings.ollama_host, settings.allowed_hosts)
    if models:
        log.info("auto: Ollama answers at %s with %d models", settings.ollama_host, len(models))
        return BackendChoice("ollama", "Ollama answers with models")
    log.info("auto: no Ollama with models at %s, using the embedded model", settings.ollama_host)
    return BackendChoice("llamacpp", f"no Ollama with models at {settings.ollama_host}")


def list_models(settings: Settings, name: str) -> list[str]:
    """What backend `name` could answer with; for `auto`, what the backend it chooses now
    lists (the bundled SmolLM2 where no Ollama answers), not nothing."""
    if name == AUTO:
        name = choose_backend(settings).name
    return backend_plugin(name).list_models(settings)


def with_model(settings: Settings, backend: str, model: str | None) -> Settings:
    """The settings once `backend` and `model` are chosen (the chat's model screen): the
    model goes to the setting its backend reads. Under `auto` a model file (the bundled
    SmolLM2 it lists) is a `model_path`, which `auto` then loads; a name is a `model`."""
    if backend == AUTO and model and (model.endswith(".gguf") or Path(model).is_file()):
        field = "model_path"
    else:
        field = model_setting(backend)
    return dataclasses.replace(settings, backend=backend, **{field: model})


def model_setting(name: str) -> str:
    """The Settings field a model chosen for backend `name` is written to."""
    if name == AUTO or name not in backend_names():
        return "model"
    return backend_plugin(name).MODEL_SETTING


def can_rewrite(backend: Backend) -> bool:
    """Whether `backend`'s model should rewrite follow-up questions: its plugin says; a
    backend no plugin claims is judged by its model's name."""
    if backend.name in backend_names():
        return backend_plugin(backend.name).can_rewrite(backend)
    return rewrites_well(backend)


__all__ = [
    "AUTO",
    "REGISTERED",
    "Backend",
    "BackendChoice",
    "BackendPlugin",
    "Message",
    "backend_names",
    "backend_plugin",
    "can_rewrite",
    "choose_backend",
    "list_models",
    "model_setting",
    "with_model",
]
