"""What a question asks for: its content words, the names and figures it mentions, and the
kind of answer it expects ("how much" an amount, "when" a date, "who" a name)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.evidence.kinds import PHONE_NUMBER
from assistant.evidence.text import content_stems, has_date, has_number, names, numbers, words
from ingest.dates import without_dates

# The words that shape a question without naming its topic.
_QUESTION_WORDS = frozenset(
    [
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "much",
        "many",
        "kind",
        "type",
        "sort",
        "name",
        "named",
        "called",
        "did",
        "does",
        "do",
        "was",
        "were",
        "is",
        "are",
    ]
)
# "What's the surcharge if we pay by card?": a fee, price or the like named as the thing
# asked for (the head of its phrase) is a sum of money.
SUM_ASKED = re.compile(
    r"\bwhat(?:'s|’s|\s+is|\s+was|\s+are|\s+were|\s+will\s+be)\s+"
    r"(?:the|a|an|our|my|your|his|her|their|its)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:fees?|surcharges?|prices?|costs?|premiums?|fares?|tolls?|rent|deductible|"
    r"co-?pay|tuition|salary|wages?)"
    r"(?=\s*(?:[?,]|$)|\s+(?:if|for|of|on|in|at|to|from|per|each|when|with|after|"
    r"before|under|by|this|that|we|i|you|they|he|she|it)\b)",
    re.IGNORECASE,
)
# "What does it cost", "What did we pay", "What did the stall bring in": the verb asks a
# sum; not the noun ("What does the cost of revenue comprise?", "What did the pay rise
# do?").
WHAT_COSTS = re.compile(
    r"^\s*what (?:did|does|do|will|would|should) (?!(?:the )?(?:cost|charge|pay)\b)"
    r".*\b(?<!the )(?<!of )(?:cost|charge|pay|(?:bring|take|earn|make) in)\b(?! of\b)",
    re.IGNORECASE,
)
_TYPES: list[tuple[str, re.Pattern[str]]] = [
    (
        "date",
        re.compile(
            r"^\s*(?:(?:and|so|but|then),?\s+)?when\b|\bwhen['’]s\b"
            r"|\bwhen (?:did|was|were|is|are|does|do|will|had|has)\b"
            r"|\bwhat (?:year|century|decade|date|month|day|time period|period|era)\b"
            r"|\bwhich day\b"
            r"|\b(?:in|by|since|until) (?:what|which) (?:year|century|decade|month)\b"
            r"|\bhow long ago\b",
            re.IGNORECASE,
        ),
    ),
    (
        "amount",
        re.compile(
            r"\bhow (?:many|much|long|far|old|large|big|tall|high|often|fast|deep|wide|heavy)\b"
            r"|\bwhat (?:percentage|percent|proportion|amount|number|fraction|share|size|"
            r"price|cost|sum|total|rate|age)\b|"
            + SUM_ASKED.pattern
            # "What did the water cost us?", "What will we pay the plumber?": the verb.
            + "|"
            + WHAT_COSTS.pattern,
            re.IGNORECASE,
        ),
    ),
    (
        "person",
        re.compile(r"\bwho(?:m|se)?\b|\b(?:what|which) (?:person|people|man|woman)\b", re.I),
    ),
    (
        "place",
        re.compile(
            r"\bwhere\b|\b(?:what|which|in what|in which) (?:country|city|town|region|place|"
            r"state|continent|area|location|island|county|province)\b",
            re.IGNORECASE,
        ),
    ),
]
ANSWER_TYPES = ("date", "amount", "person", "place", "other")


# "What day is the bin collected?", "Which day do the kids swim?": a day of the week
# answers as a date does (written out: "wed" and "sat" are words too).
_DAY_ASKED = re.compile(r"\b(?:what|which) day\b(?! of the month)", re.IGNORECASE)
WEEKDAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b", re.IGNORECASE)


@dataclass(frozen=True)
class QuestionProfile:
    text: str
    stems: tuple[str, ...]  # content words, stemmed, question words out
    names: frozenset[str]
    numbers: frozenset[str]
    answer_type: str  # one of ANSWER_TYPES

    @classmethod
    def of(cls, question: str) -> QuestionProfile:
        stems = [s for s in content_stems(question) if s not in _QUESTION_WORDS]
        if not stems:  # a question of question words only still has a topic
            stems = content_stems(question)
        return cls(
            question,
            tuple(stems),
            frozenset(n for n in names(question) if n not in _QUESTION_WORDS),
            frozenset(numbers(question)),
            answer_type(question),
        )

    @property
    def asks_day(self) -> bool:
        """Whether a day of the week would answer ("What day is the bin collected?")."""
        return bool(_DAY_ASKED.search(self.text))

    def type_match(self, text: str) -> bool:
        """Whether `text` holds something of the expected kind that the question does not
        already name: the answer must be new to it."""
        if self.answer_type == "date":
            if self.asks_day and WEEKDAY.search(text):
                return True
            return has_date(text) and not _only_known(numbers(text), self.numbers)
        if self.answer_type == "amount":  # "31 March", "614-555-0139" hold no amount
            figures = PHONE_NUMBER.sub(" ", without_dates(text))
            return has_number(figures) and not _only_known(numbers(figures), self.numbers)
        if self.answer_type in ("person", "place"):
            return bool(names(text) - self.names - _lowered(self.text))
        return False


def answer_type(question: str) -> str:
    for name, pattern in _TYPES:
        if pattern.search(question):
            return name
    return "other"


def _only_known(found: set[str], known: frozenset[str]) -> bool:
    return bool(found) and found <= known


def _lowered(text: str) -> set[str]:
    return {w.lower() for w in words(text)}
