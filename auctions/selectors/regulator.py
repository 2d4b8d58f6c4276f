"""What a regulator reads of the auction: every bid for the technical evaluation (from the bid due date; never an
offer before the opening), every tranche, drafts included, and the progress of the openings."""

from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from auctions.models import Auction, Origin, Participation, Tranche
from auctions.selectors.phase import bids_are_closed, offers_are_open
from auctions.selectors.public import BID_FIELDS_DEFERRED, SCHEDULE_FIELDS, public_tranche
from blocks.models import Block
from core.errors import Conflict, NotFound


def evaluation_bids(*, auction_id, now: datetime | None = None) -> tuple[Auction, list[Participation]]:
    """Every bid of an auction for the regulator's evaluation, from the bid due date (before it, who is bidding
    stays sealed too). Never the sealed offer."""
    now = now or timezone.now()
    try:
        auction = Auction.objects.select_related("block").get(pk=auction_id)
    except (Auction.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no auction {auction_id}.") from None
    if not bids_are_closed(auction, now):
        raise Conflict(
            f"Bids for {auction.block.code} are sealed until the bid due date, "
            f"{timezone.localtime(auction.bid_due_at):%d %b %Y %H:%M} IST; the evaluation view opens then.",
            code="bids_sealed",
        )
    rows = list(
        Participation.objects.filter(auction=auction)
        .defer(*BID_FIELDS_DEFERRED)
        .select_related("firm")
        .order_by("firm__legal_name", "id")
    )
    return auction, rows


def evaluation_bid(participation: Participation, auction: Auction) -> dict:
    opened = offers_are_open(auction)
    firm = participation.firm
    below = participation.net_worth is not None and participation.net_worth < auction.net_worth_threshold
    return {
        "id": participation.pk,
        "firm": {"id": firm.pk, "name": firm.legal_name, "cin": firm.cin},
        "status": participation.status,
        "tender_fee_reference": participation.tender_fee_reference,
        "tender_fee_paid_at": participation.tender_fee_paid_at,
        "submitted_at": participation.submitted_at,
        "commitment": participation.commitment or None,
        "net_worth": participation.net_worth,
        "net_worth_below_threshold": below,
        "bid_security_reference": participation.bid_security_reference,
        "declared_affiliates": participation.declared_affiliates,
        "has_technical_bid_document": bool(participation.technical_bid_document),
        "affiliate_flag": participation.affiliate_flag,
        "technically_qualified": participation.technically_qualified,
        "evaluation_reason": participation.evaluation_reason,
        "evaluated_at": participation.evaluated_at,
        "initial_price_offer": participation.initial_price_offer if opened else None,
        "rank": participation.rank if opened else None,
        "qualified": participation.qualified if opened else None,
    }


def regulator_tranches() -> QuerySet[Tranche]:
    """Every tranche, drafts included, newest first, with its blocks and auctions (for the regulator)."""
    auctions = Auction.objects.select_related("block").order_by("block__code", "attempt")
    return (
        Tranche.objects.filter(origin=Origin.KHANIJ)
        .prefetch_related(
            Prefetch("blocks", queryset=Block.objects.order_by("code").only("id", "code", "name")),
            Prefetch("auctions", queryset=auctions, to_attr="public_auction_rows"),
        )
        .order_by("-created_at", "-id")
    )


def regulator_tranche(tranche: Tranche, *, now: datetime | None = None) -> dict:
    """A tranche as the regulator sees it: the public notice, and for a draft its blocks and status."""
    data = (
        public_tranche(tranche, now=now)
        if tranche.status == Tranche.Status.NOTIFIED
        else {
            "id": tranche.pk,
            "name": tranche.name,
            "kind": tranche.kind,
            "notified_at": None,
            "tender_fee": tranche.tender_fee,
            "net_worth_threshold": tranche.net_worth_threshold,
            "params": tranche.params,
            "schedule": {name: getattr(tranche, name) for name in SCHEDULE_FIELDS},
            "auctions": [],
        }
    )
    return {
        **data,
        "status": tranche.status,
        "created_at": tranche.created_at,
        "blocks": [b.code for b in tranche.blocks.all()],
    }


# --- The opening's progress (auctions.services.opening), per auction and per tranche -------------------------------


class OpeningProgress:
    """Where the opening of an auction's initial offers stands, as the desk and the API show it: the job's status
    while the auction is in its evaluation, the auction's outcome once it has moved."""

    NOT_DUE = "not_due"
    NOT_REQUESTED = "not_requested"
    WAITING = "waiting"
    QUEUED = "queued"
    OPENING = "opening"
    FAILED = "failed"
    OPENED = "opened"
    ANNULLED = "annulled"

    LABELS = {
        NOT_DUE: "Bids not closed yet",
        NOT_REQUESTED: "Not requested: opens at the scheduled opening time",
        WAITING: "Waiting for the technical evaluation",
        QUEUED: "Queued",
        OPENING: "Opening",
        FAILED: "Stopped: nothing was published",
        OPENED: "Opened",
        ANNULLED: "Annulled",
    }
    RUNNING = frozenset({QUEUED, OPENING})


OPENING_PROGRESS_CHOICES = list(OpeningProgress.LABELS.items())
_JOB_PROGRESS = {
    Auction.Opening.NOT_REQUESTED: OpeningProgress.NOT_REQUESTED,
    Auction.Opening.WAITING: OpeningProgress.WAITING,
    Auction.Opening.QUEUED: OpeningProgress.QUEUED,
    Auction.Opening.RUNNING: OpeningProgress.OPENING,
    Auction.Opening.FAILED: OpeningProgress.FAILED,
}


def opening_progress(auction: Auction) -> str:
    if auction.status in (Auction.Status.OPENED, Auction.Status.SETTLED):
        return OpeningProgress.OPENED
    if auction.status == Auction.Status.ANNULLED:
        return OpeningProgress.ANNULLED
    if auction.status == Auction.Status.NOTIFIED:
        return OpeningProgress.NOT_DUE
    return _JOB_PROGRESS.get(auction.opening_status, OpeningProgress.QUEUED)


def _opening_auctions() -> QuerySet[Auction]:
    pending = Q(
        participations__status=Participation.Status.SUBMITTED, participations__technically_qualified__isnull=True
    )
    return (
        Auction.objects.select_related("block", "opening_requested_by")
        .annotate(pending_bids=Count("participations", filter=pending))
        .order_by("block__code", "attempt")
    )


def opening_row(auction: Auction) -> dict:
    """One auction's opening (from _opening_auctions: with `pending_bids`). Never an offer: the floor only once
    opened, when it is public."""
    progress = opening_progress(auction)
    requester = auction.opening_requested_by
    return {
        "auction": auction.pk,
        "block_code": auction.block.code,
        "block_name": auction.block.name,
        "attempt": auction.attempt,
        "status": progress,
        "status_label": OpeningProgress.LABELS[progress],
        "running": progress in OpeningProgress.RUNNING,
        "opening_at": auction.opening_at,
        "bids": auction.bid_count,
        "pending_bids": auction.pending_bids if auction.status == Auction.Status.EVALUATION else 0,
        "requested_at": auction.opening_requested_at,
        "requested_by": requester.get_username() if requester else None,
        "started_at": auction.opening_started_at,
        "finished_at": auction.opening_finished_at,
        "error": auction.opening_error,
        "annulment_reason": auction.annulment_reason,
        "floor_price": auction.floor_price if auction.opened_at else None,
    }


def auction_opening(*, auction_id) -> dict:
    try:
        return opening_row(_opening_auctions().get(pk=auction_id))
    except (Auction.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no auction {auction_id}.") from None


def tranche_opening(*, tranche_id) -> dict:
    """The opening of every auction of a tranche, with how many stand at each step."""
    try:
        tranche = Tranche.objects.only("id", "name").get(pk=tranche_id)
    except (Tranche.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no tranche {tranche_id}.") from None
    rows = [opening_row(a) for a in _opening_auctions().filter(tranche_id=tranche.pk)]
    counts = dict.fromkeys(OpeningProgress.LABELS, 0)
    for row in rows:
        counts[row["status"]] += 1
    return {
        "tranche": tranche.pk,
        "name": tranche.name,
        "running": any(row["running"] for row in rows),
        "ready": sum(1 for row in rows if _ready(row)),
        "counts": counts,
        "auctions": rows,
    }


def _ready(row: dict) -> bool:
    """A regulator may queue its opening now: evaluated, not under way, not done."""
    startable = (OpeningProgress.NOT_REQUESTED, OpeningProgress.WAITING, OpeningProgress.FAILED)
    return row["status"] in startable and not row["pending_bids"]
