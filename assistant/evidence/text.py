"""Sentences, words and facts of plain text: what evidence, questions and claims are made of.

Extracted PDF text wraps lines mid-sentence and puts headings on a line of their own, so a
line break is a space unless the line is a short one with no closing punctuation (a
heading, a title): then it stands alone. A table row or a form field (a line such as
`Pension | This period: £96.10` or `Policy number: GS-1184`) stands alone too, as one
unit with its record: it is read by its labels, not as a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.evidence.abbreviations import ends_no_sentence
from assistant.evidence.records import Record, parse_record
from assistant.retrieve import STOPWORDS
from ingest.dates import MONTHS


@dataclass(frozen=True)
class Sentence:
    text: str  # whitespace collapsed, for display and matching
    start: int  # character offsets in the text it was split from
    end: int
    heading: bool = False  # a title line: context for its neighbours, never an answer
    record: Record | None = None  # the table row or form field the line holds
    item: bool = False  # an item of a bulleted or numbered list


# A sentence ends at . ! ? (and closing quotes or brackets) before white space and a
# capital, a digit or an opening quote.
_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_LINE = re.compile(r"[^\n]+")
# A list item's marker: "- ", "* ", "• ", "1. ", "2) " (a checkbox "[ ]" after it is part of it).
_ITEM = re.compile(r"^\s*(?:[-*•●▪◦–]|\d{1,2}[.)])\s+(?:\[[ xX]?\]\s+)?(?=\S)")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_HEADING_LINE_CHARS = 60


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text`, with their offsets; a heading line (Markdown's, or a short
    line in extracted PDF text) is one sentence marked as a heading."""
    found: list[Sentence] = []
    for start, end, kind in _blocks(text):
        if kind == "heading":
            _add(found, text, start, end, heading=True)
            continue
        item = kind == "item"
        # An item's wrapped lines are one line ("- Length: about 186 feet, with one\n gate").
        one_line = item or "\n" not in text[start:end].strip()
        record = parse_record(text[start:end]) if one_line else None
        if record is not None:
            _add(found, text, start, end, record=record, item=item)
            continue
        block = text[start:end]
        cut = 0
        for match in _END.finditer(block):
            if ends_no_sentence(block, match.start()):
                continue
            _add(found, text, start + cut, start + match.end(), item=item)
            cut = match.end()
        _add(found, text, start + cut, end, item=item)
    return found


def _blocks(text: str) -> list[tuple[int, int, str]]:
    """Spans of running text (paragraphs, split further at heading lines), of headings and
    of list items (an item, with the lines it wraps onto, starts a span of its own: a
    letter's "- Height: 5 feet" is one fact, not the middle of a sentence), each with its
    kind: "text", "heading" or "item" (an item's span starts after its marker)."""
    spans: list[tuple[int, int, str]] = []
    position = 0
    # Wrapped lines (PDF) and whole paragraphs (Word, HTML) are both much longer than a title.
    longest = max((len(line.strip()) for line in text.splitlines()), default=0)
    for paragraph in [*_PARAGRAPH.split(text)]:
        p_start = text.index(paragraph, position) if paragraph else position
        position = p_start + len(paragraph)
        lines = [(m.start() + p_start, m.end() + p_start) for m in _LINE.finditer(paragraph)]
        run: tuple[int, str] | None = None  # where the open span starts, and its kind

        def close(at: int) -> None:
            nonlocal run
            if run is not None:
                spans.append((run[0], at, run[1]))
                run = None

        for n, (s, e) in enumerate(lines):
            line = text[s:e].strip()
            if not line:
                continue
            after = text[lines[n + 1][0] : lines[n + 1][1]].strip() if n + 1 < len(lines) else ""
            marker = _ITEM.match(text[s:e])
            if marker is not None:
                close(s)
                run = (s + marker.end(), "item")
                continue
            if run is not None and run[1] == "item" and text[s] in " \t":
                continue  # an item wrapped onto an indented line
            if parse_record(line) is not None and not _wraps(line, after):
                close(s)
                spans.append((s, e, "text"))
                continue
            if line.startswith("#") or _is_heading_line(line, longest):
                close(s)
                marks = len(line) - len(line.lstrip("#"))
                spans.append((text.index(line, s) + marks, e, "heading"))
                continue
            if run is None:
                run = (s, "text")
        close(position)
    return spans


def _wraps(line: str, after: str) -> bool:
    """A line that runs on into the next ("Reading support: Theo meets her on Tuesdays,"
    then "9:10-9:40 AM."): prose wrapped at a colon, not a field of its own."""
    return line.endswith((",", ";")) or after[:1].islower()


# A sum written with its currency, sign or code ("£41.00", "EUR 65.00"). A title names a
# thing, it does not state what it costs ("Price after the minimum term £41.00 a month");
# a table's cell holding one is a sum (assistant/evidence/structure.py).
SUM = re.compile(r"[$£€¥]\s?\d|\b(?:EUR|USD|GBP|CAD|AUD|NZD)\s?\d")


def _is_heading_line(line: str, longest: int) -> bool:
    """A short line without closing punctuation, clearly shorter than the wrapped lines,
    that states no sum."""
    if line[-1] in ".!?:;,\"'”’)" or SUM.search(line):
        return False
    return len(line) <= _HEADING_LINE_CHARS and len(line) < 0.7 * max(longest, 1)


def _add(
    found: list[Sentence],
    text: str,
    start: int,
    end: int,
    heading: bool = False,
    record: Record | None = None,
    item: bool = False,
) -> None:
    raw = text[start:end]
    flat = " ".join(raw.split())
    if len(flat) < 2 or not any(ch.isalnum() for ch in flat):
        return
    lead = len(raw) - len(raw.lstrip())
    trail = len(raw) - len(raw.rstrip())
    found.append(Sentence(flat, start + lead, end - trail, heading, record, item))


# -- words ---------------------------------------------------------------------------------

# An ordinal written in figures is one word ("1st", which "first" is too: see `stem`).
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:['’][a-z]+)?|\d+(?:st|nd|rd|th)\b|\d+(?:[.,]\d+)*")
_SUFFIXES = (
    "ational", "ization", "fulness", "iveness", "ations", "ingly", "ments", "ities", "ation",
    "ness", "ment", "ance", "ence", "able", "ible", "ings", "edly", "ing", "ied", "ers", "est",
    "ed", "er", "ly",
)  # fmt: skip
# What must be left of a word before these: "insurance" and "insure", "allowance" and
# "allow" meet, "balance" and "science" stay whole; "payable" is "pay", "deductible"
# "deduct", "taxable" "tax" (the amount payable is what "what will we pay" asks).
_SHORTEST_BEFORE = {"ance": 4, "ence": 4}
_SIBILANT_PLURAL = re.compile(r"(?:ss|x|z|ch|sh)es$")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


_MONTH_SHORT = {
    "jan": "january", "feb": "february", "mar": "march", "apr": "april", "jun": "june",
    "jul": "july", "aug": "august", "sep": "september", "sept": "september",
    "oct": "october", "nov": "november", "dec": "december",
}  # fmt: skip
# The irregular past of the verbs papers state money with: "what did the plan pay" is the
# column "Plan paid".
_IRREGULAR = {"paid": "pay", "spent": "spend", "sold": "sell", "bought": "buy"}
# An ordinal is one word however it is written: "the first-half taxes" are the row "1st
# half 2024", "the second quarter" the column "2nd quarter".
ORDINALS = {
    "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
    "sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
}  # fmt: skip


def stem(word: str) -> str:
    """A light suffix stripper: 'costs', 'costing' and 'cost' meet; 'bought' and 'buy' do
    not (the embedding model sees those), but 'paid' and 'pay' do. A month's short name
    is its name: a table's "Jul 2024" row is what "July 2024" asks for; "first" is
    "1st"."""
    w = word.lower().replace("’", "'")
    w = _MONTH_SHORT.get(w) or ORDINALS.get(w) or _IRREGULAR.get(w, w)
    if w.endswith("'s"):
        w = w[:-2]
    if w[:1].isdigit():
        return w.replace(",", "")
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif _SIBILANT_PLURAL.search(w):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        w = w[:-1]
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= _SHORTEST_BEFORE.get(suffix, 3):
            w = w[: -len(suffix)]
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning, in order, each once."""
    kept = [stem(w) for w in words(text) if w.lower() not in STOPWORDS and len(w) > 1]
    return list(dict.fromkeys(kept))


# -- facts: what a claim may not invent ------------------------------------------------

NUMBER_WORDS = frozenset(
    [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "thousand",
        "million",
        "billion",
        "trillion",
        "half",
        "dozen",
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
    ]
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_YEAR = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b|\b\d{1,2}(?:st|nd|rd|th)\b|\b\d0s\b")
# Words written with a capital that say nothing by being capitalised.
_NOT_NAMES = STOPWORDS | {"i", "yes", "no", "however", "also", "although", "according"}


def numbers(text: str) -> set[str]:
    """Figures as written without thousands separators: '3,275' and '3275' are one."""
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def has_number(text: str) -> bool:
    lowered = text.lower()
    return bool(_NUMBER.search(text)) or any(w in NUMBER_WORDS for w in words(lowered))


def has_date(text: str) -> bool:
    return bool(_YEAR.search(text)) or any(_is_month(w) for w in words(text))


# Months that are also verbs ("sprinklers may run", "march on") are months only written
# with a capital.
_VERB_MONTHS = frozenset({"may", "march"})


def _is_month(word: str) -> bool:
    lowered = word.lower()
    return lowered in MONTHS and (word[:1].isupper() or lowered not in _VERB_MONTHS)


def names(text: str) -> set[str]:
    """Capitalised words other than capitalised common words: the names, places and titles
    a claim may not make up, lower-cased. A sentence's first word counts too (a claim often
    starts with its subject); a common word there only asks for a word the evidence has."""
    return {
        token.lower()
        for token in words(text)
        if token[:1].isupper() and token.lower() not in _NOT_NAMES | MONTHS | NUMBER_WORDS
    }
