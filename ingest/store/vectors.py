"""The vector side of the index: one ChromaDB collection of chunk embeddings (cosine).

Embedded (`PersistentClient`) by default, or a Chroma server (`HttpClient`) for a team.
Chroma never embeds anything itself: the collection has no embedding function, because
its default one downloads a model from the internet.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ingest.offline import force_offline
from ingest.store import owner
from ingest.store.reader import StoreReader, open_reader

log = logging.getLogger(__name__)

COLLECTION = "chunks"
# Chroma's embedded client registers itself in a process-wide cache while it starts; two
# threads creating one at once corrupt that cache (KeyError on the path, missing bindings).
# So each process keeps one embedded client per folder, created under a lock, and opens
# collections under the same lock (the chat's watcher and its first search open theirs at
# once, on one client).
_CLIENT_LOCK = threading.Lock()
_CLIENTS: dict[str, Any] = {}


# httpx reads these when a client is built; Chroma's HttpClient builds its own with the
# default trust_env=True, so a proxy in the environment would carry vectors and file paths
# off the machine even though the server URL itself passed the egress policy.
PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


def chroma_settings() -> Any:
    """The settings every Chroma client gets: telemetry off, no reset endpoint."""
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False, allow_reset=False)


@contextlib.contextmanager
def _proxies_ignored() -> Iterator[None]:
    saved = {k: os.environ.pop(k) for k in PROXY_VARIABLES if k in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


_IMPORT_LOCK = threading.Lock()


def import_chromadb() -> Any:
    """chromadb, imported without the `overrides` package's signature checks.

    chromadb decorates about 160 methods with `@override`, which inspects the caller's
    bytecode and compares signatures with the base class while each class is created: a
    development-time check that was a fifth of a one-shot search's start-up here. The
    decorator is swapped for one that only sets the marker it sets (what its metaclass
    checks) while chromadb is imported and its client built, then put back.
    """
    with _IMPORT_LOCK:
        if "chromadb" in sys.modules:
            return sys.modules["chromadb"]
        force_offline()
        try:
            import overrides
        except ImportError:  # a chromadb that no longer uses it
            import chromadb

            return chromadb
        saved = overrides.override, overrides.overrides
        overrides.override = overrides.overrides = _mark_override  # type: ignore[assignment]
        try:
            import chromadb
        finally:
            overrides.override, overrides.overrides = saved
        return chromadb


def _mark_override(method: Any = None, **_checks: Any) -> Any:
    if method is None:
        return _mark_override
    method.__override__ = True
    return method


def open_client(
    persist_dir: Path | None = None, url: str | None = None, read_only: bool = False
) -> Any:
    """A Chroma client on `persist_dir`, or on the server at `url` (already vetted by the
    caller's egress policy). `read_only`: a process that only queries gets the engine
    without chromadb's Python layer where it opens (ingest.store.reader); a reader's client
    gives way to the full one when the same process later asks to write."""
    if url:
        chromadb = import_chromadb()
        parsed = urlparse(url if "://" in url else f"http://{url}")
        with _proxies_ignored():
            return chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings(),
            )
    assert persist_dir is not None
    if not owner.owns(persist_dir.parent):
        raise owner.NotOwner(f"{persist_dir} opened without the owner lock of its data dir")
    persist_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = str(persist_dir.resolve())
    with _CLIENT_LOCK:
        client = _CLIENTS.get(key)
        if client is None or (not read_only and isinstance(client, StoreReader)):
            if client is not None:
                client.close()  # one engine per store in a process
            reader = open_reader(persist_dir, COLLECTION) if read_only else None
            _CLIENTS[key] = reader or persistent_client(persist_dir)
        return _CLIENTS[key]


def persistent_client(persist_dir: Path) -> Any:
    """An embedded client with no ownership check: only for `open_client` and for a child
    process the owner starts to probe its store (ingest.store.probe)."""
    chromadb = import_chromadb()
    return chromadb.PersistentClient(path=str(persist_dir.resolve()), settings=chroma_settings())


def is_open(persist_dir: Path) -> bool:
    with _CLIENT_LOCK:
        return str(persist_dir.resolve()) in _CLIENTS


def close_client(persist_dir: Path) -> None:
    """Stop this process's embedded client on `persist_dir` (its files closed, its
    background work done) before the owner lock goes to another process."""
    with _CLIENT_LOCK:
        client = _CLIENTS.pop(str(persist_dir.resolve()), None)
    if client is not None:
        client.close()


class OneAtATime:
    """A Chroma collection whose calls run one at a time in this process.

    The owner answers readers on its socket threads while its own ingest or watcher writes:
    embedded Chroma's query can meet a delete half-done in another thread and fail with
    "Error finding id" (measured: 2 of 1,011 reader calls beside ingest rounds; 1 in ~2,000
    queries beside a delete/add loop on two threads). Each call takes milliseconds, so a
    reader waits at most one write batch."""

    _calls = threading.RLock()  # one per process: a process holds one embedded store

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._collection, name)
        if not callable(attribute):
            return attribute

        def one_at_a_time(*args: Any, **kwargs: Any) -> Any:
            with self._calls:
                return attribute(*args, **kwargs)

        return one_at_a_time


class VectorStore:
    def __init__(self, client: Any, collection: str = COLLECTION) -> None:
        self.client = client
        with _CLIENT_LOCK:
            self.collection = OneAtATime(
                client.get_or_create_collection(
                    collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
                )
            )
        try:
            self.max_batch = int(client.get_max_batch_size())
        except Exception:  # older servers do not say; Chroma's documented floor is safe
            self.max_batch = 1000

    def add(
        self,
        ids: Sequence[str],
        vectors: Sequence[Sequence[float]],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        for start in range(0, len(ids), self.max_batch):
            end = start + self.max_batch
            self.collection.upsert(
                ids=list(ids[start:end]),
                embeddings=[list(v) for v in vectors[start:end]],
                metadatas=list(metadatas[start:end]),
            )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), self.max_batch):
            self.collection.delete(ids=list(ids[start : start + self.max_batch]))

    def delete_doc(self, doc_id: int) -> None:
        """Every vector of one content version, however many were written before a crash."""
        self.collection.delete(where={"doc": doc_id})

    def set_path(self, ids: Sequence[str], path: str) -> None:
        for start in range(0, len(ids), self.max_batch):
            part = list(ids[start : start + self.max_batch])
            self.collection.update(ids=part, metadatas=[{"path": path}] * len(part))

    def count(self) -> int:
        return int(self.collection.count())

    def all_ids(self) -> list[str]:
        ids: list[str] = []
        offset = 0
        while True:
            page = self.collection.get(include=[], limit=self.max_batch, offset=offset)["ids"]
            ids.extend(page)
            if len(page) < self.max_batch:
                return ids
            offset += len(page)

    def similarities(self, vector: Sequence[float], ids: Sequence[str]) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity to `vector`) of the stored vectors among `ids`, best
        first: exact, where an HNSW query is approximate. Fetching costs ~15 us a vector."""
        import numpy as np

        if not ids:
            return []
        result = self.collection.get(ids=list(ids), include=["embeddings"])
        if not result["ids"]:
            return []
        stored = np.asarray(result["embeddings"], dtype=np.float32)
        query = np.asarray(vector, dtype=np.float32)
        # Stored vectors are normalized; the norms guard against a model that was not.
        norms = np.linalg.norm(stored, axis=1) * np.linalg.norm(query)
        scores = (stored @ query) / np.where(norms > 0, norms, 1.0)
        order = np.argsort(-scores, kind="stable")
        return [(result["ids"][i], float(scores[i])) for i in order]

    def query(
        self, vector: Sequence[float], n: int, docs: Sequence[int] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest `n` vectors, best first.

        No count() first: Chroma answers a query for more than it holds with what it has,
        and counting took 48 ms at 100k vectors against 2 ms for the query itself.
        """
        where = {"doc": {"$in": list(docs)}} if docs is not None else None
        result = self.collection.query(
            query_embeddings=[list(vector)], n_results=n, where=where, include=["distances"]
        )
        return [
            (i, 1.0 - float(d))
            for i, d in zip(result["ids"][0], result["distances"][0], strict=True)
        ]
