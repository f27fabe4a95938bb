"""Fit and check the answer layer's constants on SQuAD 2.0-layout tuning data, honestly.

    python bench/tune_answers.py collect FILE --data-dir DIR --cache CACHE.json [--threads 1]
        [--docs FOLDER --sample N]   (FILE a .jsonl questions file about FOLDER)
    python bench/tune_answers.py fit --cache CACHE.json [--report CURVE.json]
    python bench/tune_answers.py fit-mix --cache HOME.json TATQA.json SQUAD.json [--fit-on right]
    python bench/tune_answers.py sweep --cache SQUAD_WHOLE.json --thresholds T [T ...]
    python bench/tune_answers.py checks --cache HOME.json TATQA.json SQUAD.json

`collect` indexes the file's articles through the real ingest path (as `assistant eval-qa`
does, into the same eval data dir), retrieves for every question through the real
retriever, and stores the passages with the embedding of every sentence and question.
No model is needed.

`fit` scores every question's sentences with the code as it stands (`select_evidence`,
`abstain.features`: so the figures always describe the shipped code), then fits the
sentence scorer and the abstention combiner (logistic regressions, numpy only)
leave-one-article-out: each article is scored by weights fitted on the other seven, so the
held-out figures say what to expect on articles nobody tuned on. It prints those, the
in-sample figures, the abstention curve, and the constants fitted on all articles (what
the code ships). Fit the scorer first, paste its constants, and fit again: the abstention
features depend on which sentence ranks first.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ingest.offline import force_offline

force_offline()

from assistant import library  # noqa: E402
from assistant.eval.qa import contains_answer, sample_questions  # noqa: E402
from assistant.eval.qa_run import prepare_index  # noqa: E402
from assistant.evidence import abstain  # noqa: E402
from assistant.evidence.compose import extractive_answer, quote  # noqa: E402
from assistant.evidence.select import FEATURES, Evidence, select_evidence  # noqa: E402
from assistant.evidence.select import WEIGHTS as SHIPPED  # noqa: E402
from assistant.evidence.which import prefer_matching  # noqa: E402
from assistant.retrieve import Passage, PathFilter  # noqa: E402
from assistant.settings import load_settings  # noqa: E402

PASSAGE_FIELDS = (
    "path", "doc_id", "first", "last", "page_start", "page_end", "headings", "text", "score"
)  # fmt: skip


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def collect(args: argparse.Namespace) -> None:
    if args.threads:
        # Before the encoder loads: it sizes its thread pool from the cores this process
        # may use (ingest.embed.device.cpu_threads), so fewer cores means fewer threads.
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.threads])
    settings = load_settings(data_dir=args.data_dir)
    index_settings, questions = prepare_index(settings, args.file, say, args.docs)
    questions = sample_questions(questions, args.sample, 0)
    retriever = library.open_retriever(index_settings)
    rows: list[dict[str, Any]] = []
    texts: dict[str, None] = {}
    dimension = retriever.embedder.dimension

    def recorder(batch: Sequence[str]) -> list[list[float]]:
        texts.update(dict.fromkeys(batch))
        return [[0.0] * dimension for _ in batch]

    started = time.perf_counter()
    for n, q in enumerate(questions, 1):
        within = q.within if q.within is None or args.docs is None else str(args.docs / q.within)
        passages = retriever.search(q.question, index_settings.k, PathFilter.build(within)).passages
        rows.append(
            {
                "qid": q.qid,
                # What a held-out fit leaves out together: the document (or, for a question
                # no document answers, its kind).
                "article": q.article or q.kind,
                "question": q.question,
                "answers": list(q.answers),
                "impossible": q.impossible,
                "passages": [{f: getattr(p, f) for f in PASSAGE_FIELDS} for p in passages],
            }
        )
        select_evidence(q.question, passages, recorder)  # learns what the scorer embeds
        if n % 250 == 0:
            say(f"retrieved {n}/{len(questions)} in {time.perf_counter() - started:.0f} s")
    retriever.index.close()
    unique = list(texts)
    say(f"embedding {len(unique)} distinct questions and sentences")
    vectors = retriever.embedder.embed(unique)
    args.cache.write_text(
        json.dumps({"questions": rows, "vectors": dict(zip(unique, vectors, strict=True))})
    )
    say(f"wrote {len(rows)} questions to {args.cache}")


def cached_passages(q: dict[str, Any]) -> list[Passage]:
    return [
        Passage(char_start=0, char_end=0, fused=0.0, **{**p, "headings": tuple(p["headings"])})
        for p in q["passages"]
    ]


def cached_evidence(cache: dict[str, Any], q: dict[str, Any], prefer: bool = True) -> Evidence:
    """The question's evidence as the current `select_evidence` picks it from the stored
    passages and sentence vectors (and `prefer_matching` orders it, unless `prefer` is
    False): no model loaded."""
    vectors = cache["vectors"]
    zero = [0.0] * len(next(iter(vectors.values())))
    # Only what select_evidence embeds is stored; a table's headers (what the quote picks
    # its cell by) are not, and read as unrelated. With --data-dir, what the current code
    # splits differently from the collecting code is embedded by the model.
    embed = (
        cached_then_embedded(vectors, EMBEDDER[0])
        if EMBEDDER
        else lambda texts: [vectors.get(t, zero) for t in texts]
    )
    evidence = select_evidence(q["question"], cached_passages(q), embed)
    return prefer_matching(evidence) if prefer else evidence  # as answer_stream does


def featurize(
    cache: dict[str, Any], extra: Callable[[Evidence], dict[str, float]] | None = None
) -> list[dict[str, Any]]:
    """Every question through the current `select_evidence` and `abstain.features`, and
    through `extra` (a probe's candidate features, added beside them) where given."""
    rows = []
    for q in cache["questions"]:
        evidence = cached_evidence(cache, q)
        passages = evidence.passages
        gold = q["answers"]
        answer, statements = extractive_answer(evidence)
        cited = {n for st in statements for n in st.citations}
        closest = evidence.closest_source()
        from_closest = [c for c in evidence.candidates if c.source == closest]
        rows.append(
            {
                "article": q["article"],
                "impossible": q["impossible"],
                "retrieved_gold": any(contains_answer(p.text, gold) for p in passages),
                "answer_gold": contains_answer(answer, gold),
                "cited_gold": any(contains_answer(passages[n - 1].text, gold) for n in cited),
                "answer_words": len(answer.split()),
                # The closest passage's best sentence, where it is not the best sentence's
                # passage: extractive_answer quotes it after the best.
                "closest_gold": contains_answer(from_closest[0].text, gold)
                if from_closest and from_closest[0].source != evidence.candidates[0].source
                else None,
                "sentences": [
                    {
                        "f": [c.features[name] for name in FEATURES],
                        "gold": contains_answer(c.text, gold),
                        "quote_gold": contains_answer(quote(evidence, c), gold),
                        "quote_words": len(quote(evidence, c).split()),
                        "passage_gold": contains_answer(passages[c.source - 1].text, gold),
                    }
                    for c in evidence.candidates
                ],
                "abstain": (abstain.features(evidence) | (extra(evidence) if extra else {}))
                if evidence.candidates
                else None,
            }
        )
    return rows


# -- logistic regression ------------------------------------------------------------------


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    l2: float = 1.0,
    steps: int = 50,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """Weights (intercept last) by Newton's method with an L2 penalty on the weights;
    `sample_weight` counts some rows more (a small set as much as a large one)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    penalty = np.eye(xb.shape[1]) * l2
    penalty[-1, -1] = 0.0
    c = np.ones(len(x)) if sample_weight is None else sample_weight
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xb @ w)))
        gradient = xb.T @ (c * (p - y)) + penalty @ w
        hessian = (xb * (c * p * (1 - p))[:, None]).T @ xb + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def fit_listwise(
    rows: list[dict[str, Any]],
    l2: float = 1.0,
    steps: int = 30,
    row_weight: Sequence[float] | None = None,
) -> np.ndarray:
    """A conditional logit: per question, a softmax over its sentences towards those that
    hold gold (ranking, not calibration: the intercept is 0). Newton's method;
    `row_weight` counts some questions more (a small set as much as a large one)."""
    groups = []
    for n, r in enumerate(rows):
        gold = np.asarray([float(s["gold"]) for s in r["sentences"]])
        if r["impossible"] or gold.sum() == 0:
            continue
        x = np.asarray([[s["f"][i] for i in KEPT] for s in r["sentences"]], dtype=float)
        groups.append((x, gold / gold.sum(), 1.0 if row_weight is None else row_weight[n]))

    def loss(w: np.ndarray) -> float:
        total = 0.5 * l2 * float(w @ w)
        for x, target, c in groups:
            z = x @ w
            top = z.max()
            total += c * float(top + np.log(np.exp(z - top).sum()) - target @ z)
        return total

    w = np.zeros(len(KEPT))
    current = loss(w)
    for _ in range(steps):
        gradient = l2 * w
        hessian = l2 * np.eye(len(w))
        for x, target, c in groups:
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            gradient += c * (x.T @ (p - target))
            xp = x.T @ p
            hessian += c * ((x * p[:, None]).T @ x - np.outer(xp, xp))
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while size > 1e-4 and loss(w - size * step) > current:
            size /= 2
        w = w - size * step
        previous, current = current, loss(w)
        if previous - current < 1e-6:
            break
    return np.append(w, 0.0)


def logits(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return x @ w[:-1] + w[-1]


# -- sentence scorer -------------------------------------------------------------------------


EMBEDDER: list[Any] = []  # fit-mix --data-dir: the model for sentences the cache lacks
KEPT: list[int] = []  # feature columns the scorer is fitted on (--drop leaves some out)


def sentence_arrays(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    x = [[s["f"][i] for i in KEPT] for r in rows for s in r["sentences"]]
    y = [float(s["gold"]) for r in rows for s in r["sentences"]]
    return np.asarray(x, dtype=float), np.asarray(y)


def ranking(rows: list[dict[str, Any]], w: np.ndarray) -> dict[str, float]:
    """Over answerable questions with candidates: the best-scored sentence holds gold, one
    of the two best does, the quote of the best does (the extractive answer), and the
    best's passage does; and the quote's median length in words."""
    answerable = [r for r in rows if not r["impossible"] and r["sentences"]]
    counts = dict.fromkeys(("top1", "top2", "quote", "passage"), 0)
    lengths = []
    for r in answerable:
        x = np.asarray([[s["f"][i] for i in KEPT] for s in r["sentences"]], dtype=float)
        order = np.argsort(-logits(x, w))
        best = r["sentences"][order[0]]
        counts["top1"] += best["gold"]
        counts["top2"] += any(r["sentences"][i]["gold"] for i in order[:2])
        counts["quote"] += best["quote_gold"]
        counts["passage"] += best["passage_gold"]
        lengths.append(best["quote_words"])
    n = max(len(answerable), 1)
    return {**{k: v / n for k, v in counts.items()}, "quote_words": float(np.median(lengths))}


def shipped_order(rows: list[dict[str, Any]]) -> dict[str, float]:
    """The same measures for the order the shipped constants gave (candidates come best first)."""
    answerable = [r for r in rows if not r["impossible"] and r["sentences"]]
    n = max(len(answerable), 1)
    return {
        "top1": sum(r["sentences"][0]["gold"] for r in answerable) / n,
        "quote": sum(r["sentences"][0]["quote_gold"] for r in answerable) / n,
        "passage": sum(r["sentences"][0]["passage_gold"] for r in answerable) / n,
    }


def quote_order(rows: list[dict[str, Any]]) -> str:
    """Which of the two quotes should come first, where the closest passage adds one."""
    both = [r for r in rows if not r["impossible"] and r["closest_gold"] is not None]
    best = sum(r["sentences"][0]["gold"] for r in both)
    return (
        f"where the closest passage adds a quote ({len(both)} answerable): the best sentence "
        f"holds gold in {best}, the closest passage's best in "
        f"{sum(r['closest_gold'] for r in both)}"
    )


def by_cosine(rows: list[dict[str, Any]]) -> float:
    answerable = [r for r in rows if not r["impossible"] and r["sentences"]]
    i = FEATURES.index("cosine")
    best = [max(r["sentences"], key=lambda s: s["f"][i])["gold"] for r in answerable]
    return sum(best) / max(len(best), 1)


# -- abstention -------------------------------------------------------------------------------


def abstain_arrays(
    rows: list[dict[str, Any]], names: Sequence[str] = abstain.FEATURES
) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray([[r["abstain"][k] for k in names] for r in rows], dtype=float)
    y = np.asarray([0.0 if r["impossible"] else 1.0 for r in rows])
    return x, y


def curve(scores: np.ndarray, answerable: np.ndarray, thresholds: Sequence[float]) -> list[dict]:
    """Abstain when the score is below the threshold: the share abstained on each side."""
    return [
        {
            "threshold": round(float(t), 3),
            "unanswerable_abstained": round(float((scores < t)[answerable == 0].mean()), 4),
            "answerable_abstained": round(float((scores < t)[answerable == 1].mean()), 4),
        }
        for t in thresholds
    ]


def auc(scores: np.ndarray, answerable: np.ndarray) -> float:
    """The chance that an answerable question scores above an unanswerable one."""
    above = scores[answerable == 1][:, None] - scores[answerable == 0][None, :]
    return float((above > 0).mean() + 0.5 * (above == 0).mean())


def threshold_for(scores: np.ndarray, answerable: np.ndarray, answerable_rate: float) -> float:
    """The threshold that abstains on about `answerable_rate` of the answerable ones."""
    ranked = np.sort(scores[answerable == 1])
    return float(ranked[int(math.floor(answerable_rate * len(ranked)))])


LISTWISE: list[bool] = [False]


def fit_ranker(rows: list[dict[str, Any]], l2: float) -> np.ndarray:
    if LISTWISE[0]:
        return fit_listwise(rows, l2)
    return fit_logistic(*sentence_arrays(rows), l2=l2)


def fit_scorer(rows: list[dict[str, Any]], articles: list[str], l2: float) -> None:
    print("\nsentence scorer, held-out article (answerable questions):")
    totals: dict[str, float] = {}
    count = 0
    for article in articles:
        train = [r for r in rows if r["article"] != article]
        test = [r for r in rows if r["article"] == article]
        scores = ranking(test, fit_ranker(train, l2))
        n = sum(not r["impossible"] for r in test)
        print(f"  {article:<34} n={n:>4}  " + "  ".join(f"{k} {v:.3f}" for k, v in scores.items()))
        for key, value in scores.items():
            totals[key] = totals.get(key, 0.0) + value * n
        count += n
    print(
        "  held-out, all articles: " + "  ".join(f"{k} {v / count:.3f}" for k, v in totals.items())
    )
    weights = fit_ranker(rows, l2)
    print("  in-sample: " + "  ".join(f"{k} {v:.3f}" for k, v in ranking(rows, weights).items()))
    print("  fitted on all articles (paste into assistant/evidence/select.py):")
    fitted = dict(zip([FEATURES[i] for i in KEPT], weights[:-1], strict=True))
    for name in FEATURES:
        print(f'    "{name}": {fitted.get(name, 0.0):.3f},')
    print(f"  INTERCEPT = {weights[-1]:.3f}")


def held_out_abstention(
    usable: list[dict[str, Any]],
    l2: float,
    rate: float,
    names: Sequence[str] = abstain.FEATURES,
    folds: int | None = None,
    balanced: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each article's abstention scores from the combiner fitted without it, whether each
    question abstains at the threshold that gives `rate` on the other articles, and which
    are answerable: what documents the fit never saw would get. With `folds`, the articles
    are dealt into that many groups, each held out whole (hundreds of documents)."""
    scores = np.zeros(len(usable))
    abstained = np.zeros(len(usable), dtype=bool)
    articles = sorted({r["article"] for r in usable})
    group = {a: (i % folds if folds else i) for i, a in enumerate(articles)}
    for held in sorted(set(group.values())):
        train = [r for r in usable if group[r["article"]] != held]
        idx = [i for i, r in enumerate(usable) if group[r["article"]] == held]
        xa, ya = abstain_arrays(train, names)
        w = fit_logistic(xa, ya, l2=l2, sample_weight=set_weights(train) if balanced else None)
        t = (
            pinned_threshold(train, logits(xa, w), rate)
            if balanced
            else threshold_for(logits(xa, w), ya, rate)
        )
        scores[idx] = logits(abstain_arrays([usable[i] for i in idx], names)[0], w)
        abstained[idx] = scores[idx] < t
    return scores, abstained, abstain_arrays(usable, names)[1]


def compare_added_features(
    rows: list[dict[str, Any]], rate: float, trials: Sequence[tuple[str, Sequence[str]]]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each (label, feature names): the combiner with those names beside the shipped
    features, held out by article. Prints what each abstains on at `rate` and its AUC;
    returns each one's held-out scores and which questions are answerable."""
    results = {}
    for label, added in trials:
        scores, abstained, answerable = held_out_abstention(
            rows, 1.0, rate, (*abstain.FEATURES, *added)
        )
        print(
            f"  {label:<26} unanswerable abstained {abstained[answerable == 0].mean():.3f}, "
            f"answerable {abstained[answerable == 1].mean():.3f}, "
            f"AUC {auc(scores, answerable):.3f}"
        )
        results[label] = (scores, answerable)
    return results


def held_out_curve(scores: np.ndarray, answerable: np.ndarray) -> list[dict]:
    return curve(scores, answerable, np.quantile(scores, np.linspace(0.02, 0.7, 18)))


def print_curve(points: list[dict]) -> None:
    for p in points:
        print(
            f"    threshold {p['threshold']:>7}: unanswerable {p['unanswerable_abstained']:.3f}"
            f"  answerable {p['answerable_abstained']:.3f}"
        )


def fit_abstention(rows: list[dict[str, Any]], l2: float, rate: float) -> dict[str, Any]:
    usable = [r for r in rows if r["abstain"] is not None]
    held_scores, held_abstained, y = held_out_abstention(usable, l2, rate)
    x = abstain_arrays(usable)[0]
    print(f"\nabstention, each article held out, its threshold set on the others at {rate:.0%}:")
    print(
        f"  unanswerable abstained {held_abstained[y == 0].mean():.3f}, "
        f"answerable abstained {held_abstained[y == 1].mean():.3f}"
    )
    points = held_out_curve(held_scores, y)
    print("  held-out curve (scores of each article from the combiner fitted without it):")
    print_curve(points)
    answered = [r for r, a in zip(usable, held_abstained, strict=True) if not a]
    answerable = [r for r in usable if not r["impossible"]]
    both = [r for r in answered if not r["impossible"]]
    print(
        "  extractive answers with these held-out abstentions: the answer holds gold in "
        f"{sum(r['answer_gold'] for r in both) / len(answerable):.3f} of answerable questions; "
        f"a cited passage in {sum(r['cited_gold'] for r in both) / max(len(both), 1):.3f} of "
        f"those answered; median {np.median([r['answer_words'] for r in both]):.0f} words"
    )
    w = fit_logistic(x, y, l2=l2)
    t = threshold_for(logits(x, w), y, rate)
    inside = logits(x, w) < t
    print(
        f"  in-sample at the shipped threshold: unanswerable {inside[y == 0].mean():.3f}, "
        f"answerable {inside[y == 1].mean():.3f}"
    )
    print("  fitted on all articles (paste into assistant/evidence/abstain.py):")
    for name, value in zip(abstain.FEATURES, w[:-1], strict=True):
        print(f'    "{name}": {value:.3f},')
    print(f"  INTERCEPT = {w[-1]:.3f}\n  THRESHOLD = {t:.3f}")
    return {"held_out_curve": points}


SHARES: dict[str, float] = {}  # fit-mix --shares: each set's share of the fit's weight
PINNED: list[str] = []  # fit-mix --pin: the set whose answerable rate sets the threshold


def set_weights(rows: list[dict[str, Any]]) -> np.ndarray:
    """Each row's weight so that each set (the `set` of fit-mix) counts for its share of
    the whole (equal shares by default), whatever its size."""
    sizes: dict[str, int] = {}
    for r in rows:
        sizes[r.get("set", "")] = sizes.get(r.get("set", ""), 0) + 1
    share = {k: SHARES.get(k, 1 / len(sizes)) for k in sizes}
    total = sum(share.values())
    return np.asarray([len(rows) * share[r["set"]] / total / sizes[r["set"]] for r in rows])


def pinned_threshold(rows: list[dict[str, Any]], scores: np.ndarray, rate: float) -> float:
    """The threshold that abstains on `rate` of the answerable questions of the pinned set
    (of all, when none is pinned)."""
    mask = np.asarray([not PINNED or r.get("set") == PINNED[0] for r in rows])
    answerable = np.asarray([0.0 if r["impossible"] else 1.0 for r in rows])
    return threshold_for(scores[mask], answerable[mask], rate)


def fit_mix(args: argparse.Namespace) -> None:
    """The abstention combiner fitted on several sets at once (personal papers, report
    tables, prose), held out by document in folds, with each set's own figures: a rule
    that only suits one kind of paper shows up as a set it fails."""
    SHARES.update(zip((p.stem for p in args.cache), args.shares or [], strict=False))
    if args.data_dir:
        EMBEDDER[:] = [library.embedder_for(load_settings(data_dir=args.data_dir))]
    PINNED[:] = [args.pin] if args.pin else []
    rows: list[dict[str, Any]] = []
    if args.rows and args.rows.exists():
        rows = json.loads(args.rows.read_text())  # scored by the code that wrote them
    for path in [] if rows else args.cache:
        for r in featurize(json.loads(path.read_text())):
            r["set"] = path.stem
            r["article"] = f"{path.stem}:{r['article']}"
            rows.append(r)
    if args.rows and not args.rows.exists():
        args.rows.write_text(json.dumps(rows))
    sets = [p.stem for p in args.cache]
    for name in sets:
        answerable = [r for r in rows if r["set"] == name and not r["impossible"]]
        print(
            f"{name}: the answer holds gold in "
            f"{sum(r['answer_gold'] for r in answerable) / max(len(answerable), 1):.3f} of "
            f"{len(answerable)} answerable (before abstention), a retrieved passage in "
            f"{sum(r['retrieved_gold'] for r in answerable) / max(len(answerable), 1):.3f}"
        )
    if args.scorer:
        SEARCH[:] = [True] if args.search else []
        FROM_SHIPPED[:] = [True] if args.from_shipped else []
        ONLY[:] = args.only
        fit_mix_scorer(rows, sets, args.l2)
        return
    usable = [r for r in rows if r["abstain"] is not None]
    if args.fit_on == "right":
        # What the targets count: an answer holding the gold against a question nobody can
        # answer. An answerable question answered wrong is lost either way, so it does not
        # pull the combiner towards answering (or declining) what looks like it.
        usable = [r for r in usable if r["impossible"] or r["answer_gold"]]
    scores, abstained, y = held_out_abstention(
        usable, args.l2, args.answerable_rate, folds=10, balanced=True
    )
    print(
        f"{len(usable)} questions; held out by document in 10 folds; threshold at "
        f"{args.answerable_rate:.1%} of {args.pin or 'all'} answerable abstained"
    )
    for name in ["all", *sets]:
        mask = np.asarray([name == "all" or r["set"] == name for r in usable])
        ys, held = y[mask], abstained[mask]
        unanswerable = f"{held[ys == 0].mean():.3f}" if (ys == 0).any() else "n/a"
        area = f"{auc(scores[mask], ys):.3f}" if (ys == 0).any() and (ys == 1).any() else "n/a"
        print(
            f"  {name:<12} n={mask.sum():>5}  unanswerable abstained {unanswerable}, "
            f"answerable abstained {held[ys == 1].mean():.3f}, AUC {area}"
        )
        if name != "all" and (ys == 0).any():
            print_curve(held_out_curve(scores[mask], ys))
    x = abstain_arrays(usable)[0]
    w = fit_logistic(x, y, l2=args.l2, sample_weight=set_weights(usable))
    t = pinned_threshold(usable, logits(x, w), args.answerable_rate)
    inside = logits(x, w) < t
    for name in sets:
        mask = np.asarray([r["set"] == name for r in usable])
        unanswerable = inside[mask & (y == 0)].mean() if (mask & (y == 0)).any() else float("nan")
        print(
            f"  in-sample {name:<8} unanswerable abstained {unanswerable:.3f}, "
            f"answerable abstained {inside[mask & (y == 1)].mean():.3f}"
        )
    print("  fitted on all (paste into assistant/evidence/abstain.py):")
    for name, value in zip(abstain.FEATURES, w[:-1], strict=True):
        print(f'    "{name}": {value:.3f},')
    print(f"  INTERCEPT = {w[-1]:.3f}\n  THRESHOLD = {t:.3f}")


STEPS = (-2.0, -1.0, -0.5, -0.25, 0.25, 0.5, 1.0, 2.0)


def search_top1(
    rows: list[dict[str, Any]], w: np.ndarray, row_weight: Sequence[float], passes: int = 3
) -> np.ndarray:
    """From `w` (the listwise fit), coordinate ascent on what the answer needs: the share
    of questions (each counted by its weight) whose best-scored unit holds gold. The
    listwise likelihood rewards raising gold units everywhere in the ranking; only the
    first place is quoted."""
    groups = [
        (r, c) for r, c in zip(rows, row_weight, strict=True)
        if not r["impossible"] and any(s["gold"] for s in r["sentences"])
    ]  # fmt: skip
    x = np.asarray([s["f"] for r, _ in groups for s in r["sentences"]], dtype=float)[:, KEPT]
    gold = np.asarray([s["gold"] for r, _ in groups for s in r["sentences"]], dtype=bool)
    starts = np.cumsum([0] + [len(r["sentences"]) for r, _ in groups])[:-1]
    sizes = np.diff(np.append(starts, len(x)))
    counts = np.asarray([c for _, c in groups])

    def share(v: np.ndarray) -> float:
        z = x @ v
        top = np.repeat(np.maximum.reduceat(z, starts), sizes) == z
        hits = np.add.reduceat(top & gold, starts) / np.add.reduceat(top, starts)
        return float(counts @ hits / counts.sum()) - 1e-4 * float((v - w[:-1]) @ (v - w[:-1]))

    v = w[:-1].copy()
    best = share(v)
    free = [KEPT.index(FEATURES.index(n)) for n in ONLY] if ONLY else range(len(v))
    for _ in range(passes):
        improved = False
        for j in free:
            for step in STEPS:
                trial = v.copy()
                trial[j] += step
                value = share(trial)
                if value > best + 1e-9:
                    v, best, improved = trial, value, True
        if not improved:
            break
    return np.append(v, 0.0)


def _report_number(article: str) -> int | None:
    """The number of a TAT-QA report (`tatqa:report-017.pdf` is 17), else None."""
    digits = "".join(ch for ch in article.rsplit(":", 1)[-1] if ch.isdigit())
    return int(digits) if article.startswith("tatqa") and digits else None


def _set_ranking(rows: list[dict[str, Any]], w: np.ndarray, sets: Sequence[str]) -> str:
    parts = []
    for name in sets:
        scores = ranking([r for r in rows if r["set"] == name], w)
        parts.append(f"{name} top1 {scores['top1']:.3f} quote {scores['quote']:.3f}")
    return "; ".join(parts)


def fit_mix_ranker(rows: list[dict[str, Any]], l2: float) -> np.ndarray:
    """The listwise fit, then (with --search) the top-1 search from it."""
    if FROM_SHIPPED:
        w = np.asarray([SHIPPED[name] for name in FEATURES] + [0.0])
    else:
        w = fit_listwise(rows, l2, row_weight=set_weights(rows))
    return search_top1(rows, w, set_weights(rows)) if SEARCH else w


SEARCH: list[bool] = []  # fit-mix --search
FROM_SHIPPED: list[bool] = []  # fit-mix --from-shipped: search from the shipped weights
ONLY: list[str] = []  # fit-mix --only: the weights the search may move


def fit_mix_scorer(rows: list[dict[str, Any]], sets: Sequence[str], l2: float) -> None:
    """The sentence scorer (a listwise logit) fitted on the mix, each set counting for its
    share: held out by document in 10 folds (and TAT-QA by report, even and odd numbers
    each held out whole), then fitted on all (the constants the code ships)."""
    KEPT[:] = range(len(FEATURES))
    print("\nsentence scorer (answerable questions whose retrieved sentences hold gold):")
    print("  shipped constants: " + "; ".join(
        f"{n} top1 {shipped_order([r for r in rows if r['set'] == n])['top1']:.3f} "
        f"quote {shipped_order([r for r in rows if r['set'] == n])['quote']:.3f}"
        for n in sets
    ))  # fmt: skip
    shipped = np.asarray([SHIPPED[name] for name in FEATURES] + [0.0])
    print("  shipped constants, ranked as the fits are: " + _set_ranking(rows, shipped, sets))
    articles = sorted({r["article"] for r in rows})
    fold = {a: i % 10 for i, a in enumerate(articles)}
    held: dict[str, list[float]] = {}
    for k in range(10):
        train = [r for r in rows if fold[r["article"]] != k]
        w = fit_mix_ranker(train, l2)
        for name in sets:
            test = [r for r in rows if fold[r["article"]] == k and r["set"] == name]
            n = sum(not r["impossible"] and bool(r["sentences"]) for r in test)
            if n:
                scores = ranking(test, w)
                held.setdefault(name, []).extend([scores["top1"] * n, scores["quote"] * n, n])
    print("  held out by document, 10 folds: " + "; ".join(
        f"{name} top1 {sum(v[0::3]) / sum(v[2::3]):.3f} quote {sum(v[1::3]) / sum(v[2::3]):.3f}"
        for name, v in held.items()
    ))  # fmt: skip
    # A household's papers share their writer's wording: held out by document, the fit
    # still learns each household's phrasing. Held out whole, a set says what another
    # household's papers would see.
    whole = []
    for name in sets:
        w = fit_mix_ranker([r for r in rows if r["set"] != name], l2)
        whole.append(f"{name} top1 {ranking([r for r in rows if r['set'] == name], w)['top1']:.3f}")
    print("  each set held out whole: " + "; ".join(whole))
    for parity, label in ((0, "even"), (1, "odd")):
        out = [r for r in rows if (_report_number(r["article"]) or 0) % 2 == parity]
        out = [r for r in out if _report_number(r["article"]) is not None]
        if out:
            train = [r for r in rows if r not in out]
            w = fit_mix_ranker(train, l2)
            print(f"  TAT-QA {label} reports held out: {_set_ranking(out, w, [out[0]['set']])}")
    w = fit_mix_ranker(rows, l2)
    print("  in-sample: " + _set_ranking(rows, w, sets))
    print("  fitted on all (paste into assistant/evidence/select.py):")
    for name, value in zip(FEATURES, w[:-1], strict=True):
        print(f'    "{name}": {value:.3f},')


def fit(args: argparse.Namespace) -> None:
    KEPT[:] = [i for i, name in enumerate(FEATURES) if name not in args.drop]
    LISTWISE[0] = args.listwise
    started = time.perf_counter()
    rows = featurize(json.loads(args.cache.read_text()))
    articles = sorted({r["article"] for r in rows})
    answerable = [r for r in rows if not r["impossible"]]
    print(f"{len(rows)} questions ({len(answerable)} answerable), {len(articles)} articles")
    print(f"(scored with the current code in {time.perf_counter() - started:.0f} s)")
    held = sum(r["retrieved_gold"] for r in answerable) / len(answerable)
    print(f"a retrieved passage holds gold: {held:.3f}")
    print(f"the sentence closest by cosine holds gold: {by_cosine(rows):.3f}")
    print(quote_order(rows))
    print(
        "shipped constants' order: "
        + "  ".join(f"{k} {v:.3f}" for k, v in shipped_order(rows).items())
    )
    fit_scorer(rows, articles, args.l2)
    if args.dump:
        args.dump.write_text(json.dumps(rows))
    report = fit_abstention(rows, args.l2, args.answerable_rate)
    if args.report:
        args.report.write_text(json.dumps(report, indent=1))


# -- generative answers: drafts by a real model, then the support rule swept over them ------


def cached_then_embedded(
    vectors: dict[str, Any], embedder: Any
) -> Callable[[Sequence[str]], list[list[float]]]:
    """An embed function that takes the cache's vectors and embeds (and keeps) only what a
    changed scorer or a model's draft asks for that the cache lacks."""

    def embed(texts: Sequence[str]) -> list[list[float]]:
        missing = [t for t in texts if t not in vectors]
        if missing:
            vectors.update(zip(missing, embedder.embed(missing), strict=True))
        return [vectors[t] for t in texts]

    return embed


def drafts(args: argparse.Namespace) -> None:
    """Ask the embedded model (or the configured backend) a seeded sample of questions
    through `answer_stream`, for each evidence size, and store its drafts."""
    import random

    from assistant.answer import answer_stream

    cache = json.loads(args.cache.read_text())
    vectors = cache["vectors"]
    settings = load_settings(data_dir=args.data_dir)
    embedder = library.embedder_for(settings)
    backend = library.open_backend(settings.replace(backend=args.backend))

    embed = cached_then_embedded(vectors, embedder)

    chosen = random.Random(args.seed).sample(cache["questions"], args.sample)
    out = []
    started = time.perf_counter()
    for n, q in enumerate(chosen, 1):
        evidence = select_evidence(q["question"], cached_passages(q), embed)
        for size in args.sizes:
            stream = answer_stream(
                q["question"], evidence, backend, embed=embed, mode="generative",
                max_answer_tokens=args.max_tokens, temperature=0.1, evidence_sentences=size,
            )  # fmt: skip
            t = time.perf_counter()
            draft = "".join(stream)
            out.append(
                {
                    "qid": q["qid"],
                    "size": size,
                    "draft": draft,
                    "prompt_tokens": stream.plan.prompt.tokens if stream.plan.prompt else 0,
                    "ms": (time.perf_counter() - t) * 1000,
                    "abstained": stream.plan.abstained,
                }
            )
        if n % 10 == 0:
            say(f"{n}/{len(chosen)} questions in {time.perf_counter() - started:.0f} s")
    args.out.write_text(json.dumps({"backend": backend.model, "drafts": out}))


def claims(args: argparse.Namespace) -> None:
    """Check the stored drafts under each support rule; the figures per evidence size."""
    from assistant.evidence import claims as rule
    from assistant.evidence.compose import written

    cache = json.loads(args.cache.read_text())
    vectors = cache["vectors"]
    by_id = {q["qid"]: q for q in cache["questions"]}
    stored = json.loads(args.drafts.read_text())
    settings = load_settings(data_dir=args.data_dir)
    embedder = library.embedder_for(settings)

    embed = cached_then_embedded(vectors, embedder)

    cases = []
    for d in stored["drafts"]:
        q = by_id[d["qid"]]
        cases.append((d, q, select_evidence(q["question"], cached_passages(q), embed)))
    print(f"{len(stored['drafts'])} drafts by {stored['backend']}")
    for size in sorted({d["size"] for d, _, _ in cases}):
        subset = [c for c in cases if c[0]["size"] == size and not c[1]["impossible"]]
        subset = [c for c in subset if not c[0]["abstained"]]
        tokens = np.median([d["prompt_tokens"] for d, _, _ in subset])
        ms = np.median([d["ms"] for d, _, _ in subset])
        raw = np.mean([contains_answer(d["draft"], q["answers"]) for d, q, _ in subset])
        print(
            f"\nevidence_sentences={size}: {len(subset)} answerable drafts, prompt ~{tokens:.0f}"
            f" tokens, {ms:.0f} ms to write; the draft holds gold in {raw:.3f}"
        )
        for overlap in args.overlaps:
            for cosine in args.cosines:
                rule.MIN_OVERLAP, rule.MIN_COSINE = overlap, cosine
                final = kept_gold = kept = fallback = 0
                for d, q, evidence in subset:
                    statements = rule.check_answer(d["draft"], evidence, embed)
                    supported = [s for s in statements if s.supported]
                    if supported:
                        text = written(statements)
                        kept += len(supported)
                        kept_gold += sum(contains_answer(s.text, q["answers"]) for s in supported)
                    else:
                        fallback += 1
                        text = extractive_answer(evidence)[0]
                    final += contains_answer(text, q["answers"])
                n = max(len(subset), 1)
                print(
                    f"  overlap >= {overlap:.2f} or cosine >= {cosine:.2f}: answer holds gold "
                    f"{final / n:.3f}, fell back to the quote {fallback / n:.3f}, supported "
                    f"statements holding gold {kept_gold / max(kept, 1):.3f} ({kept})"
                )


def checks(args: argparse.Namespace) -> None:
    """What the date and name checks (assistant/evidence/which.py) do on each set: how
    often the answer changes paper and then holds gold, and what the combiner and the
    checks decline, answerable and not."""
    if args.data_dir:
        EMBEDDER[:] = [library.embedder_for(load_settings(data_dir=args.data_dir))]
    for path in args.cache:
        cache = json.loads(path.read_text())
        counts: dict[str, dict[str, int]] = {"answerable": {}, "unanswerable": {}}
        for q in cache["questions"]:
            side = counts["unanswerable" if q["impossible"] else "answerable"]
            plain = cached_evidence(cache, q, prefer=False)
            if not plain.candidates:
                continue
            chosen = cached_evidence(cache, q)
            combiner = abstain.answerable_score(chosen) < abstain.THRESHOLD
            checked = not combiner and abstain.should_abstain(chosen)
            tally = {
                "questions": 1,
                "another unit first": chosen.candidates[0].text != plain.candidates[0].text,
                "declined by the combiner": combiner,
                "declined by the checks": checked,
            }
            if not q["impossible"]:
                gold = q["answers"]
                tally["gold before"] = contains_answer(extractive_answer(plain)[0], gold)
                tally["gold after"] = contains_answer(extractive_answer(chosen)[0], gold) and not (
                    combiner or checked
                )
                tally["gold before, answered"] = tally["gold before"] and not (
                    abstain.answerable_score(plain) < abstain.THRESHOLD
                )
            for key, value in tally.items():
                side[key] = side.get(key, 0) + int(value)
        for side_name, side in counts.items():
            if side:
                n = side.pop("questions")
                shown = "  ".join(f"{k} {v / n:.1%}" for k, v in side.items())
                print(f"{path.stem:<14} {side_name:<12} n={n:<4} {shown}")


def sweep(args: argparse.Namespace) -> None:
    """Each cache's figures as `eval-qa` counts them, at each threshold: the answer holds
    the gold, answerable and unanswerable questions declined, with every check of
    `should_abstain` (they sit at fixed distances from the threshold). Collected over a
    whole file (no --sample), this is the curve a threshold is chosen on."""
    if args.data_dir:
        EMBEDDER[:] = [library.embedder_for(load_settings(data_dir=args.data_dir))]
    shipped = abstain.THRESHOLD
    for path in args.cache:
        cache = json.loads(path.read_text())
        cases = []
        for q in cache["questions"]:
            evidence = cached_evidence(cache, q)
            right = not q["impossible"] and contains_answer(
                extractive_answer(evidence)[0], q["answers"]
            )
            cases.append((q["impossible"], right, evidence))
        answerable = max(sum(not c[0] for c in cases), 1)
        unanswerable = max(sum(c[0] for c in cases), 1)
        for t in args.thresholds:
            abstain.THRESHOLD = t
            declined = [not e.passages or abstain.should_abstain(e) for _, _, e in cases]
            gold = sum(r and not d for (_, r, _), d in zip(cases, declined, strict=True))
            said = sum(d and not i for (i, _, _), d in zip(cases, declined, strict=True))
            refused = sum(d and i for (i, _, _), d in zip(cases, declined, strict=True))
            print(
                f"{path.stem:<12} threshold {t:>6.2f}: holds gold {gold / answerable:.2%}, "
                f"answerable declined {said / answerable:.2%}, "
                f"unanswerable declined {refused / unanswerable:.2%}",
                flush=True,
            )
    abstain.THRESHOLD = shipped


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("file", type=Path)
    c.add_argument("--data-dir", type=Path, required=True)
    c.add_argument("--cache", type=Path, required=True)
    c.add_argument("--threads", type=int, help="cores for the encoder (1 on a busy machine).")
    c.add_argument("--docs", type=Path, help="The folder a .jsonl questions file asks of.")
    c.add_argument("--sample", type=int, help="Only N questions, drawn at random (seed 0).")
    m = sub.add_parser("fit-mix")
    m.add_argument("--cache", type=Path, nargs="+", required=True)
    m.add_argument("--l2", type=float, default=1.0)
    m.add_argument("--answerable-rate", type=float, default=0.08)
    m.add_argument("--shares", type=float, nargs="*", help="each cache's share of the fit")
    m.add_argument("--pin", help="the set (cache file stem) the answerable rate is held on")
    m.add_argument("--scorer", action="store_true", help="Fit the sentence scorer instead.")
    m.add_argument("--search", action="store_true", help="Then search for top-1 (--scorer).")
    m.add_argument("--from-shipped", action="store_true", help="Search from the shipped.")
    m.add_argument("--only", nargs="*", default=[], help="The weights --search may move.")
    m.add_argument("--rows", type=Path, help="Keep the scored questions here; reuse them.")
    m.add_argument("--data-dir", type=Path, help="Embed what the caches lack with its model.")
    m.add_argument(
        "--fit-on",
        choices=("all", "right"),
        default="all",
        help="right: answerable questions only where the answer holds the gold.",
    )
    w = sub.add_parser("sweep")
    w.add_argument("--cache", type=Path, nargs="+", required=True)
    w.add_argument("--thresholds", type=float, nargs="+", required=True)
    w.add_argument("--data-dir", type=Path, help="Embed what the caches lack with its model.")
    f = sub.add_parser("fit")
    f.add_argument("--cache", type=Path, required=True)
    f.add_argument("--l2", type=float, default=1.0)
    f.add_argument("--answerable-rate", type=float, default=0.08)
    f.add_argument("--report", type=Path)
    f.add_argument("--dump", type=Path, help="Write the scored questions here (to explore).")
    f.add_argument("--listwise", action="store_true", help="Fit the scorer as a ranker.")
    f.add_argument("--drop", nargs="*", default=[], help="Fit the scorer without these.")
    d = sub.add_parser("drafts")
    d.add_argument("--cache", type=Path, required=True)
    d.add_argument("--data-dir", type=Path, required=True)
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--backend", default="llamacpp")
    d.add_argument("--sample", type=int, default=100)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--sizes", type=int, nargs="+", default=[0, 4])
    d.add_argument("--max-tokens", type=int, default=96)
    h = sub.add_parser("checks")
    h.add_argument("--cache", type=Path, nargs="+", required=True)
    h.add_argument("--data-dir", type=Path, help="Embed what the caches lack with its model.")
    k = sub.add_parser("claims")
    k.add_argument("--cache", type=Path, required=True)
    k.add_argument("--data-dir", type=Path, required=True)
    k.add_argument("--drafts", type=Path, required=True)
    k.add_argument("--overlaps", type=float, nargs="+", default=[0.5, 0.6, 0.7, 0.8, 1.01])
    k.add_argument("--cosines", type=float, nargs="+", default=[0.6, 0.7, 0.75, 0.8, 0.9, 1.01])
    args = parser.parse_args()
    commands = {"collect": collect, "fit": fit, "fit-mix": fit_mix, "drafts": drafts}
    {**commands, "claims": claims, "checks": checks, "sweep": sweep}[args.command](args)


if __name__ == "__main__":
    main()
