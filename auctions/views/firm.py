"""A firm's pages of the central auction: my auctions (/firm/auctions/), the participation page (the tender
document, the bid, the withdrawal) and the technical bid document. Thin: forms read the input, auctions.services
decides and writes; a refusal comes back as a message next to the field it is about (or at the top), with the form
as typed and the HTTP status of the refusal. Times are shown in IST. A firm's viewers see but never act
(bidders.rules.may_act).

Sealed offers: no query here reads `sealed_offer`, and `offer_nonce` / `initial_price_offer` are only shown once
the auction's `opened_at` is set (the services fill them only at the opening)."""

import mimetypes
import os
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from auctions import sealing
from auctions import services as svc
from auctions.forms import (
    BidForm,
    BuyDocumentForm,
)
from auctions.models import Auction, Participation
from auctions.selectors.phase import Phase, auction_phase
from auctions.views.page_parts import SECRET_FIELDS, forbidden, public_url, refused, room_url, run_here, schedule_rows
from bidders.models import Membership
from bidders.roles import firm_of, is_regulator
from bidders.rules import may_act
from bidders.selectors import membership_role
from core.errors import ApplicationError, Conflict
from core.money import format_inr


def firm_required(view):
    """Members of a firm (any role; viewers see but cannot act). Anonymous visitors log in first; others 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        firm = firm_of(request.user)
        if firm is None:
            if is_regulator(request.user):
                return forbidden(
                    request,
                    "Firms only",
                    "These pages are a firm's own view of its bids. Regulators follow every bid on the auction desk.",
                    link=(reverse("flow:tranche_list"), "Tranches"),
                )
            return forbidden(
                request,
                "Firms only",
                f"You are signed in as {request.user.get_username()} but do not act for a firm. Register your firm, "
                "or ask your firm's administrator to add you as a member.",
                link=(reverse("firm:signup"), "Register a firm"),
            )
        role = membership_role(user=request.user, firm=firm)
        return view(request, firm, role, *args, **kwargs)

    return wrapper


# --- Firms: my auctions and the participation page ------------------------------------------------------------------


def _next_deadline(auction: Auction, participation, now):
    phase = auction_phase(auction, now)
    if phase == Phase.UPCOMING:
        return "Tender-document sale opens", auction.document_sale_starts_at
    if phase == Phase.BIDDING:
        if participation is None and now < auction.document_sale_ends_at:
            return "Tender-document sale closes", auction.document_sale_ends_at
        return "Bid due", auction.bid_due_at
    if phase == Phase.EVALUATION:
        return "Opening of initial offers (target)", auction.opening_at
    if phase == Phase.OPENED:
        return "E-auction starts", auction.starts_at
    if phase == Phase.LIVE:
        return "E-auction closes", auction.closes_at
    return None


@require_GET
@firm_required
def firm_auctions(request, firm, role):
    now = timezone.now()
    mine = (
        Participation.objects.filter(firm=firm)
        .defer(*SECRET_FIELDS, "initial_price_offer")
        .select_related("auction__block", "auction__tranche")
        .order_by("auction__bid_due_at", "auction__block__code", "auction__attempt")
    )
    rows = []
    for participation in mine:
        auction = participation.auction
        phase = auction_phase(auction, now)
        rows.append(
            {
                "auction": auction,
                "participation": participation,
                "phase_label": Phase.LABELS[phase],
                "deadline": _next_deadline(auction, participation, now),
            }
        )
    open_auctions = (
        Auction.objects.filter(status=Auction.Status.NOTIFIED, document_sale_starts_at__lte=now, bid_due_at__gt=now)
        .exclude(participations__firm=firm)
        .select_related("block", "tranche")
        .order_by("bid_due_at", "block__code")
    )
    return render(
        request,
        "auctions/flow/firm_auctions.html",
        {
            "firm": firm,
            "can_act": may_act(role),
            "rows": rows,
            "open_auctions": [
                {
                    "auction": a,
                    "sale_open": now < a.document_sale_ends_at,
                    "tender_fee": format_inr(a.tranche.tender_fee),
                    "deadline": _next_deadline(a, None, now),
                }
                for a in open_auctions
            ],
        },
    )


def _firm_auction(pk) -> Auction:
    return get_object_or_404(Auction.objects.select_related("block", "tranche", "best_participation__firm"), pk=pk)


def _own_participation(auction: Auction, firm):
    """The firm's own participation; the offer and its nonce only once the auction is opened."""
    secret = SECRET_FIELDS if auction.opened_at else (*SECRET_FIELDS, "initial_price_offer")
    return Participation.objects.filter(auction=auction, firm=firm).defer(*secret).first()


def _participation_page(request, firm, role, auction, *, buy_form=None, bid_form=None, status=200):
    now = timezone.now()
    participation = _own_participation(auction, firm)
    phase = auction_phase(auction, now)
    can_act = may_act(role)
    notified = auction.status == Auction.Status.NOTIFIED
    sale_open = notified and auction.document_sale_starts_at <= now < auction.document_sale_ends_at
    bids_open = notified and now < auction.bid_due_at and now >= auction.document_sale_starts_at
    submitted = participation is not None and participation.status == Participation.Status.SUBMITTED
    if bid_form is None and participation is not None:
        bid_form = BidForm(
            direction=auction.direction,
            initial={
                "net_worth": participation.net_worth if participation.net_worth is not None else firm.net_worth,
                "bid_security_reference": participation.bid_security_reference,
                "declared_affiliates": participation.declared_affiliates,
            },
        )
    opened = auction.opened_at is not None and participation is not None and participation.technically_qualified
    verification = None
    if opened and participation.initial_price_offer is not None:
        canonical = sealing.canonical_offer(auction=auction.pk, firm=firm.pk, offer=participation.initial_price_offer)
        verification = {
            "text": f"{canonical}|nonce={participation.offer_nonce}",
            "ok": sealing.verify_published(
                auction=auction.pk,
                firm=firm.pk,
                offer=participation.initial_price_offer,
                nonce=participation.offer_nonce,
                commitment=participation.commitment,
            ),
        }
    winner = auction.best_participation if auction.status == Auction.Status.SETTLED else None
    return render(
        request,
        "auctions/flow/participation.html",
        {
            "firm": firm,
            "auction": auction,
            "participation": participation,
            "phase": phase,
            "phase_label": Phase.LABELS[phase],
            "schedule": schedule_rows(auction),
            "can_act": can_act,
            "role_label": Membership.Role(role).label if role else "",
            "sale_open": sale_open,
            "bids_open": bids_open,
            "submitted": submitted,
            "buy_form": buy_form or BuyDocumentForm(),
            "bid_form": bid_form,
            "opened": opened,
            "verification": verification,
            "winner": winner,
            "is_winner": winner is not None and winner.firm_id == firm.pk,
            "next_attempt": Auction.objects.filter(previous=auction).first()
            if auction.status == Auction.Status.ANNULLED
            else None,
            "tender_fee": format_inr(auction.tranche.tender_fee),
            "bid_security": format_inr(auction.bid_security),
            "net_worth_threshold": format_inr(auction.net_worth_threshold),
            "room_url": room_url(auction),
            "public_url": public_url(auction),
        },
        status=status,
    )


@require_GET
@run_here
@firm_required
def participation_page(request, firm, role, pk):
    return _participation_page(request, firm, role, _firm_auction(pk))


@require_POST
@run_here
@firm_required
def participation_buy_document(request, firm, role, pk):
    auction = _firm_auction(pk)
    if Participation.objects.filter(auction=auction, firm=firm).exists():
        messages.info(request, f"{firm.legal_name} already bought the tender document for {auction.block.code}.")
        return redirect("flow:participation", pk=auction.pk)
    form = BuyDocumentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The tender document was not bought: correct the field marked below.")
        return _participation_page(request, firm, role, auction, buy_form=form, status=400)
    try:
        svc.participation_buy_document(
            actor=request.user, auction_id=auction.pk, payment_reference=form.cleaned_data["payment_reference"]
        )
    except Conflict as error:
        if Participation.objects.filter(auction=auction, firm=firm).exists():  # a second click, at the same time
            messages.info(request, f"{firm.legal_name} already bought the tender document for {auction.block.code}.")
            return redirect("flow:participation", pk=auction.pk)
        status = refused(request, error, form)
        return _participation_page(request, firm, role, auction, buy_form=form, status=status)
    except ApplicationError as error:
        status = refused(request, error, form)
        return _participation_page(request, firm, role, auction, buy_form=form, status=status)
    messages.success(
        request, f"Tender document bought for {auction.block.code}. Submit your technical bid and sealed offer below."
    )
    return redirect("flow:participation", pk=auction.pk)


@require_POST
@run_here
@firm_required
def participation_submit(request, firm, role, pk):
    auction = _firm_auction(pk)
    form = BidForm(request.POST, request.FILES, direction=auction.direction)
    if not form.is_valid():
        messages.error(request, "Your bid was not submitted: correct the fields marked below.")
        return _participation_page(request, firm, role, auction, bid_form=form, status=400)
    data = form.cleaned_data
    try:
        if data.get("technical_bid_document"):
            svc.participation_attach_document(
                actor=request.user, auction_id=auction.pk, document=data["technical_bid_document"]
            )
        _, receipt = svc.participation_submit(
            actor=request.user,
            auction_id=auction.pk,
            initial_price_offer=data["initial_price_offer"],
            net_worth=data["net_worth"],
            bid_security_reference=data["bid_security_reference"],
            declared_affiliates=data["declared_affiliates"],
        )
    except ApplicationError as error:
        status = refused(request, error, form)
        return _participation_page(request, firm, role, auction, bid_form=form, status=status)
    messages.success(
        request,
        f"Your bid for {auction.block.code} is submitted and sealed. Your receipt is {receipt}; keep it.",
    )
    return redirect(f"{reverse('flow:participation', kwargs={'pk': auction.pk})}#receipt")


@require_POST
@run_here
@firm_required
def participation_withdraw(request, firm, role, pk):
    auction = _firm_auction(pk)
    try:
        svc.participation_withdraw(actor=request.user, auction_id=auction.pk)
    except ApplicationError as error:
        return _participation_page(request, firm, role, auction, status=refused(request, error))
    messages.success(
        request,
        f"Your bid for {auction.block.code} is withdrawn; the sealed offer was destroyed unopened. You may submit "
        "again until the bid due date.",
    )
    return redirect("flow:participation", pk=auction.pk)


@require_GET
def technical_bid_document(request, pk):
    """A technical bid document, for regulators and its firm's members; to anyone else it does not exist."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    readers = Q() if is_regulator(request.user) else Q(firm__memberships__user=request.user)
    participation = (
        Participation.objects.filter(readers, pk=pk).exclude(technical_bid_document="").only("technical_bid_document")
    ).first()
    if participation is None:
        raise Http404("There is no such technical bid document.")
    name = os.path.basename(participation.technical_bid_document.name)
    try:
        handle = participation.technical_bid_document.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file of this technical bid is missing.") from error
    response = FileResponse(handle, filename=name, content_type=mimetypes.guess_type(name)[0] or "application/pdf")
    response["Content-Security-Policy"] = "sandbox"
    return response
