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
from assistant.retrieve.labels import label_forms
from assistant.retrieve.rerank import by_coverage, coverage, idf_weights
from assistant.retrieve.versions import set_aside
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
    yield from _indexed(
        tmp_path_factory,
        {
            "bvcu_checking_4471_2025-02.csv": FEBRUARY,
            "bvcu_savings_9020_2025-02.csv": SAVINGS,
            "lender_letter.md": LETTER,
        },
    )


def _indexed(
    tmp_path_factory: pytest.TempPathFactory, files: dict[str, str]
) -> Iterator[Retriever]:
    """A retriever over a real index of `files` (name: text) written to a folder."""
    docs = tmp_path_factory.mktemp("papers")
    for name, text in files.items():
        (docs / name).write_text(text, encoding="utf-8")
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


AGREEMENT = (
    "# Supply agreement {year}\n\n"
    "Agreement No. PMS-{year}-01 between Prairie Mill Supply Co. and Hearth & Honey Bakery, "
    "made on March 1, {year}.\n\n"
    "## Delivery\n\nThe supplier will deliver on {day} only, between 6 and 10 in the morning.\n\n"
    "## Payment\n\nThe buyer will pay each invoice within {net} days.\n\n"
    "## Signatures\n\nSigned by both parties on the date first written above.\n"
)
LABELLED = {
    # A paper's label for what a question asks in other words.
    "field_trip_letter.txt": (
        "Dear families,\n\nOur fourth graders visit the nature preserve on April 17.\n\n"
        "  Departure:  8:45 AM from the school loop\n  Return:     2:30 PM\n"
    ),
    "mortgage_statement.txt": (
        "Account information\n\nOutstanding principal balance: $277,110.03\n"
        "Interest rate: 3.875% fixed\n"
    ),
    "loan_schedule.txt": "The final payment of $630.77 is due 09/05/2028.\n",
    "hoa_request.txt": (
        "Request to the HOA\n\n- Height: 5 feet\n- Material: cedar, the back fence\n"
    ),
    "yeast_results.csv": "Sugar,10 min,40 min\n1 tsp,5.5 cm,23.0 cm\n2 tsp,8.0 cm,29.5 cm\n",
    # Papers that share the question's own words and answer nothing.
    "chores.md": (
        "# Chores\n\n- Leave the bins out on Tuesday night.\n- Last bus pass top-up: $30.\n"
        "- We still owe Grandma a thank-you card for the house plant.\n"
        "- The payment for the tall bookcase went through; the fence paint is in the shed.\n"
        "- 1 teaspoon of fish food, 40 minutes after the lights go on.\n"
    ),
}


@pytest.fixture(scope="module")
def papers(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[Retriever]:  # type: ignore[no-untyped-def]
    """Two versions of one supply agreement and papers whose labels answer in other words
    than the questions asked of them, as files."""
    versions = {
        f"prairie_mill_supply_agreement_{year}.md": AGREEMENT.format(year=year, day=day, net=net)
        for year, day, net in (("2023", "Tuesdays", "30"), ("2025", "Wednesdays", "15"))
    }
    yield from _indexed(tmp_path_factory, {**versions, **LABELLED})


@pytest.mark.parametrize(
    ("question", "paper"),
    [
        ("When does the bus leave for the field trip?", "field_trip_letter.txt"),
        ("What do we still owe on the house?", "mortgage_statement.txt"),
        ("How much is the last payment?", "loan_schedule.txt"),
        ("How tall is the fence?", "hoa_request.txt"),
        ("How big was the balloon after 40 minutes with 1 teaspoon?", "yeast_results.csv"),
    ],
)
def test_a_question_finds_the_label_its_paper_uses(
    papers: Retriever, question: str, paper: str
) -> None:
    """ "leave" is a `Departure`, "still owe" a `balance`, "the last payment" the final
    one, "how tall" a `Height`, "teaspoon" `tsp`: the keyword side searches the label
    words beside the question's own, so the paper is found by its label, above the chore
    list that holds the question's words and answers nothing."""
    assert _names(papers, question, mode="keyword")[0] == paper
    assert paper in _names(papers, question)


def test_label_words_by_hand() -> None:
    assert label_forms("When does the bus leave?", ["bus", "leave"]) == {
        "leave": ["departure", "depart"]
    }
    # A measure's name only after "how": "the old contract" asks for no age.
    assert label_forms("How old is the roof?", ["old", "roof"]) == {"old": ["age"]}
    assert label_forms("the old contract", ["old", "contract"]) == {}
    # A form the question already holds is not added twice.
    assert label_forms("the balance we still owe", ["balance", "owe"]) == {
        "owe": ["outstanding"],
        "balance": ["bal"],
    }
    assert label_forms("2 tsp", ["2", "tsp"]) == {"tsp": ["teaspoon", "teaspoons"]}


@pytest.mark.parametrize(
    ("question", "year"),
    [
        ("What day does Prairie Mill deliver under the new agreement?", "2025"),
        ("What were the payment terms in the old Prairie Mill agreement?", "2023"),
        ("What day did Prairie Mill deliver under the 2023 agreement?", "2023"),
    ],
)
def test_the_version_a_question_names_is_searched(
    papers: Retriever, question: str, year: str
) -> None:
    """Two versions of one agreement read alike; "new" means the latest, "old" the
    earlier, a year the one of that year: the other version is left out, so its places
    go to the version meant."""
    other = {"2023": "2025", "2025": "2023"}[year]
    names = _names(papers, question)
    assert f"prairie_mill_supply_agreement_{year}.md" in names
    assert f"prairie_mill_supply_agreement_{other}.md" not in names


def test_versions_set_aside_by_hand() -> None:
    paths = ["/d/agreement_2023.docx", "/d/agreement_2025.docx", "/d/letter.txt"]
    assert set_aside("the new agreement", paths) == {"/d/agreement_2023.docx"}
    assert set_aside("the previous agreement", paths) == {"/d/agreement_2025.docx"}
    assert set_aside("the 2023 agreement", paths) == {"/d/agreement_2025.docx"}
    # A measure, a comparison of both, a date that chooses, or no version word: nothing.
    assert set_aside("how old is the agreement", paths) == set()
    assert set_aside("what changed from the old to the new agreement", paths) == set()
    assert set_aside("the current agreement, as of March", paths) == set()
    assert set_aside("the agreement", paths) == set()
    # "Previous" of three or more is no one version; "latest" is.
    three = ["/d/bill_2025-01.pdf", "/d/bill_2025-02.pdf", "/d/bill_2025-03.pdf"]
    assert set_aside("the previous bill", three) == set()
    assert set_aside("the latest bill", three) == set(three[:2])
    # Names that differ in more than figures are not versions; nor are names with no year.
    assert set_aside("the new card", ["/d/card_nora_2025.pdf", "/d/card_theo_2024.pdf"]) == set()
    assert set_aside("the new unit", ["/d/unit_4.pdf", "/d/unit_7.pdf"]) == set()
