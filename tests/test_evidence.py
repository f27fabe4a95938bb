"""Evidence first: sentences and facts of extracted text, what a question asks for, which
sentences answer it (with the real embedding model), and when the system abstains."""

from __future__ import annotations

import pytest
from report_text import ACCOUNTS, PRESS, passage

from assistant.evidence.abstain import answerable_score, features, should_abstain
from assistant.evidence.compose import compact_passages, extractive_answer, quote
from assistant.evidence.question import QuestionProfile, answer_type
from assistant.evidence.select import FEATURES, select_evidence
from assistant.evidence.text import has_date, has_number, names, numbers, split_sentences, stem


def test_wrapped_pdf_lines_join_and_a_heading_line_stands_alone() -> None:
    sentences = [s.text for s in split_sentences(PRESS)]
    assert sentences[0] == "The new cider press" and split_sentences(PRESS)[0].heading
    assert sentences[1].startswith("In September") and sentences[1].endswith("hiring one.")
    assert sentences[2].startswith("The committee chose a 90-litre")
    assert sentences[2].endswith("made by Severn Vale Presses of Gloucester.")
    assert sentences[3] == (
        "It was bought on 12 September 2025 for 3,275 pounds, most of it paid from the "
        "district council grant."
    )
    spans = split_sentences(PRESS)
    assert PRESS[spans[3].start : spans[3].end].startswith("It was bought")


def test_abbreviations_initials_and_decimals_do_not_end_a_sentence() -> None:
    text = "# Title\n\nDr. Smith met J. R. Tolkien in 1950. It cost 3.5 m. Next one?"
    title, *sentences = split_sentences(text)
    assert title.text == "Title" and title.heading
    assert [s.text for s in sentences] == [
        "Dr. Smith met J. R. Tolkien in 1950.",
        "It cost 3.5 m.",
        "Next one?",
    ]


def test_facts_figures_names_and_dates() -> None:
    assert numbers("It cost 3,275 pounds in 2025.") == {"3275", "2025"}
    assert names("Rollo swore fealty to King Charles III in 911.") >= {"rollo", "charles", "iii"}
    assert "the" not in names("The press. However, it works.")
    assert has_date("in the 10th century") and has_date("on 4 October") and not has_date("a press")
    assert has_number("twelve years") and not has_number("a few years")
    assert stem("costs") == stem("cost") == stem("costing")


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How much did the new cider press cost?", "amount"),
        ("How many members are there?", "amount"),
        ("When was the press bought?", "date"),
        ("And when's it due?", "date"),
        ("So when does the lease end?", "date"),
        ("In what year did the Normans arrive?", "date"),
        ("Who made the press?", "person"),
        ("Where does the press live?", "place"),
        ("What does a hydraulic press extract?", "other"),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question: str, kind: str) -> None:
    assert answer_type(question) == kind


def test_a_type_match_needs_something_the_question_does_not_already_give() -> None:
    profile = QuestionProfile.of("What happened in 2025?")
    assert profile.answer_type == "other"
    when = QuestionProfile.of("When did the orchard buy the press in 2025?")
    assert not when.type_match("The press came in 2025.")
    assert when.type_match("It was bought on 12 September 2025.")


def test_a_date_is_not_an_amount() -> None:
    """ "How much" wants an amount: the figures of "31 March" or "September 2025" date."""
    cost = QuestionProfile.of("How much does membership cost?")
    assert not cost.type_match("It runs until the following 31 March.")
    assert not cost.type_match("It was founded in September 2025.")
    assert cost.type_match("Bought on 12 September 2025 for 3,275 pounds.")
    assert cost.type_match("The yearly subscription is £24.")


def test_a_phone_number_is_not_an_amount() -> None:
    """A receipt's "Pharmacy: 614-555-0139" was quoted for how much the glasses were."""
    cost = QuestionProfile.of("How much were the reading glasses at the pharmacy?")
    assert not cost.type_match("Pharmacy: 614-555-0139")
    assert not cost.type_match("Call the surgery on 020 7946 0018.")
    assert cost.type_match("Reading glasses +2.00: $12.99")


def test_the_answering_sentence_ranks_first_and_is_quoted_with_its_page(embedder) -> None:  # type: ignore[no-untyped-def]
    passages = [passage(1, ACCOUNTS, 3, 0.45), passage(2, PRESS, 4, 0.55)]
    evidence = select_evidence("When was the new cider press bought?", passages, embedder.embed)
    assert evidence.best is not None and evidence.best.source == 2
    assert "September" in evidence.best.text
    assert not evidence.best.sentence.heading, "a heading names a topic, it answers nothing"
    assert set(evidence.best.features) == set(FEATURES)
    text, statements = extractive_answer(evidence)
    assert text.startswith('report2.pdf, page 4: "')
    assert "September" in text and "[2]" in text
    assert statements[0].supported and statements[0].citations == [2]


def test_a_heading_is_context_never_a_candidate(embedder) -> None:  # type: ignore[no-untyped-def]
    evidence = select_evidence("The new cider press", [passage(1, PRESS, 4)], embedder.embed)
    assert all(not c.sentence.heading for c in evidence.candidates)
    assert evidence.sentences[0][0].heading


def test_a_quote_of_a_sentence_that_says_it_carries_the_one_before(embedder) -> None:  # type: ignore[no-untyped-def]
    evidence = select_evidence(
        "For how much was the press bought?", [passage(1, PRESS, 4)], embedder.embed
    )
    best = next(c for c in evidence.candidates if c.text.startswith("It was bought"))
    assert quote(evidence, best).startswith('"The committee chose')


def test_compact_evidence_keeps_source_numbers_and_marks_gaps(embedder) -> None:  # type: ignore[no-untyped-def]
    passages = [passage(1, ACCOUNTS, 3), passage(2, PRESS, 4)]
    evidence = select_evidence("When was the new cider press bought?", passages, embedder.embed)
    kept, sources = compact_passages(evidence, 1)
    assert sources == [evidence.best.source]  # type: ignore[union-attr]
    assert len(kept[0].text) < len(passages[sources[0] - 1].text)
    assert evidence.best.text in kept[0].text  # type: ignore[union-attr]
    many, _ = compact_passages(evidence, 20)
    assert {p.path for p in many} == {p.path for p in passages}
    press = next(p for p in many if p.path == passages[1].path)
    assert press.text.startswith("The new cider press\nIn September"), "a heading is a line"


def test_abstention_features_see_a_name_the_evidence_lacks(embedder) -> None:  # type: ignore[no-untyped-def]
    passages = [passage(1, PRESS, 4)]
    asked = select_evidence("Who made the new cider press?", passages, embedder.embed)
    swapped = select_evidence("Who made the new Bramley juicer?", passages, embedder.embed)
    assert features(asked)["names_missing"] == 0.0
    assert features(swapped)["names_missing"] == 1.0
    assert answerable_score(swapped) < answerable_score(asked)
    assert should_abstain(swapped)


def test_no_passage_means_no_evidence(embedder) -> None:  # type: ignore[no-untyped-def]
    evidence = select_evidence("Anything?", [], embedder.embed)
    assert evidence.best is None and evidence.candidates == []
