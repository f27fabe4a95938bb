"""Where the passage holding a question's gold ranks: vector, keyword and fused, at k.

    python bench/bench_recall.py --docs DIR --data-dir DIR [--questions F] [--k 5 10 20]
        [--details F]

For a questions file (the home set's layout: `q`, `golds`, `file`, `page`), each answerable
question that stands on its own is searched through the real retriever in each mode, and
the first passage holding every part of its gold is located: among the top k passages,
first of them, in the right file, on the right page. This is what the answer layer can
quote at best (and it quotes from the first passage far more often than the rest); the
index is the eval's own (built on the first run, as `assistant eval-qa` builds it).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.offline import force_offline  # noqa: E402

force_offline()

from assistant import library  # noqa: E402
from assistant.eval.qa import QaQuestion, load_questions  # noqa: E402
from assistant.eval.qa_run import prepare_index  # noqa: E402
from assistant.retrieve import Passage, Retriever  # noqa: E402
from assistant.settings import load_settings  # noqa: E402

HOME = Path(__file__).resolve().parents[2] / "shared" / "data" / "home"
MODES = ("vector", "keyword", "hybrid")


def gold_rank(question: QaQuestion, passages: Sequence[Passage]) -> int | None:
    """The 1-based rank of the first passage of the question's file holding its gold (any
    file when the question names none); None when no passage does."""
    wanted = set(question.files)
    for rank, passage in enumerate(passages, 1):
        names = {Path(passage.path).name, passage.attachment}
        if (not wanted or names & wanted) and question.held_by(passage.text):
            return rank
    return None


def on_page(question: QaQuestion, passage: Passage) -> bool:
    if question.page is None or passage.page_start is None:
        return question.page is None
    return passage.page_start <= question.page <= (passage.page_end or passage.page_start)


def measure(retriever: Retriever, questions: Sequence[QaQuestion], ks: Sequence[int]) -> list[dict]:
    """One row per question: for each mode and k, the gold's rank (or None)."""
    rows = []
    for q in questions:
        row: dict = {"qid": q.qid, "kind": q.kind, "question": q.question}
        for mode in MODES:
            for k in ks:
                passages = retriever.search(q.question, k, mode=mode).passages
                rank = gold_rank(q, passages)
                row[f"{mode}@{k}"] = rank
                row[f"{mode}@{k}_page"] = rank is not None and on_page(q, passages[rank - 1])
        rows.append(row)
    return rows


def summary(rows: Sequence[dict], ks: Sequence[int]) -> list[str]:
    lines = [f"{'questions':<24}{len(rows)}"]
    kinds = sorted({r["kind"] for r in rows if r["kind"]})
    for mode in MODES:
        for k in ks:
            held = [r for r in rows if r[f"{mode}@{k}"] is not None]
            first = [r for r in rows if r[f"{mode}@{k}"] == 1]
            paged = [r for r in rows if r[f"{mode}@{k}_page"]]
            by_kind = "  ".join(
                f"{kind} {sum(1 for r in held if r['kind'] == kind)}"
                f"/{sum(1 for r in rows if r['kind'] == kind)}"
                for kind in kinds
            )
            lines.append(
                f"{mode + '@' + str(k):<12}{len(held) / len(rows):6.1%} held, "
                f"{len(first) / len(rows):6.1%} first, "
                f"{len(paged) / len(rows):6.1%} on its page   {by_kind}"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, default=HOME / "questions.jsonl")
    parser.add_argument("--k", type=int, nargs="+", default=[5, 10, 20])
    parser.add_argument("--details", type=Path, default=None)
    args = parser.parse_args()
    settings = load_settings(data_dir=args.data_dir)
    index_settings, _ = prepare_index(settings, args.questions, print, args.docs)
    questions = [
        q for q in load_questions(args.questions) if q.answers and not q.prev and not q.within
    ]
    retriever = library.open_retriever(index_settings)
    try:
        rows = measure(retriever, questions, args.k)
    finally:
        retriever.index.close()
    print("\n".join(summary(rows, args.k)))
    if args.details:
        with args.details.open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
