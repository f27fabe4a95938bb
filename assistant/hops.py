"""Questions that need two papers: a thing named by a description, found first.

"What's the VIN of the car we financed through the credit union?" names the car by what
was done with it. No one paper answers: the loan papers say which car (the RAV4), and
the RAV4's insurance schedule holds its VIN. A person reads it in two steps: they find
what the description designates, asking it as a question of its own ("which car did we
finance through the credit union?" - the RAV4), then ask the question again with that in
its place ("what's the VIN of the 2023 Toyota RAV4 Hybrid XLE?").

A description is a noun with a relative clause after it: "the grandchild who inherits
Grandpa's pocket watch", "the contract that raised our butter price", or one whose
subject follows the noun at once ("the doctor Dad sees on April 8", "the bill we paid
from checking on March 11", "the first day he was out sick in January").

What the description designates is read from the best unit answering it, by the kind of
thing the noun is: a person is a name ("to granddaughter Nora Whitaker" - Nora
Whitaker; "follow-up with Dr. Feldman" - Dr. Feldman), a day is its date, and anything
else is the unit's value (a loan's `Collateral` field, a statement line's payee and sum).

This runs only where the question in one pass was declined (assistant/answer.py): the
common path costs nothing more. The question asked again must pass every check a
question asked once does (the combiner, whose, which paper, the topic), and it must be
answered from another paper than the one that resolved the description; else the hop
says nothing and the decline stands. Both papers are cited.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from assistant.evidence.abstain import should_abstain
from assistant.evidence.select import Candidate, Embed, Evidence, select_evidence
from assistant.evidence.text import content_stems, words
from assistant.evidence.which import prefer_matching
from assistant.evidence.whose import KINSHIP, asked_names
from assistant.retrieve import Passage
from ingest.dates import Day, month_number, names_date, written_dates

# A day and month with no year, as a to-do list writes it: "04/08".
_MONTH_DAY = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?![\d/])")
# How far down the inner question's units a designation is looked for.
LOOKAHEAD = 5
# The most of a sentence's one-word names taken as what it designates ("the Odyssey").
MAX_ONE_NAMES = 2
# A value longer than this says more than which thing it is: its names are read instead.
DESIGNATION_WORDS = 8
Search = Callable[[str], Sequence[Passage]]

# Who may be the subject of a clause that follows its noun with no "who" or "that": a
# pronoun, or a person named by kinship ("the doctor Dad sees"). A name alone is not read
# so: "the first Huguenot colonists settle" has no clause.
_SUBJECT = r"(?:we|I|you|he|she|they|(?i:" + "|".join(sorted(KINSHIP)) + r"))"
# ... or a person named by one name, where a verb of having or using follows it: "the car
# Grant uses for work", "the car Sofia practices in" ("the first Huguenot colonists
# settle" is a noun phrase, not a clause).
_NAME_SUBJECT = (
    r"[A-Z][a-z]+\s+(?:uses|used|drives|drove|takes|took|sees|saw|has|had|pays|paid|owns"
    r"|owned|practices|practises|practiced|practised|attends|attended|plays|played|goes|went"
    r"|rents|rented|bought|buys|gets|got|works|worked|lives|lived)\b"
)
# Words that end a noun phrase rather than qualify its noun.
_FUNCTION = (
    r"(?:the|a|an|of|on|in|at|to|for|from|with|by|and|or|our|my|his|her|their|if|when|as"
    r"|because|than|whether|that|who|which|is|are|was|were)"
)
# The description: "the" (or "our", "my", ...), up to three words qualifying the noun,
# the noun, then its clause, which runs to the end of the question or to a comma.
_DESCRIPTION = re.compile(
    r"\b(?P<det>the|our|my|his|her|their)\s+"
    r"(?P<noun>(?:(?!"
    + _FUNCTION
    + r"\b)[\w'$.-]+\s+){0,3}?(?!"
    + _FUNCTION
    + r"\b)(?P<head>[a-z]+))\s+"
    r"(?P<clause>(?:who|that|which|whom)\s+[^,?]+|" + _SUBJECT + r"\s+[a-z][^,?]*"
    r"|" + _NAME_SUBJECT + r"[^,?]*)"
    r"(?=[,?]|$)",
)
# A clause that follows its noun at once opens with its subject and then its verb: the
# verb is one of these forms ("sees", "paid", "was", "financed").
_VERB = re.compile(
    r"^\S+\s+(?:[a-z]+(?:s|ed)|was|were|is|are|had|has|did|does|got|saw|met|paid|gave"
    r"|sent|bought|sold|took|made)\b"
)
# "That" and then a noun phrase of its own says what the noun holds, not which one it is:
# "the arguments that the measure protected public health" is no description.
_STATEMENT = re.compile(r"that\s+(?:the|a|an|this|these|those|its|their|there)\b")
# Nouns that name a person: what they designate is a name.
_PERSON = frozenset(
    """person people man woman child children kid kids grandchild grandson granddaughter
    son daughter doctor dentist pediatrician physician nurse teacher tutor coach vet
    lawyer attorney agent accountant landlord tenant neighbour neighbor friend contractor
    plumber electrician babysitter sitter employee employer manager owner officer
    executor trustee signer""".split()  # noqa: SIM905 - a word list, read as one
)
# Nouns that name a time: what they designate is a date.
_TIME = frozenset("day date week month year morning evening night time".split())  # noqa: SIM905
# A person's name: a title and a surname, or two or more capitalised words.
_NAME = re.compile(
    r"\b(?:(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+(?:[A-Z][a-z]+\s+)*[A-Z][a-z]+"
    r"|[A-Z][a-z]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z]+)+)"
)
# Words that ask without saying of what: "what was the name of" asks nothing of a thing.
_ASKING = frozenset(content_stems("what which who whom how when where why name called kind type"))
# The words of a question that say nothing of what it asks about.
_NOT_NOUNS = frozenset("what which who whom how when where why one".split())  # noqa: SIM905


@dataclass(frozen=True)
class Description:
    """A thing named by what is said of it, and the question that asks what it is."""

    phrase: str  # "the car we financed through the credit union"
    noun: str  # "the car"
    head: str  # "car"
    inner: str  # "Which is the car we financed through the credit union?"
    # What a unit must say to designate the thing where the inner question is declined: for
    # "the car Grant uses for work", Grant and work ("Grant's work ute"); empty for others.
    needs: frozenset[str] = frozenset()

    def said_by(self, text: str) -> bool:
        """Whether `text` holds every word the description `needs`."""
        return self.needs <= set(content_stems(text))


@dataclass
class Hop:
    """The question asked again with what its description designates in its place."""

    question: str  # "What's the VIN of the 2023 Toyota RAV4 Hybrid XLE?"
    evidence: Evidence  # the question asked again, the resolving passage added last
    resolving: Candidate  # the unit that said what the description designates
    rest: str  # the question without its description: what is asked of the thing


def described(question: str) -> Description | None:
    """The first description in `question`, where what is left asks something of it."""
    for match in _DESCRIPTION.finditer(question):
        head = match.group("head").lower()
        clause = match.group("clause")
        if (
            head in _NOT_NOUNS
            or _STATEMENT.match(clause)
            or (not re.match(r"(?:who|that|which|whom)\b", clause) and not _VERB.match(clause))
        ):
            continue
        rest = question[: match.start()] + question[match.end() :]
        if not set(content_stems(rest)) - _ASKING:
            continue  # the description is the whole question: one hop is the question
        phrase = match.group(0).strip()
        said = f"the {match.group('noun')} {_named(clause.strip(), rest)}"
        if head in _PERSON:
            inner = f"Who is {said}?"
        elif head in _TIME:
            inner = f"When was {said}?"
        else:
            inner = f"Which is {said}?"
        needs = frozenset()
        if re.match(_NAME_SUBJECT, clause):
            subject, _verb, *rest_of_clause = clause.split()
            needs = frozenset(content_stems(" ".join([subject, *rest_of_clause])))
        noun = f"{match.group('det')} {match.group('noun')}"
        return Description(phrase, noun, head, inner, needs)
    return None


def _named(clause: str, rest: str) -> str:
    """The clause with "he" or "she" read as the one person the rest of the question names
    ("the first day he was out sick", asked about Theo, is the first day Theo was out)."""
    asked = asked_names(rest)
    people = {w for w in re.findall(r"\b[A-Z][a-z]+\b", rest) if w.lower() in asked}
    if len(people) != 1:
        return clause
    (name,) = people
    clause = re.sub(r"\b(?:he|she|him)\b", name, clause)
    return re.sub(r"\b(?:his|her)\b", f"{name}'s", clause)


def _written(text: str) -> list[tuple[int, int, set[Day]]]:
    """Where `text` writes dates and the days each can be: the date reader's, and a day
    and month with no year ("Tue 04/08", read both ways)."""
    found = [(w.start, w.end, set(w.days)) for w in written_dates(text)]
    for match in _MONTH_DAY.finditer(text):
        if all(not s <= match.start() < e for s, e, _ in found):
            first, second = int(match.group(1)), int(match.group(2))
            days = {(None, first, second), (None, second, first)}
            found.append((*match.span(), {d for d in days if 1 <= d[1] <= 12 and 1 <= d[2] <= 31}))
    return sorted(found, key=lambda w: w[0])


def _asked_dates(phrase: str) -> set[Day]:
    """The days a description names, a month alone ("out sick in January") as a month."""
    months = {(None, n, None) for w in words(phrase) if (n := month_number(w)) is not None}
    return {d for *_, days in _written(phrase) for d in days} | months


def designation(
    evidence: Evidence, description: Description, declined: bool
) -> tuple[str, Candidate] | None:
    """What the description designates, and the unit that says so: of the inner question's
    first few units, the best-scoring that names the date the description gives (if it
    gives one) and holds something of the noun's kind (a name for a person, a date for a
    day, else the unit's value). Where the inner question was itself declined, only a unit
    naming such a date is trusted: "the doctor Dad sees on April 8" is the line dated 04/08."""
    asked = _asked_dates(description.phrase)
    if declined and not asked and not description.needs:
        return None
    # The scorer's order, not the date preference's: that one puts first any unit naming
    # the description's month ("Report date: 01/24/2025" for "out sick in January").
    for candidate in sorted(evidence.candidates[:LOOKAHEAD], key=lambda c: -c.score):
        text = candidate.text
        if asked and not names_date(asked, {d for *_, days in _written(text) for d in days}):
            continue
        if declined and not asked and not description.said_by(text):
            continue
        value = _designated(candidate, description, asked)
        if value:
            return value, candidate
    return None


def _designated(candidate: Candidate, description: Description, asked: set[Day]) -> str | None:
    """The words of the unit that name the thing: a person's name, the date asked about,
    a row's cells or a field's value with their dates left out (a date would then ask for
    a row of that date), or, for a sentence or a longer value, its names (the rest says
    other things)."""
    text = candidate.text
    if description.head in _PERSON:
        said = description.phrase.lower()
        return next((n for n in _NAME.findall(text) if n.lower() not in said), None)
    if description.head in _TIME:
        dates = [(s, e) for s, e, days in _written(text) if not asked or names_date(asked, days)]
        return text[dates[0][0] : dates[0][1]] if dates else None
    record = candidate.sentence.record
    if record is not None:
        cells = record.cells if record.kind == "row" else record.cells[-1:]
        value = " ".join(c.value for c in cells)
        for start, end, _ in reversed(_written(value)):
            value = value[:start] + value[end:]
        value = re.sub(r"\s+", " ", value).strip(" ,;.-|")
        if 0 < len(value.split()) <= DESIGNATION_WORDS:
            return value
    # A sentence, or a value that says more than which thing: its names say which, or,
    # where it gives no full name, the one-word names past its first word ("practices in
    # the Odyssey", "The white HiLux is Grant's work ute").
    said = description.phrase.lower()
    named = [n for n in _NAME.findall(text) if n.lower() not in said]
    if not named:
        single = asked_names(text) - set(words(said))
        named = [w for w in words(text)[1:] if w.lower() in single][:MAX_ONE_NAMES]
    return " ".join(named) or None


def asked_first(evidence: Evidence, rest: str) -> Evidence:
    """The evidence to quote from, where a unit that only names the thing designated
    ("Student: Nora E. Whitaker") is best: it says which paper, not what is asked, so the
    best of the next few units that holds a word of the rest of the question ("Homeroom:
    Ms. Deepa Patel") goes before it. The evidence judged is left as it is."""
    asked = set(content_stems(rest))
    ranked = evidence.candidates
    if not ranked or asked & set(content_stems(ranked[0].text)):
        return evidence
    saying = next((c for c in ranked[1:LOOKAHEAD] if asked & set(content_stems(c.text))), None)
    if saying is None:
        return evidence
    return replace(evidence, candidates=[saying, *(c for c in ranked if c is not saying)])


def _about(evidence: Evidence, candidate: Candidate, value: str) -> bool:
    """Whether the answering unit's passage speaks of what was designated: most of its
    words and figures are there (the homeroom teacher of Nora Whitaker is on Nora's card)."""
    passage = evidence.passages[candidate.source - 1]
    held = set(content_stems(f"{passage.path} {passage.text}"))
    wanted = set(content_stems(value))
    return bool(wanted) and len(wanted & held) * 2 >= len(wanted)


def second_pass(question: str, evidence: Evidence, search: Search, embed: Embed) -> Hop | None:
    """The hop, where the question names a thing by a description and its one-pass
    `evidence` is declined, or its best unit does not say what a description by a
    person's name needs ("Ines drives the Mazda" for "the car Tomas uses for work"); None
    otherwise (the answer stands as it is). A question without a description costs one
    pattern search."""
    description = described(question)
    if description is None:
        return None
    evidence = prefer_matching(evidence)
    best = evidence.best
    if (best is None or description.said_by(best.text)) and not should_abstain(evidence):
        return None
    return hop(question, description, search, embed)


def hop(question: str, description: Description, search: Search, embed: Embed) -> Hop | None:
    """Answer the description first, then the question with its designation in place; None
    when either step finds nothing sure, or one paper would answer both."""
    inner = prefer_matching(select_evidence(description.inner, search(description.inner), embed))
    if not inner.passages:
        return None
    found = designation(inner, description, should_abstain(inner))
    if found is None:
        return None
    value, resolving = found
    resolved_by = inner.passages[resolving.source - 1]
    if description.head in _PERSON or description.head in _TIME:
        named = value
    else:  # the thing keeps its noun: "the hospital bill (CEDAR GLEN ... 96.15)"
        named = f"{description.noun} ({value})"
    outer_question = question.replace(description.phrase, named, 1)
    # The paper that said what the description designates has been read: the answer is
    # in another one ("Theo was absent 01/22" is on his report card; who saw him that day
    # is on the insurer's statement).
    passages = [p for p in search(outer_question) if p.path != resolved_by.path]
    outer = prefer_matching(select_evidence(outer_question, passages, embed))
    best = outer.best
    if best is None or not _about(outer, best, value):
        return None  # nothing found, or the answer is about something else
    cited = _citing(outer, inner, resolving)
    if should_abstain(cited):
        return None
    return Hop(
        outer_question, cited, cited.candidates[-1], question.replace(description.phrase, " ", 1)
    )


def _citing(outer: Evidence, inner: Evidence, resolving: Candidate) -> Evidence:
    """The outer evidence with the resolving unit's passage added last, to be quoted and
    cited; the resolving unit is its last candidate, below every other, so it never
    answers."""
    source = len(outer.passages) + 1
    unit = replace(
        resolving, source=source, score=min((c.score for c in outer.candidates), default=0.0) - 1
    )
    return replace(
        outer,
        passages=[*outer.passages, inner.passages[resolving.source - 1]],
        sentences=[*outer.sentences, inner.sentences[resolving.source - 1]],
        candidates=[*outer.candidates, unit],
    )
