"""The order passages reach the answer layer in: by how much of the question each holds.

Fusion ranks chunks by where two lists placed them, which says little about which passage
answers: a bank export's row holding the payee, the month and the figure ranked below a
paragraph that shares one common word with the question and the vector's vague liking.
The answer layer quotes from the first passage far more often than from the others (on
the home set, 82% right where the gold is first, 45% second, 10% third to fifth:
bench/RESULTS.md), so the order matters as much as recall.

A passage is scored by the share of the question's searched words it holds, each weighed
by its rarity (IDF over the index) and counted where the keyword index finds it (text,
headings, the file's name; a word's agent form counts for it), plus its cosine to the
question. Equal weights, not fitted: the coverage is a share (0-1) and cosines of
relevant passages span about 0.3-0.7, so each can overturn a small lead of the other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from assistant.retrieve.passages import Passage


def idf_weights(postings: Mapping[str, int], chunks: int) -> dict[str, float]:
    """Each searched word's rarity over the index; a word no chunk holds is left out
    (no passage can hold it, so it would only shrink every share alike)."""
    return {t: math.log((chunks + 1) / (n + 0.5)) for t, n in postings.items() if n > 0}


def coverage(passage: Passage, held: Mapping[str, set[str]], weights: Mapping[str, float]) -> float:
    """The weighted share of the question's words that some chunk of `passage` holds;
    `held` maps each chunk id to the words found in it."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    found = set().union(*(held.get(c, set()) for c in passage.chunk_ids))
    return sum(w for t, w in weights.items() if t in found) / total


def by_coverage(
    passages: Sequence[Passage], held: Mapping[str, set[str]], weights: Mapping[str, float]
) -> list[Passage]:
    """`passages` best first by coverage plus cosine; ties keep the fused order."""
    scored = [(coverage(p, held, weights) + p.score, -n) for n, p in enumerate(passages)]
    order = sorted(range(len(passages)), key=lambda n: scored[n], reverse=True)
    return [passages[n] for n in order]
