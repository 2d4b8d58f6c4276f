"""20 qualified firms x 50 offers from 20 threads against one live e-auction on PostgreSQL (issue 3).

Each thread has its own database connection and offers slightly above the best it last saw, through
services.offer_place; refusals are expected. Nothing accepted may be lost, every accepted offer
must beat the one before it, and the close must be extended exactly as the rule says. The e-auction runs
on the real clock (threads cannot share time-machine's), with its close a few minutes away so that every
offer falls in the last 8 minutes and extends it.
"""

import random
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from auctions import rules
from auctions import services as svc
from auctions.models import Auction, Offer
from auctions.replay import replay
from core.errors import ApplicationError, Conflict
from ledger.models import Entry
from ledger.services import ledger_verify
from tests.factories.auction_flow import bidder, close_and_evaluate, make_block, open_offers, submit_bids

FIRMS = 20
OFFERS_PER_FIRM = 50
CLOSE_IN = timedelta(minutes=7)


def live_auction(regulator, users) -> Auction:
    """An auction opened with every firm qualified, live now by the real clock and closing in CLOSE_IN."""
    real_now = timezone.now()
    base = real_now - timedelta(days=30)
    schedule = {
        "document_sale_starts_at": base + timedelta(days=1),
        "document_sale_ends_at": base + timedelta(days=5),
        "bid_due_at": base + timedelta(days=10),
        "technical_evaluation_at": base + timedelta(days=12),
        "opening_at": base + timedelta(days=14),
        "e_auction_starts_at": real_now - timedelta(minutes=1),
    }
    make_block(code="CG-LI-77")
    duration = int((CLOSE_IN + timedelta(minutes=1)).total_seconds() // 60)
    with time_machine.travel(base, tick=False):
        tranche = svc.tranche_create(
            actor=regulator,
            name="Concurrency tranche",
            blocks=["CG-LI-77"],
            params={"duration_minutes": duration},
            tender_fee="300000",
            net_worth_threshold="1000000000",
            **schedule,
        )
        svc.tranche_notify(actor=regulator, tranche_id=tranche.pk)
    auction = Auction.objects.get(tranche=tranche)
    # Ten distinct IPOs, each held by two firms: ten ranks, all within the qualifying half, so all twenty qualify.
    submit_bids(auction, {user: f"{10 + i // 2}.00" for i, user in enumerate(users)})
    close_and_evaluate(auction, regulator)
    with time_machine.travel(auction.opening_at, tick=False):
        open_offers(regulator, auction.pk)
    auction.refresh_from_db()
    assert auction.participations.filter(qualified=True).count() == FIRMS
    assert auction.starts_at <= timezone.now() < auction.closes_at - timedelta(minutes=6)
    return auction


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_offers_lose_nothing_and_follow_the_rules(postgres, regulator):
    users = [bidder(f"Firm{i:02d}") for i in range(FIRMS)]
    auction = live_auction(regulator, users)
    params = rules.AuctionParams.from_json(auction.params)
    opening_close = auction.closes_at
    accepted: list[list[Decimal]] = [[] for _ in users]
    refused = [0] * FIRMS
    failures: list[BaseException] = []
    start = threading.Barrier(FIRMS)

    def bid(index: int, user) -> None:
        rng = random.Random(index)
        try:
            start.wait(timeout=30)
            for _ in range(OFFERS_PER_FIRM):
                seen = Auction.objects.values_list("best_offer", "floor_price").get(pk=auction.pk)
                best = seen[0] if seen[0] is not None else seen[1]
                value = best + params.min_increment * rng.randint(1, 3)
                try:
                    offer = svc.offer_place(actor=user, auction_id=auction.pk, value=value)
                except (ApplicationError, Conflict) as exc:
                    assert getattr(exc, "code", "") == "offer_too_low", exc.message
                    refused[index] += 1
                else:
                    accepted[index].append(offer.value)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=bid, args=(i, u), daemon=True) for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert not any(t.is_alive() for t in threads), "a bidding thread did not finish in 4 minutes"
    assert failures == []

    accepted_values = [v for values in accepted for v in values]
    assert len(accepted_values) + sum(refused) == FIRMS * OFFERS_PER_FIRM
    assert accepted_values, "no offer was accepted"
    auction.refresh_from_db()
    offers = list(Offer.objects.filter(auction=auction).order_by("seq"))
    ledger_offers = list(Entry.objects.filter(stream=auction.stream, kind="offer").order_by("seq"))
    # No accepted offer is lost, none is counted twice.
    assert len(offers) == len(accepted_values) == auction.offer_count == len(ledger_offers)
    assert sorted(o.value for o in offers) == sorted(accepted_values)
    # The best is the maximum accepted, held by the firm that offered it.
    assert auction.best_offer == max(accepted_values)
    assert auction.best_participation_id == offers[-1].participation_id
    # Numbered without gaps, each beating the one before it by at least the increment.
    assert [o.seq for o in offers] == list(range(1, len(offers) + 1))
    assert offers[0].value >= auction.floor_price + params.min_increment
    for before, after in zip(offers, offers[1:], strict=False):
        assert after.value >= before.value + params.min_increment, (before.seq, before.value, after.value)
        assert after.placed_at >= before.placed_at
    assert [Decimal(e.payload["value"]) for e in ledger_offers] == [o.value for o in offers]
    # The close, extended by each offer as the rule says.
    close = opening_close
    for offer in offers:
        close = rules.extended_close(closes_at=close, offer_at=offer.placed_at, params=params)
    assert close > opening_close
    assert auction.closes_at == close == offers[-1].placed_at + timedelta(minutes=params.extension_minutes)
    # The ledger verifies, and a replay of it agrees on every point.
    assert ledger_verify(stream=auction.stream).ok
    entries = [e.as_dict() for e in Entry.objects.filter(stream=auction.stream).order_by("seq")]
    result = replay(auction.pk, entries)
    assert result.disagreements == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_offer_already_too_low_is_refused_at_once_while_another_offer_holds_the_room(postgres, regulator):
    """A stale offer (below the best that is already committed) is refused without waiting for the auction's row
    lock, which a slow acceptance may be holding; a valid offer waits for it and is then judged as usual."""
    users = [bidder(f"Firm{i:02d}") for i in range(FIRMS)]
    auction = live_auction(regulator, users)
    first = svc.offer_place(actor=users[0], auction_id=auction.pk, value=auction.floor_price + Decimal("1.00"))
    locked, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def hold_the_row() -> None:
        try:
            with transaction.atomic():
                Auction.objects.select_for_update().get(pk=auction.pk)
                locked.set()
                release.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row, daemon=True)
    holder.start()
    assert locked.wait(timeout=10)
    valid: list = []
    valid_offer = threading.Thread(
        target=lambda: (
            valid.append(svc.offer_place(actor=users[2], auction_id=auction.pk, value=first.value + 1)),
            connection.close(),
        ),
        daemon=True,
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting for the lock would fail this test, not hang it
        started = time.monotonic()
        with pytest.raises(ApplicationError) as refused:
            svc.offer_place(actor=users[1], auction_id=auction.pk, value=first.value)
        assert time.monotonic() - started < 1.5
        assert refused.value.code == "offer_too_low"
        assert f"the smallest valid offer is {first.value + Decimal('0.05')}%" in refused.value.message
        valid_offer.start()
        valid_offer.join(timeout=1)
        assert valid_offer.is_alive() and valid == []  # the valid offer waits for the row
    finally:
        release.set()
        holder.join(timeout=10)
    valid_offer.join(timeout=10)
    assert failures == []
    assert [o.value for o in valid] == [first.value + 1]
    auction.refresh_from_db()
    assert auction.best_offer == first.value + 1 and auction.offer_count == 2
