"""Declining what the papers do not say (issue 23, point 4), fourth session: a question
about what something costs quoted with a unit that holds no sum of money, and a sentence
of prose chosen for a topic that nothing retrieved holds.

The papers are household2's files as they are on disk and a few written here (a to-do
list, a pool's rules); the embedding model is the real one; the end-to-end check runs
`assistant eval-qa`, as a user measures it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import write
from qa_files import ask_about
from test_abstain_topic import whole

from assistant.evidence.abstain import (
    PROSE_MARGIN,
    THRESHOLD,
    TOPIC_THRESHOLD,
    UNHELD_TOPIC_THRESHOLD,
    answerable_score,
    should_abstain,
)
from assistant.evidence.designation import designations
from assistant.evidence.money import money_answered, money_missing
from assistant.evidence.question import answer_type
from assistant.evidence.select import select_evidence
from assistant.evidence.sums import asks_money
from assistant.evidence.topic import (
    compounds,
    main_clause,
    row_unheld,
    topic_words,
    uncovered,
    unheld,
)
from assistant.evidence.which import prefer_matching
from assistant.retrieve import Passage

DOCS = Path(__file__).parent / "fixtures" / "household2" / "docs"
TODO = (
    "# To do this week\n\n"
    "Call Patricia at Hale Insurance about the van renewal (policy renews 04/02/2025); ask "
    "what roadside assistance would cost to add.\n\n"
    "Pick up the dry cleaning on Thursday.\n\n"
    "Book the boiler service before the winter.\n"
)
POOL = (
    "# Pool rules\n\n"
    "The pool is open from Memorial Day to Labor Day, 10 am to 8 pm.\n\n"
    "Each household may bring up to 4 guests at a time.\n\n"
    "Children under 14 must be with an adult.\n"
)


def _asks_money(question: str) -> bool:
    return asks_money(question, answer_type(question))


def test_a_question_asks_for_money_by_how_much_is_paid_or_what_it_costs() -> None:
    for question in (
        "How much does a guest pass for the pool cost?",
        "How much are we paying the sitter to watch the dog?",
        "What did rye flour cost under the 2023 agreement?",
        "How much is the pet fee for the cabin?",
        "How much did we spend at the market on March 21?",
        "What's Dad's deductible this year?",
        "What is the late fee?",
        "How much comes out each month for the condo insurance?",  # leaves the account
        "How much do they take off for the pension?",
    ):
        assert _asks_money(question), question
    for question in (
        "How much gas did we use in February?",  # a quantity
        "How long is the notice period?",  # a duration
        "What does the cost of products revenue comprise of?",  # what a cost is made of
        "What is Tax Fees?",
        "Which pay period does the $1,698.48 deposit cover?",  # gives the sum
        "When is the rent due?",  # a date
    ):
        assert not _asks_money(question), question


def test_a_unit_holding_no_sum_of_money_does_not_say_what_something_costs(
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    """ "4 guests" is a count, not a price: declined; the same rules with a price are not."""
    question = "How much does a guest pass for the pool cost?"
    rules = [whole(write(tmp_path, "pool_rules.md", POOL))]
    evidence = select_evidence(question, rules, embedder.embed)
    assert money_missing(evidence), evidence.candidates[0].text
    assert should_abstain(evidence)
    priced = POOL + "\nA guest pass costs $5 a day.\n"
    rules = [whole(write(tmp_path, "pool_rules_2025.md", priced))]
    evidence = select_evidence(question, rules, embedder.embed)
    assert "$5" in evidence.candidates[0].text
    assert not money_missing(evidence)


def test_a_unit_holding_the_sum_and_the_topic_answers_a_money_question(
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    """The money check the other way: the sum and every topic word (the file's name says
    whose notice it is) are there; a premium the notice does not name is not."""
    notice = write(
        tmp_path,
        "medicare_summary_notice_harold_2025-04.md",
        "# Medicare Summary Notice\n\nYour 2025 Part B premium is $185.00 per month, "
        "taken from your Social Security payment.\n",
    )
    question = "How much is Harold's Part B premium this year?"
    evidence = select_evidence(question, [whole(notice)], embedder.embed)
    assert "$185.00" in evidence.candidates[0].text
    assert money_answered(evidence)
    evidence = select_evidence(
        "How much is Harold's dental premium?", [whole(notice)], embedder.embed
    )
    assert not money_answered(evidence)


def test_prose_whose_topic_nothing_retrieved_holds_is_not_quoted(
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    """ "Who painted the van?" finds the to-do line about the van's renewal, which the
    combiner barely believes: nothing retrieved says anything was painted, so it is
    declined. A paper that says it, in a form of the word, is not."""
    todo = whole(write(tmp_path, "todo_week.md", TODO))
    question = "Who painted the van?"
    evidence = select_evidence(question, [todo], embedder.embed)
    assert evidence.candidates[0].sentence.record is None, "prose"
    assert unheld(evidence) == ["painted"]
    assert THRESHOLD <= answerable_score(evidence) < THRESHOLD + PROSE_MARGIN
    assert should_abstain(evidence)
    said = TODO + "\nThe van was repainted at Mike's Body Shop last spring.\n"
    evidence = select_evidence(question, [whole(write(tmp_path, "todo.md", said))], embedder.embed)
    assert unheld(evidence) == []


def test_a_word_is_held_in_its_other_forms(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "buried" is said as "Burial"; "10th" leaves no "th" to look for."""
    will = write(
        tmp_path,
        "will_summary.md",
        "# Will summary\n\nBurial beside his late wife at Oak Hill Cemetery, Section F.\n",
    )
    evidence = select_evidence("Where does Dad want to be buried?", [whole(will)], embedder.embed)
    assert uncovered(evidence, evidence.candidates[0]) == []
    assert topic_words("Which parcel came on the 10th of May?") == ["parcel"]


def test_questions_about_sums_the_papers_do_not_hold_are_declined(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Through `assistant eval-qa`: the new roof and the pool's guest pass find a to-do
    line and a rule with figures but no price, which were quoted, and are declined; the
    rent and the premium the papers hold are still answered."""
    papers = [
        DOCS / "tenancy_agreement_marlow_court.md",
        DOCS / "oakline_contents_insurance_2024.md",
        write(tmp_path, "todo_week.md", TODO),
        write(tmp_path, "pool_rules.md", POOL),
    ]
    lines = [
        {"id": "rent", "q": "How much rent do we pay for the flat each month?",
         "golds": ["£1,150"], "file": "tenancy_agreement_marlow_court.md", "kind": "text"},
        {"id": "premium", "q": "How much is the contents insurance premium per year?",
         "golds": ["£148.00"], "file": "oakline_contents_insurance_2024.md", "kind": "text"},
        {"id": "roof", "q": "How much did we pay for the new roof?", "golds": [],
         "kind": "unanswerable-absent"},
        {"id": "guest", "q": "How much does a guest pass for the pool cost?", "golds": [],
         "kind": "unanswerable-near-miss"},
    ]  # fmt: skip
    rows = ask_about(cli, tmp_path, papers, lines)
    for answered in ("rent", "premium"):
        assert rows[answered]["contains_gold"], rows[answered]["answer"]
    for declined in ("roof", "guest"):
        assert rows[declined]["abstained"], rows[declined]["answer"]


# Fifth session: designations (which one of several siblings) and compounds.


def answered_and_declined(
    rows: dict[str, dict], answered: tuple[str, ...], declined: tuple[str, ...]
) -> None:
    """Each of `answered` holds its gold answer; each of `declined` is declined."""
    for qid in answered:
        assert rows[qid]["contains_gold"], (qid, rows[qid]["answer"])
    for qid in declined:
        assert rows[qid]["abstained"], (qid, rows[qid]["answer"])


CARD = (
    "# Maplewood Elementary report card, Quarter 2\n\n"
    "Student: Ada Lindqvist\n\n"
    "| Subject | Grade | Teacher |\n"
    "| --- | --- | --- |\n"
    "| Art | A- | Ms. Brook |\n"
    "| Music | B+ | Mr. Lowe |\n"
)
NOTICE = (
    "# Medicare notice for Gunnar Lindqvist\n\n"
    "You have now met your $240.00 Part B deductible for 2025.\n\n"
    "Questions? Call the number on the back of your card.\n"
)
TAX_BILL = (
    "# 2024 Fenwick County water tax bill\n\n"
    "First half due: February 10, 2025 ($310.50).\n\n"
    "Second half due: July 10, 2025 ($310.50).\n"
)


def test_a_designation_is_read_the_same_way_in_a_question_and_a_paper() -> None:
    assert designations("What was Ada's art grade for the third quarter?") == {("quarter", "3")}
    assert designations("report card ada 2025 q 3") == {("quarter", "3")}, "a file's name"
    assert designations("Quarter 3, 2024-2025") == {("quarter", "3")}
    assert designations("the 3rd quarter's Part A and Schedule II") == {
        ("quarter", "3"), ("part", "A"), ("schedule", "2"),
    }  # fmt: skip
    assert designations("1st half 2024") == {("half", "1")}, "a year is no value"
    assert designations("Part of the plan, in part. A new one") == set()


def test_a_sibling_of_the_thing_asked_does_not_answer_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Through `assistant eval-qa`: the third quarter's grade asked of the Quarter 2 card,
    the Part A deductible of a notice that gives Part B's, and tax year 2025's second half
    of the 2024 bill (due in 2025) were quoted; each is declined, and the same questions
    naming the quarter, the part and the year the papers are for are still answered."""
    papers = [
        write(tmp_path, "report_card_ada_2024-25_q2.md", CARD),
        write(tmp_path, "medicare_notice_gunnar_2025.md", NOTICE),
        write(tmp_path, "fenwick_water_tax_bill_2024.md", TAX_BILL),
    ]
    lines = [
        {"id": "q3", "q": "What was Ada's art grade for the third quarter?", "golds": [],
         "kind": "unanswerable-near-miss"},
        {"id": "q2", "q": "What was Ada's art grade for the second quarter?", "golds": ["A-"],
         "file": "report_card_ada_2024-25_q2.md", "kind": "table"},
        {"id": "partA", "q": "What's Gunnar's Medicare Part A deductible this year?",
         "golds": [], "kind": "unanswerable-near-miss"},
        {"id": "partB", "q": "What's Gunnar's Medicare Part B deductible this year?",
         "golds": ["$240.00"], "file": "medicare_notice_gunnar_2025.md", "kind": "text"},
        {"id": "tax2025", "q": "How much is the second-half water tax for tax year 2025?",
         "golds": [], "kind": "unanswerable-near-miss"},
        {"id": "tax2024", "q": "How much is the second-half water tax for tax year 2024?",
         "golds": ["$310.50"], "file": "fenwick_water_tax_bill_2024.md", "kind": "text"},
    ]  # fmt: skip
    answered_and_declined(
        ask_about(cli, tmp_path, papers, lines),
        ("q2", "partB", "tax2024"),
        ("q3", "partA", "tax2025"),
    )


KIDS_TODO = (
    "# To do: week of April 7\n\n"
    "## Kids\n\n"
    "- Liv: piano recital Thu 04/10, call time 5:30 PM at the Grange hall\n"
    "- Oskar: library books due Friday\n\n"
    "## House\n\n"
    "- Call the gutter cleaner\n"
)
PET_RECORD = (
    "# Pepper: vaccination record\n\n"
    "## Vaccinations\n\n"
    "| Vaccine | Date given | Next due |\n"
    "| --- | --- | --- |\n"
    "| Rabies (3-year) | 2024-05-01 | 2027-05-01 |\n"
    "| Bordetella (oral) | 2025-01-15 | 2026-01-15 |\n"
)
ASSETS = (
    "# Household assets, end of 2024\n\n"
    "## Accounts\n\n"
    "| Account | Bank | Balance |\n"
    "| --- | --- | --- |\n"
    "| Checking account | Elm Street Bank | $2,100 |\n"
    "| Brokerage account | Harbor Funds | $15,600 |\n"
)


def test_a_compound_is_read_as_one_thing() -> None:
    assert compounds("What time is Nora's soccer practice on Wednesdays?") == [
        ("soccer", "practice")
    ]
    assert compounds("How much is in the kids' 529 college savings accounts?") == [
        ("college", "savings", "accounts")
    ]
    assert compounds("Which company insures the house?") == [], "a verb ends it"
    assert compounds("What's the phone number of the vet who gave Biscuit his rabies shot?") == []


def test_a_thing_named_by_words_no_row_holds_is_not_answered(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Through `assistant eval-qa`: Liv's swim practice found the recital's call time (no
    word of "swim practice" on the list), the Lyme vaccine the Rabies row (a sibling under
    "Vaccinations"), the college savings accounts the Checking account row (a sibling
    account); each is declined, and the recital, the rabies vaccine and the checking
    account are still answered."""
    papers = [
        write(tmp_path, "todo_week_of_04-07.md", KIDS_TODO),
        write(tmp_path, "pepper_vaccination_record.md", PET_RECORD),
        write(tmp_path, "household_assets.md", ASSETS),
    ]
    lines = [
        {"id": "swim", "q": "What time is Liv's swim practice on Tuesdays?", "golds": [],
         "kind": "unanswerable-absent"},
        {"id": "recital", "q": "What time is Liv's piano recital?", "golds": ["5:30 PM"],
         "file": "todo_week_of_04-07.md", "kind": "text"},
        {"id": "lyme", "q": "When is Pepper's Lyme vaccine next due?", "golds": [],
         "kind": "unanswerable-near-miss"},
        {"id": "rabies", "q": "When is Pepper's rabies vaccine next due?",
         "golds": ["2027-05-01"], "file": "pepper_vaccination_record.md", "kind": "table"},
        {"id": "college", "q": "How much is in the kids' college savings accounts?",
         "golds": [], "kind": "unanswerable-absent"},
        {"id": "checking", "q": "How much is in the checking account?", "golds": ["$2,100"],
         "file": "household_assets.md", "kind": "table"},
    ]  # fmt: skip
    answered_and_declined(
        ask_about(cli, tmp_path, papers, lines),
        ("recital", "rabies", "checking"),
        ("swim", "lyme", "college"),
    )


DEFINED_NOTICE = (
    "# Medicare notice for Gunnar Lindqvist\n\n"
    "Your deductible is what you must pay each year for most health services before "
    "Medicare begins to pay.\n\n"
    "You have now met your $240.00 Part B deductible for 2025.\n\n"
    "Questions? Call the number on the back of your card.\n"
)


def test_a_sum_asked_is_taken_from_a_unit_holding_one_and_naming_what_was_asked(
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    """For "What's Gunnar's deductible this year?" the notice's definition, which holds no
    sum, shares most words (declined before); a line holding the sum and every word of
    the question answers it. Asked for Part A, the Part B line is a sibling and is not
    taken: still declined."""
    notice = whole(write(tmp_path, "medicare_notice_gunnar_2025-04.md", DEFINED_NOTICE))
    evidence = select_evidence("What's Gunnar's deductible this year?", [notice], embedder.embed)
    definition = next(c for c in evidence.candidates if "$" not in c.text)
    assert definition.features["sum_missing"] == 1.0
    evidence = prefer_matching(evidence)
    assert "$240.00" in evidence.candidates[0].text
    assert not should_abstain(evidence)
    question = "What's Gunnar's Medicare Part A deductible this year?"
    evidence = prefer_matching(select_evidence(question, [notice], embedder.embed))
    assert should_abstain(evidence)


def test_words_that_shape_the_answer_or_say_what_a_thing_did_name_no_compound() -> None:
    """A report's "respective" and "in chronological order" say how to answer; "the
    quarter ended July 27" what the quarter did: none is of a thing's name."""
    assert compounds("What was the gross margin for the quarter ended July 27, 2019?") == [
        ("gross", "margin")
    ]
    assert compounds("What are the respective proportion of cost of revenue?") == []
    assert compounds("How much deferred revenue was recognised?") == [("deferred", "revenue")]


POWER_OF_ATTORNEY = (
    "# Durable Power of Attorney (Financial)\n\n"
    "Principal: Harold James Whitaker\n\n"
    "Agent: Linda Carvajal\n\n"
    "This power of attorney is effective immediately upon signing and is durable.\n\n"
    "Notary public: Maria Delgado\n\n"
    "Notary commission expires: 08/30/2026\n"
)


BAKERY_LICENCE = (
    "# Home bakery licence\n\n"
    "Licence holder: Rosa Whitaker\n\n"
    "Home bakery license renewal: expires 04/11/2025, $10 fee, inspection to schedule\n"
)


def _retrieved(embedder, question: str, papers: list[Path]) -> list[Passage]:  # type: ignore[no-untyped-def]
    """Each paper whole, scored as the search scores it: its cosine to the question."""
    vectors = np.asarray(
        embedder.embed([question, *(p.read_text(encoding="utf-8") for p in papers)]),
        dtype=np.float32,
    )
    return [whole(path, n, float(vectors[0] @ vectors[n])) for n, path in enumerate(papers, 1)]


def test_a_row_about_a_thing_nothing_retrieved_names_is_not_quoted(
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    """ "When does my passport expire?" finds the power of attorney's notary commission
    expiry and a bakery licence's renewal, fields the combiner believes (an expiry, a
    date): nothing retrieved names a passport, so it is declined. The same field answers
    when its own thing is asked; a word in a clause about another thing ("who inherits
    ...") is not what the row must name."""
    papers = [
        write(tmp_path, "durable_poa_financial.md", POWER_OF_ATTORNEY),
        write(tmp_path, "bakery_licence.md", BAKERY_LICENCE),
    ]
    question = "When does my passport expire?"
    evidence = select_evidence(question, _retrieved(embedder, question, papers), embedder.embed)
    assert evidence.candidates[0].sentence.record is not None, "a field"
    assert row_unheld(evidence) == ["passport"]
    assert TOPIC_THRESHOLD <= answerable_score(evidence) < UNHELD_TOPIC_THRESHOLD
    assert should_abstain(evidence)
    question = "When does the notary's commission expire?"
    evidence = select_evidence(question, _retrieved(embedder, question, papers), embedder.embed)
    assert "08/30/2026" in evidence.candidates[0].text
    assert row_unheld(evidence) == [] and not should_abstain(evidence)
    assert main_clause("Who is the teacher of the grandchild who inherits the watch?") == (
        "Who is the teacher of the grandchild"
    )
