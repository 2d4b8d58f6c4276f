"""Table tests of RULES.md sections 1 and 2 as auctions/rules.py states them: who auctions a block, whether an
exploration licence may be granted, ML or CL by stage, the IBM price basis and the VER."""

from decimal import Decimal as D

import pytest

from blocks import rules
from blocks.rules import MineralFacts

LITHIUM = MineralFacts("Lithium", part_d=True, seventh_schedule=True)
GOLD = MineralFacts("Gold", part_d=False, seventh_schedule=True)
LIMESTONE = MineralFacts("Limestone", part_d=False, seventh_schedule=False)
GLAUCONITE = MineralFacts("Glauconite", part_d=True, seventh_schedule=False)  # Part D, not Seventh Schedule
IRON_ORE = MineralFacts("Iron ore", part_d=False, seventh_schedule=False)


@pytest.mark.parametrize(
    "minerals, authority, el_eligible",
    [
        ([LITHIUM], "central", True),
        ([GOLD], "state", True),
        ([LIMESTONE], "state", False),
        ([GLAUCONITE], "central", False),
        # Mixed lists: one Part D mineral makes the whole block central; one Seventh Schedule mineral allows an EL.
        ([LIMESTONE, LITHIUM], "central", True),
        ([GOLD, LIMESTONE], "state", True),
        ([LIMESTONE, IRON_ORE], "state", False),
        ([GLAUCONITE, GOLD], "central", True),
        ([], "state", False),
    ],
    ids=lambda v: "+".join(m.name for m in v) if isinstance(v, list) else str(v),
)
def test_routing_follows_part_d_and_the_seventh_schedule(minerals, authority, el_eligible):
    assert rules.auction_authority(minerals) == authority
    assert rules.el_eligible(minerals) is el_eligible


def test_routing_accepts_any_iterable_once():
    assert rules.auction_authority(m for m in [LIMESTONE, LITHIUM]) == "central"
    assert rules.el_eligible(m for m in [LIMESTONE, GOLD]) is True


@pytest.mark.parametrize("stage, kind", [("G1", "ML"), ("G2", "ML"), ("G3", "CL"), ("G4", "CL")])
def test_mining_lease_from_g2_composite_licence_at_g3_and_g4(stage, kind):
    assert rules.lease_kind(stage) == kind


@pytest.mark.parametrize("stage", ["G5", "", "g2", None, "UNFC"])
def test_an_unknown_stage_is_refused_with_the_valid_ones_named(stage):
    with pytest.raises(ValueError, match="expected one of G1, G2, G3, G4"):
        rules.lease_kind(stage)


@pytest.mark.parametrize(
    "state_price, pan_india_price, expected",
    [
        (D("5200.50"), D("4800"), (D("5200.50"), "state")),  # the State's average wins when there is one
        (D("0"), D("4800"), (D("0"), "state")),  # a State figure of zero is still a State figure
        (None, D("4800"), (D("4800"), "pan_india")),
        (None, "4800.25", (D("4800.25"), "pan_india")),
        ("5000", None, (D("5000"), "state")),
    ],
)
def test_the_price_is_the_states_ibm_average_else_the_pan_india_average(state_price, pan_india_price, expected):
    assert rules.resource_price(state_price, pan_india_price) == expected


def test_no_price_at_all_is_refused():
    with pytest.raises(ValueError, match="No IBM price"):
        rules.resource_price(None, None)


def test_a_float_price_is_refused():
    with pytest.raises(TypeError, match="floats"):
        rules.resource_price(5200.5, None)


@pytest.mark.parametrize(
    "quantity, price, value",
    [
        (D("120000"), D("5200.50"), D("624060000.00")),
        (D("0.005"), D("1"), D("0.01")),  # 0.005: half-up to the paisa, not half-even (0.00)
        (D("0.015"), D("1"), D("0.02")),
        (D("0.025"), D("1"), D("0.03")),  # half-even would give 0.02
        (D("0.004"), D("1"), D("0.00")),
        (D("1.5"), D("0.333"), D("0.50")),  # 0.4995
        ("1000", "0", D("0.00")),
        (0, 0, D("0.00")),
    ],
)
def test_resource_value_is_quantity_times_price_rounded_half_up_to_the_paisa(quantity, price, value):
    assert rules.resource_value(quantity, price) == value


@pytest.mark.parametrize("quantity, price", [(D("-1"), D("10")), (D("10"), D("-0.01"))])
def test_negative_quantities_and_prices_are_refused(quantity, price):
    with pytest.raises(ValueError, match="cannot be negative"):
        rules.resource_value(quantity, price)


@pytest.mark.parametrize(
    "resources, ver",
    [
        ([], D("0.00")),
        ([(D("0"), D("5000"))], D("0.00")),
        ([(D("120000"), D("5200.50"))], D("624060000.00")),
        # Two minerals: lithium and rare earths (a pan-India price), summed.
        ([(D("120000"), D("5200.50")), (D("8000"), D("90000"))], D("1344060000.00")),
        # Each mineral's value is rounded to the paisa, then summed: 0.005 + 0.005 = 0.01 + 0.01.
        ([(D("0.005"), D("1")), (D("0.005"), D("1"))], D("0.02")),
        ([(D("1.005"), D("1")), (D("2.005"), D("1")), (D("3"), D("0"))], D("3.02")),
    ],
)
def test_ver_sums_every_minerals_value(resources, ver):
    assert rules.value_of_estimated_resources(resources) == ver
    assert rules.value_of_estimated_resources(resources).as_tuple().exponent == -2
