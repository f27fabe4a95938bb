"""Dots that end no sentence: the one rule for where a sentence ends (evidence.text)
and whether a form field's value runs on into a second one (evidence.records), so
"Primary care: Dr. Helen Marsh" is one field and one sentence alike."""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "prof",
        "sr",
        "jr",
        "vs",
        "etc",
        "eg",
        "ie",
        "no",
        "nos",
        "fig",
        "vol",
        "ca",
        "approx",
        "inc",
        "ltd",
        "co",
        "corp",
        "gen",
        "col",
        "lt",
        "sgt",
        "rev",
        "hon",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)


def ends_no_sentence(block: str, dot: int) -> bool:
    """A dot that ends no sentence: an abbreviation's, an initial's, or one of a run of
    dots (a leader: "Lisinopril 10 mg ........ 1 tablet")."""
    if block[dot] != ".":
        return False
    if block[dot - 1 : dot] == ".":
        return True
    word = re.search(r"(\w+)$", block[:dot])
    if word is None:
        return False
    token = word.group(1)
    return (len(token) == 1 and token.isupper()) or token.lower() in ABBREVIATIONS
