"""Recall and order on a household's kind of papers, over a real index of real files:
a paper found by the words of its name, an agent noun finding its activity ("plumber",
"PLUMBING"), passages ordered by how much of the question they hold; and the rules
behind them (forms, leaders, coverage) by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import library
from assistant.retrieve import Retriever, merge_neighbours
from assistant.retrieve.hybrid import lift_leaders
from assistant.retrieve.keyword import agent_forms
from assistant.retrieve.rerank import by_coverage, coverage, idf_weights
from assistant.settings import load_settings
from ingest.store.catalog import StoredChunk

ROWS = "Date,Description,Debit,Balance\n"
FEBRUARY = ROWS + (
    "02/03/2025,CEDAR GLEN POWER & GAS,344.16,6120.55\n"
    "02/14/2025,HARVEST FRESH MARKET,88.20,6032.35\n"
    "02/28/2025,CHECK #1186 KOWALSKI PLUMBING & HEATING,1940.00,4092.35\n"
)
SAVINGS = ROWS + ("02/03/2025,TRANSFER IN,0.00,12000.00\n02/28/2025,INTEREST PAID,0.00,12011.40\n")
LETTER = (
    "# Loan payments\n\n"
    "Write your loan number on every check you mail to us. A check without a number is "
    "applied late. We take checks, money orders and bank transfers; the number to use is "
    "on the first page of your statement. Use the number of the loan, not of the check.\n"
)


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[Retriever]:  # type: ignore[no-untyped-def]
    """A bank export for February, a savings export and a lender's letter, as files."""
    docs = tmp_path_factory.mktemp("papers")
    (docs / "bvcu_checking_4471_2025-02.csv").write_text(FEBRUARY, encoding="utf-8")
    (docs / "bvcu_savings_9020_2025-02.csv").write_text(SAVINGS, encoding="utf-8")
    (docs / "lender_letter.md").write_text(LETTER, encoding="utf-8")
    data = tmp_path_factory.mktemp("index")
    settings = load_settings(config_file=data / "none.toml", environ={}, data_dir=data)
    library.ingest(settings, [docs])
    found = library.open_retriever(settings)
    yield found
    found.index.close()


def _names(retriever: Retriever, query: str, mode: str = "hybrid") -> list[str]:
    return [Path(p.path).name for p in retriever.search(query, k=3, mode=mode).passages]


def test_a_paper_is_found_by_the_words_of_its_name(retriever: Retriever) -> None:
    """No row says "checking" or "February" (the letter says "check" five times): the
    February checking export is named so, and is the first passage."""
    assert _names(retriever, "checking February", mode="keyword")[0] == (
        "bvcu_checking_4471_2025-02.csv"
    )
    assert _names(retriever, "What was the checking balance at the end of February?")[0] == (
        "bvcu_checking_4471_2025-02.csv"
    )


def test_a_keyword_search_keeps_the_order_of_its_scores(tmp_path: Path) -> None:
    """Coverage orders a hybrid search, weighed against the cosine; a keyword search has
    no cosine, and coverage alone put a long page that names a rare word once, beside a
    common one, above the short note about that rare word (SciFact's keyword nDCG@10 fell
    from 0.693 to 0.663)."""
    docs = tmp_path / "notes"
    docs.mkdir()
    (docs / "zebra.md").write_text("# Zebra\n\nZebra zebra zebra: the zebra crossing.\n")
    filler = " ".join(
        f"The quokka pen {n} needs its gate checked and its water changed." for n in range(12)
    )
    (docs / "rounds.md").write_text(f"# Rounds\n\n{filler} A zebra was seen once.\n")
    for n in range(8):
        (docs / f"pen{n}.md").write_text(f"# Pen {n}\n\nThe quokka in pen {n} ate well.\n")
    settings = load_settings(
        config_file=tmp_path / "none.toml", environ={}, data_dir=tmp_path / "d"
    )
    library.ingest(settings, [docs])
    found = library.open_retriever(settings)
    try:
        assert _names(found, "zebra quokka", mode="keyword")[0] == "zebra.md"
    finally:
        found.index.close()


def test_the_plumber_is_found_as_plumbing(retriever: Retriever) -> None:
    """Porter keeps "plumber" whole and stems "plumbing" to "plumb": the keyword side
    searches the agent's activity too, so the row is found by keyword alone."""
    assert _names(retriever, "plumber", mode="keyword") == ["bvcu_checking_4471_2025-02.csv"]
    assert _names(retriever, "plumbers", mode="keyword") == ["bvcu_checking_4471_2025-02.csv"]
    assert _names(retriever, "Kowalski's plumbing", mode="keyword")[0] == (
        "bvcu_checking_4471_2025-02.csv"
    )


def test_agent_forms_by_hand() -> None:
    assert agent_forms("plumber") == ["plumberer", "plumberor", "plumberr", "plumb", "plumbe"]
    assert agent_forms("plumb") == ["plumber", "plumbor", "plumbr"]
    assert agent_forms("teacher")[-2:] == ["teach", "teache"]
    # A root shorter than five letters is often another word: "cent", "late".
    assert "cent" not in agent_forms("center") and "late" not in agent_forms("later")
    assert agent_forms("owe") == [] and agent_forms("4471") == []


def test_each_list_leader_is_among_the_first_k() -> None:
    fused = [(i, 1.0 / n) for n, i in enumerate("abcdefg", 1)]
    lifted = lift_leaders(fused, [["a", "b"], ["g", "a"]], leaders=1, k=3)
    assert [i for i, _ in lifted] == ["a", "b", "g", "c", "d", "e", "f"]
    assert lift_leaders(fused, [["g"]], leaders=0, k=3) == fused
    assert lift_leaders(fused, [["b"]], leaders=1, k=3) == fused  # already there


def _chunk(doc: int, idx: int, start: int, end: int, text: str, page: int = 1) -> StoredChunk:
    return StoredChunk(f"{doc}:{idx}", f"/d/{doc}.pdf", doc, idx, page, page, (), start, end, text)


def test_passages_are_ordered_by_the_share_of_the_question_they_hold() -> None:
    """The passage holding the rare words (payee, month) goes first although fusion and
    its cosine put it second; a common word counts little."""
    letter = merge_neighbours([(_chunk(1, 0, 0, 9, "check..."), 0.03, 0.50)], k=1)[0]
    row = merge_neighbours([(_chunk(2, 0, 0, 9, "KOWALSKI"), 0.02, 0.40)], k=1)[0]
    weights = idf_weights({"check": 40, "kowalski": 1, "february": 3, "absent": 0}, 100)
    assert set(weights) == {"check", "kowalski", "february"}
    held = {"1:0": {"check"}, "2:0": {"check", "kowalski", "february"}}
    assert coverage(row, held, weights) == pytest.approx(1.0)
    assert coverage(letter, held, weights) < 0.2
    assert by_coverage([letter, row], held, weights) == [row, letter]
    # Without a word held, the cosine decides; equal scores keep the fused order.
    assert by_coverage([row, letter], {}, weights) == [letter, row]
    assert by_coverage([letter, letter], held, {}) == [letter, letter]
