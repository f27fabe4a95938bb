"""Rebuild the embedded vector store from the catalog's own chunk text.

The catalog keeps every indexed chunk's text, headings and place; the vectors are only
their embeddings. So a vector store that will not open (or lost vectors) is rebuilt by
embedding that text again: no file is read, nothing in the catalog changes. The new
store is built in a folder of its own and swapped in only once it is complete; until
then the old one stays where it was.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingest.chunk import embedding_text
from ingest.store import owner
from ingest.store.catalog import chunk_id
from ingest.store.index import CHROMA_DIR, Index
from ingest.store.vectors import COLLECTION, VectorStore, close_client, open_client

REBUILD_DIR = "chroma.rebuild"
ASIDE_DIR = "chroma.old"
BATCH = 256

Embed = Callable[[Sequence[str]], list[list[float]]]
Progress = Callable[[int, int], None]  # (chunks embedded so far, all of them)


@dataclass(frozen=True)
class Repaired:
    chunks: int
    seconds: float


def rebuild_vectors(index: Index, embed: Embed, progress: Progress | None = None) -> Repaired:
    """Embed every committed chunk again into a new store, then swap it in."""
    data_dir = index.data_dir
    if not owner.try_claim(data_dir, "repair"):
        raise owner.StoreOwned(data_dir, owner.holder(data_dir))
    started = time.monotonic()
    try:
        current, rebuild, aside = (data_dir / n for n in (CHROMA_DIR, REBUILD_DIR, ASIDE_DIR))
        close_client(current)  # never used below: the old store may be what crashes
        shutil.rmtree(rebuild, ignore_errors=True)  # an earlier repair cut short
        store = VectorStore(open_client(rebuild), COLLECTION)
        total = index.catalog.counts()["chunks"]
        done = 0
        rows = index.catalog.db.execute(
            "SELECT c.doc_id, c.idx, c.page_start, c.headings, c.text, f.path "
            "FROM chunks c JOIN files f ON f.doc_id = c.doc_id ORDER BY c.doc_id, c.idx"
        )
        while batch := rows.fetchmany(BATCH):
            texts = [embedding_text(r[4], tuple(json.loads(r[3]))) for r in batch]
            metadatas = []
            for doc_id, idx, page, _headings, _text, path in batch:
                meta = {"doc": doc_id, "idx": idx, "path": path}
                if page is not None:
                    meta["page"] = page
                metadatas.append(meta)
            store.add([chunk_id(r[0], r[1]) for r in batch], embed(texts), metadatas)
            done += len(batch)
            if progress is not None:
                progress(done, total)
        close_client(rebuild)
        # Swap: a crash between the two renames leaves no store (an empty one opens, and
        # doctor says to repair again); the old one is still aside until the end.
        shutil.rmtree(aside, ignore_errors=True)
        if current.exists():
            current.rename(aside)
        rebuild.rename(current)
        shutil.rmtree(aside, ignore_errors=True)
        index.catalog.clear_pending(d for d, _ in index.catalog.pending())
        owner.mark_clean(data_dir)
        return Repaired(done, time.monotonic() - started)
    finally:
        close_client(data_dir / REBUILD_DIR)
        owner.release(data_dir)
