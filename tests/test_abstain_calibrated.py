"""The combiner's features read as a person reads the question (issue 23, point 4): a
negation inside a condition is not what is asked; a fee or surcharge named as the thing
asked for is a sum; and the kind of unit that would be quoted (a row or field, or a
sentence of prose) is a feature of its own, as the two are scored on different scales.
The passages are written in the readers' layout; the embedding model is the real one."""

from __future__ import annotations

from assistant.evidence.abstain import asks_negated, features
from assistant.evidence.question import QuestionProfile, answer_type
from assistant.evidence.select import select_evidence
from assistant.retrieve import Passage

WILL = """Summary of the Will and Advance Directives of Harold Moss
Executor: Janet Louise Whitaker-Moss
Health care agent: Janet Louise Whitaker-Moss
Harold wishes to be buried beside his wife at Cedar Glen Cemetery.
If Harold is unable to make medical decisions, his health care agent decides for him.
"""
TAX = """Delmont County Property Tax Bill 2024
Ways to pay
Pay online by e-check at no charge.
Payments by credit or debit card carry a 2.35% convenience fee charged by the processor.
"""


def passage(path: str, text: str, score: float, doc_id: int) -> Passage:
    return Passage(path, doc_id, 0, 0, 1, 1, (), text, 0, len(text), score, 0.1)


def test_a_negation_inside_a_condition_is_not_what_is_asked(embedder) -> None:  # type: ignore[no-untyped-def]
    assert asks_negated("Which vaccines are not due this year?")
    assert asks_negated("Who does not sign the lease, if anyone?"), "the main clause negates"
    assert not asks_negated("Who makes health care decisions for Dad if he can't?")
    assert not asks_negated("What happens to the policy unless we don't renew?")
    passages = [passage("/docs/harold_will_summary.docx", WILL, 0.6, 1)]
    asked = select_evidence(
        "Who makes health care decisions for Dad if he can't?", passages, embedder.embed
    )
    assert features(asked)["negation"] == 0.0
    negated = select_evidence(
        "Who never makes health care decisions for Dad?", passages, embedder.embed
    )
    assert features(negated)["negation"] == 1.0, "the paper holds no negation"


def test_a_fee_named_as_the_thing_asked_for_is_a_sum() -> None:
    question = "What's the surcharge if we pay the property tax with a credit card?"
    assert answer_type(question) == "amount"
    assert answer_type("What is the late fee?") == "amount"
    assert answer_type("What were the tuition costs for the fall term?") == "amount"
    assert answer_type("What is the fee structure?") == "other", "a fee names no sum here"
    assert answer_type("What does the cost of revenue comprise?") == "other"
    profile = QuestionProfile.of(question)
    assert profile.type_match("a 2.35% convenience fee charged by the processor")
    assert not profile.type_match("Pay online by e-check at no charge.")


def test_what_a_thing_costs_or_what_was_paid_asks_a_sum() -> None:
    assert answer_type("What does Ruby's geography excursion cost?") == "amount"
    assert answer_type("What did the water we actually used cost us this quarter?") == "amount"
    assert answer_type("What will we pay the plumber once the discount comes off?") == "amount"
    assert answer_type("What did the pay rise do to her pension?") == "other"
    assert answer_type("When did we pay the water bill?") == "date"


def test_the_surcharge_question_finds_its_sum_and_reads_as_asking_one(embedder) -> None:  # type: ignore[no-untyped-def]
    question = "What's the surcharge if we pay the property tax with a credit card?"
    passages = [passage("/docs/delmont_property_tax_bill_2024.pdf", TAX, 0.6, 1)]
    values = features(select_evidence(question, passages, embedder.embed))
    assert values["asks_amount"] == 1.0 and values["type_match"] == 1.0


def test_the_unit_kind_is_a_feature(embedder) -> None:  # type: ignore[no-untyped-def]
    """A form field quoted for the agent, a sentence of prose for the burial."""
    fields, prose = WILL.split("Harold wishes")
    agent = select_evidence(
        "Who is Harold's health care agent?",
        [passage("/docs/harold_will_summary.docx", fields, 0.6, 1)],
        embedder.embed,
    )
    assert agent.candidates[0].sentence.record is not None
    assert features(agent)["record"] == 1.0
    burial = select_evidence(
        "Where does Harold want to be buried?",
        [passage("/docs/harold_will_summary.docx", "Harold wishes" + prose, 0.6, 1)],
        embedder.embed,
    )
    assert burial.candidates[0].sentence.record is None
    assert features(burial)["record"] == 0.0
