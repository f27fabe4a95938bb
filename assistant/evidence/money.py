"""A question about money against the unit that would be quoted for it.

"How much does a guest pass for the pool cost?" finds "Each household may bring up to 4
guests at a time": the scores see an amount asked and a figure held, and the words match.
A reader sees that no sum of money is there: four is a count of guests, "617" a street
number, "(614) 555-0163" a phone number. A price, a fee, a wage or what was paid is said
as money: with a currency sign or word, in cents ("62.18"), in thousands ("1,048"), as a
share ("5%"), or as free. So a question that asks what something costs or what was paid,
quoted with a unit (under its headings) holding none of these, is not answered by it
(assistant/evidence/abstain.py). The other way, a unit that holds a sum and every word of
what the question is about answers it where the combiner barely doubts: "Your 2025 Part B
premium is $185.00 per month" for "How much is Harold's Part B premium this year?".
"""

from __future__ import annotations

from assistant.evidence.select import Candidate, Evidence
from assistant.evidence.sums import asks_money, holds_sum
from assistant.evidence.topic import topic_words, uncovered


def money_missing(evidence: Evidence) -> bool:
    """Whether the question asks for money and the chosen (first) unit, read under its
    headings, holds no sum of money."""
    if not evidence.candidates:
        return False
    question = evidence.question
    if not asks_money(question.text, question.answer_type):
        return False
    return not _holds_money(evidence, evidence.candidates[0])


def money_answered(evidence: Evidence) -> bool:
    """Whether the question asks for money and the chosen (first) unit holds a sum, and,
    under its headings and its file's name, every topic word of the question in some form
    (assistant/evidence/topic.py)."""
    if not evidence.candidates:
        return False
    question = evidence.question
    if not asks_money(question.text, question.answer_type) or not topic_words(question.text):
        return False
    return holds_sum_and_topic(evidence, evidence.candidates[0])


def holds_sum_and_topic(evidence: Evidence, candidate: Candidate) -> bool:
    """Whether the unit holds a sum and, under its headings and its file's name, every
    topic word of the question in some form."""
    if not _holds_money(evidence, candidate):
        return False
    return not uncovered(evidence, candidate, evidence.window_under_headings(candidate))


def _holds_money(evidence: Evidence, candidate: Candidate) -> bool:
    return holds_sum(candidate.text, evidence.headings(candidate))
