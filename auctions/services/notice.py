"""The tranche notice (RULES.md section 3): a draft tranche, its notification (one auction per block), and the second
attempt of an annulled auction."""

import secrets
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction

from auctions import alerts, lifecycle, rules
from auctions.due_dates import auction_dates_register
from auctions.models import Auction, Origin, Tranche
from auctions.services.guards import locked_auction, now, require_regulator, utc
from blocks.lifecycle import LIVE as BLOCK_LIVE
from blocks.lifecycle import NOTIFIED as BLOCK_NOTIFIED
from blocks.lifecycle import block_move
from blocks.models import Block
from core.errors import ApplicationError, Conflict
from core.money import format_inr
from ledger.services import ledger_append

SCHEDULE_ORDER = (
    "document_sale_starts_at",
    "document_sale_ends_at",
    "bid_due_at",
    "technical_evaluation_at",
    "opening_at",
    "e_auction_starts_at",
)
SCHEDULE_FIELDS = SCHEDULE_ORDER + ("pre_bid_meeting_at",)
LABELS = {
    "document_sale_starts_at": "the start of the tender-document sale",
    "document_sale_ends_at": "the end of the tender-document sale",
    "pre_bid_meeting_at": "the pre-bid meeting",
    "bid_due_at": "the bid due date",
    "technical_evaluation_at": "the technical evaluation",
    "opening_at": "the opening of initial price offers",
    "e_auction_starts_at": "the e-auction",
}
# Blocks that may be put in a new tranche: never offered, or annulled and offered again.
OFFERABLE_BLOCK_STATUSES = (Block.Status.IDENTIFIED, Block.Status.ANNULLED)


def _validate_schedule(schedule: dict) -> None:
    errors: dict[str, list[str]] = {}
    for name in SCHEDULE_ORDER:
        if not isinstance(schedule.get(name), datetime):
            errors.setdefault(name, []).append(f"Give the date and time of {LABELS[name]}.")
    if errors:
        raise ApplicationError("The tranche's schedule is incomplete: every date is needed.", fields=errors)
    for earlier, later in zip(SCHEDULE_ORDER, SCHEDULE_ORDER[1:], strict=False):
        if schedule[later] <= schedule[earlier]:
            errors.setdefault(later, []).append(f"{LABELS[later].capitalize()} must come after {LABELS[earlier]}.")
    meeting = schedule.get("pre_bid_meeting_at")
    if meeting and not (schedule["document_sale_starts_at"] <= meeting < schedule["bid_due_at"]):
        errors.setdefault("pre_bid_meeting_at", []).append(
            "The pre-bid meeting must fall after the document sale opens and before the bid due date."
        )
    if errors:
        raise ApplicationError(f"The schedule is not in order: {next(iter(errors.values()))[0]}", fields=errors)


def _validate_params(params: dict | None) -> rules.AuctionParams:
    try:
        parsed = rules.AuctionParams.from_json(params or {})
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ApplicationError(
            f"A parameter of the Rules is not a number: {exc}.", fields={"params": [str(exc)]}
        ) from exc
    unknown = set(params or {}) - set(rules.AuctionParams().as_json())
    problems = []
    if unknown:
        problems.append(f"Unknown parameter(s): {', '.join(sorted(unknown))}.")
    if parsed.min_tqb_first_attempt < 1 or parsed.min_tqb_second_attempt < 1:
        problems.append("The minimum number of technically qualified bidders is at least 1.")
    if parsed.min_increment <= 0:
        problems.append("The minimum increment must be above 0.")
    if parsed.duration_minutes < 1:
        problems.append("The e-auction lasts at least a minute.")
    if problems:
        raise ApplicationError(problems[0], fields={"params": problems})
    return parsed


def _block_errors(block: Block, kind: str, params: rules.AuctionParams) -> list[str]:
    """Why a block may not go in a tranche of this kind: a lease tranche is the Centre's auction of Part D blocks
    (RULES.md s.1); an exploration tranche is the State's auction of an exploration licence (RULES.md s.4)."""
    if kind == Tranche.Kind.EXPLORATION:
        facts = [rules.MineralFacts(m.name, m.part_d, m.seventh_schedule) for m in block.minerals.all()]
        errors = rules.el_block_errors(
            block=block.code,
            minerals=facts,
            exploration_stage=block.exploration_stage,
            area_hectares=block.area_hectares,
            params=params,
        )
        if block.reserve_price_pct is None:
            errors.append(
                f"Block {block.code} has no ceiling; set its reserve price, which an exploration-licence tender "
                "uses as the ceiling on the share of the future premium, in the registry first."
            )
        else:
            problem = rules.el_ceiling_error(block.reserve_price_pct, params)
            if problem:
                errors.append(f"Block {block.code}: {problem}")
        return errors
    errors = []
    if block.auction_authority != "central":
        errors.append(f"Block {block.code} has no Part D mineral: its State auctions it, not the Centre.")
    if block.reserve_price_pct is None:
        errors.append(f"Block {block.code} has no reserve price; set it in the registry first.")
    return errors


def _net_worth_threshold(value, kind: str, params: rules.AuctionParams) -> Decimal:
    """The tranche's net-worth threshold; an exploration tranche asks at least Rs 25 crore (RULES.md s.4)."""
    if value in (None, ""):
        return params.el_min_net_worth if kind == Tranche.Kind.EXPLORATION else Decimal("0.00")
    threshold = Decimal(str(value))
    if kind == Tranche.Kind.EXPLORATION and threshold < params.el_min_net_worth:
        message = (
            f"The net-worth threshold of {format_inr(threshold)} is below {format_inr(params.el_min_net_worth)}, the "
            "least an exploration-licence bidder must have (RULES.md s.4); raise it."
        )
        raise ApplicationError(message, fields={"net_worth_threshold": [message]})
    return threshold


def tranche_create(*, actor, name: str, blocks: list[str], params: dict | None = None, tender_fee=None,
                   net_worth_threshold=None, kind: str = Tranche.Kind.LEASE, **schedule) -> Tranche:  # fmt: skip
    """A draft tranche: what it auctions (leases, or exploration licences), its blocks, its schedule and the
    parameters of the Rules it will run under."""
    require_regulator(actor)
    kind = kind or Tranche.Kind.LEASE
    if kind not in Tranche.Kind.values:
        message = f"A tranche auctions {' or '.join(Tranche.Kind.values)}; got {kind!r}."
        raise ApplicationError(message, fields={"kind": [message]})
    unknown = set(schedule) - set(SCHEDULE_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    name = (name or "").strip()
    if not name:
        raise ApplicationError("Give the tranche a name, e.g. Tranche VII.", fields={"name": ["Give a name."]})
    if Tranche.objects.filter(name__iexact=name).exists():
        raise ApplicationError(f"A tranche called {name} already exists.", fields={"name": ["Already used."]})
    _validate_schedule(schedule)
    parsed = _validate_params(params)
    codes = list(dict.fromkeys(c.strip() for c in blocks or [] if c and c.strip()))
    if not codes:
        raise ApplicationError("Put at least one block in the tranche.", fields={"blocks": ["Choose blocks."]})
    found = {b.code: b for b in Block.objects.filter(code__in=codes).prefetch_related("minerals")}
    errors = [f"No block has the code {c}." for c in codes if c not in found]
    for block in found.values():
        if block.status not in OFFERABLE_BLOCK_STATUSES:
            errors.append(f"Block {block.code} is {block.get_status_display().lower()}; it cannot be offered again.")
        errors.extend(_block_errors(block, kind, parsed))
    if errors:
        raise ApplicationError(errors[0], fields={"blocks": errors})
    threshold = _net_worth_threshold(net_worth_threshold, kind, parsed)
    with transaction.atomic():
        tranche = Tranche.objects.create(
            name=name,
            kind=kind,
            params=parsed.as_json(),
            tender_fee=Decimal(str(tender_fee)) if tender_fee not in (None, "") else Decimal("300000.00"),
            net_worth_threshold=threshold,
            created_by=actor,
            **{k: schedule.get(k) for k in SCHEDULE_FIELDS},
        )
        tranche.blocks.set(found.values())
    return tranche


def _auction_terms(auction: Auction) -> dict:
    return {
        "block": auction.block.code,
        "block_name": auction.block.name,
        "attempt": auction.attempt,
        "previous_auction": auction.previous_id,
        "lease_kind": auction.lease_kind,
        "direction": auction.direction,
        "reserve_price_pct": auction.reserve_price_pct,
        "net_worth_threshold": auction.net_worth_threshold,
        "bid_security": auction.bid_security,
        "value_of_estimated_resources": auction.block.value_of_estimated_resources,
        "params": auction.params,
        "schedule": {k: utc(getattr(auction, k)) for k in SCHEDULE_FIELDS},
    }


def _new_auction(*, tranche: Tranche, block: Block, schedule: dict, attempt: int = 1, previous=None) -> Auction:
    params = rules.AuctionParams.from_json(tranche.params)
    lease_kind, direction = rules.tranche_terms(tranche.kind, block.lease_kind)
    auction = Auction.objects.create(
        tranche=tranche,
        block=block,
        attempt=attempt,
        previous=previous,
        lease_kind=lease_kind,
        direction=direction,
        reserve_price_pct=block.reserve_price_pct,
        net_worth_threshold=rules.net_worth_requirement(tranche.net_worth_threshold, lease_kind, params),
        bid_security=rules.bid_security(block.value_of_estimated_resources, params),
        params=tranche.params,
        bidder_salt=secrets.token_hex(32),
        **{k: schedule.get(k) for k in SCHEDULE_FIELDS},
    )
    ledger_append(stream=auction.stream, kind="notified", payload=_auction_terms(auction))
    _hold_block(auction)
    auction_dates_register(auction)
    return auction


def _hold_block(auction: Auction) -> None:
    """Move the new auction's block to notified through the block's table. A block already notified, or under
    auction, is held by another live auction: a block is never in two auctions at once, so the notice is refused
    (the caller's transaction, and with it everything this notice wrote, is rolled back)."""
    block = auction.block
    try:
        moved = block_move(
            block_id=block.pk,
            to=BLOCK_NOTIFIED,
            reason=f"{auction.tranche.name}, attempt {auction.attempt}",
            payload={"auction": auction.pk, "tranche": auction.tranche.name, "attempt": auction.attempt},
        )
    except Conflict as exc:
        if not Block.objects.filter(pk=block.pk, status__in=BLOCK_LIVE).exists():
            raise Conflict(f"Block {block.code} cannot be offered in {auction.tranche.name}: {exc.message}") from exc
        moved = False
    if not moved:
        raise Conflict(_held_message(auction), code="block_in_auction")


def _held_message(auction: Auction) -> str:
    block, tranche = auction.block, auction.tranche
    live = (
        Auction.objects.filter(block_id=block.pk, status__in=lifecycle.LIVE)
        .exclude(pk=auction.pk)
        .select_related("tranche")
        .order_by("-pk")
        .first()
    )
    status = Block.objects.get(pk=block.pk).get_status_display().lower()
    holder = (
        f"the live auction of {live.tranche.name} (auction {live.pk}, attempt {live.attempt}: "
        f"{live.get_status_display().lower()})"
        if live
        else f"a live auction (the block is {status})"
    )
    return (
        f"Block {block.code} is already in {holder}; a block is in one auction at a time. Remove it from "
        f"{tranche.name}, or notify once that auction is settled or annulled. Nothing was notified."
    )


def tranche_notify(*, actor, tranche_id) -> Tranche:
    """Publish the notice: one auction (attempt 1) per block, each with the tranche's terms and parameters.

    Each block moves to notified through its table (blocks.lifecycle.block_move, which locks it); a block that
    another live auction holds (two draft tranches may list the same block) refuses the whole notice, naming that
    auction, and nothing is written."""
    require_regulator(actor)
    historic = None
    if str(tranche_id).isdigit():
        historic = Tranche.objects.filter(pk=tranche_id, origin=Origin.HISTORIC).first()
    if historic is not None:
        raise Conflict(
            f"{historic.name} is a historic record, imported from the published record of the Ministry of Mines: it "
            "was launched before Khanij and is never notified or run here.",
            code="historic_auction",
        )
    with transaction.atomic():
        claimed = lifecycle.tranche_move(tranche_id=tranche_id, to=lifecycle.TRANCHE_NOTIFIED, notified_at=now())
        tranche = Tranche.objects.get(pk=tranche_id)
        if not claimed:
            raise Conflict(f"{tranche.name} was already notified on {tranche.notified_at:%d %b %Y}.")
        if tranche.document_sale_starts_at <= now() and tranche.bid_due_at <= now():
            raise ApplicationError(
                f"The bid due date of {tranche.name} has passed; change its schedule before notifying it.",
                fields={"bid_due_at": ["Must be in the future."]},
            )
        blocks = list(tranche.blocks.order_by("code"))
        schedule = {k: getattr(tranche, k) for k in SCHEDULE_FIELDS}
        auctions = [_new_auction(tranche=tranche, block=block, schedule=schedule) for block in blocks]
        alerts.tranche_announce(tranche, auctions)
    return tranche


def auction_renotify(*, actor, auction_id, **schedule) -> Auction:
    """After an annulled first attempt, the second attempt on the same terms, in one action (RULES s.3 item 4).
    A date given as None is as if left out."""
    require_regulator(actor)
    schedule = {k: v for k, v in schedule.items() if v is not None}
    with transaction.atomic():
        first = locked_auction(auction_id)
        if first.status != Auction.Status.ANNULLED:
            raise Conflict(f"Auction of {first.block.code} is {first.get_status_display().lower()}, not annulled.")
        if first.attempt != 1:
            raise Conflict("Only an annulled first attempt is re-notified as a second attempt.")
        if Auction.objects.filter(previous=first).exists():
            raise Conflict(f"The second attempt for {first.block.code} was already notified.")
        if not schedule:
            shift = now() - (first.tranche.notified_at or first.created_at)
            schedule = {k: getattr(first, k) + shift for k in SCHEDULE_FIELDS if getattr(first, k)}
        _validate_schedule(schedule)
        if schedule["bid_due_at"] <= now():
            raise ApplicationError("The bid due date must be in the future.", fields={"bid_due_at": ["Too early."]})
        second = _new_auction(tranche=first.tranche, block=first.block, schedule=schedule, attempt=2, previous=first)
        alerts.second_attempt_announce(second)
        return second
