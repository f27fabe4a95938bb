"""Crash order under `kill -9`: an ingest killed at any point, then rerun, ends exactly where
a clean ingest does, with no orphan vectors and no duplicates.

The kill points are found by watching what the writer puts on disk (its lock, catalog
rows, pending vectors), not by hooks in the code under test.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_DOCS

from ingest.store import Index
from ingest.sync import Syncer, SyncOptions

pytestmark = pytest.mark.slow

GENERATED = 60

INSPECT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from ingest.store import Index
    from ingest.store.catalog import parse_chunk_id
    index = Index(Path(sys.argv[1]))
    rows = {r.doc_id: r for r in index.catalog.files() if r.doc_id is not None}
    ids = index.vectors.all_ids()
    owned = [i for i in ids if parse_chunk_id(i)[0] in rows
             and parse_chunk_id(i)[1] < rows[parse_chunk_id(i)[0]].chunks]
    expected = {f"{d}:{n}" for d, r in rows.items() for n in range(r.chunks)}
    print(json.dumps({
        "files": {r.path: [r.state, r.chunks] for r in index.catalog.files()},
        "chunks": index.catalog.counts()["chunks"],
        "chunk_rows": index.catalog.db.execute("SELECT count(*) FROM chunks").fetchone()[0],
        "fts_rows": index.catalog.db.execute("SELECT count(*) FROM chunks_fts").fetchone()[0],
        "vectors": len(ids),
        "distinct_vectors": len(set(ids)),
        "orphans": len(ids) - len(owned),
        "missing": len(expected - set(ids)),
        "pending": len(index.catalog.pending()),
    }))
    """
)


def make_corpus(root: Path) -> None:
    """The sample docs plus 60 generated text files of a few chunks each, so an ingest
    has a beginning, a middle and an end (several embedding batches)."""
    shutil.copytree(SAMPLE_DOCS, root)
    words = [
        "orchard",
        "ledger",
        "quince",
        "medlar",
        "rootstock",
        "damson",
        "graft",
        "hedge",
        "barrow",
        "sickle",
    ]
    for f in range(GENERATED):
        paragraphs = []
        for p in range(4):
            sentences = [
                f"Entry {f}-{p}-{s} notes that the "
                + " ".join(words[(f * 3 + p * 5 + s * 7 + k) % len(words)] for k in range(12))
                + f" was checked on day {s + p * 10}."
                for s in range(9)
            ]
            paragraphs.append(" ".join(sentences))
        (root / f"generated-{f:02d}.txt").write_text("\n\n".join(paragraphs) + "\n")


def ingest_cmd(data: Path, docs: Path) -> list[str]:
    return [sys.executable, "-m", "assistant.cli", "--data-dir", str(data), "ingest", str(docs)]


def child_json(command: list[str], env: dict[str, str], timeout: float) -> dict[str, object]:
    """Run a child process that prints one JSON object; that object."""
    run = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert run.returncode == 0, run.stderr
    return dict(json.loads(run.stdout))


def ingest_json(data: Path, docs: Path, env: dict[str, str]) -> dict[str, object]:
    """A whole ingest in a child process, as a user reruns it; its --json summary."""
    return child_json([*ingest_cmd(data, docs)[:-1], "--json", str(docs)], env, 1200)


def child_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    return env


def inspect(data: Path, env: dict[str, str]) -> dict[str, object]:
    return child_json([sys.executable, "-c", INSPECT, str(data)], env, 300)


def catalog_value(data: Path, sql: str) -> int:
    """Read the writer's catalog as a reader would (WAL: never blocks the writer)."""
    path = data / "catalog.sqlite3"
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return int(db.execute(sql).fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:  # schema not created yet
        return 0


def lock_held(data: Path) -> bool:
    lock = data / "writer.lock"
    return lock.exists() and lock.stat().st_size > 0


def files_committed(data: Path) -> int:
    return catalog_value(data, "SELECT count(*) FROM files")


def vectors_in_flight(data: Path) -> int:
    return catalog_value(data, "SELECT count(*) FROM pending_vectors")


def signal_when(
    data: Path,
    docs: Path,
    env: dict[str, str],
    ready: Callable[[], bool],
    what: str,
    sig: signal.Signals = signal.SIGKILL,
) -> tuple[int, str]:
    """Start an ingest and send it `sig` the moment `ready()` holds (polled every few ms);
    returns its exit status and what it wrote to stderr."""
    with tempfile.TemporaryFile("w+") as stderr:
        proc = subprocess.Popen(
            ingest_cmd(data, docs),
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            # As from a terminal: a shell's background job would start with SIGINT ignored.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        try:
            deadline = time.monotonic() + 900
            while not ready():
                if proc.poll() is not None:
                    pytest.fail(f"ingest finished before the signal point {what!r}")
                if time.monotonic() > deadline:
                    pytest.fail(f"signal point {what!r} never came")
                time.sleep(0.003)
            proc.send_signal(sig)
        finally:
            proc.wait(timeout=60)
        stderr.seek(0)
        return proc.returncode, stderr.read()


def kill_when(
    data: Path, docs: Path, env: dict[str, str], ready: Callable[[], bool], what: str
) -> None:
    code, _ = signal_when(data, docs, env, ready, what)
    assert code == -signal.SIGKILL, what


def test_kill_9_at_several_points_then_rerun_equals_a_clean_ingest(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    docs = tmp_path / "docs"
    make_corpus(docs)
    env = child_env(tmp_path)

    # The reference: a clean ingest into a fresh data dir, uninterrupted.
    clean_dir = tmp_path / "clean"
    index = Index(clean_dir)
    report = Syncer(index, embedder, SyncOptions()).sync([docs])
    index.close()
    total_files = GENERATED + len(list(SAMPLE_DOCS.iterdir()))
    assert report.added == total_files and not report.failed
    clean = inspect(clean_dir, env)
    assert clean["chunks"] == report.chunks_embedded == clean["vectors"]
    assert report.chunks_embedded > 2 * embedder.texts_per_call  # several batches

    data = tmp_path / "crashed"
    # 1. Right at the start: the writer holds the lock, nothing is committed yet.
    kill_when(data, docs, env, lambda: lock_held(data), "start")
    assert files_committed(data) == 0
    # 2. Just after the first file's row commits (the rest of its batch still to come).
    kill_when(data, docs, env, lambda: files_committed(data) >= 1, "first commit")
    # 3. With vectors written (or being written) that no committed row owns yet.
    # (after this run's own first commit: a killed run's leftovers are pending at start)
    before = files_committed(data)
    kill_when(
        data,
        docs,
        env,
        lambda: vectors_in_flight(data) > 0 and files_committed(data) > before,
        "vectors in flight",
    )
    after_in_flight = inspect(data, env)
    assert after_in_flight["missing"] == 0, "a committed file lost vectors"
    # 4. In the middle: about half the files committed.
    kill_when(data, docs, env, lambda: files_committed(data) >= total_files // 2, "middle")
    middle = inspect(data, env)
    assert middle["missing"] == 0, "a committed file lost vectors"
    assert 0 < len(middle["files"]) < total_files  # type: ignore[arg-type]

    summary = ingest_json(data, docs, env)
    assert summary["failed"] == [] and summary["removed"] == 0

    final = inspect(data, env)
    assert final["files"] == clean["files"]
    for key in ("chunks", "chunk_rows", "fts_rows", "vectors", "distinct_vectors"):
        assert final[key] == clean[key], key
    assert final["orphans"] == 0 and final["missing"] == 0 and final["pending"] == 0
    assert final["vectors"] == final["chunks"]

    # And the index is usable: a second run changes nothing.
    assert ingest_json(data, docs, env)["unchanged"] == total_files


def test_ctrl_c_mid_ingest_says_so_exits_130_and_a_rerun_completes(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    make_corpus(docs)
    env = child_env(tmp_path)
    data = tmp_path / "data"
    total_files = GENERATED + len(list(SAMPLE_DOCS.iterdir()))

    code, stderr = signal_when(
        data, docs, env, lambda: files_committed(data) >= 5, "five files", signal.SIGINT
    )
    assert code == 130, stderr
    assert stderr.rstrip().splitlines()[-1] == "interrupted"
    assert "Traceback" not in stderr
    assert not lock_held(data), "the writer lock outlived the process"
    stopped = inspect(data, env)
    assert stopped["missing"] == 0, "a committed file lost vectors"
    committed = len(stopped["files"])  # type: ignore[arg-type]
    assert 5 <= committed < total_files

    summary = ingest_json(data, docs, env)
    assert summary["added"] == total_files - committed and summary["unchanged"] == committed
    final = inspect(data, env)
    assert final["orphans"] == 0 and final["missing"] == 0 and final["pending"] == 0
    assert final["vectors"] == final["chunks"] == final["fts_rows"]
