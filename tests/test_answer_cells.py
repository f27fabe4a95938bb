"""The cell of a row, and the unit, that answers: the finer kind a question asks for is
asked by what it asks, not by the things it names ("the discount on the van's policy"
asks for no policy number); a "Year to date" column answers only a question about the
year so far, a running balance every question about what is still owed; a "how much"
question is answered by a cell that holds an amount, and "which check number" by the
cell that holds one; a unit holding the kind asked for is quoted before a best one that
holds none; the version of a paper the question dates is not declined because the
other version's line scores higher, nor quoted beside that line; and "first" is "1st".
Files are written to disk and read by the real readers; scoring uses the real embedding
model."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from assistant.evidence.abstain import should_abstain
from assistant.evidence.compose import answering, extractive_answer
from assistant.evidence.kinds import ValueKinds
from assistant.evidence.question import QuestionProfile
from assistant.evidence.records import Record
from assistant.evidence.select import select_evidence
from assistant.evidence.structure import chosen_cells
from assistant.evidence.text import content_stems, has_date, split_sentences
from assistant.evidence.which import STRAY_MARGIN, prefer_matching, unmatched
from tests.test_evidence_units import written

POLICY = """# Commercial auto policy: 2017 Ford Transit Connect

## Endorsements

- GS-PP-01 Personal Auto Policy (Ohio)
- GS-BU-17 Business Use - Artisan and Food Delivery: covers delivering goods the insureds make.
- GS-SE-09 Signage Endorsement: vehicle wrap/lettering up to $1,500 is covered.

## Discounts applied

- Multi-vehicle: -$28.90
- Paperless and autopay: -$10.10
- Safe driver (5+ years claim-free): -$31.20
"""

PAYSLIP = """Description,Current,Year to date
Gross pay,"$2,166.67","$13,000.02"
Federal income tax,$142.00,$852.00
Ohio state income tax,$41.27,$247.62
Cedar Glen city tax (2.5%),$54.17,$325.02
Net pay,"$1,698.48","$10,190.88"
"""

VISITS = """Date,Reason,Weight (lb),Vet,Amount charged
2024-06-10,"Annual exam, vaccines",42.6,Dr. Anita Rowe,286.40
2024-11-18,"Ear infection (left), vaccines",43.1,Dr. Marcus Lee,148.75
2024-12-09,Canine influenza booster,43.4,Dr. Marcus Lee,41.50
"""

CHECKING = """Date,Description,Category,Debit,Credit,Balance
03/25/2025,GRANITE SHIELD INS AUTOPAY,Insurance,94.25,,5761.28
03/27/2025,CHECK #1186 KOWALSKI PLUMBING & HEATING,Home repair,1940.00,,3821.28
03/28/2025,PAYROLL DEPOSIT,Income,,1698.48,5519.76
"""

SCHEDULE = """Payment,Due date,Payment amount,Principal,Interest,Balance
51,12/05/2027,$630.98,$599.07,$31.91,"$5,533.75"
52,01/05/2028,$630.98,$602.20,$28.78,"$4,931.55"
53,02/05/2028,$630.98,$605.34,$25.64,"$4,326.21"
"""


def answer(embedder, tmp_path: Path, name: str, text: str, question: str) -> str:  # type: ignore[no-untyped-def]
    evidence = select_evidence(question, [written(tmp_path, name, text)], embedder.embed)
    return extractive_answer(evidence)[0]


def test_a_thing_that_has_a_number_asks_for_no_number() -> None:
    assert ValueKinds.of("How much is the paperless discount on the van's policy?").asked == ()
    assert ValueKinds.of("What was our checking account balance in February?").asked == ()
    assert ValueKinds.of("How much is Harold's Part B premium this year?").asked == ()
    assert ValueKinds.of("How many payments is that in total?").asked == ()
    assert ValueKinds.of("What is the policy number on the van?").asked == ("reference",)
    assert ValueKinds.of("What's the VIN of the car?").asked == ("reference",)
    assert ValueKinds.of("What's the phone number of the vet?").asked == ("phone",)


def test_a_deadline_is_a_date_set_as_a_limit() -> None:
    deadline = ValueKinds.of("What's the deadline for appealing anything on the notice?")
    assert deadline.held("Your appeal must be received by August 2, 2025.")
    assert deadline.held("follow up if no answer by 04/02")
    assert not deadline.held("Call 1-800-MEDICARE.")
    assert not deadline.held("Notice date: April 4, 2025")


def test_the_discount_on_a_policy_is_the_discount_not_a_form_code(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    said = answer(
        embedder,
        tmp_path,
        "van_policy.md",
        POLICY,
        "How much is the paperless and autopay discount on the van's policy?",
    )
    assert said.startswith("Paperless and autopay: -$10.10"), said


def row_of(tmp_path: Path, name: str, text: str, held: str) -> Record:
    """The record of the row of `name` whose line holds `held`, as its reader reads it."""
    units = split_sentences(written(tmp_path, name, text).text)
    record = next(u.record for u in units if u.record is not None and held in u.text)
    assert record is not None
    return record


def headers(record: Record, question: str, weights: dict[str, float], embedder) -> list[str]:  # type: ignore[no-untyped-def]
    """The headers of the cells chosen for `question`, the headers' closeness to it taken
    from the real model (none without one: their words alone), the question's words
    weighted by `weights` (their rarity among what was retrieved)."""
    closeness = None
    if embedder is not None:
        vectors = np.asarray(embedder.embed([question, *(c.header for c in record.cells)]))
        closeness = [float(v) for v in vectors[1:] @ vectors[0]]
    chosen = chosen_cells(record, QuestionProfile.of(question), weights, closeness)
    return [c.header for c in chosen]


def test_this_pay_period_is_the_current_column(tmp_path: Path) -> None:
    # Read by the headers' words alone: "Year to date" is as close to "paycheck" by
    # meaning as "Current" is, or closer, depending on the question's other words.
    row = row_of(tmp_path, "paystub.csv", PAYSLIP, "city tax")
    now = "How much city tax came out of Dana's March 20 paycheck?"
    assert headers(row, now, {}, None) == ["Current"]
    so_far = "How much city tax has been withheld so far this year?"
    assert headers(row, so_far, {}, None) == ["Year to date"]


def test_how_much_is_an_amount_not_the_name_beside_it(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    row = row_of(tmp_path, "dog_visits.csv", VISITS, "Ear infection")
    # "vet" is rare among the units retrieved beside the sheet (a sitter's notes, a
    # to-do list), and the Vet column's header is that word.
    question = "How much was the vet bill when the dog had the ear infection?"
    assert headers(row, question, {"vet": 2.0}, embedder) == ["Amount charged"]


def test_which_check_number_is_the_cell_holding_it(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    said = answer(
        embedder,
        tmp_path,
        "checking.csv",
        CHECKING,
        "Which check number did we use to pay the plumber?",
    )
    assert "CHECK #1186" in said.split(" — ")[0], said


def test_what_is_still_owed_is_the_running_balance(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    said = answer(
        embedder,
        tmp_path,
        "loan_schedule.csv",
        SCHEDULE,
        "How much will we still owe after the January 2028 payment?",
    )
    assert "(Balance): $4,931.55" in said.split(" — ")[0], said


COVERAGES = """Coverage,Limits,Deductible,6-month premium
Collision,Actual cash value,$500,$212.40
Roadside Assistance,"Towing up to 15 miles, lockout, jump-start",-,$8.90
Rental Reimbursement,$40 per day,-,$24.80
"""

POLICY_NOTES = """Policy notes

To report a claim, use the app.
If the car breaks down, ring (800) 555-0145 at any hour.
Keep this card in the glove box.
"""


def test_a_unit_holding_the_kind_asked_is_quoted_before_one_that_holds_none(
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    question = "What number do I call for a tow or a jump-start?"
    passages = [
        written(tmp_path, "auto_coverages.csv", COVERAGES),
        written(tmp_path, "auto_policy_notes.txt", POLICY_NOTES),
    ]
    evidence = select_evidence(question, passages, embedder.embed)
    assert evidence.best is not None and evidence.best.features["kind_miss"] == 1.0
    said = extractive_answer(evidence)[0]
    # The Roadside row names the tow and holds no phone number: the number is the first
    # quote, the answer a reader takes; the row follows it.
    first, *others = said.split(" [")
    assert "(800) 555-0145" in first, said
    assert "Roadside" in " [".join(others), said


CONTRACT_2025 = """# Cleaning services agreement

This Agreement is made on March 18, 2025 between Brightway Cleaning Ltd and Hollis Bakery.

1. Either party may end this cleaning agreement by giving the other party {notice} in writing.
2. Cleaning is done on Mondays and Thursdays after closing.
3. The monthly fee is $640.00, invoiced on the first of each month.
""".format(notice="30 days' notice to end it")

CONTRACT_2023 = """# Cleaning services agreement

This Agreement is made on March 20, 2023 between Brightway Cleaning Ltd and Hollis Bakery.

1. Termination: 60 days' written notice.
2. Cleaning is done on Mondays after closing.
3. The monthly fee is $520.00, invoiced on the first of each month.
"""


def test_the_version_of_a_paper_the_question_dates_answers(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    question = "How much notice did we have to give to end the 2023 cleaning agreement?"
    passages = [
        written(tmp_path, "cleaning_agreement_2025.md", CONTRACT_2025),
        written(tmp_path, "cleaning_agreement_2023.md", CONTRACT_2023),
    ]
    evidence = prefer_matching(select_evidence(question, passages, embedder.embed))
    chosen = evidence.candidates[0]
    top = max(evidence.candidates, key=lambda c: c.score)
    # The 2025 line scores far above the 2023 one; it is the same paper, of another year.
    assert chosen.text == "Termination: 60 days' written notice."
    assert top.score - chosen.score > STRAY_MARGIN and top.source == 1
    assert not should_abstain(evidence)
    assert extractive_answer(evidence)[0].startswith("Termination: 60 days' written notice.")


def test_the_version_passed_over_is_not_quoted_beside_it(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    question = "How much notice did we have to give to end the 2023 cleaning agreement?"
    newer = written(tmp_path, "cleaning_agreement_2025.md", CONTRACT_2025)
    # Retrieval ranks the 2023 agreement closest, so nothing else adds the 2025 one.
    older = dataclasses.replace(
        written(tmp_path, "cleaning_agreement_2023.md", CONTRACT_2023), score=0.6
    )
    evidence = prefer_matching(select_evidence(question, [newer, older], embedder.embed))
    said = extractive_answer(evidence)[0]
    assert said.startswith("Termination: 60 days' written notice."), said
    assert "30 days" not in said, said


ESCROW = """Date,Description,Deposits,Disbursements,Balance
01/02/2025,Escrow from payment (due 01/01/2025),$587.80,,"$2,775.24"
02/01/2025,Escrow from payment (due 02/01/2025),$587.80,,"$3,363.04"
02/12/2025,County Treasurer - 1st half 2024 real estate taxes,,"$2,704.78",$658.26
03/01/2025,Escrow from payment (due 03/01/2025),$587.80,,"$1,246.06"
"""


def test_an_ordinal_is_one_word_in_words_or_figures(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert "1st" in content_stems("the first-half property taxes")
    assert "1st" in content_stems("1st half 2024 real estate taxes")
    assert "2nd" in content_stems("the second quarter") and "2nd" in content_stems("2nd qtr")
    said = answer(
        embedder,
        tmp_path,
        "mortgage_escrow.csv",
        ESCROW,
        "When did the escrow account pay the first-half property taxes?",
    )
    assert said.startswith("02/12/2025"), said


INSTALMENTS = """Instalment,Due date,Amount
1,01/04/2025,£120.50
2,01/05/2025,£118.00
3,01/06/2025,£118.00
4,01/07/2025,£118.00
Total,,£474.50
"""


def test_the_last_instalment_is_the_bottom_row_of_the_schedule(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """No word names the last row (its label is "4"); "last year" is a date, not a row."""
    said = answer(
        embedder, tmp_path, "water_rates.csv", INSTALMENTS, "When is the last instalment due?"
    )
    assert "01/07/2025" in said.split(" — ")[0], said
    said = answer(
        embedder, tmp_path, "water_rates.csv", INSTALMENTS, "When is the final payment due?"
    )
    assert "01/07/2025" in said.split(" — ")[0], said


BOOKING = """Dear Mr Lindqvist,

Thank you for booking with Harbour Lights Cottages.
Cottage: Gull's Rest, 2 Quay Street, Porthleven (sleeps 4)
Your booking reference is HL-30952.
Arrival: Saturday 9 August 2025, from 4 pm.
"""


def test_a_reference_is_asked_for_as_a_number_is(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """British papers say "reference" where American ones say "number"."""
    assert ValueKinds.of("What is the booking reference for the cottage?").asked == ("reference",)
    question = "What is the booking reference for the cottage in Porthleven?"
    said = answer(embedder, tmp_path, "booking.txt", BOOKING, question)
    assert "HL-30952" in said.split(" — ")[0].split("[")[0], said


READINGS = """Date,Meter,Reading,Type
14/08/2024,Water W7731 (m³),812.4,Actual
14/09/2024,Water W7731 (m³),826.9,Actual
14/09/2024,Heat H2205 (kWh),10440,Estimated
14/10/2024,Water W7731 (m³),839.0,Actual
"""


CLAIMS = """Service,Amount charged,Plan approved,Plan paid,You may be billed
Knee X-ray (73562),$310.00,$96.20,$76.96,$19.24
Office visit (99214),$245.00,$131.40,$105.12,$26.28
"""


def test_the_last_noun_of_what_is_asked_is_the_column(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "The water meter reading on 14/09/2024": "reading" is the column asked for, and
    "water meter" and the date say which row; the Meter column matches a word too."""
    said = answer(
        embedder,
        tmp_path,
        "meter_readings.csv",
        READINGS,
        "What was the water meter reading on 14/09/2024?",
    )
    assert "826.9" in said.split(" — ")[0], said
    # "Amount" is what every figure is: it names no column.
    said = answer(
        embedder,
        tmp_path,
        "claims.csv",
        CLAIMS,
        "What was the plan-approved amount for the knee X-ray?",
    )
    assert "96.20" in said.split(" — ")[0], said


SOCIETY_REPORT = """# Linden Lane Allotment Society: annual report 2025

## Accounts

Income for the year was 11,200 pounds, most of it from plot rents. Spending was 9,400 pounds.
The largest costs were the new polytunnel, {costs}.

## The new polytunnel

In May the society bought a polytunnel for the shared plot, after three years of borrowing one.
The committee chose a 6 by 3 metre tunnel with roll-up sides, made by Fenland Growers of Ely.
It was bought on 3 May 2025 for 2,180 pounds, paid from the lottery grant.
Only members shown how to vent it may open the sides.
""".format(
    costs="water rates at 820 pounds, seed potatoes at 410 pounds, and 1,150 pounds for fencing"
)


def test_the_sum_said_of_the_thing_asked_is_quoted_first(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A sentence that names the thing asked and gives sums to other things ("the largest
    costs were the new polytunnel, water rates at 820 pounds") is no answer to what the
    thing cost: the sentence that gives it its sum is quoted first."""
    question = "How much did the new polytunnel cost?"
    accounts, tunnel = SOCIETY_REPORT.split("## The new polytunnel")
    # Two passages of the report; retrieval ranks the polytunnel's own section closest.
    passages = [
        dataclasses.replace(written(tmp_path, "report_accounts.md", accounts), score=0.5),
        dataclasses.replace(
            written(tmp_path, "report_tunnel.md", "## The new polytunnel" + tunnel), score=0.6
        ),
    ]
    evidence = select_evidence(question, passages, embedder.embed)
    said = extractive_answer(evidence)[0]
    first = said.split(" [")[0]
    assert "2,180 pounds" in first, said


SHED_LETTER = """Dear Architectural Review Committee,

We request approval to build a garden shed behind our home at 14 Alder Court (Lot 12).

Placement: 4 feet inside the rear property line, as marked on the enclosed plan
Footprint: 10 by 12 feet, on a gravel pad
Height: 8 feet 6 inches at the ridge
Siding: cedar shingles, stained to match the house

Sincerely,
Priya and Tom Hale
"""

STAY = """# Booking confirmation: Lakeside Cottage

Check-in: Saturday, July 12, 2025 after 3:00 PM
Check-out: Tuesday, July 15, 2025 by 10:00 AM
Guests: 4 adults
"""


def test_the_line_naming_the_attribute_asked_answers(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "How tall" asks for the Height line, "when do we have to be out" for the Check-out
    one, "what's the number for" for a phone number: a reader knows what a form calls
    what the question asks for."""
    said = answer(
        embedder,
        tmp_path,
        "shed_request.txt",
        SHED_LETTER,
        "How tall is the shed we asked to build?",
    )
    assert said.startswith("Height: 8 feet 6 inches"), said
    said = answer(embedder, tmp_path, "stay.md", STAY, "And when do we have to be out?")
    assert said.startswith("Check-out: Tuesday"), said
    assert "phone" in ValueKinds.of("What's the number for the emergency vet?").asked
    assert "phone" not in ValueKinds.of("What's the policy number for the van?").asked


PAYSTUB = """# Paystub: Orchard Lane Bakery

Employee: Lena Park
Pay period: 04/01/2025 - 04/15/2025
Pay date: 04/18/2025
Net pay: $1,402.16
Questions about your pay: call payroll at (555) 010-2231.
"""


def test_the_field_a_question_asks_for_by_name_answers(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "Which pay period does ... cover?" names the field that answers: `Pay period`, not
    the line about pay that holds a figure."""
    said = answer(
        embedder,
        tmp_path,
        "paystub_lena_2025-04-18.md",
        PAYSTUB,
        "Which pay period does the $1,402.16 payroll deposit on April 18 cover?",
    )
    assert said.startswith("Pay period: 04/01/2025 - 04/15/2025"), said


BOILER_EMAIL = """Subject: Re: Boiler replacement quote

Hi both,

Revised number for the new boiler, the 30 kW combi model:

$4,100.00 installed.

That includes the gas permit ($85), a new boiler flue kit, a new pump and haul-away of the old one.

We can start on the 14th if that suits you.
"""


def test_a_question_naming_a_price_reads_the_sum_said_of_it(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "What's the final installed price" names a sum: the line giving it answers (2), the
    line whose only sum is the permit's holds one said of another thing (1), and the line
    with none holds none (0)."""
    question = "What's the final installed price for the new boiler?"
    evidence = select_evidence(
        question, [written(tmp_path, "boiler_thread.eml.txt", BOILER_EMAIL)], embedder.embed
    )
    levels = {c.text: answering(evidence, c) for c in evidence.candidates}
    assert levels["$4,100.00 installed."] == 2, levels
    permit = next(t for t in levels if t.startswith("That includes the gas permit"))
    assert levels[permit] == 1, levels
    assert levels["We can start on the 14th if that suits you."] == 0, levels


USAGE_BILL = """# Lakeside Power & Gas: your bill for February 2025

## Your electric charges

{usage}
Your electricity use was 12% lower than the same month last year.

## Your 13-month usage history

| Month | {electric} | {gas} |
| --- | --- | --- |
| Feb 2025 | 1,118 | 92 |
| Jan 2025 | 1,230 | 101 |
| Dec 2024 | 1,175 | 97 |
| Aug 2024 | 1,388 | 14 |
| Jul 2024 | 1,402 | 16 |
| Jun 2024 | 1,260 | 18 |
"""
JULY_USE = (
    "According to the usage history on the February bill, how much electricity did we use in"
    " July 2024?"
)


def test_a_line_naming_the_attribute_asked_does_not_pass_the_month_asked(  # type: ignore[no-untyped-def]
    embedder, tmp_path: Path
) -> None:
    """The bill's "Electric usage this period" line names the usage asked, but not the
    month: the row naming July 2024 is quoted first (`compose._naming_attribute`)."""
    bill = USAGE_BILL.format(
        usage="Electric usage this period: 1,118 kWh, from 01/08/2025 to 02/06/2025.",
        electric="Electric (kWh)",
        gas="Gas (therms)",
    )
    page = written(tmp_path, "power_gas_bill_2025-02.md", bill)
    evidence = prefer_matching(select_evidence(JULY_USE, [page], embedder.embed))
    assert not should_abstain(evidence)
    first = extractive_answer(evidence)[0].split(" [")[0]
    assert "Jul 2024 (Electric (kWh)): 1,402" in first, first


def test_a_line_of_the_same_paper_scoring_higher_is_no_stray(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The row naming the month asked, chosen over the bill's own usage line that scores
    higher, is not declined for what that line lacks: it is the same paper. The same line
    in another paper is a reason to doubt the row (`which.unmatched`)."""
    bill = USAGE_BILL.format(
        usage="Electricity used this period: 1,118 kWh.", electric="Electric", gas="Gas"
    )
    page = written(tmp_path, "power_gas_bill_2025-02.md", bill)
    evidence = prefer_matching(select_evidence(JULY_USE, [page], embedder.embed))
    chosen = evidence.candidates[0]
    assert chosen.text.startswith("Jul 2024"), chosen.text
    line = next(c for c in evidence.candidates if c.text.startswith("Electricity used"))
    line.score = chosen.score + STRAY_MARGIN + 1.0  # as far above as a bill's line may be
    assert unmatched(evidence) == []
    other = written(tmp_path, "power_gas_bill_2025-01.md", bill)
    evidence.passages[line.source - 1] = other  # the line, of January's bill
    assert unmatched(evidence) == ["february"]  # the bill asked is February's


SALES_HEAD = "Month,Online,Wholesale,Total Sales\n"
SALES_FIRST = "".join(
    f"{month} 2024,${400 + 10 * n:,}.00,${300 + n:,}.00,${700 + 11 * n:,}.00\n"
    for n, month in enumerate(["January", "February", "March", "April", "May", "June"])
)
SALES_REST = (
    "".join(
        f"{month} 2024,${460 + 10 * n:,}.00,${306 + n:,}.00,${766 + 11 * n:,}.00\n"
        for n, month in enumerate(["July", "August", "September", "October", "November"])
    )
    + "December 2024,$580.00,$318.00,$898.00\n"
    + 'Year total,"$6,000.00","$3,718.00","$9,718.00"\n'
)


def test_a_year_total_in_the_tables_next_passage_answers_the_whole_year(  # type: ignore[no-untyped-def]
    embedder, tmp_path: Path
) -> None:
    """A long table is cut into passages; where the question names no month, the total
    row answers, even from the passage that holds the table's end (same file, same
    headings)."""
    first = written(tmp_path, "bakery_sales_2024.csv", SALES_HEAD + SALES_FIRST)
    rest = dataclasses.replace(
        written(tmp_path, "bakery_sales_2024.csv", SALES_HEAD + SALES_REST), first=1, last=1
    )
    question = "What were the bakery's total sales for the whole of 2024?"
    evidence = prefer_matching(select_evidence(question, [first, rest], embedder.embed))
    assert evidence.candidates[0].source == 1, evidence.candidates[0].text  # a month's row
    said = extractive_answer(evidence)[0].split(" [")[0]
    assert "Year total (Total Sales): $9,718.00" in said, said
    # A month the question names is its own row's.
    question = "What were the bakery's total sales in March 2024?"
    evidence = prefer_matching(select_evidence(question, [first, rest], embedder.embed))
    assert "$722.00" in extractive_answer(evidence)[0].split(" [")[0]


STATEMENT = """Date,Description,Debit,Credit,Balance
02/01/2025,BEGINNING BALANCE,,,"4,210.55"
02/05/2025,PAYROLL DEPOSIT,,"2,104.10","6,314.65"
02/11/2025,CITY WATER AUTOPAY,61.20,,"6,253.45"
02/19/2025,CHECK #2231,500.00,,"5,753.45"
02/27/2025,GROCERY MART,88.34,,"5,665.11"
"""


def test_the_end_of_a_month_is_the_statements_latest_row_in_it(  # type: ignore[no-untyped-def]
    embedder, tmp_path: Path
) -> None:
    """ "At the end of February" is the balance on the statement's last day in February,
    whichever way the statement lists its rows (oldest or newest first); no word of the
    question names that row."""
    header, *rows = STATEMENT.splitlines(keepends=True)
    for name, text in (
        ("checking_2025-02.csv", STATEMENT),
        ("checking_newest_first_2025-02.csv", header + "".join(reversed(rows))),
    ):
        page = written(tmp_path, name, text)
        question = "What was our checking balance at the end of February 2025?"
        evidence = prefer_matching(select_evidence(question, [page], embedder.embed))
        said = extractive_answer(evidence)[0].split(" [")[0]
        assert said.startswith("02/27/2025 (Balance): 5,665.11"), (name, said)


def test_a_statement_cut_in_passages_reads_its_dates_one_way(  # type: ignore[no-untyped-def]
    embedder, tmp_path: Path
) -> None:
    """A passage whose dates could be read either way (02/10/2025: 10 February or 2
    October) is read in the order another passage of the same statement shows (01/28/2025
    is month first), so its latest row in February ends February."""
    header = "Date,Description,Debit,Credit,Balance\n"
    january = written(
        tmp_path, "checking_2025-q1.csv", header + '01/28/2025,GROCERY MART,42.10,,"3,310.40"\n'
    )
    february = dataclasses.replace(
        written(
            tmp_path,
            "checking_2025-q1.csv",
            header
            + '02/03/2025,PAYROLL DEPOSIT,,"2,104.10","5,414.50"\n'
            + '02/10/2025,CITY WATER AUTOPAY,61.20,,"5,353.30"\n',
        ),
        first=1,
        last=1,
    )
    question = "What was our checking balance at the end of February 2025?"
    evidence = select_evidence(question, [january, february], embedder.embed)
    ends = [c.text for c in evidence.candidates if c.features["last_row"]]
    assert ends == [
        "02/10/2025 | Description: CITY WATER AUTOPAY | Debit: 61.20 | Balance: 5,353.30"
    ]


BOOKS = """Subject,Book,Publisher,Price
Irish,Fuinneamh 5,Ardán Press,€27.80
English,Words Alive 5,Ashfield Press,€31.50
Biology,Life Science 2,Corrib Learning,€36.95
"""

FEES = """Age group,Club fee,Insurance levy,Playing shirt,Total
Under 12,$195.00,$25.00,$45.00,$265.00
Under 14,$210.00,$25.00,$45.00,$280.00
"""


def test_how_much_a_thing_is_asks_its_price_and_the_full_cost_its_total(  # type: ignore[no-untyped-def]
    embedder, tmp_path: Path
) -> None:
    """ "How much is the Irish book?" is the Price cell, not the Book column its header
    shares a word with; "the full cost" is the Total column, not the club fee."""
    said = answer(
        embedder, tmp_path, "book_list_2025-26.csv", BOOKS, "How much is Róisín's Irish book?"
    )
    assert said.split(" [")[0].endswith("Irish (Price): €27.80 — book_list_2025-26.csv"), said
    said = answer(
        embedder,
        tmp_path,
        "cricket_fees_2025-26.csv",
        FEES,
        "What's the full cost for an Under 14 player at the cricket club?",
    )
    assert "Under 14 (Total): $280.00" in said.split(" [")[0], said


NOTES = """# Household notes

- Term deposit: Dad wants to roll it over for 6 months this time, not 12.
- Bins: green bin out on Sunday night.
- Dad's GP is Dr Lee at Corrimal Medical.
"""

MATURITY = """# Illawarra Mutual Bank: your term deposit is maturing

Account holder: Arthur Haddon
Account: Term deposit 12 months, number 4471-22
Maturity date: 24/03/2025
Interest rate: 4.85% p.a.
Please tell us by the maturity date what you would like to do with your funds.
"""


def test_a_when_question_is_answered_by_a_date_not_a_note_without_one(  # type: ignore[no-untyped-def]
    embedder, tmp_path: Path
) -> None:
    """A family's note names the term deposit and Dad; the bank's letter holds the date.
    Where the best unit holds no date, the next holding one and every topic word comes
    first, as a sum does for a money question."""
    notes = written(tmp_path, "household_notes.md", NOTES)
    letter = dataclasses.replace(
        written(tmp_path, "illawarra_mutual_td_maturity_arthur.md", MATURITY), doc_id=2
    )
    question = "When does Dad's term deposit finish?"
    evidence = select_evidence(question, [notes, letter], embedder.embed)
    assert evidence.candidates[0].text.startswith("Term deposit: Dad"), "the note scores best"
    evidence = prefer_matching(evidence)
    assert evidence.candidates[0].text == "Maturity date: 24/03/2025"
    # A weekday answers "what day" as a date does: the note stays first.
    evidence = prefer_matching(
        select_evidence("What night do the bins go out?", [notes, letter], embedder.embed)
    )
    assert evidence.candidates[0].text.startswith("Bins: green bin")


WATER_BILL = """# City water bill, February 2025

## Watering rules

Stage 2 watering rules are in effect.

Sprinklers may run only once a week, before 11 a.m., on your watering day.

## Your account

Your sewer charge for the year is set by your winter average.

Your watering day is Thursday.
"""


def test_what_day_is_answered_by_a_weekday(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "What day of the week ..." asks for a weekday: the bill's "Your watering day is
    Thursday." answers, not the rule that scores best ("Sprinklers may run ...", whose
    "may" is no month), and it is answered, not declined."""
    bill = written(tmp_path, "city_water_bill_2025-02.md", WATER_BILL)
    question = "What day of the week are we allowed to run the sprinklers?"
    evidence = select_evidence(question, [bill], embedder.embed)
    assert evidence.candidates[0].text.startswith("Sprinklers may run"), "the rule scores best"
    evidence = prefer_matching(evidence)
    assert evidence.candidates[0].text == "Your watering day is Thursday."
    assert not should_abstain(evidence)
    asked = QuestionProfile.of("Which day do the kids go swimming at camp?")
    assert asked.answer_type == "date" and asked.type_match("Wednesday is swim day.")
    assert not QuestionProfile.of("When is the party?").type_match("It is on Wednesday.")


def test_may_and_march_said_as_verbs_are_no_months() -> None:
    assert not has_date("Sprinklers may run only once a week.")
    assert not has_date("The band will march past the school.")
    assert has_date("Rent rises in May.") and has_date("due March 4") and has_date("in june")


def test_a_phone_that_names_another_thing_asks_for_no_phone_number() -> None:
    """ "The cell phone bill", "the phone plan": a noun after "phone" is the thing asked
    about; "phone" said as a verb, a phone line and "ring the surgery" ask for a number,
    and "the engagement ring" for none."""
    assert ValueKinds.of("What's the total on this month's cell phone bill?").asked == ()
    assert ValueKinds.of("Which phone plan is Leo on?").asked == ()
    assert ValueKinds.of("What's the value of Mam's engagement ring?").asked == ()
    assert ValueKinds.of("Who do I phone about the boiler?").asked == ("phone",)
    assert ValueKinds.of("What's the vet's out-of-hours phone line?").asked == ("phone",)
    assert ValueKinds.of("Who should we ring if the alarm goes off?").asked == ("phone",)
    assert ValueKinds.of("What's Dr Lee's phone?").asked == ("phone",)


LOAN = """Date,Description,Loan repayment,Interest,Loan balance
16/09/2024,Car loan drawn down,,,12000.00
15/10/2024,Repayment by standing order,300.00,75.00,11775.00
15/11/2024,Repayment by standing order,300.00,73.59,11548.59
15/12/2024,Repayment by standing order,300.00,72.18,11320.77
15/01/2025,Repayment by standing order,300.00,70.75,11091.52
"""

RATES = """Taxing unit,Appraised value,Exemptions,Taxable value,Tax
Northside ISD,"361,210","100,000","261,210","$2,659.64"
City of San Antonio,"361,210",0,"361,210","$1,956.28"
Total 2024 taxes,,,,"$7,295.45"
"""


def test_the_thing_a_how_much_question_names_is_the_column_asked(  # type: ignore[no-untyped-def]
    embedder, tmp_path: Path
) -> None:
    """ "How much interest did ..." asks for the Interest column, not the Loan repayment
    one that shares "loan" with the question; "how much of our tax goes to ..." asks for a
    sum, the Tax cell, not the Taxable value its header shares a word with."""
    question = "How much interest did the credit union charge on the loan in January?"
    loan = written(tmp_path, "credit_union_loan.csv", LOAN)
    said = extractive_answer(prefer_matching(select_evidence(question, [loan], embedder.embed)))[0]
    assert said.split(" [")[0].endswith("15/01/2025 (Interest): 70.75 — credit_union_loan.csv")
    said = answer(
        embedder,
        tmp_path,
        "property_tax_2024.csv",
        RATES,
        "How much of our property tax goes to Northside ISD?",
    )
    assert said.split(" [")[0].endswith("Northside ISD (Tax): $2,659.64 — property_tax_2024.csv")


MOBILE_BILL = """# Northwind Mobile: your bill

Bill date: March 18, 2025

## Summary by line

| Line | User | Monthly | Extras | Total |
| --- | --- | --- | --- | --- |
| 613-555-0142 | Daniel | $65.00 | $36.00 | $101.00 |
| 613-555-0143 | Priya | $55.00 | $0.00 | $55.00 |
| 613-555-0147 | Leo | $15.00 | $0.00 | $15.00 |

## Account charges

Lines and extras: $171.00
Device financing: $31.25
HST (13%): $26.29
Total due: $228.54
"""


def test_what_a_bill_comes_to_is_its_total_due_not_one_lines_total(  # type: ignore[no-untyped-def]
    embedder, tmp_path: Path
) -> None:
    """ "The total on this month's cell phone bill", "how much is the phone bill": the sum
    the bill asks for, not the Total column of one line on it."""
    bill = written(tmp_path, "northwind_mobile_bill_2025-03.md", MOBILE_BILL)
    for question in (
        "What's the total on this month's cell phone bill?",
        "How much is the mobile bill this time?",
    ):
        evidence = prefer_matching(select_evidence(question, [bill], embedder.embed))
        said = extractive_answer(evidence)[0]
        assert said.startswith("Total due: $228.54"), (question, said)
