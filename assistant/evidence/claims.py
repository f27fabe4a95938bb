"""Every claim checked: a model's answer split into statements, each held to the evidence.

A statement is supported when an evidence sentence (with its neighbours) holds every
figure and name it states, and says the rest too: it shares enough of the statement's
words, or the embedding model finds the two close. The thresholds were chosen by reading
drafts; `bench/tune_answers.py claims` measures any rule on a model's drafts (SmolLM2's
figures in bench/RESULTS.md: for it, stricter is always better). The citation is the
system's: the passage of the supporting sentence, whatever `[n]` the model wrote; a
model's `[n]` that names no passage, or the wrong one, is reported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.evidence.select import LEANING, Candidate, Embed, Evidence
from assistant.evidence.text import content_stems, names, numbers, split_sentences, stem, words

# Supported when the facts are all there and either rule holds (bench/RESULTS.md).
MIN_OVERLAP = 0.6  # share of the statement's content words in the evidence window
MIN_COSINE = 0.75  # embedding cosine of the statement to the evidence sentence
SUPPORT_CANDIDATES = 3  # evidence sentences tried for each statement, closest first

# Words that frame an answer rather than say anything ("The answer is ...", "According to
# the documents ..."): a statement made of these and a figure says nothing of its own.
_FRAMING = frozenset(
    stem(w)
    for w in (
        "answer", "document", "documents", "passage", "passages", "text", "according",
        "say", "says", "said", "states", "stated", "mentions", "mentioned", "question",
    )
)  # fmt: skip
OWN_WORDS = 2  # content words besides figures a statement needs to stand on its own

_CITATION = re.compile(r"\s*\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_CLAUSE = re.compile(r"(?<=;)\s+")


@dataclass
class Statement:
    text: str  # as the model wrote it, without its [n] marks
    supported: bool
    citations: list[int] = field(default_factory=list)  # passages, attached by the system
    model_citations: list[int] = field(default_factory=list)
    evidence: str = ""  # the sentence it rests on
    reason: str = ""  # why it is not supported, or what was corrected

    def as_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "supported": self.supported,
            "citations": self.citations,
            "model_citations": self.model_citations,
            "evidence": self.evidence,
            "reason": self.reason,
        }


def split_statements(answer: str) -> list[tuple[str, list[int]]]:
    """The answer's statements (sentences, clauses between semicolons, list items), each
    with the [n] it carries; the text keeps its closing punctuation, not its marks."""
    found: list[tuple[str, list[int]]] = []
    for line in answer.splitlines():
        line = _BULLET.sub("", line).strip()
        if not line:
            continue
        for sentence in split_sentences(line):
            for clause in _CLAUSE.split(sentence.text):
                marks = [int(n) for m in _CITATION.finditer(clause) for n in m.group(1).split(",")]
                text = _CITATION.sub("", clause).strip()
                if content_stems(text):
                    found.append((text, list(dict.fromkeys(marks))))
                elif marks and found:  # "[2]." alone after a sentence belongs to it
                    found[-1][1].extend(n for n in marks if n not in found[-1][1])
    return found


def check_answer(answer: str, evidence: Evidence, embed: Embed) -> list[Statement]:
    parts = split_statements(answer)
    if not parts or not evidence.candidates:
        return [
            Statement(text, False, [], marks, "", "no evidence to check it against")
            for text, marks in parts
        ]
    vectors = np.asarray(embed([text for text, _ in parts]), dtype=np.float32)
    return [
        check_statement(text, marks, vector, evidence)
        for (text, marks), vector in zip(parts, vectors, strict=False)
    ]


def check_statement(
    text: str, marks: Sequence[int], vector: np.ndarray, evidence: Evidence
) -> Statement:
    """The statement against the evidence sentences that hold its figures and names (in
    the sentence itself: a neighbour's figure is another claim's); of those, the closest
    supports it if it, with its neighbours and heading, says enough of the rest."""
    stems = set(content_stems(text)) - _FRAMING
    # "It cost 15,920 pounds." or "The answer is 15,920 pounds." says what it says of the
    # question's subject: read with the question's words, and never by the cosine alone
    # (the figure's own sentence is close to it whatever that sentence is about).
    leaning = leans_on_question(text, stems)
    if leaning:
        stems |= set(evidence.question.stems)
    asked = _question_words(evidence)
    facts_numbers, facts_names = numbers(text), names(text) - asked
    holding = []
    missing: set[str] = set(facts_numbers | facts_names)
    for candidate in evidence.candidates:
        lacking = (facts_numbers - numbers(candidate.text)) | (
            facts_names - {w.lower() for w in words(candidate.text)}
        )
        if not lacking and cells_agree(candidate, facts_numbers, stems):
            holding.append(candidate)
        elif len(lacking) < len(missing):
            missing = lacking
    if not holding:
        return Statement(
            text, False, [], list(marks), "", "not in the evidence: " + ", ".join(sorted(missing))
        )
    closest = sorted(holding, key=lambda c: -float(vector @ evidence.vector(c)))
    for candidate in closest[:SUPPORT_CANDIDATES]:
        cosine = float(vector @ evidence.vector(candidate))
        if _overlap(stems, evidence.context(candidate)) >= MIN_OVERLAP or (
            not leaning and cosine >= MIN_COSINE
        ):
            return _supported(text, marks, candidate, evidence)
    return Statement(text, False, [], list(marks), "", "no evidence sentence says this")


def cells_agree(candidate: Candidate, figures: set[str], stems: set[str]) -> bool:
    """A figure read from a table row must sit in the cell the statement names: "£288.30
    year to date" is not "£288.30 this period". A statement that names another column of
    the row, and not the one its figure is in, does not hold (a sentence always agrees)."""
    record = candidate.sentence.record
    if record is None or len(record.cells) < 2:
        return True
    for figure in figures:
        holding = [c for c in record.cells if figure in numbers(c.value)]
        named = [c for c in record.cells if stems & set(content_stems(c.header))]
        if holding and named and not any(c in named for c in holding):
            return False
    return True


def leans_on_question(text: str, stems: set[str]) -> bool:
    """A statement whose subject is the question's: it opens with a pronoun, or it has
    fewer than OWN_WORDS content words besides its figures."""
    own = [s for s in stems if not s[:1].isdigit()]
    return text.lower().startswith(LEANING) or len(own) < OWN_WORDS


def _supported(
    text: str, marks: Sequence[int], candidate: Candidate, evidence: Evidence
) -> Statement:
    note = ""
    valid = [n for n in marks if 1 <= n <= len(evidence.passages)]
    if marks and candidate.source not in marks:
        wrong = ", ".join(f"[{n}]" for n in marks)
        note = (
            f"the model cited {wrong}; the evidence is in [{candidate.source}]"
            if valid
            else f"the model cited {wrong}, which names no passage"
        )
    return Statement(text, True, [candidate.source], list(marks), candidate.text, note)


def _overlap(stems: set[str], window: str) -> float:
    if not stems:
        return 0.0
    found = set(content_stems(window))
    return len(stems & found) / len(stems)


def _question_words(evidence: Evidence) -> set[str]:
    """Names the question itself gives are the user's, not the model's invention."""
    return {w.lower() for w in words(evidence.question.text)}
