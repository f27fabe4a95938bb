"""The GPU check: bare `model.encode` against a whole ingest of SciFact on one device.

Run through bench/gpu_check.sh (which installs from a wheelhouse first); prints one JSON
line. The bare pass and the ingest embed the same chunk texts with the same encoder
(sentence-transformers, fp16 on CUDA, the batch size the embedder picks for the GPU), so
their ratio is what the rest of the pipeline costs. GPU utilisation is sampled with
nvidia-smi during the ingest alone; peak memory is torch's own high-water mark.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest.offline import force_offline  # noqa: E402

force_offline()

from bench_ingest import chunk_texts, scifact_corpus  # noqa: E402

from ingest.embed import Embedder  # noqa: E402
from ingest.store import Index  # noqa: E402
from ingest.sync import Syncer, SyncOptions  # noqa: E402


class GpuSampler:
    """nvidia-smi every 200 ms in the background: utilisation % and memory used (MiB)."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []
        self._proc: subprocess.Popen[str] | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> GpuSampler:
        if shutil.which("nvidia-smi"):
            self._proc = subprocess.Popen(
                [
                    "nvidia-smi",
                    "--query-gpu=utilization.gpu,memory.used",
                    "--format=csv,noheader,nounits",
                    "-lms",
                    "200",
                    "-i",
                    os.environ.get("GPU_CHECK_INDEX", "0"),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            self._thread = threading.Thread(target=self._read, daemon=True)
            self._thread.start()
        return self

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            try:
                util, mem = (float(x) for x in line.split(","))
            except ValueError:
                continue
            self.samples.append((util, mem))

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=5)

    def summary(self) -> dict[str, Any]:
        if not self.samples:
            return dict.fromkeys(("gpu_util_mean_pct", "gpu_util_max_pct", "gpu_mem_used_max_mb"))
        utils = [u for u, _ in self.samples]
        return {
            "gpu_util_mean_pct": round(sum(utils) / len(utils), 1),
            "gpu_util_max_pct": max(utils),
            "gpu_mem_used_max_mb": max(m for _, m in self.samples),
            "gpu_samples": len(self.samples),
        }


def device_facts(device: str) -> dict[str, Any]:
    import torch

    facts: dict[str, Any] = {"torch": torch.__version__, "device": device}
    if device.startswith("cuda"):
        props = torch.cuda.get_device_properties(device)
        facts.update(gpu=props.name, gpu_memory_gb=round(props.total_memory / 2**30, 1))
    return facts


def peak_gpu_mb(device: str) -> float | None:
    import torch

    if device.startswith("cuda"):
        return round(torch.cuda.max_memory_allocated(device) / 2**20, 1)
    return None


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="gpu-check-"))
    try:
        docs_dir = scifact_corpus(work / "corpus", args.docs, Path(args.dataset))
        embedder = Embedder(device=args.device, backend="torch", batch_size=args.batch)
        t = time.perf_counter()
        encoder = embedder.encoder
        encoder.encode(["warm up"] * 64)
        load_s = time.perf_counter() - t
        texts = chunk_texts(docs_dir, embedder, work / "dry")

        def bare() -> float:
            t = time.perf_counter()
            encoder.encode(texts)
            if encoder.device.startswith("cuda"):
                import torch

                torch.cuda.synchronize()
            return time.perf_counter() - t

        bare1 = bare()
        index = Index(work / "data")
        with GpuSampler() as sampler:
            t = time.perf_counter()
            report = Syncer(index, embedder, SyncOptions()).sync([docs_dir])
            ingest_s = time.perf_counter() - t
        vectors = index.vectors.count()
        index.close()
        bare2 = bare()
        bare_s = (bare1 + bare2) / 2
        n = len(texts)
        ratio = bare_s / ingest_s
        return {
            "check": "gpu",
            **device_facts(encoder.device),
            "precision": encoder.precision,
            "batch_size": encoder.batch_size,
            "texts_per_call": embedder.texts_per_call,
            "docs": report.added,
            "chunks": n,
            "chunks_embedded_by_ingest": report.chunks_embedded,
            "vectors": vectors,
            "model_load_s": round(load_s, 2),
            "bare_s": [round(bare1, 2), round(bare2, 2)],
            "ingest_s": round(ingest_s, 2),
            "bare_chunks_per_s": round(n / bare_s, 1),
            "ingest_chunks_per_s": round(n / ingest_s, 1),
            "ingest_over_bare": round(ratio, 3),
            "target_ingest_over_bare": 0.8,
            "target_met": ratio >= 0.8,
            **sampler.summary(),
            "peak_gpu_mem_allocated_mb": peak_gpu_mb(encoder.device),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", default="cuda", help="cuda (default), cuda:N, mps or cpu")
    parser.add_argument("--docs", type=int, default=0, help="first N SciFact docs; 0 = all")
    parser.add_argument("--batch", type=int, help="encoder batch size (default: chosen by GPU)")
    parser.add_argument("--dataset", default="/work/shared/data/scifact")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M:%S %z")
    result = run(args)
    result.update(started=started, loadavg=[round(x, 2) for x in os.getloadavg()])
    result["command"] = " ".join(["bench/gpu_check.sh", *sys.argv[1:]])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
