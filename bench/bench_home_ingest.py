"""Ingest time of the household papers (../shared/data/home), before and after a change.

Reading tables (pdfplumber's page geometry, word boxes) costs time; issue 23 allows
ingest of the home set no more than 1.5x what it took before. This times the whole
command a user runs, `python -m assistant.cli --data-dir D ingest DOCS --json`, into a
fresh data dir each round, for two checkouts of the code, in alternating rounds (so a
change in the machine's load falls on both alike). The int8 model is made once, in a
warm-up run, into a cache both share.

    python bench/bench_home_ingest.py --before /work/main [--rounds 3]

Run by hand, never in the tests. Prints each round and a JSON summary on its last line.
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

ROOT = Path(__file__).resolve().parent.parent
HOME_SET = Path("/work/shared/data/home")


def make_docs(target: Path) -> Path:
    subprocess.run(
        [sys.executable, str(HOME_SET / "make_docs.py"), str(target)],
        check=True,
        capture_output=True,
    )
    return target


def ingest_seconds(code: Path, docs: Path, cache: Path) -> tuple[float, dict]:
    """Wall time of one `assistant ingest` of `docs` into a fresh data dir, with the
    code at `code`, and its JSON report."""
    env = {
        **os.environ,
        "PYTHONPATH": str(code),
        "ASSISTANT_MODEL_CACHE_DIR": str(cache),
        "HF_HUB_OFFLINE": "1",
    }
    with tempfile.TemporaryDirectory(prefix="home-ingest-") as data:
        command = [sys.executable, "-m", "assistant.cli", "--data-dir", data]
        command += ["ingest", str(docs), "--json"]
        start = time.perf_counter()
        result = subprocess.run(
            command, cwd=code, env=env, capture_output=True, text=True, check=False
        )
        seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"ingest failed with {code}:\n{result.stderr[-2000:]}")
    return seconds, json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="checkout to compare with")
    parser.add_argument("--after", type=Path, default=ROOT, help="checkout measured")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="home-bench-") as tmp:
        docs = make_docs(Path(tmp) / "docs")
        files = sum(1 for _ in docs.iterdir())
        cache = Path(tmp) / "models"
        ingest_seconds(args.after, docs, cache)  # warm-up: makes the int8 model once
        times: dict[str, list[float]] = {"before": [], "after": []}
        chunks: dict[str, int] = {}
        for round_number in range(1, args.rounds + 1):
            for name, code in (("before", args.before), ("after", args.after)):
                seconds, report = ingest_seconds(code, docs, cache)
                times[name].append(seconds)
                chunks[name] = report.get("chunks_embedded", 0)
                print(f"round {round_number} {name}: {seconds:.1f} s, {chunks[name]} chunks")
    before, after = statistics.median(times["before"]), statistics.median(times["after"])
    load = os.getloadavg()
    summary = {
        "files": files,
        "before_s": round(before, 2),
        "after_s": round(after, 2),
        "ratio": round(after / before, 2),
        "chunks": chunks,
        "rounds": args.rounds,
        "load": [round(x, 2) for x in load],
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
