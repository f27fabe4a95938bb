"""The topic check's curve (assistant/evidence/topic.py): how many questions it declines,
answerable and not, at each threshold, on rows and fields (shipped) and on prose (not);
and the fourth session's two: no sum of money where one is asked, and prose whose topic
nothing retrieved holds, at each margin above the combiner's threshold.

    python bench/bench_topic_curve.py QUESTIONS [--docs DIR] --data-dir DIR [--sample N]

QUESTIONS is a questions file about DIR (the home set's layout) or a SQuAD 2.0 file. Every
question goes through `assistant eval-qa`'s own path (retrieval, evidence, the date, name
and paper checks); where the shipped code decides whether to abstain, the decision
without the topic check (the combiner's threshold and `which.unmatched`) is recorded with
what the check reads, so one run gives the whole curve. TAT-QA: its questions file is
`bench_tatqa_answers.py --out DIR`'s DIR/questions.jsonl with --docs DIR/docs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.offline import force_offline  # noqa: E402

force_offline()

from assistant import answer  # noqa: E402
from assistant.eval import qa_run  # noqa: E402
from assistant.evidence import abstain, topic  # noqa: E402
from assistant.evidence.money import money_missing  # noqa: E402
from assistant.evidence.select import Evidence  # noqa: E402
from assistant.evidence.which import unmatched  # noqa: E402
from assistant.settings import load_settings  # noqa: E402

THRESHOLDS = (-0.1, 0.0, 0.1, 0.2, 0.3, 0.5, 1.0)
RESCUES = (0.1, 0.15, 0.2, 0.3)
MARGINS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)


def record(evidence: Evidence) -> dict[str, Any]:
    """What the curve needs of one question's evidence, read as the shipped code reads it."""
    score = abstain.answerable_score(evidence)
    chosen = evidence.candidates[0] if evidence.candidates else None
    return {
        "score": score,
        "base": score < abstain.THRESHOLD or bool(chosen and unmatched(evidence)),
        "row": bool(chosen and chosen.sentence.record is not None),
        "uncovered": bool(chosen and topic.uncovered(evidence, chosen)),
        "has_topic": bool(topic.topic_words(evidence.question.text)),
        "unmatched": bool(chosen and unmatched(evidence)),
        "unheld": bool(chosen and topic.unheld(evidence)),
        "money": money_missing(evidence),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("--docs", type=Path, default=None)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=None)
    args = parser.parse_args()
    seen: dict[str, dict[str, Any]] = {}
    current = {"qid": ""}
    shipped = answer.should_abstain

    def watched(evidence: Evidence) -> bool:
        seen[current["qid"]] = record(evidence)
        return shipped(evidence)

    asked = qa_run.ask_one
    outcomes: dict[str, Any] = {}

    def ask_one(settings, retriever, backend, question):  # type: ignore[no-untyped-def]
        current["qid"] = question.qid
        outcome = asked(settings, retriever, backend, question)
        outcomes[question.qid] = outcome
        return outcome

    answer.should_abstain = watched  # the answer path's own decision, recorded
    qa_run.ask_one = ask_one
    settings = load_settings(data_dir=args.data_dir).replace(answer_mode="extractive")
    qa_run.run_eval_qa(
        settings, args.questions, None, docs=args.docs, sample=args.sample,
        progress=lambda m: print(m, file=sys.stderr, flush=True),
    )  # fmt: skip
    rows = [(outcomes[q].impossible, seen[q]) for q in outcomes if q in seen]
    report(rows, sum(1 for o in outcomes.values() if not o.impossible), len(outcomes))


def report(rows: list[tuple[bool, dict[str, Any]]], answerable: int, total: int) -> None:
    unanswerable = total - answerable
    base_a = sum(1 for imp, r in rows if r["base"] and not imp)
    base_u = sum(1 for imp, r in rows if r["base"] and imp)

    def share(n: int, of: int) -> str:
        return f"{n / of:.1%}" if of else "n/a"

    print(f"{answerable} answerable, {unanswerable} unanswerable")
    print(f"without the topic check: answerable declined {share(base_a, answerable)}, "
          f"unanswerable declined {share(base_u, unanswerable)}")  # fmt: skip
    print("declined by the topic check, below each threshold (kept by the combiner):")
    for where, rows_only in (("rows and fields (shipped)", True), ("prose too (not)", False)):
        print(f"  {where}")
        for t in THRESHOLDS:
            fired = [
                imp
                for imp, r in rows
                if not r["base"]
                and r["uncovered"]
                and r["score"] < t
                and (r["row"] or not rows_only)
            ]
            a, u = fired.count(False), fired.count(True)
            print(f"    below {t:5}: +{a} answerable ({share(base_a + a, answerable)}), "
                  f"+{u} unanswerable ({share(base_u + u, unanswerable)})")  # fmt: skip
    print("answered back by the topic check, that far below the combiner's threshold:")
    for w in RESCUES:
        print(f"    {w}: " + counted(rows, lambda r, w=w: (
            r["base"] and not r["unmatched"] and r["row"] and r["has_topic"]
            and not r["uncovered"] and abstain.THRESHOLD - w <= r["score"]
        )))  # fmt: skip
    print("declined for no sum of money where one is asked (kept by the combiner): "
          + counted(rows, lambda r: r["money"] and not r["base"]))  # fmt: skip
    print("prose declined for a topic nothing retrieved holds, that far above the threshold:")
    for m in MARGINS:
        print(f"    {m}: " + counted(rows, lambda r, m=m: (
            not r["base"] and not r["row"] and r["unheld"] and r["score"] < abstain.THRESHOLD + m
        )))  # fmt: skip


def counted(rows: list[tuple[bool, dict[str, Any]]], keep: Callable[[dict[str, Any]], bool]) -> str:
    """How many answerable and unanswerable questions `keep` picks."""
    picked = [imp for imp, r in rows if keep(r)]
    return f"{picked.count(False)} answerable, {picked.count(True)} unanswerable"


if __name__ == "__main__":
    main()
