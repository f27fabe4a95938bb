"""Do cheap word-level features, or a soft alignment of the question to the evidence, help
say "the documents do not say"?

    python bench/probes/probe_abstention_features.py --cache CACHE.json [--answerable-rate 0.08]

On the tuning file a word of the question is missing from the best evidence window about
as often for answerable questions (a paraphrase) as for unanswerable ones (a changed
word), so `abstain.features`' counts of missing words are near their ceiling. Two kinds
of candidate, computed beside the shipped 22 features from `tune_answers.py collect`'s
cache and fitted leave-one-article-out as `tune_answers.py fit` does:

- lexical: figures written as words ("three", "twice") count as figures; 77 more pairs of
  opposites; the question's rarest word, its names and its words missing from the best
  *sentence* rather than its window;
- alignment (BERTScore-style): each content token of the question, embedded in context by
  the bundled MiniLM, against its closest token of the best window (and of the best
  sentence); the mean and the minimum of those cosines. A paraphrase should align where a
  swapped word does not.

Prints each candidate's AUC alone (answerable above unanswerable), and the held-out
abstention of the shipped combiner with each added, with each kind added, and with all.
About a minute on two cores (the token embeddings use torch).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: tune_answers
import tune_answers  # noqa: E402

from assistant.evidence import abstain  # noqa: E402
from assistant.evidence.select import Evidence  # noqa: E402
from assistant.evidence.text import content_stems, numbers, words  # noqa: E402
from assistant.retrieve import STOPWORDS  # noqa: E402
from ingest.embed.model_dir import default_model_path  # noqa: E402

_NUMBER_WORDS = {
    w: str(n)
    for n, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen", "twenty"]
    )
} | {
    "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "thousand": "1000",
    "million": "1000000", "billion": "1000000000", "second": "2", "third": "3",
    "fourth": "4", "fifth": "5", "sixth": "6", "seventh": "7", "eighth": "8", "ninth": "9",
    "tenth": "10", "twice": "2", "half": "0.5", "single": "1", "double": "2", "triple": "3",
}  # fmt: skip
_MORE_OPPOSITES = [
    ("past", "future"), ("modern", "medieval"), ("modern", "ancient"), ("north", "south"),
    ("east", "west"), ("northern", "southern"), ("eastern", "western"), ("upper", "lower"),
    ("inside", "outside"), ("internal", "external"), ("male", "female"),
    ("positive", "negative"), ("import", "export"), ("imports", "exports"),
    ("above", "below"), ("gain", "loss"), ("gained", "lost"), ("same", "different"),
    ("true", "false"), ("open", "closed"), ("legal", "illegal"), ("possible", "impossible"),
    ("deterministic", "non"), ("simple", "complex"), ("easy", "hard"),
    ("cheap", "expensive"), ("rich", "poor"), ("young", "old"), ("younger", "older"),
    ("heavy", "light"), ("wet", "dry"), ("hot", "cold"), ("front", "back"),
    ("left", "right"), ("top", "bottom"), ("beginning", "end"), ("birth", "death"),
    ("born", "died"), ("entered", "left"), ("support", "oppose"),
    ("supported", "opposed"), ("agree", "disagree"), ("include", "exclude"),
    ("included", "excluded"), ("always", "never"), ("all", "none"), ("many", "few"),
    ("greater", "lesser"), ("larger", "smaller"), ("large", "small"), ("long", "short"),
    ("fast", "slow"), ("faster", "slower"), ("high", "low"), ("minimum", "maximum"),
    ("min", "max"), ("final", "initial"), ("last", "first"), ("latest", "earliest"),
    ("successor", "predecessor"), ("buy", "sell"), ("bought", "sold"), ("rise", "decline"),
    ("increase", "reduce"), ("increased", "reduced"), ("allowed", "prohibited"),
    ("allow", "prohibit"), ("attack", "defend"), ("attacked", "defended"),
    ("victory", "defeat"), ("won", "defeated"), ("inner", "outer"),
    ("primary", "secondary"), ("major", "minor"), ("majority", "minority"),
    ("urban", "rural"), ("domestic", "foreign"),
]  # fmt: skip
_OPPOSITE = dict(abstain.OPPOSITE)
for _a, _b in _MORE_OPPOSITES:
    _OPPOSITE.setdefault(_a, _b)
    _OPPOSITE.setdefault(_b, _a)

LEXICAL = (
    "numbers_missing_words",
    "antonym_more",
    "sentence_missing_rare",
    "sentence_names_missing",
    "sentence_missing_count",
)
ALIGNMENT = ("align_window_mean", "align_window_min", "align_sentence_mean", "align_sentence_min")


def _figures(text: str) -> set[str]:
    spelt = {_NUMBER_WORDS[w.lower()] for w in words(text) if w.lower() in _NUMBER_WORDS}
    return numbers(text) | spelt


def lexical_features(evidence: Evidence) -> dict[str, float]:
    """The shipped rules of `abstain.features`, refined or read against the best sentence."""
    best = evidence.candidates[0]
    question = evidence.question
    window = evidence.window_under_headings(best)
    window_words = {w.lower() for w in words(window)}
    sentence_stems = set(content_stems(best.text))
    absent = [t for t in question.stems if t not in sentence_stems]
    return {
        "numbers_missing_words": float(bool(_figures(question.text) - _figures(window))),
        "antonym_more": float(abstain.antonym(question.text, window_words, _OPPOSITE)),
        "sentence_missing_rare": abstain.rarest(evidence, absent),
        "sentence_names_missing": abstain.missing_share(
            question.names, {w.lower() for w in words(best.text)}
        ),
        "sentence_missing_count": float(len(absent)),
    }


class TokenAligner:
    """Contextual token embeddings of the bundled MiniLM, to align question and evidence."""

    def __init__(self) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(2)
        self.model = SentenceTransformer(str(default_model_path()), device="cpu")

    def tokens(self, texts: Sequence[str]) -> list[tuple[list[str], np.ndarray]]:
        """Each text's word pieces (without [CLS] and [SEP]) and their unit vectors."""
        import torch

        tokenizer = self.model.tokenizer
        embedded = self.model.encode(
            list(texts), output_value="token_embeddings", batch_size=32, convert_to_numpy=False
        )
        out = []
        for text, vectors in zip(texts, embedded, strict=True):
            ids = tokenizer(text, truncation=True, max_length=self.model.max_seq_length)
            pieces = tokenizer.convert_ids_to_tokens(ids["input_ids"])
            unit = torch.nn.functional.normalize(vectors[: len(pieces)], dim=-1).numpy()
            out.append((pieces[1:-1], unit[1:-1]))
        return out


def _content(pieces: list[str]) -> np.ndarray:
    keep = [
        p.startswith("##") or (p.isalnum() and len(p) > 1 and p.lower() not in STOPWORDS)
        for p in pieces
    ]
    return np.asarray(keep) if any(keep) else np.ones(len(pieces), dtype=bool)


def alignment_features(
    question: tuple[list[str], np.ndarray],
    window: tuple[list[str], np.ndarray],
    sentence: tuple[list[str], np.ndarray],
) -> dict[str, float]:
    pieces, vectors = question
    asked = vectors[_content(pieces)]
    to_window = (asked @ window[1].T).max(axis=1)
    to_sentence = (asked @ sentence[1].T).max(axis=1)
    return {
        "align_window_mean": float(to_window.mean()),
        "align_window_min": float(to_window.min()),
        "align_sentence_mean": float(to_sentence.mean()),
        "align_sentence_min": float(to_sentence.min()),
    }


def candidate_rows(cache: dict[str, Any]) -> list[dict[str, Any]]:
    """The featurized questions that have evidence, each with the candidates added."""
    texts = []

    def lexical_and_texts(evidence: Evidence) -> dict[str, float]:
        best = evidence.candidates[0]
        texts.append((evidence.question.text, evidence.window_under_headings(best), best.text))
        return lexical_features(evidence)

    rows = [r for r in tune_answers.featurize(cache, lexical_and_texts) if r["abstain"] is not None]
    aligner = TokenAligner()
    questions, windows, sentences = (aligner.tokens(column) for column in zip(*texts, strict=True))
    for row, q, w, s in zip(rows, questions, windows, sentences, strict=True):
        row["abstain"].update(alignment_features(q, w, s))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--answerable-rate", type=float, default=0.08)
    args = parser.parse_args()
    rows = candidate_rows(json.loads(args.cache.read_text()))
    answerable = np.asarray([0 if r["impossible"] else 1 for r in rows])
    print(f"{len(rows)} questions; each candidate alone, AUC of answerable above unanswerable:")
    for name in LEXICAL + ALIGNMENT:
        values = np.asarray([r["abstain"][name] for r in rows])
        print(f"  {name:<24} {tune_answers.auc(values, answerable):.3f}")
    print(f"held out by article, at {args.answerable_rate:.0%} answerable on the other articles:")
    trials = [("shipped 22", ())] + [(f"+ {n}", (n,)) for n in LEXICAL + ALIGNMENT]
    trials += [("+ lexical", LEXICAL), ("+ alignment", ALIGNMENT), ("+ both", LEXICAL + ALIGNMENT)]
    tune_answers.compare_added_features(rows, args.answerable_rate, trials)


if __name__ == "__main__":
    main()
