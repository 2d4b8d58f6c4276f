"""The registry's rules as pure functions (no ORM), each with a table test under tests/blocks/.

RULES.md section 1 (who auctions what: routing by the minerals' schedules and the exploration stage),
section 2 (the value of estimated resources) and section 5, "Where no case can help" (a block too near a national
park or wildlife sanctuary is refused at registration).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from core.money import inr, to_decimal

CENTRAL = "central"
STATE = "state"
ML = "ML"
CL = "CL"
EL = "EL"
# UNFC stages from which a mining lease is auctioned (G2 or better); G3 and G4 give a composite licence.
ML_STAGES = frozenset({"G1", "G2"})
CL_STAGES = frozenset({"G3", "G4"})
EL_STAGES = frozenset({"G3", "G4"})


# Mining inside a national park or wildlife sanctuary, or within this distance of its boundary, is barred by the
# Supreme Court's orders (T. N. Godavarman Thirumulpad); the setting PROTECTED_AREA_BARRED_KM may change it.
PROTECTED_AREA_BARRED_KM = Decimal("1")
RULE_PROTECTED_AREA = "RULES.md s.5, Where no case can help (T. N. Godavarman Thirumulpad)"


@dataclass(frozen=True)
class MineralFacts:
    name: str
    part_d: bool
    seventh_schedule: bool
    part_b: bool = False


def auction_authority(minerals: Iterable[MineralFacts]) -> str:
    """Act s.11D: a block with any Part D mineral is auctioned by the Central Government, else by its State."""
    return CENTRAL if any(m.part_d for m in minerals) else STATE


def el_eligible(minerals: Iterable[MineralFacts]) -> bool:
    """Act s.10BA: an exploration licence may be granted where the block holds a Seventh Schedule mineral."""
    return any(m.seventh_schedule for m in minerals)


def lease_kind(exploration_stage: str) -> str:
    """A mining lease where exploration reached G2 or better; a composite licence at G3 or G4."""
    if exploration_stage in ML_STAGES:
        return ML
    if exploration_stage in CL_STAGES:
        return CL
    raise ValueError(f"Unknown exploration stage {exploration_stage!r}; expected one of G1, G2, G3, G4.")


def resource_price(state_price, pan_india_price) -> tuple[Decimal, str]:
    """The IBM average sale price for the State, or the pan-India average where the State has none."""
    if state_price is not None:
        return to_decimal(state_price), "state"
    if pan_india_price is None:
        raise ValueError("No IBM price: give the State's average sale price or the pan-India average.")
    return to_decimal(pan_india_price), "pan_india"


def resource_value(quantity_tonnes, price_per_tonne) -> Decimal:
    """Value of one mineral's estimated resources: quantity x price, rounded half-up to the paisa."""
    quantity, price = to_decimal(quantity_tonnes), to_decimal(price_per_tonne)
    if quantity < 0 or price < 0:
        raise ValueError("Quantity and price cannot be negative.")
    return inr(quantity * price)


def value_of_estimated_resources(resources: Iterable[tuple]) -> Decimal:
    """VER = sum over minerals of estimated quantity x IBM average sale price (RULES.md s.2)."""
    return inr(sum((resource_value(q, p) for q, p in resources), Decimal("0")))


def _km(value: Decimal) -> str:
    """A distance as a person writes it: 0.2, 10, 1.25 (no trailing zeros, no exponent)."""
    return format(value.normalize(), "f")


def protected_area_error(distance_km, *, barred_km=PROTECTED_AREA_BARRED_KM) -> str | None:
    """Why a block at `distance_km` from the nearest national park or sanctuary cannot be registered, or None.

    "Within" a distance includes it: a block exactly `barred_km` away is barred, as is one inside the protected area
    (distance 0). A distance not assessed (None) refuses nothing here: the wildlife case's need is judged later."""
    if distance_km is None:
        return None
    distance, barred = to_decimal(distance_km), to_decimal(barred_km)
    if distance < 0:
        raise ValueError("A distance cannot be negative; give 0 for a block inside the protected area.")
    if distance > barred:
        return None
    where = "inside a national park or wildlife sanctuary" if distance == 0 else f"{_km(distance)} km from one"
    barred = _km(barred)
    return (
        f"Mining within {barred} km of a national park or wildlife sanctuary is barred by the Supreme Court's orders "
        f"(T. N. Godavarman Thirumulpad), and no clearance can lift the bar: this block lies {where}. Register it "
        f"only with a boundary more than {barred} km from the protected area."
    )
