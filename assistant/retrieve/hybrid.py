"""Hybrid search: a question to the passages that answer it, from vectors and keywords fused.

Vector search finds paraphrases; BM25 finds rare exact words (names, numbers, codes)
that a small embedding model blurs. Reciprocal rank fusion combines the two rankings
without having to calibrate their scores against each other.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.errors import AssistantError
from assistant.retrieve.filters import PathFilter
from assistant.retrieve.keyword import (
    affordable_terms,
    agent_forms,
    fts_expression,
    keyword_terms,
)
from assistant.retrieve.labels import label_forms
from assistant.retrieve.passages import Passage, merge_neighbours
from assistant.retrieve.rerank import by_coverage, idf_weights
from assistant.retrieve.versions import set_aside
from ingest.embed import Embedder
from ingest.store import Index, StoredChunk
from ingest.store.catalog import parse_chunk_id, vector_ids

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
    # Each list's best this many chunks are among the first k, however the other ranked
    # them: a row that only the keyword side found (an exact name and figure) or a
    # paraphrase only the vector side found is worth showing.
    leaders: int = 1


def overfetch_size(n: int, passing: int, total: int) -> int:
    """Unfiltered neighbours to fetch so that about twice `n` of them pass a filter that
    `passing` of the index's `total` chunks pass; 0 when none passes, since no number of
    neighbours would hold one."""
    if passing <= 0:
        return 0
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


def lift_leaders(
    fused: list[tuple[str, float]], rankings: Sequence[Sequence[str]], leaders: int, k: int
) -> list[tuple[str, float]]:
    """`fused` with each ranking's first `leaders` ids among its first `k` (moved up to
    place k, the rest keeping their order): fusion sums two ranks, so a chunk that both
    lists placed in their thirties outranks one list's first."""
    order = [i for i, _ in fused]
    score = dict(fused)
    for ranking in rankings:
        for item in ranking[:leaders]:
            if item in order and order.index(item) >= k:
                order.remove(item)
                order.insert(max(k - 1, 0), item)
    return [(i, score[i]) for i in order]


@dataclass(frozen=True)
class KeywordQuery:
    """What the keyword side searches for: the question's words (their postings: what
    each costs, and how rare it is) and, for each, its other forms the index holds."""

    terms: list[str] = field(default_factory=list)
    forms: dict[str, list[str]] = field(default_factory=dict)
    postings: dict[str, int] = field(default_factory=dict)

    @property
    def searched(self) -> list[str]:
        return [*self.terms, *(f for t in self.terms for f in self.forms.get(t, []))]


class FilterMatchesNothing(AssistantError):
    """`--in`/`--type` leave no indexed file: not the same as nothing relevant."""


@dataclass
class RetrievalResult:
    passages: list[Passage]
    below_floor: bool = False  # candidates existed, but none looked relevant


class Retriever:
    """Hybrid search over one index with the model the index was built with.

    Safe to share between threads (the chat's answer workers): searches take turns, since
    they share one catalog connection, its registered filter function and the cache of
    what a filter lets through.
    """

    def __init__(
        self, index: Index, embedder: Embedder, config: RetrievalConfig | None = None
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.config = config or RetrievalConfig()
        if index.model is not None:
            index.check_model(embedder.name, embedder.dimension)
        self._allowed_cache: tuple[tuple[PathFilter, int], dict[int, int]] | None = None
        self._lock = threading.RLock()

    def warm_up(self) -> None:
        """Connect to the vectors and start loading the embedding model now, so the first
        search waits for neither."""
        self.index.open_vectors()
        self.embedder.load_in_background()

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
        with self._lock:
            return self._search(query, k, path_filter, mode)

    def _search(
        self, query: str, k: int, path_filter: PathFilter | None, mode: str
    ) -> RetrievalResult:
        cfg = self.config
        if mode != "keyword":
            # Chroma's import on a thread overlaps the model's load; the model's own
            # imports come first, as two threads importing numpy at once can break it.
            self.embedder.import_runtime()
            self.index.preload_vectors()
        self.check_filter(path_filter)
        words = self._keyword_terms(query) if mode in ("hybrid", "keyword") else KeywordQuery()
        terms = words.terms
        keyword_hits = self._keyword_search(words.searched, path_filter)
        query_vector = self.embedder.embed([query])[0] if mode in ("hybrid", "vector") else None
        vector_hits: list[tuple[str, float]] = []
        if query_vector is not None:
            vector_hits = self._vector_search(query_vector, cfg.vector_candidates, path_filter)
        rankings = [
            [i for i, _ in vector_hits[: cfg.vector_candidates]],
            [c.chunk_id for c, _ in keyword_hits],
        ]
        fused = reciprocal_rank_fusion(rankings, k=cfg.rrf_k, weights=[1.0, cfg.keyword_weight])
        if not fused:
            return RetrievalResult([])
        fused = lift_leaders(fused, rankings, cfg.leaders, k)
        # Enough chunks to fill k passages even when neighbours merge.
        pool = max(k * 3, k + 10)
        chunks = self.index.catalog.chunks_by_ids([i for i, _ in fused[:pool]])
        # The versions of a paper the question does not mean give up their places.
        paths = set_aside(query, {c.path for c in chunks.values()})
        aside = {c.doc_id for c in chunks.values() if c.path in paths}
        if aside:
            fused = [(i, s) for i, s in fused if parse_chunk_id(i)[0] not in aside]
            wanted = [i for i, _ in fused[:pool] if i not in chunks]
            chunks.update(self.index.catalog.chunks_by_ids(wanted))
        top = fused[:pool]
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
        holding_all = self.index.keywords.matching(fts_expression(terms, "AND"), doubtful)
        relevant = [r for r in ranked if r[2] >= floor or r[0].chunk_id in holding_all]
        if ranked and not relevant:
            return RetrievalResult([], below_floor=True)
        passages = merge_neighbours(relevant, k)
        if query_vector is None:
            # Coverage with no cosine to weigh it is a coarser order than BM25's own
            # (SciFact keyword nDCG@10: 0.693 by BM25, 0.663 by coverage; bench/RESULTS.md).
            return RetrievalResult(passages)
        return RetrievalResult(self._by_coverage(passages, words))

    def _by_coverage(self, passages: list[Passage], words: KeywordQuery) -> list[Passage]:
        """The passages by how much of the question each holds (`rerank`): each searched
        word (or one of its forms) is looked up in the passages' chunks alone."""
        weights = idf_weights(words.postings, self.index.catalog.chunk_count())
        if len(passages) < 2 or not weights:
            return passages
        ids = [c for p in passages for c in p.chunk_ids]
        held: dict[str, set[str]] = {}
        for term in weights:
            expression = fts_expression([term, *words.forms.get(term, [])])
            for chunk in self.index.keywords.matching(expression, ids):
                held.setdefault(chunk, set()).add(term)
        return by_coverage(passages, held, weights)

    def check_filter(self, path_filter: PathFilter | None) -> None:
        """Refuse a filter that leaves no indexed file: a mistyped folder or type is not
        the same as nothing relevant, and deserves its own message."""
        if path_filter is None:
            return
        with self._lock:
            allowed = self._allowed(path_filter)
        if not allowed:
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

    def _keyword_terms(self, query: str) -> KeywordQuery:
        """The words of `query` the keyword side searches for (the rarest, within budget),
        and the agent or activity forms of those that the index holds, searched beside
        them within what the budget has left ("plumber" finds "plumbing":
        `keyword.agent_forms`), as are the label words a paper records them under
        ("leave": departure; `labels.label_forms`)."""
        keywords = self.index.keywords
        terms = keyword_terms(query)
        postings = keywords.term_postings(terms)
        kept = affordable_terms(terms, postings, self.config.keyword_postings)
        left = self.config.keyword_postings - sum(postings[t] for t in kept)
        forms_of = {
            term: [f for s in stems for f in agent_forms(s) if f not in stems]
            for term, stems in keywords.stems(kept).items()
        }
        candidates = list(dict.fromkeys(f for forms in forms_of.values() for f in forms))
        # A form counts only where the stemmer leaves it as it is (FTS5 stems the query).
        stable = [f for f, found in keywords.stems(candidates).items() if found == [f]]
        # The words a paper's labels use for the question's own ("leave": departure).
        for term, labels in label_forms(query, kept).items():
            forms_of[term] = [*forms_of.get(term, []), *labels]
            stable += labels
        stable = list(dict.fromkeys(stable))
        held = keywords.term_postings(stable)
        added = set(affordable_terms([f for f in stable if held[f]], held, left, keep=0))
        return KeywordQuery(
            kept,
            {t: [f for f in forms if f in added] for t, forms in forms_of.items()},
            {t: postings[t] for t in kept},
        )

    def _keyword_search(
        self, terms: Sequence[str], path_filter: PathFilter | None
    ) -> list[tuple[StoredChunk, float]]:
        match = fts_expression(terms)
        if match is None:
            return []
        docs = None if path_filter is None else list(self._allowed(path_filter))
        return self.index.keywords.search(match, self.config.keyword_candidates, docs)

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
