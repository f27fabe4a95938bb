"""Embedding benchmarks: int8 ONNX against fp32 torch on the same SciFact chunks.

Run by hand, never in the tests (timings on a shared 2-core machine are not assertions):

    python bench/bench_embed.py throughput [--docs 1000] [--rounds 3] [--int8-batches 1,32]
    python bench/bench_embed.py quality [--work DIR]
    python bench/bench_embed.py startup [--runs 5]

`throughput` times both encoders on the same chunk texts, alternating them round by
round so load from other work on the machine falls on both, and reports how closely
their vectors agree (cosine of the two vectors of each chunk and each query).
`quality` runs `assistant eval` on the SciFact train split four times: fp32 documents
with fp32 and then int8 queries, int8 documents with int8 and then fp32 queries (the
second run of each pair re-uses the index and embeds only the queries), so the nDCG of a
mixed index is measured by the real command.
`startup` times whole `assistant search` and `ask` processes on an index of sample_docs
with each backend, and lists which heavy modules each imported.
Each prints a JSON result on its last line; bench/RESULTS.md holds the numbers we got.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest.offline import force_offline  # noqa: E402

force_offline()

import numpy as np  # noqa: E402
from bench_ingest import SCIFACT, chunk_texts, scifact_corpus  # noqa: E402

from ingest.embed import Embedder  # noqa: E402

HEAVY = ("torch", "transformers", "sentence_transformers", "onnx", "chromadb", "onnxruntime")


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def scifact_chunks(docs: int, work: Path) -> list[str]:
    return chunk_texts(scifact_corpus(work / "corpus", docs), Embedder(), work / "dry")


def scifact_queries() -> list[str]:
    from assistant.eval.beir import load_beir

    return list(load_beir(SCIFACT, "train").queries.values())


def cosine_summary(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    cos = (a * b).sum(axis=1)
    return {
        "n": len(cos),
        "min": round(float(cos.min()), 4),
        "p1": round(float(np.percentile(cos, 1)), 4),
        "p5": round(float(np.percentile(cos, 5)), 4),
        "median": round(float(np.median(cos)), 4),
        "mean": round(float(cos.mean()), 4),
    }


def throughput(args: argparse.Namespace) -> dict[str, Any]:
    """Every encoder on the same texts, round after round, the order rotating each round."""
    with tempfile.TemporaryDirectory(prefix="bench-embed-") as tmp:
        work = Path(tmp)
        texts = scifact_chunks(args.docs, work)
        queries = scifact_queries()
        t = time.perf_counter()
        encoders: dict[str, Any] = {}
        for batch in args.int8_batches:
            int8 = Embedder(backend="onnx-int8", cache_dir=work / "models", batch_size=batch)
            encoders[f"int8 batch {batch}"] = int8.encoder  # exported once, outside the runs
        prepare_s = time.perf_counter() - t
        fp32_name = f"fp32 batch {args.fp32_batch}"
        encoders[fp32_name] = Embedder(backend="torch", batch_size=args.fp32_batch).encoder
        for encoder in encoders.values():
            encoder.encode(texts[:16])  # warm up: first calls allocate
        names = list(encoders)
        seconds: dict[str, list[float]] = {name: [] for name in names}
        vectors: dict[str, np.ndarray] = {}
        for r in range(args.rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                t = time.perf_counter()
                vectors[name] = encoders[name].encode(texts)
                seconds[name].append(time.perf_counter() - t)
        rates = {k: [round(len(texts) / s, 1) for s in v] for k, v in seconds.items()}
        median = {k: statistics.median(v) for k, v in rates.items()}
        one: dict[str, float] = {}
        for name in (names[0], fp32_name):
            times = []
            for query in queries[:50]:
                t = time.perf_counter()
                encoders[name].encode([query])
                times.append(time.perf_counter() - t)
            one[name] = round(1000 * statistics.median(times), 2)
        reference = vectors[fp32_name]
        query_reference = encoders[fp32_name].encode(queries)
        return {
            "bench": "embed-throughput",
            "chunks": len(texts),
            "int8_export_and_load_s": round(prepare_s, 1),
            "chunks_per_s": rates,
            "median_chunks_per_s": median,
            "over_fp32": {k: round(v / median[fp32_name], 2) for k, v in median.items()},
            "one_query_ms_median": one,
            "cosine_to_fp32_chunks": {
                k: cosine_summary(v, reference) for k, v in vectors.items() if k != fp32_name
            },
            "cosine_to_fp32_queries": cosine_summary(
                encoders[names[0]].encode(queries), query_reference
            ),
        }


def run_cli(env: dict[str, str], *args: str, timeout: float = 3600) -> tuple[float, str, str]:
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"assistant {' '.join(args)} failed: {done.stderr[-2000:]}")
    return seconds, done.stdout, done.stderr


def cli_env(work: Path, data: Path, backend: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        HOME=str(work / "home"),
        PYTHONPATH=str(ROOT),
        ASSISTANT_DATA_DIR=str(data),
        ASSISTANT_CONFIG=str(work / "none.toml"),
        ASSISTANT_EMBEDDING_BACKEND=backend,
    )
    return env


# (documents, queries): the second of each pair re-uses the first one's index.
QUALITY_RUNS = (
    ("torch", "torch"),
    ("torch", "onnx-int8"),
    ("onnx-int8", "onnx-int8"),
    ("onnx-int8", "torch"),
)


def quality(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work or tempfile.mkdtemp(prefix="bench-quality-"))
    (work / "home").mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    for documents, queries in QUALITY_RUNS:
        data = work / f"docs-{documents}"
        env = cli_env(work, data, queries)
        seconds, out, _ = run_cli(env, "eval", str(SCIFACT), "--split", "train", "--json")
        scores = json.loads(out)
        key = f"docs {label(documents)} / queries {label(queries)}"
        results[key] = {
            "seconds": round(seconds, 1),
            **{mode: round(scores[mode]["ndcg@10"], 4) for mode in ("vector", "keyword", "hybrid")},
            "hybrid_recall@100": round(scores["hybrid"]["recall@100"], 4),
        }
        print(json.dumps({key: results[key], "load": load()}), file=sys.stderr, flush=True)
    return {"bench": "embed-quality", "work": str(work), "ndcg@10": results}


def label(backend: str) -> str:
    return "int8" if backend == "onnx-int8" else "fp32"


STARTUP_PROBE = """
import json, sys
from assistant.cli import main
sys.argv = ["assistant", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
finally:
    heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)
    sys.stderr.write("\\nHEAVY " + json.dumps(heavy) + "\\n")
"""


# `ask` as a person runs it one-shot: the default (for the bundled SmolLM2 that quotes the
# evidence, no model loaded) and with the model made to write from the compact evidence.
ASK_MODES = ("auto", "generative")
ASK_KEYS = ("ask_first_token_from_start_s", "ask_first_token_ms", "ask_retrieve_ms")


def startup(args: argparse.Namespace) -> dict[str, Any]:
    """Whole processes, the two backends alternating; every run after the first of each
    backend (which may export the int8 model) counts."""
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    (work / "home").mkdir()
    probe = work / "probe.py"
    probe.write_text(STARTUP_PROBE.replace("{HEAVY!r}", repr(HEAVY)), encoding="utf-8")
    data = work / "data"
    run_cli(cli_env(work, data, "auto"), "ingest", str(ROOT / "sample_docs"))
    question = "How much did the new cider press cost?"
    out: dict[str, Any] = {}
    for backend in ("onnx-int8", "torch"):
        out[backend] = {"search_s": [], **{f"{k}_{m}": [] for m in ASK_MODES for k in ASK_KEYS}}
    for r in range(args.runs + 1):
        for backend in ("onnx-int8", "torch") if r % 2 == 0 else ("torch", "onnx-int8"):
            env = cli_env(work, data, backend)
            t = time.perf_counter()
            done = subprocess.run(
                [sys.executable, str(probe), "search", question, "--k", "3"],
                env=env,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            seconds = time.perf_counter() - t
            heavy = json.loads(done.stderr.rsplit("HEAVY ", 1)[1])
            asks = {
                mode: run_cli(
                    env, "ask", "--backend", "llamacpp", "--answer", mode, "--json", question
                )
                for mode in ASK_MODES
            }
            if r == 0:
                continue  # the first run of each may export or warm the page cache
            entry = out[backend]
            entry["search_s"].append(round(seconds, 2))
            entry["search_imports"] = heavy
            for mode, (process_s, asked, _) in asks.items():
                timings = json.loads(asked)["timings"]
                # From the command's start to its first token: the whole process less
                # what came after that token (the rest of the answer, its check, exit).
                after = (timings["total_ms"] - timings["first_token_ms"]) / 1000
                entry[f"ask_first_token_from_start_s_{mode}"].append(round(process_s - after, 2))
                entry[f"ask_first_token_ms_{mode}"].append(round(timings["first_token_ms"]))
                entry[f"ask_retrieve_ms_{mode}"].append(round(timings["retrieve_ms"]))
    for entry in out.values():
        for key in [k for k in entry if isinstance(entry[k], list) and k != "search_imports"]:
            entry[f"{key}_median"] = statistics.median(entry[key])
    return {"bench": "startup", "runs": args.runs, **out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="bench", required=True)
    p = sub.add_parser("throughput")
    p.add_argument("--docs", type=int, default=1000, help="first N SciFact docs; 0 = all")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument(
        "--int8-batches",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[1, 32],
        help="int8 batch sizes to time, comma-separated",
    )
    p.add_argument("--fp32-batch", type=int, default=32)
    p = sub.add_parser("quality")
    p.add_argument("--work", help="keep the eval indexes here (a second run re-uses them)")
    p = sub.add_parser("startup")
    p.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M:%S %z")
    load_start = load()
    result = {"throughput": throughput, "quality": quality, "startup": startup}[args.bench](args)
    result.update(
        started=started,
        command=" ".join([Path(sys.executable).name, *sys.argv]),
        loadavg_start=load_start,
        loadavg_end=load(),
        cores=os.cpu_count(),
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
