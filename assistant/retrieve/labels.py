"""The words a paper's labels use for what a question asks in other words.

People ask in verbs and plain words; papers answer under labels: "When does the bus
leave?" is answered by `Departure: 8:45 AM`, "What do we still owe on the house?" by
`Outstanding principal balance`, "the last payment" by "The final payment of $630.77",
"How tall is the fence?" by `Height: 5 feet`, "1 teaspoon" by a row labelled `1 tsp`.
No word is shared, so the keyword side, which finds rows by their labels, misses them,
and the embedding model alone places them in its thirties.

This is a small, general vocabulary of such question forms and the label words a person
reads them as (the verb and the field that records it, the spoken word and its
abbreviation on a form or a recipe), searched by the keyword side as other forms of the
question's word: they widen what BM25 matches and what coverage counts as held, never
the vector side's query, and never weigh more than the question's own word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A question's word -> the label words that record it on a paper.
_LABELS: dict[str, tuple[str, ...]] = {
    # What is owed is a balance: "still owe", "how much is owed", "amount owing".
    "owe": ("balance", "outstanding"),
    "owed": ("balance", "outstanding"),
    "owing": ("balance", "outstanding"),
    # Times of going and coming are departures and arrivals.
    "leave": ("departure", "depart"),
    "leaves": ("departure", "depart"),
    "arrive": ("arrival",),
    "arrives": ("arrival",),
    # The last of a series is called its final one, and the other way round.
    "last": ("final",),
    "final": ("last",),
    # What something costs is its price.
    "cost": ("price",),
    "costs": ("price",),
    "price": ("cost",),
}

# "How ADJ" asks for the measure's name, the label it sits under (`Height: 5 feet`).
# Only after "how": "the old contract" asks for no age, "a big order" for no size.
_MEASURES: dict[str, tuple[str, ...]] = {
    "tall": ("height",),
    "high": ("height",),
    "heavy": ("weight",),
    "old": ("age",),
    "wide": ("width",),
    "deep": ("depth",),
    "far": ("distance",),
    "big": ("size",),
    "long": ("length", "duration"),
}

# Units and labels written short on forms, recipes and tables, both ways.
_SHORT = (
    ("teaspoon", "tsp"),
    ("teaspoons", "tsp"),
    ("tablespoon", "tbsp"),
    ("tablespoons", "tbsp"),
    ("minute", "min"),
    ("minutes", "min"),
    ("hour", "hr"),
    ("hours", "hrs"),
    ("ounce", "oz"),
    ("ounces", "oz"),
    ("pound", "lb"),
    ("pounds", "lbs"),
    ("foot", "ft"),
    ("feet", "ft"),
    ("account", "acct"),
    ("amount", "amt"),
    ("department", "dept"),
    ("appointment", "appt"),
)

_WORD = re.compile(r"\w+", re.UNICODE)


def _shorts() -> dict[str, tuple[str, ...]]:
    both: dict[str, list[str]] = {}
    for long, short in _SHORT:
        both.setdefault(long, []).append(short)
        both.setdefault(short, []).append(long)
    return {w: tuple(dict.fromkeys(forms)) for w, forms in both.items()}


_ABBREVIATIONS = _shorts()


def label_forms(question: str, terms: Sequence[str]) -> dict[str, list[str]]:
    """For each of `terms` (the keyword side's words of `question`), the label words a
    paper may record it under, if any: `leave` -> departure, depart; `tall` after "how"
    -> height; `teaspoon` -> tsp. A term with none is left out."""
    words = _WORD.findall(question.lower())
    after_how = {b for a, b in zip(words, words[1:], strict=False) if a == "how"}
    found: dict[str, list[str]] = {}
    for term in terms:
        forms = [
            *_LABELS.get(term, ()),
            *(_MEASURES.get(term, ()) if term in after_how else ()),
            *_ABBREVIATIONS.get(term, ()),
        ]
        forms = [f for f in dict.fromkeys(forms) if f != term and f not in terms]
        if forms:
            found[term] = forms
    return found
