"""The owner stress driver shared by tests/test_owner_stress.py (short) and
bench/bench_owner.py (long): real CLI processes as a user runs them, one writer (`ingest`
rounds, or a `watch` with files changing) beside reader lanes (`search`, `ask`,
`status`), then a consistency check of catalog, keyword index and vectors.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from processes import stop

ROOT = Path(__file__).resolve().parent.parent

READS = (
    ("search", "{q}", "--json"),
    ("ask", "{q}", "--json"),
    ("status", "--json"),
)
WORDS = [
    *("apple", "pear", "plum", "quince", "cherry", "medlar"),
    *("damson", "greengage", "sloe", "walnut", "hazel", "rowan"),
]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant.cli", *args]


def make_corpus(folder: Path, files: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(files):
        write_file(folder, n, 0)


def write_file(folder: Path, n: int, round_: int) -> None:
    word = WORDS[n % len(WORDS)]
    text = (
        f"# Note {n} on the {word}\n\n"
        f"Round {round_}: the {word} tree number {n} gave {n * 3 + round_} baskets this year. "
        f"Code ORCH{n:04d}R{round_:03d} marks its row in the ledger.\n\n"
        f"## Care\n\nPrune the {word} in late winter; feed it compost in spring (round {round_}).\n"
    )
    (folder / f"note-{n:04d}.md").write_text(text)


def edit_round(folder: Path, round_: int, files: int, edits: int) -> None:
    """Rewrite `edits` files (a window moving each round) to new content."""
    for n in range(edits):
        write_file(folder, (round_ * edits + n) % files, round_)


@dataclass
class Tally:
    calls: int = 0
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self, args: tuple[str, ...], done: subprocess.CompletedProcess[str], took: float
    ) -> None:
        with self.lock:
            self.calls += 1
            self.seconds += took
            if done.returncode != 0:
                tail = (done.stderr or "").strip().splitlines()[-3:]
                self.failed.append(f"{' '.join(args)}: rc {done.returncode}: {' | '.join(tail)}")


def run(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli(*args), capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout
    )


def reader_lane(env: dict[str, str], stop: threading.Event, tally: Tally, lane: int) -> None:
    """One reader process after another until `stop`: search, ask and status in turn."""
    for count in itertools.count():
        if stop.is_set():
            return
        template = READS[(count + lane) % len(READS)]
        word = WORDS[(count * 5 + lane) % len(WORDS)]
        args = tuple(a.format(q=f"baskets of the {word} tree") for a in template)
        started = time.monotonic()
        done = run(env, *args)
        tally.add(args, done, time.monotonic() - started)


@contextmanager
def readers(env: dict[str, str], lanes: int) -> Iterator[Tally]:
    tally = Tally()
    stop = threading.Event()
    threads = [
        threading.Thread(target=reader_lane, args=(env, stop, tally, n), daemon=True)
        for n in range(lanes)
    ]
    for t in threads:
        t.start()
    try:
        yield tally
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=600)


def ingest_rounds(
    env: dict[str, str], folder: Path, rounds: int, files: int, edits: int
) -> list[str]:
    failures = []
    for r in range(1, rounds + 1):
        edit_round(folder, r, files, edits)
        done = run(env, "ingest", str(folder), "--quiet")
        if done.returncode != 0:
            failures.append(f"ingest round {r}: rc {done.returncode}: {done.stderr[-300:]}")
    return failures


@contextmanager
def watching(
    env: dict[str, str], folder: Path, data_dir: Path, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`assistant watch` in the background, once it answers on its socket."""
    sys.path.insert(0, str(ROOT))
    from assistant.owner.client import find_owner

    with log.open("ab") as out:
        proc = subprocess.Popen(
            cli("watch", str(folder)), stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT
        )
    try:
        deadline = time.monotonic() + 180
        while find_owner(data_dir) is None:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the watcher did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield proc
    finally:
        stop(proc, grace=60)


def wait_indexed(
    env: dict[str, str], folder: Path, round_: int, files: int, edits: int, timeout: float = 120
) -> bool:
    """Whether the watcher caught up with round `round_`: keyword search finds the codes."""
    last = (round_ * edits + edits - 1) % files
    code = f"ORCH{last:04d}R{round_:03d}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = run(env, "search", code, "--mode", "keyword", "--json")
        if done.returncode == 0 and code in done.stdout:
            return True
        time.sleep(0.5)
    return False


INSPECT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from ingest.store import Index
    from ingest.store.catalog import parse_chunk_id
    index = Index(Path(sys.argv[1]))
    rows = {r.doc_id: r for r in index.catalog.files() if r.doc_id is not None}
    ids = index.vectors.all_ids()
    expected = {f"{d}:{n}" for d, r in rows.items() for n in range(r.chunks)}
    db = index.catalog.db
    print(json.dumps({
        "chunks": index.catalog.counts()["chunks"],
        "chunk_rows": db.execute("SELECT count(*) FROM chunks").fetchone()[0],
        "fts_rows": db.execute("SELECT count(*) FROM chunks_fts").fetchone()[0],
        "vectors": len(ids),
        "orphans": len(set(ids) - expected),
        "missing": len(expected - set(ids)),
        "pending": len(index.catalog.pending()),
    }))
    index.close()
    """
)


def consistency(env: dict[str, str], data_dir: Path) -> dict[str, int]:
    """Catalog, keyword index and vectors counted by a process of their own (the owner)."""
    done = subprocess.run(
        [sys.executable, "-c", INSPECT, str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"inspect failed: rc {done.returncode}: {done.stderr[-1000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def agrees(counts: dict[str, int]) -> bool:
    return (
        counts["chunks"] == counts["chunk_rows"] == counts["fts_rows"] == counts["vectors"]
        and counts["orphans"] == counts["missing"] == 0
    )


def doctor_index(env: dict[str, str]) -> dict[str, object]:
    done = run(env, "doctor", "--json")
    checks = json.loads(done.stdout)["checks"]
    return next(c for c in checks if c["name"] == "index")
