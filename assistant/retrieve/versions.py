"""Which version of a paper a question means: "the new agreement" is the latest of the
files that are versions of one paper, "the 2023 agreement" the one of 2023.

A household keeps each year's contract, policy or statement under one name with another
date (`supply_agreement_2023.docx`, `supply_agreement_2025.docx`). The two read alike, so
both fill the passages a question gets, and "What day does Prairie Mill deliver under the
new contract?" got four passages of the two versions' title and signature pages and none
of the 2025 delivery clause. A person asked about the new one does not read the old one:
the version the question sets aside is left out of the search, so its places go to the
version meant.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from ingest.dates import MONTH_NAMES
from ingest.namewords import name_figures, paper_name

# Words that ask for the latest version, and for the earlier of two.
NEWER = frozenset({"new", "newer", "newest", "latest", "current", "updated", "renewed"})
OLDER = frozenset({"old", "older", "oldest", "previous", "prior", "original", "former", "expired"})
_WORD = re.compile(r"\w+", re.UNICODE)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def _wanted(words: list[str]) -> str | None:
    """ "newer", "older" or None, from the question's words; a word after "how" asks for a
    measure ("how old is the roof"), not a version, and a question with both kinds of word
    compares the versions."""
    asked = {w for n, w in enumerate(words) if n == 0 or words[n - 1] != "how"}
    newer, older = bool(asked & NEWER), bool(asked & OLDER)
    if newer == older:
        return None
    return "newer" if newer else "older"


def set_aside(question: str, paths: Iterable[str]) -> set[str]:
    """Of `paths`, the files that are versions of one paper (names that differ only in
    figures, each with a year in it) which the question does not mean:
    - a year it names that some versions' names hold sets aside those that do not;
    - otherwise, unless it names a month or a year (the date chooses, not "new"), "new",
      "latest" or "current" set aside all but the latest version, and "old", "previous"
      or "original" all but the earlier of two (of three or more, "previous" is no one
      version)."""
    words = _WORD.findall(question.lower())
    years = {int(y) for y in _YEAR.findall(question)}
    dated = bool(years) or any(m in words for m in MONTH_NAMES)
    wanted = None if dated else _wanted(words)
    if not years and wanted is None:
        return set()
    papers: dict[str, list[str]] = defaultdict(list)
    for path in dict.fromkeys(paths):
        figures = name_figures(path)
        if paper_name(path) and any(1900 <= f < 2100 for f in figures):
            papers[paper_name(path)].append(path)
    aside: set[str] = set()
    for versions in papers.values():
        if len(versions) < 2:
            continue
        if years:
            named = [p for p in versions if years & set(name_figures(p))]
            if named:
                aside.update(p for p in versions if p not in named)
        elif wanted == "newer":
            latest = max(versions, key=name_figures)
            aside.update(p for p in versions if p != latest)
        elif len(versions) == 2:
            earlier = min(versions, key=name_figures)
            aside.update(p for p in versions if p != earlier)
    return aside
