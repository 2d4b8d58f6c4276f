"""Auctions brought to a given phase through the real services, and the moments at which to read them.

`staged(regulator, firms, "live")` notifies an auction, has `firms` submit sealed offers, closes the bids,
evaluates, opens and places final offers, as far as the phase asks, each step at its own time
(time-machine). `moment(auction, phase)` is a time at which a reader sees that phase.
"""

import itertools
from datetime import timedelta
from decimal import Decimal

import time_machine

from auctions import services as svc
from auctions.models import Auction
from blocks.services import block_create
from tests.factories import square_boundary
from tests.factories.auction_flow import SCHEDULE, T0, bidder, open_offers, submit_bids

# Distinctive initial price offers: the sealed-offer tests look for them on every surface.
SEALED_IPOS = ("76.05", "81.37", "93.11")
STEPS = ("upcoming", "bidding", "due", "evaluation", "evaluated", "opened", "live", "closed", "settled")


_places = itertools.count()


def notified(regulator, *, code="CG-LI-01", tranche=None, state="Chhattisgarh", minerals=("lithium",), base=T0,
             **tranche_fields) -> Auction:  # fmt: skip
    """A tranche of one new block (placed apart from every other), notified at `base` (T0) on SCHEDULE moved to
    start there: its auction."""
    place = next(_places)
    block_create(
        actor=None,
        code=code,
        name=f"{code} Block",
        state=state,
        district="Korba",
        minerals=list(minerals),
        exploration_stage="G3",
        boundary=square_boundary(70.0 + (place % 50) * 0.05, 10.0 + (place // 50) * 0.05),
        reserve_price_pct="10.00",
        resources=[{"mineral": minerals[0], "quantity_tonnes": "100000", "price_per_tonne": "20000"}],
    )
    schedule = {field: base + (moment - T0) for field, moment in SCHEDULE.items()}
    with time_machine.travel(base, tick=False):
        made = svc.tranche_create(
            actor=regulator,
            name=tranche or f"Tranche {code}",
            blocks=[code],
            tender_fee="300000",
            net_worth_threshold="1000000000",
            **{**schedule, **tranche_fields},
        )
        svc.tranche_notify(actor=regulator, tranche_id=made.pk)
    return Auction.objects.get(tranche=made)


def three_firms(prefix=""):
    return [bidder(f"{prefix}{name}") for name in ("Asha", "Bharat", "Chitra")]


def moment(auction: Auction, phase: str):
    auction.refresh_from_db()
    return {
        "upcoming": SCHEDULE["document_sale_starts_at"] - timedelta(hours=1),
        "bidding": auction.document_sale_starts_at + timedelta(hours=2),
        "due": auction.bid_due_at + timedelta(seconds=1),
        "evaluation": auction.bid_due_at + timedelta(seconds=2),
        "evaluated": auction.bid_due_at + timedelta(hours=1),
        "opened": (auction.opened_at or auction.opening_at) + timedelta(minutes=1),
        "live": (auction.starts_at or auction.e_auction_starts_at) + timedelta(minutes=20),
        "closed": (auction.closes_at or auction.e_auction_starts_at) + timedelta(seconds=1),
        "settled": (auction.closes_at or auction.e_auction_starts_at) + timedelta(minutes=1),
    }[phase]


def staged(regulator, firms, phase: str, *, code="CG-LI-01", ipos=SEALED_IPOS, offers=None, disqualify=(), **block):
    """An auction of a new block brought up to `phase` (one of STEPS). In "live" and later, the first two firms
    place final offers (`offers`: [(firm index, value)], default two offers above the floor). Its notice is made at
    T0 unless `base=` says when (notified)."""
    auction = notified(regulator, code=code, **block)
    step = STEPS.index(phase)
    if step >= STEPS.index("bidding"):
        submit_bids(auction, dict(zip(firms, ipos, strict=False)))
    if step >= STEPS.index("evaluation"):
        with time_machine.travel(moment(auction, "evaluation"), tick=False):
            svc.auctions_sweep()
    if step >= STEPS.index("evaluated"):
        with time_machine.travel(moment(auction, "evaluated"), tick=False):
            for p in auction.participations.filter(status="submitted").select_related("firm"):
                rejected = any(p.firm.memberships.filter(user=u).exists() for u in disqualify)
                svc.participation_evaluate(
                    actor=regulator, participation_id=p.pk, qualified=not rejected, reason="No net-worth certificate"
                )
    if step >= STEPS.index("opened"):
        with time_machine.travel(auction.opening_at, tick=False):
            open_offers(regulator, auction.pk)
    if step >= STEPS.index("live"):
        auction.refresh_from_db()
        floor = auction.floor_price
        offers = offers or [(0, floor + Decimal("0.10")), (1, floor + Decimal("0.50"))]
        with time_machine.travel(moment(auction, "live"), tick=False):
            for index, value in offers:
                svc.offer_place(actor=firms[index], auction_id=auction.pk, value=value)
    if step >= STEPS.index("settled"):
        with time_machine.travel(moment(auction, "settled"), tick=False):
            svc.auctions_sweep()
    auction.refresh_from_db()
    return auction
