"""What every write of the auction checks first: the server's clock, who acts (a regulator, or one who may act for a
firm), what a percentage is, and the auction's row, locked."""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from auctions.models import Auction
from bidders.models import Firm, Membership
from bidders.roles import firm_of, is_regulator
from bidders.rules import may_act
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied


def now() -> datetime:
    """The server's clock decides (RULES.md s.3 item 9): never a client's."""
    return timezone.now()


def utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="microseconds") if value else None


def require_regulator(actor):
    if not is_regulator(actor):
        raise PermissionDenied("Only regulators may do this. Sign in with a regulator account.")


def require_bidding_firm(actor) -> Firm:
    firm = firm_of(actor)
    if firm is None:
        raise PermissionDenied("Only members of a registered firm may bid. Register your firm first.")
    role = Membership.objects.filter(user=actor, firm=firm).values_list("role", flat=True).first()
    if not may_act(role):
        raise PermissionDenied(
            f"As a {role} of {firm.legal_name} you may follow its bids but not make them; ask your firm's "
            "administrator for the bidder role."
        )
    return firm


def percentage(value, field: str) -> Decimal:
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


HISTORIC_REFUSAL = (
    "The auction of {block} in {tranche} is a historic record: the Ministry of Mines ran it before Khanij, and it is "
    "imported from the published record ({source}). Nothing can be done on it here: no tender document, bid, "
    "evaluation, opening, offer, settlement or second attempt. Its page shows what was published."
)


def historic_refusal(auction: Auction) -> Conflict:
    """The refusal of every write on a historic auction (auctions.history): it was never run here."""
    return Conflict(
        HISTORIC_REFUSAL.format(
            block=auction.block.code, tranche=auction.tranche.name, source=auction.source_url or "no source given"
        ),
        code="historic_auction",
    )


def locked_auction(auction_id) -> Auction:
    """The auction row, locked until the caller's transaction ends; a historic one is refused (historic_refusal)."""
    try:
        # OF self: lock the auction row only, not the block and tranche rows joined for reading, so that writers of
        # the auctions of one tranche never wait on each other (PostgreSQL locks every joined row otherwise).
        auction = Auction.objects.select_for_update(of=("self",)).select_related("block", "tranche").get(pk=auction_id)
    except (Auction.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no auction {auction_id}.") from None
    if auction.historic:
        raise historic_refusal(auction)
    return auction
