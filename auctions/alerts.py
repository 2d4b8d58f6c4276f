"""Email alerts of notices and results (notifications.services.alerts): what a tranche's notice, a second attempt or
a result says to the subscribers of its minerals and States. Called in the transaction of the act; the emails go out
after it commits, through the outbox."""

from django.utils import timezone

from auctions.models import Auction, Participation, Tranche
from auctions.wording import words
from notifications.services import alert_publish


def _facts(auctions) -> tuple[list[str], list[str]]:
    minerals, states = set(), set()
    for auction in auctions:
        minerals.update(m.name for m in auction.block.minerals.all())
        states.add(auction.block.state)
    return sorted(minerals), sorted(states)


def _line(auction: Auction) -> str:
    minerals = ", ".join(sorted(m.name for m in auction.block.minerals.all()))
    return f"- {auction.block.code} {auction.block.name} ({minerals}; {auction.block.state}), {auction.lease_kind}"


def tranche_announce(tranche: Tranche, auctions: list[Auction]) -> None:
    minerals, states = _facts(auctions)
    due = timezone.localtime(tranche.bid_due_at)
    alert_publish(
        topic="tranches",
        event=f"tranche-{tranche.pk}",
        title=f"New tranche notified: {tranche.name} ({len(auctions)} block{'s' if len(auctions) != 1 else ''})",
        body=(
            f"{tranche.name} invites bids for:\n" + "\n".join(_line(a) for a in auctions) + "\n\n"
            f"Tender documents are sold until {timezone.localtime(tranche.document_sale_ends_at):%d %b %Y %H:%M} IST; "
            f"bids are due by {due:%d %b %Y %H:%M} IST."
        ),
        url=f"/tranches/{tranche.pk}/",
        minerals=minerals,
        states=states,
    )


def second_attempt_announce(auction: Auction) -> None:
    minerals, states = _facts([auction])
    alert_publish(
        topic="tranches",
        event=f"auction-{auction.pk}-notified",
        title=f"Second attempt notified: block {auction.block.code}",
        body=(
            f"The auction of {auction.block.code} is notified again (attempt {auction.attempt}) on the same terms:\n"
            f"{_line(auction)}\n\nBids are due by {timezone.localtime(auction.bid_due_at):%d %b %Y %H:%M} IST."
        ),
        url=f"/auctions/{auction.pk}/",
        minerals=minerals,
        states=states,
    )


def result_announce(auction: Auction) -> None:
    """The auction was settled or annulled: its result is public at once (RULES.md s.3 item 10)."""
    minerals, states = _facts([auction])
    if auction.status == Auction.Status.SETTLED:
        winner = Participation.objects.select_related("firm").get(pk=auction.best_participation_id).firm
        title = f"Result: {winner.legal_name} is the preferred bidder for block {auction.block.code}"
        unit = words(auction.direction)["unit"]
        body = f"The e-auction of {auction.block.code} closed with a winning offer of {auction.best_offer}% {unit}."
    else:
        title = f"Result: the auction of block {auction.block.code} is annulled"
        body = (
            f"The auction of {auction.block.code} (attempt {auction.attempt}) was annulled: {auction.annulment_reason}."
        )
    alert_publish(
        topic="results",
        event=f"auction-{auction.pk}-result",
        title=title,
        body=f"{body}\n{_line(auction)}",
        url=f"/auctions/{auction.pk}/",
        minerals=minerals,
        states=states,
    )
