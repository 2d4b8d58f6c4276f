"""Table tests of the exploration-licence auction's rules (RULES.md s.4): which blocks, ceilings and bidders an EL
tender may take, and the central auction's functions run with the direction descending."""

from decimal import Decimal as D

import pytest

from auctions import rules
from auctions.rules import ASCENDING, DESCENDING, AuctionParams
from blocks.rules import MineralFacts

CRORE = D("10000000")
GOLD = MineralFacts("Gold", part_d=False, seventh_schedule=True)
LITHIUM = MineralFacts("Lithium", part_d=True, seventh_schedule=True)
LIMESTONE = MineralFacts("Limestone", part_d=False, seventh_schedule=False)
IRON_ORE = MineralFacts("Iron ore", part_d=False, seventh_schedule=False)
GLAUCONITE = MineralFacts("Glauconite", part_d=True, seventh_schedule=False)  # Part D, not Seventh Schedule


def errors(minerals=(GOLD,), stage="G3", area="500", params=None):
    params = params or AuctionParams()
    return rules.el_block_errors(
        block="RJ-AU-01", minerals=minerals, exploration_stage=stage, area_hectares=area, params=params
    )


@pytest.mark.parametrize(
    "minerals, stage, area",
    [
        ((GOLD,), "G3", D("500")),
        ((GOLD,), "G4", D("500")),  # reconnaissance
        ((LITHIUM, GOLD), "G4", D("500")),  # a Part D mineral too: any authority may hold an EL auction
        ((GOLD,), "G3", D("100000.0000")),  # exactly 1,000 km² (1 km² = 100 ha): at most, so accepted
    ],
)
def test_a_seventh_schedule_block_at_g4_or_g3_within_1000_km2_may_be_auctioned(minerals, stage, area):
    assert errors(minerals, stage, area) == []


@pytest.mark.parametrize(
    "minerals, stage, area, expected",
    [
        ((LIMESTONE,), "G3", D("500"), "holds Limestone, which is not a Seventh Schedule mineral"),
        ((GOLD, LIMESTONE), "G3", D("500"), "holds Limestone, which is not a Seventh Schedule mineral"),
        ((IRON_ORE, LIMESTONE), "G3", D("500"), "holds Iron ore and Limestone, which are not Seventh Schedule"),
        ((GLAUCONITE,), "G3", D("500"), "holds Glauconite, which is not a Seventh Schedule mineral"),
        ((), "G3", D("500"), "has no mineral registered"),
        ((GOLD,), "G2", D("500"), "is explored to G2; an exploration licence is auctioned at reconnaissance (G4)"),
        ((GOLD,), "G1", D("500"), "is explored to G1"),
        # 100,000.0001 ha is 1,000.000001 km²: shown to two decimals, still over the limit.
        ((GOLD,), "G3", D("100000.0001"), "covers 1,000.00 km²; an exploration licence covers at most 1,000 km²"),
        ((GOLD,), "G3", D("123456"), "covers 1,234.56 km²"),  # 123,456 ha / 100
        ((GOLD,), "G3", None, "has no surveyed boundary"),
    ],
)
def test_a_block_an_el_tender_may_not_take_is_refused_with_the_reason(minerals, stage, area, expected):
    found = errors(minerals, stage, area)
    assert len(found) == 1 and expected in found[0], found
    assert found[0].startswith("Block RJ-AU-01")


def test_every_reason_is_given_at_once():
    found = errors((LIMESTONE,), "G2", D("200000"))
    assert len(found) == 3  # the mineral, the stage and the area


def test_the_area_limit_is_the_tranches_parameter():
    small = AuctionParams(el_max_area_km2=D("5"))
    assert errors(area=D("500"), params=small) == []  # 5 km² = 500 ha
    assert "at most 5 km²" in errors(area=D("500.01"), params=small)[0]


@pytest.mark.parametrize(
    "ceiling, expected",
    [
        (D("25.00"), None),  # at the floor of 25%: allowed
        (D("24.99"), "The ceiling of 24.99% is below 25%"),
        (D("0"), "below 25%"),
        (D("100.00"), None),
        (D("100.01"), "more than the whole premium; it is at most 100%"),
        (None, "Set the ceiling"),
        (D("25.001"), "The ceiling is a percentage with at most two decimals; 25.001 has more."),
    ],
)
def test_the_ceiling_is_at_least_25_percent_and_at_most_the_whole_premium(ceiling, expected):
    error = rules.el_ceiling_error(ceiling)
    assert (error is None) if expected is None else (expected in error)
    if ceiling == D("24.99"):
        assert "RULES.md s.4" in error


def test_the_ceiling_floor_is_the_tranches_parameter():
    assert rules.el_ceiling_error(D("20"), AuctionParams(el_ceiling_floor_pct=D("20"))) is None
    assert "below 30%" in rules.el_ceiling_error(D("29.99"), AuctionParams(el_ceiling_floor_pct=D("30")))


@pytest.mark.parametrize(
    "indian, net_worth, expected",
    [
        (True, D("25") * CRORE, None),  # exactly Rs 25 crore
        (True, D("250") * CRORE, None),
        (True, D("24.99") * CRORE, "at least Rs 25,00,00,000.00 (RULES.md s.4); the net worth is Rs 24,99,00,000.00"),
        (True, D("25") * CRORE - D("0.01"), "the net worth is Rs 24,99,99,999.99"),
        (True, None, "the net worth is none"),
        (False, D("250") * CRORE, "Only an Indian national or a company registered in India may bid"),
        (False, D("1"), "Only an Indian national"),  # the first reason is the one given
    ],
)
def test_an_el_bidder_is_indian_with_a_net_worth_of_25_crore(indian, net_worth, expected):
    error = rules.el_bidder_error(incorporated_in_india=indian, net_worth=net_worth)
    assert (error is None) if expected is None else (expected in error), error


def test_the_bidders_net_worth_minimum_is_the_tranches_parameter_and_the_source_is_named():
    params = AuctionParams(el_min_net_worth=D("100"))
    assert rules.el_bidder_error(incorporated_in_india=True, net_worth=D("100"), params=params) is None
    error = rules.el_bidder_error(
        incorporated_in_india=True, net_worth=D("99"), params=params, net_worth_label="the net worth declared"
    )
    assert error.endswith("at least Rs 100.00 (RULES.md s.4); the net worth declared is Rs 99.00.")


@pytest.mark.parametrize(
    "kind, block_lease_kind, expected",
    [
        ("lease", "ML", ("ML", ASCENDING)),
        ("lease", "CL", ("CL", ASCENDING)),
        ("exploration", "CL", ("EL", DESCENDING)),
        ("exploration", "ML", ("EL", DESCENDING)),
    ],
)
def test_the_tranche_kind_decides_the_lease_kind_and_the_direction(kind, block_lease_kind, expected):
    assert rules.tranche_terms(kind, block_lease_kind) == expected


def test_an_unknown_tranche_kind_is_refused():
    with pytest.raises(ValueError, match="expected 'lease' or 'exploration'"):
        rules.tranche_terms("auction", "CL")


@pytest.mark.parametrize(
    "threshold, expected",
    [
        (D("0"), D("25") * CRORE),  # raised to the EL minimum
        (D("24") * CRORE, D("25") * CRORE),
        (D("40") * CRORE, D("40") * CRORE),  # above it: the tender's own, never capped like an ML/CL
        (D("500") * CRORE, D("500") * CRORE),
    ],
)
def test_an_el_net_worth_requirement_is_at_least_the_minimum_and_never_capped(threshold, expected):
    assert rules.net_worth_requirement(threshold, "EL") == expected


# --- The central auction's functions with the direction descending ---------------------------------------------


def test_ties_at_the_cut_all_qualify_when_ranking_lowest_first():
    # 7 TQB: the first ceil(7 x 50%) = 4 ranks or the top 5, whichever is higher: 5 ranks qualify.
    # Lowest first: 10 (1), 11 (2), 12 (3), 13 (4), 14 and 14 (5, tied), 15 (6).
    offers = {"a": D("10"), "b": D("11"), "c": D("12"), "d": D("13"), "e": D("14"), "f": D("14"), "g": D("15")}
    assert rules.dense_rank(offers, DESCENDING) == {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 5, "g": 6}
    assert rules.qualified_bidders(offers, DESCENDING) == {"a", "b", "c", "d", "e", "f"}
    # The same offers ranked highest first leave out the lowest instead.
    assert rules.qualified_bidders(offers, ASCENDING) == {"b", "c", "d", "e", "f", "g"}


def test_the_cap_is_the_lowest_initial_offer_of_the_qualified():
    assert rules.floor_price([D("14"), D("10.50"), D("12")], DESCENDING) == D("10.50")


@pytest.mark.parametrize(
    "offer, current, expected",
    [
        # Against the cap of 10.00% with a decrement of 0.05: the largest valid offer is 10.00 - 0.05 = 9.95.
        (D("9.96"), None, "must be below the cap 10.00% by at least 0.05%: the largest valid offer is 9.95%"),
        (D("10.00"), None, "the largest valid offer is 9.95%"),
        (D("9.95"), None, None),
        # Against the current lowest of 9.90%: 9.90 - 0.05 = 9.85.
        (D("9.88"), D("9.90"), "must be below the current lowest offer 9.90% by at least 0.05%: the largest valid"),
        (D("9.85"), D("9.90"), None),
        (D("0.01"), D("9.90"), None),
        (D("0.00"), D("9.90"), "above 0%; the largest valid offer is 9.85%"),
        (D("0.01"), D("0.05"), "No lower offer is possible: the current lowest offer is 0.05%"),
    ],
)
def test_a_final_offer_must_go_below_the_cap_and_the_current_lowest_by_the_decrement(offer, current, expected):
    error = rules.final_offer_error(offer, floor=D("10.00"), current_best=current, direction=DESCENDING)
    assert (error is None) if expected is None else (expected in error), error
