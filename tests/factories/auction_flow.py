"""Building an auction through the real services, step by step, with time moved by time-machine."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone

from auctions import services as svc
from auctions.models import Auction
from auctions.tasks import auction_open as auction_open_task
from blocks.services import block_create
from tests.factories import FirmFactory, MembershipFactory, UserFactory, square_boundary

T0 = datetime(2027, 1, 4, 4, 30, tzinfo=UTC)  # 10:00 IST, the notice is prepared
SCHEDULE = {
    "document_sale_starts_at": T0 + timedelta(days=1),
    "document_sale_ends_at": T0 + timedelta(days=20),
    "pre_bid_meeting_at": T0 + timedelta(days=5),
    "bid_due_at": T0 + timedelta(days=30),
    "technical_evaluation_at": T0 + timedelta(days=40),
    "opening_at": T0 + timedelta(days=45),
    "e_auction_starts_at": T0 + timedelta(days=50),
}


def make_block(code="CG-LI-01", lon=82.0, lat=22.0, reserve="10.00"):
    return block_create(
        actor=None,
        code=code,
        name=f"{code} Lithium Block",
        state="Chhattisgarh",
        district="Korba",
        minerals=["lithium"],
        exploration_stage="G3",
        boundary=square_boundary(lon, lat),
        reserve_price_pct=reserve,
        resources=[{"mineral": "lithium", "quantity_tonnes": "100000", "price_per_tonne": "20000"}],
    )


def bidder(name):
    return MembershipFactory(user=UserFactory(username=name.lower()), firm=FirmFactory(legal_name=f"{name} Ltd")).user


def notified_auction(regulator, *, codes=("CG-LI-01",), params=None, schedule=None):
    schedule = schedule or SCHEDULE
    for i, code in enumerate(codes):
        make_block(code=code, lon=82.0 + i * 0.1)
    with time_machine.travel(T0, tick=False):
        tranche = svc.tranche_create(
            actor=regulator,
            name=f"Tranche {codes[0]}",
            blocks=list(codes),
            params=params,
            tender_fee="300000",
            net_worth_threshold="1000000000",
            **schedule,
        )
        svc.tranche_notify(actor=regulator, tranche_id=tranche.pk)
    return Auction.objects.filter(tranche=tranche).order_by("block__code")


def submit_bids(auction, offers: dict):
    """offers: {user: ipo}. Buys the document and submits the sealed offer in the sale window."""
    with time_machine.travel(auction.document_sale_starts_at + timedelta(hours=1), tick=False):
        for user, ipo in offers.items():
            svc.participation_buy_document(actor=user, auction_id=auction.pk, payment_reference=f"UTR-{user.pk}")
            svc.participation_submit(
                actor=user,
                auction_id=auction.pk,
                initial_price_offer=Decimal(ipo),
                net_worth="2500000000",
                bid_security_reference=f"BG-{user.pk}",
            )


def close_and_evaluate(auction, regulator, *, disqualify=()):
    with time_machine.travel(auction.bid_due_at + timedelta(seconds=1), tick=False):
        svc.auctions_sweep()
        for p in auction.participations.filter(status="submitted"):
            rejected = p.firm.memberships.first().user in disqualify
            svc.participation_evaluate(
                actor=regulator, participation_id=p.pk, qualified=not rejected, reason="No net-worth certificate"
            )


def open_offers(regulator, auction_id) -> str:
    """The regulator's opening and the worker's task it queues, run here one after the other, for tests about what
    the opening decides (tests/auctions/test_opening_worker.py runs the task in a real Celery worker)."""
    svc.auction_open(actor=regulator, auction_id=auction_id)
    return auction_open_task(auction_id)


def open_with_bids(auction, regulator, offers: dict):
    """The auction with the sealed offers ({user: ipo}) submitted, evaluated (all qualified) and opened."""
    submit_bids(auction, offers)
    close_and_evaluate(auction, regulator)
    with time_machine.travel(auction.opening_at, tick=False):
        open_offers(regulator, auction.pk)
    auction.refresh_from_db()
    return auction


def opened_auction(regulator, offers: dict, **kwargs):
    return open_with_bids(notified_auction(regulator, **kwargs).get(), regulator, offers)


def live_auction(regulator, offers: dict, *, name="Tranche live", draft=None):
    """An auction live now on the real clock, so that a live server (another thread) takes its offers: its tranche
    of one block was notified 60 days ago on SCHEDULE (without the pre-bid meeting), the sealed offers ({user: ipo})
    were opened (open_with_bids), and its e-auction started a minute ago (and closes in 59 minutes). The tranche is
    `draft(schedule)` of a block already made, or by default a central tranche called `name` of a new block
    CG-LI-01 (make_block)."""
    now = timezone.now()
    base = now - timedelta(days=60)
    schedule = {field: base + (moment - T0) for field, moment in SCHEDULE.items() if field != "pre_bid_meeting_at"}
    schedule["e_auction_starts_at"] = now - timedelta(minutes=1)
    if draft is None:
        block = make_block()

        def draft(schedule):
            return svc.tranche_create(
                actor=regulator, name=name, blocks=[block.code], net_worth_threshold="1000000000", **schedule
            )

    with time_machine.travel(base, tick=False):
        tranche = draft(schedule)
        svc.tranche_notify(actor=regulator, tranche_id=tranche.pk)
    auction = open_with_bids(Auction.objects.get(tranche=tranche), regulator, offers)
    assert auction.starts_at < timezone.now() < auction.closes_at
    return auction


def opened_on_the_clock(regulator, codes, offers: dict, *, e_auction_starts_at) -> list[Auction]:
    """Auctions of new blocks `codes` in one tranche, each with the sealed offers ({user: ipo}) opened, whose
    e-auctions start at `e_auction_starts_at` on the real clock (a past moment for auctions that closed already):
    for tests whose Celery worker, in a process of its own, reads the real clock. The tranche was notified 60 days
    before; each auction runs for the default 60 minutes."""
    base = e_auction_starts_at - timedelta(days=60)
    schedule = {field: base + (moment - T0) for field, moment in SCHEDULE.items() if field != "pre_bid_meeting_at"}
    schedule["e_auction_starts_at"] = e_auction_starts_at
    for i, code in enumerate(codes):
        make_block(code=code, lon=82.0 + i * 0.1)
    with time_machine.travel(base, tick=False):
        tranche = svc.tranche_create(
            actor=regulator,
            name=f"Tranche {codes[0]}",
            blocks=list(codes),
            net_worth_threshold="1000000000",
            **schedule,
        )
        svc.tranche_notify(actor=regulator, tranche_id=tranche.pk)
    auctions = list(Auction.objects.filter(tranche=tranche).order_by("block__code"))
    submit = auctions[0].document_sale_starts_at + timedelta(hours=1)
    with time_machine.travel(submit, tick=False):
        for auction in auctions:
            for user, ipo in offers.items():
                svc.participation_buy_document(actor=user, auction_id=auction.pk, payment_reference=f"UTR-{user.pk}")
                svc.participation_submit(
                    actor=user,
                    auction_id=auction.pk,
                    initial_price_offer=Decimal(ipo),
                    net_worth="2500000000",
                    bid_security_reference=f"BG-{user.pk}",
                )
    with time_machine.travel(auctions[0].bid_due_at + timedelta(seconds=1), tick=False):
        svc.auctions_sweep()
        for auction in auctions:
            for participation in auction.participations.filter(status="submitted"):
                svc.participation_evaluate(
                    actor=regulator, participation_id=participation.pk, qualified=True, reason=""
                )
    with time_machine.travel(auctions[0].opening_at, tick=False):
        for auction in auctions:
            open_offers(regulator, auction.pk)
    for auction in auctions:
        auction.refresh_from_db()
    return auctions
