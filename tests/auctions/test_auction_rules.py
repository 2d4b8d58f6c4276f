"""Table tests of RULES.md section 3 (and section 4's direction), with the worked cases and the boundaries."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from auctions import rules
from auctions.rules import ASCENDING, DESCENDING, AuctionParams

CRORE = D("10000000")


@pytest.mark.parametrize(
    "ver, expected",
    [
        (D("0"), D("0.00")),
        (D("1000000"), D("2500.00")),  # 0.25% of Rs 10 lakh
        (D("123456789.99"), D("308641.97")),  # 308641.974975 to the paisa
        (D("1002"), D("2.51")),  # 2.505: half-up, not half-even
        (D("1006"), D("2.52")),  # 2.515
        (D("20000") * CRORE, D("50") * CRORE),  # exactly at the cap
        (D("20000") * CRORE + 4, D("50") * CRORE),  # just above: capped
        (D("19999") * CRORE, D("49.9975") * CRORE),  # just below: 0.25%
        (D("100000") * CRORE, D("50") * CRORE),
    ],
)
def test_bid_security_is_a_quarter_percent_of_ver_capped_at_50_crore(ver, expected):
    assert rules.bid_security(ver) == expected


def test_bid_security_uses_the_tranches_own_parameters():
    params = AuctionParams(bid_security_pct=D("0.5"), bid_security_cap=D("1000"))
    assert rules.bid_security(D("100000"), params) == D("500.00")
    assert rules.bid_security(D("1000000"), params) == D("1000")


@pytest.mark.parametrize(
    "threshold, kind, expected",
    [
        (D("150") * CRORE, "ML", D("150") * CRORE),
        (D("250") * CRORE, "ML", D("200") * CRORE),
        (D("150") * CRORE, "CL", D("100") * CRORE),
        (D("100") * CRORE, "CL", D("100") * CRORE),
        (D("40") * CRORE, "EL", D("40") * CRORE),
    ],
)
def test_net_worth_requirement_is_capped_by_lease_kind(threshold, kind, expected):
    assert rules.net_worth_requirement(threshold, kind) == expected


@pytest.mark.parametrize(
    "offer, reserve, direction, error",
    [
        (D("10.00"), D("10.00"), ASCENDING, None),  # at the reserve: accepted
        (D("9.99"), D("10.00"), ASCENDING, "below the reserve price of 10.00%"),
        (D("752.05"), D("10.00"), ASCENDING, None),  # offers above 100% are real (graphite, 2024)
        (D("10.001"), D("10.00"), ASCENDING, "at most two decimals"),
        (D("0"), D("0"), ASCENDING, "positive percentage"),
        (D("25.00"), D("25.00"), DESCENDING, None),  # EL: at the ceiling
        (D("25.01"), D("25.00"), DESCENDING, "above the ceiling of 25.00%"),
        (D("3.50"), D("25.00"), DESCENDING, None),
    ],
)
def test_initial_price_offer_against_reserve_or_ceiling(offer, reserve, direction, error):
    result = rules.initial_offer_error(offer, reserve=reserve, direction=direction)
    if error is None:
        assert result is None
    else:
        assert error in result


@pytest.mark.parametrize(
    "attempt, expected, params",
    [
        (1, 3, AuctionParams()),
        (2, 1, AuctionParams()),
        (1, 2, AuctionParams(min_tqb_first_attempt=2)),  # the 2025 draft
    ],
)
def test_minimum_technically_qualified_bidders(attempt, expected, params):
    assert rules.minimum_tqb(attempt, params) == expected


@pytest.mark.parametrize(
    "offers, direction, expected",
    [
        ({"a": D("10"), "b": D("12"), "c": D("11")}, ASCENDING, {"b": 1, "c": 2, "a": 3}),
        ({"a": D("10"), "b": D("12"), "c": D("12"), "d": D("9")}, ASCENDING, {"b": 1, "c": 1, "a": 2, "d": 3}),
        ({"a": D("10.00"), "b": D("10")}, ASCENDING, {"a": 1, "b": 1}),  # equal values, different scale
        ({"a": D("10"), "b": D("12"), "c": D("11")}, DESCENDING, {"a": 1, "c": 2, "b": 3}),
        ({}, ASCENDING, {}),
    ],
)
def test_dense_ranking(offers, direction, expected):
    assert rules.dense_rank(offers, direction) == expected


@pytest.mark.parametrize(
    "tqb, ranks",
    [(1, 5), (3, 5), (5, 5), (6, 5), (10, 5), (11, 6), (12, 6), (13, 7), (20, 10), (21, 11)],
)
def test_qualifying_ranks_are_half_rounded_up_or_top_five(tqb, ranks):
    assert rules.qualifying_ranks(tqb) == ranks


def offers_from(values):
    return {f"b{i}": D(v) for i, v in enumerate(values, start=1)}


@pytest.mark.parametrize(
    "values, expected_count",
    [
        (["10", "11", "12"], 3),  # 3 TQB: all qualify
        (["10", "11", "12", "13", "14"], 5),  # 5 TQB: all qualify
        (["10", "11", "12", "13", "14", "15"], 5),  # 6 TQB: top 5 (50% would be 3)
        ([str(v) for v in range(10, 20)], 5),  # 10 TQB, no ties: 5
        # The gazette's illustration: 10 TQBs, three tied inside the first 50% of ranks -> two more qualify.
        (["20", "19", "19", "19", "18", "17", "16", "15", "14", "13"], 7),
        (["20", "20", "20", "20", "20", "20", "19"], 7),  # all tied at rank 1, one at rank 2: all 7 qualify
        ([str(v) for v in range(10, 22)], 6),  # 12 TQB: 50% = 6 ranks
        ([str(v) for v in range(10, 23)], 7),  # 13 TQB: 6.5 rounds up to 7
        (["10"], 1),  # second attempt with one TQB
    ],
)
def test_qualified_bidders(values, expected_count):
    offers = offers_from(values)
    qualified = rules.qualified_bidders(offers)
    assert len(qualified) == expected_count
    worst_qualified = min(offers[b] for b in qualified)
    assert all(offers[b] < worst_qualified for b in offers.keys() - qualified)


def test_ties_at_the_cut_all_qualify():
    # 6 TQB, ranks 1..4 distinct, then two tied at rank 5: all six qualify (5 ranks, 6 bidders).
    offers = offers_from(["15", "14", "13", "12", "11", "11"])
    assert rules.qualified_bidders(offers) == set(offers)
    # With one more below them, that one is out.
    offers = offers_from(["15", "14", "13", "12", "11", "11", "10"])
    assert rules.qualified_bidders(offers) == set(offers) - {"b7"}


def test_el_qualification_ranks_lowest_first():
    offers = offers_from(["5", "6", "7", "8", "9", "10"])  # 6 TQB, lowest five qualify
    assert rules.qualified_bidders(offers, DESCENDING) == set(offers) - {"b6"}


@pytest.mark.parametrize(
    "values, direction, expected",
    [(["10", "12.5", "11"], ASCENDING, D("12.5")), (["10", "12.5", "11"], DESCENDING, D("10"))],
)
def test_floor_price_is_the_best_qualified_ipo(values, direction, expected):
    assert rules.floor_price([D(v) for v in values], direction) == expected


def test_no_floor_without_a_qualified_bidder():
    with pytest.raises(ValueError):
        rules.floor_price([])


@pytest.mark.parametrize(
    "offer, floor, current, direction, accepted",
    [
        (D("12.05"), D("12.00"), None, ASCENDING, True),  # floor + exactly the increment
        (D("12.04"), D("12.00"), None, ASCENDING, False),
        (D("12.00"), D("12.00"), None, ASCENDING, False),  # equal to the floor: must exceed it
        (D("12.45"), D("12.00"), D("12.40"), ASCENDING, True),
        (D("12.44"), D("12.00"), D("12.40"), ASCENDING, False),
        (D("12.40"), D("12.00"), D("12.40"), ASCENDING, False),  # equal offers cannot both be accepted
        (D("12.455"), D("12.00"), D("12.40"), ASCENDING, False),  # three decimals
        (D("752.05"), D("100.00"), D("700.00"), ASCENDING, True),
        (D("9.95"), D("10.00"), None, DESCENDING, True),  # EL: below the cap by the decrement
        (D("9.96"), D("10.00"), None, DESCENDING, False),
        (D("7.00"), D("10.00"), D("7.05"), DESCENDING, True),
        (D("0.00"), D("10.00"), D("0.05"), DESCENDING, False),  # nothing below zero
    ],
)
def test_final_price_offer_validity_at_the_increment_boundary(offer, floor, current, direction, accepted):
    error = rules.final_offer_error(offer, floor=floor, current_best=current, direction=direction)
    assert (error is None) is accepted


def test_refusal_names_the_smallest_valid_offer():
    error = rules.final_offer_error(D("12.00"), floor=D("11.00"), current_best=D("12.40"))
    assert error == (
        "Your offer of 12.00% must exceed the current best offer 12.40% by at least 0.05%: "
        "the smallest valid offer is 12.45%."
    )


def test_increment_is_a_parameter():
    params = AuctionParams(min_increment=D("0.10"))
    assert rules.next_valid_offer(floor=D("12.00"), params=params) == D("12.10")
    assert rules.final_offer_error(D("12.05"), floor=D("12.00"), params=params) is not None


T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CLOSE = T0 + timedelta(minutes=60)


@pytest.mark.parametrize(
    "offer_at, expected_close",
    [
        (CLOSE - timedelta(minutes=30), CLOSE),  # outside the last 8 minutes
        (CLOSE - timedelta(minutes=8, microseconds=1), CLOSE),  # just outside
        (CLOSE - timedelta(minutes=8), CLOSE),  # exactly 8 minutes before: moves to 8 after, i.e. the same
        (CLOSE - timedelta(minutes=5), CLOSE + timedelta(minutes=3)),
        (CLOSE - timedelta(seconds=1), CLOSE + timedelta(minutes=8) - timedelta(seconds=1)),  # the last second
        (CLOSE - timedelta(microseconds=1), CLOSE + timedelta(minutes=8) - timedelta(microseconds=1)),
    ],
)
def test_auto_extension_of_the_close(offer_at, expected_close):
    assert rules.extended_close(closes_at=CLOSE, offer_at=offer_at) == expected_close


def test_extension_has_no_limit():
    close = CLOSE
    for _ in range(100):
        close = rules.extended_close(closes_at=close, offer_at=close - timedelta(seconds=10))
    assert close == CLOSE + 100 * (timedelta(minutes=8) - timedelta(seconds=10))


def test_an_offer_at_or_after_the_close_cannot_extend_it():
    with pytest.raises(ValueError):
        rules.extended_close(closes_at=CLOSE, offer_at=CLOSE)


@pytest.mark.parametrize(
    "now, open_",
    [(T0 - timedelta(seconds=1), False), (T0, True), (CLOSE - timedelta(microseconds=1), True), (CLOSE, False)],
)
def test_the_auction_is_open_from_start_until_close(now, open_):
    assert rules.is_open(now=now, starts_at=T0, closes_at=CLOSE) is open_


@pytest.mark.parametrize(
    "attempt, bids, tqb, final_offers, reason",
    [
        (1, 0, 0, None, "no bid"),
        (1, 5, 2, None, "fewer than 3 TQB"),
        (1, 5, 3, None, None),
        (2, 1, 1, None, None),  # a second attempt proceeds with one
        (2, 1, 0, None, "fewer than 1 TQB"),
        (1, 4, 4, 0, "no final offer"),
        (1, 4, 4, 3, None),
    ],
)
def test_annulment_reasons(attempt, bids, tqb, final_offers, reason):
    assert rules.annulment_reason(attempt=attempt, bids=bids, tqb=tqb, final_offers=final_offers) == reason


def test_params_round_trip_through_json_as_strings():
    params = AuctionParams(min_increment=D("0.10"), min_tqb_first_attempt=2)
    data = params.as_json()
    assert data["min_increment"] == "0.10" and data["min_tqb_first_attempt"] == 2
    assert AuctionParams.from_json(data) == params
    assert AuctionParams.from_json({}) == AuctionParams()
