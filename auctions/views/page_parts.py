"""What the auction's pages for regulators and firms share: the schedule as rows, the links to the live room and
the public page, the columns never read (the sealed offer; its nonce until the opening), and how a refusal is
shown: a page of its own (403), or a service's message next to the field it is about."""

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse

from auctions.forms import (
    SCHEDULE_LABELS,
)
from bidders.forms import apply_errors
from core.errors import ApplicationError

SECRET_FIELDS = ("sealed_offer", "offer_nonce")


def room_url(auction) -> str:
    """The live room of the e-auction (auctions/urls/room.py)."""
    return reverse("room:room", kwargs={"auction_id": auction.pk})


def public_url(auction) -> str:
    """The auction's public page (auctions/urls/public.py)."""
    return reverse("public_auctions:auction_detail", kwargs={"pk": auction.pk})


def forbidden(request, title: str, message: str, link=None, status=403):
    return render(
        request, "auctions/flow/forbidden.html", {"title": title, "message": message, "link": link}, status=status
    )


def schedule_rows(auction_or_tranche) -> list[tuple[str, object]]:
    return [(label, getattr(auction_or_tranche, name)) for name, label in SCHEDULE_LABELS.items()]


def refused(request, error: ApplicationError, form=None) -> int:
    """Show a service's refusal: next to the fields of `form` when it names them, and at the top of the page."""
    if form is not None:
        apply_errors(error, form)
    messages.error(request, error.message)
    return error.status_code
