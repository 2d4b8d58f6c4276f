"""What a regulator reads of the auction: every bid for the technical evaluation (from the bid due date; never an
offer before the opening) and every tranche, drafts included."""

from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from auctions.models import Auction, Origin, Participation, Tranche
from auctions.selectors.phase import bids_are_closed, offers_are_open
from auctions.selectors.public import BID_FIELDS_DEFERRED, SCHEDULE_FIELDS, public_tranche
from blocks.models import Block
from core.errors import Conflict, NotFound


def evaluation_bids(*, auction_id, now: datetime | None = None) -> tuple[Auction, list[Participation]]:
    """Every bid of an auction for the regulator's evaluation, from the bid due date (before it, who is bidding
    stays sealed too). Never the sealed offer."""
    now = now or timezone.now()
    try:
        auction = Auction.objects.select_related("block").get(pk=auction_id)
    except (Auction.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no auction {auction_id}.") from None
    if not bids_are_closed(auction, now):
        raise Conflict(
            f"Bids for {auction.block.code} are sealed until the bid due date, "
            f"{timezone.localtime(auction.bid_due_at):%d %b %Y %H:%M} IST; the evaluation view opens then.",
            code="bids_sealed",
        )
    rows = list(
        Participation.objects.filter(auction=auction)
        .defer(*BID_FIELDS_DEFERRED)
        .select_related("firm")
        .order_by("firm__legal_name", "id")
    )
    return auction, rows


def evaluation_bid(participation: Participation, auction: Auction) -> dict:
    opened = offers_are_open(auction)
    firm = participation.firm
    below = participation.net_worth is not None and participation.net_worth < auction.net_worth_threshold
    return {
        "id": participation.pk,
        "firm": {"id": firm.pk, "name": firm.legal_name, "cin": firm.cin},
        "status": participation.status,
        "tender_fee_reference": participation.tender_fee_reference,
        "tender_fee_paid_at": participation.tender_fee_paid_at,
        "submitted_at": participation.submitted_at,
        "commitment": participation.commitment or None,
        "net_worth": participation.net_worth,
        "net_worth_below_threshold": below,
        "bid_security_reference": participation.bid_security_reference,
        "declared_affiliates": participation.declared_affiliates,
        "has_technical_bid_document": bool(participation.technical_bid_document),
        "affiliate_flag": participation.affiliate_flag,
        "technically_qualified": participation.technically_qualified,
        "evaluation_reason": participation.evaluation_reason,
        "evaluated_at": participation.evaluated_at,
        "initial_price_offer": participation.initial_price_offer if opened else None,
        "rank": participation.rank if opened else None,
        "qualified": participation.qualified if opened else None,
    }


def regulator_tranches() -> QuerySet[Tranche]:
    """Every tranche, drafts included, newest first, with its blocks and auctions (for the regulator)."""
    auctions = Auction.objects.select_related("block").order_by("block__code", "attempt")
    return (
        Tranche.objects.filter(origin=Origin.KHANIJ)
        .prefetch_related(
            Prefetch("blocks", queryset=Block.objects.order_by("code").only("id", "code", "name")),
            Prefetch("auctions", queryset=auctions, to_attr="public_auction_rows"),
        )
        .order_by("-created_at", "-id")
    )


def regulator_tranche(tranche: Tranche, *, now: datetime | None = None) -> dict:
    """A tranche as the regulator sees it: the public notice, and for a draft its blocks and status."""
    data = (
        public_tranche(tranche, now=now)
        if tranche.status == Tranche.Status.NOTIFIED
        else {
            "id": tranche.pk,
            "name": tranche.name,
            "kind": tranche.kind,
            "notified_at": None,
            "tender_fee": tranche.tender_fee,
            "net_worth_threshold": tranche.net_worth_threshold,
            "params": tranche.params,
            "schedule": {name: getattr(tranche, name) for name in SCHEDULE_FIELDS},
            "auctions": [],
        }
    )
    return {
        **data,
        "status": tranche.status,
        "created_at": tranche.created_at,
        "blocks": [b.code for b in tranche.blocks.all()],
    }
