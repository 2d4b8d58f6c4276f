"""The Rules of the auction as pure functions (no ORM), each with a table test under tests/auctions/.

RULES.md section 3 (ML and CL auctions) and section 4 (EL auctions: the same functions with the direction as
data). Routing and the value of estimated resources (sections 1 and 2) are the registry's: blocks/rules.py.
"""

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache

from blocks.rules import CL, EL, EL_STAGES, ML, MineralFacts
from core.money import CRORE, format_inr, percent_of, round_half_up, to_decimal

# ---------------------------------------------------------------------------------------------------------
# Auctions (RULES.md section 3; section 4 for exploration licences, with the direction as data).
# Every number below comes from AuctionParams, stored per tranche, so a past auction replays under its rules.
# ---------------------------------------------------------------------------------------------------------


ASCENDING = "ascending"  # ML and CL: the highest percentage of the value of mineral despatched wins
DESCENDING = "descending"  # EL: the lowest share of the future auction premium wins
PERCENT_PLACES = 2


@dataclass(frozen=True)
class AuctionParams:
    """The parameters of the Rules marked (param) in RULES.md, with their defaults."""

    min_tqb_first_attempt: int = 3
    min_tqb_second_attempt: int = 1
    qualified_share_pct: Decimal = Decimal("50")
    qualified_top_ranks: int = 5
    min_increment: Decimal = Decimal("0.05")
    duration_minutes: int = 60
    extension_window_minutes: int = 8
    extension_minutes: int = 8
    bid_security_pct: Decimal = Decimal("0.25")
    bid_security_cap: Decimal = Decimal("50") * CRORE
    performance_security_pct: Decimal = Decimal("0.5")
    upfront_payment_pct: Decimal = Decimal("0.5")
    upfront_payment_cap: Decimal = Decimal("500") * CRORE
    net_worth_cap_ml: Decimal = Decimal("200") * CRORE
    net_worth_cap_cl: Decimal = Decimal("100") * CRORE
    el_ceiling_floor_pct: Decimal = Decimal("25")
    el_min_net_worth: Decimal = Decimal("25") * CRORE
    # After the auction (RULES.md s.3 items 11 to 14): payments, milestones, penalties, premium.
    upfront_instalment_1_pct: Decimal = Decimal("10")
    upfront_instalment_2_pct: Decimal = Decimal("10")
    upfront_instalment_3_pct: Decimal = Decimal("80")
    performance_security_reset_years: int = 5
    preferred_bidder_payment_days: int = 45
    ml_mining_plan_months: int = 6
    ml_environment_clearance_months: int = 18
    ml_execution_months: int = 12
    cl_execution_months: int = 12
    cl_g2_months: int = 36
    delay_penalty_pct_per_month: Decimal = Decimal("1")
    late_interest_pct_per_year: Decimal = Decimal("24")
    late_interest_after_days: int = 60
    premium_concession_pct: Decimal = Decimal("50")
    premium_concession_years_ml: int = 5
    premium_concession_years_cl: int = 7
    # Exploration licences (RULES.md s.4).
    el_max_area_km2: Decimal = Decimal("1000")
    el_term_years: int = 5
    el_extension_max_years: int = 2
    el_relinquishment_after_years: int = 3
    el_retained_max_pct: Decimal = Decimal("25")
    el_discovery_auction_months: int = 12
    el_report_interval_months: int = 12
    surrender_notice_months: int = 12

    def as_json(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict | None) -> "AuctionParams":
        """The parameters stored with a tranche or auction; a parameter not stored takes its default. Every offer
        reads them, so the field types are looked up once (`_param_types`), not from a copy of the defaults."""
        data = data or {}
        kwargs = {}
        for name, kind in _param_types().items():
            if name in data:
                value = data[name]
                kwargs[name] = Decimal(str(value)) if kind is Decimal else kind(value)
        return cls(**kwargs)


@cache
def _param_types() -> dict[str, type]:
    defaults = AuctionParams()
    return {f.name: type(getattr(defaults, f.name)) for f in fields(AuctionParams)}


def bid_security(value_of_estimated_resources, params: AuctionParams = AuctionParams()) -> Decimal:
    """Bid security: 0.25% of VER, at most Rs 50 crore (RULES.md s.3 item 11)."""
    return min(percent_of(value_of_estimated_resources, params.bid_security_pct), params.bid_security_cap)


def net_worth_requirement(threshold, lease_kind_: str, params: AuctionParams = AuctionParams()) -> Decimal:
    """The tender's net-worth threshold, capped at Rs 200 crore for an ML and Rs 100 crore for a CL; for an EL
    at least the Rs 25 crore that RULES.md s.4 asks of every bidder."""
    threshold = to_decimal(threshold)
    if lease_kind_ == EL:
        return max(threshold, params.el_min_net_worth)
    cap = {ML: params.net_worth_cap_ml, CL: params.net_worth_cap_cl}.get(lease_kind_)
    return threshold if cap is None else min(threshold, cap)


def is_percentage(value) -> bool:
    """A bid is a percentage with at most two decimals."""
    value = to_decimal(value)
    return value.is_finite() and value == round_half_up(value, PERCENT_PLACES)


def initial_offer_error(offer, *, reserve, direction: str = ASCENDING) -> str | None:
    """The IPO must be at least the reserve price (ML/CL), or at most the ceiling (EL). None when valid."""
    offer, reserve = to_decimal(offer), to_decimal(reserve)
    if not is_percentage(offer) or offer <= 0:
        return f"Your initial price offer must be a positive percentage with at most two decimals; got {offer}."
    if direction == ASCENDING and offer < reserve:
        return f"Your initial price offer of {offer}% is below the reserve price of {reserve}%."
    if direction == DESCENDING and offer > reserve:
        return f"Your initial price offer of {offer}% is above the ceiling of {reserve}%."
    return None


def minimum_tqb(attempt: int, params: AuctionParams = AuctionParams()) -> int:
    """A first attempt needs 3 technically qualified bidders; a second attempt proceeds with 1."""
    return params.min_tqb_first_attempt if attempt <= 1 else params.min_tqb_second_attempt


def dense_rank(offers: dict, direction: str = ASCENDING) -> dict:
    """Rank offers best first; equal offers share a rank and the next rank follows on (1, 2, 2, 3)."""
    distinct = sorted({to_decimal(v) for v in offers.values()}, reverse=(direction == ASCENDING))
    rank_of = {value: i for i, value in enumerate(distinct, start=1)}
    return {bidder: rank_of[to_decimal(value)] for bidder, value in offers.items()}


def qualifying_ranks(tqb_count: int, params: AuctionParams = AuctionParams()) -> int:
    """How many ranks qualify: the first 50% (a fraction rounds up) or the top 5, whichever is higher."""
    share = math.ceil(Decimal(tqb_count) * params.qualified_share_pct / 100)
    return max(share, params.qualified_top_ranks)


def qualified_bidders(offers: dict, direction: str = ASCENDING, params: AuctionParams = AuctionParams()) -> set:
    """The technically qualified bidders who go to round 2; every bidder tied at a qualifying rank qualifies."""
    ranks = dense_rank(offers, direction)
    cut = qualifying_ranks(len(offers), params)
    return {bidder for bidder, rank in ranks.items() if rank <= cut}


def floor_price(qualified_offers, direction: str = ASCENDING) -> Decimal:
    """Round 2 starts from the best IPO among the qualified: the highest (ML/CL) or the lowest (EL, the cap)."""
    values = [to_decimal(v) for v in qualified_offers]
    if not values:
        raise ValueError("No qualified bidder: there is no floor price.")
    return max(values) if direction == ASCENDING else min(values)


def next_valid_offer(*, floor, current_best=None, params: AuctionParams = AuctionParams(), direction=ASCENDING):
    """The smallest offer that would be accepted now: beyond the floor and the current best by the increment."""
    reference = to_decimal(floor) if current_best is None else to_decimal(current_best)
    step = params.min_increment if direction == ASCENDING else -params.min_increment
    return reference + step


def final_offer_error(offer, *, floor, current_best=None, params=AuctionParams(), direction=ASCENDING) -> str | None:
    """Why an FPO would be refused, in words that name the smallest valid offer; None when it is valid."""
    offer = to_decimal(offer)
    if not is_percentage(offer):
        return f"An offer is a percentage with at most two decimals; {offer} has more."
    best = next_valid_offer(floor=floor, current_best=current_best, params=params, direction=direction)
    reference, name = (floor, "the floor price") if current_best is None else (current_best, "the current best offer")
    if direction == ASCENDING and offer < best:
        return (
            f"Your offer of {offer}% must exceed {name} {to_decimal(reference)}% by at least "
            f"{params.min_increment}%: the smallest valid offer is {best}%."
        )
    if direction == DESCENDING:
        name = "the cap" if current_best is None else "the current lowest offer"
        if best <= 0:
            return f"No lower offer is possible: {name} is {to_decimal(reference)}%."
        if offer > best:
            return (
                f"Your offer of {offer}% must be below {name} {to_decimal(reference)}% by at least "
                f"{params.min_increment}%: the largest valid offer is {best}%."
            )
        if offer <= 0:
            return f"An offer must be above 0%; the largest valid offer is {best}%."
    return None


def is_open(*, now: datetime, starts_at: datetime, closes_at: datetime) -> bool:
    """The e-auction accepts offers from its start until (not at) its close, by the server's clock."""
    return starts_at <= now < closes_at


def extended_close(*, closes_at: datetime, offer_at: datetime, params: AuctionParams = AuctionParams()) -> datetime:
    """An offer in the last 8 minutes moves the close to 8 minutes after that offer, without limit."""
    if offer_at >= closes_at:
        raise ValueError("An offer at or after the close is refused; it cannot extend the close.")
    if closes_at - offer_at <= timedelta(minutes=params.extension_window_minutes):
        return max(closes_at, offer_at + timedelta(minutes=params.extension_minutes))
    return closes_at


def annulment_reason(*, attempt: int, bids: int, tqb: int, final_offers: int | None = None, params=AuctionParams()):
    """Why an auction is annulled, in the published words, or None when it goes on."""
    if bids == 0:
        return "no bid"
    needed = minimum_tqb(attempt, params)
    if tqb < needed:
        return f"fewer than {needed} TQB"
    if final_offers == 0:
        return "no final offer"
    return None


# ---------------------------------------------------------------------------------------------------------
# Exploration licence auctions (RULES.md section 4): the State's descending reverse auction on the share of the
# future auction premium. The auction itself runs on the functions above with direction=DESCENDING; these say
# which blocks, ceilings and bidders an EL tender may take.
# ---------------------------------------------------------------------------------------------------------

LEASE_TRANCHE = "lease"  # mining leases and composite licences: ascending, on the % of the value of mineral despatched
EXPLORATION_TRANCHE = "exploration"  # exploration licences: descending, on the % share of the future auction premium
HECTARES_PER_KM2 = Decimal("100")
MAX_SHARE_PCT = Decimal("100")


def tranche_terms(kind: str, block_lease_kind: str) -> tuple[str, str]:
    """(lease kind, direction) of an auction of a tranche of this kind: an EL tranche auctions exploration
    licences in descending order; a lease tranche the block's ML or CL in ascending order."""
    if kind == EXPLORATION_TRANCHE:
        return EL, DESCENDING
    if kind == LEASE_TRANCHE:
        return block_lease_kind, ASCENDING
    raise ValueError(f"Unknown tranche kind {kind!r}; expected {LEASE_TRANCHE!r} or {EXPLORATION_TRANCHE!r}.")


def _km2(hectares: Decimal) -> str:
    return f"{hectares / HECTARES_PER_KM2:,.2f} km²"


def el_block_errors(*, block: str, minerals: Iterable[MineralFacts], exploration_stage: str, area_hectares,
                    params: AuctionParams = AuctionParams()) -> list[str]:  # fmt: skip
    """Why a block may not be auctioned for an exploration licence (RULES.md s.4), each reason in words a
    regulator can act on; empty when it may: Seventh Schedule minerals only, at G4 or G3, at most 1,000 km²."""
    errors = []
    minerals = list(minerals)
    others = sorted(m.name for m in minerals if not m.seventh_schedule)
    if not minerals:
        errors.append(
            f"Block {block} has no mineral registered; an exploration licence is for Seventh Schedule minerals "
            "(RULES.md s.4)."
        )
    elif others:
        listed = " and ".join([", ".join(others[:-1]), others[-1]] if len(others) > 1 else others)
        verb = "is not a Seventh Schedule mineral" if len(others) == 1 else "are not Seventh Schedule minerals"
        errors.append(
            f"Block {block} holds {listed}, which {verb}: an exploration licence is auctioned for Seventh "
            "Schedule minerals only (RULES.md s.4)."
        )
    if exploration_stage not in EL_STAGES:
        errors.append(
            f"Block {block} is explored to {exploration_stage or 'no stage'}; an exploration licence is auctioned "
            "at reconnaissance (G4) or prospecting (G3) stage only (RULES.md s.4)."
        )
    limit = params.el_max_area_km2 * HECTARES_PER_KM2
    if area_hectares is None:
        errors.append(
            f"Block {block} has no surveyed boundary, so its area cannot be checked against the limit of "
            f"{params.el_max_area_km2:,} km²; add its boundary in the registry."
        )
    elif to_decimal(area_hectares) > limit:
        errors.append(
            f"Block {block} covers {_km2(to_decimal(area_hectares))}; an exploration licence covers at most "
            f"{params.el_max_area_km2:,} km² (RULES.md s.4). Divide the block."
        )
    return errors


def el_ceiling_error(ceiling_pct, params: AuctionParams = AuctionParams()) -> str | None:
    """The tender's ceiling on the share of the future premium: at least 25% (param), at most the whole premium."""
    if ceiling_pct is None:
        return "Set the ceiling (the block's reserve price): the largest share of the future premium a bidder may ask."
    ceiling = to_decimal(ceiling_pct)
    if not is_percentage(ceiling):
        return f"The ceiling is a percentage with at most two decimals; {ceiling:f} has more."
    if ceiling < params.el_ceiling_floor_pct:
        return (
            f"The ceiling of {ceiling}% is below {params.el_ceiling_floor_pct}%: an exploration-licence tender may not "
            f"set its ceiling below {params.el_ceiling_floor_pct}% of the future auction premium (RULES.md s.4)."
        )
    if ceiling > MAX_SHARE_PCT:
        return f"The ceiling of {ceiling}% is more than the whole premium; it is at most {MAX_SHARE_PCT}%."
    return None


def el_bidder_error(*, incorporated_in_india: bool, net_worth, params: AuctionParams = AuctionParams(),
                    net_worth_label: str = "the net worth") -> str | None:  # fmt: skip
    """An exploration licence goes to an Indian national or a company registered in India with a net worth of
    at least Rs 25 crore (param; RULES.md s.4). None when the bidder is eligible. `net_worth_label` says where
    the figure comes from ("the net worth on record", "the net worth declared")."""
    if not incorporated_in_india:
        return (
            "Only an Indian national or a company registered in India may bid for an exploration licence "
            "(RULES.md s.4)."
        )
    if net_worth is None or to_decimal(net_worth) < params.el_min_net_worth:
        shown = "none" if net_worth is None else format_inr(net_worth)
        return (
            f"A bidder for an exploration licence needs a net worth of at least {format_inr(params.el_min_net_worth)} "
            f"(RULES.md s.4); {net_worth_label} is {shown}."
        )
    return None
