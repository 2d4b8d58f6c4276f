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
from django.db.models.functions import Coalesce
from django.utils import timezone

from auctions.models import Auction, Offer, Origin, Participation, Tranche
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
    final = [Auction.Status.SETTLED, Auction.Status.ANNULLED]
    conditions = {
        Phase.UPCOMING: Q(status=Auction.Status.NOTIFIED, document_sale_starts_at__gt=now),
        Phase.BIDDING: Q(status=Auction.Status.NOTIFIED, document_sale_starts_at__lte=now, bid_due_at__gt=now),
        Phase.EVALUATION: Q(status=Auction.Status.EVALUATION)
        | Q(status=Auction.Status.NOTIFIED, document_sale_starts_at__lte=now, bid_due_at__lte=now),
        Phase.OPENED: Q(status=Auction.Status.OPENED, starts_at__gt=now),
        Phase.LIVE: Q(status=Auction.Status.OPENED, starts_at__lte=now, closes_at__gt=now),
        Phase.CLOSED: Q(status=Auction.Status.OPENED, closes_at__lte=now),
    }
    run_here = Q(pk__in=[])
    for phase in phases:
        if phase in conditions:
            run_here |= conditions[phase]
    result = Q(origin=Origin.KHANIJ) & run_here
    if Phase.SETTLED in phases:
        result |= Q(status=Auction.Status.SETTLED)
    if Phase.ANNULLED in phases:
        result |= Q(status=Auction.Status.ANNULLED)
    if Phase.UNDECIDED in phases:
        result |= Q(origin=Origin.HISTORIC) & ~Q(status__in=final)
    return result


def offer_history_public_q(now: datetime) -> Q:
    """Auctions whose offer history is public at `now`, as a database filter: the SQL form of
    `offers_are_open(a) and history_is_public(a, now)`, which `_result` applies (tests/auctions/test_bulk.py holds
    them equal on auctions in every phase)."""
    closed_or_settled = phase_q([Phase.CLOSED, Phase.SETTLED], now) | Q(status=Auction.Status.ANNULLED)
    return Q(opened_at__isnull=False) & closed_or_settled


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
        .order_by("-notified_at", "-launched_on", "-id")
    )


def public_tranches_by_date() -> QuerySet[Tranche]:
    """public_tranches() newest first on every database: by notification, then (historic tranches, never notified
    here) by launch."""
    return public_tranches().order_by(
        F("notified_at").desc(nulls_last=True), F("launched_on").desc(nulls_last=True), "-id"
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
        .annotate(outcome_day=Coalesce("annulled_on", "declared_on"))
        .order_by(*RESULTS_ORDER)
    )


# The results, latest first: those run on Khanij (all later than the historic record), by settlement (one being
# declared first) and close; then the historic ones by tranche, newest first, and within a tranche by the day of
# their outcome where published (the undated ones after the dated ones), in the record's order.
RESULTS_ORDER = (
    F("origin").desc(),  # "khanij" before "historic"
    F("settled_at").desc(nulls_first=True),
    F("closes_at").desc(nulls_last=True),
    F("tranche__launched_on").desc(nulls_last=True),
    F("outcome_day").desc(nulls_last=True),
    "id",
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


def _history(auction: Auction) -> list[dict]:
    """The offer history: bidders numbered by their first offer; the firm behind a number is not published (the
    tokens in the ledger are linked with the salt)."""
    labels: dict[int, str] = {}
    history = []
    for offer in _offers(auction):
        label = labels.setdefault(offer.participation_id, f"Bidder {len(labels) + 1}")
        history.append({"seq": offer.seq, "value": offer.value, "placed_at": offer.placed_at, "bidder": label})
    return history


def _offer_count(auction: Auction) -> int:
    count = getattr(auction, "public_offer_count", None)
    return len(_offers(auction)) if count is None else count


def _result(auction: Auction, submitted: list[Participation], *, history: bool) -> dict:
    """The outcome of the e-auction, once it has closed; with its offer history, or (history=False) only their
    number."""
    offers = _history(auction) if history else None
    winner = next((p for p in submitted if p.pk == auction.best_participation_id), None)
    declared = auction.status == Auction.Status.SETTLED
    return {
        "closed_at": auction.closes_at,
        "declared": declared,
        "declared_on": _day(auction.settled_at) if declared else None,
        "preferred_bidder": _firm(winner) if winner else None,
        "winning_offer": auction.best_offer if winner else None,
        "offer_count": len(offers) if history else _offer_count(auction),
        "offers": offers,
        "bidder_salt": auction.bidder_salt,
    }


def _day(moment: datetime | None):
    return timezone.localdate(moment) if moment else None


def _annulment(auction: Auction, phase: str, bids: dict | None, now: datetime) -> dict | None:
    """A recorded annulment; or one the clock has already decided and the sweeper will record within seconds
    (no bid at the due date, no final offer at the close). A historic one has the day, where published, not a time."""
    next_attempt = getattr(auction, "next_attempt", None)
    if auction.status == Auction.Status.ANNULLED:
        return {
            "reason": auction.annulment_reason,
            "annulled_at": auction.settled_at,
            "annulled_on": auction.annulled_on if auction.historic else _day(auction.settled_at),
            "second_attempt": next_attempt.pk if next_attempt else None,
        }
    if phase == Phase.EVALUATION and bids is not None and bids["bid_count"] == 0:
        return {
            "reason": "no bid",
            "annulled_at": auction.bid_due_at,
            "annulled_on": _day(auction.bid_due_at),
            "second_attempt": None,
        }
    if phase == Phase.CLOSED and auction.offer_count == 0:
        return {
            "reason": "no final offer",
            "annulled_at": auction.closes_at,
            "annulled_on": _day(auction.closes_at),
            "second_attempt": None,
        }
    return None


# What the published record of a historic auction never gives: its sections stay null, and say so.
HISTORIC_NOT_PUBLISHED = ("schedule", "terms", "bids", "technically_qualified", "opening", "e_auction", "offers")


def _historic_result(auction: Auction) -> dict | None:
    """The published outcome of a historic auction: the preferred bidder as published (a firm not registered here:
    no CIN), the final offer where published; no offer history, no time of close."""
    if not auction.published_preferred_bidder:
        return None
    return {
        "closed_at": None,
        "declared": True,
        "declared_on": auction.declared_on,
        "preferred_bidder": {"name": auction.published_preferred_bidder, "cin": None},
        "winning_offer": auction.published_final_offer,
        "offer_count": None,
        "offers": [],
        "bidder_salt": "",
    }


def _historic_source(auction: Auction) -> dict:
    not_published = list(HISTORIC_NOT_PUBLISHED)
    if auction.published_preferred_bidder and auction.published_final_offer is None:
        not_published.append("winning_offer")
    if auction.status == Auction.Status.SETTLED and auction.declared_on is None:
        not_published.append("declared_on")
    if auction.status == Auction.Status.ANNULLED and auction.annulled_on is None:
        not_published.append("annulled_on")
    if not auction.lease_kind:
        not_published.append("lease_kind")
    return {
        "url": auction.source_url,
        "published_outcome": auction.published_outcome,
        "record": "Ministry of Mines releases as reported by the press, compiled in tranche_blocks.csv",
        "not_published": not_published,
    }


def _block(auction: Auction) -> dict:
    """The auction's block. For a historic auction, a figure the registry marks illustrative (invented for the demo)
    is left out: it is not part of the published record."""
    block = auction.block
    hidden = set(block.illustrative_fields or []) if auction.historic else set()
    return {
        "code": block.code,
        "name": block.name,
        "state": block.state,
        "district": "" if "district" in hidden else block.district,
        "minerals": [{"slug": m.slug, "name": m.name} for m in block.minerals.all()],
        "area_hectares": None if "area_hectares" in hidden else block.area_hectares,
        "value_of_estimated_resources": None if auction.historic and hidden else block.value_of_estimated_resources,
    }


def _historic_auction(auction: Auction, data: dict) -> dict:
    """`public_auction` of a historic auction: the published record, and null for whatever it does not give."""
    return {
        **data,
        "terms": {
            "lease_kind": auction.lease_kind or None,
            "direction": auction.direction,
            "reserve_price_pct": None,
            "net_worth_threshold": None,
            "bid_security": None,
            "tender_fee": None,
            "params": None,
        },
        "bids": None,
        "technically_qualified": None,
        "opening": None,
        "e_auction": None,
        "result": _historic_result(auction),
        "source": _historic_source(auction),
    }


def public_auction(auction: Auction, *, now: datetime | None = None, history: bool = True) -> dict:
    """Everything the public may know of `auction` at `now` (RULES.md s.6). A section not yet public is None.
    history=False: the result without its list of offers (`offers` None, `offer_count` still given), for readers
    that only count them (the CSV rows, the OCDS releases: auctions.selectors.bulk)."""
    now = _now(now)
    phase = auction_phase(auction, now)
    participations = _participations(auction)
    submitted = [p for p in participations if p.status == Participation.Status.SUBMITTED]
    next_attempt = getattr(auction, "next_attempt", None)

    bids = _bids(auction, submitted) if bids_are_closed(auction, now) else None
    tqb = None
    if _evaluation_complete(auction, submitted, now):
        tqb = [_firm(p) for p in sorted(submitted, key=lambda p: p.firm.legal_name) if p.technically_qualified]
    opened = offers_are_open(auction)
    data = {
        "id": auction.pk,
        "ocid": auction.ocid,
        "origin": auction.origin,
        "ledger_stream": auction.stream,
        "phase": phase,
        "phase_label": Phase.LABELS[phase],
        "tranche": {"id": auction.tranche_id, "name": auction.tranche.name, "kind": auction.tranche.kind},
        "block": _block(auction),
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
        "result": _result(auction, submitted, history=history) if opened and history_is_public(auction, now) else None,
        "source": None,
    }
    return _historic_auction(auction, data) if auction.historic else data


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
        "published_outcome": auction.published_outcome if auction.historic else None,
    }


def public_tranche(tranche: Tranche, *, now: datetime | None = None) -> dict:
    now = _now(now)
    rows = getattr(tranche, "public_auction_rows", None)
    if rows is None:
        rows = list(tranche.auctions.select_related("block").order_by("block__code", "attempt"))
    historic = tranche.origin == Origin.HISTORIC
    return {
        "id": tranche.pk,
        "name": tranche.name,
        "kind": tranche.kind,
        "origin": tranche.origin,
        "notified_at": tranche.notified_at,
        "tender_fee": tranche.tender_fee,
        "net_worth_threshold": tranche.net_worth_threshold,
        "params": None if historic else tranche.params,
        "schedule": {name: getattr(tranche, name) for name in SCHEDULE_FIELDS},
        "auctions": [public_auction_summary(a, now=now) for a in rows],
        "record": {
            "launched_on": tranche.launched_on,
            "bids_due_on": tranche.bids_due_on,
            "published_block_count": tranche.published_block_count,
            "note": tranche.source_note,
        }
        if historic
        else None,
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
            origin=Origin.KHANIJ,
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


# --- The programme in figures -------------------------------------------------------------------------------------


def programme_figures() -> dict:
    """The programme as it happened, tranche by tranche (historic and run here): offerings, preferred bidders
    declared, annulments, and those still open or without a published outcome. One query."""
    rows = list(
        Auction.objects.filter(tranche__status=Tranche.Status.NOTIFIED)
        .values("tranche_id", "tranche__name", "tranche__origin", "tranche__published_block_count")
        .annotate(
            offerings=Count("id"),
            declared=Count("id", filter=Q(status=Auction.Status.SETTLED)),
            annulled=Count("id", filter=Q(status=Auction.Status.ANNULLED)),
            second_attempts=Count("id", filter=Q(attempt__gt=1)),
            launched=Coalesce("tranche__launched_on", "tranche__notified_at__date"),
        )
        .order_by(F("launched").asc(nulls_last=True), "tranche_id")
    )
    tranches = [
        {
            "id": row["tranche_id"],
            "name": row["tranche__name"],
            "historic": row["tranche__origin"] == Origin.HISTORIC,
            "published_block_count": row["tranche__published_block_count"],
            "offerings": row["offerings"],
            "declared": row["declared"],
            "annulled": row["annulled"],
            "other": row["offerings"] - row["declared"] - row["annulled"],
            "second_attempts": row["second_attempts"],
        }
        for row in rows
    ]
    totals = {
        key: sum(t[key] for t in tranches) for key in ("offerings", "declared", "annulled", "other", "second_attempts")
    }
    return {"tranches": tranches, "totals": totals}
