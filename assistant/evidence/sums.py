"""Whether a question asks for a sum of money, and what a sum looks like on any paper:
read by the unit choice (assistant/evidence/select.py), which prefers a unit holding a
sum for such a question, and by the checks on the unit quoted (assistant/evidence/
money.py), which need the evidence."""

from __future__ import annotations

import re

from assistant.evidence.kinds import RATE_KINDS, ValueKinds
from assistant.evidence.question import WHAT_COSTS

# "How much ..." asks for money with one of these ("How much is the fee", "How much did we
# pay"); "What does it cost" with a verb of these. Not a bare "What is the service cost?":
# a report's question asks what a cost is made of as often as what it came to.
_MONEY_WORDS = re.compile(
    r"\b(?:price|prices|cost|costs|costing|fee|fees|fare|fares|premium|premiums|deductible|"
    r"rent|salary|salaries|wage|wages|copay|co-pay|toll|tuition|pay|pays|paid|paying|charge|"
    r"charges|charged|charging|spend|spends|spent|spending|owe|owes|owed|earn|earns|earned|"
    r"worth|interest)\b"
    # What a business or a sale brought in is a sum too ("How much did the fair bring in?").
    r"|\b(?:bring|brings|brought|bringing|take|takes|took|taken|taking) in\b"
    # ... and what leaves an account or a pay ("How much comes out each month for the
    # condo insurance?", "How much do they take off for the pension?").
    r"|\b(?:come|comes|came|coming|go|goes|went|going|take|takes|took|taken|taking) (?:out|off)\b",
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


def holds_sum(text: str, headings: str = "") -> bool:
    """Whether a unit, read under its headings ("Fees" over "£24 a year"), holds a sum."""
    return bool(MONEY.search(f"{headings} {text}"))


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
    # A rate asked "per hour" is still a sum.
    finer = set(ValueKinds.of(question).asked) - {"reference"} - RATE_KINDS
    if answer_type in ("date", "person", "place") or finer or MONEY.search(question):
        return False
    if WHAT_COSTS.search(question) or _WHAT_IS_SUM.search(question):
        return True
    return bool(_HOW_MUCH.search(question) and _MONEY_WORDS.search(question))
