"""What a question takes off, leaves out or counts in: "the rate before the government
reduction", "what we pay once the discount comes off", "pay before tax", "the price
excluding GST", "the insurance this year, levy included".

A bill, an invoice or a payslip lists the adjustment on a line of its own ("Less Energy
Savings Scheme discount: -$1,100.00", "CWELCC base fee reduction: -$46.00", "PAYE: £412").
That line shares the question's rarest words, so it outranks the line that answers (the
amount payable, the full-day rate, the gross pay). A reader knows the question names the
adjustment to say which figure it wants, not to ask for the adjustment itself: the line
that is only the adjustment is not the answer, while a total that names it ("Total after
discount", "Price excl. GST") still may be.
"""

from __future__ import annotations

import re

from assistant.evidence.records import Record
from assistant.evidence.text import content_stems

# A sum a paper takes off or adds on: discounts, rebates, taxes, fees, the excess.
_ADJUSTMENT = (
    r"discounts?|reductions?|rebates?|subsid(?:y|ies)|concessions?|credits?|tax(?:es)?|gst"
    r"|vat|hst|pst|deductions?|deductibles?|excess|levy|levies|surcharges?|fees?|charges?"
    r"|interest|allowances?|co-?pay(?:ment)?s?|contributions?"
)
# "before the government reduction", "once the discount comes off", "excluding GST", "net
# of fees", "without the levy": up to four words between the preposition and the sum.
_LEAVES_OUT = re.compile(
    r"\b(?:before|after|once|excluding|excl\.?|without|less|minus|net of|not counting"
    r"|not including|ex)\s+(?:(?!and\b|or\b)[\w'’-]+\s+){0,4}?"
    rf"(?P<sum>{_ADJUSTMENT})\b",
    re.IGNORECASE,
)
# "levy included", "including VAT", "inclusive of fees", "plus the booking fee": the
# total with the sum in it.
_COUNTS_IN = re.compile(
    rf"\b(?P<sum>{_ADJUSTMENT})\s+included\b|\b(?:including|incl\.?|inclusive of|plus)\s+"
    rf"(?:(?!and\b|or\b)[\w'’-]+\s+){{0,4}}?(?P<counted>{_ADJUSTMENT})\b",
    re.IGNORECASE,
)
# A line that names the adjustment and what remains after it: the total, not the sum off.
_WHAT_REMAINS = re.compile(
    r"\b(?:total|subtotal|net|payable|due|balance|after|before|incl\w*|excl\w*|gross|owing"
    r"|pay(?:ment)? amount)\b",
    re.IGNORECASE,
)


def adjusted_by(question: str) -> set[str]:
    """The stems of the sums the question takes off, leaves out or counts in, to say
    which total it asks for ({"reduct"} for "the daily rate before the government
    reduction", {"levy"} for "levy included"); empty for most questions."""
    named = [m["sum"] for m in _LEAVES_OUT.finditer(question)]
    named += [m["sum"] or m["counted"] for m in _COUNTS_IN.finditer(question)]
    return {stem for sum_ in named for stem in content_stems(sum_)}


def only_the_adjustment(record: Record | None, sums: set[str]) -> bool:
    """Whether a row's or field's label names one of `sums` and nothing that remains after
    it: the discount's own line, not "Total after discount"."""
    if record is None or not sums:
        return False
    label = record.label
    return bool(sums & set(content_stems(label))) and not _WHAT_REMAINS.search(label)
