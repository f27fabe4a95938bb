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

import re

from assistant.evidence.kinds import ValueKinds
from assistant.evidence.question import WHAT_COSTS
from assistant.evidence.select import Candidate, Evidence
from assistant.evidence.topic import topic_words, uncovered

# "How much ..." asks for money with one of these ("How much is the fee", "How much did we
# pay"); "What does it cost" with a verb of these. Not a bare "What is the service cost?":
# a report's question asks what a cost is made of as often as what it came to.
_MONEY_WORDS = re.compile(
    r"\b(?:price|prices|cost|costs|costing|fee|fees|fare|fares|premium|premiums|deductible|"
    r"rent|salary|salaries|wage|wages|copay|co-pay|toll|tuition|pay|pays|paid|paying|charge|"
    r"charges|charged|charging|spend|spends|spent|spending|owe|owes|owed|earn|earns|earned|"
    r"worth)\b",
    re.IGNORECASE,
)
_HOW_MUCH = re.compile(r"\bhow much\b", re.IGNORECASE)
# What a sum of money looks like in any paper.
MONEY = re.compile(
    r"[$£€¥₹]|\b\d+\.\d\d\b|\b\d{1,3}(?:,\d{3})+\b|%|"
    r"\b(?:dollars?|cents?|pounds?|euros?|usd|gbp|eur|cad|aud|thousand|million|billion|"
    r"percent|free|no charge|no cost|waived)\b",
    re.IGNORECASE,
)


# "What's Dad's deductible this year?": a sum named last, after "the" or whose; not "What
# is Tax Fees?" (what a line of a report means) nor "the cost of revenue" (what it holds).
_WHAT_IS_SUM = re.compile(
    r"^\s*what(?:'s|’s| is| was| are| were| will be) (?:the|our|my|your|his|her|their|its|"
    r"[\w-]+(?:'s|’s)) (?:[\w-]+ ){0,5}?(?:fee|fees|premium|premiums|deductible|rent|price|"
    r"cost|salary|wage|fare|toll|tuition|copay)(?: (?:this|last|next|per|each|a) \w+)?\s*\?\s*$",
    re.IGNORECASE,
)


def asks_money(question: str, answer_type: str) -> bool:
    """Whether the question asks for a sum of money: how much is paid, spent, charged or
    what a fee comes to, what something costs ("What did rye flour cost?"), or what the
    fee, premium or rent is ("What's Dad's deductible this year?"); not where
    it gives one ("which pay period does the $1,698.48 deposit cover" asks for the
    period), nor where it asks for a date, a person, a place or a finer kind (a duration,
    a size, a phone number; a paper's reference words, "claim", "policy", "Part A", name
    what the money is for)."""
    finer = set(ValueKinds.of(question).asked) - {"reference"}
    if answer_type in ("date", "person", "place") or finer or MONEY.search(question):
        return False
    if WHAT_COSTS.search(question) or _WHAT_IS_SUM.search(question):
        return True
    return bool(_HOW_MUCH.search(question) and _MONEY_WORDS.search(question))


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
    """The unit, read under its headings ("Fees" over "£24 a year"), holds a sum."""
    return bool(MONEY.search(f"{evidence.headings(candidate)} {candidate.text}"))
