"""The service alone (offer_place in-process: how long the auction row stays locked), and the invariants every
auction used must hold after the run."""

import time
from datetime import datetime
from decimal import Decimal

from bench import common
from bench.e_auction.bidders import INCREMENT


def check_invariants(auction_id: int, records: list) -> list[str]:
    """The concurrency test's invariants, on the database after the run; returns the problems found."""
    from auctions import rules
    from auctions.models import Auction, Offer
    from auctions.replay import replay
    from ledger.models import Entry
    from ledger.services import ledger_verify

    problems = []
    accepted = [Decimal(r[3]) for r in records if r[0] == auction_id and r[1] == 201]
    auction = Auction.objects.get(pk=auction_id)
    params = rules.AuctionParams.from_json(auction.params)
    offers = list(Offer.objects.filter(auction=auction).order_by("seq"))
    entries = [e.as_dict() for e in Entry.objects.filter(stream=auction.stream).order_by("seq")]
    ledger_offers = [e for e in entries if e["kind"] == "offer"]
    counts = (len(offers), len(accepted), auction.offer_count, len(ledger_offers))
    if len(set(counts)) != 1:
        problems.append(f"offers lost or doubled: rows, 201s, offer_count, ledger = {counts}")
    if sorted(o.value for o in offers) != sorted(accepted):
        problems.append("the accepted values differ from the stored offers")
    if accepted and auction.best_offer != max(accepted):
        problems.append(f"best offer {auction.best_offer} is not the maximum accepted {max(accepted)}")
    if [o.seq for o in offers] != list(range(1, len(offers) + 1)):
        problems.append("seq has gaps")
    for before, after in zip(offers, offers[1:], strict=False):
        if after.value < before.value + params.min_increment:
            problems.append(f"offer {after.seq} ({after.value}) does not beat {before.value} by the increment")
            break
    opened = next(e for e in entries if e["kind"] == "opened")
    close = datetime.fromisoformat(opened["payload"]["closes_at"])
    for offer in offers:
        close = rules.extended_close(closes_at=close, offer_at=offer.placed_at, params=params)
    if close != auction.closes_at:
        problems.append(f"close {auction.closes_at} is not the rule's {close}")
    if not ledger_verify(stream=auction.stream).ok:
        problems.append("the ledger does not verify")
    result = replay(auction_id, entries)
    if not result.agrees:
        problems.append("the replay disagrees at: " + ", ".join(c.name for c in result.disagreements))
    return problems


def lock_hold(auction_id: int, *, offers: int = 200) -> dict:
    """offer_place called in this process, one offer after another (no HTTP, no contention): the time per offer,
    and how long the auction row stays locked (from its SELECT ... FOR UPDATE to the commit). One auction
    cannot take offers faster than one per lock hold, however many web workers there are."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from auctions import services as svc
    from auctions.models import Auction

    users = list(get_user_model().objects.filter(username__startswith="bench-bidder-").order_by("username")[:2])
    locked_at, holds, totals, records = [0.0], [], [], []

    def watch(execute, sql, params, many, context):
        if "FOR UPDATE" in sql and '"auctions_auction"' in sql:
            locked_at[0] = time.perf_counter()
        return execute(sql, params, many, context)

    best = Auction.objects.get(pk=auction_id).floor_price
    with connection.execute_wrapper(watch):
        for i in range(offers):
            best += INCREMENT
            started = time.perf_counter()
            offer = svc.offer_place(actor=users[i % 2], auction_id=auction_id, value=best)
            ended = time.perf_counter()
            holds.append(ended - locked_at[0])
            totals.append(ended - started)
            records.append((auction_id, 201, ended - started, str(offer.value), offer.seq, None, ""))
    return {
        "records": records,
        "service": common.figures("offer_place in-process, sequential", totals, sum(totals)),
        "lock": common.figures("auction row locked per offer", holds, sum(holds)),
    }
