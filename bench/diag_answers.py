"""Why each answer of a household set is what it is: every question through `eval-qa` with
the decline decision recorded and not applied, so each line says whether it was declined
(and by which check), what the answer would have been, and whether that holds the gold.

    python bench/diag_answers.py run SET OUT.jsonl [--data-dir DIR]
        SET: home, or N for tests/fixtures/householdN; the index is kept in DIR
        (default /tmp/diag_dd/SET) so a second run only asks
    python bench/diag_answers.py classes OUT.jsonl ...        (counts of each outcome)
    python bench/diag_answers.py compare BEFORE_DIR AFTER_DIR  (what changed, set by set)
        (also two `bench/all_answers.sh` OUT folders: their *.details.jsonl, SQuAD and
        TAT-QA included)

`classes` and `compare` print only counts for a set named in --blind (default: the
households written blind), so their questions stay unread.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.offline import force_offline  # noqa: E402

force_offline()

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT.parent / "shared" / "data" / "home"
BLIND = {"h3", "h8", "h10", "h11", "h13", "h14", "h15", "h16"}


def set_paths(name: str) -> tuple[Path, Path]:
    """The questions file and the documents folder of a set."""
    if name == "home":
        return HOME / "questions.jsonl", Path("/tmp/assistant_home_docs")
    folder = ROOT / "tests" / "fixtures" / f"household{name.removeprefix('h')}"
    return folder / "questions.jsonl", folder / "docs"


def run(name: str, out: Path, data_dir: Path) -> None:
    """Every question of the set, the decline checks recorded, none applied."""
    import assistant.answer as answer_module
    from assistant import library
    from assistant.eval.qa_run import run_eval_qa
    from assistant.evidence import abstain, money, topic, which
    from assistant.settings import load_settings

    recorded: dict[str, dict[str, Any]] = {}
    decide = abstain.should_abstain

    def recording(evidence: Any) -> bool:
        best = evidence.candidates[0] if evidence.candidates else None
        recorded[evidence.question.text] = {
            "declined": decide(evidence),
            "score": round(abstain.answerable_score(evidence), 3),
            "unmatched": bool(which.unmatched(evidence)),
            "money_missing": bool(money.money_missing(evidence)),
            "compounds_not_held": topic.compounds_not_held(evidence),
            "compounds_unheld": topic.compounds_unheld(evidence),
            "paper_kind_unheld": topic.paper_kind_unheld(evidence),
            "off_topic": topic.off_topic(evidence),
            "unheld": topic.unheld(evidence),
            "record": best is not None and best.sentence.record is not None,
            "candidates": [c.text for c in evidence.candidates[:20]],
        }
        return False

    answer_module.should_abstain = recording  # type: ignore[assignment]
    if name == "home":
        from bench.bench_home_answers import make_docs

        make_docs(set_paths(name)[1])
    questions, docs = set_paths(name)
    settings = load_settings(data_dir=data_dir).replace(answer_mode="extractive")
    raw = out.with_suffix(".raw.jsonl")
    run_eval_qa(settings, questions, library.open_answerer(settings), docs=docs, details=raw)
    with out.open("w", encoding="utf-8") as lines:
        for line in raw.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            # A follow-up's evidence is of its search (`query`), the question rewritten.
            asked = row.get("query") or row["question"]
            row.update(recorded.get(asked, {"declined": row["abstained"]}))
            lines.write(json.dumps(row, ensure_ascii=False) + "\n")
    raw.unlink()


def outcome(row: dict[str, Any]) -> str:
    """right, wrong (the gold retrieved or not), declined (and whether the answer would
    have held the gold); for a question the papers cannot answer, declined or answered."""
    # A row of `eval-qa --details` says only whether it was declined (`abstained`), and
    # SQuAD's no file.
    declined = row.get("declined", row["abstained"])
    if row["impossible"]:
        return "unanswerable declined" if declined else "unanswerable ANSWERED"
    if declined:
        if "declined" not in row:
            return "declined"
        return "declined, would be right" if row["contains_gold"] else "declined, would be wrong"
    if row["contains_gold"] and row.get("cited_right_file") is not False:
        return "right"
    if not row["retrieved_holds_gold"]:
        return "wrong, not retrieved"
    return "wrong, right file" if row["cited_right_file"] else "wrong, other file"


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def classes(paths: list[Path]) -> None:
    for path in paths:
        counts = collections.Counter(outcome(row) for row in _rows(path))
        print(path.stem, dict(sorted(counts.items())))


def compare(before: Path, after: Path, blind: set[str]) -> None:
    good = {"right", "unanswerable declined"}
    gained = lost = 0
    for path in sorted(after.glob("*.jsonl")):
        earlier = before / path.name
        name = path.name.split(".")[0]
        if not earlier.exists() or path.name.endswith(".raw.jsonl"):
            continue
        was = {r["qid"]: r for r in _rows(earlier)}
        now = {r["qid"]: r for r in _rows(path)}
        changed = [q for q in now if q in was and outcome(was[q]) != outcome(now[q])]
        up = sum(outcome(now[q]) in good and outcome(was[q]) not in good for q in changed)
        down = sum(outcome(was[q]) in good and outcome(now[q]) not in good for q in changed)
        gained, lost = gained + up, lost + down
        print(f"{name}: +{up} -{down}")
        if name not in blind | {"squad", "tatqa"}:
            for q in changed:
                print(f"   {q} {outcome(was[q])} -> {outcome(now[q])}: {now[q]['question']}")
    print(f"gained {gained}, lost {lost}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("set")
    r.add_argument("out", type=Path)
    r.add_argument("--data-dir", type=Path)
    c = sub.add_parser("classes")
    c.add_argument("files", type=Path, nargs="+")
    m = sub.add_parser("compare")
    m.add_argument("before", type=Path)
    m.add_argument("after", type=Path)
    m.add_argument("--blind", nargs="*", default=sorted(BLIND))
    args = parser.parse_args()
    if args.command == "run":
        name = args.set if args.set == "home" else f"h{args.set.removeprefix('h')}"
        run(name, args.out, args.data_dir or Path("/tmp/diag_dd") / name)
    elif args.command == "classes":
        classes(args.files)
    else:
        compare(args.before, args.after, set(args.blind))


if __name__ == "__main__":
    main()
