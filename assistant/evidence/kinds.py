"""The kind of value a question asks for, finer than its answer type, and whether a unit of
evidence holds one: a person's papers answer "what number do I call" with a phone number,
"what dose" with milligrams, "which model" with a model number, "how long without hot
water" with hours. SQuAD's answer types (an amount, a date, a name) cannot tell a phone
number from the premium beside it; these can, and cost a few regular expressions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS_OF_TIME = r"(?:hours?|hrs?|days?|weeks?|months?|years?|minutes?|mins?)"
_UNITS_OF_SIZE = (
    r"(?:feet|foot|ft|inch(?:es)?|in\.|cm|mm|meters?|metres?|miles?|km|square feet|sq\.? ?ft"
    r"|acres?|lbs?|pounds|kg|gallons?|gal)"
)

# Each kind: what in a question asks for it, and what a value of it looks like.
_KINDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "phone": (
        re.compile(r"\b(?:phone|telephone|fax|call|dial|ring)\b", re.IGNORECASE),
        re.compile(r"\(\d{3}\)\s?\d{3}[\s.-]\d{4}\b|\b\d{3}[.-]\d{3}[.-]\d{4}\b|\b\d{3}-\d{4}\b"),
    ),
    "email": (
        re.compile(r"\be-?mail\b", re.IGNORECASE),
        re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b"),
    ),
    "dose": (
        re.compile(r"\b(?:dose|dosage|doses|milligrams?|mg)\b", re.IGNORECASE),
        re.compile(r"\b\d+(?:\.\d+)?\s?(?:mg|mcg|µg|ml|mL|IU|units?)\b"),
    ),
    "reference": (
        re.compile(
            r"\b(?:model|serial|vin|confirmation|reference|policy|account|member|claim|invoice"
            r"|order|case|tracking|medicare|licen[cs]e|registration|routing|part)"
            r"(?:\s+(?:number|no\.?|#|id|code))?\b|\b(?:number|no\.?|#|id|code)\b",
            re.IGNORECASE,
        ),
        # Letters and figures mixed ("AP40-G6-38", "HRC-58213-WT", "7EQ4-TR2-MK83"), or
        # figures in dashed groups ("25-0118-44721").
        re.compile(
            r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Z])[A-Z0-9]+(?:-[A-Za-z0-9]+)+\b"
            r"|\b[A-Z]{1,4}\d{3,}[A-Z0-9]*\b|\b\d+(?:-\d+){2,}\b|#\s?\d{3,}\b"
        ),
    ),
    # Not "percent": a report's table puts its % sign in the header, or nowhere.
    "percentile": (
        re.compile(r"\bpercentile\b", re.IGNORECASE),
        re.compile(r"\b\d{1,2}(?:st|nd|rd|th)\b", re.I),
    ),
    "duration": (
        re.compile(
            rf"\bhow long\b|\bhow many {_UNITS_OF_TIME}\b|\bhow much (?:notice|time)\b",
            re.IGNORECASE,
        ),
        re.compile(rf"\b\d+(?:\.\d+)?(?:\s?(?:-|to)\s?\d+)?\s+{_UNITS_OF_TIME}\b", re.I),
    ),
    "size": (
        re.compile(
            r"\bhow (?:tall|high|wide|long|deep|big|large|far|heavy)\b"
            r"|\b(?:height|width|length|size|weight|square footage)\b",
            re.IGNORECASE,
        ),
        re.compile(rf"\b\d+(?:[.,]\d+)?(?:\s?-\s?|\s)?{_UNITS_OF_SIZE}(?!\w)", re.I),
    ),
    "time": (
        re.compile(r"\bwhat time\b|\bat what hour\b|\bhow early\b|\bhow late\b", re.I),
        re.compile(r"\b\d{1,2}(?::\d\d)?\s?[AaPp]\.?[Mm]\b\.?|\b\d{1,2}:\d\d\b"),
    ),
}


@dataclass(frozen=True)
class ValueKinds:
    """The kinds of value one question asks for (often none)."""

    asked: tuple[str, ...]

    @classmethod
    def of(cls, question: str) -> ValueKinds:
        return cls(tuple(k for k, (asks, _) in _KINDS.items() if asks.search(question)))

    def held(self, text: str) -> bool | None:
        """Whether `text` holds a value of a kind asked for; None when none is asked."""
        if not self.asked:
            return None
        return any(_KINDS[k][1].search(text) for k in self.asked)
