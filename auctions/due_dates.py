"""An auction's dates in the register of due dates (notifications), and who they are for.

Each auction stores its dates once (subject `auctions.auction:<id>`): the end of the tender-document sale, the bid due
date and the start of the e-auction. Their audiences are the firms taking part, read when a reminder is sent (a
member who joins a firm later is reminded too; a firm that buys the document later is too):

- `auction:<id>`: every firm taking part (its tender document bought, not withdrawn): the end of the document sale;
- `auction-bidding:<id>`: those that have not yet submitted their bid: the bid due date (met, for a firm, once it bids);
- `auction-round2:<id>`: those that submitted a bid and, once the initial offers are opened, only the qualified
  bidders: the e-auction.

The auction's moves (auctions.lifecycle.auction_move) close them: bids closed (the sale and the due date are past),
settled (all met), annulled (all no longer due); the opening moves the e-auction's date to the time it set.
"""

from django.db.models import Q
from django.utils import timezone

from auctions.models import Auction, Participation
from bidders.models import Membership
from notifications.services import due_date_close, due_date_register

PARTICIPANTS = "auction"
BIDDING = "auction-bidding"
ROUND_2 = "auction-round2"
LIVE_STATUSES = (Auction.Status.NOTIFIED, Auction.Status.EVALUATION, Auction.Status.OPENED)

# key: (kind, the schedule's field, its audience prefix, its title)
DATES = {
    "document_sale_end": (
        "auction_document_sale_end",
        "document_sale_ends_at",
        PARTICIPANTS,
        "Tender-document sale closes",
    ),
    "bid_due": ("auction_bid_due", "bid_due_at", BIDDING, "Bid due"),
    "e_auction_start": ("auction_e_auction_start", "e_auction_starts_at", ROUND_2, "E-auction starts"),
}


def _register(auction: Auction, key: str, at) -> None:
    kind, _field, prefix, label = DATES[key]
    due_date_register(
        subject=auction,
        key=key,
        kind=kind,
        audience=f"{prefix}:{auction.pk}",
        title=f"{label}: block {auction.block.code}" + (f" (attempt {auction.attempt})" if auction.attempt > 1 else ""),
        due_on=timezone.localdate(at),
        due_at=at,
        url=f"/auctions/{auction.pk}/",
    )


def auction_dates_register(auction: Auction) -> None:
    """Register the auction's three dates (in the notice's transaction)."""
    for key, (_kind, field, _prefix, _label) in DATES.items():
        _register(auction, key, getattr(auction, field))


def auction_dates_follow(auction: Auction, to: str) -> None:
    """The auction moved to `to` (in the move's transaction): close or move its dates."""
    if to == Auction.Status.EVALUATION:
        due_date_close(subject=auction, key="document_sale_end")
        due_date_close(subject=auction, key="bid_due")
    elif to == Auction.Status.OPENED and auction.starts_at is not None:
        _register(auction, "e_auction_start", auction.starts_at)
    elif to == Auction.Status.SETTLED:
        due_date_close(subject=auction)
    elif to == Auction.Status.ANNULLED:
        due_date_close(subject=auction, status="cancelled")


# --- The audiences (registered in AuctionsConfig.ready) ---------------------------------------------------------


def _taking_part(auction_id: int):
    return Participation.objects.filter(auction_id=auction_id).exclude(status=Participation.Status.WITHDRAWN)


def _members(participations) -> list[int]:
    return list(
        Membership.objects.filter(firm_id__in=participations.values("firm_id")).values_list("user_id", flat=True)
    )


def _round_2(participations):
    """Bids submitted; once the offers are opened, only the qualified bidders'."""
    submitted = participations.filter(status=Participation.Status.SUBMITTED)
    return submitted.filter(Q(auction__opened_at__isnull=True) | Q(qualified=True))


def participants_users(ident: str) -> list[int]:
    return _members(_taking_part(int(ident))) if ident.isdigit() else []


def bidding_users(ident: str) -> list[int]:
    if not ident.isdigit():
        return []
    return _members(_taking_part(int(ident)).filter(status=Participation.Status.DOCUMENT_BOUGHT))


def round_2_users(ident: str) -> list[int]:
    return _members(_round_2(_taking_part(int(ident)))) if ident.isdigit() else []


def _users_participations(user):
    return Participation.objects.filter(firm__memberships__user=user, auction__status__in=LIVE_STATUSES).exclude(
        status=Participation.Status.WITHDRAWN
    )


def participants_keys(user) -> list[str]:
    return [f"{PARTICIPANTS}:{pk}" for pk in _users_participations(user).values_list("auction_id", flat=True)]


def bidding_keys(user) -> list[str]:
    mine = _users_participations(user).filter(status=Participation.Status.DOCUMENT_BOUGHT)
    return [f"{BIDDING}:{pk}" for pk in mine.values_list("auction_id", flat=True)]


def round_2_keys(user) -> list[str]:
    return [f"{ROUND_2}:{pk}" for pk in _round_2(_users_participations(user)).values_list("auction_id", flat=True)]
