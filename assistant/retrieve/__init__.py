"""Retrieval: a question to the passages that answer it, from vectors and keywords fused.

`hybrid` (the Retriever and the fusion), `keyword` (the keyword side's query), `filters`
(`--in`/`--type`), `passages` (merging chunks into passages, naming a source).
"""

from assistant.retrieve.filters import PathFilter
from assistant.retrieve.hybrid import (
    MODES,
    FilterMatchesNothing,
    RetrievalConfig,
    RetrievalResult,
    Retriever,
    overfetch_size,
    reciprocal_rank_fusion,
)
from assistant.retrieve.keyword import STOPWORDS, affordable_terms, fts_expression, keyword_terms
from assistant.retrieve.passages import Passage, file_location, merge_neighbours

__all__ = [
    "MODES",
    "STOPWORDS",
    "FilterMatchesNothing",
    "Passage",
    "PathFilter",
    "RetrievalConfig",
    "RetrievalResult",
    "Retriever",
    "affordable_terms",
    "file_location",
    "fts_expression",
    "keyword_terms",
    "merge_neighbours",
    "overfetch_size",
    "reciprocal_rank_fusion",
]
