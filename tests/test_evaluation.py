"""Tests for the evaluation core: BEIR loading, corpus files, and metrics checked by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.eval.beir import (
    BeirDataset,
    CorpusDoc,
    dedupe_ranking,
    evaluate_run,
    load_beir,
    mrr_at_k,
    ndcg_at_k,
    recall_at_k,
    write_corpus_files,
)

# q1 has two relevant documents with different grades; q2 has one; q3 is judged only in
# the train split, so loading the test split must leave it out.
QRELS_Q1 = {"d1": 2, "d3": 1}
QRELS_Q2 = {"d4": 1}
LOG2_3 = math.log2(3)  # 1.58496...


def _write_jsonl(path: Path, records: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


@pytest.fixture
def beir_dir(tmp_path: Path) -> Path:
    root = tmp_path / "tiny"
    (root / "qrels").mkdir(parents=True)
    _write_jsonl(
        root / "corpus.jsonl",
        [
            {"_id": "d1", "title": "Cats", "text": "Cats purr."},
            {"_id": "d2", "title": "Dogs", "text": "Dogs bark."},
            {"_id": "d3", "title": "Lions", "text": "Lions are big cats."},
            {"_id": "d4", "title": "", "text": "Whales sing."},
            {"_id": "d5", "title": "Birds", "text": "Birds fly."},
        ],
    )
    _write_jsonl(
        root / "queries.jsonl",
        [
            {"_id": "q1", "text": "Which animals purr?"},
            {"_id": "q2", "text": "Which animals sing?"},
            {"_id": "q3", "text": "Which animals fly?"},
        ],
    )
    (root / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td3\t1\nq2\td4\t1\n", encoding="utf-8"
    )
    (root / "qrels" / "train.tsv").write_text(
        "query-id\tcorpus-id\tscore\nq3\td5\t1\n", encoding="utf-8"
    )
    return root


# ------------------------------------------------------------------------------ loading


def test_load_beir_keeps_only_queries_judged_in_the_split(beir_dir: Path) -> None:
    ds = load_beir(beir_dir, "test")
    assert ds.queries == {"q1": "Which animals purr?", "q2": "Which animals sing?"}
    assert ds.qrels == {"q1": QRELS_Q1, "q2": QRELS_Q2}
    assert [d.doc_id for d in ds.corpus] == ["d1", "d2", "d3", "d4", "d5"]
    # The corpus is read afresh each time, so it can be iterated twice.
    assert next(iter(ds.corpus)) == CorpusDoc("d1", "Cats", "Cats purr.")
    assert load_beir(beir_dir, "train").queries == {"q3": "Which animals fly?"}


def test_missing_qrels_split_names_the_file_and_the_splits_found(beir_dir: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_beir(beir_dir, "dev")
    message = str(err.value)
    assert "dev.tsv" in message and "train" in message and "test" in message
    assert "\n" not in message


@pytest.mark.parametrize("name", ["corpus.jsonl", "queries.jsonl"])
def test_missing_jsonl_file_names_it(beir_dir: Path, name: str) -> None:
    (beir_dir / name).unlink()
    with pytest.raises(ConfigError, match=name):
        load_beir(beir_dir, "test")


def test_missing_dataset_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nowhere"):
        load_beir(tmp_path / "nowhere", "test")


def test_malformed_query_line_names_file_and_line(beir_dir: Path) -> None:
    path = beir_dir / "queries.jsonl"
    path.write_text(path.read_text(encoding="utf-8") + '{"_id": "q4", "text": \n')
    with pytest.raises(ConfigError, match=r"queries\.jsonl:4: not valid JSON"):
        load_beir(beir_dir, "test")


def test_malformed_corpus_line_surfaces_while_iterating(beir_dir: Path) -> None:
    path = beir_dir / "corpus.jsonl"
    path.write_text(path.read_text(encoding="utf-8") + '{"title": "no id", "text": "x"}\n')
    ds = load_beir(beir_dir, "test")  # the corpus is streamed, not parsed at load time
    with pytest.raises(ConfigError, match=r"corpus\.jsonl:6: missing '_id'"):
        list(ds.corpus)


def test_malformed_qrels_score_names_file_and_line(beir_dir: Path) -> None:
    path = beir_dir / "qrels" / "test.tsv"
    path.write_text(path.read_text(encoding="utf-8") + "q2\td5\thigh\n")
    with pytest.raises(ConfigError, match=r"test\.tsv:5: score 'high'"):
        load_beir(beir_dir, "test")


def test_qrels_with_wrong_field_count(beir_dir: Path) -> None:
    (beir_dir / "qrels" / "test.tsv").write_text("q1 d1 1\n")
    with pytest.raises(ConfigError, match=r"test\.tsv:1: expected"):
        load_beir(beir_dir, "test")


def test_empty_qrels_is_an_error(beir_dir: Path) -> None:
    (beir_dir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n")
    with pytest.raises(ConfigError, match="no judgments"):
        load_beir(beir_dir, "test")


def test_qrels_for_an_unknown_query_is_an_error(beir_dir: Path) -> None:
    path = beir_dir / "qrels" / "test.tsv"
    path.write_text(path.read_text(encoding="utf-8") + "q9\td1\t1\n")
    with pytest.raises(ConfigError, match=r"queries\.jsonl lacks 1 .*'q9'"):
        load_beir(beir_dir, "test")


# -------------------------------------------------------------------------- corpus files


def test_write_corpus_files_round_trips(beir_dir: Path, tmp_path: Path) -> None:
    ds = load_beir(beir_dir, "test")
    dest = tmp_path / "files"
    mapping = write_corpus_files(ds, dest)
    assert sorted(mapping.values()) == ["d1", "d2", "d3", "d4", "d5"]
    by_id = {doc_id: Path(p) for p, doc_id in mapping.items()}
    assert by_id["d1"] == (dest / "doc-d1.md").resolve()
    assert by_id["d1"].read_text(encoding="utf-8") == "# Cats\n\nCats purr.\n"
    # No title: no empty heading.
    assert by_id["d4"].read_text(encoding="utf-8") == "Whales sing.\n"
    # A retrieved passage's path, resolved, maps straight back to its document.
    assert mapping[str(by_id["d3"].resolve())] == "d3"


def test_write_corpus_files_makes_weird_ids_safe_and_distinct(tmp_path: Path) -> None:
    ids = ["a/b", "a_b", "a\\b", "../etc/passwd", "A", "a", "", ".hidden", "x" * 300, "é"]
    ds = BeirDataset(
        corpus=[CorpusDoc(i, f"title {n}", f"text {n}") for n, i in enumerate(ids)],
        queries={},
        qrels={},
    )
    dest = tmp_path / "files"
    mapping = write_corpus_files(ds, dest)
    assert sorted(mapping.values()) == sorted(ids)
    files = list(dest.iterdir())
    # One file per id, all directly inside dest, no two names equal even case-folded.
    assert len(files) == len(ids)
    assert len({f.name.casefold() for f in files}) == len(ids)
    assert all(f.parent == dest and f.name.startswith("doc-") for f in files)
    assert all(len(f.name) < 200 for f in files)
    for path, doc_id in mapping.items():
        n = ids.index(doc_id)
        assert Path(path).read_text(encoding="utf-8") == f"# title {n}\n\ntext {n}\n"


def test_write_corpus_files_refuses_a_folder_with_other_files(tmp_path: Path) -> None:
    (tmp_path / "stray.md").write_text("not part of the corpus")
    ds = BeirDataset(corpus=[CorpusDoc("d1", "", "x")], queries={}, qrels={})
    with pytest.raises(ConfigError, match="not an empty folder"):
        write_corpus_files(ds, tmp_path)


def test_write_corpus_files_refuses_duplicate_ids(tmp_path: Path) -> None:
    ds = BeirDataset(
        corpus=[CorpusDoc("d1", "", "x"), CorpusDoc("d1", "", "y")], queries={}, qrels={}
    )
    with pytest.raises(ConfigError, match="'d1' twice"):
        write_corpus_files(ds, tmp_path / "files")


# ------------------------------------------------------------------------------ metrics


def test_dedupe_ranking_keeps_each_documents_best_rank() -> None:
    assert dedupe_ranking(["d2", "d2", "d1", "d2", "d3", "d1"]) == ["d2", "d1", "d3"]
    assert dedupe_ranking(iter([])) == []


def test_ndcg_with_graded_relevance() -> None:
    # Ranking d2, d1, d3 against q1 = {d1: 2, d3: 1}; gain = grade, discount = log2(rank+1):
    # DCG  = 0/log2(2) + 2/log2(3) + 1/log2(4) = 0 + 1.26186 + 0.5 = 1.76186
    # IDCG = 2/log2(2) + 1/log2(3)             = 2 + 0.63093       = 2.63093
    # nDCG = 1.76186 / 2.63093 = 0.66967
    expected = (2 / LOG2_3 + 1 / 2) / (2 + 1 / LOG2_3)
    assert expected == pytest.approx(0.66967, abs=1e-5)
    assert ndcg_at_k(["d2", "d1", "d3"], QRELS_Q1, 10) == pytest.approx(expected)


def test_ndcg_cut_at_k() -> None:
    # k = 2 keeps d2, d1: DCG@2 = 0 + 2/log2(3) = 1.26186
    # IDCG@2 = 2/log2(2) + 1/log2(3) = 2.63093 (both relevant fit in 2 slots)
    # nDCG@2 = 0.47962
    assert ndcg_at_k(["d2", "d1", "d3"], QRELS_Q1, 2) == pytest.approx(0.47962, abs=1e-5)
    # k = 1 keeps d2 only: DCG@1 = 0 -> 0.
    assert ndcg_at_k(["d2", "d1", "d3"], QRELS_Q1, 1) == 0.0


def test_ndcg_perfect_and_swapped_ranking() -> None:
    # Perfect: d1 (grade 2) then d3 (grade 1) is the ideal ranking itself -> 1.0.
    assert ndcg_at_k(["d1", "d3", "d2"], QRELS_Q1, 10) == pytest.approx(1.0)
    # Swapped: DCG = 1/log2(2) + 2/log2(3) = 1 + 1.26186 = 2.26186; / 2.63093 = 0.85972
    assert ndcg_at_k(["d3", "d1"], QRELS_Q1, 10) == pytest.approx(0.85972, abs=1e-5)


def test_recall_at_k() -> None:
    # q1 has 2 relevant docs. Top 1 = [d2]: 0/2; top 2 = [d2, d1]: 1/2; top 10: 2/2.
    ranking = ["d2", "d1", "d3"]
    assert recall_at_k(ranking, QRELS_Q1, 1) == 0.0
    assert recall_at_k(ranking, QRELS_Q1, 2) == pytest.approx(0.5)
    assert recall_at_k(ranking, QRELS_Q1, 10) == pytest.approx(1.0)


def test_grade_zero_is_judged_not_relevant() -> None:
    qrels = {"d1": 1, "d2": 0}
    # d2 is judged but not relevant: recall counts only d1 as relevant (1 relevant in total),
    # MRR skips d2, and nDCG gives d2 no gain: DCG = 0 + 1/log2(3) = 0.63093; IDCG = 1.
    assert recall_at_k(["d2"], qrels, 10) == 0.0
    assert recall_at_k(["d2", "d1"], qrels, 10) == 1.0
    assert mrr_at_k(["d2", "d1"], qrels, 10) == pytest.approx(0.5)
    assert ndcg_at_k(["d2", "d1"], qrels, 10) == pytest.approx(1 / LOG2_3)


def test_mrr_at_k() -> None:
    # First relevant (d1) at rank 2 -> 1/2; at rank 1 -> 1.
    assert mrr_at_k(["d2", "d1", "d3"], QRELS_Q1, 10) == pytest.approx(0.5)
    assert mrr_at_k(["d3", "d1"], QRELS_Q1, 10) == 1.0
    # The only relevant document at rank 11 is outside the cut -> 0; recall@100 still finds it.
    ranking = [f"x{i}" for i in range(10)] + ["d4"]
    assert mrr_at_k(ranking, QRELS_Q2, 10) == 0.0
    assert recall_at_k(ranking, QRELS_Q2, 10) == 0.0
    assert recall_at_k(ranking, QRELS_Q2, 100) == 1.0


def test_no_relevant_retrieved_scores_zero() -> None:
    for ranking in (["d2", "d5"], []):
        assert ndcg_at_k(ranking, QRELS_Q1, 10) == 0.0
        assert recall_at_k(ranking, QRELS_Q1, 10) == 0.0
        assert mrr_at_k(ranking, QRELS_Q1, 10) == 0.0


def test_duplicate_passages_collapse_before_scoring() -> None:
    # Passages d2, d2, d1, d2, d3 are the documents d2, d1, d3: the same 0.66967 as above,
    # not a second gain for d1 or d2 holding two of the top slots.
    passages = ["d2", "d2", "d1", "d2", "d3"]
    assert ndcg_at_k(passages, QRELS_Q1, 10) == pytest.approx(
        ndcg_at_k(["d2", "d1", "d3"], QRELS_Q1, 10)
    )
    # With k = 2 the duplicate must not push d4 out: documents x, d4 -> recall 1/1, MRR 1/2.
    assert recall_at_k(["x", "x", "d4"], QRELS_Q2, 2) == 1.0
    assert mrr_at_k(["x", "x", "d4"], QRELS_Q2, 2) == pytest.approx(0.5)


def test_k_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ndcg_at_k(["d1"], QRELS_Q1, 0)


def test_evaluate_run_means_over_judged_queries() -> None:
    qrels = {"q1": QRELS_Q1, "q2": QRELS_Q2}
    run = {
        "q1": ["d2", "d1", "d3"],  # nDCG 0.66967 (above), recall 2/2, MRR 1/2
        "q2": ["d1", "d2", "d4"],  # nDCG = (1/log2(4)) / (1/log2(2)) = 0.5, recall 1/1, MRR 1/3
        "q9": ["d1"],  # not judged: ignored
    }
    # Means: nDCG (0.66967 + 0.5)/2 = 0.58484; recall 1; MRR (1/2 + 1/3)/2 = 0.41667
    result = evaluate_run(run, qrels)
    assert list(result) == ["ndcg@10", "recall@10", "recall@100", "mrr@10"]
    assert result["ndcg@10"] == pytest.approx(0.58484, abs=1e-5)
    assert result["recall@10"] == pytest.approx(1.0)
    assert result["recall@100"] == pytest.approx(1.0)
    assert result["mrr@10"] == pytest.approx(5 / 12)


def test_evaluate_run_counts_a_query_with_nothing_retrieved_as_zero() -> None:
    # q2 absent from the run scores 0 and still counts: nDCG (0.66967 + 0)/2 = 0.33484,
    # recall (1 + 0)/2 = 0.5, MRR (1/2 + 0)/2 = 0.25.
    result = evaluate_run({"q1": ["d2", "d1", "d3"]}, {"q1": QRELS_Q1, "q2": QRELS_Q2})
    assert result["ndcg@10"] == pytest.approx(0.33484, abs=1e-5)
    assert result["recall@10"] == pytest.approx(0.5)
    assert result["mrr@10"] == pytest.approx(0.25)
    # An empty list counts the same as a missing query.
    with_empty = {"q1": ["d2", "d1", "d3"], "q2": []}
    assert evaluate_run(with_empty, {"q1": QRELS_Q1, "q2": QRELS_Q2}) == result


def test_evaluate_run_perfect_run_scores_one() -> None:
    result = evaluate_run({"q1": ["d1", "d3"], "q2": ["d4"]}, {"q1": QRELS_Q1, "q2": QRELS_Q2})
    assert result == pytest.approx(dict.fromkeys(result, 1.0))


def test_evaluate_run_skips_queries_with_no_relevant_document() -> None:
    # q0 is judged but only with grade 0: it cannot be scored, so the mean is q2's alone.
    result = evaluate_run({"q2": ["d4"]}, {"q0": {"d1": 0}, "q2": QRELS_Q2})
    assert result["ndcg@10"] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        evaluate_run({}, {"q0": {"d1": 0}})
