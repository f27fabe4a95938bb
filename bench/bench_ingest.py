"""Ingest benchmarks: throughput against the bare model, unchanged re-ingest, peak memory.

Run by hand, never in the tests (timings on a shared 2-core machine are not assertions):

    python bench/bench_ingest.py throughput [--docs 1500]
    python bench/bench_ingest.py overhead [--docs 1500] [--workers N]
    python bench/bench_ingest.py overhead-compare --old-code DIR [--docs 0] [--rounds 2]
    python bench/bench_ingest.py reingest [--files 10000]
    python bench/bench_ingest.py memory [--chunks 100000] [--real-model]

Each prints a JSON result on its last line; bench/RESULTS.md holds the numbers we got.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

# BENCH_CODE_ROOT: measure another checkout's ingest code (e.g. `git archive` of an older
# commit) with this same script, for before/after numbers.
ROOT = Path(os.environ.get("BENCH_CODE_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

from ingest.offline import force_offline  # noqa: E402

force_offline()

from ingest.chunk import embedding_text  # noqa: E402
from ingest.embed import Embedder  # noqa: E402
from ingest.store import Index  # noqa: E402
from ingest.sync import Syncer, SyncListener, SyncOptions  # noqa: E402

SCIFACT = Path("/work/shared/data/scifact")


def rss_mb() -> float:
    """This process's resident set now (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RssSampler:
    """Samples RSS in a thread, so the curve (flat or growing) is visible, not just the peak."""

    def __init__(self, every: float = 0.5) -> None:
        self.every = every
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._start = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic() - self._start, rss_mb()))
            self._stop.wait(self.every)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class StandInEmbedder(Embedder):
    """The real tokenizer and model identity, but vectors from a hash instead of the model.

    Only for the runs that measure everything *except* the model (memory shape at 100k
    chunks, filling an index for the re-ingest test): the model would take 80 minutes.
    """

    texts_per_call = 256  # as on a CPU; the property would load the real encoder

    def load_in_background(self) -> None:
        """Nothing to load. (Inherited, it loaded the real model on a thread during the
        timed sync: up to 11 s of CPU that the overhead runs before 2026-12-02 counted.)"""

    def embed(self, texts: Any) -> list[list[float]]:
        import numpy as np

        out = []
        for text in texts:
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
            out.append((v / np.linalg.norm(v)).tolist())
        return out

    @property
    def dimension(self) -> int:
        return 384


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    import torch

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "ram_gb": round(mem, 1),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "platform": platform.platform(),
        "loadavg_at_start": os.getloadavg(),
    }


def scifact_corpus(folder: Path, docs: int | None, dataset: Path = SCIFACT) -> Path:
    """The first `docs` SciFact (train) documents (all when None) as files in `folder`."""
    from assistant.eval.beir import BeirDataset, load_beir, write_corpus_files

    full = load_beir(dataset, "train")
    corpus = list(itertools.islice(full.corpus, docs)) if docs else full.corpus
    write_corpus_files(BeirDataset(corpus, {}, {}, "train"), folder)
    return folder


# -- 1. throughput ---------------------------------------------------------------------


def throughput(args: argparse.Namespace) -> dict[str, Any]:
    """Ingest SciFact docs end to end vs `model.encode` of the same chunk texts.

    Order bare / ingest / bare, so drift from other load on the machine shows up as a gap
    between the two bare runs instead of silently favouring one side.
    """
    work = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    try:
        docs_dir = scifact_corpus(work / "corpus", args.docs)
        n_docs = sum(1 for _ in docs_dir.iterdir())

        embedder = Embedder(
            device=args.device,
            batch_size=args.batch,
            backend=args.backend,
            cache_dir=work / "models",
        )
        t0 = time.perf_counter()
        encoder = embedder.encoder
        encoder.encode(["warm up the model"] * 8)
        load_s = time.perf_counter() - t0

        # The chunk texts exactly as ingest embeds them: chunk once up front with the same
        # chunker (a dry index), so the first bare pass can run before ingest.
        texts = chunk_texts(docs_dir, embedder, work / "dry")

        def bare() -> float:
            t = time.perf_counter()
            encoder.encode(texts)
            return time.perf_counter() - t

        bare1 = bare()
        index = Index(work / "data")
        options = SyncOptions(embed_batch=args.embed_batch)
        with RssSampler() as sampler:
            t = time.perf_counter()
            report = Syncer(index, embedder, options).sync([docs_dir])
            ingest_s = time.perf_counter() - t
        stored = [
            embedding_text(r[0], json.loads(r[1]))
            for r in index.catalog.db.execute("SELECT text, headings FROM chunks ORDER BY rowid")
        ]
        vectors = index.vectors.count()
        index.close()
        bare2 = bare()
        bare_s = (bare1 + bare2) / 2
        n = len(texts)
        return {
            "bench": "throughput",
            "docs": n_docs,
            "chunks": n,
            "chunks_embedded_by_ingest": report.chunks_embedded,
            "vectors": vectors,
            "same_texts": sorted(stored) == sorted(texts),
            "encoder": f"{encoder.backend} {encoder.device} {encoder.precision}",
            "batch_size": encoder.batch_size,
            "embed_batch": args.embed_batch or embedder.texts_per_call,
            "model_load_s": round(load_s, 2),
            "bare_s": [round(bare1, 1), round(bare2, 1)],
            "ingest_s": round(ingest_s, 1),
            "bare_chunks_per_s": round(n / bare_s, 2),
            "ingest_chunks_per_s": round(n / ingest_s, 2),
            "ratio": round(bare_s / ingest_s, 3),
            "ingest_peak_rss_mb": round(max(r for _, r in sampler.samples), 0),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def chunk_texts(docs_dir: Path, embedder: Embedder, dry: Path) -> list[str]:
    """Every chunk's embedding text, via the real sync pipeline with the stand-in embedder."""
    stand_in = StandInEmbedder()
    stand_in._tokenizer = embedder.tokenizer
    index = Index(dry)
    Syncer(index, stand_in, SyncOptions()).sync([docs_dir])
    rows = index.catalog.db.execute("SELECT text, headings FROM chunks ORDER BY rowid")
    texts = [embedding_text(r[0], json.loads(r[1])) for r in rows]
    index.close()
    return texts


def overhead(args: argparse.Namespace) -> dict[str, Any]:
    """Everything ingest does except the model (read, chunk, write Chroma and catalog),
    timed with the stand-in embedder on the same SciFact docs: the part that must hide
    behind the model."""
    work = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    try:
        docs_dir = scifact_corpus(work / "corpus", args.docs)
        index = Index(work / "data")
        index.vectors  # noqa: B018 - Chroma's import (a second) is no part of the per-chunk cost
        # Older code has no workers option; --workers is for the pipeline's.
        options = SyncOptions(workers=args.workers) if args.workers else SyncOptions()
        t = time.perf_counter()
        report = Syncer(index, StandInEmbedder(), options).sync([docs_dir])
        seconds = time.perf_counter() - t
        index.close()
        return {
            "bench": "overhead",
            "code": str(ROOT),
            "workers": args.workers,
            "docs": report.added,
            "chunks": report.chunks_embedded,
            "seconds": round(seconds, 2),
            "ms_per_chunk": round(1000 * seconds / max(1, report.chunks_embedded), 2),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def overhead_compare(args: argparse.Namespace) -> dict[str, Any]:
    """`overhead` of the code before (`--old-code`, a checkout) and of this code with 1
    reader process, 2, and one per core, each in a process of its own, round after round
    in rotating order so load from other work falls on all of them."""
    cores = os.cpu_count() or 1
    variants: dict[str, tuple[Path, list[str]]] = {
        "before": (args.old_code, []),
        **{f"workers {w}": (ROOT, ["--workers", str(w)]) for w in sorted({1, 2, cores})},
    }
    runs: dict[str, list[float]] = {name: [] for name in variants}
    chunks: dict[str, int] = {}
    names = list(variants)
    for r in range(args.rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            code, extra = variants[name]
            env = dict(os.environ, BENCH_CODE_ROOT=str(code))
            env.pop("PYTHONPATH", None)
            command = [sys.executable, __file__, "overhead", "--docs", str(args.docs), *extra]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            runs[name].append(result["ms_per_chunk"])
            chunks[name] = result["chunks"]
    return {
        "bench": "overhead-compare",
        "chunks": chunks,
        "ms_per_chunk": runs,
        "ms_per_chunk_best": {k: min(v) for k, v in runs.items()},
    }


# -- 2. unchanged re-ingest ---------------------------------------------------------------


def write_small_files(folder: Path, count: int) -> None:
    for i in range(count):
        sub = folder / f"d{i // 500:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"note-{i:05d}.txt").write_text(
            f"Note {i}: the orchard ledger records tool {i % 37} lent to member {i % 211}.\n"
        )


def reingest(args: argparse.Namespace) -> dict[str, Any]:
    """Fill an index with `files` small files, then time a sync that finds nothing changed."""
    work = Path(tempfile.mkdtemp(prefix="bench-reingest-"))
    try:
        docs = work / "docs"
        write_small_files(docs, args.files)
        data = work / "data"
        embedder = StandInEmbedder()
        index = Index(data)
        t = time.perf_counter()
        first = Syncer(index, embedder, SyncOptions()).sync([docs])
        fill_s = time.perf_counter() - t
        index.close()

        syncs = []
        for _ in range(3):
            index = Index(data)
            t = time.perf_counter()
            again = Syncer(index, Embedder(), SyncOptions()).sync([docs])
            syncs.append(time.perf_counter() - t)
            index.close()
            assert again.unchanged == args.files and again.chunks_embedded == 0, again

        env = dict(os.environ, ASSISTANT_DATA_DIR=str(data), HOME=str(work / "home"))
        env["ASSISTANT_CONFIG"] = str(work / "none.toml")
        cli = []
        for _ in range(3):
            t = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-m", "assistant.cli", "ingest", "--json", str(docs)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            cli.append(time.perf_counter() - t)
            summary = json.loads(out.stdout)
            assert summary["unchanged"] == args.files and summary["chunks_embedded"] == 0
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "assistant.cli", "--help"], env=env, capture_output=True
        )
        help_s = time.perf_counter() - t
        return {
            "bench": "reingest",
            "files": args.files,
            "chunks": first.chunks_embedded,
            "fill_s_stand_in_embedder": round(fill_s, 1),
            "sync_s": [round(s, 3) for s in syncs],
            "cli_process_s": [round(s, 3) for s in cli],
            "cli_help_process_s": round(help_s, 3),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- 3. peak memory -----------------------------------------------------------------------


def write_long_files(folder: Path, files: int, paragraphs: int) -> None:
    """Files of distinct paragraphs (~150 words each, ~1 chunk each), as a real library."""
    import random

    rng = random.Random(5)
    vocab = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
        for _ in range(5000)
    ]
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(files):
        paras = []
        for _ in range(paragraphs):
            sentences = [
                " ".join(rng.choice(vocab) for _ in range(rng.randint(8, 20))).capitalize() + "."
                for _ in range(rng.randint(8, 10))
            ]
            paras.append(" ".join(sentences))
        (folder / f"file-{f:05d}.md").write_text(f"# File {f}\n\n" + "\n\n".join(paras) + "\n")


class MemoryListener(SyncListener):
    def __init__(self) -> None:
        self.chunks = 0
        self.curve: list[tuple[int, float]] = []
        self._next = 0

    def chunks_embedded(self, count: int) -> None:
        self.chunks += count
        if self.chunks >= self._next:
            self.curve.append((self.chunks, round(rss_mb(), 1)))
            self._next = self.chunks + 5000


def memory(args: argparse.Namespace) -> dict[str, Any]:
    """Runs in a child process (`memory-child`) so its high-water mark is its own."""
    work = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    try:
        docs = work / "docs"
        files = max(1, args.chunks // 60)  # ~60 chunks per 20-paragraph file
        t = time.perf_counter()
        write_long_files(docs, files, 20)
        gen_s = time.perf_counter() - t
        cmd = [sys.executable, __file__, "memory-child", str(docs), str(work / "data")]
        if args.real_model:
            cmd.append("--real-model")
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(out.stderr)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        result.update(
            files=files,
            corpus_mb=round(sum(p.stat().st_size for p in docs.iterdir()) / 1e6, 1),
            generate_s=round(gen_s, 1),
            child_peak_rss_mb_getrusage=round(child_peak, 0),
        )
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def memory_child(docs: Path, data: Path, real_model: bool) -> dict[str, Any]:
    embedder = Embedder(cache_dir=data / "models") if real_model else StandInEmbedder()
    if real_model:
        embedder.encoder  # noqa: B018 - load first, so the curve shows ingest, not the load
    base = rss_mb()
    index = Index(data)
    listener = MemoryListener()
    t = time.perf_counter()
    report = Syncer(index, embedder, SyncOptions(), listener).sync([docs])
    seconds = time.perf_counter() - t
    vectors = index.vectors.count()
    size = index.size_on_disk()
    index.close()
    return {
        "bench": "memory",
        "embedder": "real all-MiniLM-L6-v2" if real_model else "stand-in (hash vectors)",
        "chunks": report.chunks_embedded,
        "vectors": vectors,
        "seconds": round(seconds, 1),
        "rss_before_mb": round(base, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_curve_chunks_mb": listener.curve,
        "store_bytes": size,
        "store_mb": round(size / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="bench", required=True)
    p = sub.add_parser("throughput")
    p.add_argument("--docs", type=int, default=1500, help="first N SciFact docs; 0 = all")
    p.add_argument("--batch", type=int, help="encoder batch size (default: the encoder's)")
    p.add_argument("--embed-batch", type=int, help="texts per embed call (default: embedder's)")
    p.add_argument("--device", help="cuda, mps or cpu (default: the best present)")
    p.add_argument("--backend", default="auto", choices=["auto", "onnx-int8", "torch"])
    p = sub.add_parser("overhead")
    p.add_argument("--docs", type=int, default=1500, help="first N SciFact docs; 0 = all")
    p.add_argument("--workers", type=int, help="reader processes (default: one per core)")
    p = sub.add_parser("overhead-compare")
    p.add_argument("--docs", type=int, default=0, help="first N SciFact docs; 0 = all")
    p.add_argument("--old-code", type=Path, required=True, help="a checkout of the code before")
    p.add_argument("--rounds", type=int, default=2)
    p = sub.add_parser("reingest")
    p.add_argument("--files", type=int, default=10_000)
    p = sub.add_parser("memory")
    p.add_argument("--chunks", type=int, default=100_000)
    p.add_argument("--real-model", action="store_true")
    p = sub.add_parser("memory-child")
    p.add_argument("docs", type=Path)
    p.add_argument("data", type=Path)
    p.add_argument("--real-model", action="store_true")
    args = parser.parse_args()

    if args.bench == "memory-child":
        print(json.dumps(memory_child(args.docs, args.data, args.real_model)))
        return
    started = time.strftime("%Y-%m-%d %H:%M:%S %z")
    result = {
        "throughput": throughput,
        "overhead": overhead,
        "overhead-compare": overhead_compare,
        "reingest": reingest,
        "memory": memory,
    }[args.bench](args)
    result["started"] = started
    result["command"] = " ".join([Path(sys.executable).name, *sys.argv])
    result["machine"] = machine()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
