"""Declining prose just above the threshold where its best window lacks what the question
turns on (issue 23, point 4; SQuAD's unanswerable decline): a negation, a figure, a name
swapped in from another passage. The way a question the text cannot answer is made from
one it can: the same words, one thing changed.

The papers are short histories and a plumber's letter written here, each read whole as
one passage; the embedding model and the sentence scorer are the real ones. The score is
passed in, as the combiner would give it, so that each margin is tested at its edge."""

from __future__ import annotations

from pathlib import Path

from conftest import write
from test_abstain_topic import whole

from assistant.evidence.abstain import (
    FIGURE_MARGIN,
    NEGATED_MARGIN,
    SWAPPED_NAME_MARGIN,
    THRESHOLD,
    changed_from_prose,
)
from assistant.evidence.select import Evidence, select_evidence
from assistant.evidence.topic import period_letters, topic_words

NORMANS = (
    "# The Normans\n\n"
    "In 1066 the Normans conquered England under William, Duke of Normandy. "
    "The conquest brought a new aristocracy and a new language to the English court.\n"
)
CRUSADES = (
    "# The crusades\n\n"
    "Bohemond of Taranto led the Italo-Norman army on the First Crusade and took Antioch.\n"
)
REPORT = (
    "# Retail review\n\n"
    "Dan Murphy’s store network grew to 230 with three new store openings in Q4.\n"
)
OUTLOOK = "# Outlook\n\nDan Murphy's plans more openings in FY20 across Victoria.\n"
PLUMBER = (
    "# Water heater replacement\n\n"
    "Plan on the hot water being off for about 4 hours while the new tank is fitted.\n"
)


def _evidence(embedder, tmp_path: Path, question: str, *papers: tuple[str, str]) -> Evidence:  # type: ignore[no-untyped-def]
    passages = [
        whole(write(tmp_path, name, text), doc_id=i + 1) for i, (name, text) in enumerate(papers)
    ]
    evidence = select_evidence(question, passages, embedder.embed)
    assert evidence.candidates[0].sentence.record is None, "prose"
    return evidence


def _declined_up_to(evidence: Evidence, margin: float) -> bool:
    """Whether the rule declines the evidence just below `margin` above the threshold and
    answers it just above."""
    return changed_from_prose(evidence, THRESHOLD + margin - 0.05) and not changed_from_prose(
        evidence, THRESHOLD + margin + 0.05
    )


def test_a_question_that_negates_what_the_window_says_is_declined_near_the_threshold(
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    """ "never conquered" asked of "conquered": declined up to NEGATED_MARGIN above the
    threshold, answered above it; "without hot water" is said as "off", no negation."""
    papers = ("normans.md", NORMANS)
    evidence = _evidence(embedder, tmp_path, "Which country did the Normans never conquer?", papers)
    assert _declined_up_to(evidence, NEGATED_MARGIN)
    evidence = _evidence(embedder, tmp_path, "Which country did the Normans conquer?", papers)
    assert not changed_from_prose(evidence, THRESHOLD + 0.05)
    question = "How long will we be without hot water?"
    evidence = _evidence(embedder, tmp_path, question, ("heater_letter.md", PLUMBER))
    assert "about 4 hours" in evidence.candidates[0].text
    assert not changed_from_prose(evidence, THRESHOLD + 0.05)


def test_a_figure_the_window_does_not_hold_is_declined_near_the_threshold(
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    """ "in 1071" asked of "In 1066": declined up to FIGURE_MARGIN above the threshold."""
    papers = ("normans.md", NORMANS)
    evidence = _evidence(embedder, tmp_path, "Who did the Normans conquer in 1071?", papers)
    assert _declined_up_to(evidence, FIGURE_MARGIN)
    evidence = _evidence(embedder, tmp_path, "Who did the Normans conquer in 1066?", papers)
    assert not changed_from_prose(evidence, THRESHOLD + 0.05)
    # "F19" names the year a report is about, which its sentences do not repeat; nor is
    # its "F" a name, nor "Murphy’s" another name than "Murphy's".
    question = "How many stores were in Dan Murphy's store network in F19?"
    papers = [("report.md", REPORT), ("outlook.md", OUTLOOK)]
    evidence = _evidence(embedder, tmp_path, question, *papers)
    assert "grew to 230" in evidence.candidates[0].text
    assert not changed_from_prose(evidence, THRESHOLD + 0.05)
    assert period_letters("What was the adjustment in FY18 and in Q4?") == {"fy", "q"}
    assert topic_words("What was the adjustment of the values in FY18?") == ["adjustment"]


def test_a_name_swapped_in_from_another_passage_is_declined_near_the_threshold(
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    """Bohemond is in the crusades passage, not in the conquest's: a question about him
    answered by the conquest is declined just above the threshold. A name nothing retrieved
    holds is no swap (that is a topic nothing holds: `topic.unheld`)."""
    papers = [("normans.md", NORMANS), ("crusades.md", CRUSADES)]
    evidence = _evidence(embedder, tmp_path, "Which country did Bohemond conquer in 1066?", *papers)
    assert "conquered England" in evidence.candidates[0].text
    assert _declined_up_to(evidence, SWAPPED_NAME_MARGIN)
    evidence = _evidence(
        embedder, tmp_path, "Which country did Charlemagne conquer in 1066?", *papers
    )
    assert not changed_from_prose(evidence, THRESHOLD + 0.05)
    evidence = _evidence(embedder, tmp_path, "Which country did William conquer in 1066?", *papers)
    assert not changed_from_prose(evidence, THRESHOLD + 0.05)
