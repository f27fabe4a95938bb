"""Whose: the name a question gives against the one the evidence's paper is named for
(issue 23, point 4). The passages are written in the readers' layout (a row per line);
the embedding model is the real one; the answer goes through `answer_stream`."""

from __future__ import annotations

from assistant.answer import answer_stream
from assistant.evidence.abstain import should_abstain
from assistant.evidence.compose import ABSTAIN_ANSWER
from assistant.evidence.nicknames import goes_by, same_person
from assistant.evidence.select import select_evidence
from assistant.evidence.which import mismatch, prefer_matching
from assistant.evidence.whose import asked_names, other_subject, subjects
from assistant.retrieve import Passage

NORA = """Progress Report - Quarter 2
Student: Nora Whitaker, Grade 7
MAP Growth, Winter 2025
Language Usage | RIT score: 226 | Percentile: 81st
Reading | RIT score: 224 | Percentile: 79th
Mathematics | RIT score: 231 | Percentile: 84th
Nora's reading has come on well and her essays are well planned.
"""
THEO = """Report Card - Quarter 2
Student: Theo Whitaker, Grade 4
MAP Growth, Winter 2025
Reading | RIT score: 201 | Percentile: 58th
Mathematics | RIT score: 212 | Percentile: 71st
Theo meets with the reading specialist on Tuesdays.
"""
SCIENCE = """Theo's science fair project
Theo measured how big a balloon got on a bottle of yeast and sugar water.
"""


def passage(path: str, text: str, score: float, doc_id: int) -> Passage:
    return Passage(path, doc_id, 0, 0, 1, 1, (), text, 0, len(text), score, 0.1)


def test_a_subject_is_a_name_the_question_gives_that_a_paper_is_named_for(embedder) -> None:  # type: ignore[no-untyped-def]
    assert asked_names("What was Theo's MAP Language Usage score?") == {
        "theo",
        "map",
        "language",
        "usage",
    }
    assert asked_names("How much did Dad pay in March?") == set(), "kin and months never"
    passages = [
        passage("/docs/report_card_nora_2024-25_q2.pdf", NORA, 0.62, 1),
        passage("/docs/theo_science_fair.md", SCIENCE, 0.40, 2),
    ]
    evidence = select_evidence("What was Theo's MAP reading score?", passages, embedder.embed)
    assert subjects(evidence) == {"theo"}, "MAP is in no paper's name"


def test_a_name_another_paper_is_named_for_declines_this_ones_answer(embedder) -> None:  # type: ignore[no-untyped-def]
    """Nora's card has a Language Usage score; Theo's has none: the question asks Theo's."""
    question = "What was Theo's MAP Language Usage score?"
    passages = [
        passage("/docs/report_card_nora_2024-25_q2.pdf", NORA, 0.62, 1),
        passage("/docs/theo_science_fair.md", SCIENCE, 0.40, 2),
    ]
    evidence = select_evidence(question, passages, embedder.embed)
    best = evidence.candidates[0]
    assert "Language Usage" in best.text and other_subject(evidence, best) == ["theo"]
    assert should_abstain(evidence)
    answer = answer_stream(question, evidence, None, embed=embedder.embed, mode="extractive")
    assert answer.finish().text == ABSTAIN_ANSWER


def test_the_paper_of_the_person_asked_about_is_preferred(embedder) -> None:  # type: ignore[no-untyped-def]
    question = "What was Theo's MAP reading score?"
    passages = [
        passage("/docs/report_card_nora_2024-25_q2.pdf", NORA, 0.62, 1),
        passage("/docs/report_card_theo_2024-25_q2.pdf", THEO, 0.58, 2),
    ]
    evidence = prefer_matching(select_evidence(question, passages, embedder.embed))
    best = evidence.candidates[0]
    assert evidence.passages[best.source - 1].path.endswith("theo_2024-25_q2.pdf")
    assert mismatch(evidence, best) == []
    answer = answer_stream(
        question,
        select_evidence(question, passages, embedder.embed),
        None,
        embed=embedder.embed,
        mode="extractive",
    ).finish()
    # The first quote is from Theo's card (which of his lines, the cell engine decides).
    first = answer.text.split("[")[0]
    assert "theo_2024-25_q2.pdf" in first and "nora" not in first, answer.text


def test_one_article_under_its_own_title_never_conflicts(embedder) -> None:  # type: ignore[no-untyped-def]
    """Prose about one subject (a Wikipedia article): every passage is named alike, so a
    name the best sentence lacks is a pronoun or a paraphrase, not another subject."""
    article = (
        "Huguenots\nThe Huguenots were French Protestants. Many fled to England and the "
        "Dutch Republic after 1685. A coalition rose up to oppose Louis XIV.\n"
    )
    passages = [passage("/docs/Huguenot.md", article, 0.6, 1)]
    evidence = select_evidence(
        "What coalition rose up against the King of France?", passages, embedder.embed
    )
    assert mismatch(evidence, evidence.candidates[0]) == []


PENSION_OPENING = """Workplace Pension Annual Statement
Member: Priya Okafor   Plan number: WP-55120
Employer: Lantern Books Ltd   Statement date: 30/04/2025
"""
PENSION_VALUES = """Your plan this year
Value on 06/04/2024: £21,480.10
Value on 05/04/2025: £24,902.66
"""
DIARY = """# Household diary (Priya)
Library books back on Saturday.
"""


def test_the_opening_of_a_paper_says_whose_its_other_passages_are(embedder) -> None:  # type: ignore[no-untyped-def]
    """The pension statement's value lines name no one; its opening says it is Priya's.
    A diary named for Priya makes Priya a subject: the value line, read under its paper's
    opening, is Priya's and answers (it was declined as someone else's), while a question
    about Omar, whose name no opening gives, still is not answered from it."""
    passages = [
        Passage(
            "/docs/pension_statement_2025.pdf", 1, 3, 3, 1, 1, (), PENSION_VALUES, 0, 90, 0.5, 0
        ),
        Passage(
            "/docs/pension_statement_2025.pdf", 1, 0, 0, 1, 1, (), PENSION_OPENING, 0, 9, 0.4, 0
        ),
        passage("/docs/diary_priya.md", DIARY, 0.3, 2),
    ]
    question = "What was Priya's pension worth on 5 April 2025?"
    evidence = prefer_matching(select_evidence(question, passages, embedder.embed))
    assert evidence.candidates[0].sentence.text.startswith("Value on 05/04/2025")
    assert mismatch(evidence, evidence.candidates[0]) == []
    answer = answer_stream(question, evidence, None, embed=embedder.embed, mode="extractive")
    assert "24,902.66" in answer.finish().text
    unopened = select_evidence(question, [passages[0], passages[2]], embedder.embed)
    value = next(c for c in unopened.candidates if c.sentence.text.startswith("Value on 05"))
    assert other_subject(unopened, value) == ["priya"], "without its opening, nobody's"


STUB_HEADER = """Employee: Nora Whitaker Employee ID: 20417
Pay period: 2025-03-01 to 2025-03-14 Pay date: March 14, 2025
"""
STUB_TABLE = """Gross pay | Current: 3,499.13 | YTD: 17,274.75
Net pay | Current: 2,406.80 | YTD: 11,881.78
"""


def test_a_papers_title_block_in_its_second_chunk_says_whose_it_is(embedder) -> None:  # type: ignore[no-untyped-def]
    """A payslip's title is a chunk of its own; the "Employee: Nora Whitaker" block is the
    next. Its pay table, a third chunk, is Nora's: the question about Nora's pay is not
    declined for the name, while Theo's report card is retrieved beside it."""
    stub = "/docs/payslip_2025-03-14.pdf"
    passages = [
        Passage(stub, 1, 2, 2, 1, 1, (), STUB_TABLE, 0, len(STUB_TABLE), 0.6, 0.1),
        Passage(stub, 1, 1, 1, 1, 1, (), STUB_HEADER, 0, len(STUB_HEADER), 0.5, 0.1),
        passage("/docs/report_card_theo_2024-25_q2.pdf", THEO, 0.3, 2),
        passage("/docs/report_card_nora_2024-25_q2.pdf", NORA, 0.3, 3),
    ]
    evidence = select_evidence("How much did Nora take home on March 14?", passages, embedder.embed)
    net = next(c for c in evidence.candidates if c.text.startswith("Net pay"))
    assert subjects(evidence) == {"nora"}
    assert other_subject(evidence, net) == []


PLAN_CARD = """Health plan explanation of benefits
Member: Daniel Reyes   Member ID: HCH 884 217 603
Group number: 40-22817
"""
DAN_GYM = """# Dan's gym membership
Dan goes on Tuesdays and Thursdays.
"""


def test_a_person_is_known_by_the_short_name_they_go_by(embedder) -> None:  # type: ignore[no-untyped-def]
    """A household asks about "Dan"; the health plan writes "Daniel". The plan's line
    answers (it was declined as someone else's), and a question about Bob, whom no paper
    writes by any name, is still not answered from it."""
    assert same_person("dan", "daniel") and same_person("daniel", "dan")
    assert same_person("bob", "robert") and same_person("liz", "elizabeth")
    assert not same_person("al", "alice"), "two letters start too many names"
    assert not same_person("dan", "susan")
    assert goes_by("jen", "Member: Jennifer Reyes-Whitaker") and not goes_by("jen", "jenkins")
    passages = [
        passage("/docs/health_plan_eob_2025-03.pdf", PLAN_CARD, 0.6, 1),
        passage("/docs/dan_gym_membership.md", DAN_GYM, 0.3, 2),
    ]
    question = "What's Dan's member ID number on the health plan?"
    evidence = prefer_matching(select_evidence(question, passages, embedder.embed))
    assert subjects(evidence) == {"dan"}
    assert "HCH 884" in evidence.candidates[0].text
    assert mismatch(evidence, evidence.candidates[0]) == []
    answer = answer_stream(question, evidence, None, embed=embedder.embed, mode="extractive")
    assert "HCH 884 217 603" in answer.finish().text
    passages[1] = passage("/docs/bob_gym_membership.md", DAN_GYM.replace("Dan", "Bob"), 0.3, 2)
    question = "What's Bob's member ID number on the health plan?"
    evidence = prefer_matching(select_evidence(question, passages, embedder.embed))
    assert other_subject(evidence, evidence.candidates[0]) == ["bob"]


CARE_HOME = """Ashgrove House: resident statement, March 2025
Resident: Bridget Kavanagh   Room: 12, Rowan wing
Resident contribution: €236.50 per week
"""
TAX_CREDITS = """Tax credit certificate 2025: Ciarán Kavanagh
Tax credits this year: €4,000.00
"""


def test_a_name_that_says_whose_kin_is_asked_about_is_no_subject(embedder) -> None:  # type: ignore[no-untyped-def]
    """ "Ciarán's mother" is asked about: her care home's statement, in her name, is not
    Ciarán's paper passed over for his own (a paper named for him is retrieved too)."""
    question = "How much a week does Ciarán's mother pay towards her care?"
    assert asked_names(question) == set()
    assert asked_names("How much do we owe for Jen's son's urgent care visit?") == set()
    assert asked_names("What is Jen's salary?") == {"jen"}
    passages = [
        passage("/docs/ashgrove_house_statement_2025-03.pdf", CARE_HOME, 0.5, 1),
        passage("/docs/tax_credit_certificate_2025_ciaran.pdf", TAX_CREDITS, 0.4, 2),
    ]
    evidence = prefer_matching(select_evidence(question, passages, embedder.embed))
    assert subjects(evidence) == set()
    assert "236.50" in evidence.candidates[0].text
    assert mismatch(evidence, evidence.candidates[0]) == []


DRUG_CLAIMS = """Your prescription claims, February 2025
02/11/2025 | Drug: Eliquis 5 mg tablet | Total cost: $594.06 | Plan paid: $547.06
"""
JAN_NOTES = """# Jan's notes
Jan walks with the church group on Wednesdays.
"""


def test_a_file_named_for_a_person_is_theirs_by_the_short_name_they_go_by(embedder) -> None:  # type: ignore[no-untyped-def]
    """The drug plan's claims name no one; its file's name says Janice's. "Jan" is a
    short name of hers written down; "Ann" starts "annual" but no file word stands for
    her by it."""
    assert goes_by("jan", "", ["lakeshore", "eob", "janice"])
    assert not goes_by("ann", "", ["annual", "statement"])
    passages = [
        passage("/docs/lakeshore_rx_eob_janice_2025-02.pdf", DRUG_CLAIMS, 0.6, 1),
        passage("/docs/jan_notes.md", JAN_NOTES, 0.3, 2),
    ]
    question = "How much did Jan's drug plan pay for the Eliquis in February?"
    evidence = prefer_matching(select_evidence(question, passages, embedder.embed))
    assert subjects(evidence) == {"jan"}
    assert "Eliquis" in evidence.candidates[0].text
    assert other_subject(evidence, evidence.candidates[0]) == []
