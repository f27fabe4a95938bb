"""Answers made of evidence: the quoted sentence (extractive), the compact evidence a model
is given, and a checked answer written out with its citations and marks."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from assistant.evidence.claims import Statement
from assistant.evidence.kinds import ValueKinds, attributes_asked
from assistant.evidence.question import SUM_ASKED
from assistant.evidence.select import Candidate, Evidence, leans_back
from assistant.evidence.structure import (
    cell_text,
    chosen_cells,
    column_text,
    compares,
    is_total,
    lists_columns,
    lists_rows,
    ranked_column,
    respective,
    row_labels,
)
from assistant.evidence.sums import MONEY, asks_money, holds_sum
from assistant.evidence.text import Sentence, content_stems
from assistant.evidence.topic import topic_words, unheld_in_form
from assistant.evidence.which import mismatch
from assistant.retrieve import Passage
from ingest.dates import date_spans

ABSTAIN_ANSWER = "The documents do not say."
UNSUPPORTED_MARK = "[unsupported]"
FALLBACK_NOTE = "The model's answer is not supported by the documents, so here is what they say:"
# The runner-up sentence is quoted too when it scores within this of the best: on the
# tuning articles that lifts "the answer holds the gold answer" from 77% to 82% of
# answerable questions for 35 words instead of 30 (median); bench/RESULTS.md.
SECOND_QUOTE_MARGIN = 0.5
# A listing is answered from the best-scored table row among this many best candidates.
LISTING_LOOKAHEAD = 5
# Where the best unit holds no value of the finer kind asked for, the best of the units
# ranked below it, up to this rank, that holds one is quoted first and the best beside it.
KIND_LOOKAHEAD = 5


def quote(evidence: Evidence, candidate: Candidate) -> str:
    """The candidate in quotes with its passage number, led by the sentence before it when
    it starts with a pronoun ("It was bought ..." says nothing alone)."""
    sentences = evidence.sentences[candidate.source - 1]
    first = candidate.index
    if first > 0 and leans_back(candidate.sentence) and not sentences[first - 1].heading:
        first -= 1
    text = " ".join(s.text for s in sentences[first : candidate.index + 1])
    return f'"{text}" [{candidate.source}]'


def answer_part(evidence: Evidence, candidate: Candidate) -> tuple[str, str, str]:
    """One quoted part of an extractive answer, the words it states and the evidence they
    come from: a sentence quoted after its location; a table cell or form field as the
    value with what identifies it (its row label, column header and the table's caption)
    before its location, as `Net pay (March 2025): £1,984.20 — payslip-2025-03.pdf, page 1
    [1]`; for a question that asks for a table's rows, their labels, from those rows."""
    location = evidence.passages[candidate.source - 1].location()
    record = candidate.sentence.record
    source = candidate.text
    if record is None:
        return f"{location}: {quote(evidence, candidate)}", candidate.text, source
    closeness = (
        evidence.closeness([c.header or c.value for c in record.cells])
        if record.kind == "row"
        else None
    )
    column = ranked_column(record, evidence.question, evidence.rarity, closeness)
    if record.kind == "row" and (column is not None or lists_rows(evidence.question.text)):
        rows = evidence.group(candidate)
        records = [r for _, r in rows]
        stated = column_text(column.header, records) if column else "; ".join(row_labels(records))
        source = "\n".join(text for text, _ in rows)
    else:
        cells = chosen_cells(record, evidence.question, evidence.rarity, closeness)
        stated = cell_text(record, cells)
    caption = evidence.caption(candidate) if record.kind == "row" else None
    if caption and caption.lower() not in stated.lower():
        stated = f"{caption} › {stated}"
    return f"{stated} — {location} [{candidate.source}]", stated, source


def _holding_kind(evidence: Evidence, ranked: Sequence[Candidate]) -> Candidate | None:
    """The best of the first few candidates after the first that holds a value of the
    finer kind the question asks for (a phone number, a deadline), and is no further from
    the dates and names the question gives than the first (`_dated_as_well`)."""
    return next(
        (
            c
            for c in ranked[1:KIND_LOOKAHEAD]
            if c.features["kind_match"] and _dated_as_well(evidence, c, ranked[0])
        ),
        None,
    )


def _dated_as_well(evidence: Evidence, candidate: Candidate, first: Candidate) -> bool:
    """Whether `candidate` lacks no more of the dates and names the question gives than
    `first` (`which.mismatch`): a unit quoted before the first for holding what is asked
    must be about the month, the person and the paper asked, as the first is. The bill's
    "Electric usage this period: 1,118 kWh" holds kWh and names the usage asked; its
    "Jul 2024" row is the July asked."""
    return len(mismatch(evidence, candidate)) <= len(mismatch(evidence, first))


# A sentence says several things, each in a clause: "The biggest costs were the new cider
# press, insurance at 1,180 pounds, ..." gives the insurance a sum and the press none. A
# comma or semicolon before a space, or a joining word, ends a clause; not one in a date
# ("June 5, 2025", "Saturday, April 26"), nor in a figure ("1,180").
_CLAUSE_END = re.compile(r"(?<!day)[,;](?=\s)|\s(?:and|but|while|whereas|whilst)\s", re.IGNORECASE)


def _clauses(text: str) -> list[str]:
    """The clauses of a sentence."""
    dates = date_spans(text)
    cuts = [
        m
        for m in _CLAUSE_END.finditer(text)
        if not any(start <= m.start() < end for start, end in dates)
    ]
    bounds = [0, *(p for m in cuts for p in (m.start(), m.end())), len(text)]
    return [text[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2)]


# "What's the final installed price for ...?" asks for a sum by naming one (the money check
# that declines is stricter: a report's "What is Tax Fees?" asks what a line means; here,
# among quotes already chosen, a sum is the likelier answer either way).
_NAMES_A_SUM = re.compile(
    r"\b(?:price|cost|fee|fees|surcharge|premium|rent|fare|toll|wage|salary)\b", re.I
)
# "Which pay period does ... cover?", "What's the VIN of ...": the words after "which" or
# "what", up to the verb or preposition, name the field that answers.
_ASKED_NOUN = re.compile(
    r"^\s*(?:which|what)(?:'s|’s|\s+is|\s+was|\s+are|\s+were)?\s+"
    r"(?:(?:the|my|our|your|his|her|their)\s+)?"
    r"(?P<noun>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,2}?)\s+"
    r"(?:does|do|did|is|was|are|were|will|would|can|should|has|have|for|of|on|in|at|to|from)\b",
    re.IGNORECASE,
)


def _field_named(question: str, candidate: Candidate) -> bool:
    """Whether the unit is a form field whose label holds every word of what the question
    asks for by name ("Which pay period does the deposit cover?": `Pay period: ...`)."""
    record = candidate.sentence.record
    match = _ASKED_NOUN.search(question)
    if record is None or record.kind != "field" or match is None:
        return False
    asked = set(content_stems(match.group("noun")))
    return bool(asked) and asked <= set(content_stems(record.label))


def _holds_value(evidence: Evidence, text: str, headings: str = "") -> bool | None:
    """Whether `text` holds a value of the kind the question asks for: the finer kind (a
    phone number, a deadline), a sum of money where it asks what something cost, else its
    answer type (an amount, a date, a name); None where it asks for none of these ("what
    kinds of driving ...")."""
    question = evidence.question
    held = ValueKinds.of(question.text).held(text)
    if held is not None:
        return held
    if asks_money(question.text, question.answer_type) or (
        (question.answer_type == "other" or SUM_ASKED.search(question.text))
        and _NAMES_A_SUM.search(question.text)
        and not MONEY.search(question.text)  # it gives the sum: it asks something else
    ):
        return holds_sum(text, headings)
    if question.answer_type == "other":
        return None
    return question.type_match(text)


def answering(evidence: Evidence, candidate: Candidate) -> int | None:
    """How well a unit answers by what it holds: 3 where it names the attribute the
    question asks for ("how tall": a Height line), with a value of the kind asked for in
    the same clause where one is asked; 2 where a value of that kind is said of the thing
    asked (in one clause with a word of what the question is about; a row's or field's
    values with its label and headers; "It was bought for 3,275 pounds" with the sentence
    before, which says what "it" is); 1 where it holds such a value said of something
    else; 0 where it holds none; None where no kind or attribute is asked."""
    question = evidence.question.text
    if candidate.sentence.record is not None:
        # A row's values are said of its label and headers; its headings may say what
        # a sum is ("Fees" over "£24 a year"), as money.py reads them.
        clauses = [candidate.text]
        held = _holds_value(evidence, candidate.text, evidence.headings(candidate))
    else:
        clauses = _clauses(candidate.text)
        if leans_back(candidate.sentence) and candidate.index > 0:
            before = evidence.sentences[candidate.source - 1][candidate.index - 1].text
            clauses[0] = f"{before} {clauses[0]}"
        held = _holds_value(evidence, candidate.text)
    if held is not False and _field_named(question, candidate):
        return 3
    attributes = attributes_asked(question)
    if attributes and any(
        _holds_value(evidence, clause) is not False and any(a.search(clause) for a in attributes)
        for clause in clauses
    ):
        return 3
    if held is None and not attributes and not _ASKED_NOUN.search(question):
        return None
    if not held:
        return 0
    topic = topic_words(question)
    attached = any(
        _holds_value(evidence, clause) and len(unheld_in_form(question, clause)) < len(topic)
        for clause in clauses
    )
    return 2 if attached else 1


def _naming_attribute(evidence: Evidence, ranked: Sequence[Candidate]) -> Candidate | None:
    """Where the question asks for an attribute ("how tall") or a field by name ("which
    pay period") and the best unit does not name it, the best of the next few units of
    the same paper that does: the paper is right, the line is not ("Placement: 6 inches
    inside the property line" for the fence's height; its "Height: 5 feet" line
    answers); one `_dated_as_well` as the best."""
    question = evidence.question.text
    if not (attributes_asked(question) or _ASKED_NOUN.search(question)):
        return None
    if answering(evidence, ranked[0]) == 3:
        return None
    paper = evidence.passages[ranked[0].source - 1].path
    return next(
        (
            c
            for c in ranked[1:KIND_LOOKAHEAD]
            if evidence.passages[c.source - 1].path == paper
            and answering(evidence, c) == 3
            and _dated_as_well(evidence, c, ranked[0])
        ),
        None,
    )


def answering_first(evidence: Evidence, chosen: list[Candidate]) -> list[Candidate]:
    """The quotes with the one that answers first (`answering`): "the biggest costs were
    the new cider press, insurance at 1,180 pounds, ..." names the press with no sum of
    its own; "It was bought for 3,275 pounds" answers. A quote never passes one whose
    paper matches the dates and names the question gives better (`which.mismatch`: May's
    bill is not quoted before April's for "April 2025"); else the order chosen is kept."""
    if len(chosen) < 2:
        return chosen
    levels = {id(c): answering(evidence, c) for c in chosen}
    if None in levels.values():
        return chosen
    lacks: dict[int, int] = {}

    def lacking(candidate: Candidate) -> int:  # read only where a quote would move
        if id(candidate) not in lacks:
            lacks[id(candidate)] = len(mismatch(evidence, candidate))
        return lacks[id(candidate)]

    ordered: list[Candidate] = []
    for candidate in chosen:
        place = len(ordered)
        while place and (levels[id(candidate)] or 0) > (levels[id(ordered[place - 1])] or 0):
            if lacking(candidate) > lacking(ordered[place - 1]):
                break
            place -= 1
        ordered.insert(place, candidate)
    return ordered


def _is_row(candidate: Candidate) -> bool:
    return candidate.sentence.record is not None and candidate.sentence.record.kind == "row"


def introduces(candidate: Candidate) -> bool:
    """A sentence ending in a colon: it leads into the table or list after it."""
    return candidate.sentence.record is None and candidate.text.rstrip().endswith(":")


def _listing(evidence: Evidence) -> Candidate | None:
    """For a question that asks for a table's rows or columns, the best-scored row among
    the first few candidates (the sentence introducing the table may score above it):
    the answer lists its table's labels, or shows the row whole."""
    if not (lists_rows(evidence.question.text) or lists_columns(evidence.question.text)):
        return None
    return next((c for c in evidence.candidates[:LISTING_LOOKAHEAD] if _is_row(c)), None)


def _whole(evidence: Evidence, best: Candidate) -> Candidate:
    """The table's total row in place of the best row, where the question names no part:
    "the taxable value of our house" is the Total row's, not the Land row's (which the
    scorer cannot tell apart from it but by chance)."""
    record = best.sentence.record
    question = evidence.question
    if record is None or record.kind != "row" or not record.label or is_total(record.label):
        return best
    # A year in the label ("September 2024") is no part the question names.
    parts = {t for t in content_stems(record.label) if not t.isdigit()}
    if parts & set(question.stems) or compares(question.text):
        return best
    headers = {c.header for c in record.cells}

    def adds_up(sentence: Sentence) -> bool:
        total = sentence.record
        return (
            total is not None
            and is_total(total.label)
            and headers <= {c.header for c in total.cells}
        )

    sentences = evidence.sentences[best.source - 1]
    for index in reversed(evidence.run(best)):
        if adds_up(sentences[index]):
            return evidence.at(best.source, index) or best
    # A long table is cut into passages: its total row may be in another retrieved passage
    # of the same table (the same file, under the same headings).
    passage = evidence.passages[best.source - 1]
    for source, other in enumerate(evidence.passages, 1):
        if source == best.source or (other.path, other.headings) != (
            passage.path,
            passage.headings,
        ):
            continue
        for index, sentence in enumerate(evidence.sentences[source - 1]):
            if adds_up(sentence) and (found := evidence.at(source, index)) is not None:
                return found
    return best


def extractive_answer(evidence: Evidence) -> tuple[str, list[Statement]]:
    """The best evidence sentence, quoted: exact, and cited by construction. Quoted beside
    it: the runner-up when it scores nearly as well (the system cannot tell which answers),
    and the best sentence of the passage closest to the question when that is another
    passage (retrieval, reading whole passages under their headings, disagrees with the
    sentence scorer, whose weights SQuAD's question wording pulls towards shared words)."""
    if evidence.best is None:
        return ABSTAIN_ANSWER, []
    # A sentence that introduces what follows ("... are as follows:") answers nothing
    # itself: the rows after it do. It is quoted only where nothing else is.
    ranked = [c for c in evidence.candidates if not introduces(c)]
    ranked += [c for c in evidence.candidates if introduces(c)]
    listing = _listing(evidence)
    best = listing if listing is not None else ranked[0]
    chosen = [best]
    # A unit of another paper passed over for the best (scoring above it, the paper dated
    # or named otherwise: `prefer_matching`) is no second answer to quote beside it. One
    # of the same paper may be: the preference reads a unit's dates, and a report's line
    # for 2018 may answer what the 2019 question was asked through.
    paper = evidence.passages[best.source - 1].path
    runner_up = next(
        (
            c
            for c in ranked
            if c is not best
            and (c.score <= best.score or evidence.passages[c.source - 1].path == paper)
        ),
        None,
    )
    if listing is not None:
        # Beside the labels, the best other unit: "what does X consist of" may be a
        # sentence's answer, its row the table's line for X.
        runner_up = next((c for c in ranked if c is not listing), None)
    elif respective(evidence.question.text) and _is_row(best):
        # "the respective shares of Apple and Huawei": the next row of the same passage.
        runner_up = next(
            (c for c in ranked if c is not best and c.source == best.source and _is_row(c)),
            runner_up,
        )
    elif best.features["kind_miss"] and (holding := _holding_kind(evidence, ranked)) is not None:
        # "What number do I call for a tow?": the Roadside row's premium holds no phone
        # number; the best unit that holds one answers first, and the row follows it.
        chosen, runner_up = [holding], best
    elif (naming := _naming_attribute(evidence, ranked)) is not None:
        # "How tall is the fence?": the letter's Height line, then the best unit.
        chosen, runner_up = [naming], best
    elif runner_up is not None and best.score - runner_up.score > SECOND_QUOTE_MARGIN:
        runner_up = None
    if runner_up is not None:
        chosen.append(runner_up)
    closest = evidence.closest_source()
    if all(c.source != closest for c in chosen):
        chosen += [c for c in ranked if c.source == closest][:1]
    # Overlapping chunks repeat a sentence in two passages: quote it once.
    chosen = [c for i, c in enumerate(chosen) if all(c.text != o.text for o in chosen[:i])]
    if listing is None:
        chosen = answering_first(evidence, chosen)
    parts = []
    statements = []
    for candidate in chosen:
        part, stated, source = answer_part(evidence, _whole(evidence, candidate))
        if part in parts:
            continue  # two rows of one table listed or compared the same way
        parts.append(part)
        statements.append(Statement(stated, True, [candidate.source], [], source, "quoted"))
    return " ".join(parts), statements


def compact_passages(evidence: Evidence, count: int) -> tuple[list[Passage], list[int]]:
    """The passages cut down to their best `count` sentences and neighbours (in reading
    order, a gap marked '…', a heading on a line of its own so that it reads as one and not
    as the first words of the sentence under it, and so is each table row and form field,
    with its headers: a model reads a row, not a run of numbers), and the source number of
    each."""
    kept: list[Passage] = []
    sources: list[int] = []
    for source, indexes in evidence.selected(count).items():
        sentences = evidence.sentences[source - 1]
        lines: list[list[str]] = [[]]
        for position, i in enumerate(indexes):
            if position and i != indexes[position - 1] + 1:
                lines[-1].append("…")
            if sentences[i].heading or sentences[i].record is not None:
                lines += [[sentences[i].text], []]
            else:
                lines[-1].append(sentences[i].text)
        text = "\n".join(" ".join(line) for line in lines if line)
        kept.append(dataclasses.replace(evidence.passages[source - 1], text=text))
        sources.append(source)
    return kept, sources


def written(statements: Sequence[Statement]) -> str:
    """The checked answer as text: each statement with the system's citation before its
    closing punctuation, or marked unsupported."""
    parts = []
    for s in statements:
        mark = "".join(f"[{n}]" for n in s.citations) if s.supported else UNSUPPORTED_MARK
        body, end = (s.text[:-1], s.text[-1]) if s.text[-1:] in ".;:!?," else (s.text, "")
        parts.append(f"{body.rstrip()} {mark}{end}")
    return " ".join(parts)
