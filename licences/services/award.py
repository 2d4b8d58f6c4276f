"""The licence record of an auction's preferred bidder (the receiver of `auctions.signals.auction_settled`
calls `licence_create_from_auction` in the settlement's own transaction), and the demo's path into the same write:
`licence_create` writes the record, its first history entry and, for a lease, the first dues within 45 days of the
declaration (RULES.md s.3 items 11, 12)."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from auctions.models import Auction, Participation
from auctions.rules import AuctionParams
from blocks.models import Block
from core.money import format_inr
from core.selectors import closed_days
from licences import lifecycle, rules
from licences.models import Licence, Obligation
from licences.services.guards import (
    day,
    pages,
)
from licences.services.records import (
    licence_number,
    licence_record,
    members_of,
    obligation_add,
)
from notifications.services import notification_send

Kind = Obligation.Kind
ObStatus = Obligation.Status


def instalment_basis(number: int, ver: Decimal, params: AuctionParams) -> str:
    """How instalment `number` (1 to 3) follows from VER: its share of the upfront payment, and the upfront
    payment's share of VER with its cap (RULES.md s.3 item 11)."""
    return f"{rules.upfront_instalment_bases(ver, params)[number - 1]}. {rules.upfront_payment_basis(ver, params)}."


def licence_create_from_auction(*, auction: Auction, winner: Participation) -> Licence:
    """The licence record of an auction's preferred bidder, in the settlement's transaction (the receiver of
    `auctions.signals.auction_settled` calls this). ML/CL: the first instalment and the performance security
    are due 45 days after the declaration. EL: the record only; the EL's grant is its own act."""
    with transaction.atomic():
        existing = Licence.objects.filter(auction=auction).first()
        if existing is not None:
            return existing
        block = auction.block
        return licence_create(
            kind=auction.lease_kind,
            holder=winner.firm,
            block=block,
            winning_offer_pct=auction.best_offer,
            params=AuctionParams.from_json(auction.params),
            declared_on=timezone.localdate(auction.settled_at or timezone.now()),
            applied_on=timezone.localdate(auction.bid_due_at),
            auction=auction,
            details={
                "bid_security": str(auction.bid_security),
                "bid_security_reference": winner.bid_security_reference,
            },
            note=f"{winner.firm.legal_name} declared preferred bidder at {auction.best_offer}% in the auction of "
            f"{block.code} (attempt {auction.attempt}).",
            payload={"auction": auction.pk},
        )


def licence_create(*, kind: str, holder, block: Block, winning_offer_pct, params: AuctionParams,
                   declared_on: datetime.date, applied_on: datetime.date, note: str, auction: Auction | None = None,
                   details: dict | None = None, payload: dict | None = None) -> Licence:  # fmt: skip
    """The record of a preferred bidder declared on `declared_on`, its first history entry (`note`), and for an ML
    or CL the first instalment and the performance security due 45 days after the declaration, with the notice to
    the holder's members. `licence_create_from_auction` calls it for an auction's winner; the demo seed for a
    licence it declares without an auction (`auction=None`, its `details` and `note` saying so). Runs in the
    caller's transaction."""
    ver = block.value_of_estimated_resources or Decimal("0")
    is_lease = kind in lifecycle.LEASES
    licence = Licence.objects.create(
        number=licence_number(kind, declared_on.year),
        kind=kind,
        holder=holder,
        block=block,
        auction=auction,
        parent_el=Licence.objects.filter(block=block, kind="EL", status=Licence.Status.DISCOVERY_REPORTED).first(),
        state=block.state,
        district=block.district,
        # A block registered without a boundary still settles: its licence then has none either.
        boundary=block.boundary or {},
        area_hectares=block.area_hectares or Decimal("0"),
        original_boundary=block.boundary or {},
        original_area_hectares=block.area_hectares or Decimal("0"),
        winning_offer_pct=winning_offer_pct,
        value_of_estimated_resources=ver,
        performance_security=rules.performance_security(ver, params) if is_lease else Decimal("0"),
        upfront_payment=rules.upfront_payment(ver, params) if is_lease else Decimal("0"),
        # The tranche's parameters in full, so the licence keeps the rules it was won under.
        params=params.as_json(),
        status=Licence.Status.PREFERRED_BIDDER,
        applied_on=applied_on,
        declared_on=declared_on,
        details=details or {},
    )
    licence.minerals.set(block.minerals.all())
    licence_record(
        licence=licence,
        kind="declared",
        note=note,
        payload={
            **(payload or {}),
            "block": block.code,
            "holder": holder.legal_name,
            "holder_cin": holder.cin,
            "kind": licence.kind,
            "winning_offer_pct": licence.winning_offer_pct,
            "value_of_estimated_resources": ver,
            "performance_security": licence.performance_security,
            "upfront_payment": licence.upfront_payment,
            "parent_el": licence.parent_el.number if licence.parent_el else None,
        },
        to_status=licence.status,
    )
    if not is_lease:
        notification_send(
            users=members_of(holder),
            title=f"Preferred bidder for the exploration licence of {block.code}: {licence.number}",
            body=f"Your final offer of {winning_offer_pct}% of the future auction premium won. The State will "
            "grant the exploration licence.",
            url=f"/licences/{licence.pk}/",
        )
        return licence
    due = rules.first_payment_due(declared_on, params, closed=closed_days(start=declared_on))
    due_basis = f"{rules.first_payment_basis(declared_on, params, closed=closed_days(start=declared_on))}."
    first = rules.upfront_instalments(ver, params)[0]
    url = pages(licence)["payments"]
    obligation_add(
        licence=licence,
        kind=Kind.UPFRONT_1,
        title=Kind.UPFRONT_1.label,
        due_on=due,
        amount=first,
        basis=f"{instalment_basis(1, ver, params)} {due_basis}",
        url=url,
    )
    obligation_add(
        licence=licence,
        kind=Kind.PERFORMANCE_SECURITY,
        title=Kind.PERFORMANCE_SECURITY.label,
        due_on=due,
        amount=licence.performance_security,
        basis=f"{rules.performance_security_basis(ver, params)}. {due_basis}",
        url=url,
    )
    notification_send(
        users=members_of(holder),
        title=f"Preferred bidder for {block.code}: pay {format_inr(first)} and furnish "
        f"{format_inr(licence.performance_security)} by {day(due)}",
        body=(
            f"{holder.legal_name} is the preferred bidder ({licence.number}). Within "
            f"{params.preferred_bidder_payment_days} days, by {day(due)}, pay the first instalment of the upfront "
            f"payment, {format_inr(first)}, and furnish the performance security of "
            f"{format_inr(licence.performance_security)}; the Letter of Intent follows. Missing the date costs "
            "the Letter of Intent and the bid security."
        ),
        url=url,
    )
    return licence
