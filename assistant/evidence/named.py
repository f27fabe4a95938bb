"""Which paper, by a word of its name: "the van's policy", "the mortgage statement", "the
pet insurance".

A household keeps papers of one kind side by side: two auto policies (the RAV4's and the
van's), a car insurance schedule beside a contents policy and a pet insurance certificate.
Their lines read alike ("Paperless and autopay: -$17.50" in both policies), so the sentence
scorer cannot tell which one the question means; the question says so by a word of the
paper's name. A careful reader looks at what each retrieved paper is called (its file's
name and its title) and:

- `unnamed`: takes the words of the question that name some of the retrieved papers and
  not the others ("van" names `granite_shield_auto_transit_van_2025.pdf`, not the RAV4's),
  and finds those a candidate's paper is not named by: assistant/evidence/which.py prefers
  the candidate lacking fewest (the van's policy's line over the RAV4's). It declines
  nothing by them: a question names several things ("Evan's ankle X-ray", "the farmers
  market in August"), and the answer's paper is often named by one or none
  (bench/RESULTS.md: declining on them refused a fifth of the answerable questions);
- `unknown_papers`: finds the paper a question names by a kind and a qualifier ("the
  water bill", "the buildings insurance", "our umbrella liability policy") when papers of
  that kind were retrieved and none is named by the qualifier: the household keeps no such
  paper, and the bill or policy found is another one.

Only the paper's own name counts, never a line of it: the contents policy says "The
building is insured by your landlord" and is still no buildings insurance.
"""

from __future__ import annotations

import re

import numpy as np

from assistant.evidence.select import Candidate, Evidence
from assistant.evidence.text import content_stems, stem, words
from assistant.evidence.whose import KINSHIP
from assistant.retrieve import STOPWORDS, Passage
from assistant.retrieve.labels import OTHER_NAMES
from ingest.dates import MONTHS
from ingest.namewords import file_terms

# The kinds of paper a question names a paper by ("the water bill", "the pet insurance"),
# as nouns: "billed" is no bill. Each names its kind as a stem; an insurance is a policy.
KINDS = frozenset(
    """bill bills statement statements policy policies insurance agreement agreements
    contract contracts lease leases invoice invoices receipt receipts payslip payslips
    paystub paystubs notice notices letter letters certificate certificates licence
    licences license licenses schedule schedules""".split()  # noqa: SIM905 - a word list, read as one
)
_SAME_KIND = {stem("insurance"): stem("policy")}
# Words before a kind that say which one of a kind without naming it ("the new contract",
# "our monthly water bill", "how much notice"): where a paper's qualifiers stop.
_NOT_QUALIFIERS = frozenset(
    """much many new old current last next latest first second this that other same
    monthly annual yearly whole recent previous""".split()  # noqa: SIM905 - a word list, read as one
)
# How many words before the kind may qualify it ("our umbrella liability policy").
QUALIFIER_WORDS = 2
# A paper's name this close (embedding cosine) to the phrase the question names it by is
# that paper called otherwise: "utility bill" to the "Power & Gas bill" 0.56, "hospital
# statement" to a "Patient statement" 0.62; "water bill" to an electricity bill 0.38,
# "buildings insurance" to a contents policy 0.46 (bench/RESULTS.md, Issue 23 "which
# paper by a word of its name").
CALLED_ALIKE = 0.5


def _naming(stems: list[str]) -> set[str]:
    """Stems that can name a paper: not figures or months (the date checks read those,
    assistant/evidence/qualifiers.py)."""
    return {s for s in stems if not s[:1].isdigit() and s not in MONTHS}


def _title_words(passage: Passage) -> list[str]:
    """The words of a passage's file's name and title, figures and months aside."""
    title = passage.headings[0] if passage.headings else ""
    return [
        w
        for w in words(f"{file_terms(passage.path)} {title}")
        if not w[:1].isdigit() and w.lower() not in MONTHS
    ]


def paper_names(evidence: Evidence) -> dict[str, set[str]]:
    """Each retrieved paper's name as stems, by path: its file's name and its title (the
    first heading of its passages: "Auto policy declarations", "PawSure: pet insurance
    certificate"). A section heading is part of the paper, not its name."""
    names: dict[str, set[str]] = {}
    for passage in evidence.passages:
        names.setdefault(passage.path, set()).update(
            _naming(content_stems(" ".join(_title_words(passage))))
        )
    return names


def naming_words(evidence: Evidence) -> set[str]:
    """The question's words that name some of the retrieved papers and not all of them:
    "van" where the van's policy and the RAV4's were retrieved, "pet" where the pet
    insurance was retrieved beside the car's."""
    names = list(paper_names(evidence).values())
    asked = _naming(list(evidence.question.stems)) - _times(evidence.question.text)
    return {w for w in asked if any(w in n for n in names) and not all(w in n for n in names)}


# "This quarter", "last month", "per year": a time counted from now or by the period, which
# says when; it names no paper ("What does Dad pay towards the lift this quarter?" is the
# levy notice's, not the quarterly tax worksheet's).
_RELATIVE_TIME = re.compile(
    r"\b(?:this|last|next|that|per|each|every|a)\s+(?:financial\s+|tax\s+|school\s+)?"
    r"(quarter|month|year|week|season|term|period|fortnight|semester)s?\b",
    re.IGNORECASE,
)


def _times(question: str) -> set[str]:
    """The stems of the periods the question counts from now or by ("quarter" in "this
    quarter")."""
    return {stem(m.group(1)) for m in _RELATIVE_TIME.finditer(question)}


def unnamed(evidence: Evidence, candidate: Candidate) -> list[str]:
    """The `naming_words` the candidate's paper is not named by: ["van"] for the RAV4
    policy's line. Empty where its paper is the one the question names (or none is)."""
    name = paper_names(evidence)[evidence.passages[candidate.source - 1].path]
    return sorted(naming_words(evidence) - name)


def named_papers(question: str) -> list[tuple[str, str, list[str]]]:
    """The papers a question names by kind and qualifier, as written, by kind and by
    qualifiers: "the van's policy" is ("van's policy", "policy", ["van"]), "our umbrella
    liability policy" ("umbrella liability policy", "policy", ["liability", "umbrella"]);
    a kind with no qualifier before it ("the bill") names no paper."""
    tokens = words(question)
    found = []
    for i, token in enumerate(tokens):
        if token.lower() not in KINDS:
            continue
        kind = _kind(token)
        qualifiers = []
        others = []  # another country's word for one names the paper too ("strata": levy)
        for word in reversed(tokens[max(0, i - QUALIFIER_WORDS) : i]):
            bare = word.lower().replace("’", "'").removesuffix("'s")
            qualifier = stem(word)
            if bare in STOPWORDS | KINSHIP | _NOT_QUALIFIERS | KINDS or not _naming([qualifier]):
                break
            qualifiers.append(qualifier)
            others.extend(stem(o) for o in OTHER_NAMES.get(word.lower(), ()))
        if qualifiers:
            phrase = " ".join(tokens[i - len(qualifiers) : i + 1])
            found.append((phrase, kind, [*qualifiers, *others]))
    return found


def _kind(word: str) -> str:
    kind = stem(word)
    return _SAME_KIND.get(kind, kind)


def unknown_papers(evidence: Evidence) -> list[str]:
    """The papers the question names ("water bill") that no retrieved paper is, while
    papers of that kind were retrieved (the electricity bills): the household keeps none,
    and what was found is another one. Empty where a retrieved paper of any kind is named
    by a qualifier, or no paper of the kind was retrieved (the question may name a thing,
    not a paper)."""
    names = list(paper_names(evidence).values())
    everything = set().union(*names) if names else set()
    kinds = {_SAME_KIND.get(w, w) for w in everything}
    missing = []
    for phrase, kind, qualifiers in named_papers(evidence.question.text):
        if kind in kinds and not everything.intersection(qualifiers):
            missing.append(phrase)
    return [p for p in missing if not _called_alike(evidence, p)]


def _called_alike(evidence: Evidence, phrase: str) -> bool:
    """Whether a retrieved paper's name means what the phrase says in other words ("the
    utility bill" is the "Power & Gas bill", "the hospital statement" the "Patient
    statement"): the embedding cosine of the phrase to its file's name and title."""
    titles = {" ".join(_title_words(p)) for p in evidence.passages}
    if evidence.embed is None or not titles:
        return False
    vectors = np.asarray(evidence.embed([phrase, *sorted(titles)]), dtype=np.float32)
    return float(np.max(vectors[1:] @ vectors[0])) >= CALLED_ALIKE
