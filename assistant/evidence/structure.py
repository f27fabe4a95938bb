"""Choosing the cell of a table row (or the value of a form field) that a question asks for,
and quoting it with what identifies it: "what did the pension cost this period" is the
cell whose row says Pension and whose column says This period.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from assistant.evidence.kinds import ValueKinds, attributes_asked
from assistant.evidence.question import QuestionProfile
from assistant.evidence.records import Cell, Record
from assistant.evidence.text import SUM, content_stems, has_date, has_number, numbers
from ingest.dates import calendar_dates, date_spans, names_date, without_dates
from ingest.tables import CELL_SEPARATOR

# A question that compares cells ("which year was higher?") is answered by showing them.
# "Which years ..." and "In which year was it largest?" are answered the same way: the
# row's cells with their headers.
_LISTS_COLUMNS = re.compile(
    r"\b(?:which|what) (?:\w+ )?(?:years|months|quarters|periods|dates)\b", re.IGNORECASE
)
_COMPARES = re.compile(
    r"\b(?:which|what) (?:year|month|quarter|period|one)\b|\bcompare[ds]?\b|\bversus\b|\bvs\.?\b"
    r"|\b(?:higher|lower|more|less|larger|smaller|greater|bigger|increase[ds]?|decrease[ds]?)\b"
    r"|\b(?:highest|lowest|largest|smallest|greatest|biggest|exceed(?:s|ed)?)\b",
    re.IGNORECASE,
)
# "2019 to 2017", "2017 through 2019", "2017-2019": a span of years, a few at most.
_YEAR_SPAN = re.compile(r"\b((?:19|20)\d\d)\s*(?:to|through|-|–)\s*((?:19|20)\d\d)\b")
_MAX_SPAN = 5
# "How much of the April payment goes toward principal?": a part of a whole.
_PART_OF = re.compile(
    r"\b(?:how much|what (?:part|share|portion|proportion|amount)) of (?P<whole>.+?)\s+"
    r"(?:is|was|are|were|goes|went|will go|go)\b(?P<part>.+)",
    re.IGNORECASE,
)
# "the January 2028 payment", "the payment due June 5": the noun a date is attached to.
_DETERMINERS = frozenset(["the", "my", "our", "his", "her", "their", "this", "that", "your"])
_DATING = frozenset(["due", "on", "of", "for", "dated", "from"])
# ... unless that noun heads what the question asks for, after other nouns that say which
# ("What was the gas meter reading on 05/09/2024?": "gas meter" picks the row with the
# date, and "reading" is the column asked for).
_WHAT_WAS_THE = (
    r"^\s*(?:what|which)(?:'s|’s|\s+(?:is|was|are|were))\s+(?:the|my|our|his|her|their|your)"
    r"\s+(?:[\w-]+\s+){1,3}"
)
_ASKED_HEAD = re.compile(_WHAT_WAS_THE + r"[\w-]+$", re.IGNORECASE)
# The noun phrase a "what was the ..." question asks for, up to where it is placed in time
# or said of something: its last word is the thing asked (the column), the words before it
# say which (the row): "the gas meter reading on 05/09/2024" asks for a Reading.
_ASKED_PHRASE = re.compile(
    _WHAT_WAS_THE + r"(?P<head>[\w-]+)"
    r"(?=\s+(?:on|for|due|of|dated|from|in|at|this|last|next)\b|\s*\?|\s*$)",
    re.IGNORECASE,
)
# A question for the rows of a table, not one value: "What financial items are listed in
# the table?", "What are the components of total revenue?", "What does X consist of?".
_LISTS_ROWS = re.compile(
    r"\b(?:which|what)\b.*\b(?:items|components|types|kinds|categories|segments|countries|"
    r"regions|currencies|products|services|lines)\b.*?\b(?:listed|shown|included|presented|"
    r"in the table|are there|under|of|consists?|making|make|made)\b"
    r"|\b(?:what|which)\b.*\b(?:consists? of|comprises?|made up of|make up|making up)\b",
    re.IGNORECASE,
)
# "Which month had the biggest custom cake sales?", "the most expensive currency".
_SUPERLATIVE = re.compile(
    r"\b(?:which|what)\b.*\b(?:highest|lowest|largest|smallest|greatest|biggest|most|least)\b",
    re.IGNORECASE,
)
_RESPECTIVE = re.compile(r"\brespective(?:ly)?\b", re.IGNORECASE)
# A row whose label says it adds up the others is no component of them.
_TOTAL = re.compile(r"^(?:total|sub-?total|net total)\b|\btotals?$", re.IGNORECASE)


_MONEY = re.compile(r"[$£€¥]\s?\d|\d\s?%|\b\d+\.\d\d\b")
# "25-0118-44721", "GS-1184", "****4471": an identifier holds figures but is no amount.
_IDENTIFIER = re.compile(r"\b\d+(?:-\d+){2,}\b|\b[A-Za-z]{1,5}-\d|\*{2,}\d")
# A running balance says what is left after a row, not what the row moved: "how much did
# we spend at the market" is the Debit cell, though "Balance" is as close by meaning.
_BALANCE_HEADER = re.compile(r"\bbalance\b|\brunning total\b", re.IGNORECASE)
_ASKS_BALANCE = re.compile(
    r"\b(?:balance|left|remain\w*|owe[ds]?|owing|outstanding|still)\b", re.IGNORECASE
)
# A column that adds up the year so far ("Year to date" on a payslip) says what came out
# of every pay period to date, not this one: it answers only a question that asks for a
# cumulative figure.
_CUMULATIVE_HEADER = re.compile(r"\b(?:year|month|quarter)[- ]to[- ]date\b|\b[YMQ]TD\b", re.I)
_ASKS_CUMULATIVE = re.compile(
    r"\bto date\b|\b[YMQ]TD\b|\bso far\b|\bthis year\b|\byear's total\b|\bin total\b"
    r"|\bcumulative\b|\baltogether\b",
    re.IGNORECASE,
)
# A column of the finer kind asked for ("which check number": the Description holding
# "CHECK #1186", not the Debit) or of the kind the running balance is (what is left,
# owed), or whose header is the thing a "what was the gas meter reading" question asks
# for (`asked_head`), gains this much: about a header's meaning as close as 0.67.
KIND_CELL_WEIGHT = 2.0
# "How much of our council tax goes to the police?" asks for a sum: where a row holds one,
# its percentage cell ("Change on last year: 4.52%") does not answer, unless the question
# asks for a share or a change. A sum is written with its currency (text.SUM).
# "How much is Róisín's Irish book?" asks what it costs: where the row holds a sum, a cell
# holding none (the Book column's "Fuinneamh 5") is no answer, whatever its header shares
# with the question; so does "How much of our property tax goes to Northside ISD?" (its
# Tax cell, not its Taxable value), unless it asks for a share (`ASKS_SHARE`). Not a
# measure (kWh, litres: kinds.py).
_HOW_MUCH = re.compile(r"\bhow much\b", re.IGNORECASE)
# "The full cost", "the total", "altogether": the column that adds up the others.
_ASKS_WHOLE = re.compile(
    r"\b(?:full|total|whole|overall|altogether|all up|all-in|in all)\b", re.IGNORECASE
)
PERCENT = re.compile(r"\d\s?%")
# ... nor its tariff ("Standing charge | Rate: 76.33 c/day | Amount: €47.32"): a figure
# per day, unit, kWh or litre is asked for as a rate ("a day", "per unit": kinds.py).
_PER_UNIT = re.compile(
    r"\d\s*(?:[¢cp]|cents?|pence)?\s*(?:/|\bper\s+)\s*(?:days?|kwh|units?|hours?|nights?|"
    r"lit(?:re|er)s?|kl|l|m3|m³)\b",
    re.IGNORECASE,
)
ASKS_SHARE = re.compile(
    r"%|\bper ?cent|\bpercentage\b|\brate\b|\bshare\b|\bproportion\b|\bfraction\b|\bratio\b"
    r"|\bchange[ds]?\b|\bincrease[ds]?\b|\bdecrease[ds]?\b|\bgr[eo]w\w*|\brise\b|\brose\b"
    r"|\bfall\b|\bfell\b|\bdrop\w*",
    re.IGNORECASE,
)
# A paper addresses its reader: what the question calls "our" or "my" charge, the bill
# calls "Your charge", beside the band's or the scheme's own figure.
_READER_ASKS = re.compile(r"\b(?:our|my|we|us|i)\b", re.IGNORECASE)
_READER_HEADER = re.compile(r"^\s*your\b", re.IGNORECASE)
READER_CELL_WEIGHT = 1.0
HEADER_COSINE_WEIGHT = 3.0  # a header as close as 0.5 by meaning counts as 1.5 shared words
MAX_COLUMN_ROWS = 40  # a column compared down a table is shown for this many rows at most


def type_fit(profile: QuestionProfile, value: str) -> float:
    """How well a cell's value is the kind of thing asked for: for "how much", a sum of
    money or a share most, a plain figure less, an identifier or a word not at all."""
    if profile.answer_type == "date":
        return 1.0 if has_date(value) else -0.5
    if profile.answer_type == "amount":
        if _MONEY.search(value):
            return 1.0
        if _IDENTIFIER.search(value) or not has_number(without_dates(value)):
            return -1.0  # a claim number or a name answers no "how much"
        return 0.5
    return 0.0


def cell_scores(
    record: Record,
    profile: QuestionProfile,
    weights: Mapping[str, float],
    closeness: Sequence[float] | None = None,
) -> list[float]:
    """How well each cell's header matches what the question names: its words (weighted by
    rarity), its figures ("in 2019" picks the 2019 column), its meaning (`closeness`, the
    question's cosine to each header), and whether the value is the kind of thing asked
    for and not already in the question."""
    whole = row_naming(profile.text)
    asked = set(profile.stems) - whole
    asked_dates = calendar_dates(profile.text)
    balance_asked = bool(_ASKS_BALANCE.search(profile.text))
    cumulative_asked = bool(_ASKS_CUMULATIVE.search(profile.text))
    kinds = ValueKinds.of(profile.text)
    asked -= set(content_stems(kinds.rate_words(profile.text)))
    # The column a question names as what it asks for: "the gas meter reading on ...",
    # "how much interest did ..." (the Interest column, not the Loan repayment one).
    head = asked_head(profile.text) or asked_thing(profile.text)
    sum_asked = (
        profile.answer_type == "amount"
        and not ASKS_SHARE.search(profile.text)
        and any(SUM.search(c.value) for c in record.cells)
    )
    tariff_passed = sum_asked and not kinds.rates
    priced = sum_asked and not kinds.asked and bool(_HOW_MUCH.search(profile.text))
    whole_asked = bool(_ASKS_WHOLE.search(profile.text))
    reader = bool(_READER_ASKS.search(profile.text))
    attributes = attributes_asked(profile.text)
    scores = []
    for n, cell in enumerate(record.cells):
        header = set(content_stems(cell.header))
        score = sum(weights.get(t, 1.0) for t in asked & header)
        if head in header:
            score += KIND_CELL_WEIGHT
        score += 2.0 * len(profile.numbers & numbers(cell.header))
        score += type_fit(profile, cell.value)
        # A header that names the row ("Payment" in "how much of the payment is
        # interest?") is as close by meaning as the part, and is not what is asked.
        if closeness is not None and not (header and header <= whole):
            score += HEADER_COSINE_WEIGHT * closeness[n]
        # The question already says it ("the payment due June 5"): the answer is another cell.
        said = bool(numbers(cell.value)) and numbers(cell.value) <= profile.numbers
        if said or names_date(asked_dates, calendar_dates(cell.value)):
            score -= 2.0
        if _BALANCE_HEADER.search(cell.header):
            score += KIND_CELL_WEIGHT if balance_asked else -2.0
        if _CUMULATIVE_HEADER.search(cell.header) and not cumulative_asked:
            score -= 2.0
        if kinds.held(cell.value):
            score += KIND_CELL_WEIGHT
        if sum_asked and PERCENT.search(cell.value) and not SUM.search(cell.value):
            score -= KIND_CELL_WEIGHT
        if tariff_passed and _PER_UNIT.search(cell.value):
            score -= KIND_CELL_WEIGHT
        if priced and not SUM.search(cell.value):
            score -= KIND_CELL_WEIGHT
        if whole_asked and is_total(cell.header):
            score += KIND_CELL_WEIGHT
        if reader and _READER_HEADER.search(cell.header):
            score += READER_CELL_WEIGHT
        # The column the paper heads with what the question says in its own words
        # ("covered for": Limit; "take home": Net).
        if any(a.search(cell.header) for a in attributes):
            score += KIND_CELL_WEIGHT
        scores.append(score)
    return scores


# Nouns of quantity, not things: "how much money", "how much time".
_NO_THING = frozenset(["money", "time", "longer", "more", "less", "of"])
# Every figure is one of these, so as the last noun they say no column: "the
# Medicare-approved amount" is the Medicare approved column, not "Amount provider charged".
_GENERIC_HEADS = frozenset(
    ["amount", "amounts", "number", "figure", "value", "total", "sum", "date", "one", "thing"]
)


def asked_head(question: str) -> str | None:
    """The stem of the thing a "what was the X Y Z ..." question asks for, after the
    words that say which: "reading" in "the gas meter reading on 05/09/2024", where the
    Meter column matches a word too. None where the question has no such phrase."""
    match = _ASKED_PHRASE.match(question)
    stems = content_stems(match["head"]) if match else []
    return stems[-1] if stems and match["head"].lower() not in _GENERIC_HEADS else None


# "How much VAT was charged on the boiler service invoice?" asks for VAT: the noun after
# "how much" is the thing asked, the words after it say which paper. So is the noun of "how
# big was the deposit we paid ...", before the words that say which deposit.
_HOW_MUCH_THING = re.compile(
    r"^\s*how (?:much|many)\s+(?P<head>[a-z][\w-]*)\s+"
    r"(?:was|is|were|are|did|does|do|has|have|had|will|would|can|should)\b"
    r"|^\s*how (?:much|big|large|high|long|old)\s+(?:is|was|are|were)\s+"
    r"(?:the|our|my|his|her|their|your)\s+(?P<noun>[a-z][\w-]*)"
    r"(?=\s+(?:we|i|you|he|she|they|on|for|of|in|at|that|which|this|last|next)\b|\s*\?|\s*$)",
    re.IGNORECASE,
)


def asked_thing(question: str) -> str | None:
    """The stem of the thing a "how much X was ..." or "how big was the X ..." question
    asks for ("vat", "deposit"); None where it has no such phrase, or the noun is one
    every figure is ("how much money")."""
    match = _HOW_MUCH_THING.match(question)
    if match is None:
        return None
    noun = match["head"] or match["noun"]
    stems = content_stems(noun)
    if not stems or noun.lower() in _GENERIC_HEADS or noun.lower() in _NO_THING:
        return None
    return stems[0]


def plainly_labels(record: Record | None, thing: str | None, stems: set[str]) -> bool:
    """Whether a row's or field's label names the thing asked and nothing the question
    does not say: "the deposit" is `Deposit: £1,557.69`, not `Holding deposit: £311.53`
    (a kind of deposit the question does not ask about); figures in a label ("VAT at
    20%") say no other thing."""
    if record is None or thing is None:
        return False
    label = {t for t in content_stems(record.label) if not any(ch.isdigit() for ch in t)}
    return thing in label and label <= stems


def row_naming(question: str) -> set[str]:
    """The question's words that say which row, not which column: the whole in "how much
    of the payment is interest?" (the part, "interest", is the column), and the words
    beside a date ("the January 2028 payment", "the payment due June 5"), which name the
    row the date picks."""
    named: set[str] = set()
    match = _PART_OF.search(question)
    if match is not None:
        named |= set(content_stems(match["whole"])) - set(content_stems(match["part"]))
    for start, end in date_spans(question):
        before = question[:start].split()
        after = question[end:].split()
        if before and before[-1].lower() in _DETERMINERS and after:
            named |= set(content_stems(after[0]))  # "the January 2028 payment"
        if (
            len(before) > 1
            and before[-1].lower() in _DATING
            and not _ASKED_HEAD.match(" ".join(before[:-1]))
        ):
            named |= set(content_stems(before[-2]))  # "the payment due June 5"
    return named


def years_between(question: str) -> set[str]:
    """The years inside a span the question names ("fiscal years 2019 to 2017")."""
    found: set[str] = set()
    for first, last in _YEAR_SPAN.findall(question):
        low, high = sorted((int(first), int(last)))
        if high - low <= _MAX_SPAN:
            found |= {str(y) for y in range(low, high + 1)}
    return found


def compares(question: str) -> bool:
    return bool(_COMPARES.search(question) or _LISTS_COLUMNS.search(question))


def lists_columns(question: str) -> bool:
    """The question asks which columns a table has ("Which years does the table show?"):
    any of its rows, shown whole, answers."""
    return bool(_LISTS_COLUMNS.search(question))


def respective(question: str) -> bool:
    """ "What are the respective shares of Apple and Huawei?": two rows answer."""
    return bool(_RESPECTIVE.search(question))


def lists_rows(question: str) -> bool:
    """The question asks which rows a table has (its items, components, types), not for
    a value: the answer is their labels."""
    return bool(_LISTS_ROWS.search(question))


def ranked_column(
    record: Record,
    profile: QuestionProfile,
    weights: Mapping[str, float],
    closeness: Sequence[float] | None = None,
) -> Cell | None:
    """For "which month had the biggest custom cake sales?", the column whose rows are
    compared ("Custom cakes"): where the question is a superlative and names that column
    more than the row's label; None where it asks across one row ("in which year was
    revenue highest?" names the row, and its columns are the answer)."""
    if record.kind != "row" or len(record.cells) < 2 or not _SUPERLATIVE.search(profile.text):
        return None
    # Counted, not weighted by rarity: a header's words are in every row, and so are
    # rare among them. A year says which period, not which of the two is compared.
    asked = {t for t in profile.stems if not t.isdigit()}

    def named(text: str) -> int:
        return len(asked & set(content_stems(text)))

    scores = cell_scores(record, profile, weights, closeness)
    # The column the question names in words first ("custom cake sales" is "Custom
    # cakes" more than "Total sales"), then by the cell scores.
    best = max(range(len(scores)), key=lambda n: (named(record.cells[n].header), scores[n]))
    if named(record.cells[best].header) <= named(record.label):
        return None
    return record.cells[best]


def column_text(header: str, records: Sequence[Record]) -> str:
    """One column down the rows, `Custom cakes: January 2024: 410; February 2024: 395`:
    the cells a superlative compares, side by side."""
    shown = [
        f"{r.label}: {c.value}"
        for r in records[:MAX_COLUMN_ROWS]
        for c in r.cells
        if c.header == header and r.label and not is_total(r.label)
    ]
    return f"{header}: " + "; ".join(shown)


def is_total(label: str) -> bool:
    """A row that adds up the others ("Total", "Subtotal", "Total due")."""
    return bool(_TOTAL.search(label))


def row_labels(records: Sequence[Record]) -> list[str]:
    """The labels a listing names: each row's once, in order, totals left out (unless the
    rows are all totals)."""
    labels = list(dict.fromkeys(r.label for r in records if r.label))
    parts = [label for label in labels if not is_total(label)]
    return parts or labels


def chosen_cells(
    record: Record,
    profile: QuestionProfile,
    weights: Mapping[str, float],
    closeness: Sequence[float] | None = None,
) -> list[Cell]:
    """The cell(s) that answer: the best-matching one; every tied one, or the whole row
    when the question compares (its cells side by side are the answer)."""
    if len(record.cells) == 1:
        return list(record.cells)
    if compares(profile.text):
        return list(record.cells)
    # "in 2019 and 2018", "at the end of Q1 and Q2", "for 2019 to 2017": each column the
    # question names.
    asked = profile.numbers | years_between(profile.text)
    named = [c for c in record.cells if asked & numbers(c.header)]
    if len(named) > 1 and len({frozenset(asked & numbers(c.header)) for c in named}) > 1:
        return named
    scores = cell_scores(record, profile, weights, closeness)
    # "How much was the vet bill": a name in the Vet column answers no "how much", however
    # well its header matches; a cell of the kind asked for does, where the row has one.
    fitting = [n for n, c in enumerate(record.cells) if type_fit(profile, c.value) > 0]
    pool = fitting or range(len(record.cells))
    top = max(scores[n] for n in pool)
    return [record.cells[n] for n in pool if scores[n] == top]


def _shown(cells: Sequence[Cell]) -> str:
    return CELL_SEPARATOR.join(f"{c.header}: {c.value}" if c.header else c.value for c in cells)


def cell_text(record: Record, cells: Sequence[Cell]) -> str:
    """`Net pay (March 2025): £1,984.20`: the cell with what identifies it; several cells
    of one row side by side as `Total sales: 2019: $1,496.5 | 2018: $1,202.9`. A row with
    no label (a sheet's) is named by its first cell, shown beside the one asked for."""
    if not record.label:
        first = record.cells[0]
        rest = [c for c in cells if c != first] or list(record.cells[1:2])
        return _shown([first, *rest])
    if record.kind == "field" or (len(cells) == 1 and not cells[0].header):
        return f"{record.label}: {cells[0].value}"
    if len(cells) == 1:
        return f"{record.label} ({cells[0].header}): {cells[0].value}"
    return f"{record.label}: {_shown(cells)}"
