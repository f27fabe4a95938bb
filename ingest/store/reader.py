"""A read-only client on the embedded store, straight on Chroma's Rust engine.

Chroma's embedded `PersistentClient` is a Python layer (settings, telemetry, pydantic
models, every embedding function it ships) over one Rust object, `Bindings`, that does the
storing and searching. A one-shot `ask` or `search` only queries, and importing that layer
was 0.4 s of its 1.1 s on a quiet machine; the Rust module alone imports and opens the
store in about 0.07 s. So a process that only reads opens the engine itself, with the
settings the Python client gives it, and migrations only validated: a reader never
rewrites the store.

Anything unexpected (a chromadb whose engine takes other arguments, a store that needs a
migration) gives None, and the caller opens the full client instead, so this is a fast
path and never the only one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

TENANT = "default_tenant"
DATABASE = "default_database"
SQLITE_NAME = "chroma.sqlite3"
# What the Python client gives the engine: each HNSW index holds 5 files open.
FILES_PER_INDEX = 5
# The Python client's default largest batch, for a reader that never writes one.
MAX_BATCH = 5461


class StoreReader:
    """The part of Chroma's client API that reading uses: a collection to query."""

    def __init__(self, bindings: Any) -> None:
        self._bindings = bindings

    def engine(self) -> Any:
        """The engine while open: its collections hold the reader, not the engine, so
        that closing frees it (a process keeps one engine per store)."""
        if self._bindings is None:
            raise RuntimeError("the read-only Chroma client is closed")
        return self._bindings

    def get_or_create_collection(self, name: str, **_settings: Any) -> ReadOnlyCollection:
        """The existing collection (`open_reader` saw it): a reader creates none."""
        found = self.engine().get_collection(name, TENANT, DATABASE)
        return ReadOnlyCollection(self, str(found.id))

    def get_max_batch_size(self) -> int:
        return MAX_BATCH

    def close(self) -> None:
        self._bindings = None


class ReadOnlyCollection:
    """query, get and count, answering as chromadb's Collection does (dicts of lists)."""

    def __init__(self, reader: StoreReader, collection_id: str) -> None:
        self._reader = reader
        self._id = collection_id

    def query(
        self,
        query_embeddings: Sequence[Sequence[float]],
        n_results: int = 10,
        where: dict[str, Any] | None = None,
        include: Sequence[str] = ("distances",),
    ) -> dict[str, Any]:
        found = self._reader.engine().query(
            self._id,
            None,
            [list(v) for v in query_embeddings],
            n_results,
            json.dumps(where) if where else None,
            None,
            list(include),
            TENANT,
            DATABASE,
        )
        return {"ids": found.ids, "distances": found.distances, "metadatas": found.metadatas}

    def get(
        self,
        ids: Sequence[str] | None = None,
        include: Sequence[str] = ("metadatas",),
        limit: int | None = None,
        offset: int | None = None,
    ) -> dict[str, Any]:
        found = self._reader.engine().get(
            self._id,
            list(ids) if ids is not None else None,
            None,
            limit,
            offset or 0,
            None,
            list(include),
            TENANT,
            DATABASE,
        )
        return {"ids": found.ids, "embeddings": found.embeddings, "metadatas": found.metadatas}

    def count(self) -> int:
        return int(self._reader.engine().count(self._id, TENANT, DATABASE))


def open_reader(persist_dir: Path, collection: str) -> StoreReader | None:
    """The engine opened read-only on `persist_dir` holding `collection`, or None where it
    cannot be (the reason is logged at debug level)."""
    try:
        import resource  # not on Windows, where the full client serves

        import chromadb_rust_bindings as engine

        config = engine.SqliteDBConfig(
            hash_type=engine.MigrationHash.MD5,
            migration_mode=engine.MigrationMode.Validate,
            url=str(persist_dir / SQLITE_NAME),
        )
        open_files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        bindings = engine.Bindings(
            allow_reset=False,
            sqlite_db_config=config,
            persist_path=str(persist_dir),
            hnsw_cache_size=open_files // FILES_PER_INDEX,
        )
        bindings.get_collection(collection, TENANT, DATABASE)
    except Exception as exc:  # an engine of another shape, or a store to migrate
        log.debug("the read-only Chroma engine did not open %s: %s", persist_dir, exc)
        return None
    return StoreReader(bindings)
