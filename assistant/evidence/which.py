"""Which unit answers, and whether it is about what the question names: the year, month
and name checks of a careful reader, put together.

Retrieval and the sentence scorer read words and meaning; they do not see that January's
bill is not February's or that Nora's report card is not Theo's. So, before the
abstention decides:

- `prefer_matching` puts first, among the candidates scoring nearly as well as the best,
  the one whose context (the unit under its headings and its file's name) names most of
  the dates, the subjects and the designations the question names (February's row,
  Theo's card, the Part A line: assistant/evidence/designation.py), and then whose
  paper is named by the question's words that name some retrieved papers (the van's
  policy, not the RAV4's: assistant/evidence/named.py);
- `mismatch` says what the chosen unit still lacks while its document is dated or named
  otherwise, or where it names a sibling of the thing asked (Part B for Part A), and
  `unmatched` adds the papers the question names that none retrieved is ("the water
  bill" where only electricity bills are): reasons to say the documents do not say
  (assistant/evidence/abstain.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.evidence import designation
from assistant.evidence.money import holds_sum_and_topic, money_missing
from assistant.evidence.named import unknown_papers, unnamed
from assistant.evidence.qualifiers import Dated, conflicts, described, gaps
from assistant.evidence.question import WEEKDAY
from assistant.evidence.select import Candidate, Evidence
from assistant.evidence.structure import ASKS_SHARE, PERCENT
from assistant.evidence.sums import asks_money, holds_sum
from assistant.evidence.text import SUM
from assistant.evidence.topic import uncovered
from assistant.evidence.whose import other_subject
from assistant.retrieve.labels import PER_MONTH, PER_YEAR
from ingest.namewords import paper_name

# How far below the best score a candidate may be and still be preferred for naming what
# the question names (scores are log-odds: 3 is a twentieth of the best's odds).
PREFER_MARGIN = 3.0
# ... and for being the paper the question names by a word of its name: a wider margin
# moves lines of the right paper that answer something else ahead of the answer (the home
# set: 3.0 declines one answerable question more than 2.0, 1.5 two unanswerable fewer).
NAME_MARGIN = 2.0
PREFER_POOL = 30  # candidates looked at, best first
# Where a money question's best unit holds no sum (a "when" question's no date), the next
# this many are looked at for one that does (as assistant/evidence/compose.py looks for the
# finer kind asked).
LOOKAHEAD = 5
# A preferred candidate this far below the best-scoring one, whose paper is dated or named
# otherwise, is no answer either: it holds the name asked for, not the thing asked about
# (Tunde named in the lease, where the dentist's letter is Zara's).
STRAY_MARGIN = 1.5


def prefer_matching(evidence: Evidence) -> Evidence:
    """Put first the candidate within PREFER_MARGIN of the best that lacks fewest of the
    question's dates and subjects, when the best lacks some, and among those lacking as
    few, the one within NAME_MARGIN whose paper is named by most of the question's words
    that name a retrieved paper (`unnamed`: the van's policy, not the RAV4's); then, for
    a sum asked each month or year, its paper's line for that period (`prefer_period`),
    and one holding a sum (`prefer_money`); the order is otherwise kept. The evidence is
    changed in place and returned."""
    return prefer_date(prefer_money(prefer_period(_prefer_dated_and_named(evidence))))


def _prefer_dated_and_named(evidence: Evidence) -> Evidence:
    if not evidence.candidates:
        return evidence
    asked = Dated.of_question(evidence.question.text)

    def lacking(candidate: Candidate) -> tuple[int, int]:
        dates = len(described(gaps(evidence, candidate, asked))) if asked else 0
        which = len(designation.lacking(evidence, candidate))
        return dates + which + len(other_subject(evidence, candidate)), len(
            unnamed(evidence, candidate)
        )

    best = evidence.candidates[0]
    at_best = lacking(best)
    if at_best == (0, 0):
        return evidence
    pool = [c for c in evidence.candidates[:PREFER_POOL] if c.score >= best.score - PREFER_MARGIN]

    def rank(candidate: Candidate) -> tuple[int, int]:
        dated, named = lacking(candidate)
        if candidate.score < best.score - NAME_MARGIN:  # too far to win by its name
            named = max(named, at_best[1])
        return dated, named

    ranks = {id(c): rank(c) for c in pool}
    fewest = min(pool, key=lambda c: ranks[id(c)])
    if ranks[id(fewest)] < at_best:
        evidence.candidates.remove(fewest)
        evidence.candidates.insert(0, fewest)
    return evidence


def prefer_money(evidence: Evidence) -> Evidence:
    """Where the question asks for a sum and the first candidate holds none (a contract's
    preamble for "What did a case of butter cost under the 2023 agreement?"), or only a
    percentage where a sum in money is asked (`_rate_for_a_sum`), put first
    the best of the next LOOKAHEAD that holds a sum and every topic word, names
    every designation the question gives and lacks none of its dates and names: the
    price list's butter row, not "your $257.00 Part B deductible" for the Part A one
    (assistant/evidence/designation.py). The evidence is changed in place and returned."""
    if money_missing(evidence):
        return _first_holding(evidence, lambda c: holds_sum_and_topic(evidence, c))
    if _rate_for_a_sum(evidence):
        return _first_holding(
            evidence, lambda c: bool(SUM.search(_values(c))) and holds_sum_and_topic(evidence, c)
        )
    return evidence


def _rate_for_a_sum(evidence: Evidence) -> bool:
    """Whether the question asks for a sum of money, not a rate, a share or a change
    (`structure.ASKS_SHARE`), and the first candidate holds a percentage and no sum in a
    currency: the rate table's "Rate p.a.: 4.60%" for "How much interest is Dad getting
    when his term deposit matures?", where "Interest paid at maturity: $3,880.00" is two
    lines down."""
    question = evidence.question
    first = _values(evidence.candidates[0]) if evidence.candidates else ""
    return (
        asks_money(question.text, question.answer_type)
        and not ASKS_SHARE.search(question.text)
        and bool(PERCENT.search(first))
        and not SUM.search(first)
    )


# A question asking a sum per month or per year, in any words ("What does Jan pay each
# month ...", "How much a month is ..."), and how a paper says that period beside one
# (`PER_MONTH`, `PER_YEAR`: "monthly", "p.a.").
_PERIODS = (
    (re.compile(r"\b(?:a|per|each|every) month\b|\bmonthly\b", re.I), PER_MONTH.names),
    (
        re.compile(r"\b(?:a|per|each|every) year\b|\b(?:annual|yearly|annually)\b", re.I),
        PER_YEAR.names,
    ),
)


def prefer_period(evidence: Evidence) -> Evidence:
    """Where the question asks what is paid each month (or each year) and the first
    candidate does not say that period, under its headings, put first the best candidate
    of the same paper within PREFER_MARGIN that does and holds a sum, names every
    designation the question gives and lacks none of its dates and names: "12 payments of
    $90.50 on the 1st of each month" for "How much comes out each month for the condo
    insurance?", not the policy's "Total annual premium" row; "Your monthly premium ... is
    $31.40" for "What does Jan pay each month for her drug plan?", not her out-of-pocket
    cap. A line saying no period is left first where its paper has none that does (a
    monthly premium is often written "Premium: $185.00"). The evidence is changed in
    place and returned."""
    question = evidence.question
    asked = [names for asks, names in _PERIODS if asks.search(question.text)]
    if len(asked) != 1 or not evidence.candidates:
        return evidence
    if not asks_money(question.text, question.answer_type):
        return evidence
    says = asked[0]
    first = evidence.candidates[0]
    if says.search(f"{first.text} {evidence.headings(first)}"):
        return evidence
    paper = _paper(evidence, first)

    def holds(candidate: Candidate) -> bool:
        headings = evidence.headings(candidate)
        return (
            candidate.score >= first.score - PREFER_MARGIN
            and _paper(evidence, candidate) == paper
            and bool(says.search(f"{candidate.text} {headings}"))
            and holds_sum(candidate.text, headings)
        )

    return _first_holding(evidence, holds, lookahead=PREFER_POOL - 1)


def _values(candidate: Candidate) -> str:
    """What a unit says: a row's or field's values (a header's "Rate p.a. ($5,000 to
    $249,999)" names a column), a sentence's text."""
    record = candidate.sentence.record
    return candidate.text if record is None else " ".join(c.value for c in record.cells)


def move_first(
    evidence: Evidence, holds: Callable[[Candidate], bool], lookahead: int = LOOKAHEAD
) -> Evidence:
    """Put first the best of the next `lookahead` candidates that `holds` what is asked,
    if one does. The evidence is changed in place and returned."""
    found = next((c for c in evidence.candidates[1 : 1 + lookahead] if holds(c)), None)
    if found is not None:
        evidence.candidates.remove(found)
        evidence.candidates.insert(0, found)
    return evidence


def _first_holding(
    evidence: Evidence, holds: Callable[[Candidate], bool], lookahead: int = LOOKAHEAD
) -> Evidence:
    """`move_first` the best that `holds` what is asked, names every designation the
    question gives and lacks none of its dates and names."""
    return move_first(
        evidence,
        lambda c: holds(c) and not designation.lacking(evidence, c) and not mismatch(evidence, c),
        lookahead,
    )


# A day of the week answers "what day" as a date does ("Green bin: Thursday mornings"), in
# short too where the best unit says it ("Thu"); a unit moved first must write it out
# (question.WEEKDAY: "wed" and "sat" are words too).
_WEEKDAY = re.compile(
    WEEKDAY.pattern + r"|\b(?:mon|tue|wed|thu|fri|sat|sun)\b",
    re.IGNORECASE,
)


def prefer_date(evidence: Evidence) -> Evidence:
    """Where the question asks when and the first candidate holds no date (a note that
    "Dad wants to roll it over for 6 months" for "When does Dad's term deposit finish?"),
    (nor its headings: a report's "Year ended 30 June 2018" over its row), put first the
    best of the next LOOKAHEAD that holds one, and every topic word
    under its headings and its file's name, names every designation the question gives
    and lacks none of its dates and names: the deposit's "Maturity date: 24/03/2025", as
    `prefer_money` does for a sum. A question asking what day is answered by a weekday
    too, and one in the best unit's own paper needs no topic word beside it: "Your
    watering day is Thursday." on the bill whose rule on sprinklers scores best (its
    headings' month says no day). The evidence is changed in place and returned."""
    question = evidence.question
    if (
        question.answer_type != "date"
        or not evidence.candidates
        or (
            not question.asks_day and question.type_match(evidence.headings(evidence.candidates[0]))
        )
        or question.type_match(evidence.candidates[0].text)
        or _WEEKDAY.search(evidence.candidates[0].text)
    ):
        return evidence
    first = _paper(evidence, evidence.candidates[0])

    def holds(candidate: Candidate) -> bool:
        if (
            question.asks_day
            and WEEKDAY.search(candidate.text)
            and _paper(evidence, candidate) == first
        ):
            return True  # the paper that answers names the day
        return question.type_match(candidate.text) and not uncovered(
            evidence, candidate, evidence.window_under_headings(candidate)
        )

    return _first_holding(evidence, holds)


def mismatch(evidence: Evidence, candidate: Candidate) -> list[str]:
    """The dates, names and designations the question gives that the candidate lacks
    while its document is dated or named otherwise, or it names a sibling: ["april
    2025"], ["theo"], ["part A"] (assistant/evidence/designation.py); empty when it
    matches."""
    return (
        conflicts(evidence, candidate)
        + other_subject(evidence, candidate)
        + designation.conflicting(evidence, candidate)
    )


def versions(evidence: Evidence, one: Candidate, other: Candidate) -> bool:
    """The two candidates are of two versions of one paper: two files whose names differ
    only in their figures (`supply_agreement_2023.docx`, `supply_agreement_2025.docx`).
    The question's date chooses between them, and the version it names answers however
    faintly its best line scores beside the other's: that one is the same paper, of
    another date, not a paper about something else."""
    paths = [_paper(evidence, c) for c in (one, other)]
    names = {paper_name(p) for p in paths}
    return paths[0] != paths[1] and len(names) == 1 and names != {""}


def _paper(evidence: Evidence, candidate: Candidate) -> str:
    return evidence.passages[candidate.source - 1].path


def unmatched(evidence: Evidence) -> list[str]:
    """Why the chosen (first) candidate does not answer the question's dates and names:
    its own `mismatch`, or, where `prefer_matching` chose it over a candidate of another
    paper scoring more than STRAY_MARGIN higher, that one's (the paper the question is most
    like is another's, and the one about the right paper is only faintly about the
    question; within one paper, the line naming the month asked is the one to read,
    however much better the bill's other lines score); and the papers
    the question names that none retrieved is (`unknown_papers`); and the things the
    question names that the chosen row is a sibling of (`designation.sibling`: the Rabies
    row for the Lyme vaccine; only the chosen one: a sibling scoring higher is no reason
    to doubt the one chosen over it)."""
    chosen = evidence.candidates[0]
    found = mismatch(evidence, chosen)
    top = max(evidence.candidates, key=lambda c: c.score)
    if (
        not found
        and top is not chosen
        and top.score - chosen.score > STRAY_MARGIN
        and _paper(evidence, top) != _paper(evidence, chosen)
        and not versions(evidence, top, chosen)
    ):
        found = mismatch(evidence, top)
    return found + designation.sibling(evidence, chosen) + unknown_papers(evidence)
