"""Retrieval: a question to the passages that answer it, from vectors and keywords fused.

Vector search finds paraphrases; BM25 finds rare exact words (names, numbers, codes)
that a small embedding model blurs. Reciprocal rank fusion combines the two rankings
without having to calibrate their scores against each other.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from assistant.errors import AssistantError
from ingest.embed import Embedder
from ingest.store import Index, StoredChunk
from ingest.store.catalog import parse_chunk_id, vector_ids

# Words so common that matching them says nothing about relevance; dropped from the
# keyword query (the vector side still reads the whole question).
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ]
)
_WORD = re.compile(r"\w+", re.UNICODE)


def keyword_terms(text: str) -> list[str]:
    """The words of `text` worth matching: lower-cased, stopwords out (unless nothing else
    is left), each once."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    if not words:
        words = _WORD.findall(text.lower())
    return list(dict.fromkeys(words))


def affordable_terms(
    terms: Sequence[str], postings: Mapping[str, int], budget: int, keep: int = 2
) -> list[str]:
    """The terms, in their order, whose postings fit `budget`, the rarest taken first; the
    `keep` rarest always stay, so a question of common words still has a keyword side."""
    kept: set[str] = set()
    spent = 0
    for term in sorted(terms, key=lambda t: postings.get(t, 0)):
        cost = postings.get(term, 0)
        if len(kept) < keep or spent + cost <= budget:
            kept.add(term)
            spent += cost
    return [t for t in terms if t in kept]


def fts_expression(terms: Sequence[str], operator: Literal["OR", "AND"] = "OR") -> str | None:
    """A safe FTS5 expression: every term quoted, joined with OR (or AND).

    Quoting turns FTS5 syntax (AND, NEAR, *, -, parentheses, column filters) into plain
    words, so no input can raise a syntax error. None when there is no term.
    """
    if not terms:
        return None
    return f" {operator} ".join('"' + t.replace('"', '""') + '"' for t in terms)


def fts_query(text: str) -> str | None:
    """A safe FTS5 expression for any user text."""
    return fts_expression(keyword_terms(text))


@dataclass(frozen=True)
class PathFilter:
    """Limit results to a folder or a glob, and/or to some file types."""

    within: str | None = None  # a folder, a file, or a glob (absolute or relative)
    types: tuple[str, ...] = ()  # suffixes without the dot: ("pdf", "md")

    def describe(self) -> str:
        """The filter as the user gave it, for messages: "in /docs, of type pdf"."""
        parts = []
        if self.within is not None:
            parts.append(f"matching {self.within}" if self.is_glob else f"in {self.within}")
        if self.types:
            parts.append("of type " + ", ".join(self.types))
        return ", ".join(parts)

    def __call__(self, path: str) -> bool:
        """Called once per indexed file per filtered search: kept to string operations."""
        if self.types and path.rpartition(".")[2].lower() not in self.types:
            return False
        pattern = self.within
        if pattern is None:
            return True
        if not self.is_glob:
            folder = pattern.rstrip("/")
            return path == folder or path.startswith(folder + "/")
        if pattern.startswith("/"):
            return fnmatch.fnmatchcase(path, pattern)
        name = path.rpartition("/")[2]
        return fnmatch.fnmatchcase(path, "*/" + pattern) or fnmatch.fnmatchcase(name, pattern)

    @property
    def is_glob(self) -> bool:
        return self.within is not None and any(ch in self.within for ch in "*?[")

    @classmethod
    def build(cls, within: str | None, types: Sequence[str] = ()) -> PathFilter | None:
        if within is None and not types:
            return None
        if within is not None and not any(ch in within for ch in "*?["):
            within = str(Path(within).expanduser().absolute())
        return cls(within, tuple(t.lower().lstrip(".") for t in types))


def file_location(path: str, page_start: int | None, page_end: int | None) -> str:
    """How a source is named to the user and the model: "report.pdf, pages 3-4"."""
    name = Path(path).name
    if page_start is None:
        return name
    if page_end and page_end != page_start:
        return f"{name}, pages {page_start}-{page_end}"
    return f"{name}, page {page_start}"


@dataclass
class Passage:
    """One or more neighbouring chunks of a file, as shown to the model and the user."""

    path: str
    doc_id: int
    first: int  # chunk indexes covered
    last: int
    page_start: int | None
    page_end: int | None
    headings: tuple[str, ...]
    text: str
    char_start: int
    char_end: int
    score: float  # cosine similarity of the best chunk to the question
    fused: float  # the fusion score that ranked it
    chunk_ids: list[str] = field(default_factory=list)

    @property
    def page(self) -> int | None:
        return self.page_start

    @property
    def heading(self) -> str:
        return " > ".join(self.headings)

    def location(self) -> str:
        return file_location(self.path, self.page_start, self.page_end)


MODES = ("hybrid", "vector", "keyword")


@dataclass(frozen=True)
class RetrievalConfig:
    vector_candidates: int = 40
    keyword_candidates: int = 40
    rrf_k: int = 60
    keyword_weight: float = 1.0
    # Cosine similarity below which a passage is noise for this model; 0 disables the floor.
    relevance_floor: float = 0.2
    # A filtered search scores every passing vector exactly when at most this many chunks
    # pass (fetching a vector costs ~15 us; Chroma's `where` costs 20-60 ms at 100k).
    exact_filter_limit: int = 1000
    # Otherwise it over-fetches unfiltered neighbours and keeps the passing ones, while that
    # takes at most this many (~11 ms for 2,300 at 100k); beyond, Chroma's `where`.
    overfetch_limit: int = 3000
    # FTS5 scores every chunk that matches any query word (~0.6 us each), so the keyword
    # query keeps its rarest words while their postings fit this budget: common words add
    # little to BM25 but most of its cost, which would otherwise grow with the index.
    keyword_postings: int = 8000


def overfetch_size(n: int, passing: int, total: int) -> int:
    """Unfiltered neighbours to fetch so that about twice `n` of them pass a filter that
    `passing` of the index's `total` chunks pass."""
    return int(n / (passing / max(total, 1)) * 2) + n


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Fuse rankings of ids: score = sum of weight / (k + rank), rank from 1; best first."""
    scores: dict[str, float] = {}
    for n, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[n]
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


MAX_MERGED_CHUNKS = 3  # a passage grows to at most this many chunks, to stay citable


def merge_neighbours(chunks: Sequence[tuple[StoredChunk, float, float]], k: int) -> list[Passage]:
    """Fold ranked chunks into at most `k` passages: a chunk next to (or overlapping) one
    already taken from the same file and page extends that passage instead of repeating it.

    Scanning stops once `k` passages exist, so low-ranked neighbours cannot swell them.
    """
    passages: list[Passage] = []
    for chunk, fused, similarity in chunks:
        neighbour = next(
            (
                p
                for p in passages
                if p.doc_id == chunk.doc_id
                and p.first - 1 <= chunk.index <= p.last + 1
                and _same_pages(p, chunk)
            ),
            None,
        )
        if neighbour is not None:
            if chunk.chunk_id not in neighbour.chunk_ids and (
                len(neighbour.chunk_ids) < MAX_MERGED_CHUNKS
            ):
                _extend(neighbour, chunk, similarity)
            continue
        if len(passages) >= k:
            break
        passages.append(
            Passage(
                path=chunk.path,
                doc_id=chunk.doc_id,
                first=chunk.index,
                last=chunk.index,
                page_start=chunk.page_start,
                page_end=chunk.page_end,
                headings=chunk.headings,
                text=chunk.text,
                char_start=chunk.char_start,
                char_end=chunk.char_end,
                score=similarity,
                fused=fused,
                chunk_ids=[chunk.chunk_id],
            )
        )
    return passages


def _same_pages(passage: Passage, chunk: StoredChunk) -> bool:
    """Neighbours merge only on a shared page, so a citation still names one page."""
    if passage.page_start is None or chunk.page_start is None:
        return True
    return chunk.page_start <= (passage.page_end or passage.page_start) and passage.page_start <= (
        chunk.page_end or chunk.page_start
    )


def _extend(passage: Passage, chunk: StoredChunk, similarity: float) -> None:
    """Join the chunk's text on the correct side, without repeating the overlap."""
    if chunk.char_start >= passage.char_start:
        overlap = max(0, passage.char_end - chunk.char_start)
        tail = chunk.text[overlap:] if overlap < len(chunk.text) else ""
        if chunk.char_end > passage.char_end:
            passage.text += ("" if overlap else "\n") + tail
            passage.char_end = chunk.char_end
    else:
        overlap = max(0, chunk.char_end - passage.char_start)
        head = chunk.text[: len(chunk.text) - overlap] if overlap else chunk.text + "\n"
        passage.text = head + passage.text
        passage.char_start = chunk.char_start
    passage.first = min(passage.first, chunk.index)
    passage.last = max(passage.last, chunk.index)
    pages = [
        p
        for p in (passage.page_start, passage.page_end, chunk.page_start, chunk.page_end)
        if p is not None
    ]
    if pages:
        passage.page_start, passage.page_end = min(pages), max(pages)
    passage.score = max(passage.score, similarity)
    passage.chunk_ids.append(chunk.chunk_id)


class FilterMatchesNothing(AssistantError):
    """`--in`/`--type` leave no indexed file: not the same as nothing relevant."""


@dataclass
class RetrievalResult:
    passages: list[Passage]
    below_floor: bool = False  # candidates existed, but none looked relevant


class Retriever:
    """Hybrid search over one index with the model the index was built with."""

    def __init__(
        self, index: Index, embedder: Embedder, config: RetrievalConfig | None = None
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.config = config or RetrievalConfig()
        if index.model is not None:
            index.check_model(embedder.name, embedder.dimension)
        self._allowed_cache: tuple[tuple[PathFilter, int], dict[int, int]] | None = None

    def search(
        self,
        query: str,
        k: int = 5,
        path_filter: PathFilter | None = None,
        mode: str = "hybrid",
    ) -> RetrievalResult:
        """The top `k` passages for `query`; `mode` is hybrid, vector or keyword."""
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        cfg = self.config
        self.check_filter(path_filter)
        terms = self._keyword_terms(query) if mode in ("hybrid", "keyword") else []
        keyword_hits = self._keyword_search(terms, path_filter)
        query_vector = self.embedder.embed([query])[0] if mode in ("hybrid", "vector") else None
        vector_hits: list[tuple[str, float]] = []
        if query_vector is not None:
            vector_hits = self._vector_search(query_vector, cfg.vector_candidates, path_filter)
        fused = reciprocal_rank_fusion(
            [
                [i for i, _ in vector_hits[: cfg.vector_candidates]],
                [c.chunk_id for c, _ in keyword_hits],
            ],
            k=cfg.rrf_k,
            weights=[1.0, cfg.keyword_weight],
        )
        if not fused:
            return RetrievalResult([])
        # Enough chunks to fill k passages even when neighbours merge.
        top = fused[: max(k * 3, k + 10)]
        chunks = self.index.catalog.chunks_by_ids([i for i, _ in top])
        similarity = dict(vector_hits)
        if query_vector is not None:
            missing = [i for i, _ in top if i not in similarity and i in chunks]
            similarity.update(self.index.vectors.similarities(query_vector, missing))
        ranked = [(chunks[i], score, similarity.get(i, 0.0)) for i, score in top if i in chunks]
        floor = cfg.relevance_floor if query_vector is not None else 0.0
        # A short query (a name, a figure, a code) can sit below the floor by cosine alone
        # while a passage holds every one of its searched words: that passage is relevant.
        found_by_words = {c.chunk_id for c, _ in keyword_hits}
        doubtful = [c.chunk_id for c, _, s in ranked if s < floor and c.chunk_id in found_by_words]
        holding_all = self.index.catalog.matching(fts_expression(terms, "AND"), doubtful)
        relevant = [r for r in ranked if r[2] >= floor or r[0].chunk_id in holding_all]
        if ranked and not relevant:
            return RetrievalResult([], below_floor=True)
        return RetrievalResult(merge_neighbours(relevant, k))

    def check_filter(self, path_filter: PathFilter | None) -> None:
        """Refuse a filter that leaves no indexed file: a mistyped folder or type is not
        the same as nothing relevant, and deserves its own message."""
        if path_filter is not None and not self._allowed(path_filter):
            raise FilterMatchesNothing(
                f"no indexed file passes the filter ({path_filter.describe()}): "
                "`assistant status` lists what is indexed"
            )

    def _allowed(self, path_filter: PathFilter) -> dict[int, int]:
        """The content versions passing a filter, re-read only when the index changed (a
        follow-up question in the same folder does not re-test every file's path)."""
        version = self.index.catalog.data_version()
        cached = self._allowed_cache
        if cached is None or cached[0] != (path_filter, version):
            cached = ((path_filter, version), self.index.catalog.doc_chunk_counts(path_filter))
            self._allowed_cache = cached
        return cached[1]

    def _keyword_terms(self, query: str) -> list[str]:
        """The words of `query` the keyword side searches for: the rarest, within budget."""
        terms = keyword_terms(query)
        postings = self.index.catalog.term_postings(terms)
        return affordable_terms(terms, postings, self.config.keyword_postings)

    def _keyword_search(
        self, terms: Sequence[str], path_filter: PathFilter | None
    ) -> list[tuple[StoredChunk, float]]:
        catalog = self.index.catalog
        match = fts_expression(terms)
        if match is None:
            return []
        docs = None if path_filter is None else list(self._allowed(path_filter))
        return catalog.keyword_search(match, self.config.keyword_candidates, docs)

    def _vector_search(
        self, vector: list[float], n: int, path_filter: PathFilter | None
    ) -> list[tuple[str, float]]:
        """The `n` nearest passing chunks, best first, followed by any further passing ones
        a filtered search scored anyway: their similarity need not be fetched again."""
        store = self.index.vectors
        if path_filter is None:
            return store.query(vector, n)
        allowed = self._allowed(path_filter)
        passing = sum(allowed.values())
        if passing == 0:
            return []
        if passing <= self.config.exact_filter_limit:
            # Few passing chunks: score every one exactly (HNSW plus a filter can miss them).
            ids = [i for d, count in allowed.items() for i in vector_ids(d, count)]
            return store.similarities(vector, ids)
        wanted = overfetch_size(n, passing, self.index.catalog.chunk_count())
        if wanted <= self.config.overfetch_limit:
            hits = store.query(vector, wanted)
            kept = [(cid, s) for cid, s in hits if parse_chunk_id(cid)[0] in allowed]
            if len(kept) >= n:
                return kept
        # A small share of a large index: Chroma's own filter.
        return store.query(vector, n, docs=list(allowed))
