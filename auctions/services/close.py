"""The close: the preferred bidder declared (or the auction annulled for no final offer), and the sweeper that settles
what time has decided."""

from django.db import transaction

from auctions import lifecycle
from auctions.models import Auction, Participation
from auctions.room import stream
from auctions.services.annulment import annul, members_of
from auctions.services.evaluation import auction_close_bidding
from auctions.services.guards import locked_auction, now, utc
from auctions.services.opening import auctions_opening_sweep
from auctions.signals import auction_settled
from auctions.wording import words
from blocks.lifecycle import AUCTIONED, block_move
from core.errors import NotFound
from notifications.services import notification_send


def auction_settle(*, auction_id) -> bool:
    """After the close: declare the preferred bidder, or annul for no final offer. Idempotent: the auction is locked
    and moved through its table only while it is opened and past its close, so a second sweeper (or a redelivered
    task) does nothing and writes nothing."""
    with transaction.atomic():
        moment = now()
        try:
            auction = locked_auction(auction_id)
        except NotFound:
            return False
        if auction.status != lifecycle.OPENED or auction.closes_at is None or auction.closes_at > moment:
            return False
        # Open rooms show the result at once rather than at their next refresh.
        transaction.on_commit(lambda: _room_announce(auction_id))
        if auction.offer_count == 0:
            return annul(auction, "no final offer")
        winner = Participation.objects.select_related("firm").get(pk=auction.best_participation_id)
        lifecycle.auction_move(
            auction=auction,
            to=lifecycle.SETTLED,
            payload={
                "closed_at": utc(auction.closes_at),
                "offers": auction.offer_count,
                "preferred_bidder": winner.firm.legal_name,
                "preferred_bidder_cin": winner.firm.cin,
                "winning_offer": auction.best_offer,
                "bidder_salt": auction.bidder_salt,
            },
            settled_at=moment,
        )
        block_move(
            block_id=auction.block_id,
            to=AUCTIONED,
            reason=f"auction {auction.pk}: {winner.firm.legal_name} declared preferred bidder",
            payload={"auction": auction.pk},
        )
        auction_settled.send(sender=Auction, auction=auction, winner=winner)
        participants = list(auction.participations.filter(qualified=True).values_list("firm_id", flat=True))
        notification_send(
            users=members_of(participants),
            title=f"E-auction of {auction.block.code} closed: {winner.firm.legal_name} is the preferred bidder",
            body=f"The winning final price offer is {auction.best_offer}% {words(auction.direction)['unit']}.",
            url=f"/auctions/{auction.pk}/",
        )
    return True


def auctions_sweep() -> dict:
    """What time has decided, settled in the database: close bidding at the due date, queue the opening of the
    initial offers at the opening time (auctions.services.opening), settle closed auctions.
    The Celery beat runs it every few seconds; readers never wait for it (selectors derive the phase)."""
    moment = now()
    closed = [
        pk
        for pk in Auction.objects.filter(status=Auction.Status.NOTIFIED, bid_due_at__lte=moment).values_list(
            "pk", flat=True
        )
        if auction_close_bidding(auction_id=pk)
    ]
    opening = auctions_opening_sweep()
    # Oldest close first: after a worker died part way, what waited longest settles first.
    due = Auction.objects.filter(status=Auction.Status.OPENED, closes_at__lte=moment).order_by("closes_at", "pk")
    settled = [pk for pk in due.values_list("pk", flat=True) if auction_settle(auction_id=pk)]
    return {"bidding_closed": closed, **opening, "settled": settled}


def _room_announce(auction_id: int) -> None:
    """On commit: tell the open rooms of the auction that it has settled."""
    stream.room_changed(auction_id)
