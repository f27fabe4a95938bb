"""Which paper, by a word of its name (issue 23, point 4): "the car insurance" beside a
contents policy and a pet insurance certificate, "the water bill" where only electricity
bills are kept.

The papers are the household2 fixture's files as they are on disk, each under its own
title as the Markdown reader gives it; the embedding model is the real one; the answer
goes through `answer_stream`, as `assistant ask` does."""

from __future__ import annotations

from pathlib import Path

from qa_files import ask_about

from assistant.answer import answer_stream
from assistant.evidence.abstain import should_abstain
from assistant.evidence.compose import ABSTAIN_ANSWER
from assistant.evidence.named import named_papers, naming_words, unknown_papers, unnamed
from assistant.evidence.select import select_evidence
from assistant.evidence.which import prefer_matching
from assistant.retrieve import Passage

DOCS = Path(__file__).parent / "fixtures" / "household2" / "docs"
CAR = DOCS / "harbour_mutual_car_insurance_2025.md"
CONTENTS = DOCS / "oakline_contents_insurance_2024.md"
PET = DOCS / "pawsure_pet_insurance_2025.md"
APRIL = DOCS / "brightwave_electricity_bill_2025-04.md"
MAY = DOCS / "brightwave_electricity_bill_2025-05.md"


def passage(path: Path, doc_id: int, score: float) -> Passage:
    """The file's first section (what its title says, before the first "## " heading) as
    one passage under its title (a Markdown H1), as the Markdown reader cuts it."""
    whole = path.read_text(encoding="utf-8")
    title = whole.splitlines()[0].lstrip("# ").strip()
    text = whole.split("\n## ")[0].split("\n", 1)[1].strip()
    return Passage(str(path), doc_id, 0, 0, None, None, (title,), text, 0, len(text), score, 0.1)


def policies() -> list[Passage]:
    """The policies' first sections, the contents policy retrieved first."""
    return [passage(CONTENTS, 1, 0.62), passage(CAR, 2, 0.60), passage(PET, 3, 0.58)]


def test_a_paper_is_named_by_a_kind_and_the_words_before_it() -> None:
    assert named_papers("How much is the paperless discount on the van's policy?") == [
        ("van's policy", "policy", ["van"])
    ]
    assert named_papers("How much does our umbrella liability policy cost?") == [
        ("umbrella liability policy", "policy", ["liability", "umbrella"])
    ]
    assert named_papers("When is the bill due?") == [], "a kind alone names no paper"
    assert named_papers("What was the strep test billed at?") == [], "billed is no bill"
    assert named_papers("How much notice is in the new contract?") == [], "which, not whose"
    assert named_papers("What's the deductible on our homeowners insurance?") == [
        ("homeowners insurance", "policy", ["homeown"])
    ], "an insurance is a policy"
    assert named_papers("What late fee is charged if Dad's bill is paid late?") == [], "kin"
    assert named_papers("What was due on the May 2025 bill?") == [], "a date is no name"


def test_the_paper_the_question_names_by_a_word_of_its_name_answers(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Through `assistant eval-qa` on the three policies and the two bills as files: the
    contents policy's "Period of insurance" reads most like "when does the insurance run
    out", the car's schedule is the paper the question names."""
    lines = [
        {"id": "car", "q": "When does the car insurance run out?", "golds": ["2 March 2026"],
         "file": CAR.name, "kind": "text"},
        {"id": "pet", "q": "What is the excess on the pet insurance?", "golds": ["£99"],
         "file": PET.name, "kind": "text"},
        {"id": "buildings", "q": "What is the excess on the buildings insurance?", "golds": [],
         "kind": "unanswerable-near-miss"},
        {"id": "water", "q": "How much is the water bill?", "golds": [],
         "kind": "unanswerable-absent"},
    ]  # fmt: skip
    rows = ask_about(cli, tmp_path, (CAR, CONTENTS, PET, APRIL, MAY), lines)
    assert rows["car"]["contains_gold"] and rows["car"]["cited_right_file"], rows["car"]["answer"]
    assert rows["car"]["answer"].startswith("Period of cover: 3 March 2025"), rows["car"]["answer"]
    assert rows["pet"]["answer"].startswith("Excess for each condition: £99"), rows["pet"]["answer"]
    assert rows["buildings"]["abstained"], rows["buildings"]["answer"]
    assert rows["water"]["abstained"], rows["water"]["answer"]


def test_a_paper_of_a_kind_kept_but_named_otherwise_is_declined(embedder) -> None:  # type: ignore[no-untyped-def]
    """The contents policy says "The building is insured by your landlord": a line of a
    paper is not its name, so it is no buildings insurance."""
    car = select_evidence("When does the car insurance run out?", policies(), embedder.embed)
    assert naming_words(car) == {"car"}, "insurance names all three papers: it tells none"
    lacking = {car.passages[c.source - 1].path: unnamed(car, c) for c in car.candidates}
    assert lacking[str(CONTENTS)] == ["car"] and lacking[str(CAR)] == [], lacking
    assert unknown_papers(car) == []
    question = "What is the excess on the buildings insurance?"
    evidence = select_evidence(question, policies(), embedder.embed)
    assert unknown_papers(evidence) == ["buildings insurance"]
    assert should_abstain(prefer_matching(evidence))
    answer = answer_stream(question, evidence, None, embed=embedder.embed, mode="extractive")
    assert answer.finish().text == ABSTAIN_ANSWER

    bills = [passage(MAY, 1, 0.55), passage(APRIL, 2, 0.54)]
    water = select_evidence("How much is the water bill?", bills, embedder.embed)
    assert unknown_papers(water) == ["water bill"]
    assert should_abstain(prefer_matching(water))


def test_a_paper_named_as_it_is_called_or_in_other_words_is_not_declined(embedder) -> None:  # type: ignore[no-untyped-def]
    bills = [passage(MAY, 1, 0.55), passage(APRIL, 2, 0.54)]
    for question in (
        "What was the total due on the May 2025 electricity bill?",
        "What was the total due on the May 2025 energy bill?",  # the title's word
        "How much was the May 2025 power bill?",  # other words, close in meaning
    ):
        evidence = select_evidence(question, bills, embedder.embed)
        assert unknown_papers(evidence) == [], question
    pet = select_evidence("What is the excess on the pet insurance?", policies(), embedder.embed)
    assert unknown_papers(pet) == []
