"""People ask in their own words; papers answer under labels. "When does the permit run
out?" is the Expiry date line, "the mileage" the Odometer line, "how much is left to pay"
the Balance line, "what did he put into his pension" the Contributions line (one
vocabulary, `assistant.retrieve.labels.SAYINGS`, searched by the keyword side and read by
the unit choice); "how much" asks for a sum, not the percentage beside it in the row, and
"our" charge is the bill's "Your charge"; "how much VAT" is the VAT line, "the deposit"
the plain Deposit line, not a kind of deposit the question does not name; a masked number
is no full number, and a date or a toll-free number no identifier.
The papers are written for these tests, saved to disk and read by the real readers;
scoring uses the real embedding model."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evidence.compose import extractive_answer
from assistant.evidence.kinds import ValueKinds
from assistant.evidence.question import QuestionProfile
from assistant.evidence.records import Cell, Record
from assistant.evidence.select import Evidence, select_evidence
from assistant.evidence.structure import asked_thing, cell_scores
from assistant.evidence.which import prefer_money, prefer_period
from assistant.retrieve import Passage
from assistant.retrieve.labels import label_forms, sayings_asked
from tests.test_answer_cells import answer, headers, row_of
from tests.test_evidence_units import written

PERMIT = """# Harbour mooring permit

The permit was renewed last spring, after the harbour master's inspection of the pontoon.
Bring the permit to the harbour office if you change boats.

Permit holder: Mr J. Okafor
Boat: Little Auk (blue hull, 6.2 m)
Permit number: HM-2207-B
Issued: 01/04/2025
Expiry date: 31/03/2026
Mooring fee paid: £640.00
"""

SERVICE = """# Service record: 2019 Skoda Octavia estate

Serviced by: Cole Street Garage, Bramley
Date of service: 14/03/2025
Odometer: 48,210 miles
Next service due: 14/03/2026 or 58,000 miles, whichever comes first
The car was driven 9,000 miles since its last service, most of it on the motorway.
"""

CARAVAN = """Subject: Your caravan booking at Sandy Lane Park

Thank you for booking with us. Your caravan is ready from 3pm on arrival day.

Caravan: Seaview 12 (two bedrooms, sleeps 4)
Arrival: 26/07/2025
Deposit paid today: £150.00
Balance: £475.00, due by 26/06/2025
There is parking for two cars beside the caravan, and the site shop sells bread.
"""

PENSION = """# Workplace pension statement 2024-25

Member: Tom Fairley
Employer: Brindle & Marsh Surveyors
Plan value on 05/04/2025: £31,208.44
Contributions paid in during the year: £2,400.00
Annual management charge: £48.10
Tom's plan is invested in the Brindle default growth fund, which he chose when he joined.
"""

WATER = """Service,Standard charge,Your charge,Change on last year
Water supply,£210.40,£189.36,3.2%
Sewerage,£260.10,£234.09,4.1%
Surface water drainage,£41.00,£36.90,2.0%
"""

FLAT = """# Tenancy: Flat 2, 9 Orchard Row

We rent the flat from Hartley Lettings. The rent is paid on the 3rd of each month.

Rent: £925.00 a month
Reservation deposit: £200.00, taken off the first month's rent we paid
Deposit: £1,067.31
Deposit held by: the tenancy deposit scheme
"""

INVOICE = """# Invoice 4471 from Brightpane Window Cleaning (VAT reg. no. GB 402 1187 66)

Item,Qty,Unit price,Amount
Window cleaning (whole house),1,£60.00,£60.00
Conservatory roof,1,£35.00,£35.00
VAT at 20%,,,£19.00
Total,,,£114.00
"""


def test_what_runs_out_is_the_expiry_line(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    said = answer(embedder, tmp_path, "permit.md", PERMIT, "When does the mooring permit run out?")
    assert said.startswith("Expiry date: 31/03/2026"), said
    assert label_forms("When does the permit run out?", ["permit", "run"]) == {
        "run": ["expiry", "expires", "expiration"]
    }


def test_the_mileage_is_the_odometer_line(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    question = "What was the mileage on the car at its last service?"
    said = answer(embedder, tmp_path, "service.md", SERVICE, question)
    assert said.startswith("Odometer: 48,210 miles"), said


def test_what_is_left_to_pay_is_the_balance(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    question = "How much is left to pay on the caravan?"
    said = answer(embedder, tmp_path, "caravan_booking.txt", CARAVAN, question)
    assert said.startswith("Balance: £475.00"), said
    assert label_forms(question, ["left", "pay", "caravan"]) == {"left": ["balance", "outstanding"]}


def test_how_a_bill_was_paid_is_what_it_was_paid_by() -> None:
    """ "Paid, check 2291, 01/25/2025" says how the furnace repair was paid."""
    asked = sayings_asked("And how did we pay it?")
    assert [s.labels for s in asked] == [("paid by", "payment method")]
    assert asked[0].names.search("Paid, check 2291, 01/25/2025")
    assert asked[0].names.search("Payment method: Visa ending 3307")
    assert not asked[0].names.search("Amount paid this year: $440.77")
    assert sayings_asked("How much did we pay for it?") == ()


def test_what_was_put_into_a_pension_is_a_contribution(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    question = "How much did Tom put into his pension last year?"
    said = answer(embedder, tmp_path, "pension.md", PENSION, question)
    assert said.startswith("Contributions paid in during the year: £2,400.00"), said
    assert label_forms(question, ["tom", "put", "pension"]) == {
        "put": ["contribution", "contributions"],
        "pension": ["superannuation", "super", "kiwisaver"],
    }
    # "Net pay in May" and "pay in total" ask for no contribution.
    assert label_forms("What was the net pay in May?", ["net", "pay", "may"]) == {}
    assert label_forms("How much did they pay in total?", ["pay", "total"]) == {}


def test_how_much_of_our_bill_is_our_charge_in_money(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Not the percentage change beside it, and not the standard charge: the bill calls
    what the question calls "our" bill "Your charge"."""
    row = row_of(tmp_path, "water.csv", WATER, "Sewerage")
    question = "How much of our water bill this year goes to sewerage?"
    assert headers(row, question, {}, embedder) == ["Your charge"]
    # A question that asks for the change is answered by it.
    changed = "By how much did the sewerage charge change on last year?"
    assert headers(row, changed, {}, embedder) == ["Change on last year"]


def test_the_thing_asked_is_the_plain_line(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "How much VAT" is the VAT line, though the invoice's heading names VAT too and its
    first row holds the question's other words; "the deposit" is the plain Deposit line,
    not the reservation deposit that shares the question's words about the rent."""
    said = answer(
        embedder,
        tmp_path,
        "invoice.csv",
        INVOICE,
        "How much VAT was charged on the window cleaning invoice?",
    )
    assert "VAT at 20%" in said.split(" — ")[0] and "£19.00" in said.split(" — ")[0], said
    question = "How big was the deposit we paid on the flat we rent?"
    said = answer(embedder, tmp_path, "flat.md", FLAT, question)
    assert said.startswith("Deposit: £1,067.31"), said
    assert asked_thing("How much VAT was charged?") == "vat"
    assert asked_thing("How much money did we spend?") is None


def test_a_masked_number_is_no_full_number() -> None:
    full = ValueKinds.of("What's Mum's full NHS number?")
    assert full.held("NHS number: XXX-XXX-8813") is False
    assert full.held("NHS number: 4KD9-TR7-8813") is True
    plain = ValueKinds.of("What's the account number?")
    assert plain.held("Account: XXXX-XX4-KP71") is True
    # A date or a toll-free number is no identifier.
    assert plain.held("Updated: 2025-03-12") is False
    assert plain.held("Call 1-800-MEDICARE.") is False


COVER = """Cover,Limit,Excess,Premium
Contents,"$60,000",$500,$318.00
Bicycles,"$2,500",$250,$41.00
Legal expenses,"$50,000",Nil,$19.00
"""

STUB = """Description,Current,Year to date
Gross pay,"2,910.00","14,550.00"
Income tax,412.30,"2,061.50"
Net pay,"2,104.18","10,520.90"
"""

CHEMIST = """Date,Item,Price,Plan paid,You paid
2025-01-09,Amoxicillin 500 mg,18.40,14.72,3.68
2025-02-14,Ventolin inhaler,31.10,24.88,6.22
"""


def test_what_a_policy_covers_is_its_limit_and_what_came_home_is_net_pay(
    embedder, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """ "Covered for" is the Limit column, not the premium beside it; what someone took
    home is the Net line; what was paid out of pocket is the payer's own column."""
    bikes = row_of(tmp_path, "cover.csv", COVER, "Bicycles")
    assert headers(bikes, "How much are our bikes covered for?", {}, embedder) == ["Limit"]
    said = answer(embedder, tmp_path, "stub.csv", STUB, "How much did she take home this month?")
    assert said.startswith("Net pay (Current): 2,104.18"), said
    inhaler = row_of(tmp_path, "chemist.csv", CHEMIST, "Ventolin inhaler")
    question = "What did we pay out of pocket for the Ventolin inhaler?"
    assert headers(inhaler, question, {}, embedder) == ["You paid"]


# The general vocabulary of household papers (planned from what papers of the US, Canada,
# the UK, Ireland, Australia, New Zealand and South Africa call things, not from any
# question set's misses): each paper below is written for its test, and each question
# failed before the vocabulary had its saying, kind or form.

MEDICINES = """# Medicines: Gran (Edith Lowe)

Medicine: Amlodipine 5 mg (blood pressure)
Dose: one tablet twice a day, morning and night
Prescribed by: Dr Anil Kapoor, cardiologist

Medicine: Paracetamol 500 mg
Dose: two tablets when needed, no more than eight in a day
"""

GRAN_NOTES = """# Notes about Gran

Blood pressure specialist: Dr Anil Kapoor, Harbour Heart Clinic, 02 5550 1188.
Hearing aid batteries: size 312, from the chemist on Beach Road.
"""

ROOFER = """Subject: Quote for the garage roof

Thanks for showing me the garage on Saturday.
The quote is good for 30 days.
New felt, battens and ridge tiles come to £2,340.00 in all.
My work on the roof is guaranteed for five years.
"""

WATER_BILL = """# Coastwide Water: your bill

Bill date: 12 May 2025
Billing period: 01/02/2025 to 30/04/2025
Previous balance $91.20, paid in full on 3 March 2025.
Amount due: $88.40 by 3 June 2025.
"""

UK_COVER = """Cover,Sum insured,Excess,Premium
Buildings,"£350,000",£250,£212.00
Contents,"£45,000",£100,£96.00
Bicycles,"£1,500",£75,£31.00
"""

UK_PAYSLIP = """Item,Hours,Rate,Amount
Basic pay,37.50,14.20,532.50
Overtime,4.00,21.30,85.20
"""


def answer_from(embedder, tmp_path: Path, papers: dict[str, str], question: str) -> str:  # type: ignore[no-untyped-def]
    """The extractive answer to `question` from several papers, each written to disk."""
    passages = [written(tmp_path, name, text) for name, text in papers.items()]
    return extractive_answer(select_evidence(question, passages, embedder.embed))[0]


def test_how_often_is_a_frequency_on_the_medicine_list(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "How often" asks for a frequency ("twice a day"), which a medicine list writes on
    its Dose line, not the specialist's line in the notes that names the same doctor."""
    question = "How often does Gran take the tablet her heart doctor prescribed?"
    papers = {"gran_notes.md": GRAN_NOTES, "gran_medicines.md": MEDICINES}
    said = answer_from(embedder, tmp_path, papers, question)
    assert said.startswith("Dose: one tablet twice a day"), said
    often = ValueKinds.of(question)
    assert often.asked == ("frequency",)
    assert often.held("take 2 puffs every 4 hours") and often.held("weekly")
    assert not often.held("Dr Anil Kapoor, 02 5550 1188")


def test_a_duration_written_in_words_is_a_duration(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    question = "How long is the roofer's work guaranteed for?"
    said = answer(embedder, tmp_path, "roof_quote.eml", ROOFER, question)
    assert "guaranteed for five years" in said.split(" [")[0], said


def test_by_when_is_the_date_a_bill_says_to_pay_by(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    question = "By when does the water bill have to be paid?"
    said = answer(embedder, tmp_path, "water_bill.md", WATER_BILL, question)
    assert "by 3 June 2025" in said.split(" [")[0], said


def test_excess_and_deductible_are_one_line(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A British schedule's Excess column answers an American's "deductible"; hourly pay is
    the Rate column."""
    bikes = row_of(tmp_path, "cover.csv", UK_COVER, "Bicycles")
    assert headers(bikes, "What's the deductible on the bicycles?", {}, embedder) == ["Excess"]
    basic = row_of(tmp_path, "payslip.csv", UK_PAYSLIP, "Basic pay")
    assert headers(basic, "What is Sam's basic pay per hour?", {}, embedder) == ["Rate"]


def test_the_names_countries_give_one_thing_are_searched_as_each_other() -> None:
    assert label_forms("What is the tyre pressure?", ["tyre", "pressure"]) == {"tyre": ["tire"]}
    assert label_forms("How much is the bond on the flat?", ["much", "bond", "flat"]) == {
        "bond": ["deposit"],
        "flat": ["apartment", "condo"],
    }
    assert label_forms("How many kilolitres did we use?", ["many", "kilolitres", "use"]) == {
        "kilolitres": ["kl"],
        "many": ["usage", "consumption", "units"],
    }
    # A crash is an accident on a policy; glasses are optical; a foot doctor's visit is
    # chiropody or podiatry.
    assert label_forms("What's the excess after a crash?", ["excess", "crash"])["crash"][:3] == [
        "collision",
        "accident",
        "accidental",
    ]
    assert "optical" in label_forms("new glasses", ["glasses"])["glasses"]
    assert "podiatry" in label_forms("the chiropodist", ["chiropodist"])["chiropodist"]


def test_phone_numbers_of_every_country_are_phone_numbers() -> None:
    call = ValueKinds.of("What number do we call for the GP?")
    for number in ("020 7946 0018", "(02) 9876 5432", "0800 83 83 83", "1300 123 456"):
        assert call.held(f"Call {number}."), number
    assert call.held("Tel: +61 2 9876 5432")
    assert call.held("(613) 555-0142")
    # A date written with dashes is no phone number.
    assert not call.held("Seen on 05-04-2025.")


LEAVE = """# Employment contract summary: Sam Okoro

Start date: 06/01/2025
Hours: 37.5 a week, Monday to Friday
Holiday entitlement: 28 days including bank holidays
Holiday requests: Sam asks his line manager four weeks ahead
Sick pay: statutory only
Notice: one month either side
"""

KETTLE = """# Returns receipt, Hollis Homeware

Item returned: Brushed steel kettle, 1.7 L
Price paid: £39.99
Refund: £39.99 to card ending 4471
Restocking fee: none
Reason given: lid does not close
"""

BINS = """# Your waste and recycling, Ashby Road

Black bin: general waste, every Monday
Collection of recycling: every other Wednesday (blue bin)
Garden waste: from March, a £45 yearly permit
Bulky items: book online, £22 for up to three items
Recycling centre: Ashby Road tip, open every day from 8am to 6pm
"""

SAVER = """# Your Easy Saver account

Account holder: Mrs J. Pell
Opened: 02/09/2021
AER: 4.15% (variable)
Interest is paid monthly into this account.
Minimum to open: £1
"""

PUPIL = """# Pupil record: Ruby Haddon

Year group: 9
DOB: 14/02/2012
Enrolled: 01/02/2018
Emergency contact: Grant Haddon (father)
Ruby moved up to Year 9 on 28/01/2025 with her class.
"""

SUMMARY = """# Income statement 2024-25

Employee: Leanne Park
Employer: Coastline Dental Pty Ltd
Employer ABN: 51 824 753 556
Employee TFN: 123 456 782
Gross payments: $84,210.00
"""


@pytest.mark.parametrize(
    ("name", "text", "question", "line"),
    [
        ("contract.md", LEAVE, "How much annual leave does Sam get?", "Holiday entitlement"),
        ("return.md", KETTLE, "How much did we get back for the kettle?", "Refund: £39.99"),
        ("bins.md", BINS, "What day is the recycling picked up?", "Collection of recycling"),
        ("saver.md", SAVER, "What interest rate does the Easy Saver pay?", "AER: 4.15%"),
        ("pupil.md", PUPIL, "When was Ruby born?", "DOB: 14/02/2012"),
        ("summary.md", SUMMARY, "What is Leanne's tax file number?", "Employee TFN: 123 456 782"),
    ],
)
def test_more_of_what_people_say_and_what_papers_label(  # type: ignore[no-untyped-def]
    embedder, tmp_path: Path, name: str, text: str, question: str, line: str
) -> None:
    """How much holiday someone gets is their entitlement; money back is a refund; when
    the bins are emptied is the collection line; an interest rate is the AER; when
    someone was born is the DOB line; a tax file number is the TFN line."""
    said = answer(embedder, tmp_path, name, text, question)
    assert said.startswith(line), said


METER = """Meter number,Reading date,Reading (kL)
WM 12C 40077,10/01/2025,02310
WM 12C 40077,09/04/2025,02366
"""


def test_what_the_meter_read_is_the_reading_not_its_date(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    row = row_of(tmp_path, "water_use.csv", METER, "02366")
    question = "What did the water meter read at the last reading?"
    assert headers(row, question, {}, embedder) == ["Reading (kL)"]


def test_identifiers_as_each_country_prints_them() -> None:
    """An NHS number, a TFN or SIN, a Medicare card, a PPSN and a National Insurance
    number are identifiers, printed in spaced groups or figures then letters; a phone
    number in the same spaced form is none."""
    asked = ValueKinds.of("What is Mum's NHS number?")
    for held in ("943 476 5919", "123 456 782", "2123 45670 1", "1234567TA", "QQ 12 34 56 C"):
        assert asked.held(f"Number: {held}"), held
    assert not asked.held("Surgery: 020 7946 0018")


CONDO_POLICY = """# Lakehead Mutual: condominium unit owner's policy, renewal declaration

Named insured: Oskar and Maren Lindqvist
Insured location: Unit 7, 40 Birchmount Lane, Thunder Bay, ON P7B 2K1
Policy number: LM-CU-5521093
Policy period: May 1, 2025 to May 1, 2026

## Your renewal at a glance

Thank you for renewing with Lakehead Mutual. Your annual premium for this term is
$1,086.00, paid monthly by pre-authorized debit: 12 payments of $90.50 on the 1st of
each month. Last year's premium was $1,012.00. Your premium includes a claims-free
discount of 15%.

This policy insures your unit's contents, the improvements you made to the unit, and
your share of assessments by the condominium corporation. The building itself is insured
under the corporation's master policy.

Please read this declaration with your policy wording, and tell your broker before a
renovation or a roommate: it may change your coverage.

## Coverages and limits

| Coverage | Limit | Deductible | Annual premium |
|---|---|---|---|
| Personal property (contents) | $85,000 | $1,000 | $412.00 |
| Improvements and betterments | $40,000 | $1,000 | $118.00 |
| Personal liability | $2,000,000 | Nil | $64.00 |
| Loss assessment | $50,000 | $1,000 | $38.00 |
| Sewer backup | $25,000 | $2,500 | $96.00 |
| Total annual premium | | | $1,086.00 |
"""


def _with_first(embedder, paper: Passage, question: str, starts: str) -> Evidence:  # type: ignore[no-untyped-def]
    """The evidence for the question with the unit that starts so put first, as the real
    household paper's retrieval ranked it (its page of prose, or its other passages,
    weigh the answering unit down; one short paper alone does not)."""
    evidence = select_evidence(question, [paper], embedder.embed)
    unit = next(c for c in evidence.candidates if c.text.startswith(starts))
    evidence.candidates.remove(unit)
    evidence.candidates.insert(0, unit)
    return evidence


def test_what_comes_out_each_month_is_the_monthly_sum_not_the_annual_row(  # type: ignore[no-untyped-def]
    embedder, tmp_path: Path
) -> None:
    """Asked each month, the policy's line that says "monthly" is put before its "Total
    annual premium" row (which the real household paper's page scores first: its page of
    prose dilutes the sentence; put first here as it was there); asked each year, the row
    stays first; a paper with no monthly line keeps its order."""
    policy = written(tmp_path, "condo_insurance_renewal_2025.md", CONDO_POLICY)
    monthly = "How much comes out each month for the condo insurance?"
    row = "Total annual premium"
    evidence = prefer_period(_with_first(embedder, policy, monthly, row))
    assert "$90.50" in evidence.candidates[0].text
    yearly = "What do we pay a year for the condo insurance?"
    evidence = prefer_period(_with_first(embedder, policy, yearly, row))
    assert evidence.candidates[0].text.startswith(row)
    yearly_only = CONDO_POLICY.replace(
        ", paid monthly by pre-authorized debit: 12 payments of $90.50 on the 1st of\neach month",
        "",
    )
    assert "monthly" not in yearly_only
    policy = written(tmp_path, "condo_insurance_renewal_2024.md", yearly_only)
    evidence = prefer_period(_with_first(embedder, policy, monthly, row))
    assert evidence.candidates[0].text.startswith(row)


TERM_DEPOSIT = """# Coastal Mutual: your term deposit is maturing

Your term deposit, account number 5520-11874, matures on 24 March 2025.

Amount invested: $80,000.00
Interest rate: 4.85% p.a.
Interest paid at maturity: $3,880.00

## Term deposit rates from 21 February 2025

| Term | Rate p.a. ($5,000 to $249,999) | Interest paid |
|---|---|---|
| 3 months | 4.40% | At maturity |
| 6 months | 4.60% | At maturity |
| 12 months | 4.50% | At maturity |
| 24 months | 4.20% | Annually |
"""


def test_how_much_interest_is_a_sum_not_the_rate_table(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "How much interest" asks for money: the rate table's row (a percentage, whose
    header's "$5,000" is no sum it holds), which the real paper scores first, gives way
    to "Interest paid at maturity: $3,880.00" (put first here as it was there); asked
    for the rate, the row stays."""
    paper = written(tmp_path, "coastal_mutual_td_maturity.md", TERM_DEPOSIT)
    question = "How much interest is Dad getting when his term deposit matures?"
    evidence = prefer_money(_with_first(embedder, paper, question, "6 months"))
    assert evidence.candidates[0].text.startswith("Interest paid at maturity: $3,880.00")
    question = "What interest rate is offered for 6 months?"
    evidence = prefer_money(_with_first(embedder, paper, question, "6 months"))
    assert evidence.candidates[0].text.startswith("6 months")


ENERGY_BILL = """# Lakeside Energy: your electricity bill, February 2025

## Your charges

| Charge | Units | Rate | Amount |
|---|---|---|---|
| Day energy | 1,146 kWh | 36.12 c/kWh | €413.94 |
| Night energy | 688 kWh | 18.45 c/kWh | €126.94 |
| Standing charge | 62 days | 76.33 c/day | €47.32 |
"""


def test_a_unit_of_electricity_is_what_the_rate_is_per_not_the_units_column(  # type: ignore[no-untyped-def]
    embedder, tmp_path: Path
) -> None:
    """ "What are we paying for a unit of night electricity?" asks the Rate cell (a price
    per kWh); the row's "Units" cell counts the kWh used, and the question's "unit" only
    says what the rate is per. Among a household's papers "unit" is a rare word, weighed
    high (here 3, as the retrieved papers of a real household weigh it), and its header
    match alone outscored the rate."""
    question = "What are we paying for a unit of night electricity?"
    assert ValueKinds.of(question).rate_words(question) == "a unit of night electricity"
    said = answer(embedder, tmp_path, "energy_bill_2025-02.md", ENERGY_BILL, question)
    assert said.split(" — ")[0].endswith("Night energy (Rate): 18.45 c/kWh"), said
    row = Record(
        "row",
        "Night energy",
        (Cell("Units", "688 kWh"), Cell("Rate", "18.45 c/kWh"), Cell("Amount", "€126.94")),
    )
    scores = cell_scores(row, QuestionProfile.of(question), {"unit": 3.0})
    assert scores.index(max(scores)) == 1, scores
