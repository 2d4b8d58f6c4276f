"""The regulator's pages of the central auction: the tranche builder (/regulator/tranches/) and the auction desk
(/regulator/auctions/<id>/). Thin: forms read the input, auctions.services decides and writes; a refusal comes back
as a message next to the field it is about (or at the top), with the form as typed and the HTTP status of the
refusal. Times are shown in IST.

Sealed offers: no query here reads `sealed_offer`, and `offer_nonce` / `initial_price_offer` are only shown once
the auction's `opened_at` is set (the services fill them only at the opening)."""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from auctions import rules
from auctions import services as svc
from auctions.forms import (
    PARAM_LABELS,
    EvaluationForm,
    TrancheForm,
    tranche_kind,
)
from auctions.models import Auction, Origin, Participation, Tranche
from auctions.selectors.phase import Phase, auction_phase, bids_are_closed
from auctions.selectors.regulator import OpeningProgress, opening_row, tranche_opening
from auctions.views.page_parts import (
    SECRET_FIELDS,
    forbidden,
    public_url,
    refused,
    room_url,
    run_here,
    schedule_rows,
    tranche_run_here,
)
from bidders.models import EligibilityDocument
from bidders.roles import firm_of, is_regulator
from core.errors import ApplicationError
from core.money import format_inr


def regulator_required(view):
    """Anonymous visitors log in first; signed-in users who are not regulators get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_regulator(request.user):
            return forbidden(
                request,
                "Regulators only",
                f"Tranches and the auction desk are kept by the regulators; {request.user.get_username()} is not a "
                "regulator account. Firms follow their bids under My auctions.",
                link=(reverse("flow:firm_auctions"), "My auctions") if firm_of(request.user) else None,
            )
        return view(request, *args, **kwargs)

    return wrapper


# --- Regulator: the tranche builder -------------------------------------------------------------------------------


@require_GET
@regulator_required
def tranche_list(request):
    tranches = (
        Tranche.objects.filter(origin=Origin.KHANIJ)
        .annotate(block_count=Count("blocks", distinct=True), auction_count=Count("auctions", distinct=True))
        .order_by("-created_at", "-id")
    )
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
    opening = tranche_opening(tranche_id=tranche.pk)
    progress = {row["auction"]: row for row in opening["auctions"]}
    return render(
        request,
        "auctions/flow/tranche_detail.html",
        {
            "tranche": tranche,
            "schedule": schedule_rows(tranche),
            "blocks": [
                {"block": b, "ver": format_inr(b.value_of_estimated_resources)} for b in tranche.blocks.order_by("code")
            ],
            "auctions": [
                {"auction": a, "phase_label": Phase.LABELS[auction_phase(a, now)], "opening": progress[a.pk]}
                for a in auctions
            ],
            "opening": opening,
            "opening_counts": [
                (step, OpeningProgress.LABELS[step], opening["counts"][step])
                for step in OpeningProgress.LABELS
                if step != OpeningProgress.NOT_DUE
            ],
            "params": [(PARAM_LABELS.get(k, (k, ""))[0], v) for k, v in params.items()],
            "tender_fee": format_inr(tranche.tender_fee),
            "net_worth_threshold": format_inr(tranche.net_worth_threshold),
            "is_draft": tranche.status == Tranche.Status.DRAFT,
        },
        status=status,
    )


@require_GET
@tranche_run_here
@regulator_required
def tranche_detail(request, pk):
    return _tranche_page(request, get_object_or_404(Tranche, pk=pk))


@require_POST
@tranche_run_here
@regulator_required
def tranche_notify(request, pk):
    tranche = get_object_or_404(Tranche, pk=pk)
    try:
        tranche = svc.tranche_notify(actor=request.user, tranche_id=tranche.pk)
    except ApplicationError as error:
        tranche.refresh_from_db()
        return _tranche_page(request, tranche, status=refused(request, error))
    messages.success(
        request, f"{tranche.name} is notified: {tranche.auctions.count()} auction(s) are open to the public."
    )
    return redirect("flow:tranche_detail", pk=tranche.pk)


@require_POST
@tranche_run_here
@regulator_required
def tranche_open(request, pk):
    tranche = get_object_or_404(Tranche, pk=pk)
    try:
        result = svc.tranche_open(actor=request.user, tranche_id=tranche.pk)
    except ApplicationError as error:
        return _tranche_page(request, tranche, status=refused(request, error))
    queued, pending = len(result["queued"]), len(result["pending"])
    later = (
        f" {pending} auction(s) still have technical bids to evaluate: each opens by itself once they are evaluated "
        "and its opening time has come."
        if pending
        else ""
    )
    messages.success(
        request,
        f"The opening of {queued} auction(s) is queued: workers open them in parallel, and this page follows them."
        + later,
    )
    return redirect("flow:tranche_detail", pk=tranche.pk)


# --- Regulator: the auction desk ----------------------------------------------------------------------------------


def _desk_auction(pk) -> Auction:
    return get_object_or_404(
        Auction.objects.select_related(
            "block", "tranche", "previous", "best_participation__firm", "opening_requested_by"
        ),
        pk=pk,
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
    auction.pending_bids = len(pending)
    opening = opening_row(auction)
    if opening["running"]:
        evaluating = False  # the evaluation is closed once the opening is under way
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
            "schedule": schedule_rows(auction),
            "bids_closed": closed,
            "bid_count": auction.bid_count if auction.bid_count is not None else (len(bids) if closed else None),
            "awaiting_lock": closed and auction.status == Auction.Status.NOTIFIED,
            "rows": rows,
            "evaluating": evaluating,
            "pending_count": len(pending),
            "flagged_pending": sum(1 for b in pending if b.affiliate_flag),
            "can_open": evaluating and not pending and opening["status"] != OpeningProgress.FAILED,
            "opening": opening,
            "Progress": OpeningProgress,
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
@run_here
@regulator_required
def auction_desk(request, pk):
    return _desk(request, _desk_auction(pk))


def _desk_action(action):
    """A desk button: call the service, then come back to the desk with what happened."""

    @wraps(action)
    @require_POST
    @run_here
    @regulator_required
    def wrapper(request, pk, *args, **kwargs):
        auction = _desk_auction(pk)
        try:
            message, target = action(request, auction, *args, **kwargs)
        except ApplicationError as error:
            return _desk(request, _desk_auction(pk), status=refused(request, error))
        messages.success(request, message)
        return redirect("flow:auction_desk", pk=target)

    return wrapper


@require_POST
@run_here
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
        status = refused(request, error, form)
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
    svc.auction_open(actor=request.user, auction_id=auction.pk)
    return (
        "The opening is queued: a worker decrypts, checks and ranks the initial price offers within seconds, and "
        "this page follows it. With too few technically qualified bidders the auction is annulled instead.",
        auction.pk,
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
