"""Load test of `assistant serve`: many clients at once while its watcher ingests new files.

Run by hand, never in tests:

    python bench/bench_serve.py [--clients 8] [--requests 500] [--files 40] [--asks 8]

1. sample_docs is copied into a temp folder and indexed; `assistant serve --watch` starts
   on a free loopback port (a subprocess, ended by its PID).
2. `--clients` threads send `--requests` requests in all, over HTTP: hybrid searches
   (most), keyword searches, status, files and passages; meanwhile a writer adds
   `--files` new Markdown files to the watched folder, one every `--interval` seconds,
   each with a word no other file has.
3. Then `--asks` OpenAI-style chat completions (the embedded model, 24 tokens at most),
   from `--clients` clients at once (the one model answers them in turn).
4. At the end, once the watcher has nothing pending: every written file must be found
   by its own word.

It prints latency p50/p95/max per kind of request, errors (target 0), throughput and
how many of the written files are searchable (target: all), with `uptime` before and after.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
from local_server import free_port, loopback_server

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "when is the first inspection of the hives",
    "varroa treatment",
    "which apple varieties grow here",
    "how much did the harvest weigh",
    "who is on the volunteer rota",
    "pruning in winter",
    "what pests attack the trees",
    "membership fee",
    "Tanner's Lane",
    "cider pressing day",
]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Load:
    """The requests, their latencies by kind, and the errors."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.hits: list[dict[str, Any]] = []

    def one(self, client: httpx.Client, rng: random.Random) -> None:
        roll = rng.random()
        if roll < 0.6:
            kind, call = "search (hybrid)", ("POST", "/v1/search", {"query": rng.choice(QUERIES)})
        elif roll < 0.75:
            query = {"query": rng.choice(QUERIES), "mode": "keyword"}
            kind, call = "search (keyword)", ("POST", "/v1/search", query)
        elif roll < 0.85:
            kind, call = "status", ("GET", "/v1/status", None)
        elif roll < 0.93:
            kind, call = "files", ("GET", "/v1/files", None)
        else:
            kind, call = "passage", ("GET", "/v1/passage", None)
        self.timed(client, kind, *call)

    def timed(self, client: httpx.Client, kind: str, method: str, path: str, body: Any) -> Any:
        params = None
        if kind == "passage":
            with self.lock:
                hit = random.choice(self.hits) if self.hits else None
            if hit is None:
                return None
            params = {"path": hit["path"], "chunk": hit["chunk"]}
        started = time.perf_counter()
        try:
            answer = client.request(method, path, json=body, params=params)
            ok = answer.status_code == 200
            detail = f"{kind}: {answer.status_code} {answer.text[:200]}"
        except httpx.HTTPError as exc:
            ok, answer, detail = False, None, f"{kind}: {type(exc).__name__} {exc}"
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.times[kind].append(elapsed)
            if not ok:
                self.errors.append(detail)
            elif kind.startswith("search") and answer is not None:
                self.hits.extend(answer.json()["results"][:2])
        return answer


def run_clients(load: Load, clients: int, requests: int, seed: int) -> float:
    counter = iter(range(requests))
    counter_lock = threading.Lock()

    def worker(n: int) -> None:
        rng = random.Random(seed + n)
        with httpx.Client(base_url=load.url, timeout=600, trust_env=False) as client:
            while True:
                with counter_lock:
                    if next(counter, None) is None:
                        return
                load.one(client, rng)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def write_files(folder: Path, count: int, interval: float, written: list[tuple[Path, str]]):
    """New files, each with its own word, while the clients run."""
    for n in range(count):
        word = f"zqx{n:03d}lantern"
        path = folder / "incoming" / f"note-{n:03d}.md"
        path.parent.mkdir(exist_ok=True)
        body = f"# Note {n}\n\nThe {word} was seen near the beehives on visit {n}.\n"
        path.write_text(body + "The orchard log records weather, pests and work done.\n" * 8)
        written.append((path, word))
        time.sleep(interval)


def ask_many(load: Load, asks: int, clients: int) -> None:
    def worker(questions: list[str]) -> None:
        with httpx.Client(base_url=load.url, timeout=900, trust_env=False) as client:
            for question in questions:
                body = {
                    "model": "local-doc-assistant",
                    "messages": [{"role": "user", "content": question}],
                    "max_tokens": 24,
                }
                load.timed(client, "chat completion (model)", "POST", "/v1/chat/completions", body)

    questions = [QUERIES[i % len(QUERIES)] for i in range(asks)]
    per = [questions[i::clients] for i in range(clients)]
    threads = [threading.Thread(target=worker, args=(p,)) for p in per if p]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--interval", type=float, default=0.25)
    parser.add_argument("--asks", type=int, default=8)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()

    before = uptime()
    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    try:
        docs = work / "docs"
        shutil.copytree(ROOT / "sample_docs", docs)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
        env.update(
            ASSISTANT_DATA_DIR=str(work / "data"),
            ASSISTANT_CONFIG=str(work / "none.toml"),
            ASSISTANT_BACKEND="llamacpp",
            ASSISTANT_K="3",
            HOME=str(work),
            PYTHONPATH=str(ROOT),
        )
        cli = [sys.executable, "-m", "assistant.cli"]
        subprocess.run([*cli, "ingest", str(docs), "-q"], env=env, check=True)
        port = free_port()
        command = [*cli, "serve", "--port", str(port), "--watch", str(docs)]
        url = f"http://127.0.0.1:{port}"
        with loopback_server("the server", command, url + "/v1/health", work / "serve.log", env):
            load = Load(url)
            written: list[tuple[Path, str]] = []
            writer = threading.Thread(
                target=write_files, args=(docs, args.files, args.interval, written)
            )
            writer.start()
            seconds = run_clients(load, args.clients, args.requests, args.seed)
            overlap = len(written)  # files written while the clients ran
            writer.join()
            asked = time.perf_counter()
            if args.asks:
                ask_many(load, args.asks, args.clients)
            asked = time.perf_counter() - asked
            searchable = settle_and_check(url, written)
        report(args, load, seconds, asked, (searchable, overlap, len(written)), before, uptime())
    finally:
        shutil.rmtree(work, ignore_errors=True)


def settle_and_check(url: str, written: list[tuple[Path, str]]) -> int:
    """Wait until the watcher has nothing pending, then look for each file's own word."""
    with httpx.Client(base_url=url, timeout=120, trust_env=False) as client:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            server = client.get("/v1/status").json()["server"]["watcher"]
            if server["state"] == "watching" and server["pending"] == 0:
                break
            time.sleep(0.5)
        time.sleep(2)  # a last debounce
        found = 0
        for path, word in written:
            body = {"query": word, "mode": "keyword", "k": 1}
            results = client.post("/v1/search", json=body).json()["results"]
            found += bool(results) and results[0]["path"] == str(path)
        return found


def report(
    args: argparse.Namespace,
    load: Load,
    seconds: float,
    asked: float,
    files: tuple[int, int, int],
    before: str,
    after: str,
) -> None:
    print(f"uptime before: {before}")
    print(f"uptime after:  {after}")
    searchable, overlap, written = files
    print(
        f"\n{args.clients} clients, {args.requests} requests in {seconds:.1f} s "
        f"({args.requests / seconds:.1f}/s), during which {overlap} of {written} new files "
        f"were written into the watched folder; then {args.asks} chat completions in "
        f"{asked:.1f} s\n"
    )
    print("| request | n | p50 ms | p95 ms | max ms |\n| --- | --- | --- | --- | --- |")
    for kind, times in sorted(load.times.items()):
        print(
            f"| {kind} | {len(times)} | {statistics.median(times):.0f} | "
            f"{percentile(times, 0.95):.0f} | {max(times):.0f} |"
        )
    print(f"\nerrors: {len(load.errors)}")
    for error in load.errors[:10]:
        print(f"  {error}")
    print(f"written files searchable at the end: {searchable}/{written}")


if __name__ == "__main__":
    main()
