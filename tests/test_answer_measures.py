"""The figure a question asks for by its measure, and the line it does not ask for.

"How many kilowatt-hours" asks for a figure in kWh, not the tariff's hours; "how much
water did we use" for litres or kilolitres; "how often" for a frequency ("twice a day");
"how long is it guaranteed" for a duration however a letter writes it ("ten years"). "What
will we pay once the rebate comes off?" names the rebate to say which figure it wants: the
rebate's own line is not the answer, the amount payable is (assistant/evidence/
adjustments.py). The papers are written for these tests, saved to disk and read by the
real readers; scoring uses the real embedding model."""

from __future__ import annotations

from pathlib import Path

from assistant.evidence.adjustments import adjusted_by
from assistant.evidence.compose import extractive_answer
from assistant.evidence.kinds import ValueKinds
from assistant.evidence.select import select_evidence
from assistant.evidence.sums import asks_money
from assistant.evidence.text import content_stems
from assistant.evidence.topic import off_topic, said_as_labelled, uncovered
from assistant.evidence.which import prefer_matching
from tests.test_answer_cells import answer, written

QUOTE = """Name,Qty,Unit price,Amount
Supply solar hot water system (315 L),1,"$4,260.00","$4,260.00"
Installation and commissioning,1,$980.00,$980.00
Removal of old gas unit,1,$240.00,$240.00
Less state solar rebate,1,"-$1,400.00","-$1,400.00"
Amount payable,,,"$4,080.00"
"""

ENERGY = """# Brookfield Energy: your electricity bill, January 2025

Night rate hours are 11 pm to 7 am every day, and the day rate applies at all other hours.

Day units | Usage: 418 kWh | Rate: 31.2c | Amount: $130.42
Night units | Usage: 612 kWh | Rate: 18.4c | Amount: $112.61
Daily supply charge | Usage: 31 days | Rate: 98.0c | Amount: $30.38
"""

MEDICINES = """# Medicines for Gran (Irene Walsh)

Gran's chemist is Kerrigan's on Main Street; they deliver on Thursdays.
Her GP reviews the list every six months, last in February.

Medicine: Warfarin 3 mg
Dose: one tablet once a day at 6 pm
Prescriber: Dr P. Nolan
"""

ROOFER = """Subject: Your roof repair

Dear Mr and Mrs Duffy,

Thank you for having us out to look at the roof. We will replace the cracked ridge tiles
and re-point the chimney. This quote is valid for 30 days from the date of this letter.
Our work on the ridge and the chimney is guaranteed for ten years. Scaffolding goes up
the day before we start.

Regards,
Liam Brophy
"""


def test_the_amount_left_once_a_rebate_comes_off(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert adjusted_by("What will we pay once the solar rebate comes off?") == {"rebat"}
    assert adjusted_by("What was the balance after the March payment?") == set()
    said = answer(
        embedder, tmp_path, "quote.csv", QUOTE, "What will we pay once the solar rebate comes off?"
    )
    assert said.startswith("Amount payable (Amount): $4,080.00"), said


def test_what_we_will_pay_is_the_amount_payable() -> None:
    assert set(content_stems("pay")) == set(content_stems("payable"))
    assert set(content_stems("insure")) == set(content_stems("insurance"))
    assert content_stems("balance") != content_stems("ball")


def test_kilowatt_hours_are_usage_not_the_tariffs_hours(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    question = "How many kilowatt-hours did we use at night in January?"
    said = answer(embedder, tmp_path, "energy_bill_2025-01.md", ENERGY, question)
    assert "612 kWh" in said.split(" — ")[0], said


def test_how_often_is_a_frequency(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    often = ValueKinds.of("How often does the bin get collected?")
    assert often.held("Your bin is collected every second Tuesday.")
    assert not often.held("Bins must be out by 7 am.")
    said = answer(
        embedder, tmp_path, "gran_medicines.md", MEDICINES, "How often does Gran take warfarin?"
    )
    assert said.startswith("Dose: one tablet once a day"), said


def test_a_duration_written_in_words(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert ValueKinds.of("How much water did we use?").held("You used 48 kL, 533 litres a day.")
    assert "water" not in ValueKinds.of("What does a litre of milk cost?").asked
    question = "How long is the roof work guaranteed for?"
    said = answer(embedder, tmp_path, "roofer.eml", ROOFER, question)
    assert "guaranteed for ten years" in said.split("[2]")[0], said


PHONES = """# Family phones

Mia's Galaxy A35 is still owed on: it is paid off monthly on the family plan, ending 4471.
Ben keeps his old Pixel as a spare.

# Skyline Mobile bill, May 2025

Device payment this month: $28.75
Remaining device balance after this bill: $316.25
"""


def test_a_sum_asked_is_a_line_holding_a_sum(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The notes line names Mia and her phone, and "4471" is no sum: for a sum asked it
    loses what a line holding one does not, and the bill's line answers. A question that
    asks for no sum marks no line."""
    passages = [written(tmp_path, "phones.md", PHONES)]
    owed = select_evidence("How much is still owed on Mia's Galaxy?", passages, embedder.embed)
    missing = {c.text[:20]: c.features["sum_missing"] for c in owed.candidates}
    assert missing["Mia's Galaxy A35 is "] == 1.0
    assert missing["Remaining device bal"] == 0.0
    assert extractive_answer(owed)[0].startswith("Remaining device balance after this bill")
    who = select_evidence("Whose phone is the Galaxy?", passages, embedder.embed)
    assert not any(c.features["sum_missing"] for c in who.candidates)


FEES = """Age group,Club fee,Insurance levy,Kit,Total
Under 10,$150.00,$20.00,$40.00,$210.00
Under 12,$175.00,$20.00,$40.00,$235.00
Under 14,$190.00,$20.00,$40.00,$250.00
"""

SAVINGS = """# Term savings offer

Term: 6 months
Opening balance: $20,000.00

Rates from 1 March 2025 | 6 months: 4.10% | 9 months: 4.25% | 12 months: 4.35%
"""


def test_the_full_cost_is_the_total(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    question = "What's the full cost for an Under 12 player this season?"
    said = answer(embedder, tmp_path, "junior_fees.csv", FEES, question)
    assert said.startswith("Under 12 (Total): $235.00"), said
    assert asks_money("What did the cake stall bring in?", "amount")
    assert asks_money("How much interest will the deposit earn?", "amount")


FURNACE = """Item,Qty,Unit price,Amount
Diagnostic visit,1,$89.00,$89.00
Repair labor,1.5 hr,$118.00,$177.00
Flame sensor,1,$64.50,$64.50
Invoice total,,,$440.77
"""


def test_what_a_bill_came_to_is_its_total(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    said = answer(
        embedder, tmp_path, "buckeye_comfort_invoice.csv", FURNACE,
        "What did the furnace repair come to in total?",
    )  # fmt: skip
    assert said.startswith("Invoice total (Amount): $440.77"), said


def test_a_field_the_question_already_gives_answers_nothing(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    question = "What rate is on offer for a 12 month term?"
    evidence = select_evidence(question, [written(tmp_path, "savings.md", SAVINGS)], embedder.embed)
    said = {c.text: c.features["value_said"] for c in evidence.candidates}
    assert said["Term: 6 months"] == 0.0
    question = "What is on offer for a 6 month term?"
    evidence = select_evidence(question, [written(tmp_path, "savings.md", SAVINGS)], embedder.embed)
    assert {c.text: c.features["value_said"] for c in evidence.candidates}["Term: 6 months"] == 1.0
    assert not evidence.candidates[0].text.startswith("Term:")


LEVY = """# Strata levy notice, Lot 4

The special levy for the roof repairs is four quarterly instalments of $480.00 for Lot 4.

Special levy - roof repairs (2 of 4) | Due date: 01/04/2025 | Amount: $480.00
Admin fund | Due date: 01/04/2025 | Amount: $390.10
"""

WORKSHEET = """# Quarterly tax worksheet, quarter 1 January 2025 to 31 March 2025

Amount payable to the tax office | Amount: $1,204.00
Tax instalment | Amount: $310.00
"""


def test_this_quarter_says_when_and_names_no_paper(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "Quarter" is a word of the worksheet's name, but "this quarter" is a time: the
    levy notice's line stays first."""
    passages = [
        written(tmp_path, "strata_levy_notice_2025-04.md", LEVY),
        written(tmp_path, "tax_worksheet_quarter_2025-q1.md", WORKSHEET),
    ]
    question = "What does Gran have to pay towards the roof this quarter?"
    evidence = prefer_matching(select_evidence(question, passages, embedder.embed))
    assert "$480.00" in evidence.candidates[0].text, evidence.candidates[0].text


GOALS = """Goal,Target,Saved so far,Target date
Lisbon trip,3600,1450,August 2025
New boiler,4200,2900,October 2025
"""

VAN = """# Van insurance schedule

Vehicle: Ford Transit Custom, registration KX21 PLM
Cover: comprehensive
Annual premium: £912.40
"""


def test_a_saying_the_unit_labels_is_no_missing_topic(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "Put aside" is what the goals sheet calls "Saved so far": not a topic the paper
    lacks. A van policy with no Odometer line still lacks the odometer asked about."""
    assert said_as_labelled("How much have we put aside?", "Saved so far") == {"put", "aside"}
    goals = [written(tmp_path, "savings_goals.csv", GOALS)]
    question = "How much have we put aside for the Lisbon trip?"
    evidence = prefer_matching(select_evidence(question, goals, embedder.embed))
    assert off_topic(evidence) == []
    assert extractive_answer(evidence)[0].startswith("Lisbon trip (Saved so far): 1450")
    van = [written(tmp_path, "van_insurance.md", VAN)]
    question = "What's the odometer reading on the van?"
    evidence = prefer_matching(select_evidence(question, van, embedder.embed))
    assert "odometer" in uncovered(evidence, evidence.candidates[0])


WATER_BILL = """# Coastal Water: your water bill, April 2025

Your water use this quarter
You used 52 kL this quarter, an average of 571 litres a day.
In the same quarter last year you used 60 kL of water (652 litres a day).
"""


def test_the_same_time_last_year_is_not_this_period(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A bill's comparison with the year before repeats the question's words; it answers
    only a question about the year before."""
    bill = [written(tmp_path, "water_bill_2025-04.md", WATER_BILL)]
    question = "How much water did we use a day last quarter?"
    said = extractive_answer(prefer_matching(select_evidence(question, bill, embedder.embed)))[0]
    assert "571 litres a day" in said.split("[2]")[0], said
    question = "How much water did we use a day in the same quarter last year?"
    said = extractive_answer(prefer_matching(select_evidence(question, bill, embedder.embed)))[0]
    assert "652 litres a day" in said.split("[2]")[0], said


TRIP_NOTE = """# Year 6 trip to the aquarium

I give permission for Leo Brennan, class 6B, to attend the Year 6 aquarium trip on
12 June 2025.
The trip costs $29.00 per student. Please pay at the school office by 30 May 2025 and
return the signed note.
"""


def test_by_when_asks_a_limit_not_the_day_of_the_thing(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    limit = ValueKinds.of("By when do we have to pay for the trip?")
    assert limit.asked == ("limit",)
    assert limit.held("Due date: 01/04/2025") and limit.held("pay by 30 May 2025")
    assert not limit.held("to attend the trip on 12 June 2025.")
    note = [written(tmp_path, "aquarium_trip_note.md", TRIP_NOTE)]
    question = "By when do we have to pay for Leo's aquarium trip?"
    said = extractive_answer(prefer_matching(select_evidence(question, note, embedder.embed)))[0]
    assert "30 May 2025" in said.split("[2]")[0], said


APPEAL_NOTICE = """# Medicare Summary Notice

Medicare Number: XXX-XX-MK72 Notice date: April 8, 2025

If you disagree with a decision, you can appeal. Appeals must be filed by August 7, 2025.
"""


def test_a_deadline_is_a_limit_not_any_date(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "What's the deadline to appeal?" asks the date a paper sets as a limit, not the
    notice's own date."""
    assert ValueKinds.of("What's the deadline to appeal Rosa's claims?").asked == ("limit",)
    assert ValueKinds.of("What's the last day to pay without a penalty?").asked == ("limit",)
    said = answer(
        embedder, tmp_path, "medicare_summary_notice.md", APPEAL_NOTICE,
        "What's the deadline to appeal Rosa's Medicare claims?",
    )  # fmt: skip
    assert "August 7, 2025" in said.split(" [1]")[0], said


WATER_CHARGES = """# Coastal Water: your water bill, April 2025

Your charges
Water usage | Details: 52 kL at $2.81 per kL | Amount: $146.12
Service charge | Details: 1 Jan to 31 Mar 2025 | Amount: $52.18

Your water use
You used 52 kL this quarter, an average of 571 litres a day.
"""


def test_a_figure_asked_per_day_is_written_per_day(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "A day" asks the rate, not the quarter's use beside its price per kL; "per
    hour" a sum written per hour; "a year ago" is no rate."""
    per_hour = ValueKinds.of("What is the babysitter paid an hour?")
    assert per_hour.held("She charges $18 an hour.") and per_hour.held("Rate: $18.00/hr")
    assert not per_hour.held("She came 3 times a week.")
    assert ValueKinds.of("What was the rent a year ago?").asked == ()
    assert asks_money("How much do we pay the babysitter per hour?", "amount")
    bill = [written(tmp_path, "water_bill_2025-04.md", WATER_CHARGES)]
    question = "How much water did we use a day this quarter?"
    said = extractive_answer(prefer_matching(select_evidence(question, bill, embedder.embed)))[0]
    assert "571 litres a day" in said.split("[2]")[0], said


NCT = """# NCT certificate

Vehicle registration: 181-KE-4417
Make and model: Toyota Corolla 1.8 Hybrid
CO2 emissions: 101 g/km (band A4)
Test date: 12/02/2025
Odometer reading: 98,412 km
Certificate number: NCT-7741-2295-K
"""

ROOM_COSTS = """Item,Date,Cost
Mattress and bedding,12/08/2024,€189.00
Desk and chair,20/08/2024,€145.50
Smoke alarm for the room,28/08/2024,€24.99
"""

OIL_DOCKET = """# Curragh Fuels delivery docket 55812

Product: Kerosene (home heating oil)
Litres delivered: 900
Price per litre (excl. VAT): €0.8950
Total: €914.24
"""


def test_how_many_kilometres_is_the_figure_in_kilometres(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Not the car's make (the question names the car), nor its emissions per km."""
    question = "How many kilometres were on the Corolla at its NCT?"
    assert ValueKinds.of(question).asked == ("distance",)
    said = answer(embedder, tmp_path, "nct_certificate.md", NCT, question)
    assert said.startswith("Odometer reading: 98,412 km"), said


OIL_DELIVERIES = """Date,Litres,Cost
14/10/2024,500,€512.40
20/01/2025,900,€914.24
"""


def test_the_last_of_a_thing_is_not_the_bottom_row_of_another_table(
    embedder, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """ "The last oil delivery" asks for the bottom row of a table of oil deliveries, not
    of a lodger's costs, whose paper says no "oil" (its smoke alarm was quoted first for
    being a bottom row)."""
    question = "How much did the last oil delivery cost altogether?"
    passages = [
        written(tmp_path, "rent_a_room_costs.csv", ROOM_COSTS),
        written(tmp_path, "curragh_fuels_docket_55812.md", OIL_DOCKET),
    ]
    evidence = prefer_matching(select_evidence(question, passages, embedder.embed))
    assert all(c.features["last_row"] == 0 for c in evidence.candidates)
    assert not extractive_answer(evidence)[0].startswith("Smoke alarm")
    passages.append(written(tmp_path, "oil_deliveries.csv", OIL_DELIVERIES))
    evidence = select_evidence(question, passages, embedder.embed)
    bottom = [c.text for c in evidence.candidates if c.features["last_row"]]
    assert bottom == ["20/01/2025 | Litres: 900 | Cost: €914.24"], bottom


TARIFF = """Charge,Units,Rate,Amount
Day energy,"1,146 kWh",36.12 c/kWh,€413.94
Night energy,688 kWh,18.05 c/kWh,€124.18
Standing charge,62 days,76.33 c/day,€47.32
"""


def test_a_charge_asked_is_its_amount_and_a_unit_of_electricity_its_rate(
    embedder, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """ "How much was the standing charge" asks what was charged (the Amount), not the
    tariff per day beside it; "a unit of daytime electricity" asks the tariff per kWh,
    not how many units were used."""
    said = answer(
        embedder, tmp_path, "electricity_bill.csv", TARIFF,
        "How much was the standing charge on the electricity?",
    )  # fmt: skip
    assert said.startswith("Standing charge (Amount): €47.32"), said
    said = answer(
        embedder, tmp_path, "electricity_bill.csv", TARIFF,
        "What are we paying for a unit of daytime electricity?",
    )  # fmt: skip
    first = said.split(" — ")[0]
    assert "(Rate):" in first and "c/kWh" in first, said
    assert "Day energy (Rate): 36.12 c/kWh" in said, said


RENEWAL = """# Harbourside car insurance renewal 2025

Premium: €712.60
Government levy (3%): €21.38
Total to pay: €733.98
"""


def test_a_sum_counted_in_says_which_total(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "Levy included" names the levy to say the total is asked, as "once the rebate
    comes off" does: the levy's own line is not the answer."""
    assert adjusted_by("How much is the car insurance this year, levy included?") == {"levy"}
    assert adjusted_by("What is the price including GST?") == {"gst"}
    assert adjusted_by("How much is the excess with Harbourside?") == set()
    said = answer(
        embedder, tmp_path, "harbourside_renewal_2025.md", RENEWAL,
        "How much is the car insurance this year, levy included?",
    )  # fmt: skip
    assert said.startswith("Total to pay: €733.98"), said


def test_a_field_labelled_with_the_unit_holds_a_figure_in_it(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "Litres delivered: 900" is a figure in litres though no unit follows it; a
    column's "Average per day (kWh)" is a figure of another kind, and a price per litre
    no quantity."""
    litres = ValueKinds.of("How many litres of oil did they put in?")
    assert litres.held("Litres delivered: 900")
    assert not litres.held("Price per litre (excl. VAT): €0.8950")
    assert not ValueKinds.of("How many kilowatt-hours did we use?").held(
        "February 2025 | Average per day (kWh): 25.2"
    )
    said = answer(
        embedder, tmp_path, "curragh_fuels_docket.md", OIL_DOCKET,
        "How many litres of oil did they put in?",
    )  # fmt: skip
    assert said.startswith("Litres delivered: 900"), said


MOTOR_TAX = """# Motor tax disc

Vehicle registration: 181-KE-4417
Tax period: 12 months
Expiry date: 31/03/2026
Amount paid: €280.00
"""

RENEWAL_LETTER = """# Condo insurance renewal 2025

Your premium for the coming year is $1,086.00. Last year's premium was $1,012.00.

Total annual premium: $1,086.00
"""


def test_when_a_thing_is_up_is_when_it_expires(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "When is the motor tax up?" asks the expiry date, not its 12-month period; "when
    is the rent going up" asks nothing of the kind."""
    assert ValueKinds.of("When is the rent going up?").asked == ()
    from assistant.retrieve.labels import sayings_asked

    assert [s.labels for s in sayings_asked("When is the motor tax up on the Corolla?")] == [
        ("expiry", "expires", "expiration")
    ]
    assert sayings_asked("When is the rent going up?") == ()
    said = answer(
        embedder, tmp_path, "motor_tax.md", MOTOR_TAX, "When is the motor tax up on the Corolla?"
    )
    assert said.startswith("Expiry date: 31/03/2026"), said


def test_the_last_bill_is_a_paper_not_a_bottom_row(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "The last electricity bill" is the latest bill: its bottom row (the standing
    charge) is no answer to how many night units were used."""
    question = "How many night units did we use on the last electricity bill?"
    evidence = select_evidence(
        question, [written(tmp_path, "electricity_bill.csv", TARIFF)], embedder.embed
    )
    assert all(c.features["last_row"] == 0 for c in evidence.candidates)


def test_last_years_own_figure_answers_a_question_about_last_year(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    said = answer(
        embedder, tmp_path, "condo_renewal.md", RENEWAL_LETTER,
        "How much did the condo insurance cost last year?",
    )  # fmt: skip
    assert said.startswith('condo_renewal.md: "Last year\'s premium was $1,012.00."'), said
