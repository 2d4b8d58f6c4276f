"""What the auction's pages for regulators and firms share: the schedule as rows, the links to the live room and
the public page, the columns never read (the sealed offer; its nonce until the opening), and how a refusal is
shown: a page of its own (403), or a service's message next to the field it is about."""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from auctions.forms import (
    SCHEDULE_LABELS,
)
from auctions.models import Auction, Origin, Tranche
from auctions.services.guards import historic_refusal
from bidders.forms import apply_errors
from core.errors import ApplicationError

SECRET_FIELDS = ("sealed_offer", "offer_nonce")


def room_url(auction) -> str:
    """The live room of the e-auction (auctions/urls/room.py)."""
    return reverse("room:room", kwargs={"auction_id": auction.pk})


def public_url(auction) -> str:
    """The auction's public page (auctions/urls/public.py)."""
    return reverse("public_auctions:auction_detail", kwargs={"pk": auction.pk})


def _historic_answer(request, target: str, message: str):
    if request.method in ("GET", "HEAD"):
        messages.info(request, message)
        return redirect(target)
    return forbidden(request, "A historic record", message, link=(target, "Its public page"), status=409)


def run_here(view):
    """For the firm's and the regulator's pages of an auction run on Khanij (the URL's `pk`): asked for a historic
    record (auctions.history), never run here, a look (GET) goes to its public page with a note, an act gets the
    services' refusal (409) with a link to that page. Outside the role checks: a historic record is public."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        auction = Auction.objects.filter(pk=kwargs.get("pk"), origin=Origin.HISTORIC).select_related("block", "tranche")
        auction = auction.first() if kwargs.get("pk") is not None else None
        if auction is None:
            return view(request, *args, **kwargs)
        return _historic_answer(request, public_url(auction), historic_refusal(auction).message)

    return wrapper


def tranche_run_here(view):
    """As `run_here`, for the regulator's pages of a tranche."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        tranche = Tranche.objects.filter(pk=kwargs.get("pk"), origin=Origin.HISTORIC).first()
        if tranche is None:
            return view(request, *args, **kwargs)
        message = (
            f"{tranche.name} is a historic record, imported from the published record of the Ministry of Mines: it was "
            "never notified or run on Khanij, so nothing can be done on it here."
        )
        return _historic_answer(request, reverse("public_auctions:tranche_detail", kwargs={"pk": tranche.pk}), message)

    return wrapper


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
