"""The server-rendered pages of the central auction for regulators (tranche builder, auction desk) and firms (my
auctions, the participation page). Thin: forms read the input, auctions.auction_services decides and writes;
a refusal comes back as a message next to the field it is about (or at the top), with the form as typed and the
HTTP status of the refusal. Times are shown in IST.

Sealed offers: no query here reads `sealed_offer`, and `offer_nonce` / `initial_price_offer` are only shown once
the auction's `opened_at` is set (the services fill them only at the opening)."""

import mimetypes
import os
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from auctions import auction_services as svc
from auctions import rules, sealing
from auctions.auction_selectors import Phase, auction_phase, bids_are_closed
from auctions.flow_forms import (
    PARAM_LABELS,
    SCHEDULE_LABELS,
    BidForm,
    BuyDocumentForm,
    EvaluationForm,
    TrancheForm,
    tranche_kind,
)
from auctions.models import Auction, Participation, Tranche
from auctions.wording import words
from bidders.forms import apply_errors
from bidders.models import EligibilityDocument, Membership
from bidders.roles import firm_of, is_regulator
from bidders.selectors import membership_role
from core.errors import ApplicationError, Conflict
from core.money import format_inr

SECRET_FIELDS = ("sealed_offer", "offer_nonce")
ACTING_ROLES = (Membership.Role.ADMIN, Membership.Role.BIDDER)


def room_url(auction) -> str:
    """The live room of the e-auction (auctions/room_urls.py)."""
    return reverse("room:room", kwargs={"auction_id": auction.pk})


def public_url(auction) -> str:
    """The auction's public page (auctions/public_auction_urls.py)."""
    return reverse("public_auctions:auction_detail", kwargs={"pk": auction.pk})


def _forbidden(request, title: str, message: str, link=None, status=403):
    return render(
        request, "auctions/flow/forbidden.html", {"title": title, "message": message, "link": link}, status=status
    )


def regulator_required(view):
    """Anonymous visitors log in first; signed-in users who are not regulators get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_regulator(request.user):
            return _forbidden(
                request,
                "Regulators only",
                f"Tranches and the auction desk are kept by the regulators; {request.user.get_username()} is not a "
                "regulator account. Firms follow their bids under My auctions.",
                link=(reverse("flow:firm_auctions"), "My auctions") if firm_of(request.user) else None,
            )
        return view(request, *args, **kwargs)

    return wrapper


def firm_required(view):
    """Members of a firm (any role; viewers see but cannot act). Anonymous visitors log in first; others 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        firm = firm_of(request.user)
        if firm is None:
            if is_regulator(request.user):
                return _forbidden(
                    request,
                    "Firms only",
                    "These pages are a firm's own view of its bids. Regulators follow every bid on the auction desk.",
                    link=(reverse("flow:tranche_list"), "Tranches"),
                )
            return _forbidden(
                request,
                "Firms only",
                f"You are signed in as {request.user.get_username()} but do not act for a firm. Register your firm, "
                "or ask your firm's administrator to add you as a member.",
                link=(reverse("firm:signup"), "Register a firm"),
            )
        role = membership_role(user=request.user, firm=firm)
        return view(request, firm, role, *args, **kwargs)

    return wrapper


def _schedule(auction_or_tranche) -> list[tuple[str, object]]:
    return [(label, getattr(auction_or_tranche, name)) for name, label in SCHEDULE_LABELS.items()]


def _refused(request, error: ApplicationError, form=None) -> int:
    """Show a service's refusal: next to the fields of `form` when it names them, and at the top of the page."""
    if form is not None:
        apply_errors(error, form)
    messages.error(request, error.message)
    return error.status_code


# --- Regulator: the tranche builder -------------------------------------------------------------------------------


@require_GET
@regulator_required
def tranche_list(request):
    tranches = Tranche.objects.annotate(
        block_count=Count("blocks", distinct=True), auction_count=Count("auctions", distinct=True)
    ).order_by("-created_at", "-id")
    return render(request, "auctions/flow/tranche_list.html", {"tranches": tranches})


@require_http_methods(["GET", "POST"])
@regulator_required
def tranche_create(request):
    status = 200
    if request.method == "POST":
        form = TrancheForm(request.POST)
        if form.is_valid():
            try:
                tranche = svc.tranche_create(actor=request.user, **form.service_arguments())
            except ApplicationError as error:
                form.apply_service_errors(error)
                messages.error(request, error.message)
                status = error.status_code
            else:
                messages.success(
                    request,
                    f"{tranche.name} is saved as a draft with {tranche.blocks.count()} block(s). Check it, then "
                    "notify it to open the auctions.",
                )
                return redirect("flow:tranche_detail", pk=tranche.pk)
        else:
            messages.error(request, "The tranche was not saved: correct the fields marked below.")
            status = 400
    else:
        form = TrancheForm(kind=tranche_kind(request.GET.get("kind")))
    kinds = [
        {"value": value, "label": label, "url": f"{reverse('flow:tranche_create')}?kind={value}"}
        for value, label in Tranche.Kind.choices
    ]
    return render(request, "auctions/flow/tranche_form.html", {"form": form, "kinds": kinds}, status=status)


def _tranche_page(request, tranche, *, status=200):
    now = timezone.now()
    auctions = list(
        tranche.auctions.select_related("block", "best_participation__firm").order_by("block__code", "attempt")
    )
    params = rules.AuctionParams.from_json(tranche.params).as_json()
    return render(
        request,
        "auctions/flow/tranche_detail.html",
        {
            "tranche": tranche,
            "schedule": _schedule(tranche),
            "blocks": [
                {"block": b, "ver": format_inr(b.value_of_estimated_resources)} for b in tranche.blocks.order_by("code")
            ],
            "auctions": [{"auction": a, "phase_label": Phase.LABELS[auction_phase(a, now)]} for a in auctions],
            "params": [(PARAM_LABELS.get(k, (k, ""))[0], v) for k, v in params.items()],
            "tender_fee": format_inr(tranche.tender_fee),
            "net_worth_threshold": format_inr(tranche.net_worth_threshold),
            "is_draft": tranche.status == Tranche.Status.DRAFT,
        },
        status=status,
    )


@require_GET
@regulator_required
def tranche_detail(request, pk):
    return _tranche_page(request, get_object_or_404(Tranche, pk=pk))


@require_POST
@regulator_required
def tranche_notify(request, pk):
    tranche = get_object_or_404(Tranche, pk=pk)
    try:
        tranche = svc.tranche_notify(actor=request.user, tranche_id=tranche.pk)
    except ApplicationError as error:
        tranche.refresh_from_db()
        return _tranche_page(request, tranche, status=_refused(request, error))
    messages.success(
        request, f"{tranche.name} is notified: {tranche.auctions.count()} auction(s) are open to the public."
    )
    return redirect("flow:tranche_detail", pk=tranche.pk)


# --- Regulator: the auction desk ----------------------------------------------------------------------------------


def _desk_auction(pk) -> Auction:
    return get_object_or_404(
        Auction.objects.select_related("block", "tranche", "previous", "best_participation__firm"), pk=pk
    )


def _desk_bids(auction: Auction) -> list[Participation]:
    """The submitted bids, with their firms and eligibility documents; never the sealed offer."""
    secret = SECRET_FIELDS if auction.opened_at else (*SECRET_FIELDS, "initial_price_offer")
    return list(
        Participation.objects.filter(auction=auction, status=Participation.Status.SUBMITTED)
        .defer(*secret)
        .select_related("firm", "evaluated_by")
        .prefetch_related(
            Prefetch("firm__documents", queryset=EligibilityDocument.objects.order_by("kind", "uploaded_at"))
        )
        .order_by("firm__legal_name")
    )


def _desk(request, auction: Auction, *, bound=None, status=200):
    now = timezone.now()
    phase = auction_phase(auction, now)
    closed = bids_are_closed(auction, now)
    bids = _desk_bids(auction) if closed else []
    bound = bound or {}
    evaluating = auction.status == Auction.Status.EVALUATION
    rows = []
    for bid in bids:
        form = bound.get(bid.pk) or EvaluationForm(prefix=f"bid-{bid.pk}", initial={"reason": bid.evaluation_reason})
        rows.append(
            {
                "bid": bid,
                "form": form,
                "below_threshold": bid.net_worth is not None and bid.net_worth < auction.net_worth_threshold,
                "net_worth": format_inr(bid.net_worth) if bid.net_worth is not None else "not declared",
            }
        )
    pending = [b for b in bids if b.technically_qualified is None]
    opened = auction.opened_at is not None
    tqb = sorted((b for b in bids if b.technically_qualified), key=lambda b: (b.rank or 0, b.firm.legal_name))
    next_attempt = Auction.objects.filter(previous=auction).first()
    duration = timedelta(minutes=rules.AuctionParams.from_json(auction.params).duration_minutes)
    return render(
        request,
        "auctions/flow/desk.html",
        {
            "auction": auction,
            "phase": phase,
            "phase_label": Phase.LABELS[phase],
            "schedule": _schedule(auction),
            "bids_closed": closed,
            "bid_count": auction.bid_count if auction.bid_count is not None else (len(bids) if closed else None),
            "awaiting_lock": closed and auction.status == Auction.Status.NOTIFIED,
            "rows": rows,
            "evaluating": evaluating,
            "pending_count": len(pending),
            "flagged_pending": sum(1 for b in pending if b.affiliate_flag),
            "can_open": evaluating and not pending,
            "opened": opened,
            "tqb": tqb if opened else [],
            "disqualified": [b for b in bids if b.technically_qualified is False],
            "can_renotify": auction.status == Auction.Status.ANNULLED and auction.attempt == 1 and not next_attempt,
            "next_attempt": next_attempt,
            "awaiting_settlement": phase == Phase.CLOSED,
            "bid_security": format_inr(auction.bid_security),
            "net_worth_threshold": format_inr(auction.net_worth_threshold),
            "extended": auction.starts_at is not None and auction.closes_at > auction.starts_at + duration,
            "room_url": room_url(auction),
            "public_url": public_url(auction),
            "Status": Auction.Status,
        },
        status=status,
    )


@require_GET
@regulator_required
def auction_desk(request, pk):
    return _desk(request, _desk_auction(pk))


def _desk_action(action):
    """A desk button: call the service, then come back to the desk with what happened."""

    @wraps(action)
    @require_POST
    @regulator_required
    def wrapper(request, pk, *args, **kwargs):
        auction = _desk_auction(pk)
        try:
            message, target = action(request, auction, *args, **kwargs)
        except ApplicationError as error:
            return _desk(request, _desk_auction(pk), status=_refused(request, error))
        messages.success(request, message)
        return redirect("flow:auction_desk", pk=target)

    return wrapper


@require_POST
@regulator_required
def participation_evaluate(request, pk, participation_id):
    auction = _desk_auction(pk)
    participation = get_object_or_404(Participation, pk=participation_id, auction=auction)
    form = EvaluationForm(request.POST, prefix=f"bid-{participation.pk}")
    if not form.is_valid():
        messages.error(request, "The evaluation was not recorded: correct the field marked below.")
        return _desk(request, auction, bound={participation.pk: form}, status=400)
    try:
        evaluated = svc.participation_evaluate(
            actor=request.user,
            participation_id=participation.pk,
            qualified=form.cleaned_data["decision"] == "qualify",
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as error:
        if "qualified" in error.fields:
            error.fields["decision"] = error.fields.pop("qualified")
        status = _refused(request, error, form)
        return _desk(request, _desk_auction(pk), bound={participation.pk: form}, status=status)
    verdict = "technically qualified" if evaluated.technically_qualified else "disqualified"
    messages.success(request, f"The bid of {evaluated.firm.legal_name} is {verdict}.")
    return redirect(f"{reverse('flow:auction_desk', kwargs={'pk': auction.pk})}#bid-{evaluated.pk}")


@_desk_action
def auction_lock_bids(request, auction):
    svc.auction_close_bidding(auction_id=auction.pk)
    return "The bids are locked: their number and commitments are published.", auction.pk


@_desk_action
def auction_reject_affiliates(request, auction):
    count = svc.auction_reject_affiliates(actor=request.user, auction_id=auction.pk)
    if not count:
        return "No flagged affiliate was waiting for evaluation.", auction.pk
    return f"{count} bid(s) of affiliated firms were disqualified.", auction.pk


@_desk_action
def auction_open(request, auction):
    opened = svc.auction_open(actor=request.user, auction_id=auction.pk)
    if opened.status == Auction.Status.ANNULLED:
        return f"The auction is annulled: {opened.annulment_reason}. The reason is published.", opened.pk
    return (
        f"The initial price offers are opened and published; the {words(opened.direction)['floor']} is "
        f"{opened.floor_price}% and the "
        f"e-auction starts at {timezone.localtime(opened.starts_at):%d %b %Y %H:%M} IST.",
        opened.pk,
    )


@_desk_action
def auction_renotify(request, auction):
    second = svc.auction_renotify(actor=request.user, auction_id=auction.pk)
    return (
        f"The second attempt for {second.block.code} is notified on the same terms; bids are due "
        f"{timezone.localtime(second.bid_due_at):%d %b %Y %H:%M} IST.",
        second.pk,
    )


@_desk_action
def auction_settle(request, auction):
    svc.auction_settle(auction_id=auction.pk)
    auction.refresh_from_db()
    if auction.status == Auction.Status.ANNULLED:
        return f"The auction is annulled: {auction.annulment_reason}.", auction.pk
    if auction.status == Auction.Status.SETTLED:
        return "The result is declared and published.", auction.pk
    return "The e-auction has not closed yet; nothing was declared.", auction.pk


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
            "can_act": role in ACTING_ROLES,
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
    can_act = role in ACTING_ROLES
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
            "schedule": _schedule(auction),
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
@firm_required
def participation_page(request, firm, role, pk):
    return _participation_page(request, firm, role, _firm_auction(pk))


@require_POST
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
        status = _refused(request, error, form)
        return _participation_page(request, firm, role, auction, buy_form=form, status=status)
    except ApplicationError as error:
        status = _refused(request, error, form)
        return _participation_page(request, firm, role, auction, buy_form=form, status=status)
    messages.success(
        request, f"Tender document bought for {auction.block.code}. Submit your technical bid and sealed offer below."
    )
    return redirect("flow:participation", pk=auction.pk)


@require_POST
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
        status = _refused(request, error, form)
        return _participation_page(request, firm, role, auction, bid_form=form, status=status)
    messages.success(
        request,
        f"Your bid for {auction.block.code} is submitted and sealed. Your receipt is {receipt}; keep it.",
    )
    return redirect(f"{reverse('flow:participation', kwargs={'pk': auction.pk})}#receipt")


@require_POST
@firm_required
def participation_withdraw(request, firm, role, pk):
    auction = _firm_auction(pk)
    try:
        svc.participation_withdraw(actor=request.user, auction_id=auction.pk)
    except ApplicationError as error:
        return _participation_page(request, firm, role, auction, status=_refused(request, error))
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
