"""The Index: vectors in ChromaDB and a SQLite catalog beside them, kept consistent.

Crash order: a content version's vectors are written first (after noting them as
pending), then one catalog transaction makes them the file's; vectors a crash left
unowned are dropped when a writer next opens the index.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.chunk import Chunk
from ingest.errors import ModelMismatch, UserError
from ingest.pathnames import stored
from ingest.store import owner
from ingest.store.catalog import Catalog, FileRecord, parse_chunk_id, vector_ids
from ingest.store.fts import KeywordIndex
from ingest.store.probe import probe_store
from ingest.store.vectors import (
    COLLECTION,
    VectorStore,
    close_client,
    import_chromadb,
    is_open,
    open_client,
)
from ingest.words import plural

log = logging.getLogger(__name__)

CATALOG_NAME = "catalog.sqlite3"
CHROMA_DIR = "chroma"


class VectorsElsewhere(UserError):
    exit_code = 2


class StoreDamaged(UserError):
    """The embedded vector store does not open (found by a probe in a child process)."""

    exit_code = 9

    def __init__(self, data_dir: Path, detail: str) -> None:
        super().__init__(
            f"the vector store in {data_dir / CHROMA_DIR} does not open ({detail}); the "
            "catalog is intact: run `assistant repair` to rebuild the vectors from it"
        )


@dataclass(frozen=True)
class FileVersion:
    """One file's new content, chunked and embedded, ready to become its indexed version."""

    path: str
    size: int
    mtime_ns: int
    content_hash: str
    chunks: Sequence[Chunk]
    vectors: Sequence[Sequence[float]]
    engine: str | None = None  # what read it (Document.engine)


def catalog_exists(data_dir: Path) -> bool:
    return (data_dir / CATALOG_NAME).is_file()


class Index:
    """Catalog plus vectors for one data dir. Writers hold a WriterLock around it; the
    embedded vectors open only under the owner lock (ingest.store.owner)."""

    def __init__(
        self, data_dir: Path, chroma_url: str | None = None, read_only: bool = False
    ) -> None:
        """`read_only`: this process only searches the vectors (a one-shot `ask`), so
        the embedded store may open without chromadb's Python layer (ingest.store.reader)."""
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.data_dir = data_dir
        self.read_only = read_only
        self.catalog = Catalog(data_dir / CATALOG_NAME)
        self.keywords = KeywordIndex(self.catalog.db)
        self._chroma_url = chroma_url
        self._vectors: VectorStore | None = None
        self._vectors_lock = threading.Lock()
        self._preload: threading.Thread | None = None
        self._claimed = False  # this Index's count on the owner lock

    @property
    def vectors(self) -> VectorStore:
        """Opened on first use: an unchanged re-sync never needs Chroma at all."""
        if self._vectors is None:
            return self.open_vectors()
        return self._vectors

    def open_vectors(self) -> VectorStore:
        """Connect to Chroma now (a reader warming up before its first search), once,
        whichever thread asks first: one open index serves the chat's workers."""
        with self._vectors_lock:
            if self._vectors is None:
                name = self._collection_name()  # before connecting: a mismatch needs no server
                if self._chroma_url:
                    client = open_client(url=self._chroma_url)
                else:
                    client = self._open_embedded()
                self._vectors = VectorStore(client, name)
            return self._vectors

    def _open_embedded(self) -> Any:
        """The embedded client, under the owner lock (see ingest.store.owner): claimed
        here unless the caller already holds it; another process holding it is refused."""
        if not self._claimed:
            if not owner.try_claim(self.data_dir, "index"):
                raise owner.StoreOwned(self.data_dir, owner.holder(self.data_dir))
            self._claimed = True
        persist = self.data_dir / CHROMA_DIR
        if not is_open(persist):
            if not owner.stopped_cleanly(self.data_dir):
                probe = probe_store(self.data_dir)
                if not probe.ok:
                    raise StoreDamaged(self.data_dir, probe.detail)
            owner.mark_in_use(self.data_dir)
            owner.on_last_release(self.data_dir, lambda: self._close_embedded(persist))
        return open_client(persist, read_only=self.read_only)

    def _close_embedded(self, persist: Path) -> None:
        close_client(persist)
        owner.mark_clean(self.data_dir)

    def preload_vectors(self) -> None:
        """Import Chroma (and open the embedded store) on a thread now, while the caller
        loads the embedding model: for a one-shot search that import is the largest part
        of start-up, and the model's load runs in C without the GIL. `vectors` then waits
        for it (the import lock) instead of starting over."""
        if self._vectors is not None or self._preload is not None:
            return
        embedded = not self._chroma_url and (self.data_dir / CHROMA_DIR).is_dir()

        def load() -> None:
            try:
                if embedded and owner.owns(self.data_dir):
                    self.open_vectors()
                else:
                    import_chromadb()
            except Exception:  # `vectors` meets it again on the caller's thread
                log.debug("preloading Chroma failed", exc_info=True)

        self._preload = threading.Thread(target=load, name="chroma-preload", daemon=True)
        self._preload.start()

    def _collection_name(self) -> str:
        """`chunks` in the embedded store; on a server, one collection per catalog.

        The catalog numbers content versions itself and reconcile drops every vector it
        does not own, so two catalogs writing one server collection would overwrite and
        then delete each other's vectors. A collection of its own per index prevents it.
        A catalog also remembers where its vectors live: switching between embedded and
        server would otherwise find an empty store and answer from nothing.
        """
        where = "server" if self._chroma_url else "embedded"
        recorded = self.catalog.get_meta("vectors_at")
        if recorded is None:
            with self.catalog.db:
                self.catalog.set_meta("vectors_at", where)
        elif recorded != where:
            raise VectorsElsewhere(
                f"this index keeps its vectors in the {recorded} Chroma, not the {where} one: "
                + (
                    "pass the same --chroma-url (or chroma_url) as when it was built"
                    if recorded == "server"
                    else "drop --chroma-url (and chroma_url)"
                )
                + f", or use a fresh --data-dir than {self.data_dir}"
            )
        if not self._chroma_url:
            return COLLECTION
        index_id = self.catalog.get_meta("index_id")
        if index_id is None:
            index_id = uuid.uuid4().hex
            with self.catalog.db:
                self.catalog.set_meta("index_id", index_id)
        return f"{COLLECTION}-{index_id}"

    def close(self) -> None:
        self.keywords.close()
        self.catalog.close()
        if self._claimed:
            self._claimed = False
            owner.release(self.data_dir)

    # -- the embedding model this index is built with --------------------------------
    @property
    def model(self) -> tuple[str, int] | None:
        name = self.catalog.get_meta("embedding_model")
        dim = self.catalog.get_meta("embedding_dimension")
        return None if name is None or dim is None else (name, int(dim))

    def bind_model(self, name: str, dimension: int) -> None:
        """Record the model on first write; refuse a different one ever after."""
        recorded = self.model
        if recorded is None:
            with self.catalog.db:
                self.catalog.set_meta("embedding_model", name)
                self.catalog.set_meta("embedding_dimension", str(dimension))
            return
        self.check_model(name, dimension)

    def check_model(self, name: str, dimension: int) -> None:
        recorded = self.model
        if recorded is not None and recorded != (name, dimension):
            raise ModelMismatch(
                f"this index was built with the embedding model {recorded[0]} "
                f"({recorded[1]} dimensions), not {name} ({dimension}): use the same model, "
                f"or re-index into a fresh data dir (`assistant --data-dir NEW ingest PATH`) "
                f"or delete {self.data_dir} and ingest again"
            )

    # -- crash recovery --------------------------------------------------------------
    def reconcile(self) -> int:
        """Drop vectors that no committed row owns; returns how many were dropped."""
        dropped = 0
        pending = self.catalog.pending()
        owned = self.catalog.owned_doc_ids()
        for doc_id, _count in pending:
            if doc_id not in owned:
                self.vectors.delete_doc(doc_id)
                dropped += 1
        self.catalog.clear_pending(d for d, _ in pending if d not in owned)
        expected = self.catalog.counts()["chunks"]
        if self._vectors is not None or pending:
            actual = self.vectors.count()
            if actual != expected:
                dropped += self._drop_unowned(owned)
        return dropped

    def _drop_unowned(self, owned: set[int]) -> int:
        stray = [i for i in self.vectors.all_ids() if parse_chunk_id(i)[0] not in owned]
        if stray:
            log.warning("dropping %s that no indexed file owns", plural(len(stray), "vector"))
            self.vectors.delete(stray)
        return len(stray)

    # -- writes ------------------------------------------------------------------------
    def write_files(self, files: Sequence[FileVersion]) -> None:
        """Write several files' vectors in one vector-store call, then their rows in one
        transaction.

        A Chroma write costs tens of milliseconds however few vectors it carries; paid per
        file, that was as much time as embedding a short file. Crash order still holds:
        every version is noted pending before its vectors exist, and a row commits after.
        """
        if not files:
            return
        doc_ids = self.catalog.next_doc_ids(len(files))
        self.catalog.begin_vectors_many(
            [(d, len(f.chunks)) for d, f in zip(doc_ids, files, strict=True)]
        )
        ids: list[str] = []
        vectors: list[Sequence[float]] = []
        metadatas: list[dict[str, Any]] = []
        for doc_id, f in zip(doc_ids, files, strict=True):
            ids.extend(vector_ids(doc_id, len(f.chunks)))
            vectors.extend(f.vectors)
            metadatas.extend(_metadata(doc_id, f.path, c) for c in f.chunks)
        if ids:
            self.vectors.add(ids, vectors, metadatas)
        olds = self.catalog.commit_files(
            [
                (f.path, f.size, f.mtime_ns, f.content_hash, doc_id, f.chunks, f.engine)
                for doc_id, f in zip(doc_ids, files, strict=True)
            ]
        )
        self._drop_versions(olds)

    def record_failure(
        self, path: str, size: int, mtime_ns: int, content_hash: str | None, reason: str
    ) -> None:
        self._drop_version(self.catalog.record_failure(path, size, mtime_ns, content_hash, reason))

    def record_empty(self, path: str, mtime_ns: int) -> None:
        self._drop_version(self.catalog.record_empty(path, mtime_ns))

    def move_file(self, old_path: str, new_path: str, size: int, mtime_ns: int) -> None:
        """A move keeps the vectors: only the path changes, in the catalog and in the
        vectors' metadata."""
        record = self.catalog.file(old_path)
        if new_path != old_path and self.catalog.file(new_path) is not None:
            self.remove_file(new_path)  # moved over another indexed file
        self.catalog.move_file(old_path, new_path, size, mtime_ns)
        if record is not None and record.doc_id is not None and record.chunks:
            self.vectors.set_path(vector_ids(record.doc_id, record.chunks), stored(new_path))

    def remove_file(self, path: str) -> None:
        self._drop_version(self.catalog.remove_file(path))

    def _drop_version(self, old: FileRecord | None) -> None:
        self._drop_versions([old])

    def _drop_versions(self, olds: Sequence[FileRecord | None]) -> None:
        """Delete replaced versions' vectors (one call) and then their pending notes."""
        dropped = [o for o in olds if o is not None and o.doc_id is not None]
        if not dropped:
            return
        ids = [i for o in dropped for i in vector_ids(o.doc_id, o.chunks)]  # type: ignore[arg-type]
        if ids:
            self.vectors.delete(ids)
        self.catalog.clear_pending([o.doc_id for o in dropped])  # type: ignore[misc]

    def size_on_disk(self) -> int:
        """The catalog and the vectors; not the model copy, conversations or eval data
        that share the data dir."""
        total = 0
        for name in (CATALOG_NAME, CATALOG_NAME + "-wal", CATALOG_NAME + "-shm"):
            with contextlib.suppress(OSError):
                total += (self.data_dir / name).stat().st_size
        for root, _dirs, files in os.walk(self.data_dir / CHROMA_DIR):
            for name in files:
                with contextlib.suppress(OSError):  # a file Chroma just rotated away
                    total += (Path(root) / name).stat().st_size
        return total


def _metadata(doc_id: int, path: str, chunk: Chunk) -> dict[str, Any]:
    meta: dict[str, Any] = {"doc": doc_id, "idx": chunk.index, "path": stored(path)}
    if chunk.page_start is not None:
        meta["page"] = chunk.page_start
    return meta
