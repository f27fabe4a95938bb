"""Questions that need two papers (issue 23, the home set's cross-doc kind): a thing named
by a description is found first, then the question is asked of it (assistant/hops.py).

Real files on disk, the real ingest, the real embedding model, through `assistant ask`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.hops import described
from tests.conftest import CliResult, write

WILL = """Summary of the Will of Harold James Whitaker

Specific gifts
- Hamilton railroad pocket watch (1951): to granddaughter Nora Whitaker.
- Woodworking tools and the workbench: to grandson Caleb Moss.
- Stamp collection: to grandson Theo Whitaker.

Executor: Evan Michael Whitaker (son).
"""
NORA = """Cedar Glen Middle School - Report card, Quarter 2, 2024-2025

Student: Nora E. Whitaker
Grade: 7
Homeroom: Ms. Deepa Patel, Room 204

Nora's essays are well planned and her reading has come on well this quarter.
"""
THEO = """Maple Run Elementary School - Report card, Quarter 2, 2024-2025

Student: Theo J. Whitaker
Grade: 4
Homeroom: Mr. Samuel Okonkwo, Room 112

Theo finished the multiplication facts challenge in December.
"""
BAKERY = """Bakery sales, March 2025

Sourdough loaves sold: 212 at $6.50.
The farmers market stall opens at 8 AM on Saturdays.
"""


@pytest.fixture
def papers(cli, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path / "papers"
    write(folder, "harold_will_summary.txt", WILL)
    write(folder, "report_card_nora_2024-25_q2.txt", NORA)
    write(folder, "report_card_theo_2024-25_q2.txt", THEO)
    write(folder, "bakery_sales_2025-03.txt", BAKERY)
    result: CliResult = cli("ingest", str(folder), "--quiet")
    assert result.exit_code == 0, result.stderr
    return folder


def ask(cli, question: str) -> dict:  # type: ignore[no-untyped-def]
    result: CliResult = cli("ask", question, "--answer", "extractive", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def cited(answer: dict) -> set[str]:
    return {Path(s["path"]).name for s in answer["sources"] if s["cited"]}


@pytest.mark.parametrize(
    ("question", "phrase", "head"),
    [
        (
            "What's the VIN of the car we financed through the credit union?",
            "the car we financed through the credit union",
            "car",
        ),
        (
            "Who is the homeroom teacher of the grandchild who inherits the pocket watch?",
            "the grandchild who inherits the pocket watch",
            "grandchild",
        ),
        (
            "What's the street address of the doctor Dad sees on April 8?",
            "the doctor Dad sees on April 8",
            "doctor",
        ),
        (
            "When does the rego run out on the car Tomas uses for work?",
            "the car Tomas uses for work",
            "car",
        ),
    ],
)
def test_a_description_is_a_noun_and_the_clause_that_says_which(
    question: str, phrase: str, head: str
) -> None:
    found = described(question)
    assert found is not None
    assert (found.phrase, found.head) == (phrase, head)


def test_the_description_is_asked_as_a_question_of_its_own_kind() -> None:
    """A person is asked with "who", a day with "when"; "he" is the one person the rest of
    the question names."""
    day = described("Which pediatrician saw Theo on the first day he was out sick in January?")
    assert day is not None
    assert day.inner == "When was the first day Theo was out sick in January?"
    person = described("What's the street address of the doctor Dad sees on April 8?")
    assert person is not None and person.inner == "Who is the doctor Dad sees on April 8?"


@pytest.mark.parametrize(
    "question",
    [
        "Who is Nora's homeroom teacher?",
        "Where did the first Huguenot colonists settle?",  # a name is no clause's subject
        # "that" and a noun phrase says what the arguments held, not which ones they were
        "Who accepted the government's arguments that the measure protected public health?",
        "When does the farmers market stall open?",
        "Who is the grandchild who inherits the pocket watch?",  # the description is all of it
    ],
)
def test_a_question_without_a_description_beside_it_has_none(question: str) -> None:
    assert described(question) is None


def test_the_teacher_of_the_grandchild_who_inherits_the_watch_is_found_in_two(cli, papers) -> None:  # type: ignore[no-untyped-def]
    """The will says who inherits the watch (Nora); Nora's report card names her homeroom
    teacher. No paper alone answers; both are cited."""
    answer = ask(
        cli, "Who is the homeroom teacher of the grandchild who inherits Grandpa's pocket watch?"
    )
    assert not answer["abstained"]
    assert "Deepa Patel" in answer["answer"]
    assert "Okonkwo" not in answer["answer"]
    assert {"report_card_nora_2024-25_q2.txt", "harold_will_summary.txt"} <= cited(answer)


def test_a_designation_no_paper_goes_on_about_is_still_declined(cli, papers) -> None:  # type: ignore[no-untyped-def]
    """Caleb inherits the tools, and there is no report card of Caleb's: the hop finds him,
    and the question asked of him is declined as it would be asked so (not Nora's or
    Theo's teacher)."""
    answer = ask(
        cli, "Who is the homeroom teacher of the grandchild who inherits the woodworking tools?"
    )
    assert answer["abstained"], answer["answer"]
    assert answer["answer"] == "The documents do not say."


def test_a_question_answered_in_one_pass_is_not_asked_again(cli, papers) -> None:  # type: ignore[no-untyped-def]
    answer = ask(cli, "Who is Nora's homeroom teacher?")
    assert "Deepa Patel" in answer["answer"]
    assert cited(answer) == {"report_card_nora_2024-25_q2.txt"}


NOTES = """Household notes

Ines drives the 2020 Mazda 3 (rego due in September).
The bins go out on Sunday night.
Dr Okafor at Bayside Medical is our GP.
The silver Ranger is Tomas's work ute for the landscaping business; it tows the mower trailer.
Swimming lessons are on Tuesdays at the aquatic centre.
"""

REGO = """Registration renewal notice

The registration of the vehicle below expires on 3 June 2025.
Vehicle: 2017 Ford Ranger XLT dual cab ute, silver
Plate: BX 22 QT
Renewal fee: $412.00
"""


def test_the_car_a_person_uses_is_found_by_its_one_word_name(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "The car Tomas uses for work": the notes say which (the Ranger, Tomas's work ute)
    though "which is the car Tomas uses for work?" is itself declined; the Ranger's rego
    notice says when it runs out. Ines's car's month is not the answer."""
    folder = tmp_path / "papers"
    write(folder, "household_notes.md", NOTES)
    write(folder, "rego_renewal_notice_ranger_2025.txt", REGO)
    assert cli("ingest", str(folder), "--quiet").exit_code == 0
    answer = ask(cli, "When does the rego run out on the car Tomas uses for work?")
    assert not answer["abstained"], answer["answer"]
    assert "3 June 2025" in answer["answer"]
    assert {"household_notes.md", "rego_renewal_notice_ranger_2025.txt"} <= cited(answer)
