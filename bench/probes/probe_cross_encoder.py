"""Could a cross-encoder fine-tuned on the tuning file say "the documents do not say"?

    python bench/probes/probe_cross_encoder.py --cache CACHE.json [--hold-out ARTICLE ...]
        [--labels windows|question] [--epochs N]
    python bench/probes/probe_cross_encoder.py --cache CACHE.json --labels synthetic
        --corpus CORPUS.jsonl [--pairs N] [--epochs N]

No packaged model reads a question and a sentence together (FACTS.md), and the lexical,
embedding and language-model features all miss SQuAD 2.0's one changed word. This tries
the last thing at hand: the bundled MiniLM weights under a fresh one-logit head, fine-tuned
as a cross-encoder on (question, evidence window) pairs of the articles not held out, then
scoring the held-out article's questions. `--labels windows` trains on the three best
windows of each question, positive where an answerable question's window holds a gold
answer, and scores a question by its best window's logit of the three; `--labels question`
trains on the best window alone, positive where the question is answerable. Per held-out
article it prints the AUC (answerable above unanswerable) of the cross-encoder and of the
shipped combiner fitted without that article, and the share of unanswerable questions
each abstains on where that article's answerable questions are abstained on at 8.8% (the
shipped operating point). About 15 min a held-out article for `windows` on two cores, 8
for `question`; the default holds out the smallest article only.

`--labels synthetic` learns from no tuning question at all, so every article is scored:
the pairs are made from the prose of a BEIR-layout corpus (`{"title","text"}` lines; the
SciFact abstracts of `../shared/data/`) by `synthetic_pairs`, SQuAD 2.0's recipe for an
unanswerable question applied by rule, and then the cross-encoder's score is also tried
as one more feature of the combiner, held out by article as `tune_answers.py fit` does.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: tune_answers
import tune_answers  # noqa: E402
from tune_answers import auc  # noqa: E402

from assistant.evidence import abstain  # noqa: E402
from assistant.evidence.abstain import OPPOSITE  # noqa: E402
from assistant.evidence.text import split_sentences  # noqa: E402
from assistant.retrieve import STOPWORDS  # noqa: E402
from ingest.embed.model_dir import default_model_path  # noqa: E402

WINDOWS = 3  # the best distinct evidence windows scored per question
ANSWERABLE_RATE = 0.088  # the shipped operating point, held out (bench/RESULTS.md)


def question_windows(cache: dict[str, Any]) -> list[dict[str, Any]]:
    """Each question the shipped combiner scores, with its abstention features, its best
    distinct evidence windows (under their headings, as those features read them) and
    whether each holds a gold answer."""
    items = []
    for q in cache["questions"]:
        evidence = tune_answers.cached_evidence(cache, q)
        if not evidence.candidates:
            continue
        row = {
            "article": q["article"],
            "impossible": q["impossible"],
            "abstain": abstain.features(evidence),
        }
        windows = list(dict.fromkeys(map(evidence.window_under_headings, evidence.candidates)))
        windows = windows[:WINDOWS]
        holds = [
            not q["impossible"] and tune_answers.contains_answer(w, q["answers"]) for w in windows
        ]
        items.append({"q": q, "row": row, "windows": windows, "holds": holds})
    return items


def training_pairs(items: list[dict[str, Any]], labels: str) -> list[tuple[str, str, float]]:
    if labels == "question":
        return [
            (i["q"]["question"], i["windows"][0], float(not i["q"]["impossible"])) for i in items
        ]
    return [
        (i["q"]["question"], w, float(h))
        for i in items
        for w, h in zip(i["windows"], i["holds"], strict=True)
    ]


# -- synthetic pairs: SQuAD 2.0's recipe for an unanswerable question, applied by rule --------

_TOKEN = re.compile(r"[A-Za-z\u00c0-\u024f][\w\-’']*|\d+(?:[.,]\d+)*%?")
_AUXILIARIES = frozenset(
    ["is", "was", "are", "were", "did", "does", "do", "can", "could", "has", "have", "had"]
)
_CHANGES = ("swap", "swap_in_window", "opposite", "negate", "other_window")


def _kind(token: str) -> str:
    return "number" if token[0].isdigit() else "name" if token[0].isupper() else "word"


def _is_content(token: str) -> bool:
    return token[0].isdigit() or (len(token) > 3 and token.lower() not in STOPWORDS)


def _question_from(tokens: list[str], rng: random.Random) -> list[str] | None:
    """A question asking for one word of a sentence: a stretch of the sentence around it,
    with that word taken out and a question word in front (a few words dropped, as a
    question writer rephrases)."""
    picks = [i for i, t in enumerate(tokens) if i > 0 and _is_content(t)]
    if len(picks) < 4:
        return None
    asked = rng.choice(picks)
    wh = {"number": "How many", "name": rng.choice(["Who", "What"]), "word": "What"}
    lo, hi = max(0, asked - rng.randint(3, 8)), min(len(tokens), asked + rng.randint(3, 8))
    kept = [t for j, t in enumerate(tokens[lo:hi], lo) if j != asked and rng.random() > 0.05]
    if sum(map(_is_content, kept)) < 3:
        return None
    return [wh[_kind(tokens[asked])], *kept]


def _unanswerable_twin(
    question: list[str], window: str, pool: dict[str, list[str]], change: str, rng: random.Random
) -> list[str] | None:
    """The question with one word changed the ways SQuAD 2.0's writers did: another name,
    figure or word (from elsewhere, or from the same window, so that every word is still
    in it), its opposite, or a negation."""
    out = list(question)
    if change == "opposite":
        opposed = [j for j, t in enumerate(question) if t.lower() in OPPOSITE]
        if not opposed:
            return None
        j = rng.choice(opposed)
        out[j] = OPPOSITE[question[j].lower()]
        return out
    if change == "negate":
        auxiliary = next((j for j, t in enumerate(question) if t.lower() in _AUXILIARIES), None)
        out.insert(1 if auxiliary is None else auxiliary + 1, "not")
        return out
    slots = [j for j, t in enumerate(question) if j > 0 and _is_content(t)]
    j = rng.choice(slots)
    kind = _kind(question[j])
    had = {t.lower() for t in question}
    if change == "swap_in_window":
        choices = [t for t in _TOKEN.findall(window) if _is_content(t)]
    else:
        choices = rng.sample(pool[kind], min(50, len(pool[kind])))
    choices = [t for t in choices if _kind(t) == kind and t.lower() not in had]
    if not choices:
        return None
    out[j] = rng.choice(choices)
    return out


def _window(title: str, sentences: list[str], i: int) -> str:
    """Sentence `i` with its neighbours, under the document's title."""
    return " ".join([title, *sentences[max(0, i - 1) : i + 2]])


def synthetic_pairs(corpus: Path, count: int, rng: random.Random) -> list[tuple[str, str, float]]:
    """About `count` (question, window, answerable) pairs, half of them answerable: a
    question made from a sentence against the window of that sentence and its neighbours
    under the document's title; its unanswerable twin against the same window, or the
    question against a window of the same document that lacks the sentence."""
    documents = []
    for line in corpus.read_text().splitlines():
        doc = json.loads(line)
        documents.append((doc["title"], [s.text for s in split_sentences(doc["text"])]))
    rng.shuffle(documents)
    pool: dict[str, list[str]] = {"number": [], "name": [], "word": []}
    for _, sentences in documents[:500]:
        for token in _TOKEN.findall(" ".join(sentences)):
            if _is_content(token):
                pool[_kind(token)].append(token)
    pairs: list[tuple[str, str, float]] = []
    for title, sentences in documents:
        for i, sentence in enumerate(sentences):
            tokens = _TOKEN.findall(sentence)
            question = _question_from(tokens, rng) if 8 <= len(tokens) <= 45 else None
            if question is None:
                continue
            asked, window = " ".join(question) + "?", _window(title, sentences, i)
            if rng.random() < 0.5:
                pairs.append((asked, window, 1.0))
                continue
            change = rng.choice(_CHANGES)
            far = [j for j in range(len(sentences)) if abs(j - i) >= 2]
            if change == "other_window" and far:
                pairs.append((asked, _window(title, sentences, rng.choice(far)), 0.0))
            elif change != "other_window":
                twin = _unanswerable_twin(question, window, pool, change, rng)
                if twin:
                    pairs.append((" ".join(twin) + "?", window, 0.0))
            if len(pairs) >= count:
                return pairs
    return pairs


def fine_tuned(pairs: list[tuple[str, str, float]], epochs: int, tokenizer: Any) -> Any:
    """MiniLM with a new one-logit head, trained on the pairs (AdamW, linear warm-up and decay)."""
    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(default_model_path(), num_labels=1)
    batch = 16
    steps = epochs * -(-len(pairs) // batch)
    optimiser = torch.optim.AdamW(model.parameters(), lr=4e-5, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / (0.1 * steps)) * max(0.0, (steps - s) / steps)
    )
    loss = torch.nn.BCEWithLogitsLoss()
    model.train()
    for _ in range(epochs):
        random.shuffle(pairs)
        for start in range(0, len(pairs), batch):
            chunk = pairs[start : start + batch]
            logits = model(**encode(tokenizer, [(q, w) for q, w, _ in chunk])).logits[:, 0]
            loss(logits, torch.tensor([y for _, _, y in chunk])).backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
    return model.eval()


def encode(tokenizer: Any, pairs: list[tuple[str, str]]) -> Any:
    questions, windows = zip(*pairs, strict=True)
    return tokenizer(
        list(questions), list(windows), truncation="only_second", max_length=160,
        padding=True, return_tensors="pt",
    )  # fmt: skip


def question_score(model: Any, tokenizer: Any, item: dict[str, Any], labels: str) -> float:
    """The cross-encoder's logit that the question is answered: by the best of its windows
    where it learnt which window answers, by the best window where it learnt the question."""
    windows = item["windows"] if labels == "windows" else item["windows"][:1]
    pairs = [(item["q"]["question"], w) for w in windows]
    return float(model(**encode(tokenizer, pairs)).logits[:, 0].max())


def unanswerable_abstained(scores: np.ndarray, answerable: np.ndarray) -> float:
    threshold = tune_answers.threshold_for(scores, answerable, ANSWERABLE_RATE)
    return float((scores[answerable == 0] < threshold).mean())


def synthetic_trial(args: argparse.Namespace, items: list[dict[str, Any]], tokenizer: Any) -> None:
    """Train on synthetic pairs only, score every tuning question, and compare with (and
    add to) the shipped combiner, each article held out."""
    import torch

    started = time.perf_counter()
    pairs = synthetic_pairs(args.corpus, args.pairs, random.Random(0))
    model = fine_tuned(pairs, args.epochs, tokenizer)
    trained = time.perf_counter() - started
    with torch.no_grad():
        scores = np.asarray([question_score(model, tokenizer, i, "windows") for i in items])
    rows = [i["row"] for i in items]
    for row, score in zip(rows, scores, strict=True):
        row["abstain"]["cross_encoder"] = float(score)
    shipped, _, answerable = tune_answers.held_out_abstention(rows, 1.0, 0.08)
    both, _, _ = tune_answers.held_out_abstention(
        rows, 1.0, 0.08, (*abstain.FEATURES, "cross_encoder")
    )
    print(
        f"trained on {len(pairs)} synthetic pairs ({sum(y for *_, y in pairs):.0f} answerable), "
        f"{args.epochs} epoch(s), in {trained:.0f} s; scored {len(items)} tuning questions"
    )
    for label, s in [("cross-encoder", scores), ("shipped", shipped), ("shipped + it", both)]:
        print(
            f"  {label:<14} AUC {auc(s, answerable):.3f} | unanswerable abstained where "
            f"{ANSWERABLE_RATE:.1%} of answerable are: {unanswerable_abstained(s, answerable):.3f}"
        )


def main() -> None:
    import torch
    from transformers import AutoTokenizer

    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--hold-out", nargs="+", default=["Normans"], help="Articles to hold out.")
    parser.add_argument("--labels", choices=["windows", "question", "synthetic"], default="windows")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--corpus", type=Path, help="For --labels synthetic: BEIR corpus.jsonl.")
    parser.add_argument("--pairs", type=int, default=12000, help="For --labels synthetic.")
    args = parser.parse_args()
    if args.labels == "synthetic" and args.corpus is None:
        parser.error("--labels synthetic needs --corpus")
    torch.set_num_threads(2)
    torch.manual_seed(0)
    random.seed(0)
    items = question_windows(json.loads(args.cache.read_text()))
    tokenizer = AutoTokenizer.from_pretrained(default_model_path())
    if args.labels == "synthetic":
        synthetic_trial(args, items, tokenizer)
        return
    shipped, _, answerable = tune_answers.held_out_abstention([i["row"] for i in items], 1.0, 0.08)
    for article in args.hold_out:
        started = time.perf_counter()
        pairs = training_pairs([i for i in items if i["q"]["article"] != article], args.labels)
        model = fine_tuned(pairs, args.epochs, tokenizer)
        idx = [n for n, i in enumerate(items) if i["q"]["article"] == article]
        with torch.no_grad():
            scores = np.asarray(
                [question_score(model, tokenizer, items[n], args.labels) for n in idx]
            )
        y, ours = answerable[idx], shipped[idx]
        print(
            f"{article}: trained on {len(pairs)} pairs ({args.labels}, {args.epochs} epochs) in "
            f"{time.perf_counter() - started:.0f} s | AUC cross-encoder {auc(scores, y):.3f}, "
            f"shipped {auc(ours, y):.3f} | unanswerable abstained at {ANSWERABLE_RATE:.1%} "
            f"answerable: cross-encoder {unanswerable_abstained(scores, y):.3f}, "
            f"shipped {unanswerable_abstained(ours, y):.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
