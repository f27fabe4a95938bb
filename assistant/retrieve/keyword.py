"""The keyword side's query: the words worth matching, the rarest within a postings budget,
and a safe FTS5 expression for them.

BM25 finds rare exact words (names, numbers, codes) that a small embedding model blurs;
common words add little to its ranking but most of its cost, so they are dropped first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal

# Words so common that matching them says nothing about relevance; dropped from the
# keyword query (the vector side still reads the whole question).
_STOPWORD_LIST = """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    yours yourself yourselves
"""
# A negated auxiliary is two of them, "can" and "not": "Who decides if he can't?" is about
# deciding, as "if he cannot" is (written with either apostrophe).
_NEGATED = """
    aren't can't couldn't didn't doesn't don't hadn't hasn't haven't isn't mustn't needn't
    shan't shouldn't wasn't weren't won't wouldn't cannot
"""
STOPWORDS = frozenset(
    _STOPWORD_LIST.split() + [w for n in _NEGATED.split() for w in (n, n.replace("'", "’"))]
)
# An agent noun's ending that Porter keeps ("plumber") while stemming the activity
# ("plumbing" is "plumb"), and the letters a form has at least: see `agent_forms`.
AGENT_ENDINGS = ("er", "or")
ROOT_LETTERS = 5
_WORD = re.compile(r"\w+", re.UNICODE)


def keyword_terms(text: str) -> list[str]:
    """The words of `text` worth matching: lower-cased, stopwords out (unless nothing else
    is left), each once."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    if not words:
        words = _WORD.findall(text.lower())
    return list(dict.fromkeys(words))


def affordable_terms(
    terms: Sequence[str], postings: Mapping[str, int], budget: int, keep: int = 2
) -> list[str]:
    """The terms, in their order, whose postings fit `budget`, the rarest taken first; the
    `keep` rarest always stay, so a question of common words still has a keyword side."""
    kept: set[str] = set()
    spent = 0
    for term in sorted(terms, key=lambda t: postings.get(t, 0)):
        cost = postings.get(term, 0)
        if len(kept) < keep or spent + cost <= budget:
            kept.add(term)
            spent += cost
    return [t for t in terms if t in kept]


def agent_forms(stem: str) -> list[str]:
    """The other forms of a word, as stems, that Porter leaves apart from it: an agent
    noun and its activity. Porter stems the activity and keeps the agent whole
    ("plumbing" is "plumb", "plumber" stays "plumber"; "teaches" "teach", "teacher"
    "teacher"), so a question about the plumber missed the bank row "KOWALSKI PLUMBING".

    "plumber" gives "plumb" and "plumbe"; "plumb" gives "plumber", "plumbor" and "plumbr";
    only forms of ROOT_LETTERS letters or more, as a shorter one is often another word
    ("cent" for "center", "late" for "later"). Which of them the index holds is the
    caller's to look up.
    """
    if len(stem) < ROOT_LETTERS or not stem.isalpha():
        return []
    forms = [stem + ending for ending in (*AGENT_ENDINGS, "r")]
    if stem.endswith(AGENT_ENDINGS):
        forms += [stem[:-2], stem[:-1]]
    return [f for f in forms if len(f) >= ROOT_LETTERS]


def fts_expression(terms: Sequence[str], operator: Literal["OR", "AND"] = "OR") -> str | None:
    """A safe FTS5 expression: every term quoted, joined with OR (or AND).

    Quoting turns FTS5 syntax (AND, NEAR, *, -, parentheses, column filters) into plain
    words, so no input can raise a syntax error. None when there is no term.
    """
    if not terms:
        return None
    return f" {operator} ".join('"' + t.replace('"', '""') + '"' for t in terms)
