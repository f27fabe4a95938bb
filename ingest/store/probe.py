"""Open a data dir's embedded vector store in a child process and say whether it loads.

A damaged HNSW segment can crash the vector library itself (a segfault): done in the
caller's own process, the user would see a bare exit status 139. The child opens the
store, counts it, and runs one nearest-neighbour query (what loads the HNSW segment);
whatever kills it is reported as a sentence. Only the owner (or a process that knows no
owner runs, such as `repair` under the lock) starts a probe.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ingest.offline import force_offline

CHROMA_DIR = "chroma"  # index.CHROMA_DIR; not imported, so the child imports little
PROBE_TIMEOUT = 300.0


@dataclass(frozen=True)
class Probe:
    ok: bool
    vectors: int | None  # counted, when it opened
    detail: str  # what went wrong, in a sentence; empty when ok


def has_store(data_dir: Path) -> bool:
    return (data_dir / CHROMA_DIR / "chroma.sqlite3").is_file()


def probe_store(data_dir: Path, timeout: float = PROBE_TIMEOUT) -> Probe:
    """Open the store in a child; never raises for what the store does to the child."""
    if not has_store(data_dir):
        return Probe(True, 0, "")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ingest.store.probe", str(data_dir)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PYTHONFAULTHANDLER": ""},
        )
    except subprocess.TimeoutExpired:
        return Probe(False, None, f"opening it did not finish in {timeout:.0f} s")
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        return Probe(False, None, f"the vector library crashed opening it ({name})")
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        return Probe(False, None, lines[-1] if lines else f"exit status {done.returncode}")
    return Probe(True, int(json.loads(done.stdout.strip().splitlines()[-1])["vectors"]), "")


def _open_and_query(data_dir: Path) -> int:
    """In the child: count the vectors and query the nearest to one of them."""
    from ingest.store.vectors import COLLECTION, persistent_client

    client = persistent_client(data_dir / CHROMA_DIR)
    names = [getattr(c, "name", c) for c in client.list_collections()]
    if COLLECTION not in names:
        return 0
    collection = client.get_collection(COLLECTION, embedding_function=None)
    count = int(collection.count())
    if count:
        first = collection.get(limit=1, include=["embeddings"])
        collection.query(query_embeddings=[list(first["embeddings"][0])], n_results=min(10, count))
    return count


if __name__ == "__main__":
    force_offline()
    sys.stdout.write(json.dumps({"vectors": _open_and_query(Path(sys.argv[1]))}) + "\n")
