"""Keyword search: BM25 over the catalog's chunks (its FTS5 table), and what a term costs.

The catalog keeps the FTS5 table current with triggers as chunks come and go; this is
the reading side, on the catalog's own connection, so a search sees exactly the
committed chunks.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from ingest.store.catalog import (
    CHUNK_COLUMNS,
    FTS_TOKENIZER,
    StoredChunk,
    chunk_id,
    chunks_where,
    stored_chunk,
)


class KeywordIndex:
    """The FTS5 side of one catalog. `match` arguments must already be safe FTS5
    expressions (the retriever quotes every term)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._stemmer: sqlite3.Connection | None = None
        self._vocabulary_ready = False

    def close(self) -> None:
        if self._stemmer is not None:
            self._stemmer.close()
            self._stemmer = None

    def search(
        self, match: str, limit: int, docs: Sequence[int] | None = None
    ) -> list[tuple[StoredChunk, float]]:
        """FTS5 BM25 over chunk text and headings, best first, higher score better.

        `docs` limits the search to those content versions, inside the query, so the
        limit counts only passing chunks.
        """
        if docs is None:
            # Rank inside FTS5 first and join only the winners: joining every match before
            # sorting doubled the query time at 100k chunks.
            rows = self.db.execute(
                "WITH top AS (SELECT rowid, bm25(chunks_fts, 1.0, 0.5) AS rank FROM chunks_fts"
                " WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?) "
                f"{CHUNK_COLUMNS}, -top.rank AS score FROM top "
                "JOIN chunks c ON c.rowid = top.rowid JOIN files f ON f.doc_id = c.doc_id "
                "ORDER BY top.rank",
                (match, limit),
            ).fetchall()
        else:
            rows = self.db.execute(
                f"{CHUNK_COLUMNS}, -bm25(chunks_fts, 1.0, 0.5) AS score FROM chunks_fts "
                "JOIN chunks c ON c.rowid = chunks_fts.rowid JOIN files f ON f.doc_id = c.doc_id "
                "WHERE chunks_fts MATCH ? AND c.doc_id IN (SELECT value FROM json_each(?)) "
                "ORDER BY bm25(chunks_fts, 1.0, 0.5) LIMIT ?",
                (match, json.dumps(list(docs)), limit),
            ).fetchall()
        return [(stored_chunk(r), float(r["score"])) for r in rows]

    def matching(self, match: str | None, ids: Sequence[str]) -> set[str]:
        """Those of the chunks `ids` that `match` matches: each checked on its own, so a
        common word's long posting list is never walked."""
        if match is None:
            return set()
        found: set[str] = set()
        for clause, params in chunks_where(ids):
            rows = self.db.execute(
                "SELECT c.doc_id, c.idx FROM chunks c CROSS JOIN chunks_fts "
                f"ON chunks_fts.rowid = c.rowid WHERE ({clause}) AND chunks_fts MATCH ?",
                [*params, match],
            )
            found.update(chunk_id(doc, idx) for doc, idx in rows)
        return found

    def stems(self, terms: Sequence[str]) -> dict[str, list[str]]:
        """Each term as the index's tokenizer and stemmer make it ("Plumbing" is
        ["plumb"]; a term with an underscore or a hyphen may be several tokens)."""
        out: dict[str, list[str]] = {t: [] for t in dict.fromkeys(terms)}
        keys = list(out)
        for row, stem in self._tokens(keys):
            out[keys[row]].append(stem)
        return out

    def _vocabulary(self) -> None:
        """The index's vocabulary as a table (each token, the chunks holding it)."""
        if not self._vocabulary_ready:
            self.db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_vocab "
                "USING fts5vocab(main, 'chunks_fts', 'row')"
            )
            self._vocabulary_ready = True

    def _tokens(self, terms: Sequence[str]) -> list[tuple[int, str]]:
        """(index of its term, token) for every token of `terms`, tokenized and stemmed
        exactly as the index does (through an in-memory FTS5 table)."""
        if self._stemmer is None:
            self._stemmer = sqlite3.connect(":memory:", check_same_thread=False)
            self._stemmer.execute(
                f"CREATE VIRTUAL TABLE s USING fts5(t, tokenize={FTS_TOKENIZER!r})"
            )
            self._stemmer.execute("CREATE VIRTUAL TABLE si USING fts5vocab(s, 'instance')")
        with self._stemmer:
            self._stemmer.execute("DELETE FROM s")
            self._stemmer.executemany("INSERT INTO s(rowid, t) VALUES (?, ?)", enumerate(terms))
            return self._stemmer.execute("SELECT doc, term FROM si ORDER BY doc, offset").fetchall()

    def term_postings(self, terms: Sequence[str]) -> dict[str, int]:
        """How many postings the keyword index holds for each term: the chunks containing
        each of its tokens, after tokenizing and stemming it exactly as the index does
        (through an in-memory FTS5 table). This is what matching the term costs.

        Two statements per call however many terms: one lookup per term took ~0.3 ms.
        """
        terms = list(dict.fromkeys(terms))
        if not terms:
            return {}
        self._vocabulary()
        tokens = self._tokens(terms)
        stems = list({stem for _, stem in tokens})
        placeholders = ", ".join("?" * len(stems))
        chunks_with = dict(
            self.db.execute(
                f"SELECT term, doc FROM temp.chunks_vocab WHERE term IN ({placeholders})", stems
            ).fetchall()
            if stems
            else []
        )
        postings = dict.fromkeys(terms, 0)
        for row, stem in tokens:
            postings[terms[row]] += chunks_with.get(stem, 0)
        return postings
