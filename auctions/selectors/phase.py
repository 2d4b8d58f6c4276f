"""The phase of an auction every reader sees now, and what it makes public. State that follows from time is derived
here, for every reader at once; the sweeper settles it in the database within seconds (ARCHITECTURE.md, Time)."""

from datetime import datetime

from django.utils import timezone

from auctions.models import Auction, Origin


class Phase:
    UPCOMING = "upcoming"  # notified, the document sale has not opened
    BIDDING = "bidding"  # documents on sale / bids accepted until the due date
    EVALUATION = "evaluation"  # bids closed, technical evaluation under way
    OPENED = "opened"  # initial offers opened, the e-auction has not started
    LIVE = "live"  # the e-auction is running
    CLOSED = "closed"  # the e-auction has closed; the result is being declared
    SETTLED = "settled"  # preferred bidder declared
    ANNULLED = "annulled"
    UNDECIDED = "undecided"  # a historic auction whose outcome the published record does not give

    LABELS = {
        UPCOMING: "Notified: tender documents on sale soon",
        BIDDING: "Open for bids",
        EVALUATION: "Bids closed: technical evaluation",
        OPENED: "Initial offers opened: e-auction to start",
        LIVE: "E-auction live",
        CLOSED: "E-auction closed: result being declared",
        SETTLED: "Preferred bidder declared",
        ANNULLED: "Annulled",
        UNDECIDED: "Historic: outcome not published",
    }


# The phases as choices, for the serializers and the schema's AuctionPhaseEnum (config/settings.py).
PHASE_CHOICES = list(Phase.LABELS.items())


def auction_phase(auction: Auction, now: datetime | None = None) -> str:
    """The phase every reader sees now, from the stored status and the schedule's timestamps. A historic auction
    (never run here) is in the phase of its published outcome: settled, annulled, or undecided."""
    now = now or timezone.now()
    status = auction.status
    if auction.origin == Origin.HISTORIC:
        return {Auction.Status.SETTLED: Phase.SETTLED, Auction.Status.ANNULLED: Phase.ANNULLED}.get(
            status, Phase.UNDECIDED
        )
    if status == Auction.Status.NOTIFIED:
        if now < auction.document_sale_starts_at:
            return Phase.UPCOMING
        return Phase.BIDDING if now < auction.bid_due_at else Phase.EVALUATION
    if status == Auction.Status.EVALUATION:
        return Phase.EVALUATION
    if status == Auction.Status.OPENED:
        if now < auction.starts_at:
            return Phase.OPENED
        return Phase.LIVE if now < auction.closes_at else Phase.CLOSED
    if status == Auction.Status.SETTLED:
        return Phase.SETTLED
    return Phase.ANNULLED


def bids_are_closed(auction: Auction, now: datetime | None = None) -> bool:
    """From the bid due date the number of bids and their commitments are public (RULES.md s.6)."""
    return auction_phase(auction, now) not in (Phase.UPCOMING, Phase.BIDDING)


def offers_are_open(auction: Auction) -> bool:
    """From the opening, the TQB list, their initial offers and the qualified list are public."""
    return auction.opened_at is not None


def history_is_public(auction: Auction, now: datetime | None = None) -> bool:
    """The anonymised offer history is public after the e-auction closes."""
    return auction_phase(auction, now) in (Phase.CLOSED, Phase.SETTLED) or (
        auction.status == Auction.Status.ANNULLED and auction.opened_at is not None
    )
