"""Questions a user might ask of sample_docs/, each with the one file (and page) that answers it.

The retrieval tests expect each question's file (and, for the PDF, page) among the top three
results. Every fact lives in exactly one file, and the questions are worded the way a person
would ask, not copied from the passage, so a pass means retrieval understood the question.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SAMPLE_DOCS = Path(__file__).resolve().parents[1] / "sample_docs"


@dataclass(frozen=True)
class SampleQuestion:
    """`path` is relative to sample_docs/; `page` is 1-based for the PDF, else None."""

    question: str
    path: str
    page: int | None
    must_contain: str


SAMPLE_QUESTIONS: list[SampleQuestion] = [
    SampleQuestion(
        "How much does it cost an adult to join the orchard each year?",
        "handbook.md",
        None,
        "£24",
    ),
    SampleQuestion(
        "When is the right time to prune the plum and cherry trees?",
        "handbook.md",
        None,
        "only in July",
    ),
    SampleQuestion(
        "Where can I find the nearest defibrillator?",
        "handbook.md",
        None,
        "defibrillator is on the outside wall",
    ),
    SampleQuestion(
        "Which rootstock are the cordon trees on the south fence grafted onto?",
        "varieties.md",
        None,
        "M9",
    ),
    SampleQuestion(
        "Who discovered the Marrowbrook Pippin apple, and when?",
        "varieties.md",
        None,
        "Edith Larkworthy",
    ),
    SampleQuestion(
        "How much honey did the bees make last season?",
        "beekeeping-notes.txt",
        None,
        "41 kg",
    ),
    SampleQuestion(
        "What do we use against varroa mites, and at what time of year?",
        "beekeeping-notes.txt",
        None,
        "oxalic acid",
    ),
    SampleQuestion(
        "What time should I turn up for the Saturday work party?",
        "volunteer-rota.txt",
        None,
        "10:00 to 13:00",
    ),
    SampleQuestion(
        "Who runs the grafting workshop in March?",
        "volunteer-rota.txt",
        None,
        "led by Tomasz Reilly",
    ),
    SampleQuestion(
        "What was the total weight of apples picked in 2025?",
        "annual-report-2025.pdf",
        2,
        "6.8",
    ),
    SampleQuestion(
        "How big was the grant the district council gave us?",
        "annual-report-2025.pdf",
        3,
        "5,000 pounds",
    ),
    SampleQuestion(
        "What did the hydraulic cider press cost and who made it?",
        "annual-report-2025.pdf",
        4,
        "3,275 pounds",
    ),
    SampleQuestion(
        "How many trees will be planted along the north hedge?",
        "annual-report-2025.pdf",
        5,
        "30 new trees",
    ),
    SampleQuestion(
        "How many paid-up members did the orchard have at the end of 2025?",
        "annual-report-2025.pdf",
        1,
        "143",
    ),
    SampleQuestion(
        "On which date is Apple Day this autumn?",
        "meeting-minutes-2026-03.docx",
        None,
        "11 October 2026",
    ),
    SampleQuestion(
        "Who is in charge of swapping the rabbit guards for mesh ones?",
        "meeting-minutes-2026-03.docx",
        None,
        "Priya Castellane",
    ),
    SampleQuestion(
        "What was decided about keeping goats to graze the grass?",
        "meeting-minutes-2026-03.docx",
        None,
        "19 votes to 9",
    ),
    SampleQuestion(
        "How many pheromone traps do we hang for codling moth, and when?",
        "pest-guide.html",
        None,
        "every five trees",
    ),
    SampleQuestion(
        "What should I do with apples that have brown rot?",
        "pest-guide.html",
        None,
        "green waste",
    ),
]
