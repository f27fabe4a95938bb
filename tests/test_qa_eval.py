"""The answer evaluation: SQuAD's layout and normalisation, the measures of a run checked
by hand, and `assistant eval-qa` end to end on a small file written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.eval.qa import (
    QaOutcome,
    QaQuestion,
    contains_answer,
    load_questions,
    load_squad,
    normalize_answer,
    percentile,
    sample_questions,
    summarize,
    write_articles,
)

ORCHARD = (
    "The Marrowbrook orchard was planted in 1962 by Edith Larkworthy. It has 212 trees, "
    "most of them apples. The cider press was bought in 2025 for 3,275 pounds."
)
HIVES = (
    "The orchard keeps four hives of bees. The 2025 honey harvest was 41 kg. The bees are "
    "treated against varroa mites with oxalic acid in December."
)


def squad_file(tmp_path: Path) -> Path:
    def qa(qid: str, question: str, answers: list[str]) -> dict[str, object]:
        return {
            "id": qid,
            "question": question,
            "answers": [{"text": a, "answer_start": 0} for a in answers],
            "is_impossible": not answers,
        }

    data = {
        "version": "v2.0",
        "data": [
            {
                "title": "Orchard",
                "paragraphs": [
                    {
                        "context": ORCHARD,
                        "qas": [
                            qa("q1", "Who planted the Marrowbrook orchard?", ["Edith Larkworthy"]),
                            qa("q2", "How much did the cider press cost?", ["3,275 pounds"]),
                            qa("q3", "Who planted the Marrowbrook vineyard in 1850?", []),
                        ],
                    }
                ],
            },
            {
                "title": "Bee_keeping",
                "paragraphs": [
                    {
                        "context": HIVES,
                        "qas": [qa("q4", "How much honey did the bees make in 2025?", ["41 kg"])],
                    }
                ],
            },
        ],
    }
    path = tmp_path / "tiny-squad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_squad_normalisation_and_containment() -> None:
    assert normalize_answer("The  Normans, in France!") == "normans in france"
    assert contains_answer("They came in the 10th and 11th centuries.", ["10th and 11th centuries"])
    assert contains_answer("It cost 3,275 pounds [2].", ["3,275 pounds"])
    assert not contains_answer("It cost 13,275 pounds.", ["3,275 pounds"]), "whole words only"
    assert not contains_answer("anything", ["the"]), "an answer of articles only matches nothing"
    assert not contains_answer("the end.", ["."]), "nor does a lone mark of punctuation"
    # A grade normalises to nothing (the sign, then the article "a", go): it is looked for
    # as written, a whole token, so "A-" is not found in "A" or "A+" or a word.
    assert contains_answer("Science | Q1: B+ | Q2: A- | Semester 1: A-", ["A-"])
    assert not contains_answer("Science | Q1: A | Q2: A+ | area-wide", ["A-"])


def test_loading_reads_articles_questions_and_impossibility(tmp_path: Path) -> None:
    dataset = load_squad(squad_file(tmp_path))
    assert list(dataset.articles) == ["Orchard", "Bee_keeping"]
    assert [q.qid for q in dataset.questions] == ["q1", "q2", "q3", "q4"]
    assert dataset.questions[2].impossible and dataset.questions[2].answers == ()
    names = write_articles(dataset, tmp_path / "articles")
    assert names == {"Orchard.md": "Orchard", "Bee_keeping.md": "Bee_keeping"}
    text = (tmp_path / "articles" / "Bee_keeping.md").read_text()
    assert text.startswith("# Bee keeping\n\nThe orchard keeps four hives")
    mtime = (tmp_path / "articles" / "Orchard.md").stat().st_mtime_ns
    write_articles(dataset, tmp_path / "articles")
    assert (tmp_path / "articles" / "Orchard.md").stat().st_mtime_ns == mtime, "not rewritten"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a readable JSON file"),
        ('{"data": []}', "expected the SQuAD layout"),
        ('{"data": [{"title": "T", "paragraphs": [{"qas": []}]}]}', "missing 'context'"),
    ],
)
def test_a_file_that_is_not_squad_is_one_clear_error(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_squad(path)
    with pytest.raises(ConfigError, match="no such file"):
        load_squad(tmp_path / "missing.json")


def test_a_sample_is_seeded_and_keeps_file_order(tmp_path: Path) -> None:
    questions = load_squad(squad_file(tmp_path)).questions
    first = sample_questions(questions, 2, seed=5)
    assert first == sample_questions(questions, 2, seed=5)
    assert [q.qid for q in first] == sorted(q.qid for q in first)
    assert sample_questions(questions, None, seed=0) == questions


def outcome(impossible: bool, abstained: bool, gold: bool, cited: bool, ms: float) -> QaOutcome:
    return QaOutcome(
        "q", "A", "?", impossible, "answer", abstained, gold, cited, True, 2, 1, False,
        "extractive", ms, 10,
    )  # fmt: skip


def test_the_measures_of_a_run_by_hand() -> None:
    outcomes = [
        outcome(False, False, True, True, 100),
        outcome(False, False, False, True, 200),
        outcome(False, True, False, False, 300),  # abstained: a miss, not answered
        outcome(True, True, False, False, 400),
        outcome(True, False, False, False, 500),
    ]
    report = summarize(outcomes)
    assert report["answerable"] == 3 and report["unanswerable"] == 2
    assert report["answer_contains_gold"] == round(1 / 3, 4)
    assert report["cited_source_holds_gold"] == 1.0  # of the 2 answered answerable
    assert report["abstained_unanswerable"] == 0.5
    assert report["abstained_answerable"] == round(1 / 3, 4)
    assert report["statements_unsupported"] == 0.5
    assert report["latency_ms_p50"] == 300.0
    assert report["latency_ms_p95"] == percentile([100, 200, 300, 400, 500], 95) == 480.0
    assert report["draft_contains_gold"] is None  # no model wrote
    outcomes[0].draft_contains_gold, outcomes[1].draft_contains_gold = True, False
    assert summarize(outcomes)["draft_contains_gold"] == 0.5  # of the answerable it wrote for


def test_eval_qa_end_to_end_without_a_model(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The real ingest and answer paths on a file written here; the second run reuses
    the eval's own index; nothing lands in the user's index."""
    path = squad_file(tmp_path)
    result = cli("eval-qa", str(path), "--answer", "extractive", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["questions"] == 4 and report["answerable"] == 3
    assert report["right_cited_file"] == report["answer_contains_gold"], "cited as Orchard.md"
    assert report["answer_mode"] == "extractive" and report["backend"] is None
    assert report["answer_contains_gold"] >= 2 / 3
    assert report["retrieved_holds_gold"] == 1.0
    assert report["latency_ms_p50"] > 0
    details = tmp_path / "details.jsonl"
    again = cli(
        "eval-qa", str(path), "--answer", "extractive", "--sample", "2", "--details", str(details)
    )
    assert again.exit_code == 0, again.stderr
    assert "indexed: 0 added, 0 chunks embedded" in again.stderr
    assert "2 questions (" in again.stdout and "answer contains a gold answer" in again.stdout
    rows = [json.loads(line) for line in details.read_text().splitlines()]
    assert len(rows) == 2 and {"qid", "answer", "abstained", "contains_gold"} <= set(rows[0])
    status = cli("status", "--json")
    assert json.loads(status.stdout)["files"] == 0, "the user's own index stays empty"


def test_a_questions_file_is_read_and_a_bad_line_named(tmp_path: Path) -> None:
    good = tmp_path / "q.jsonl"
    good.write_text(
        '{"id": "a", "q": "How much?", "golds": ["£5"], "file": "x.pdf", "page": 2, '
        '"kind": "table", "also": ["y.pdf"]}\n\n'
        '{"id": "b", "q": "And then?", "golds": [], "prev": "How much?", "in": "x.pdf"}\n',
        encoding="utf-8",
    )
    first, second = load_questions(good)
    assert first.files == ("x.pdf", "y.pdf") and first.page == 2 and first.kind == "table"
    assert second.impossible and second.kind == "unanswerable" and second.prev == "How much?"
    assert second.within == "x.pdf" and second.files == ()
    by_id = tmp_path / "by_id.jsonl"
    by_id.write_text(
        '{"id": "h-002", "q": "How much is the county tax?", "golds": ["$3,095.75"]}\n'
        '{"id": "h-003", "q": "And when is it due?", "golds": ["June 20"], "prev": "h-002"}\n'
        '{"id": "h-004", "q": "Who sent it?", "golds": ["Ann"], "prev": "Who is h-9?"}\n',
        encoding="utf-8",
    )
    _, follow_up, other = load_questions(by_id)
    assert follow_up.prev == "How much is the county tax?", "a prev by id is its words"
    assert other.prev == "Who is h-9?"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "q": "How much?", "golds": ["5"]}\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.jsonl:2: needs the keys"):
        load_questions(bad)


def test_a_multi_part_answer_must_hold_every_part() -> None:
    both = QaQuestion("m", "", "Which two?", ("fixed-price", "cost-plus"), False, all_answers=True)
    assert both.held_by("Fixed-price and cost-plus contracts")
    assert not both.held_by("Fixed-price contracts")


LEASE = """# Lease of 14 Elm Street, Flat 2

The lease begins on 1 March 2025 and ends on 28 February 2026. The landlord is Fenwick
Lettings Ltd, who hold the deposit in the Tenancy Deposit Scheme.
"""
PAYSLIP = """# Payslip March 2025

| Item | This period | Year to date |
| --- | --- | --- |
| Pension | £96.10 | £288.30 |
| Net pay | £1,984.20 | £5,952.60 |
"""


def test_eval_qa_on_a_folder_and_a_questions_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Right, cited to the right file, by kind, and a follow-up asked after its `prev`."""
    docs = tmp_path / "papers"
    docs.mkdir()
    (docs / "lease-elm-street.md").write_text(LEASE, encoding="utf-8")
    (docs / "payslip-2025-03.md").write_text(PAYSLIP, encoding="utf-8")
    lines = [
        {"id": "1", "q": "When does the lease on Elm Street end?", "golds": ["28 February 2026"],
         "file": "lease-elm-street.md", "kind": "text"},
        {"id": "2", "q": "What was the net pay this period?", "golds": ["£1,984.20"],
         "file": "payslip-2025-03.md", "kind": "table"},
        {"id": "3", "q": "And who is the landlord?", "golds": ["Fenwick Lettings"],
         "file": "lease-elm-street.md", "kind": "follow-up",
         "prev": "When does the lease on Elm Street end?"},
    ]  # fmt: skip
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    missing = cli("eval-qa", str(questions), "--answer", "extractive")
    assert missing.exit_code != 0 and "needs --docs" in missing.stderr
    details = tmp_path / "details.jsonl"
    result = cli(
        "eval-qa", str(questions), "--docs", str(docs), "--answer", "extractive", "--json",
        "--details", str(details),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["questions"] == 3 and report["right_cited_file"] >= 2 / 3
    assert report["by_kind"]["table"]["right_cited_file"] == 1.0
    rows = {r["qid"]: r for r in map(json.loads, details.read_text().splitlines())}
    assert "Net pay (This period): £1,984.20" in rows["2"]["answer"]
    assert rows["2"]["first_holds_gold"], "the net pay is the first quote, not a later one"
    assert report["first_holds_gold"] <= report["answer_contains_gold"]
    assert rows["3"]["query"].startswith("And who is the landlord?"), "rewritten: it refers back"
    printed = cli("eval-qa", str(questions), "--docs", str(docs), "--answer", "extractive")
    assert "and cites the file that answers" in printed.stdout and "follow-up" in printed.stdout
    assert "its first quote (or statement) holds it" in printed.stdout
