"""Benchmark of `assistant watch`: save-to-searchable latency and idle CPU.

Run by hand, never in tests:

    python bench/bench_watch.py [--samples 20] [--files 10000] [--idle 30]

1. Latency: a watcher process (`assistant watch`, default debounce) follows a folder;
   this process writes a new one-page file and polls the index from a second connection
   (the catalog's keyword search, as `assistant search` reads it) until the file's unique
   word is found. The target is debounce + the embedding time of that file's chunks
   (measured here, in the same run, with the watcher idle) + 0.5 s.
2. Idle CPU: a watcher over N small files, after its catch-up, left alone for a while;
   its process CPU time (utime + stime from /proc) over that time, for inotify and for
   `--poll`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.offline import force_offline  # noqa: E402

force_offline()

from ingest.store import Index, current_writer  # noqa: E402

WORDS = [
    "orchard",
    "ledger",
    "pruning",
    "graft",
    "rootstock",
    "blossom",
    "frost",
    "thinning",
    "harvest",
    "cider",
    "press",
    "storage",
    "wax",
    "label",
    "volunteer",
    "rota",
    "ladder",
    "basket",
    "pollination",
    "bees",
    "mulch",
    "compost",
]


def one_page(unique: str, n: int) -> str:
    """About 450 words of plain prose, the length of a printed page."""
    sentences = []
    for i in range(45):
        words = [WORDS[(n * 7 + i * 3 + j) % len(WORDS)] for j in range(9)]
        sentences.append(" ".join(words).capitalize() + ".")
    sentences.insert(20, f"The keyword of this page is {unique}.")
    return f"# Page {n}\n\n" + " ".join(sentences) + "\n"


def start_watcher(data_dir: Path, folder: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "watch", "--quiet", str(folder), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 3600
    while current_writer(data_dir).get("state") != "watching":
        if proc.poll() is not None:
            raise SystemExit(f"the watcher exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise SystemExit("the watcher did not catch up within an hour")
        time.sleep(0.1)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> float:
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    return time.monotonic() - sent


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def found(index: Index, word: str) -> bool:
    return bool(index.keywords.search(f'"{word}"', 1))


def bench_latency(work: Path, samples: int, debounce: float) -> list[dict[str, float]]:
    from assistant.library import _embedder
    from ingest.chunk import TokenCounter, chunk_document
    from ingest.readers import read_document

    folder, data_dir = work / "latency", work / "latency-data"
    folder.mkdir()
    (folder / "seed.md").write_text(one_page("seedword", 0))
    proc = start_watcher(data_dir, folder, "--debounce", str(debounce))
    reader = Index(data_dir)
    rows = []
    try:
        time.sleep(2)
        for n in range(1, samples + 1):
            word = f"quillfeather{n}x"
            text = one_page(word, n)
            path = folder / f"page{n}.md"
            started = time.monotonic()
            path.write_text(text)
            while not found(reader, word):
                if time.monotonic() - started > 60:
                    raise SystemExit(f"{path} not searchable after 60 s")
                time.sleep(0.005)
            rows.append({"n": n, "latency": time.monotonic() - started, "text": text})
            time.sleep(1.0)  # let the watcher go idle, as between two saves
    finally:
        stop(proc)
        reader.close()
    # The embedding time of the same chunks, measured with the watcher gone.
    embedder = _embedder(None, None, "auto", data_dir / "models")  # what the watcher ran
    embedder.embed(["warm up"])
    tokens = TokenCounter(embedder.count_tokens, embedder.token_spans)
    for row in rows:
        document = read_document(str(row.pop("text")).encode(), Path("page.md"))
        chunks = chunk_document(document, tokens, embedder.max_seq_length, 200, 32)
        texts = [c.embedding_text for c in chunks]
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            embedder.embed(texts)
            times.append(time.perf_counter() - t0)
        row["chunks"] = len(texts)
        row["embed"] = statistics.median(times)
        row["target"] = debounce + row["embed"] + 0.5
    return rows


def bench_idle(work: Path, files: int, idle: float) -> dict[str, float]:
    folder, data_dir = work / "idle", work / "idle-data"
    for n in range(files):
        sub = folder / f"box{n // 100:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"note{n}.txt").write_text(f"Note {n}: the {WORDS[n % len(WORDS)]} of row {n}.")
    result: dict[str, float] = {"files": files, "idle_seconds": idle}
    for mode, extra in (("inotify", ()), ("poll", ("--poll",))):
        t0 = time.monotonic()
        proc = start_watcher(data_dir, folder, *extra)
        result[f"{mode}_catch_up_s"] = time.monotonic() - t0
        time.sleep(3)  # the first poll snapshot, the last status write
        before, t1 = cpu_seconds(proc.pid), time.monotonic()
        time.sleep(idle)
        used, wall = cpu_seconds(proc.pid) - before, time.monotonic() - t1
        result[f"{mode}_idle_cpu_percent"] = 100 * used / wall
        result[f"{mode}_stop_s"] = stop(proc)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--idle", type=float, default=30.0)
    parser.add_argument("--debounce", type=float, default=0.5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    os.environ["HOME"] = str(work / "home")  # never the real config or data dir
    os.environ.pop("ASSISTANT_CONFIG", None)
    try:
        rows = bench_latency(work, args.samples, args.debounce)
        print("file  chunks  latency_s  embed_s  target_s  met")
        for r in rows:
            met = "yes" if r["latency"] <= r["target"] else "NO"
            print(
                f"{int(r['n']):>4}  {int(r['chunks']):>6}  {r['latency']:>9.3f}  "
                f"{r['embed']:>7.3f}  {r['target']:>8.3f}  {met}"
            )
        latency = statistics.median(r["latency"] for r in rows)
        target = statistics.median(r["target"] for r in rows)
        met = sum(r["latency"] <= r["target"] for r in rows)
        print(
            f"median latency {latency:.3f} s, median target {target:.3f} s "
            f"(debounce {args.debounce} + embed + 0.5); {met}/{len(rows)} within target"
        )
        idle = bench_idle(work, args.files, args.idle)
        for key, value in idle.items():
            print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
