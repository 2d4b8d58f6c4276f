"""An auction annulled (no bid, too few technically qualified bidders, no final offer): the block is free again, the
ledger says why, and every bidder's members are told."""

from django.contrib.auth import get_user_model

from auctions import lifecycle
from auctions.models import Auction
from auctions.services.guards import now
from blocks.lifecycle import ANNULLED as BLOCK_ANNULLED
from blocks.lifecycle import block_move
from notifications.services import notification_send


def members_of(firm_ids):
    return list(get_user_model().objects.filter(memberships__firm_id__in=firm_ids).distinct())


def annul(auction: Auction, reason: str) -> bool:
    """Annul the (locked) auction and free its block, in the caller's transaction. False when it already was
    annulled: nothing is written and nobody is told twice."""
    moved = lifecycle.auction_move(
        auction=auction,
        to=lifecycle.ANNULLED,
        payload={"reason": reason, "attempt": auction.attempt},
        annulment_reason=reason,
        settled_at=now(),
    )
    if not moved:
        return False
    block_move(
        block_id=auction.block_id,
        to=BLOCK_ANNULLED,
        reason=f"auction {auction.pk} (attempt {auction.attempt}) annulled: {reason}",
        payload={"auction": auction.pk},
    )
    firms = list(auction.participations.values_list("firm_id", flat=True))
    notification_send(
        users=members_of(firms),
        title=f"Auction of {auction.block.code} annulled: {reason}",
        body=f"The auction of {auction.block.name} (attempt {auction.attempt}) was annulled: {reason}.",
        url=f"/auctions/{auction.pk}/",
    )
    return True
