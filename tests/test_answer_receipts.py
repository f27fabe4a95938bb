"""Plain-text receipts and statements: a line that sets its figure apart by a run of spaces
is a label and its value, as "Label: value" is, and is quoted so, not read as a title; and
"charge" said as a verb asks a sum, as "pay" does, so a receipt that never writes the word
still answers; and a question of how much asks a sum, not the phone number of "the phone
charger". Files are written to disk and read by the real readers; scoring uses the
real embedding model."""

from __future__ import annotations

from pathlib import Path

from assistant.evidence.abstain import should_abstain
from assistant.evidence.compose import extractive_answer
from assistant.evidence.kinds import ValueKinds
from assistant.evidence.records import Cell, Record, parse_record
from assistant.evidence.select import select_evidence
from assistant.evidence.text import split_sentences
from assistant.evidence.topic import topic_words
from assistant.evidence.which import prefer_matching
from tests.test_evidence_units import written

RECEIPT = """          HILLCREST HARDWARE & GARDEN
        88 Station Road, Bexley DA5 1AA
              Tel: 01322 555 018

07/03/2025  14:12   Till 2   Served by: MARK

GARDEN
  COMPOST 50L                   x2      £13.98
  SECATEURS BYPASS                      £17.50
  HOSE CONNECTOR SET                     £6.25

HOUSEHOLD
  LIGHT BULBS LED 4PK                    £8.40
  PHONE CHARGER USB-C                   £19.99
                   SUBTOTAL             £66.12
                   VAT INCLUDED         £11.02
                   TOTAL                £66.12
CARD ************2291                   £66.12

Returns within 28 days with this receipt.
"""

SURGERY = """BRAMBLE LANE VETERINARY SURGERY
Invoice 55021                         Date: 12/02/2025
Client: Mrs E. Okafor      Patient: Biscuit (canine)

Consultation, ear examination            GBP 42.00
Ear drops (Surolan 15 ml)                GBP 18.60
Paid by card                             GBP 60.60

Please book a re-check if the ear is no better in ten days.
"""


def test_a_figure_set_apart_by_spaces_is_the_value_of_its_line() -> None:
    assert parse_record("  PHONE CHARGER USB-C                   £19.99") == Record(
        "field", "PHONE CHARGER USB-C", (Cell("", "£19.99"),)
    )
    assert parse_record("Ear drops (Surolan 15 ml)                GBP 18.60") == Record(
        "field", "Ear drops (Surolan 15 ml)", (Cell("", "GBP 18.60"),)
    )
    # One space is prose's, not a column's; a last column that is no figure is no value.
    assert parse_record("We paid 19.99") is None
    assert parse_record("  LISINOPRIL 20MG TAB        QTY 90") is None
    lines = {s.text: s for s in split_sentences(RECEIPT)}
    assert lines["GARDEN"].heading and lines["GARDEN"].record is None
    assert not lines["PHONE CHARGER USB-C £19.99"].heading


def test_a_receipt_line_answers_what_it_cost(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A question of how much asks a sum, whatever thing it names: not the shop's phone
    number for "the phone charger"."""
    assert ValueKinds.of("How much was the phone charger?").asked == ()
    assert ValueKinds.of("What's the vet's phone number?").asked == ("phone",)
    page = written(tmp_path, "hillcrest_hardware_receipt_2025-03-07.txt", RECEIPT)
    evidence = prefer_matching(
        select_evidence("How much was the phone charger?", [page], embedder.embed)
    )
    assert not should_abstain(evidence)
    first = extractive_answer(evidence)[0].split(" [")[0]
    assert first.startswith("PHONE CHARGER USB-C: £19.99"), first


def test_charge_said_as_a_verb_asks_a_sum(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert topic_words("What did the vet charge for Biscuit's ear drops?") == [
        "vet", "biscuit", "ear", "drops",
    ]  # fmt: skip
    assert topic_words("How much does the nursery charge per day?") == ["nursery"]
    assert "charge" in topic_words("When did the service charge go up?")  # a thing
    page = written(tmp_path, "bramble_lane_vet_invoice_2025-02-12.txt", SURGERY)
    evidence = prefer_matching(
        select_evidence("What did the vet charge for Biscuit's ear drops?", [page], embedder.embed)
    )
    assert not should_abstain(evidence)
    assert "GBP 18.60" in extractive_answer(evidence)[0].split(" [")[0]


def test_a_short_line_stating_a_sum_is_no_title() -> None:
    """Extracted PDF text puts a statement's lines each on its own line; a short one that
    states a sum is a fact to quote, not a title over what follows."""
    page = (
        "Broadband plan\n"
        "Your plan gives you unlimited downloads at up to 500 Mbps, with the router included\n"
        "for as long as you stay with us on this plan.\n"
        "Price after the minimum term £41.00 a month\n"
        "Setup fee\n"
    )
    units = split_sentences(page)
    assert units[0].heading and units[0].text == "Broadband plan"
    (fact,) = [u for u in units if "£41.00" in u.text]
    assert not fact.heading, fact
    assert units[-1].heading and units[-1].text == "Setup fee"
