"""Benchmark of one owner per data dir (docs/owner.md): readers beside writers, one-shot
latency with and without an owner, and `assistant repair`.

Run by hand, never in tests (tests/test_owner_stress.py is the short version):

    python bench/bench_owner.py stress [--calls 1000] [--rounds 20] [--files 300]
        [--edits 150] [--lanes 3] [--beside both|ingest|watch]
    python bench/bench_owner.py latency [--samples 10]
    python bench/bench_owner.py repair [--chunks 10000]

1. stress: reader lanes (one `search`, `ask` or `status` process after another) beside
   `ingest` rounds that each rewrite `--edits` files, until both `--calls` reader calls
   and `--rounds` rounds are done; then the same beside `assistant watch` with files
   changing, killing the watcher with -9 half-way (and starting a new one). Counts failed
   reader calls, then checks catalog, keyword index and vectors agree and doctor's index
   check passes ("corruptions": any of these that does not hold).
2. latency: a one-shot `assistant search` as a whole process, with `assistant watch`
   running (the owner answers: assistant/quick.py, before Typer loads) and without any
   owner (it opens the index itself).
3. repair: an index of about `--chunks` chunks; its vector folder deleted, then (second
   run) its files truncated; `assistant repair` timed against an ingest's embedding time,
   and the catalog and a search compared before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from owner_stress import (  # noqa: E402
    agrees,
    consistency,
    doctor_index,
    edit_round,
    make_corpus,
    readers,
    run,
    wait_indexed,
    watching,
)


def environment(root: Path) -> dict[str, str]:
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        ASSISTANT_DATA_DIR=str(root / "data"),
        ASSISTANT_CONFIG=str(root / "config.toml"),
        ASSISTANT_OWNER_WAIT="600",
        PYTHONPATH=str(ROOT),
    )
    return env


def load() -> str:
    return " ".join(os.getloadavg().__repr__().strip("()").split(", ")[:3])


def whole(env: dict[str, str], data_dir: Path) -> dict[str, object]:
    counts = consistency(env, data_dir)
    index = doctor_index(env)
    return {"counts": counts, "agree": agrees(counts), "doctor_index_ok": index["ok"]}


def stress(args: argparse.Namespace) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-owner-"))
    env = environment(root)
    data_dir, folder = root / "data", root / "notes"
    make_corpus(folder, args.files)
    started = time.monotonic()
    assert run(env, "ingest", str(folder), "--quiet").returncode == 0
    print(f"corpus: {args.files} files indexed in {time.monotonic() - started:.0f} s")

    if args.beside in ("both", "ingest"):
        beside_ingest(args, env, data_dir, folder)
    if args.beside in ("both", "watch"):
        beside_watch(args, env, data_dir, folder, root / "watch.log")
    print(f"load average at the end: {load()}")
    shutil.rmtree(root, ignore_errors=True)


def beside_ingest(
    args: argparse.Namespace, env: dict[str, str], data_dir: Path, folder: Path
) -> None:
    started = time.monotonic()
    rounds, failures = 0, []
    with readers(env, args.lanes) as tally:
        while rounds < args.rounds or tally.calls < args.calls:
            rounds += 1
            edit_round(folder, rounds, args.files, args.edits)
            done = run(env, "ingest", str(folder), "--quiet")
            if done.returncode != 0:
                failures.append(done.stderr[-300:])
    result = whole(env, data_dir)
    print(
        json.dumps(
            {
                "beside": "ingest rounds",
                "rounds": rounds,
                "writer_failures": failures,
                "reader_calls": tally.calls,
                "reader_failed": len(tally.failed),
                "failed_examples": tally.failed[:5],
                "reader_mean_s": round(tally.seconds / max(tally.calls, 1), 2),
                "minutes": round((time.monotonic() - started) / 60, 1),
                **result,
            }
        )
    )


def beside_watch(
    args: argparse.Namespace, env: dict[str, str], data_dir: Path, folder: Path, log: Path
) -> None:
    """Killed with -9 half-way through its rounds, then started again."""
    started = time.monotonic()
    rounds, missed, killed = 0, 0, False
    with readers(env, args.lanes) as tally:
        while rounds < args.rounds or tally.calls < args.calls:
            with watching(env, folder, data_dir, log) as watcher:
                while rounds < args.rounds or tally.calls < args.calls:
                    rounds += 1
                    edit_round(folder, rounds + 1000, args.files, args.edits)
                    if not wait_indexed(env, folder, rounds + 1000, args.files, args.edits, 300):
                        missed += 1
                    if not killed and rounds >= args.rounds // 2:
                        edit_round(folder, rounds + 2000, args.files, args.edits)
                        time.sleep(random.uniform(0.5, 2.0))  # inside its batch, maybe
                        watcher.kill()
                        watcher.wait(timeout=30)
                        killed = True
                        break
    run(env, "ingest", str(folder), "--quiet")
    result = whole(env, data_dir)
    print(
        json.dumps(
            {
                "beside": "watch (killed -9 once, restarted)",
                "rounds": rounds,
                "rounds_not_seen_in_300_s": missed,
                "reader_calls": tally.calls,
                "reader_failed": len(tally.failed),
                "failed_examples": tally.failed[:5],
                "reader_mean_s": round(tally.seconds / max(tally.calls, 1), 2),
                "minutes": round((time.monotonic() - started) / 60, 1),
                **result,
            }
        )
    )


def timed(env: dict[str, str], *args: str) -> float:
    started = time.monotonic()
    done = run(env, *args)
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    return took


def timed_python(env: dict[str, str], code: str) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return time.monotonic() - started


def _ask_owner(data_dir: Path, query: str) -> float:
    sys.path.insert(0, str(ROOT))
    from assistant.owner.client import find_owner

    started = time.monotonic()
    found = find_owner(data_dir)
    assert found is not None
    found.call("search", {"query": query, "k": None, "mode": "hybrid"})
    return time.monotonic() - started


def latency(args: argparse.Namespace) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-owner-"))
    env = environment(root)
    # An installed program keeps its compiled bytecode (__pycache__); with this variable
    # set (as in a dev shell) every run compiles our modules anew, which no user waits for.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    data_dir, folder = root / "data", root / "notes"
    make_corpus(folder, 200)
    assert run(env, "ingest", str(folder), "--quiet").returncode == 0
    query = ("search", "baskets of the quince tree", "--json")
    timed(env, *query)  # the page cache warm for both
    alone = [timed(env, *query) for _ in range(args.samples)]
    with watching(env, folder, data_dir, root / "watch.log"):
        timed(env, *query)
        owned = [timed(env, *query) for _ in range(args.samples)]
        text = [timed(env, *query[:-1]) for _ in range(args.samples)]
        asked = [_ask_owner(data_dir, query[1]) for _ in range(args.samples)]
        bare = [timed_python(env, "pass") for _ in range(args.samples)]
        imports = [timed_python(env, "import assistant.cli") for _ in range(args.samples)]
        typer_app = [timed_python(env, "import assistant.commands") for _ in range(args.samples)]
    for name, values in (
        ("with an owner (watch)", owned),
        ("with an owner, text output (no --json)", text),
        ("without an owner", alone),
        ("of which: the owner's answer over the socket", asked),
        ("of which: python starting (python -c pass)", bare),
        ("of which: python + importing the entry point (assistant.cli)", imports),
        ("not in it: python + importing the Typer app (assistant.commands)", typer_app),
    ):
        print(
            f"one-shot search, {name}: median {statistics.median(values):.2f} s, "
            f"min {min(values):.2f} s, max {max(values):.2f} s ({len(values)} runs)"
        )
    print(f"load average: {load()}")
    shutil.rmtree(root, ignore_errors=True)


def repair(args: argparse.Namespace) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-owner-"))
    env = environment(root)
    data_dir, folder = root / "data", root / "notes"
    folder.mkdir()
    rng = random.Random(7)
    words = [f"w{n}" for n in range(5000)]
    # The chunker makes about 120 chunks of such a file (measured: 5,040 of 42 files).
    files = max(1, args.chunks // 120)
    for n in range(files):
        paragraphs = [
            " ".join(rng.choice(words) for _ in range(150)) + f" marker{n}x{p}." for p in range(40)
        ]
        (folder / f"doc-{n:04d}.txt").write_text("\n\n".join(paragraphs))
    started, cpu = time.monotonic(), children_cpu()
    done = run(env, "ingest", str(folder), "--json", timeout=7200)
    assert done.returncode == 0, done.stderr
    ingest_s, ingest_cpu = time.monotonic() - started, children_cpu() - cpu
    chunks = consistency(env, data_dir)["chunks"]
    print(
        f"index: {files} files, {chunks} chunks; ingest {ingest_s:.0f} s, "
        f"{ingest_cpu:.0f} s of CPU (read + embed)"
    )
    query = ("search", "marker7x3", "--json", "--mode", "vector")
    before = json.loads(run(env, *query).stdout)
    catalog = data_dir / "catalog.sqlite3"
    for damage in ("deleted", "truncated"):
        catalog_before = _catalog_rows(catalog)
        if damage == "deleted":
            shutil.rmtree(data_dir / "chroma")
        else:
            for path in (data_dir / "chroma").rglob("*"):
                if path.is_file():
                    with path.open("r+b") as f:
                        f.truncate(path.stat().st_size // 3)
            (data_dir / "chroma.clean").unlink(missing_ok=True)
        broken = doctor_index(env)
        started, cpu = time.monotonic(), children_cpu()
        repaired = run(env, "repair", timeout=7200)
        repair_s, repair_cpu = time.monotonic() - started, children_cpu() - cpu
        after = json.loads(run(env, *query).stdout)
        result = whole(env, data_dir)
        print(
            json.dumps(
                {
                    "vector folder": damage,
                    "doctor_before": broken["detail"],
                    "repair_rc": repaired.returncode,
                    "repair_s": round(repair_s, 1),
                    "repair_cpu_s": round(repair_cpu, 1),
                    "repair_says": repaired.stdout.strip(),
                    "catalog_unchanged": _catalog_rows(catalog) == catalog_before,
                    "same_search": [s["path"] for s in after] == [s["path"] for s in before],
                    **result,
                }
            )
        )
    print(f"load average: {load()}")
    shutil.rmtree(root, ignore_errors=True)


def children_cpu() -> float:
    """CPU seconds of this bench's ended child processes and theirs: on a loaded machine the
    fair measure of how much work an ingest and a repair each were, where wall time is not."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _catalog_rows(catalog: Path) -> tuple[int, int, int]:
    import sqlite3

    with sqlite3.connect(catalog) as db:
        return (
            db.execute("SELECT count(*) FROM files").fetchone()[0],
            db.execute("SELECT count(*) FROM chunks").fetchone()[0],
            db.execute("SELECT coalesce(sum(length(text)), 0) FROM chunks").fetchone()[0],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("stress")
    s.add_argument("--calls", type=int, default=1000)
    s.add_argument("--rounds", type=int, default=20)
    s.add_argument("--files", type=int, default=300)
    s.add_argument("--edits", type=int, default=150)
    s.add_argument("--lanes", type=int, default=3)
    s.add_argument("--beside", choices=("both", "ingest", "watch"), default="both")
    lat = sub.add_parser("latency")
    lat.add_argument("--samples", type=int, default=10)
    r = sub.add_parser("repair")
    r.add_argument("--chunks", type=int, default=10000)
    args = parser.parse_args()
    {"stress": stress, "latency": latency, "repair": repair}[args.what](args)


if __name__ == "__main__":
    main()
