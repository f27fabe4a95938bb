"""What the question is about, on the chosen paper (issue 23, point 4): "How much do we pay
the babysitter per hour?" asked of papers that hold no babysitter is declined, not
answered with a payslip's hours.

The papers are the household2 fixture's files as they are on disk (and one written here);
the embedding model is the real one; the end-to-end check runs `assistant eval-qa`, as a
user measures it."""

from __future__ import annotations

from pathlib import Path

from qa_files import ask_about

from assistant.evidence.abstain import should_abstain
from assistant.evidence.named import named_papers
from assistant.evidence.select import select_evidence
from assistant.evidence.text import stem
from assistant.evidence.topic import (
    compounds,
    compounds_unheld,
    off_topic,
    paper_kind_unheld,
    spelt_out,
    topic_words,
    uncovered,
    unheld_in_form,
)
from assistant.retrieve import Passage

DOCS = Path(__file__).parent / "fixtures" / "household2" / "docs"
CAR = DOCS / "harbour_mutual_car_insurance_2025.md"
PET = DOCS / "pawsure_pet_insurance_2025.md"


def whole(path: Path, doc_id: int = 1, score: float = 0.6) -> Passage:
    """The whole Markdown file as one passage under its title."""
    text = path.read_text(encoding="utf-8")
    title = text.splitlines()[0].lstrip("# ").strip()
    body = text.split("\n", 1)[1].strip()
    return Passage(str(path), doc_id, 0, 0, None, None, (title,), body, 0, len(body), score, 0.1)


def test_the_topic_is_what_is_asked_about_not_the_kind_of_answer() -> None:
    assert topic_words("How much do we pay the babysitter per hour?") == ["babysitter"]
    assert topic_words("What time is Nora's soccer practice on Wednesdays?") == [
        "nora", "soccer", "practice", "wednesdays",
    ]  # fmt: skip
    assert topic_words("What do we still owe on the house so far?") == ["house"]
    assert topic_words("What's Dad's full Medicare number?") == ["medicare"], "kin, shape"
    assert topic_words("How much was the March 2025 bill?") == ["bill"], "dates: other checks"
    assert topic_words("Who makes health care decisions for Dad if he can't?") == [
        "health", "care", "decisions",
    ], "a negated auxiliary is two stop words"  # fmt: skip
    assert topic_words("How much a week does Ciarán's mother pay towards her care?") == ["care"], (
        "whose kin: her paper is in her name"
    )
    assert topic_words("What happens if we don’t pay the water bill?") == ["water", "bill"]
    # A report question's "listed", "derived" say how the answer is given, not what of.
    assert topic_words("What are the financial items listed in the table?") == ["financial"]
    assert topic_words("How is TCE rate Per day derived?") == ["tce", "rate"]


def test_a_topic_the_paper_holds_in_any_form_is_covered(embedder) -> None:  # type: ignore[no-untyped-def]
    """By stem, as part of a longer word, and in other words (the embedding model)."""
    car = [whole(CAR)]
    for question in (
        "What is the windscreen excess on the car insurance?",  # its own words
        "How much is the car insurance premium paid each month?",  # "payments"
        "What is the excess on the automobile policy?",  # "motor", "vehicle"
        "Who are the drivers on the Honda?",  # "Drivers"
    ):
        evidence = select_evidence(question, car, embedder.embed)
        assert uncovered(evidence, evidence.candidates[0]) == [], question
    for question, missing in (
        ("How much is the breakdown cover on the car insurance?", ["breakdown"]),
        ("What colour is the Honda?", ["colour"]),
        ("How much is the gym membership on the car insurance?", ["gym", "membership"]),
    ):
        evidence = select_evidence(question, car, embedder.embed)
        assert uncovered(evidence, evidence.candidates[0]) == missing, question


def test_a_topic_is_held_by_the_name_another_country_gives_it() -> None:
    """An Australian's strata bill is a levy notice, an American's dentist a Dental
    practice, a colour a color: the paper says the thing, in its own country's word, and
    is the paper the question names."""
    notice = "Seacliff Court owners: levy notice. Capital works fund: $415.20. Total due: $1,882.80"
    assert unheld_in_form("How much is Dad's strata bill?", notice) == ["bill"]
    ledger = (
        "Who: Jan | Provider: Clintonville Family Dental | What: Crown, lower left molar | $612"
    )
    assert unheld_in_form("How much was Jan's crown at the dentist?", ledger) == []
    assert unheld_in_form("What colour is the car?", "Vehicle: Honda Jazz, color: blue") == []
    assert unheld_in_form("How much was the gym?", ledger) == ["gym"]
    # ... and a paper named so is the paper the question names.
    ((phrase, kind, qualifiers),) = named_papers("How much is Dad's strata bill?")
    assert (phrase, kind) == ("strata bill", "bill") and stem("levy") in qualifiers


def test_only_a_row_or_field_is_judged_by_its_topic(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A field ("Paid monthly: ...") says what it is by its label; a sentence of prose
    talks around its topic, and is left to the combiner."""
    car = [whole(CAR)]
    question = "How much do we pay the window cleaner each month?"
    evidence = select_evidence(question, car, embedder.embed)
    assert evidence.candidates[0].sentence.record is not None, evidence.candidates[0].text
    assert off_topic(evidence) == ["window", "cleaner"]
    letter = tmp_path / "letter.md"
    letter.write_text("# Letter\n\nWe pay £40 a month for the service.\n", encoding="utf-8")
    evidence = select_evidence(question, [whole(letter)], embedder.embed)
    assert evidence.candidates[0].sentence.record is None
    assert uncovered(evidence, evidence.candidates[0]) == ["window", "cleaner"]
    assert off_topic(evidence) == []


def test_an_abbreviation_is_found_spelt_out(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "cd" in spelt_out("Asset | Certificate of deposit | First Ohio Savings", 2)
    assert "cd" not in spelt_out("the cat and a dog", 2), "a run starts with a capital"
    will = tmp_path / "will_summary.md"
    will.write_text(
        "# Will summary\n\nCertificate of deposit: First Ohio Savings, matures 2025-08-15.\n",
        encoding="utf-8",
    )
    evidence = select_evidence("When does Dad's CD mature?", [whole(will)], embedder.embed)
    assert uncovered(evidence, evidence.candidates[0]) == []
    evidence = select_evidence("When does Dad's IRA mature?", [whole(will)], embedder.embed)
    assert uncovered(evidence, evidence.candidates[0]) == ["ira"]


def test_a_question_about_what_no_paper_holds_is_declined(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Through `assistant eval-qa` on six of household2's papers: the questions about a
    window cleaner and a dog walker find a line of a paper with a monthly sum (the car
    insurance's) or a pet (the pet insurance's vet fees limit), which the combiner alone
    answered them with, and are declined; those the papers answer are still answered."""
    papers = [CAR, PET] + [
        DOCS / name
        for name in (
            "fithub_membership_tunde.eml", "tenancy_agreement_marlow_court.md",
            "payslip_adaeze_2025-05.html", "oakline_contents_insurance_2024.md",
        )
    ]  # fmt: skip
    lines = [
        {"id": "contents", "q": "What is the annual premium on the contents insurance?",
         "golds": ["£148.00"], "file": "oakline_contents_insurance_2024.md", "kind": "text"},
        {"id": "rent", "q": "How much rent do we pay for the flat each month?",
         "golds": ["£1,150"], "file": "tenancy_agreement_marlow_court.md", "kind": "text"},
        {"id": "pet", "q": "What is the excess on the pet insurance?", "golds": ["£99"],
         "file": PET.name, "kind": "text"},
        {"id": "cleaner", "q": "How much do we pay the window cleaner each month?",
         "golds": [], "kind": "unanswerable-absent"},
        {"id": "walker", "q": "How much does the dog walker charge per walk?",
         "golds": [], "kind": "unanswerable-absent"},
    ]  # fmt: skip
    rows = ask_about(cli, tmp_path, papers, lines)
    for answered in ("contents", "rent", "pet"):
        assert rows[answered]["contains_gold"], rows[answered]["answer"]
    for declined in ("cleaner", "walker"):
        assert rows[declined]["abstained"], rows[declined]["answer"]


def test_words_that_shape_any_question_and_kin_name_no_topic() -> None:
    """When a thing ends or finishes, what is wrong with it, who receives it and a share
    of it are asked of any paper in its own words ("Maturity date", "Not working"); Gran
    is someone the papers name by name; a distance is the kind of answer, like an amount."""
    assert topic_words("When does Dad's term deposit finish?") == ["term", "deposit"]
    assert topic_words("What's wrong with the exhaust fan?") == ["exhaust", "fan"]
    assert topic_words("Who has Marta named to receive her pension?") == ["marta", "pension"]
    assert topic_words("What about the city's share?") == ["city"]
    assert topic_words("Who looks after Gran at Ashgrove House?") == ["ashgrove", "house"]
    assert topic_words("How many kilometres were on the Corolla?") == ["corolla"]


def test_a_person_after_a_noun_starts_a_clause_about_it() -> None:
    """ "the car we're paying off at the credit union": the credit union is how another
    paper (the loan) says which car; the motor tax paper need not say it."""
    assert compounds(
        "When is the motor tax up on the car we're paying off at the credit union?"
    ) == [("motor", "tax")]
    assert compounds("How much do we owe on the soccer practice fees?") == [
        ("soccer", "practice", "fees")
    ], "a person before the noun is the question's own subject"
    assert compounds("What's the most the doctors can bill Walt for those months?") == [], (
        "a name after a common word is no part of a thing's name"
    )
    assert compounds("How much is the Lyme vaccine?") == [("lyme", "vaccine")]


def test_a_name_and_an_adjective_are_held_in_the_forms_a_paper_writes(
    embedder, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """ "Jen" is held by a paper that writes "Jennifer"; "allergic" by "Allergies"."""
    record = tmp_path / "medical_record.md"
    record.write_text(
        "# Medical record\n\nPatient: Jennifer Reyes\n\nAllergies: penicillin\n",
        encoding="utf-8",
    )
    for question in ("What is Jen allergic to?", "What is Jennifer allergic to?"):
        evidence = select_evidence(question, [whole(record)], embedder.embed)
        assert uncovered(evidence, evidence.candidates[0]) == [], question
    evidence = select_evidence("What is Tom allergic to?", [whole(record)], embedder.embed)
    assert uncovered(evidence, evidence.candidates[0]) == ["tom"]


REMINDER = """# Smile Dental: appointment reminder

This is a reminder that your daughter Zara Okafor has a check-up appointment on
Saturday 14 June 2025 at 9:40 am with Dr Mensah.
Please arrive ten minutes early and bring her NHS number.
"""


def test_prose_is_no_answer_where_nothing_retrieved_names_the_thing_asked(  # type: ignore[no-untyped-def]
    embedder, tmp_path: Path
) -> None:
    """A thing named by two words ("swimming club") that no retrieved paper names in any
    form is not answered from a sentence that fits the rest (Zara, a Saturday, a time);
    one word unsaid ("the visit") is left to the combiner, and so is a name."""
    reminder = tmp_path / "smile_dental_reminder_2025-06.md"
    reminder.write_text(REMINDER, encoding="utf-8")
    passages = [whole(reminder)]
    question = "What time does Zara's swimming club meet on Saturdays?"
    evidence = select_evidence(question, passages, embedder.embed)
    assert evidence.candidates[0].sentence.record is None
    assert compounds_unheld(evidence) == ["swimming club"]
    assert should_abstain(evidence)
    question = "What time is Zara's check-up visit on Saturday?"
    evidence = select_evidence(question, passages, embedder.embed)
    assert compounds_unheld(evidence) == [] and not should_abstain(evidence)
    question = "When does Zara see Dr Mensah at Smile Dental?"
    evidence = select_evidence(question, passages, embedder.embed)
    assert compounds_unheld(evidence) == []


POWER_BILL = """# Lakeland Power & Gas: your bill

Account number: 88-2214-07
Billing period: 01/12/2024 to 31/01/2025
Electricity used: 1,146 kWh
Gas used: 182 m3
Amount due: €344.16
Direct debit date: 27/02/2025
"""


def test_a_bill_of_another_kind_is_no_answer_for_this_kind(  # type: ignore[no-untyped-def]
    embedder, tmp_path: Path
) -> None:
    """ "How much is our water bill?" asked of the power and gas bill: its "Amount due"
    fits what is asked, but the paper says nothing of water (nor of anything as close to
    it as "phone" is to "mobile"); the same question of the electricity bill, or of "the
    utility bill", is answered."""
    bill = tmp_path / "power_gas_bill_2025-02.md"
    bill.write_text(POWER_BILL, encoding="utf-8")
    passages = [whole(bill)]
    evidence = select_evidence("How much is our monthly water bill?", passages, embedder.embed)
    assert evidence.candidates[0].text == "Amount due: €344.16"
    assert paper_kind_unheld(evidence) == ["water"] and should_abstain(evidence)
    evidence = select_evidence("What did the store receipt come to?", passages, embedder.embed)
    assert paper_kind_unheld(evidence) == [], "a store says where from, not which kind"
    for question in ("How much was our last electricity bill?", "How much was the utility bill?"):
        evidence = select_evidence(question, passages, embedder.embed)
        assert paper_kind_unheld(evidence) == [], question
        assert not should_abstain(evidence), question
