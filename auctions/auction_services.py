"""Every write of the central auction (RULES.md section 3), from the notice to the preferred bidder.

One function per use case, keyword-only, one short transaction each; the auction row is locked
(`select_for_update`) to serialise concurrent writers of one auction; every step appends to the auction's
ledger stream in the same transaction; notices go out on commit. The law itself is in auctions.rules.
"""

import os
import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from auctions import rules, sealing
from auctions.models import Auction, Offer, Participation, Tranche
from auctions.signals import auction_settled
from auctions.wording import words
from bidders.models import Firm, Membership
from bidders.roles import REGULATORS_GROUP, firm_of, is_regulator
from bidders.selectors import affiliated_pairs
from blocks.models import Block
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from core.money import format_inr
from core.sql import ModelRow, ModelWrite, quote
from ledger.services import ledger_append
from notifications.services import notification_send

# The tender schedule in the order its dates must follow.
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


def now() -> datetime:
    """The server's clock decides (RULES.md s.3 item 9): never a client's."""
    return timezone.now()


def utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="microseconds") if value else None


def _require_regulator(actor):
    if not is_regulator(actor):
        raise PermissionDenied("Only regulators may do this. Sign in with a regulator account.")


def _require_bidding_firm(actor) -> Firm:
    firm = firm_of(actor)
    if firm is None:
        raise PermissionDenied("Only members of a registered firm may bid. Register your firm first.")
    role = Membership.objects.filter(user=actor, firm=firm).values_list("role", flat=True).first()
    if role not in (Membership.Role.ADMIN, Membership.Role.BIDDER):
        raise PermissionDenied(
            f"As a {role} of {firm.legal_name} you may follow its bids but not make them; ask your firm's "
            "administrator for the bidder role."
        )
    return firm


def _members_of(firm_ids):
    return list(get_user_model().objects.filter(memberships__firm_id__in=firm_ids).distinct())


def _percentage(value, field: str) -> Decimal:
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        result = None
    if result is None or not result.is_finite():
        raise ApplicationError(
            f"{value!r} is not a percentage; write it with at most two decimals, like 12.45.",
            fields={field: ["Give a percentage like 12.45."]},
        )
    return result


def _lock(auction_id) -> Auction:
    try:
        # OF self: lock the auction row only, not the block and tranche rows joined for reading, so that writers of
        # the auctions of one tranche never wait on each other (PostgreSQL locks every joined row otherwise).
        return Auction.objects.select_for_update(of=("self",)).select_related("block", "tranche").get(pk=auction_id)
    except (Auction.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no auction {auction_id}.") from None


# --- The tranche notice ----------------------------------------------------------------------------------


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
    _require_regulator(actor)
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
    Block.objects.filter(pk=block.pk).update(status=Block.Status.NOTIFIED)
    ledger_append(stream=auction.stream, kind="notified", payload=_auction_terms(auction))
    return auction


def tranche_notify(*, actor, tranche_id) -> Tranche:
    """Publish the notice: one auction (attempt 1) per block, each with the tranche's terms and parameters."""
    _require_regulator(actor)
    with transaction.atomic():
        claimed = Tranche.objects.filter(pk=tranche_id, status=Tranche.Status.DRAFT).update(
            status=Tranche.Status.NOTIFIED, notified_at=now()
        )
        tranche = Tranche.objects.filter(pk=tranche_id).first()
        if tranche is None:
            raise NotFound(f"There is no tranche {tranche_id}.")
        if claimed != 1:
            raise Conflict(f"{tranche.name} was already notified on {tranche.notified_at:%d %b %Y}.")
        if tranche.document_sale_starts_at <= now() and tranche.bid_due_at <= now():
            raise ApplicationError(
                f"The bid due date of {tranche.name} has passed; change its schedule before notifying it.",
                fields={"bid_due_at": ["Must be in the future."]},
            )
        blocks = list(tranche.blocks.select_for_update().order_by("code"))
        taken = [b.code for b in blocks if b.status not in OFFERABLE_BLOCK_STATUSES]
        if taken:
            raise Conflict(f"Block(s) {', '.join(taken)} were offered elsewhere since this draft was made.")
        schedule = {k: getattr(tranche, k) for k in SCHEDULE_FIELDS}
        for block in blocks:
            _new_auction(tranche=tranche, block=block, schedule=schedule)
    return tranche


def auction_renotify(*, actor, auction_id, **schedule) -> Auction:
    """After an annulled first attempt, the second attempt on the same terms, in one action (RULES s.3 item 4)."""
    _require_regulator(actor)
    with transaction.atomic():
        first = _lock(auction_id)
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
        return _new_auction(tranche=first.tranche, block=first.block, schedule=schedule, attempt=2, previous=first)


# --- Participation: the tender document, the technical bid, the sealed initial price offer ---------------


def participation_buy_document(*, actor, auction_id, payment_reference: str) -> Participation:
    """A firm buys the tender document (the fee paid with this reference), which lets it bid."""
    firm = _require_bidding_firm(actor)
    reference = (payment_reference or "").strip()
    if not reference:
        raise ApplicationError(
            "Give the payment reference of the tender fee (the bank's transaction number).",
            fields={"payment_reference": ["Required."]},
        )
    with transaction.atomic():
        auction = _lock(auction_id)
        moment = now()
        if auction.status != Auction.Status.NOTIFIED:
            raise Conflict(f"The auction of {auction.block.code} no longer sells tender documents.")
        if not (auction.document_sale_starts_at <= moment < auction.document_sale_ends_at):
            raise Conflict(
                f"Tender documents for {auction.block.code} are sold from "
                f"{timezone.localtime(auction.document_sale_starts_at):%d %b %Y %H:%M} to "
                f"{timezone.localtime(auction.document_sale_ends_at):%d %b %Y %H:%M} IST."
            )
        existing = Participation.objects.filter(auction=auction, firm=firm).first()
        if existing:
            raise Conflict(f"{firm.legal_name} already bought the tender document for {auction.block.code}.")
        _require_el_eligible(auction, firm, doing="buy the tender document")
        return Participation.objects.create(
            auction=auction, firm=firm, tender_fee_reference=reference[:80], tender_fee_paid_at=moment
        )


def _require_el_eligible(auction: Auction, firm: Firm, *, doing: str, declared=None) -> None:
    """An exploration licence is for an Indian national or a company registered in India with a net worth of at
    least Rs 25 crore (RULES.md s.4): the firm's record, and the net worth it declares with its bid, must show it."""
    if auction.lease_kind != rules.EL:
        return
    params = rules.AuctionParams.from_json(auction.params)
    problem = rules.el_bidder_error(
        incorporated_in_india=firm.incorporated_in_india,
        net_worth=firm.net_worth,
        params=params,
        net_worth_label=f"the net worth on {firm.legal_name}'s record (as of {firm.net_worth_as_of:%d %b %Y})",
    )
    fields = {}
    if problem is None and declared is not None:
        problem = rules.el_bidder_error(
            incorporated_in_india=True, net_worth=declared, params=params, net_worth_label="the net worth declared"
        )
        fields = {"net_worth": [problem]} if problem else {}
    if problem:
        raise ApplicationError(
            f"{firm.legal_name} cannot {doing} of the exploration-licence auction of {auction.block.code}. {problem}",
            fields=fields,
            code="not_eligible",
        )


def _own_participation(*, firm: Firm, auction_id) -> Participation:
    participation = Participation.objects.filter(auction_id=auction_id, firm=firm).first()
    if participation is None:
        raise ApplicationError(
            "Buy the tender document of this auction first; then submit your bid.", code="document_not_bought"
        )
    return participation


def participation_submit(*, actor, auction_id, initial_price_offer, net_worth, bid_security_reference: str,
                         declared_affiliates: str = "") -> tuple[Participation, str]:  # fmt: skip
    """Submit or replace the technical bid and the sealed initial price offer before the bid due date.

    Returns the participation and the commitment receipt. The offer itself is only ever stored encrypted.
    """
    firm = _require_bidding_firm(actor)
    offer = _percentage(initial_price_offer, "initial_price_offer")
    try:
        worth = Decimal(str(net_worth).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ApplicationError(
            "Give your net worth in rupees, e.g. 2500000000.", fields={"net_worth": ["Not an amount."]}
        ) from None
    reference = (bid_security_reference or "").strip()
    errors = {}
    if not reference:
        errors["bid_security_reference"] = ["Give the reference of the bank guarantee for the bid security."]
    if not worth.is_finite() or worth < 0:
        errors["net_worth"] = ["Give your net worth in rupees, zero or more."]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], fields=errors)
    with transaction.atomic():
        auction = _lock(auction_id)
        participation = _own_participation(firm=firm, auction_id=auction.pk)
        if auction.status != Auction.Status.NOTIFIED or now() >= auction.bid_due_at:
            raise Conflict(
                f"Bids for {auction.block.code} closed at "
                f"{timezone.localtime(auction.bid_due_at):%d %b %Y %H:%M} IST; nothing was changed."
            )
        _require_el_eligible(auction, firm, doing="submit a bid", declared=worth)
        problem = rules.initial_offer_error(offer, reserve=auction.reserve_price_pct, direction=auction.direction)
        if problem:
            raise ApplicationError(problem, fields={"initial_price_offer": [problem]})
        sealed = sealing.seal(auction=auction.pk, firm=firm.pk, offer=offer)
        participation.status = Participation.Status.SUBMITTED
        participation.sealed_offer = sealed.ciphertext
        participation.commitment = sealed.commitment
        participation.net_worth = worth
        participation.bid_security_reference = reference[:80]
        participation.declared_affiliates = (declared_affiliates or "").strip()
        participation.submitted_at = now()
        participation.save()
    return participation, sealed.commitment


def participation_withdraw(*, actor, auction_id) -> Participation:
    """Withdraw a bid before the bid due date; the sealed offer is destroyed unopened."""
    firm = _require_bidding_firm(actor)
    with transaction.atomic():
        auction = _lock(auction_id)
        participation = _own_participation(firm=firm, auction_id=auction.pk)
        if auction.status != Auction.Status.NOTIFIED or now() >= auction.bid_due_at:
            raise Conflict("The bid due date has passed: a bid can no longer be withdrawn.")
        if participation.status != Participation.Status.SUBMITTED:
            raise Conflict("There is no submitted bid to withdraw.")
        participation.status = Participation.Status.WITHDRAWN
        participation.sealed_offer = ""
        participation.commitment = ""
        participation.save(update_fields=["status", "sealed_offer", "commitment"])
    return participation


# --- The bid due date: bidding closes, commitments are published ------------------------------------------


def auction_close_bidding(*, auction_id) -> bool:
    """At the bid due date: lock the bids, publish their number and commitments, flag affiliates.

    Idempotent (the sweeper may call it twice): it acts only on the auction that is still taking bids.
    """
    with transaction.atomic():
        moment = now()
        claimed = Auction.objects.filter(pk=auction_id, status=Auction.Status.NOTIFIED, bid_due_at__lte=moment).update(
            status=Auction.Status.EVALUATION, bids_closed_at=moment
        )
        if claimed != 1:
            return False
        auction = _lock(auction_id)
        bids = list(auction.participations.filter(status=Participation.Status.SUBMITTED).select_related("firm"))
        auction.bid_count = len(bids)
        auction.save(update_fields=["bid_count"])
        ledger_append(
            stream=auction.stream,
            kind="bids_closed",
            payload={"bid_count": len(bids), "commitments": sorted(p.commitment for p in bids)},
        )
        flags: dict[int, list[str]] = {}
        names = {p.firm_id: p.firm.legal_name for p in bids}
        for a, b, reason in sorted(affiliated_pairs([p.firm_id for p in bids])):
            flags.setdefault(a, []).append(f"affiliate of {names[b]}: {reason}")
            flags.setdefault(b, []).append(f"affiliate of {names[a]}: {reason}")
        for participation in bids:
            if participation.firm_id in flags:
                participation.affiliate_flag = "; ".join(flags[participation.firm_id])[:300]
                participation.save(update_fields=["affiliate_flag"])
        if not bids:
            _annul(auction, "no bid")
    return True


# --- Technical evaluation ----------------------------------------------------------------------------------


def participation_evaluate(*, actor, participation_id, qualified: bool, reason: str = "") -> Participation:
    """The regulator qualifies or disqualifies a technical bid, with a reason, before the opening."""
    _require_regulator(actor)
    reason = (reason or "").strip()
    try:
        auction_id = Participation.objects.values_list("auction_id", flat=True).get(pk=participation_id)
    except (Participation.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no bid {participation_id}.") from None
    with transaction.atomic():
        auction = _lock(auction_id)
        participation = Participation.objects.select_related("firm").get(pk=participation_id)
        if auction.status != Auction.Status.EVALUATION:
            raise Conflict(
                f"Technical bids of {auction.block.code} are evaluated after the bid due date and before the "
                f"opening; the auction is {auction.get_status_display().lower()}."
            )
        if participation.status != Participation.Status.SUBMITTED:
            raise Conflict("Only submitted bids are evaluated.")
        if qualified and participation.affiliate_flag:
            raise ApplicationError(
                f"{participation.firm.legal_name} is an {participation.affiliate_flag}. Where affiliates bid in the "
                "same auction both bids are rejected (Rules): disqualify it.",
                fields={"qualified": ["An affiliate's bid cannot be qualified."]},
                code="affiliate",
            )
        if qualified and participation.net_worth is not None and participation.net_worth < auction.net_worth_threshold:
            raise ApplicationError(
                f"{participation.firm.legal_name} declared a net worth of Rs {participation.net_worth}, below the "
                f"tender's threshold of Rs {auction.net_worth_threshold}.",
                fields={"qualified": ["Net worth below the threshold."]},
                code="net_worth",
            )
        if not qualified and not reason:
            raise ApplicationError(
                "Give the reason for disqualifying the bid; it is published.", fields={"reason": ["Required."]}
            )
        participation.technically_qualified = qualified
        participation.evaluation_reason = reason[:300]
        participation.evaluated_by = actor
        participation.evaluated_at = now()
        participation.save(update_fields=["technically_qualified", "evaluation_reason", "evaluated_by", "evaluated_at"])
        ledger_append(
            stream=auction.stream,
            kind="evaluated",
            payload={
                "firm": participation.firm.legal_name,
                "cin": participation.firm.cin,
                "commitment": participation.commitment,
                "technically_qualified": qualified,
                "reason": participation.evaluation_reason,
            },
        )
    return participation


def auction_reject_affiliates(*, actor, auction_id) -> int:
    """Confirm every affiliate flag of the auction: both bids of each affiliated pair are disqualified."""
    _require_regulator(actor)
    flagged = list(
        Participation.objects.filter(
            auction_id=auction_id, status=Participation.Status.SUBMITTED, technically_qualified__isnull=True
        )
        .exclude(affiliate_flag="")
        .values_list("pk", "affiliate_flag")
    )
    for pk, flag in flagged:
        participation_evaluate(actor=actor, participation_id=pk, qualified=False, reason=f"Rejected as {flag}"[:300])
    return len(flagged)


# --- Opening of the initial price offers --------------------------------------------------------------------


def _annul(auction: Auction, reason: str) -> None:
    auction.status = Auction.Status.ANNULLED
    auction.annulment_reason = reason
    auction.settled_at = now()
    auction.save(update_fields=["status", "annulment_reason", "settled_at"])
    Block.objects.filter(pk=auction.block_id).update(status=Block.Status.ANNULLED)
    ledger_append(stream=auction.stream, kind="annulled", payload={"reason": reason, "attempt": auction.attempt})
    firms = list(auction.participations.values_list("firm_id", flat=True))
    notification_send(
        users=_members_of(firms),
        title=f"Auction of {auction.block.code} annulled: {reason}",
        body=f"The auction of {auction.block.name} (attempt {auction.attempt}) was annulled: {reason}.",
        url=f"/auctions/{auction.pk}/",
    )


def auction_open(*, actor, auction_id) -> Auction:
    """Open the IPOs of the technically qualified bidders: check each against its commitment, rank them,
    select the qualified bidders and set the floor; or annul when there are too few TQB."""
    _require_regulator(actor)
    with transaction.atomic():
        auction = _lock(auction_id)
        if auction.status != Auction.Status.EVALUATION:
            raise Conflict(
                f"Offers of {auction.block.code} can be opened only after the bid due date and the technical "
                f"evaluation; the auction is {auction.get_status_display().lower()}."
            )
        bids = list(auction.participations.filter(status=Participation.Status.SUBMITTED).select_related("firm"))
        pending = [p.firm.legal_name for p in bids if p.technically_qualified is None]
        if pending:
            raise Conflict(f"Evaluate every technical bid before the opening; still pending: {', '.join(pending)}.")
        params = rules.AuctionParams.from_json(auction.params)
        tqb = [p for p in bids if p.technically_qualified]
        reason = rules.annulment_reason(attempt=auction.attempt, bids=len(bids), tqb=len(tqb), params=params)
        if reason:
            _annul(auction, reason)
            return auction
        offers = {}
        for p in tqb:
            try:
                value, nonce = sealing.unseal(
                    auction=auction.pk, firm=p.firm_id, ciphertext=p.sealed_offer, commitment=p.commitment
                )
            except sealing.SealBroken as exc:
                raise Conflict(f"The opening was stopped: {exc} Nothing was published.") from exc
            p.initial_price_offer, p.offer_nonce = value, nonce
            offers[p.pk] = value
        ranks = rules.dense_rank(offers, auction.direction)
        qualified = rules.qualified_bidders(offers, auction.direction, params)
        for p in tqb:
            p.rank = ranks[p.pk]
            p.qualified = p.pk in qualified
            p.save(update_fields=["initial_price_offer", "offer_nonce", "rank", "qualified"])
        auction.floor_price = rules.floor_price([offers[pk] for pk in qualified], auction.direction)
        moment = now()
        auction.opened_at = moment
        auction.starts_at = max(auction.e_auction_starts_at, moment)
        auction.closes_at = auction.starts_at + timedelta(minutes=params.duration_minutes)
        auction.status = Auction.Status.OPENED
        auction.save()
        ledger_append(
            stream=auction.stream,
            kind="opened",
            payload={
                "technically_qualified": [
                    {
                        "firm": p.firm.legal_name,
                        "cin": p.firm.cin,
                        "firm_id": p.firm_id,
                        "initial_price_offer": p.initial_price_offer,
                        "nonce": p.offer_nonce,
                        "commitment": p.commitment,
                        "rank": p.rank,
                        "qualified": p.qualified,
                    }
                    for p in sorted(tqb, key=lambda p: (p.rank, p.firm.legal_name))
                ],
                "floor_price": auction.floor_price,
                "starts_at": utc(auction.starts_at),
                "closes_at": utc(auction.closes_at),
            },
        )
        notification_send(
            users=_members_of([p.firm_id for p in tqb if p.qualified]),
            title=f"You qualified for the e-auction of {auction.block.code}",
            body=(
                f"The e-auction of {auction.block.name} starts at "
                f"{timezone.localtime(auction.starts_at):%d %b %Y %H:%M} IST from a "
                f"{words(auction.direction)['floor']} of {auction.floor_price}%."
            ),
            url=f"/auctions/{auction.pk}/room/",
        )
    return auction


def bidder_token(auction: Auction, firm_id: int) -> str:
    """A bidder's pseudonym in the public offer history: the link to the firm is published at the close,
    with the salt, so anyone can then check which firm made which offer."""
    return sealing.bidder_token(salt=auction.bidder_salt, auction=auction.pk, firm=firm_id)


# --- The e-auction: final price offers ----------------------------------------------------------------------


def offer_place(*, actor, auction_id, value, bidder: dict | None = None) -> Offer:
    """Place a final price offer. The auction row is locked, so offers are judged one at a time in the order
    they are committed; the one committed first wins a tie (RULES.md s.3 item 10).

    The row lock is held as briefly as the rules allow. Who is offering (the firm, its role, its qualified
    participation: fixed at the opening) is read before it, in one query, with the auction as it stands; an offer
    that this reading already shows too low (or, in an EL auction, too high) is refused there, without the lock:
    the best offer only ever moves one way, so an offer refused against it would be refused against any later
    one. Under the lock, the server's clock and the current best decide, then the offer, the auction's new best
    and the ledger entry are written. The returned offer's `auction` is the locked row as updated, so the caller
    can show the room without reading it again; the open rooms are told on commit.

    `bidder`: what `offer_precheck` returned for this same offer (actor, auction and value), when the caller has
    just run it (the offer API does, before it reserves the Idempotency-Key); otherwise it is run here."""
    if bidder is None:
        bidder = offer_precheck(actor=actor, auction_id=auction_id, value=value)
    value = _percentage(value, "value")
    # No savepoint when the caller's transaction holds this one (an Idempotency-Key's: the act commits with its
    # stored answer): nothing is raised inside it but a failure that must undo the whole request anyway.
    with transaction.atomic(savepoint=False):
        auction = _offer_lock(auction_id)
        moment = now()
        params = rules.AuctionParams.from_json(auction.params)
        # A refusal under the lock has written nothing: it is raised after the transaction ends with COMMIT, not
        # from inside it. A ROLLBACK would also make psycopg forget the connection's prepared statements, so that
        # the next offers on it would be planned afresh (docs/benchmarks.md).
        refusal = _offer_refusal(auction, bidder, value, moment=moment, params=params)
        if refusal is None:
            offer = _offer_write(auction, bidder, value, moment=moment, params=params)
    if refusal is not None:
        raise refusal
    return offer


def _offer_refusal(auction: Auction, bidder: dict, value, *, moment, params) -> Exception | None:
    """Why the locked auction refuses the offer now, or None: not live, from one not qualified, or not beating
    the current best by the increment."""
    if auction.status != Auction.Status.OPENED or auction.starts_at is None:
        return Conflict(f"The auction of {auction.block.code} is not taking final offers.")
    if moment < auction.starts_at:
        return Conflict(
            f"The e-auction starts at {timezone.localtime(auction.starts_at):%d %b %Y %H:%M:%S} IST; "
            "your offer was not placed."
        )
    if not rules.is_open(now=moment, starts_at=auction.starts_at, closes_at=auction.closes_at):
        return Conflict(
            f"The e-auction closed at {timezone.localtime(auction.closes_at):%H:%M:%S} IST by the server's "
            "clock; your offer arrived after the close and was not accepted."
        )
    if bidder["participation_id"] is None:
        return PermissionDenied(
            f"{bidder['firm__legal_name']} is not a qualified bidder of this e-auction; only qualified bidders "
            "may offer."
        )
    return _offer_value_refusal(
        value, floor=auction.floor_price, current_best=auction.best_offer, params=params, direction=auction.direction
    )


# The accepted offer's two writes, written once (core.sql): they run under the auction's row lock.
_OFFER_INSERT = ModelWrite(Offer, ["auction", "participation", "seq", "value", "placed_at"])
_AUCTION_BEST_UPDATE = ModelWrite(Auction, ["best_offer", "best_participation", "offer_count", "closes_at"])


def _offer_write(auction: Auction, bidder: dict, value, *, moment, params) -> Offer:
    """The accepted offer written under the lock: the offer, the auction's new best and close, the ledger entry;
    the open rooms are told on commit."""
    participation_id = bidder["participation_id"]
    seq = auction.offer_count + 1
    offer = _OFFER_INSERT.insert(
        Offer(auction=auction, participation_id=participation_id, seq=seq, value=value, placed_at=moment)
    )
    new_close = rules.extended_close(closes_at=auction.closes_at, offer_at=moment, params=params)
    extended = new_close != auction.closes_at
    _AUCTION_BEST_UPDATE.update(auction.pk, value, participation_id, seq, new_close)
    auction.best_offer, auction.best_participation_id = value, participation_id
    auction.offer_count, auction.closes_at = seq, new_close
    ledger_append(
        stream=auction.stream,
        kind="offer",
        payload={
            "seq": seq,
            "value": value,
            "at": utc(moment),
            "bidder_token": bidder_token(auction, bidder["firm_id"]),
            "closes_at": utc(new_close),
            "extended": extended,
        },
    )
    transaction.on_commit(lambda pk=auction.pk, n=seq, close=new_close: _offer_announce(pk, n, close))
    return offer


def offer_precheck(*, actor, auction_id, value) -> dict:
    """What `offer_place` decides before its lock, alone, writing nothing: who offers (refusing one who may not
    bid) and, while the e-auction is live, an offer already too low (too high in an EL auction) against the best
    as it stands. Returns who offers. The offer API runs it before it reserves the request's Idempotency-Key, so a
    stale offer costs no write at all."""
    bidder = _offer_bidder(actor, auction_id, at=now())
    value = _percentage(value, "value")
    if bidder["live"] and bidder["participation_id"] is not None:
        snapshot = bidder["auction"]
        refusal = _offer_value_refusal(
            value,
            floor=snapshot.floor_price,
            current_best=snapshot.best_offer,
            params=rules.AuctionParams.from_json(snapshot.params),
            direction=snapshot.direction,
        )
        if refusal is not None:
            raise refusal
    return bidder


def _offer_value_refusal(value, *, floor, current_best, params, direction) -> ApplicationError | None:
    problem = rules.final_offer_error(value, floor=floor, current_best=current_best, params=params, direction=direction)
    if not problem:
        return None
    # An EL auction runs downwards: there the refused offer is too high.
    code = "offer_too_low" if direction == Auction.Direction.ASCENDING else "offer_too_high"
    return ApplicationError(problem, fields={"value": [problem]}, code=code)


REGULATOR_READ_ONLY = "Regulators watch the e-auction read-only; only qualified bidders make offers."

_OFFER_BIDDER_COLUMNS = ("firm_id", "firm__legal_name", "role", "participation_id", "regulator", "live")
# The auction as it stands, unlocked: what an offer is judged against before the lock (read with core.sql, so its
# values are converted as the ORM converts them).
OFFER_SNAPSHOT_FIELDS = ("status", "direction", "params", "floor_price", "best_offer")


def _offer_bidder(actor, auction_id, *, at) -> dict:
    """Who offers, in one query: the actor's firm (their first membership, as `firm_of`), role, qualified
    participation in the auction, and whether they are a regulator; with the auction as it stands (unlocked).
    Refuses, as `_require_bidding_firm` does, one who may not bid, and a regulator (who watches read-only)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Only members of a registered firm may bid. Register your firm first.")
    try:
        auction_pk = int(auction_id)
    except (TypeError, ValueError):
        auction_pk = None  # the lock answers NotFound
    moment = Auction._meta.get_field("closes_at").get_db_prep_value(at, connection)
    with connection.cursor() as cursor:
        cursor.execute(_offer_bidder_read()[0], [auction_pk, REGULATORS_GROUP, moment, moment, auction_pk, actor.pk])
        found = cursor.fetchone()
    if found is None:
        if is_regulator(actor):
            raise PermissionDenied(REGULATOR_READ_ONLY)
        raise PermissionDenied("Only members of a registered firm may bid. Register your firm first.")
    snapshot = _offer_bidder_read()[1]
    row = dict(zip(_OFFER_BIDDER_COLUMNS, found[: len(_OFFER_BIDDER_COLUMNS)], strict=True))
    if row["regulator"]:
        raise PermissionDenied(REGULATOR_READ_ONLY)
    if row["role"] not in (Membership.Role.ADMIN, Membership.Role.BIDDER):
        raise PermissionDenied(
            f"As a {row['role']} of {row['firm__legal_name']} you may follow its bids but not make them; ask your "
            "firm's administrator for the bidder role."
        )
    values = found[len(_OFFER_BIDDER_COLUMNS) :]
    row["auction"] = snapshot.build(values) if values[0] is not None else None  # the primary key comes first
    row["live"] = bool(row["live"]) and row["auction"].status == Auction.Status.OPENED
    return row


@cache
def _offer_bidder_read() -> tuple[str, ModelRow]:
    """The query of `_offer_bidder`, written once: every offer runs it, and building it with the ORM's
    Subquery and Exists cost three times the query itself (docs/benchmarks.md)."""
    user_groups = get_user_model().groups.through
    group = user_groups._meta.get_field("group").related_model
    snapshot = ModelRow(Auction, OFFER_SNAPSHOT_FIELDS)
    sql = (
        "SELECT m.firm_id, f.legal_name, m.role, "
        f"(SELECT p.id FROM {Participation._meta.db_table} p "
        "WHERE p.auction_id = %s AND p.firm_id = m.firm_id AND p.qualified ORDER BY p.id LIMIT 1), "
        f"EXISTS (SELECT 1 FROM {user_groups._meta.db_table} ug JOIN {group._meta.db_table} g ON g.id = ug.group_id "
        "WHERE ug.user_id = m.user_id AND g.name = %s), "
        "(a.starts_at IS NOT NULL AND a.floor_price IS NOT NULL AND a.starts_at <= %s AND %s < a.closes_at), "
        f"{', '.join(snapshot.columns('a'))} "
        f"FROM {Membership._meta.db_table} m JOIN {Firm._meta.db_table} f ON f.id = m.firm_id "
        f"LEFT JOIN {Auction._meta.db_table} a ON a.id = %s "
        "WHERE m.user_id = %s ORDER BY m.id LIMIT 1"
    )
    return sql, snapshot


# What an offer reads of the auction under its lock, and the room then shows: not the block's boundary.
OFFER_LOCK_FIELDS = (
    "id",
    "block",
    "attempt",
    "status",
    "annulment_reason",
    "direction",
    "params",
    "document_sale_starts_at",
    "bid_due_at",
    "opening_at",
    "e_auction_starts_at",
    "opened_at",
    "floor_price",
    "starts_at",
    "closes_at",
    "best_offer",
    "best_participation",
    "offer_count",
    "bidder_salt",
)
OFFER_LOCK_BLOCK_FIELDS = ("id", "code", "name")


def _offer_lock(auction_id) -> Auction:
    """The auction row locked (OF the auction only, as `_lock`), with only what an offer and the room read of it,
    and its block's code and name: one statement written once (core.sql), as every accepted offer runs it."""
    try:
        auction_pk = int(auction_id)
    except (TypeError, ValueError):
        auction_pk = None
    sql, auction_row, block_row = _offer_lock_read()
    with connection.cursor() as cursor:
        cursor.execute(sql, [auction_pk])
        found = cursor.fetchone()
    if found is None:
        raise NotFound(f"There is no auction {auction_id}.")
    auction = auction_row.build(found[: len(auction_row)])
    auction.block = block_row.build(found[len(auction_row) :])
    return auction


@cache
def _offer_lock_read() -> tuple[str, ModelRow, ModelRow]:
    auction, block = ModelRow(Auction, OFFER_LOCK_FIELDS), ModelRow(Block, OFFER_LOCK_BLOCK_FIELDS)
    lock = " FOR UPDATE OF a" if connection.features.has_select_for_update_of else ""
    sql = (
        f"SELECT {', '.join(auction.columns('a') + block.columns('b'))} FROM {quote(Auction._meta.db_table)} a "
        f"JOIN {quote(Block._meta.db_table)} b ON b.{quote(Block._meta.pk.column)} = "
        f"a.{quote(Auction._meta.get_field('block').column)} WHERE a.{quote(Auction._meta.pk.column)} = %s{lock}"
    )
    return sql, auction, block


def _room_announce(auction_id: int) -> None:
    """On commit: tell the open rooms of the auction that it has settled."""
    from auctions import room_stream

    room_stream.room_changed(auction_id)


def _offer_announce(auction_id: int, offer_count: int, closes_at) -> None:
    """On commit: tell the open rooms of the auction (auctions.room_stream) that its state has changed."""
    from auctions import room_stream

    room_stream.room_changed(auction_id, offer_count=offer_count, closes_at=closes_at)


# --- The close ------------------------------------------------------------------------------------------------


def auction_settle(*, auction_id) -> bool:
    """After the close: declare the preferred bidder, or annul for no final offer. Idempotent: claims the
    auction with a conditional update, so a second sweeper (or a redelivered task) does nothing."""
    with transaction.atomic():
        moment = now()
        claimed = Auction.objects.filter(pk=auction_id, status=Auction.Status.OPENED, closes_at__lte=moment).update(
            status=Auction.Status.SETTLED, settled_at=moment
        )
        if claimed != 1:
            return False
        # Open rooms show the result at once rather than at their next refresh.
        transaction.on_commit(lambda: _room_announce(auction_id))
        auction = _lock(auction_id)
        if auction.offer_count == 0:
            _annul(auction, "no final offer")
            return True
        winner = Participation.objects.select_related("firm").get(pk=auction.best_participation_id)
        Block.objects.filter(pk=auction.block_id).update(status=Block.Status.AUCTIONED)
        ledger_append(
            stream=auction.stream,
            kind="closed",
            payload={
                "closed_at": utc(auction.closes_at),
                "offers": auction.offer_count,
                "preferred_bidder": winner.firm.legal_name,
                "preferred_bidder_cin": winner.firm.cin,
                "winning_offer": auction.best_offer,
                "bidder_salt": auction.bidder_salt,
            },
        )
        auction_settled.send(sender=Auction, auction=auction, winner=winner)
        participants = list(auction.participations.filter(qualified=True).values_list("firm_id", flat=True))
        notification_send(
            users=_members_of(participants),
            title=f"E-auction of {auction.block.code} closed: {winner.firm.legal_name} is the preferred bidder",
            body=f"The winning final price offer is {auction.best_offer}% {words(auction.direction)['unit']}.",
            url=f"/auctions/{auction.pk}/",
        )
    return True


def auctions_sweep() -> dict:
    """What time has decided, settled in the database: close bidding at the due date, settle closed auctions.
    The Celery beat runs it every few seconds; readers never wait for it (selectors derive the phase)."""
    moment = now()
    closed = [
        pk
        for pk in Auction.objects.filter(status=Auction.Status.NOTIFIED, bid_due_at__lte=moment).values_list(
            "pk", flat=True
        )
        if auction_close_bidding(auction_id=pk)
    ]
    settled = [
        pk
        for pk in Auction.objects.filter(status=Auction.Status.OPENED, closes_at__lte=moment).values_list(
            "pk", flat=True
        )
        if auction_settle(auction_id=pk)
    ]
    return {"bidding_closed": closed, "settled": settled}


# --- The technical bid document ----------------------------------------------------------------------------

TECHNICAL_BID_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def _technical_bid_document_error(document) -> str | None:
    if document is None:
        return "Choose the PDF of your technical bid."
    name = os.path.basename(getattr(document, "name", "") or "document")
    if not name.lower().endswith(".pdf"):
        return f"{name} is not a PDF: only PDF files are accepted. Save the technical bid as PDF and upload it again."
    if not document.size:
        return f"{name} is empty; choose the file again."
    if document.size > TECHNICAL_BID_DOCUMENT_MAX_BYTES:
        return (
            f"{name} is {document.size / 1024 / 1024:.1f} MB; the limit is 10 MB. Reduce its resolution or "
            "leave out what the tender does not ask for."
        )
    document.seek(0)
    head = document.read(5)
    document.seek(0)
    if head != b"%PDF-":
        return f"{name} is named as a PDF but its content is not PDF. Export it as PDF again."
    return None


def participation_attach_document(*, actor, auction_id, document) -> Participation:
    """Store the technical bid document (a PDF of at most 10 MB) of the firm's bid, until the bid due date.

    The file is written before the short transaction and removed again if the bid refuses it; the document it
    replaces is removed after the commit.
    """
    firm = _require_bidding_firm(actor)
    problem = _technical_bid_document_error(document)
    if problem:
        raise ApplicationError(problem, fields={"technical_bid_document": [problem]})
    field = Participation._meta.get_field("technical_bid_document")
    storage = field.storage
    stored = storage.save(field.generate_filename(None, f"auction-{auction_id}-firm-{firm.pk}.pdf"), document)
    try:
        with transaction.atomic():
            auction = _lock(auction_id)
            participation = _own_participation(firm=firm, auction_id=auction.pk)
            if auction.status != Auction.Status.NOTIFIED or now() >= auction.bid_due_at:
                raise Conflict(
                    f"Bids for {auction.block.code} closed at "
                    f"{timezone.localtime(auction.bid_due_at):%d %b %Y %H:%M} IST; the document was not stored."
                )
            replaced = participation.technical_bid_document.name
            participation.technical_bid_document.name = stored
            participation.save(update_fields=["technical_bid_document"])
            if replaced and replaced != stored:
                transaction.on_commit(lambda: storage.delete(replaced))
    except BaseException:
        storage.delete(stored)
        raise
    return participation
