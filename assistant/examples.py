"""Example questions for a first screen, drawn from the user's own file names and headings.

A blank chat asks the newcomer to guess what the index knows; a question that names one of
their own files and one of its sections shows what to ask and that the answer will cite it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

EXAMPLES = 3
_TRAILING = re.compile(r"[\s:;,.?!]+$")
_NUMBERING = re.compile(r"^(\d+(\.\d+)*[.)]?|[IVX]+\.)\s+")  # "1. Apologies", "2.3 Fees"


def example_questions(
    files: Sequence[tuple[str, Sequence[str]]], count: int = EXAMPLES
) -> list[str]:
    """One question per file, files with a section heading first (a question about a
    section is one the evidence can answer), at most `count`."""
    with_heading = [(path, headings) for path, headings in files if headings]
    without = [(path, headings) for path, headings in files if not headings]
    questions = []
    for path, headings in [*with_heading, *without][:count]:
        name = PurePath(path).name
        if headings:
            section = _NUMBERING.sub("", _TRAILING.sub("", headings[-1]))
            questions.append(f"What does {name} say about {section}?")
        else:
            questions.append(f"What are the main points of {name}?")
    return questions
