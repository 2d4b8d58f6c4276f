"""Visibility of an auction, in one place: what each reader may see, and when (RULES.md section 6).

`public_auction(auction, now=...)` is everything the public may know of an auction at that moment; the public
pages and the public API both render it, so one function decides what is published. The moments follow
from the clock through auctions.selectors.phase, so a reader past a deadline sees what it makes public even
when the sweeper has not yet settled it in the database:

- from the notification: the terms, the block, the schedule, and an annulment with its reason;
- from the bid due date: the number of bids and their commitments (never who bid, never how much);
- after the technical evaluation: the names of the technically qualified bidders (TQB);
- after the opening: their initial price offers (IPO), the nonces that prove them, ranks, the qualified
  bidders and the floor price;
- after the e-auction closes: the anonymised offer history (a bidder is "Bidder 1", never a firm or its
  token), the preferred bidder, the winning offer, and the bidder salt, with which anyone can then match the
  bidder tokens of the ledger to firms.

The querysets here never load a sealed offer (`sealed_offer` is deferred); an IPO and its nonce are read from
the database only once the opening has written them, and returned only when `offers_are_open`.

What signed-in readers see of bids is in auctions.selectors.firm (a firm its own bid: its receipt, never its offer
before the opening) and auctions.selectors.regulator (every bid for the evaluation, never an offer before the
opening; every tranche, drafts included).
"""

from datetime import datetime

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from auctions.models import Auction, Offer, Participation, Tranche
from auctions.selectors.phase import Phase, auction_phase, bids_are_closed, history_is_public, offers_are_open
from core.errors import NotFound

SCHEDULE_FIELDS = (
    "document_sale_starts_at",
    "document_sale_ends_at",
    "pre_bid_meeting_at",
    "bid_due_at",
    "technical_evaluation_at",
    "opening_at",
    "e_auction_starts_at",
)

# The columns of a participation that any public reading needs; the sealed offer is never among them.
PUBLIC_PARTICIPATION_FIELDS = (
    "id",
    "auction_id",
    "firm_id",
    "firm__legal_name",
    "firm__cin",
    "status",
    "commitment",
    "technically_qualified",
    "initial_price_offer",
    "offer_nonce",
    "rank",
    "qualified",
)
# A participation as its firm or a regulator may read it: every column but the sealed offer.
BID_FIELDS_DEFERRED = ("sealed_offer",)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- Querysets -----------------------------------------------------------------------------------------------


def phase_q(phases, now: datetime) -> Q:
    """Auctions whose phase (as auction_phase derives it at `now`) is one of `phases`, as a database filter."""
    conditions = {
        Phase.UPCOMING: Q(status=Auction.Status.NOTIFIED, document_sale_starts_at__gt=now),
        Phase.BIDDING: Q(status=Auction.Status.NOTIFIED, document_sale_starts_at__lte=now, bid_due_at__gt=now),
        Phase.EVALUATION: Q(status=Auction.Status.EVALUATION)
        | Q(status=Auction.Status.NOTIFIED, document_sale_starts_at__lte=now, bid_due_at__lte=now),
        Phase.OPENED: Q(status=Auction.Status.OPENED, starts_at__gt=now),
        Phase.LIVE: Q(status=Auction.Status.OPENED, starts_at__lte=now, closes_at__gt=now),
        Phase.CLOSED: Q(status=Auction.Status.OPENED, closes_at__lte=now),
        Phase.SETTLED: Q(status=Auction.Status.SETTLED),
        Phase.ANNULLED: Q(status=Auction.Status.ANNULLED),
    }
    result = Q(pk__in=[])
    for phase in phases:
        result |= conditions[phase]
    return result


def _public_participations():
    return Participation.objects.select_related("firm").only(*PUBLIC_PARTICIPATION_FIELDS).order_by("id")


def public_auctions(*, now: datetime | None = None) -> QuerySet[Auction]:
    """Every auction (all belong to notified tranches), with what public_auction() reads prefetched: the number of
    queries does not grow with the number of auctions."""
    now = _now(now)
    history_public = Q(auction__status__in=[Auction.Status.SETTLED, Auction.Status.ANNULLED]) | Q(
        auction__closes_at__lte=now
    )
    return (
        Auction.objects.filter(tranche__status=Tranche.Status.NOTIFIED)
        .select_related("block", "tranche", "next_attempt")
        .prefetch_related(
            "block__minerals",
            Prefetch("participations", queryset=_public_participations(), to_attr="public_participations"),
            Prefetch(
                "offers",
                queryset=Offer.objects.filter(history_public)
                .only("id", "auction_id", "participation_id", "seq", "value", "placed_at")
                .order_by("seq"),
                to_attr="public_offers",
            ),
        )
        .order_by("bid_due_at", "id")
    )


def public_auction_get(*, auction_id, now: datetime | None = None) -> Auction:
    try:
        return public_auctions(now=now).get(pk=auction_id)
    except (Auction.DoesNotExist, ValueError, TypeError):
        raise NotFound(
            f"There is no auction {auction_id}. The calendar and the tranche pages list every auction."
        ) from None


def public_tranches() -> QuerySet[Tranche]:
    """Notified tranches only: a draft is never public."""
    auctions = Auction.objects.select_related("block").order_by("block__code", "attempt")
    return (
        Tranche.objects.filter(status=Tranche.Status.NOTIFIED)
        .prefetch_related(Prefetch("auctions", queryset=auctions, to_attr="public_auction_rows"))
        .order_by("-notified_at", "-id")
    )


def public_tranche_get(*, tranche_id) -> Tranche:
    try:
        return public_tranches().get(pk=tranche_id)
    except (Tranche.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no notified tranche {tranche_id}. The tranche list shows every notice.") from None


def public_results(*, now: datetime | None = None) -> QuerySet[Auction]:
    """Auctions with an outcome: settled, annulled, or past the close of their e-auction (declared within
    seconds by the sweeper, but already decided by the clock). Latest first."""
    now = _now(now)
    return (
        public_auctions(now=now)
        .filter(phase_q([Phase.CLOSED, Phase.SETTLED, Phase.ANNULLED], now))
        .order_by(F("settled_at").desc(nulls_first=True), F("closes_at").desc(nulls_last=True), "-id")
    )


# --- What the public sees of one auction ----------------------------------------------------------------------


def _participations(auction: Auction) -> list[Participation]:
    rows = getattr(auction, "public_participations", None)
    if rows is None:
        rows = list(_public_participations().filter(auction=auction))
    return rows


def _offers(auction: Auction) -> list[Offer]:
    rows = getattr(auction, "public_offers", None)
    if rows is None:
        rows = list(
            Offer.objects.filter(auction=auction)
            .only("id", "auction_id", "participation_id", "seq", "value", "placed_at")
            .order_by("seq")
        )
    return rows


def _firm(participation: Participation) -> dict:
    return {"name": participation.firm.legal_name, "cin": participation.firm.cin}


def _bids(auction: Auction, submitted: list[Participation]) -> dict:
    """Published at the bid due date. Before the sweeper has recorded the count, the submitted bids are counted
    (after the due date they can no longer change)."""
    count = auction.bid_count if auction.bid_count is not None else len(submitted)
    return {"bid_count": count, "commitments": sorted(p.commitment for p in submitted if p.commitment)}


def _evaluation_complete(auction: Auction, submitted: list[Participation], now: datetime) -> bool:
    if auction.opened_at is not None:
        return True
    if auction.status == Auction.Status.ANNULLED:
        return True  # annulled at the bid due date (no bid) or at the opening (too few TQB): evaluation is over
    return (
        bids_are_closed(auction, now)
        and bool(submitted)
        and all(p.technically_qualified is not None for p in submitted)
    )


def _opening(auction: Auction, submitted: list[Participation]) -> dict:
    tqb = sorted(
        (p for p in submitted if p.technically_qualified and p.initial_price_offer is not None),
        key=lambda p: (p.rank or 0, p.firm.legal_name),
    )
    return {
        "opened_at": auction.opened_at,
        "floor_price": auction.floor_price,
        "bidders": [
            {
                **_firm(p),
                "initial_price_offer": p.initial_price_offer,
                "nonce": p.offer_nonce,
                "commitment": p.commitment,
                "rank": p.rank,
                "qualified": bool(p.qualified),
            }
            for p in tqb
        ],
        "qualified": [_firm(p) for p in tqb if p.qualified],
    }


def _result(auction: Auction, submitted: list[Participation]) -> dict:
    """The outcome of the e-auction, once it has closed. Bidders in the history are numbered by their first
    offer; the firm behind a number is not published (the tokens in the ledger are linked with the salt)."""
    offers = _offers(auction)
    labels: dict[int, str] = {}
    history = []
    for offer in offers:
        label = labels.setdefault(offer.participation_id, f"Bidder {len(labels) + 1}")
        history.append({"seq": offer.seq, "value": offer.value, "placed_at": offer.placed_at, "bidder": label})
    winner = next((p for p in submitted if p.pk == auction.best_participation_id), None)
    return {
        "closed_at": auction.closes_at,
        "declared": auction.status == Auction.Status.SETTLED,
        "preferred_bidder": _firm(winner) if winner else None,
        "winning_offer": auction.best_offer if winner else None,
        "offer_count": len(history),
        "offers": history,
        "bidder_salt": auction.bidder_salt,
    }


def _annulment(auction: Auction, phase: str, bids: dict | None, now: datetime) -> dict | None:
    """A recorded annulment; or one the clock has already decided and the sweeper will record within seconds
    (no bid at the due date, no final offer at the close)."""
    next_attempt = getattr(auction, "next_attempt", None)
    if auction.status == Auction.Status.ANNULLED:
        return {
            "reason": auction.annulment_reason,
            "annulled_at": auction.settled_at,
            "second_attempt": next_attempt.pk if next_attempt else None,
        }
    if phase == Phase.EVALUATION and bids is not None and bids["bid_count"] == 0:
        return {"reason": "no bid", "annulled_at": auction.bid_due_at, "second_attempt": None}
    if phase == Phase.CLOSED and auction.offer_count == 0:
        return {"reason": "no final offer", "annulled_at": auction.closes_at, "second_attempt": None}
    return None


def public_auction(auction: Auction, *, now: datetime | None = None) -> dict:
    """Everything the public may know of `auction` at `now` (RULES.md s.6). A section not yet public is None."""
    now = _now(now)
    phase = auction_phase(auction, now)
    participations = _participations(auction)
    submitted = [p for p in participations if p.status == Participation.Status.SUBMITTED]
    block = auction.block
    next_attempt = getattr(auction, "next_attempt", None)

    bids = _bids(auction, submitted) if bids_are_closed(auction, now) else None
    tqb = None
    if _evaluation_complete(auction, submitted, now):
        tqb = [_firm(p) for p in sorted(submitted, key=lambda p: p.firm.legal_name) if p.technically_qualified]
    opened = offers_are_open(auction)
    return {
        "id": auction.pk,
        "ocid": auction.ocid,
        "ledger_stream": auction.stream,
        "phase": phase,
        "phase_label": Phase.LABELS[phase],
        "tranche": {"id": auction.tranche_id, "name": auction.tranche.name, "kind": auction.tranche.kind},
        "block": {
            "code": block.code,
            "name": block.name,
            "state": block.state,
            "district": block.district,
            "minerals": [{"slug": m.slug, "name": m.name} for m in block.minerals.all()],
            "area_hectares": block.area_hectares,
            "value_of_estimated_resources": block.value_of_estimated_resources,
        },
        "attempt": auction.attempt,
        "previous_auction": auction.previous_id,
        "second_attempt": next_attempt.pk if next_attempt else None,
        "terms": {
            "lease_kind": auction.lease_kind,
            "direction": auction.direction,
            "reserve_price_pct": auction.reserve_price_pct,
            "net_worth_threshold": auction.net_worth_threshold,
            "bid_security": auction.bid_security,
            "tender_fee": auction.tranche.tender_fee,
            "params": auction.params,
        },
        "schedule": {name: getattr(auction, name) for name in SCHEDULE_FIELDS},
        "annulment": _annulment(auction, phase, bids, now),
        "bids": bids,
        "technically_qualified": tqb,
        "opening": _opening(auction, submitted) if opened else None,
        "e_auction": {"starts_at": auction.starts_at, "closes_at": auction.closes_at} if opened else None,
        "result": _result(auction, submitted) if opened and history_is_public(auction, now) else None,
    }


def public_auction_summary(auction: Auction, *, now: datetime | None = None) -> dict:
    """A line of a tranche: the block, the attempt and the phase, nothing that depends on bids."""
    phase = auction_phase(auction, _now(now))
    return {
        "id": auction.pk,
        "block_code": auction.block.code,
        "block_name": auction.block.name,
        "attempt": auction.attempt,
        "phase": phase,
        "phase_label": Phase.LABELS[phase],
    }


def public_tranche(tranche: Tranche, *, now: datetime | None = None) -> dict:
    now = _now(now)
    rows = getattr(tranche, "public_auction_rows", None)
    if rows is None:
        rows = list(tranche.auctions.select_related("block").order_by("block__code", "attempt"))
    return {
        "id": tranche.pk,
        "name": tranche.name,
        "kind": tranche.kind,
        "notified_at": tranche.notified_at,
        "tender_fee": tranche.tender_fee,
        "net_worth_threshold": tranche.net_worth_threshold,
        "params": tranche.params,
        "schedule": {name: getattr(tranche, name) for name in SCHEDULE_FIELDS},
        "auctions": [public_auction_summary(a, now=now) for a in rows],
    }


# --- The calendar -----------------------------------------------------------------------------------------------

CALENDAR_EVENTS = (
    ("document_sale_starts_at", "document_sale_opens", "Tender-document sale opens"),
    ("document_sale_ends_at", "document_sale_closes", "Tender-document sale closes"),
    ("pre_bid_meeting_at", "pre_bid_meeting", "Pre-bid meeting"),
    ("bid_due_at", "bid_due", "Bid due date"),
    ("technical_evaluation_at", "technical_evaluation", "Technical evaluation"),
    ("opening_at", "opening", "Opening of initial price offers"),
    ("e_auction_starts_at", "e_auction", "E-auction starts"),
)
CALENDAR_KINDS = [(kind, label) for _field, kind, label in CALENDAR_EVENTS]


def public_calendar(*, now: datetime | None = None) -> list[dict]:
    """Every date still to come of every auction that is not over, in date order (ties by block code)."""
    now = _now(now)
    auctions = (
        Auction.objects.filter(
            tranche__status=Tranche.Status.NOTIFIED,
            status__in=[Auction.Status.NOTIFIED, Auction.Status.EVALUATION, Auction.Status.OPENED],
        )
        .filter(Q(e_auction_starts_at__gte=now) | Q(starts_at__gte=now))
        .select_related("block", "tranche")
        .annotate(submitted=Count("participations", filter=Q(participations__status=Participation.Status.SUBMITTED)))
    )
    events = []
    for auction in auctions:
        if auction.status == Auction.Status.NOTIFIED and auction.bid_due_at <= now and not auction.submitted:
            continue  # no bid by the due date: annulled, whether or not the sweeper has recorded it yet
        for field, kind, label in CALENDAR_EVENTS:
            at = getattr(auction, field)
            if field == "e_auction_starts_at" and auction.starts_at is not None:
                at = auction.starts_at  # as set at the opening
            if at is None or at < now:
                continue
            if auction.opened_at is not None and kind in ("technical_evaluation", "opening"):
                continue  # done already
            events.append(
                {
                    "at": at,
                    "kind": kind,
                    "label": label,
                    "auction_id": auction.pk,
                    "block_code": auction.block.code,
                    "block_name": auction.block.name,
                    "attempt": auction.attempt,
                    "tranche": auction.tranche.name,
                    "phase": auction_phase(auction, now),
                }
            )
    events.sort(key=lambda e: (e["at"], e["block_code"], e["attempt"], e["kind"]))
    return events
