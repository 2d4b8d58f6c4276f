"""What a firm's members see of its bids: its participations, and its own bid (its receipt and that it submitted;
its offer only once the opening has published it). Never the sealed offer."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from auctions.models import Auction, Participation
from auctions.selectors.phase import auction_phase, offers_are_open
from auctions.selectors.public import BID_FIELDS_DEFERRED
from core.errors import NotFound


def firm_participations(*, firm) -> QuerySet[Participation]:
    """The firm's own participations, newest auction first."""
    return (
        Participation.objects.filter(firm=firm)
        .defer(*BID_FIELDS_DEFERRED)
        .select_related("auction__block", "auction__tranche")
        .order_by("-auction__bid_due_at", "-id")
    )


def firm_participation_get(*, firm, auction_id) -> Participation:
    participation = firm_participations(firm=firm).filter(auction_id=auction_id).first()
    if participation is None:
        if not Auction.objects.filter(pk=auction_id).exists():
            raise NotFound(f"There is no auction {auction_id}.")
        raise NotFound(
            f"{firm.legal_name} has no bid in auction {auction_id}: buy its tender document first.",
            code="no_bid",
        )
    return participation


def own_bid(participation: Participation, *, now: datetime | None = None) -> dict:
    """A firm's own bid: its receipt and that it submitted; its offer only once the opening has published it."""
    auction = participation.auction
    opened = offers_are_open(auction)
    evaluated = participation.technically_qualified is not None
    return {
        "auction_id": auction.pk,
        "block_code": auction.block.code,
        "block_name": auction.block.name,
        "attempt": auction.attempt,
        "phase": auction_phase(auction, now or timezone.now()),
        "status": participation.status,
        "tender_fee_reference": participation.tender_fee_reference,
        "tender_fee_paid_at": participation.tender_fee_paid_at,
        "submitted_at": participation.submitted_at,
        "commitment": participation.commitment or None,
        "net_worth": participation.net_worth,
        "bid_security_reference": participation.bid_security_reference,
        "declared_affiliates": participation.declared_affiliates,
        "has_technical_bid_document": bool(participation.technical_bid_document),
        "technically_qualified": participation.technically_qualified if evaluated else None,
        "evaluation_reason": participation.evaluation_reason if evaluated else "",
        "initial_price_offer": participation.initial_price_offer if opened else None,
        "offer_nonce": (participation.offer_nonce or None) if opened else None,
        "rank": participation.rank if opened else None,
        "qualified": participation.qualified if opened else None,
    }
