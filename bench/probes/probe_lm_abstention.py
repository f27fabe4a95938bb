"""Does a language model's surprise at the question help say "the documents do not say"?

    python bench/probes/probe_lm_abstention.py --cache CACHE.json --scores OUT.json
        [--model-path GGUF] [--limit N]

SQuAD 2.0's unanswerable questions change one word, name or condition of an answerable
one. A language model that reads the best evidence window and then the question should be
surprised by the changed word, where a paraphrase of what the window says is expected. For
every question of `tune_answers.py collect`'s cache this scores the question's tokens
under the GGUF model (the packaged SmolLM2 by default) twice: after the best evidence
window (as `select_evidence` picks it from the code as it stands) and after nothing. It
stores the per-token log-probabilities in `--scores` (reused when the file exists: the
scoring is the slow part, about 0.4 s a question here), then fits the abstention combiner
leave-one-article-out as `tune_answers.py fit` does, with the shipped 22 features alone,
with all surprisal features added, and with each added alone, and prints the held-out
abstention of each at the shipped answerable rate, and the curve of the best.
A model that writes well (a user's own GGUF) is the case worth trying with `--model-path`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: tune_answers
import tune_answers  # noqa: E402

from assistant.models.llamacpp_backend import gguf_file, safe_model_params  # noqa: E402

WINDOW_CHARS = 1500  # the end of the evidence window, to keep a prompt under 512 tokens
SURPRISED = -8.0  # log-probability (nats) below which a question token is a surprise


def token_logprobs(llm: Any, prefix: str, target: str) -> tuple[np.ndarray, list[str]]:
    """log P(each token of `target` | `prefix` and the tokens before it), and the tokens."""
    before = llm.tokenize(prefix.encode(), add_bos=True, special=False)
    tokens = llm.tokenize((prefix + target).encode(), add_bos=True, special=False)
    start = len(before)
    while start > 1 and tokens[:start] != before[:start]:  # a merge across the seam
        start -= 1
    llm.reset()
    llm.eval(tokens)
    rows = np.asarray(llm.scores[: len(tokens)], dtype=np.float64)[start - 1 : -1]
    top = rows.max(axis=1, keepdims=True)
    normaliser = (top + np.log(np.exp(rows - top).sum(axis=1, keepdims=True)))[:, 0]
    pieces = [llm.detokenize([t]).decode(errors="ignore") for t in tokens[start:]]
    return rows[np.arange(len(rows)), tokens[start:]] - normaliser, pieces


def score_questions(cache: dict[str, Any], model_path: str | None, limit: int | None) -> list:
    import llama_cpp

    path = gguf_file(model_path)
    if path is None:
        sys.exit("no GGUF model: pass --model-path")
    with safe_model_params():
        llm = llama_cpp.Llama(
            model_path=str(path), n_ctx=1024, n_threads=2, logits_all=True, verbose=False
        )
    scored: list[dict[str, Any] | None] = []
    started = time.perf_counter()
    for n, q in enumerate(cache["questions"][:limit], 1):
        evidence = tune_answers.cached_evidence(cache, q)
        if not evidence.candidates:
            scored.append(None)
            continue
        best = evidence.candidates[0]
        window = evidence.window_under_headings(best)[-WINDOW_CHARS:]
        question = " " + q["question"].strip()
        after_window, pieces = token_logprobs(llm, f"{window}\nQuestion:", question)
        alone, _ = token_logprobs(llm, "Question:", question)
        # The seam can tokenise the question's first word differently: align by length.
        alone = np.resize(alone, len(after_window))
        scored.append({"cond": after_window.tolist(), "base": alone.tolist(), "toks": pieces})
        if n % 200 == 0:
            tune_answers.say(f"{n} questions scored, {time.perf_counter() - started:.0f} s")
    return scored


def surprisal_features(scores: dict[str, Any]) -> dict[str, float]:
    """Per question: how expected its tokens are after the window, against alone (PMI)."""
    cond, base = np.asarray(scores["cond"]), np.asarray(scores["base"])
    content = np.asarray([t.strip().isalpha() and len(t.strip()) > 2 for t in scores["toks"]])
    pmi = cond - base
    words, word_pmi = (cond[content], pmi[content]) if content.any() else (cond, pmi)
    return {
        "lm_cond_mean": float(cond.mean()),
        "lm_pmi_mean": float(pmi.mean()),
        "lm_cond_min": float(cond.min()),
        "lm_content_min": float(words.min()),
        "lm_content_mean": float(words.mean()),
        "lm_pmi_content_min": float(word_pmi.min()),
        "lm_surprised": float((words < SURPRISED).sum()),
        "lm_unexplained": float(((word_pmi < 1.0) & (words < SURPRISED / 2)).sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--scores", type=Path, required=True)
    parser.add_argument("--model-path", help="A GGUF file (default: the packaged SmolLM2).")
    parser.add_argument("--limit", type=int, help="Only the first N questions (a quick try).")
    parser.add_argument("--answerable-rate", type=float, default=0.08)
    args = parser.parse_args()
    cache = json.loads(args.cache.read_text())
    if not args.scores.exists():
        args.scores.write_text(json.dumps(score_questions(cache, args.model_path, args.limit)))
    scores = json.loads(args.scores.read_text())
    rows = tune_answers.featurize(cache)[: len(scores)]
    usable = []
    for row, scored in zip(rows, scores, strict=True):
        if row["abstain"] is not None and scored is not None:
            row["abstain"].update(surprisal_features(scored))
            usable.append(row)
    if len({r["article"] for r in usable}) < 2:
        sys.exit(f"scored {len(usable)} questions of one article: hold-out needs two or more")
    names = tuple(surprisal_features(next(s for s in scores if s)).keys())
    print(f"{len(usable)} questions, held out by article, at {args.answerable_rate:.0%} answerable")
    trials = [("shipped 22", ()), ("+ all surprisal", names)] + [(f"+ {n}", (n,)) for n in names]
    results = tune_answers.compare_added_features(usable, args.answerable_rate, trials)
    curve = tune_answers.held_out_curve(*results["+ all surprisal"])
    print("held-out curve with all surprisal features:")
    tune_answers.print_curve(curve)


if __name__ == "__main__":
    main()
