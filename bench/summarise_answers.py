"""The figures `bench/all_answers.sh` wrote, as one table: for each set, right and cited to
the file, answerable declined, unanswerable declined; then TAT-QA's and SQuAD's lines.

    python bench/summarise_answers.py OUT [BEFORE]   (BEFORE: an earlier OUT, shown beside)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SETS = ["home"] + [f"h{n}" for n in range(2, 17)]


def _report(out: Path, name: str) -> dict | None:
    path = out / f"{name}.json"
    if not path.exists() or not path.read_text().strip():
        return None
    return json.loads(path.read_text())


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}"


def household_line(out: Path, name: str) -> str:
    report = _report(out, name)
    if report is None:
        return "missing"
    return " / ".join(
        _pct(report.get(key))
        for key in ("right_cited_file", "abstained_answerable", "abstained_unanswerable")
    )


def text_lines(out: Path, name: str, starts: tuple[str, ...]) -> list[str]:
    path = out / f"{name}.txt"
    if not path.exists():
        return []
    return [line for line in path.read_text().splitlines() if line.strip().startswith(starts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("before", type=Path, nargs="?")
    args = parser.parse_args()
    print((args.out / "run.txt").read_text().strip() if (args.out / "run.txt").exists() else "")
    print("| set | " + ("before | " if args.before else "") + "now |")
    for name in SETS:
        before = f"{household_line(args.before, name)} | " if args.before else ""
        print(f"| {name} | {before}{household_line(args.out, name)} |")
    home = _report(args.out, "home")
    if home:
        for kind, row in home["by_kind"].items():
            shown = row["right_cited_file"]
            shown = row["declined"] if shown is None else shown
            print(f"home {kind}: {_pct(shown)} ({row['questions']})")
        print(f"home right page {_pct(home['right_page'])}")
    for line in text_lines(args.out, "tatqa", ("table", "text", "table-text", "load")):
        print("tatqa", line)
    squad = _report(args.out, "squad")
    if squad:
        print(
            f"squad holds gold {_pct(squad['answer_contains_gold'])}, "
            f"unanswerable declined {squad['abstained_unanswerable'] * 100:.2f}"
        )


if __name__ == "__main__":
    main()
