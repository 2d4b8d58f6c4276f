"""Exploration-licence auctions (RULES.md s.4), built through the real services with time moved by time-machine.

An EL block by default: gold in Rajasthan (a State's block: gold is in the Seventh Schedule, not in Part D), at
G3, about 1.1 km², with a ceiling of 30.00% on the share of the future auction premium.
"""

import itertools
from datetime import timedelta
from decimal import Decimal

import time_machine

from auctions import services as svc
from auctions.models import Auction, Tranche
from blocks.services import block_create
from core.money import CRORE
from tests.factories import FirmFactory, MembershipFactory, UserFactory, square_boundary
from tests.factories.auction_flow import SCHEDULE, T0, open_with_bids

CEILING = "30.00"
_places = itertools.count()


def el_block(code="RJ-AU-01", *, minerals=("gold",), stage="G3", ceiling=CEILING, size=0.01, state="Rajasthan"):
    """A block registered through the registry's service, placed apart from every other block."""
    place = next(_places)
    return block_create(
        actor=None,
        code=code,
        name=f"{code} Exploration Block",
        state=state,
        district="Banswara",
        minerals=list(minerals),
        exploration_stage=stage,
        boundary=square_boundary(74.0 + (place % 10) * 0.4, 24.0 + (place // 10) * 0.4, size),
        reserve_price_pct=ceiling,
        resources=[{"mineral": minerals[0], "quantity_tonnes": "1000", "price_per_tonne": "5000000"}],
    )


def el_tranche(regulator, codes, *, name=None, net_worth_threshold=None, params=None, schedule=None) -> Tranche:
    """A draft exploration-licence tranche, made at T0."""
    with time_machine.travel(T0, tick=False):
        return svc.tranche_create(
            actor=regulator,
            kind=Tranche.Kind.EXPLORATION,
            name=name or f"EL tranche {codes[0]}",
            blocks=list(codes),
            params=params,
            tender_fee="100000",
            net_worth_threshold=net_worth_threshold,
            **(schedule or SCHEDULE),
        )


def el_auction(regulator, code="RJ-AU-01", *, params=None, schedule=None, **block) -> Auction:
    """A notified EL auction of a new block."""
    el_block(code, **block)
    tranche = el_tranche(regulator, [code], params=params, schedule=schedule)
    with time_machine.travel(T0, tick=False):
        svc.tranche_notify(actor=regulator, tranche_id=tranche.pk)
    return Auction.objects.get(tranche=tranche)


def el_bidder(name, *, net_worth=Decimal("50") * CRORE, incorporated_in_india=True):
    """A firm's administrator; the firm as recorded: its net worth and whether it is registered in India."""
    firm = FirmFactory(
        legal_name=f"{name} Exploration Ltd", net_worth=net_worth, incorporated_in_india=incorporated_in_india
    )
    return MembershipFactory(user=UserFactory(username=name.lower()), firm=firm).user


def el_opened(regulator, offers: dict, **kwargs) -> Auction:
    """An EL auction whose sealed offers ({user: ipo}) were submitted, evaluated (all qualified) and opened."""
    return open_with_bids(el_auction(regulator, **kwargs), regulator, offers)


def el_offers(auction, offers, *, minutes=5):
    """Final price offers [(user, value)] placed one minute apart from `minutes` into the e-auction."""
    for i, (user, value) in enumerate(offers):
        with time_machine.travel(auction.starts_at + timedelta(minutes=minutes + i), tick=False):
            svc.offer_place(actor=user, auction_id=auction.pk, value=value)
    auction.refresh_from_db()
    return auction


def el_settle(auction) -> Auction:
    with time_machine.travel(auction.closes_at + timedelta(seconds=5), tick=False):
        svc.auctions_sweep()
    auction.refresh_from_db()
    return auction
