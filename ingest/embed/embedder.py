"""The embedder: one local model, its tokenizer, and the encoder that runs it on this machine.

The tokenizer loads on its own (a small Rust library) so chunking and unchanged-file syncs
never load a model; the encoder loads only when something must be embedded. On a CPU the
encoder is the int8 ONNX model (no torch import: a one-shot starts in well under a
second); on CUDA or MPS, or when the ONNX path cannot run, sentence-transformers on torch.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.embed.device import pick_device
from ingest.embed.model_dir import ModelDir
from ingest.errors import UserError
from ingest.offline import force_offline

if TYPE_CHECKING:
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

BACKENDS = ("auto", "onnx-int8", "torch")

# Exported int8 files this process has, by model fingerprint: a second data dir (a test,
# an eval index) gets a copy instead of a second export.
_exported: dict[str, Path] = {}
_exported_lock = threading.Lock()


class BadBackend(UserError):
    exit_code = 2


@dataclass(frozen=True)
class Plan:
    """What will embed, known without loading anything (for `status`)."""

    backend: str  # onnx-int8 or torch
    device: str
    precision: str  # int8, fp16, fp32
    note: str = ""  # why auto did not take the int8 path, or that its file is not made yet


class Embedder:
    """Turns chunk texts into normalized vectors with one local model.

    `name` and `dimension` are what the index records, so a different model is refused
    instead of mixing vectors from two embedding spaces. The int8 and fp32 encoders of one
    model share its name: their vectors agree closely enough to mix (bench/RESULTS.md).
    """

    def __init__(
        self,
        model: str | None = None,
        device: str | None = None,
        batch_size: int | None = None,
        backend: str = "auto",
        cache_dir: Path | None = None,
    ) -> None:
        force_offline()
        if backend not in BACKENDS:
            raise BadBackend(
                f"embedding_backend must be one of {', '.join(BACKENDS)}, not {backend!r}"
            )
        self.model_dir = ModelDir.of(model)
        self.name, self.path = self.model_dir.name, self.model_dir.path
        self.requested_device = device
        self.requested_backend = backend
        self.batch_size = batch_size
        self.cache_dir = cache_dir
        self.max_seq_length = self.model_dir.max_seq_length
        self._loaded_note = ""  # once loaded: why torch embeds (on a CPU), if it does
        self._tokenizer: Tokenizer | None = None
        self._encoder: Any = None
        self._lock = threading.Lock()
        # A fast tokenizer raises "Already borrowed" when two threads encode at once (a
        # server's requests, a watcher beside a search); on a CPU nothing is lost by taking turns.
        self._encode_lock = threading.Lock()
        self._loader: threading.Thread | None = None

    # -- tokens (no model needed) -----------------------------------------------------------
    @property
    def dimension(self) -> int:
        """From the model's own config, so checking an index needs no model load."""
        declared = self.model_dir.dimension
        return declared if declared is not None else len(self.embed(["dimension"])[0])

    @property
    def tokenizer(self) -> Tokenizer:
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(str(self.path / "tokenizer.json"))
            # The shipped tokenizer.json truncates at 128 and pads: counting needs neither.
            tok.no_truncation()
            tok.no_padding()
            self._tokenizer = tok
        return self._tokenizer

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each text as the model sees them, special tokens included. The chunker
        counts every piece this way: `encode_batch_fast` skips the character offsets that
        counting does not need (a sixth of a reader worker's time)."""
        encode = getattr(self.tokenizer, "encode_batch_fast", self.tokenizer.encode_batch)
        encodings = encode(list(texts), add_special_tokens=True)
        return [len(e.ids) for e in encodings]

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """Character span of every token of `text` (no special tokens), for hard splits."""
        return list(self.tokenizer.encode(text, add_special_tokens=False).offsets)

    # -- which encoder ----------------------------------------------------------------------
    def plan(self) -> Plan:
        """The encoder this embedder loads (or loaded), without loading it."""
        if self._encoder is not None:
            encoder = self._encoder
            return Plan(encoder.backend, encoder.device, encoder.precision, self._loaded_note)
        device = pick_device(self.requested_device)
        why_not = self._why_not_onnx(device)
        if why_not is not None:
            if self.requested_backend == "onnx-int8":
                raise BadBackend(f"embedding_backend = onnx-int8 cannot run: {why_not}")
            return Plan("torch", device, "fp16" if device.startswith("cuda") else "fp32", why_not)
        note = ""
        if self.cache_dir is None or not self._cached_file().is_file():
            note = "the int8 model is made from the bundled one at the first embedding (once)"
        return Plan("onnx-int8", "cpu", "int8", note)

    def _why_not_onnx(self, device: str) -> str | None:
        from ingest.embed.onnx_encoder import onnxruntime_available

        if self.requested_backend == "torch":
            return "embedding_backend = torch"
        if device != "cpu":
            return f"the int8 ONNX model runs on the CPU, and {device} is in use"
        if not onnxruntime_available():
            return "onnxruntime is not installed"
        if self.cache_dir is None:
            return "no folder to keep the int8 model in"
        return self.model_dir.onnx_unsupported()

    def _cached_file(self) -> Path:
        from ingest.embed.onnx_export import cached_model_path

        assert self.cache_dir is not None
        return cached_model_path(self.cache_dir, self.model_dir)

    @property
    def device(self) -> str:
        return self.plan().device

    @property
    def precision(self) -> str:
        return self.plan().precision

    @property
    def backend(self) -> str:
        return self.plan().backend

    @property
    def encoder(self) -> Any:
        with self._lock:
            if self._encoder is None:
                self._encoder = self._load()
            return self._encoder

    @property
    def texts_per_call(self) -> int:
        """How many texts one embed call should get: several of the encoder's batches, so
        a GPU is not left waiting between calls."""
        return max(256, 4 * int(self.encoder.batch_size))

    def _load(self) -> Any:
        plan = self.plan()
        self._loaded_note = plan.note if plan.backend == "torch" else ""
        if plan.backend == "onnx-int8":
            try:
                return self._load_onnx()
            except UserError as exc:
                if self.requested_backend == "onnx-int8":
                    raise
                self._loaded_note = str(exc)
                log.warning("embedding with torch fp32 instead of int8 ONNX: %s", exc)
        from ingest.embed.torch_encoder import TorchEncoder

        return TorchEncoder(self.model_dir, plan.device, self.batch_size)

    def _load_onnx(self) -> Any:
        from ingest.embed.onnx_encoder import OnnxEncoder
        from ingest.embed.onnx_export import export_int8

        target = self._cached_file()
        with _exported_lock:
            if not target.is_file():
                made = _exported.get(self.model_dir.fingerprint)
                if made is not None and made.is_file():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(made, target)
                else:
                    export_int8(self.model_dir, target)
            _exported.setdefault(self.model_dir.fingerprint, target)
        return OnnxEncoder(self.model_dir, target, self.batch_size or 1)

    def first_load_step(self) -> str | None:
        """What loading the encoder will make first, or None: the int8 copy of the model,
        exported once per model and machine (about 10 s). Said without loading anything."""
        if self._encoder is not None or self.plan().backend != "onnx-int8":
            return None
        made = _exported.get(self.model_dir.fingerprint)
        if self._cached_file().is_file() or (made is not None and made.is_file()):
            return None
        return f"the int8 copy of {self.model_dir.short_name} for this CPU"

    def import_runtime(self) -> None:
        """Import what the encoder runs on, on this thread, before other threads import
        their own libraries (numpy breaks when two threads import it at once)."""
        import numpy  # noqa: F401

        if self._encoder is None and self.plan().backend == "onnx-int8":
            import onnxruntime  # noqa: F401
            import tokenizers  # noqa: F401

    def load_in_background(self) -> None:
        """Start loading the encoder now so the first batch does not wait for it."""
        if self._encoder is None and self._loader is None:

            def load() -> None:
                try:
                    self.encoder  # noqa: B018 - the property loads it
                except Exception:  # the caller's first embed raises it again, in its thread
                    log.debug("background model load failed", exc_info=True)

            self._loader = threading.Thread(target=load, daemon=True)
            self._loader.start()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        encoder = self.encoder
        with self._encode_lock:
            return encoder.encode(list(texts)).tolist()
