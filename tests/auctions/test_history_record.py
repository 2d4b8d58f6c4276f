"""What the published record says (auctions.history.record, pure): each outcome read word for word, the final offer,
and which offering is the second attempt of which. Nothing is read that the words do not give."""

from datetime import date
from decimal import Decimal

import pytest

from auctions.history import record
from auctions.history.record import ANNULLED, AUCTIONED, PENDING, Offering, Outcome, attempts, final_offer, outcome_of
from tests.conftest import require_service

# Every outcome of tranche_blocks.csv, and the edges: the worded status, reason, days and second attempt.
OUTCOMES = [
    ("auctioned (result 24 Jun 2024)", Outcome(AUCTIONED, declared_on=date(2024, 6, 24))),
    ("annulled (fewer than 3 bids; re-offered in tranche 3)", Outcome(ANNULLED, reason="fewer than 3 bids")),
    ("auctioned", Outcome(AUCTIONED)),
    ("pending designated-officer decision", Outcome(PENDING)),
    ("auctioned (e-auction 9 Jul 2024)", Outcome(AUCTIONED, declared_on=date(2024, 7, 9))),
    ("auctioned (second attempt)", Outcome(AUCTIONED, second_attempt=True)),
    ("annulled (no bids)", Outcome(ANNULLED, reason="no bids")),
    ("annulled (required bids not received)", Outcome(ANNULLED, reason="required bids not received")),
    (
        "auctioned (second attempt; 7 Nov 2024)",
        Outcome(AUCTIONED, declared_on=date(2024, 11, 7), second_attempt=True),
    ),
    ("auctioned (7 Nov 2024)", Outcome(AUCTIONED, declared_on=date(2024, 11, 7))),
    (
        "auctioned 7 Nov 2024; annulled 23 Jan 2025 (biodiversity heritage site)",
        Outcome(
            ANNULLED, reason="biodiversity heritage site", declared_on=date(2024, 11, 7), annulled_on=date(2025, 1, 23)
        ),
    ),  # fmt: skip
    (
        "auctioned (second attempt; announced 27 Nov 2024)",
        Outcome(AUCTIONED, declared_on=date(2024, 11, 27), second_attempt=True),
    ),
    ("auctioned (announced 27 Nov 2024)", Outcome(AUCTIONED, declared_on=date(2024, 11, 27))),
    ("auctioned (27 May 2025)", Outcome(AUCTIONED, declared_on=date(2025, 5, 27))),
    # The Letter of Intent's day is not the declaration's: the declaration stays undated.
    ("auctioned (LoI 16 Jul 2025)", Outcome(AUCTIONED, loi_on=date(2025, 7, 16))),
    # A month alone is not a day.
    ("annulled (no bids; Aug 2025)", Outcome(ANNULLED, reason="no bids")),
    (
        "annulled (fewer than 3 technically qualified bidders)",
        Outcome(ANNULLED, reason="fewer than 3 technically qualified bidders"),
    ),
    ("annulled", Outcome(ANNULLED)),  # no reason published: empty, not guessed
    ("  annulled (no bids)  ", Outcome(ANNULLED, reason="no bids")),
]


@pytest.mark.parametrize(("text", "expected"), OUTCOMES, ids=[t for t, _ in OUTCOMES])
def test_an_outcome_reads_only_what_its_words_give(text, expected):
    assert outcome_of(text) == expected


def test_every_outcome_of_the_shared_record_is_in_the_table():
    seen = {o.outcome for o in record.read_offerings(record.csv_path())}
    assert seen <= {text.strip() for text, _ in OUTCOMES}


@pytest.mark.parametrize("text", ["", "withdrawn by the State", "sold (7 Nov 2024)", "Auctioned"])
def test_an_outcome_that_is_none_of_auctioned_annulled_pending_is_refused(text):
    with pytest.raises(ValueError, match="does not start with auctioned, annulled or pending"):
        outcome_of(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", None), ("  ", None), ("76.05", Decimal("76.05")), ("400.00", Decimal("400.00")), ("6.5", Decimal("6.50"))],
)
def test_a_final_offer_is_the_published_percentage_or_none(text, expected):
    assert final_offer(text) == expected


@pytest.mark.parametrize("text", ["abc", "1.234", "-1", "0", "NaN", "12%"])
def test_a_final_offer_that_is_not_a_two_decimal_percentage_is_refused(text):
    with pytest.raises(ValueError, match="final offer"):
        final_offer(text)


def offering(tranche, name, outcome, state="Bihar"):
    return Offering(tranche, name, state, "", ("nickel",), "CL", "", "", outcome, "", "", "https://example.org/")


def test_a_block_offered_again_is_the_next_attempt_of_its_first_offering_whatever_its_name():
    first = offering(1, "Genjana Ni-Cr-PGE Block", "annulled (fewer than 3 bids; re-offered in tranche 3)")
    again = offering(3, "Genjana Ni-Cr-PGE (Amalgamated) Block", "auctioned (second attempt)")
    other_state = offering(3, "Genjana Ni-Cr-PGE Block", "annulled (no bids)", state="Odisha")
    placed = attempts([again, first, other_state])
    assert [(a.offering.tranche, a.offering.state, a.attempt, a.previous) for a in placed] == [
        (1, "Bihar", 1, None),
        (3, "Bihar", 2, first),
        (3, "Odisha", 1, None),  # another State: another block
    ]


def test_a_second_attempt_whose_first_is_not_in_the_record_is_attempt_two_without_a_link():
    (placed,) = attempts([offering(4, "Depo Block", "auctioned (second attempt; 7 Nov 2024)")])
    assert (placed.attempt, placed.previous) == (2, None)


def test_one_block_twice_in_one_tranche_is_refused():
    with pytest.raises(ValueError, match="offered twice in tranche 1"):
        attempts([offering(1, "Depo Block", "auctioned"), offering(1, "Depo Block", "annulled")])


def test_the_tranche_facts_are_those_of_the_data_readme():
    require_service(record.SHARED_CSV.exists(), f"the shared reference data ({record.SHARED_CSV}) beside this checkout")
    readme = (record.SHARED_CSV.parent / "README.md").read_text()
    for facts in record.TRANCHES.values():
        said = f"tranche {facts.number} launched {facts.launched_on:%-d %b %Y}, {facts.blocks_offered} "
        assert said in " ".join(readme.split()), said
