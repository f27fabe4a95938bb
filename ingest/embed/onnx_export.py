"""Make the int8 ONNX copy of a local model, once, from its own weights, offline.

The only part of the ONNX path that needs torch: it runs when the cached file is missing
(the first ingest on a CPU, in practice), and what it writes is keyed by the model
folder's fingerprint, so a changed model is exported again and an unchanged one never is.

Recipe, each step measured in bench/RESULTS.md: the transformer exported with eager
attention (the pattern onnxruntime's BERT optimizer fuses), the fusions applied offline,
then dynamic quantization with signed int8 weights per channel (unsigned weights and
per-tensor scales drifted further from fp32 vectors).
"""

from __future__ import annotations

import inspect
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

from ingest.embed.model_dir import ModelDir
from ingest.errors import UserError

log = logging.getLogger(__name__)

SUFFIX = ".int8.onnx"
OPSET = 17


class ExportFailed(UserError):
    exit_code = 2


def cached_model_path(cache_dir: Path, model: ModelDir) -> Path:
    return cache_dir / f"{model.short_name}-{model.fingerprint}{SUFFIX}"


def export_int8(model: ModelDir, target: Path) -> Path:
    """Write the int8 model to `target` atomically (a second process exporting at the same
    time writes its own temp file; whichever renames last wins, both are whole)."""
    reason = model.onnx_unsupported()
    if reason:
        raise ExportFailed(f"{model.name}: cannot run on the ONNX path: {reason}")
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("making the int8 copy of %s for this CPU, once (about 10 s): %s", model.name, target)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as work:
        fp32 = Path(work) / "model.onnx"
        try:
            config = _export_fp32(model, fp32)
            source = _fuse(fp32, config, Path(work) / "fused.onnx")
            partial = Path(work) / "model.int8.onnx"
            _quantize(source, partial)
        except ImportError as exc:
            raise ExportFailed(
                f"cannot export {model.name} to ONNX: {exc.name or exc} is not installed "
                "(pip install onnx torch transformers), or set embedding_backend = torch"
            ) from exc
        except Exception as exc:  # the exporters raise anything; the cause goes in the log
            log.debug("ONNX export failed", exc_info=True)
            raise ExportFailed(
                f"cannot export {model.name} to ONNX ({type(exc).__name__}: {exc}); "
                "set embedding_backend = torch"
            ) from exc
        os.replace(partial, target)
    for stale in target.parent.glob(f"{model.short_name}-*{SUFFIX}"):
        if stale != target:
            stale.unlink(missing_ok=True)
    return target


def _export_fp32(model: ModelDir, out: Path) -> Any:
    """The transformer alone, batch and sequence dynamic; pooling is done by the caller.
    Returns the model's config, whose type (bert, mpnet, ...) decides the fusions."""
    import torch
    from transformers import AutoModel

    net = AutoModel.from_pretrained(
        str(model.path), local_files_only=True, attn_implementation="eager"
    ).eval()
    names = ["input_ids", "attention_mask"]
    if "token_type_ids" in inspect.signature(net.forward).parameters:
        names.append("token_type_ids")

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.inner(**dict(zip(names, inputs, strict=True))).last_hidden_state

    dummy = tuple(torch.ones(2, 16, dtype=torch.long) for _ in names)
    axes = {name: {0: "batch", 1: "sequence"} for name in [*names, "last_hidden_state"]}
    # The tracer warns about Python branches on shapes: they hold for every batch here.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState(net),
            dummy,
            str(out),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )
    return net.config


def _fuse(fp32: Path, config: Any, out: Path) -> Path:
    """onnxruntime's transformer fusions (attention, layer norms, GELU) for BERT-family
    models, which the quantizer then turns into its fused int8 kernels."""
    if getattr(config, "model_type", "") != "bert":
        return fp32
    from onnxruntime.transformers import optimizer

    fused = optimizer.optimize_model(
        str(fp32),
        model_type="bert",
        num_heads=int(config.num_attention_heads),
        hidden_size=int(config.hidden_size),
    )
    fused.save_model_to_file(str(out))
    return out


def _quantize(source: Path, out: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    hint = _DropPreprocessingHint()
    root.addFilter(hint)
    try:
        quantize_dynamic(
            str(source),
            str(out),
            weight_type=QuantType.QInt8,
            per_channel=True,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        root.removeFilter(hint)


class _DropPreprocessingHint(logging.Filter):
    """The quantizer warns on the root logger that shape pre-processing was not run: it
    is meant for static image models, and the fused graph already carries every shape."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Please consider to run pre-processing")
