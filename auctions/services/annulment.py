"""An auction annulled (no bid, too few technically qualified bidders, no final offer): the block is free again, the
ledger says why, and every bidder's members are told."""

from django.contrib.auth import get_user_model

from auctions.models import Auction
from auctions.services.guards import now
from blocks.models import Block
from ledger.services import ledger_append
from notifications.services import notification_send


def members_of(firm_ids):
    return list(get_user_model().objects.filter(memberships__firm_id__in=firm_ids).distinct())


def annul(auction: Auction, reason: str) -> None:
    auction.status = Auction.Status.ANNULLED
    auction.annulment_reason = reason
    auction.settled_at = now()
    auction.save(update_fields=["status", "annulment_reason", "settled_at"])
    Block.objects.filter(pk=auction.block_id).update(status=Block.Status.ANNULLED)
    ledger_append(stream=auction.stream, kind="annulled", payload={"reason": reason, "attempt": auction.attempt})
    firms = list(auction.participations.values_list("firm_id", flat=True))
    notification_send(
        users=members_of(firms),
        title=f"Auction of {auction.block.code} annulled: {reason}",
        body=f"The auction of {auction.block.name} (attempt {auction.attempt}) was annulled: {reason}.",
        url=f"/auctions/{auction.pk}/",
    )
