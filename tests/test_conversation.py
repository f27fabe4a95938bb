"""Follow-up rewriting (the rule, the model, the choice between them) and saved conversations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.conversation import (
    Conversation,
    ConversationStore,
    Exchange,
    SavedSource,
    is_follow_up,
    prefer_own_words,
    rewrite_by_rule,
    standalone_query,
)
from assistant.evidence.compose import extractive_answer
from assistant.evidence.select import select_evidence
from assistant.models import can_rewrite
from assistant.models.base import Message
from tests.test_evidence_units import written


class ReplyBackend:
    """Answers every chat with one fixed reply: stands in for a model that rewrites."""

    def __init__(self, reply: str, name: str = "ollama", model: str = "llama3.1:8b") -> None:
        self.reply, self.name, self.model = reply, name, model
        self.calls: list[list[Message]] = []

    context_tokens = 8192

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def stream_chat(
        self, messages: list[Message], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        self.calls.append(messages)
        yield from self.reply.split(" ")[:1] + [" " + w for w in self.reply.split(" ")[1:]]

    def list_models(self) -> list[str]:
        return [self.model]

    def check(self) -> None:
        """Always ready."""


def talk(*questions: str) -> Conversation:
    conversation = Conversation()
    for q in questions:
        conversation.add(Exchange(q, f"answer to {q}", q))
    return conversation


@pytest.mark.parametrize(
    "question",
    [
        "and the second one?",
        "What about pears?",
        "Who looks after them?",
        "why?",
        "and its price",
        "What about the comprehensive deductible on that car?",
        "So how much is left for us to pay on that bill, and by when?",
        "What percentile is that?",
        "what about the other one?",
    ],
)
def test_follow_ups_are_recognised(question: str) -> None:
    assert is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    [
        "When is the right time to prune the plum and cherry trees?",
        "How much does it cost an adult to join the orchard each year?",
        "Who is the landlord of my flat?",
        "What is the rent?",
    ],
)
def test_stand_alone_questions_are_not_follow_ups(question: str) -> None:
    assert not is_follow_up(question)


def test_the_rule_carries_the_previous_topic() -> None:
    query = rewrite_by_rule("and the second one?", ["Which apple varieties grow in the orchard?"])
    assert query == "and the second one? apple varieties grow orchard"


def test_the_rule_carries_what_the_last_question_was_about_not_what_it_asked() -> None:
    """ "much left pay" carried into "And when is it due?" searches for the balance again:
    the follow-up asks its own thing of the cottage."""
    query = rewrite_by_rule(
        "And when does that have to be paid by?", ["How much is left to pay on the cottage?"]
    )
    assert query == "And when does that have to be paid by? cottage"
    query = rewrite_by_rule("And who runs it?", ["What does Ruby's geography trip cost?"])
    assert query == "And who runs it? ruby geography trip"
    query = rewrite_by_rule(
        "And when's it due?", ["How much do we owe the county for the second half of the tax?"]
    )
    assert query == "And when's it due? county second half tax", "which half it was about"


def test_a_follow_up_naming_its_own_time_drops_the_last_ones() -> None:
    """ "At the start of the year" asks of another time than "the end of March": carried,
    "march" would pick March's line again. A follow-up naming no time keeps it."""
    previous = ["How much is in Jen's 401(k) as of the end of March?"]
    query = rewrite_by_rule("And what was it at the start of the year?", previous)
    assert query == "And what was it at the start of the year? jen 401"
    query = rewrite_by_rule("What about May?", ["How much board did Derek pay in April 2025?"])
    assert query == "What about May? how much board derek pay"
    query = rewrite_by_rule("And the water autopay?", ["How much went to CPS Energy in March?"])
    assert query == "And the water autopay? how much went cps energy march"


TAX_UNITS = """Taxing unit,Appraised value,Exemptions,Taxable value,Rate per $100,Tax
Northside ISD,"361,210","100,000","261,210",1.018200,"$2,659.64"
City of San Antonio,"361,210",,"361,210",0.541590,"$1,956.28"
Bexar County,"361,210",,"361,210",0.276331,$998.14
"""


def test_a_follow_up_that_changes_a_qualifier_asks_what_the_last_one_asked(  # type: ignore[no-untyped-def]
    embedder, tmp_path: Path
) -> None:
    """ "What about the city's share?" after "How much of our property tax goes to
    Northside ISD?" asks how much again: the city's Tax cell, not its taxable value. The
    carried "much" alone said no sum was asked."""
    bill = written(tmp_path, "bexar_county_property_tax_2024.csv", TAX_UNITS)
    previous = ["How much of our property tax goes to Northside ISD?"]
    question = "What about the city's share?"
    query = rewrite_by_rule(question, previous)
    assert query == "What about the city's share? how much property tax goes northside isd"
    evidence = prefer_own_words(question, select_evidence(query, [bill], embedder.embed))
    assert "$1,956.28" in extractive_answer(evidence)[0].split(" [1]")[0]
    # One asking its own thing asks that, not the last question's.
    assert rewrite_by_rule("And when is it due?", previous) == (
        "And when is it due? property tax northside isd"
    )


VACCINES = """Greenbank Animal Hospital - Vaccination record

Patient: Juniper
Species: Canine
Owner: Priya Marchetti
Rabies (3-year): Given 2024-09-18, next due 2027-09-18
Rabies tag number: 24-R-3318
DHPP (distemper, parvovirus): Given 2024-09-18, next due 2025-09-18
Bordetella (kennel cough): Given 2025-01-22, next due 2026-01-22
Lyme disease: Given 2024-05-06, next due 2025-05-06
Veterinarian: Dr. Anneke Vos
"""


def test_a_follow_up_that_changes_a_qualifier_is_answered_by_its_own_words(  # type: ignore[no-untyped-def]
    embedder, tmp_path: Path
) -> None:
    """ "And her rabies one?" is searched with the last question's words ("juniper lyme
    shot"), which other lines hold; the line holding the follow-up's own word answers it.
    A follow-up asking its own thing ("And when was it given?") keeps its order."""
    record = written(tmp_path, "juniper_vaccination_record.txt", VACCINES)
    previous = ["When does Juniper's Lyme shot run out?"]
    question = "And her rabies one?"
    evidence = select_evidence(rewrite_by_rule(question, previous), [record], embedder.embed)
    assert "Rabies" not in evidence.candidates[0].text, "the search's words lead elsewhere"
    evidence = prefer_own_words(question, evidence)
    assert evidence.candidates[0].text.startswith("Rabies (3-year)")
    question = "And when was it given?"
    evidence = select_evidence(rewrite_by_rule(question, previous), [record], embedder.embed)
    first = evidence.candidates[0]
    assert prefer_own_words(question, evidence).candidates[0] is first


def test_the_rule_leaves_a_stand_alone_question_alone() -> None:
    question = "When is the right time to prune the plum and cherry trees?"
    assert rewrite_by_rule(question, ["Which apple varieties grow here?"]) == question
    assert rewrite_by_rule("and pears?", []) == "and pears?"


def test_a_short_stand_alone_question_is_never_padded_with_the_last_topic() -> None:
    """Issue 23: "Who is the landlord of my flat?" after the flights was searched as
    "... landlord of my flat? return flight time lisbon leave"."""
    question = "Who is the landlord of my flat?"
    conversation = talk("What time does the return flight from Lisbon leave?")
    assert standalone_query(question, conversation, mode="rule") == question


def test_the_rule_carries_a_topic_across_a_chain_of_follow_ups() -> None:
    conversation = talk("Where are the beehives kept?")
    second = standalone_query("who looks after them?", conversation, mode="rule")
    conversation.add(Exchange("who looks after them?", "Ann.", second))
    third = standalone_query("and on weekends?", conversation, mode="rule")
    assert "beehives" in second and "beehives" in third


def test_a_capable_model_rewrites_and_a_tiny_one_does_not() -> None:
    big = ReplyBackend("pruning time for cherry trees")
    conversation = talk("When are plum trees pruned?")
    assert standalone_query("and cherries?", conversation, big) == "pruning time for cherry trees"
    assert "When are plum trees pruned?" in big.calls[0][1].content
    tiny = ReplyBackend("nonsense", name="llamacpp", model="SmolLM2-135M-Instruct.Q4_1.gguf")
    assert (
        standalone_query("and cherries?", conversation, tiny)
        == "and cherries? when plum trees pruned"
    )
    assert tiny.calls == []
    assert not can_rewrite(ReplyBackend("", model="qwen2.5:0.5b"))
    assert can_rewrite(ReplyBackend("", model="llama3.1:8b"))


def test_an_unusable_model_rewrite_falls_back_to_the_rule() -> None:
    conversation = talk("When are plum trees pruned?")
    blank = ReplyBackend("   ")
    assert standalone_query("and cherries?", conversation, blank, mode="model") == (
        "and cherries? when plum trees pruned"
    )


def test_history_is_bounded_and_skips_stopped_answers() -> None:
    conversation = talk(*[f"question {i}" for i in range(10)])
    conversation.exchanges[-1].stopped = True
    history = conversation.history(turns=3)
    assert [t.question for t in history] == ["question 6", "question 7", "question 8"]
    assert conversation.history(turns=0) == []


def test_save_list_load_delete(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    assert store.list() == []
    first = talk("Where are the beehives kept?")
    first.exchanges[0].sources.append(
        SavedSource(
            1, "/docs/beekeeping-notes.txt", None, None, "Hives", 0.61, "By the wall.", True
        )
    )
    path = store.save(first)
    assert path.stat().st_mode & 0o777 == 0o600
    second = talk("How much is membership?")
    second.updated = first.updated + 10
    store.save(second)
    listed = store.list()
    assert [c.id for c in listed] == [second.id, first.id]
    assert listed[1].title == "Where are the beehives kept?" and listed[1].exchanges == 1
    loaded = store.load(first.id)
    assert loaded == first
    assert store.delete(first.id) and not store.delete(first.id)
    assert [c.id for c in store.list()] == [second.id]


def test_a_broken_file_is_skipped_and_ids_cannot_escape(data_dir: Path) -> None:
    store = ConversationStore(data_dir)
    store.save(talk("How much is membership?"))
    (store.folder / "broken.json").write_text("{not json")
    assert len(store.list()) == 1
    with pytest.raises(ValueError):
        store.load("../../etc/passwd")
    saved = json.loads(next(store.folder.glob("2*.json")).read_text())
    assert saved["exchanges"][0]["question"] == "How much is membership?"
