"""What the question is about, against the paper the chosen unit comes from.

A question the documents cannot answer is most often about a thing they hold nothing on,
asked in the shape of one they do: "How much do we pay the babysitter per hour?" finds a
payslip's Hours row, "What grade did Theo get in Spanish?" Theo's report card (Nora's has
Spanish). The scores see a good match (an amount, an hour, Theo, a grade); a reader sees
that the babysitter, or Spanish, is nowhere on that paper. So:

- `topic_words`: the question's words that name what it is about: its content words less
  those of the asked-for kind ("how much", "what time", "name", "cost", units: an answer
  says those by being one), the commonest verbs, adverbs, adjectives and comparisons that
  shape any question ("still", "so far", "get", "larger"), kinship words, months, figures
  and ordinals (the date checks read those);
- `uncovered`: those that the chosen unit's paper does not hold, in any of its retrieved
  passages, its headings, its title or its file's name, by stem or as part of a longer
  word ("stub" in "paystub", "plumber" and "Plumbing") or spelt out for an abbreviation
  ("CD", "Certificate of deposit"), and that no word of the unit and
  what names it (its label and headers, headings, title and file's name) is close to in
  meaning (the embedding cosine of the two words: "kilowatt" and "kWh", "car" and
  "vehicle").

For a table row or form field (`off_topic`, `on_topic`), a topic word the paper does not
hold in any form is a reason to say the documents do not say, and a paper holding them
all a reason to answer where the combiner barely doubts (assistant/evidence/abstain.py;
the curve on each set in bench/RESULTS.md, "Issue 23, point 4: the question's topic on
the chosen paper").
"""

from __future__ import annotations

import re

import numpy as np

from assistant.evidence.nicknames import goes_by
from assistant.evidence.qualifiers import document_name
from assistant.evidence.select import Candidate, Evidence
from assistant.evidence.text import NUMBER_WORDS, stem, words
from assistant.evidence.whose import KINSHIP, asked_names, file_words, kin_owners
from assistant.retrieve import STOPWORDS
from assistant.retrieve.labels import OTHER_NAMES, sayings_asked
from ingest.dates import MONTHS

# Words that say what kind of answer is wanted, not what it is about: a paper says them
# by holding an answer ("How much is the fee" is answered by "$25").
ASKED_FOR = frozenset(
    """what which who whom whose when where why how much many kind type sort name named
    called time date dates day days year years month months amount number numbers cost
    costs price total long often far old big tall hour hours minute minutes week weeks
    percent percentage share lb lbs kg oz mile miles km kilometre kilometres kilometer
    kilometers reason reasons cause causes caused worth
    causing led result results resulted location located based situated place places component
    components item items part parts value values table tables figure figures respective
    respectively chronological alphabetical ascending descending""".split()  # noqa: SIM905 - a word list, read as one
)
# The commonest English verbs, adverbs and adjectives: they shape a question about anything
# ("What do we still owe", "so far this year", "how much did it come to", "the final
# price") and no paper needs to say them. A general list, not one read off the questions.
SHAPING = frozenset(
    """be been being am is are was were do does did doing done have has had having say
    says said go goes going went gone get gets got getting make makes made know knew
    think thought take takes took taken see sees saw seen come comes came want wants
    wanted look looks use uses used find found give gives gave given tell tells told
    work works call try tries tried ask asks asked need needs feel become becomes leave
    leaves left put mean means keep keeps kept let begin began seem help talk turn start
    started show hear play run runs move like live believe hold holds bring brings
    brought happen happened write wrote provide sit stand lose lost pay pays paid paying
    meet include continue set learn change lead understand watch follow stop create speak
    read allow allowed add spend spent grow open walk win offer remember love consider
    appear buy bought wait serve die send sent expect build stay fall cut reach remain
    suggest raise raised pass sell sold require report decide pull hope estimate land
    cover covers covered deliver answer answered calculate end ends ended ending finish
    finishes finished owe owes owed owing count counting putting setting cutting running
    sitting winning stopping beginning receive receives received receiving wrong
    still actually according across toward towards again instead anything something
    everything ever even also just already yet far right now currently once soon ahead
    back away out up per each every ago without along among within upon via
    primarily mainly mostly chiefly largely usually typically generally commonly often
    frequently originally initially eventually
    list listed listing derive derived
    good new first last long great little own other old big high different small large
    next early young important few public bad same able final original late latest
    internal full whole current second third fourth fifth more most less least fewer
    higher highest lower lowest larger largest bigger biggest greater greatest smaller
    smallest exceed exceeds shown include included includes record recorded represent
    us ours can could will would should may might must one ones thing things lot bit
    way""".split()  # noqa: SIM905 - a word list, read as one
)


def _inflected(verbs: frozenset[str]) -> frozenset[str]:
    """The words with their -s, -ed and -ing forms ("make": "making", "calculate":
    "calculated"): a shaping verb shapes in any form."""
    forms = set(verbs)
    for verb in verbs:
        base = verb[:-1] if verb.endswith("e") else verb
        forms.update({verb + "s", base + "ed", base + "ing"})
    return frozenset(forms)


SHAPING_FORMS = _inflected(SHAPING)
# What a figure's ordinal ending reads as once the figure is split off ("10th": "th").
ORDINAL_ENDINGS = frozenset({"st", "nd", "rd", "th"})
# A topic word this close (embedding cosine, word to word) to a word of the paper is the
# paper's word said otherwise ("kilowatt" and "kWh" 0.73, "meal" and "food" 0.80); an
# unrelated pair scores 0.3-0.45 with this model ("babysitter" and "paystub" 0.34); 0.55
# and 0.6 also take "shot" for "vaccination" (0.51) as another thing (bench/RESULTS.md).
CLOSE = 0.5
# A word whose stem, this long, starts another ("plumber", "Plumbing"), that sits inside it
# ("stub", "paystub"), or whose letters before an ending (PART at least) start it
# ("buried", "burial"; "allergic", "allergies") is the same word. Its stem, not its first
# letters: "college" and "collections" share five letters and no stem.
PART = 4
_ENDINGS = ("ing", "ed", "es", "ic")


# A person straight after a noun starts a clause about it that names no pronoun: "the
# car we're paying off at the credit union" (the credit union is another paper's).
_CLAUSE_SUBJECTS = frozenset(
    "i i'm i've we we're we've you you're you've they they're they've he he's she she's".split()  # noqa: SIM905 - a word list, read as one
)
# "Charge" said as a verb asks a sum, as "pay" does ("What did the doctor charge for
# Róisín's ear?", "How much does the nursery charge per day?"): after an auxiliary and its
# subject, before what it is charged for or to whom. As a noun it is a thing a paper names
# ("the late charge", "When did the service charge go up?").
_CHARGED = re.compile(
    r"\b(?:did|does|do|will|would)\b(?:\s+[\w'’&.-]+){1,3}?\s+charged?"
    r"(?=\s+(?:for|per|a|an|each|us|me|him|her|them|you|to|on|at)\b|\s*[?.]|\s*$)",
    re.IGNORECASE,
)
# Every word that names no topic, joined once (not per word of every question).
_NO_TOPIC = (
    STOPWORDS | ASKED_FOR | SHAPING_FORMS | KINSHIP | MONTHS | NUMBER_WORDS | _CLAUSE_SUBJECTS
)


# The letters of a period or a designation written with its figures: "FY18", "F19", "Q4",
# "H1 2025". Such a word says which period (the figures), not what the question is about;
# a report gives the year in its headings and tables, and its sentences seldom repeat it.
_PERIOD = re.compile(r"\b([A-Za-z]{1,3})-?\d\w*")


def period_letters(question: str) -> set[str]:
    """The lower-cased letters of the question's periods and designations (`_PERIOD`):
    {"fy"} for "What was the adjustment in FY18?"."""
    return {m.lower() for m in _PERIOD.findall(question)}


def without_periods(text: str) -> str:
    """The text with its periods and designations (`_PERIOD`) blanked out."""
    return _PERIOD.sub(" ", text)


def topic_words(question: str) -> list[str]:
    """The question's words that name what it is about, lower-cased, in order: "babysitter"
    for "How much do we pay the babysitter per hour?" (an hour is a unit: the kind). Not a
    name that says whose kin is asked about: "Ciarán's mother" is the topic, and her care
    home's statement is in her name, not his (`whose.kin_owners`); nor "charge" said as a
    verb (`_CHARGED`); nor the letters of a period ("FY" of "FY18": `period_letters`)."""
    found = []
    shaping = kin_owners(question) | ({"charge", "charged"} if _CHARGED.search(question) else set())
    shaping |= period_letters(question)
    for word in words(question):
        bare = word.lower().replace("’", "'").removesuffix("'s")
        if len(bare) < 2 or bare[:1].isdigit() or bare in ORDINAL_ENDINGS:
            continue
        if bare not in _NO_TOPIC and bare not in shaping:
            found.append(bare)
    return list(dict.fromkeys(found))


# Words after the first that start a clause describing another thing the question names,
# not the thing asked: "the phone number of the vet who gave Biscuit his rabies shot".
_RELATIVE = frozenset({"who", "whom", "whose", "which", "where", "when", "if"})
_TOKEN = re.compile(r"[\w'’-]+|[^\w\s]")
# A noun is not followed by these; a verb is ("Which company insures the house?").
_DETERMINERS = frozenset(
    "the a an our my his her their your its this that these those".split()  # noqa: SIM905 - a word list, read as one
)


def _participle(run: list[str]) -> bool:
    """Whether the run ends in a participle ("the quarter ended July 27", "a member aged
    65"): after a noun, it says what the thing did; before one ("deferred revenue"), it
    is of its name."""
    return len(run) > 1 and run[-1].endswith("ed") and len(run[-1]) > 3


def compounds(question: str) -> list[tuple[str, ...]]:
    """The things the question's main clause names by two or more adjacent topic words,
    which a person reads as one thing: ("soccer", "practice"), ("credit", "score"),
    ("college", "savings", "accounts"). A possessive ("Nora's"), a figure or a mark ends
    one, and a word before "the", "our" (a verb: "which company insures the house") or a
    participle after its noun ("the quarter ended July 27") is not of it, nor a name
    after a common word ("the doctors can bill Walt"); a relative clause ("who ...",
    "when ...", "the car we're paying off") describes another thing, and is not read."""
    topic = set(topic_words(question))
    found: list[tuple[str, ...]] = []
    run: list[str] = []
    after_common = False  # the run's last word is a common one ("bill", not "Medicare")
    for i, token in enumerate([*_TOKEN.findall(question), "?"]):
        bare = token.lower().replace("’", "'")
        if (i > 0 and bare in _RELATIVE) or (run and bare in _CLAUSE_SUBJECTS):
            break
        if bare in topic:
            if after_common and token[:1].isupper():  # "can bill Walt": a name ends it
                if len(run) > 1:
                    found.append(tuple(run))
                run = []
            run.append(bare)
            after_common = not token[:1].isupper()
            continue
        if bare in _DETERMINERS or _participle(run):  # a verb ends the run
            run = run[:-1]
        if len(run) > 1:
            found.append(tuple(run))
        run = []
    if len(run) > 1:
        found.append(tuple(run))
    return found


def paper_text(evidence: Evidence, candidate: Candidate) -> str:
    """Everything retrieved of the candidate's paper: its passages, their headings and
    its file's name."""
    path = evidence.passages[candidate.source - 1].path
    return " ".join(f"{document_name(p)} {p.text}" for p in evidence.passages if p.path == path)


def _paper_words(text: str) -> list[str]:
    """The paper's words that could say a topic, lower-cased, in order, each once."""
    return list(
        dict.fromkeys(
            w.lower()
            for w in words(text)
            if len(w) > 1 and not w[:1].isdigit() and w.lower() not in STOPWORDS
        )
    )


def spelt_out(text: str, length: int) -> set[str]:
    """The initials of each run of `length` words (stop words skipped) that starts with a
    capital: "Certificate of deposit" gives "cd", so a question's "CD" is found in a
    paper that spells it out."""
    kept = [w for w in words(text) if w.lower() not in STOPWORDS]
    return {
        "".join(w[0].lower() for w in kept[i : i + length])
        for i in range(len(kept) - length + 1)
        if kept[i][:1].isupper()
    }


def _held(word: str, stems: set[str], held: list[str], spelt: set[str]) -> bool:
    """Whether the paper holds the word: by stem, as a part of a longer word (or a longer
    word of it), or spelt out where the question abbreviates it ("CD", "VIN")."""
    if stem(word) in stems or word in spelt:
        return True
    if any(stem(other) in stems for other in OTHER_NAMES.get(word, ())):
        return True  # "dentist" said as "Dental", "strata" as "levy"
    starts = {stem(word)}
    for ending in _ENDINGS:  # "buri" of "buried" starts "burial"
        if word.endswith(ending):
            starts.add(word[: -len(ending)])
            break
    starts = {s for s in starts if len(s) >= PART}
    return len(word) >= PART and any(
        any(w.startswith(s) for s in starts) or word in w or w in word
        for w in held
        if len(w) >= PART
    )


def unsaid(asked: list[str], text: str, abbreviated: frozenset[str] = frozenset()) -> list[str]:
    """The words the text holds in none of their forms (`_held`, no meaning): "vaccine"
    is said by "Vaccinations", "accounts" by "Checking account"; an `abbreviated` one
    ("vin") also where the text spells it out."""
    held = _paper_words(text)
    stems = {stem(w) for w in held}
    return [
        w
        for w in asked
        if not _held(w, stems, held, spelt_out(text, len(w)) if w in abbreviated else set())
    ]


def retrieved_text(evidence: Evidence) -> str:
    """Everything retrieved: each passage under its paper's name."""
    return " ".join(f"{document_name(p)} {p.text}" for p in evidence.passages)


def unheld_in_form(question: str, text: str) -> list[str]:
    """The question's `topic_words` that `text` holds in no form (by stem, as part of a
    longer word, spelt out), words close in meaning not counted."""
    abbreviated = frozenset(w.lower() for w in words(question) if w.isupper() and len(w) > 1)
    return unsaid(topic_words(question), text, abbreviated)


def uncovered(
    evidence: Evidence, candidate: Candidate, text: str | None = None, close: float = CLOSE
) -> list[str]:
    """The question's `topic_words` the candidate's paper (or `text`: `retrieved_text`)
    holds in no form: ["babysitter"] for a payslip's Hours row. Empty when it holds them
    all."""
    text = paper_text(evidence, candidate) if text is None else text
    passage = evidence.passages[candidate.source - 1]
    names_unit = f"{evidence.window_under_headings(candidate)} {' '.join(passage.headings)}"
    said = said_as_labelled(evidence.question.text, names_unit)
    missing = [t for t in unheld_in_form(evidence.question.text, text) if t not in said]
    # A name the paper writes otherwise ("Dan", "Daniel") is held (nicknames.py).
    names = asked_names(evidence.question.text).intersection(missing)
    if names:
        named = file_words(evidence, candidate)
        missing = [t for t in missing if not (t in names and goes_by(t, text, named))]
    # In other words: against what names the unit (its label, headers, headings, title and
    # file's name), not the whole paper: a few dozen short words to embed, not hundreds.
    naming = _paper_words(names_unit)
    if not missing or evidence.embed is None or not naming:
        return missing
    vectors = np.asarray(evidence.embed([*missing, *naming]), dtype=np.float32)
    closeness = vectors[: len(missing)] @ vectors[len(missing) :].T
    return [t for t, row in zip(missing, closeness, strict=True) if float(row.max()) < close]


SAYING_WORDS = 4  # the longest saying a phrase: "left to pay", "so far this year"


def said_as_labelled(question: str, unit: str) -> set[str]:
    """The question's words of a saying the unit says as its label: "put aside" where
    the unit is under "Saved so far", "run out" under "Expiry date". The paper says the
    thing in its own word, so the question's are no topic it lacks; a saying whose label
    the unit lacks ("the odometer reading" of a van policy with no Odometer line) still
    counts its words."""
    found = [
        words(match[0])
        for saying in sayings_asked(question)
        if saying.names.search(unit)
        for match in saying.asks.finditer(question)
    ]
    # A saying is a phrase; a match that runs across the question ("when ... due") holds
    # what it is about too, and takes none of it.
    return {w.lower() for said in found if len(said) <= SAYING_WORDS for w in said}


def _chosen_row(evidence: Evidence) -> Candidate | None:
    chosen = evidence.candidates[0] if evidence.candidates else None
    return chosen if chosen is not None and chosen.sentence.record is not None else None


def off_topic(evidence: Evidence) -> list[str]:
    """The topic words the chosen (first) unit's paper lacks, where that unit is a table
    row or a form field: ["babysitter"] for the payslip's "Hours: 86.67". A row or field
    says what it is by its label and headers, under its paper's name, so a topic that
    none of its paper's words is, is not what it answers. A sentence of prose is left to
    the combiner: an article talks around its topic in words no check finds ("Who
    conceptualized the piston?" is answered by "... first described by Papin"), and on
    SQuAD the same check declines as many answerable questions as unanswerable ones."""
    chosen = _chosen_row(evidence)
    return uncovered(evidence, chosen) if chosen is not None else []


def unheld(evidence: Evidence) -> list[str]:
    """The topic words that nothing retrieved holds in any form, where the chosen (first)
    unit is prose: ["roof"] for "How much did we pay for the new roof?" answered by a
    to-do line about the van's renewal. Stricter than `off_topic` (every retrieved paper,
    not the unit's own): an article that talks around its topic still says it somewhere
    in what the search found, and a search for a word any paper held would have found it."""
    chosen = evidence.candidates[0] if evidence.candidates else None
    if chosen is None or chosen.sentence.record is not None:
        return []
    return uncovered(evidence, chosen, retrieved_text(evidence))


def row_unheld(evidence: Evidence) -> list[str]:
    """The topic words that nothing retrieved holds in any form, where the chosen (first)
    unit is a table row or a form field, and none of the words naming that unit is close
    to in meaning: ["passport"] for "When does my passport expire?" answered by a power of
    attorney's "Notary commission expires: 08/30/2026". A search for a thing any paper
    names finds that paper; where none of what it found names it, a row that matches the
    rest of the question (an expiry, a date) is about something else, unless the combiner
    is very sure of it (assistant/evidence/abstain.py). Only the question's
    `main_clause` counts."""
    chosen = _chosen_row(evidence)
    if chosen is None:
        return []
    main = set(topic_words(main_clause(evidence.question.text)))
    return [w for w in uncovered(evidence, chosen, retrieved_text(evidence)) if w in main]


def main_clause(question: str) -> str:
    """The question up to its first relative word after the first ("the grandchild who
    inherits Grandpa's pocket watch": what follows describes another thing, which the
    two-paper hops read)."""
    tokens = _TOKEN.findall(question)
    for i, token in enumerate(tokens):
        if i > 0 and token.lower() in _RELATIVE:
            return " ".join(tokens[:i])
    return question


def compounds_unheld(evidence: Evidence) -> list[str]:
    """The question's `compounds` of which nothing retrieved holds any word in any form,
    where the chosen (first) unit is prose: ["swimming club"] for "What time does Zara's
    swimming club meet on Saturdays?" answered by the dentist's reminder to her parents.
    A thing named by two or more words is one a search finds where any paper names it.
    Not a name written with capitals ("Merthyr Tydfil", but "TV licence" is a thing): the
    name checks read those (assistant/evidence/whose.py)."""
    if not evidence.candidates or evidence.candidates[0].sentence.record is not None:
        return []
    runs = compounds(evidence.question.text)
    if not runs:
        return []
    missing = set(unheld(evidence))
    capitalised = {
        w.lower() for w in words(evidence.question.text)[1:] if w[:1].isupper() and not w.isupper()
    }
    return [" ".join(run) for run in runs if missing.issuperset(run) and not capitalised & set(run)]


def compounds_not_held(evidence: Evidence) -> list[str]:
    """The question's `compounds` of which the chosen (first) unit's paper holds no word
    in any form, where that unit is a table row or a form field: ["soccer practice"] for
    the to-do list's "Nora: band concert Tue 03/18, call time 6:15 PM". A thing named by
    two or more words is a thing a paper names; a paper that says none of them does not
    hold it, however well its row matches the rest of the question (the person, the kind
    of answer), and however sure the combiner is."""
    chosen = _chosen_row(evidence)
    runs = compounds(evidence.question.text) if chosen is not None else []
    if chosen is None or not runs:
        return []
    # By form first, on the paper's words alone; by meaning (the embedding) only then.
    paper = paper_text(evidence, chosen)
    bare = [run for run in runs if len(unsaid(list(run), paper)) == len(run)]
    missing = set(uncovered(evidence, chosen)) if bare else set()
    return [" ".join(run) for run in bare if missing.issuperset(run)]


# The nouns that name a kind of paper: the word before one says which ("the water bill",
# "the car insurance policy"), and a paper of another kind is no answer however well its
# lines match what is asked ("Amount due").
PAPER_NOUNS = frozenset(
    "bill bills statement invoice receipt policy payslip paystub notice letter quote".split()  # noqa: SIM905 - a word list, read as one
)
# A kind of paper is said otherwise by a closer word than a topic is: "water" and "gas"
# are 0.52 apart, "phone" and "mobile" 0.69, "vet" and "animal" 0.60, "electricity" and
# "power" 0.62.
KIND_CLOSE = 0.55
# ... but these say when, or what in general, not which kind: "the February utility
# bill" is the gas and power bill, "the hardware store receipt" a hardware shop's.
_ANY_KIND = frozenset(
    "utility utilities household monthly quarterly annual yearly weekly renewal store shop".split()  # noqa: SIM905 - a word list, read as one
)


def paper_kind_unheld(evidence: Evidence) -> list[str]:
    """The word that says which kind of paper the question asks of ("water" in "How much
    is our monthly water bill?"), where the chosen (first) unit is a row or field and its
    paper holds that word in no form and nothing close in meaning (`uncovered`): the
    electricity bill's "Amount due" does not say what the water bill comes to."""
    chosen = _chosen_row(evidence)
    if chosen is None:
        return []
    kinds = [
        run[i - 1]
        for run in compounds(evidence.question.text)
        for i in range(1, len(run))
        if run[i] in PAPER_NOUNS and run[i - 1] not in PAPER_NOUNS | _ANY_KIND
    ]
    if not kinds:
        return []
    missing = set(uncovered(evidence, chosen, close=KIND_CLOSE))
    return [kind for kind in kinds if kind in missing]


def on_topic(evidence: Evidence) -> bool:
    """Whether the chosen unit is a row or field whose paper holds every topic word of
    the question (it has some): "Who teaches Nora's accelerated math class?" on the
    report card's "Math (accelerated) | Teacher: ..." row."""
    chosen = _chosen_row(evidence)
    if chosen is None or not topic_words(evidence.question.text):
        return False
    return not uncovered(evidence, chosen)
