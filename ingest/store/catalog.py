"""The catalog: a SQLite database of file records, chunk text and the FTS5 table over it.

It is the source of truth for what is indexed: a vector counts only when a committed
file row owns it. WAL mode lets readers (ask, the TUI) query while one writer commits.
Paths go in through `stored` and come out through `from_stored`: a file name that is not
UTF-8 is kept exactly (ingest/pathnames.py).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.chunk import Chunk
from ingest.namewords import file_terms
from ingest.pathnames import from_stored, stored

SCHEMA_VERSION = 3

# Keeps the keyword index in step when a chunk's row changes in place (its file was
# renamed, so the file-name words beside its headings change).
_UPDATE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS chunks_au AFTER UPDATE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, heading_text)
    VALUES ('delete', old.rowid, old.text, old.heading_text);
    INSERT INTO chunks_fts(rowid, text, heading_text)
    VALUES (new.rowid, new.text, new.heading_text);
END
"""

# What each schema version adds to the one before; a catalog opened by a newer program
# is brought up to date in one transaction, keeping every row it holds. Version 3 adds no
# column: its step (`_name_words_step`) re-derives every chunk's keyword heading text.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: (
        "ALTER TABLE files ADD COLUMN engine TEXT",  # what read the file: pypdf, tesseract...
        "ALTER TABLE chunks ADD COLUMN attachment TEXT",  # the file inside the file (e-mail)
    ),
    3: (_UPDATE_TRIGGER,),
}

# The keyword index's tokenizer; `fts.KeywordIndex` stems query terms with the same one.
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    doc_id INTEGER,                -- the content version whose chunks are indexed
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash TEXT,
    state TEXT NOT NULL,           -- 'indexed', 'failed' or 'empty' (0 bytes: skipped)
    reason TEXT,
    chunks INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    engine TEXT                    -- what read it: pypdf, pypdf+tesseract, openpyxl...
);
CREATE INDEX IF NOT EXISTS files_hash ON files(hash);
CREATE UNIQUE INDEX IF NOT EXISTS files_doc ON files(doc_id);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    page_start INTEGER,
    page_end INTEGER,
    headings TEXT NOT NULL,        -- JSON list
    heading_text TEXT NOT NULL,    -- the same, as words for the keyword index
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    text TEXT NOT NULL,
    attachment TEXT,               -- the file inside the file (an e-mail's report.pdf)
    UNIQUE (doc_id, idx)
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, heading_text, content='chunks', content_rowid='rowid',
    tokenize='{FTS_TOKENIZER}'
);
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text, heading_text)
    VALUES (new.rowid, new.text, new.heading_text);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, heading_text)
    VALUES ('delete', old.rowid, old.text, old.heading_text);
END;
{_UPDATE_TRIGGER};
-- Vectors written but not yet owned by a committed row (crash order), and vectors whose
-- row is gone but which are not yet deleted from the vector store.
CREATE TABLE IF NOT EXISTS pending_vectors (doc_id INTEGER PRIMARY KEY, chunks INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS folders (path TEXT PRIMARY KEY, added_at REAL NOT NULL);
"""


@dataclass(frozen=True)
class FileRecord:
    path: str
    doc_id: int | None
    size: int
    mtime_ns: int
    hash: str | None
    state: str
    reason: str | None
    chunks: int
    updated_at: float
    engine: str | None = None


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as retrieval sees it: its text and where it came from."""

    chunk_id: str
    path: str
    doc_id: int
    index: int
    page_start: int | None
    page_end: int | None
    headings: tuple[str, ...]
    char_start: int
    char_end: int
    text: str
    attachment: str | None = None


def chunk_id(doc_id: int, index: int) -> str:
    """Vector ids name the content version, so replacing a file never overwrites vectors
    that a committed row still owns."""
    return f"{doc_id}:{index}"


def heading_text(path: str, attachment: str | None, headings: Sequence[str]) -> str:
    """What the keyword index matches beside a chunk's text: the words of its file's name
    (and of the attachment it comes from) and its heading path. A question names its paper
    ("the February checking statement") by words its rows may never hold."""
    names = [file_terms(path), *([file_terms(attachment)] if attachment else [])]
    return " ".join([*names, *headings])


def parse_chunk_id(value: str) -> tuple[int, int]:
    doc, _, idx = value.partition(":")
    return int(doc), int(idx)


def vector_ids(doc_id: int, count: int) -> list[str]:
    return [chunk_id(doc_id, i) for i in range(count)]


CommittedVersion = tuple[str, int, int, str, int, Sequence[Chunk], "str | None"]
"""(path, size, mtime_ns, content hash, doc id, chunks, engine) of a file to commit."""


class Catalog:
    def __init__(self, path: Path) -> None:
        self.path = path
        # check_same_thread=False: the sync pipeline reads in one thread and commits in
        # another, never at the same time.
        self.db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self.db.execute("PRAGMA synchronous=NORMAL")
        if not self._has_schema():
            # Only a new catalog needs these, and they take the write lock: a reader (status,
            # search) opening while a writer commits must not wait for it.
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(_SCHEMA)
            with self.db:
                self.set_meta("schema_version", str(SCHEMA_VERSION))
        else:
            self._migrate()
        self.db.row_factory = sqlite3.Row

    def _migrate(self) -> None:
        version = int(self.get_meta("schema_version") or "1")
        if version >= SCHEMA_VERSION:
            return
        with self.db:
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[step]:
                    self.db.execute(statement)
            if version < 3:
                self._name_words_step()
            self.set_meta("schema_version", str(SCHEMA_VERSION))

    def _name_words_step(self) -> None:
        """Schema 3: every chunk's keyword heading text gains its file's name words (the
        update trigger re-indexes each row), so an index built before needs no rebuild."""
        self._rewrite_heading_text("", ())

    def _rewrite_heading_text(self, where: str, params: Sequence[object]) -> None:
        """Derive again the keyword heading text of the chunks of the files `where` picks
        (an SQL condition on `files f`; "" for every file) from their file's stored name."""
        rows = self.db.execute(
            "SELECT c.rowid, f.path, c.attachment, c.headings FROM chunks c "
            f"JOIN files f ON f.doc_id = c.doc_id {where}",
            params,
        ).fetchall()
        self.db.executemany(
            "UPDATE chunks SET heading_text = ? WHERE rowid = ?",
            [
                (heading_text(from_stored(path), attachment, json.loads(headings)), rowid)
                for rowid, path, attachment, headings in rows
            ],
        )

    def _has_schema(self) -> bool:
        try:
            return self.get_meta("schema_version") is not None
        except sqlite3.OperationalError:  # no meta table yet
            return False

    def close(self) -> None:
        self.db.close()

    # -- meta ---------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def next_doc_ids(self, count: int) -> list[int]:
        with self.db:
            value = int(self.get_meta("next_doc_id") or "1")
            self.set_meta("next_doc_id", str(value + count))
        return list(range(value, value + count))

    # -- files --------------------------------------------------------------
    def files(self, under: str | None = None) -> Iterator[FileRecord]:
        if under is None:
            rows = self.db.execute("SELECT * FROM files ORDER BY path")
        else:
            prefix = stored(under.rstrip("/") + "/")
            rows = self.db.execute(
                "SELECT * FROM files WHERE path = ? OR substr(path, 1, ?) = ? ORDER BY path",
                (stored(under), len(prefix), prefix),
            )
        for row in rows:
            yield _record(row)

    def failed(self) -> list[FileRecord]:
        rows = self.db.execute("SELECT * FROM files WHERE state = 'failed' ORDER BY path")
        return [_record(row) for row in rows]

    def file(self, path: str) -> FileRecord | None:
        row = self.db.execute("SELECT * FROM files WHERE path = ?", (stored(path),)).fetchone()
        return None if row is None else _record(row)

    def counts(self) -> dict[str, int]:
        row = self.db.execute(
            "SELECT count(*) AS files, coalesce(sum(chunks), 0) AS chunks, "
            "coalesce(sum(state = 'failed'), 0) AS failed,"
            " coalesce(sum(state = 'empty'), 0) AS empty FROM files"
        ).fetchone()
        return {
            "files": row["files"],
            "chunks": row["chunks"],
            "failed": row["failed"],
            "empty": row["empty"],
        }

    def engines(self) -> dict[str, int]:
        """How many indexed files each engine read ("pypdf", "pypdf+tesseract", ...);
        files indexed before engines were recorded count as "unrecorded"."""
        rows = self.db.execute(
            "SELECT coalesce(engine, 'unrecorded'), count(*) FROM files"
            " WHERE state = 'indexed' GROUP BY 1 ORDER BY 1"
        )
        return {name: count for name, count in rows}

    def chunk_count(self) -> int:
        """Committed and not-yet-dropped chunks; a B-tree count, well under a millisecond."""
        return int(self.db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def last_change(self) -> float | None:
        row = self.db.execute("SELECT max(updated_at) FROM files").fetchone()
        return None if row[0] is None else float(row[0])

    # -- writes (each one transaction) ---------------------------------------
    def begin_vectors_many(self, versions: Sequence[tuple[int, int]]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO pending_vectors(doc_id, chunks) VALUES (?, ?)", versions
            )

    def commit_file(
        self,
        path: str,
        size: int,
        mtime_ns: int,
        content_hash: str,
        doc_id: int,
        chunks: Sequence[Chunk],
        engine: str | None = None,
    ) -> FileRecord | None:
        """Make `doc_id`'s vectors the file's, in one transaction; returns the row it
        replaced, whose vectors the caller deletes next (they are marked pending)."""
        return self.commit_files([(path, size, mtime_ns, content_hash, doc_id, chunks, engine)])[0]

    def commit_files(self, versions: Sequence[CommittedVersion]) -> list[FileRecord | None]:
        """`commit_file` for a batch of files in one transaction: one commit (one fsync of
        the WAL) instead of one per file, which cost as much as the rest of writing a
        short file. All of the batch's vectors exist before it, as for one file."""
        olds: list[FileRecord | None] = []
        rows = []
        with self.db:
            for path, size, mtime_ns, content_hash, doc_id, chunks, engine in versions:
                old = self.file(path)
                if old is not None and old.doc_id is not None:
                    self._drop_chunks(old)
                rows.extend(
                    (
                        doc_id,
                        c.index,
                        c.page_start,
                        c.page_end,
                        json.dumps(list(c.headings)),
                        heading_text(path, c.attachment, c.headings),
                        c.char_start,
                        c.char_end,
                        c.text,
                        c.attachment,
                    )
                    for c in chunks
                )
                self._upsert_file(
                    path, doc_id, size, mtime_ns, content_hash, "indexed", None, len(chunks), engine
                )
                olds.append(old)
            self.db.executemany(
                "INSERT INTO chunks(doc_id, idx, page_start, page_end, headings, heading_text,"
                " char_start, char_end, text, attachment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            self.db.executemany(
                "DELETE FROM pending_vectors WHERE doc_id = ?", [(v[4],) for v in versions]
            )
        return olds

    def record_failure(
        self, path: str, size: int, mtime_ns: int, content_hash: str | None, reason: str
    ) -> FileRecord | None:
        """A failed file keeps no chunks: its old text would no longer match the file."""
        return self._record_unindexed(path, size, mtime_ns, content_hash, "failed", reason)

    def record_empty(self, path: str, mtime_ns: int) -> FileRecord | None:
        """An empty file is no failure (a placeholder, a `touch`): it is remembered, so
        `status` can count it and the next sync skips it until it gains content."""
        return self._record_unindexed(path, 0, mtime_ns, None, "empty", None)

    def _record_unindexed(
        self,
        path: str,
        size: int,
        mtime_ns: int,
        content_hash: str | None,
        state: str,
        reason: str | None,
    ) -> FileRecord | None:
        with self.db:
            old = self.file(path)
            if old is not None and old.doc_id is not None:
                self._drop_chunks(old)
            self._upsert_file(path, None, size, mtime_ns, content_hash, state, reason, 0)
        return old

    def touch_file(self, path: str, size: int, mtime_ns: int) -> None:
        """Same content, new stat (a `touch`, a copy back): remember it so the next sync
        skips the file without reading it."""
        with self.db:
            self.db.execute(
                "UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?",
                (size, mtime_ns, stored(path)),
            )

    def move_file(self, old_path: str, new_path: str, size: int, mtime_ns: int) -> None:
        """The file's new name, and its chunks' keyword heading text with the new name's
        words (the vectors embed no file name, so they stay)."""
        with self.db:
            self.db.execute(
                "UPDATE files SET path = ?, size = ?, mtime_ns = ?, updated_at = ? WHERE path = ?",
                (stored(new_path), size, mtime_ns, time.time(), stored(old_path)),
            )
            self._rewrite_heading_text("WHERE f.path = ?", (stored(new_path),))

    def remove_file(self, path: str) -> FileRecord | None:
        with self.db:
            old = self.file(path)
            if old is None:
                return None
            if old.doc_id is not None:
                self._drop_chunks(old)
            self.db.execute("DELETE FROM files WHERE path = ?", (stored(path),))
        return old

    def pending(self) -> list[tuple[int, int]]:
        return [(r[0], r[1]) for r in self.db.execute("SELECT doc_id, chunks FROM pending_vectors")]

    def clear_pending(self, doc_ids: Iterable[int]) -> None:
        with self.db:
            self.db.executemany(
                "DELETE FROM pending_vectors WHERE doc_id = ?", [(d,) for d in doc_ids]
            )

    def owned_doc_ids(self) -> set[int]:
        return {r[0] for r in self.db.execute("SELECT doc_id FROM files WHERE doc_id IS NOT NULL")}

    def _drop_chunks(self, old: FileRecord) -> None:
        self.db.execute("DELETE FROM chunks WHERE doc_id = ?", (old.doc_id,))
        self.db.execute(
            "INSERT OR REPLACE INTO pending_vectors(doc_id, chunks) VALUES (?, ?)",
            (old.doc_id, old.chunks),
        )

    def _upsert_file(
        self,
        path: str,
        doc_id: int | None,
        size: int,
        mtime_ns: int,
        content_hash: str | None,
        state: str,
        reason: str | None,
        chunks: int,
        engine: str | None = None,
    ) -> None:
        self.db.execute(
            "INSERT INTO files(path, doc_id, size, mtime_ns, hash, state, reason, chunks,"
            " updated_at, engine) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO"
            " UPDATE SET doc_id = excluded.doc_id, size = excluded.size,"
            " mtime_ns = excluded.mtime_ns, hash = excluded.hash, state = excluded.state,"
            " reason = excluded.reason, chunks = excluded.chunks,"
            " updated_at = excluded.updated_at, engine = excluded.engine",
            (stored(path), doc_id, size, mtime_ns, content_hash, state, reason, chunks)
            + (time.time(), engine),
        )

    # -- folders -------------------------------------------------------------
    def add_folders(self, folders: Iterable[str]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR IGNORE INTO folders(path, added_at) VALUES (?, ?)",
                [(stored(f), time.time()) for f in folders],
            )

    def remove_folder(self, folder: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM folders WHERE path = ?", (stored(folder),))

    def folders(self) -> list[str]:
        return [
            from_stored(r[0]) for r in self.db.execute("SELECT path FROM folders ORDER BY path")
        ]

    def file_headings(self, limit: int) -> list[tuple[str, tuple[str, ...]]]:
        """Up to `limit` indexed files, most recently changed first, each with the heading
        path of one of its passages (a section's, where it has sections; () for a file
        with no headings): what a first screen can draw example questions from."""
        rows = self.db.execute(
            "SELECT f.path, (SELECT c.headings FROM chunks c WHERE c.doc_id = f.doc_id"
            " AND c.headings != '[]' ORDER BY json_array_length(c.headings) > 1 DESC, c.idx"
            " LIMIT 1) AS headings FROM files f WHERE f.state = 'indexed'"
            " ORDER BY f.updated_at DESC, f.path LIMIT ?",
            (limit,),
        )
        return [(row["path"], tuple(json.loads(row["headings"] or "[]"))) for row in rows]

    # -- reads for retrieval ---------------------------------------------------
    def chunks_by_ids(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        """The committed chunks among `ids` (vectors of uncommitted versions drop out)."""
        found: dict[str, StoredChunk] = {}
        for clause, params in chunks_where(ids):
            for row in self.db.execute(f"{CHUNK_SELECT} WHERE {clause}", params):
                chunk = stored_chunk(row)
                found[chunk.chunk_id] = chunk
        return found

    def data_version(self) -> int:
        """Changes whenever any connection commits to the catalog (SQLite's own counter)."""
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def doc_chunk_counts(self, path_filter: Callable[[str], bool]) -> dict[int, int]:
        """Indexed content versions (and their chunk counts) whose path passes the filter."""
        self.db.create_function(
            "path_ok", 1, lambda path: path_filter(from_stored(path)), deterministic=True
        )
        rows = self.db.execute(
            "SELECT doc_id, chunks FROM files WHERE doc_id IS NOT NULL AND path_ok(path)"
        )
        return {r[0]: r[1] for r in rows}


CHUNK_COLUMNS = (
    "SELECT c.doc_id, c.idx, c.page_start, c.page_end, c.headings, c.char_start, c.char_end,"
    " c.text, c.attachment, f.path"
)
CHUNK_SELECT = f"{CHUNK_COLUMNS} FROM chunks c JOIN files f ON f.doc_id = c.doc_id"


def chunks_where(ids: Sequence[str]) -> Iterator[tuple[str, list[int]]]:
    """WHERE clauses (and their parameters) that pick the chunks `ids`, 400 at a time, with
    one index seek per id: SQLite scans the whole table for a row-value IN list."""
    for start in range(0, len(ids), 400):
        part = [parse_chunk_id(i) for i in ids[start : start + 400]]
        yield (
            " OR ".join("(c.doc_id = ? AND c.idx = ?)" for _ in part),
            [v for pair in part for v in pair],
        )


def _record(row: sqlite3.Row) -> FileRecord:
    return FileRecord(**{**dict(row), "path": from_stored(row["path"])})


def stored_chunk(row: sqlite3.Row) -> StoredChunk:
    return StoredChunk(
        chunk_id=chunk_id(row["doc_id"], row["idx"]),
        path=from_stored(row["path"]),
        doc_id=row["doc_id"],
        index=row["idx"],
        page_start=row["page_start"],
        page_end=row["page_end"],
        headings=tuple(json.loads(row["headings"])),
        char_start=row["char_start"],
        char_end=row["char_end"],
        text=row["text"],
        attachment=row["attachment"],
    )
