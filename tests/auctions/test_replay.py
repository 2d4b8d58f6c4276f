"""Replay of an auction from its ledger alone: a true ledger agrees on every point; a forged one is caught
at the point that was forged, even when the forger rewrote every hash after it."""

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command

from auctions import services as svc
from auctions.replay import ANNULLED, IN_PROGRESS, SETTLED, replay
from ledger import chain
from ledger.models import Entry
from tests.factories.auction_flow import (
    bidder,
    close_and_evaluate,
    notified_auction,
    open_offers,
    opened_auction,
    submit_bids,
)

pytestmark = pytest.mark.django_db


def entries_of(auction) -> list[dict]:
    return [e.as_dict() for e in Entry.objects.filter(stream=auction.stream).order_by("seq")]


def rehash(auction, entries: list[dict]) -> list[dict]:
    """What a forger who rewrites the whole chain after a change does: every seq, prev_hash and hash anew."""
    prev = chain.GENESIS
    for seq, entry in enumerate(entries, start=1):
        entry["seq"], entry["prev_hash"] = seq, prev
        entry["hash"] = chain.entry_hash(
            stream=auction.stream, seq=seq, at=entry["at"], kind=entry["kind"], payload=entry["payload"], prev_hash=prev
        )
        prev = entry["hash"]
    return entries


def disagreeing(result) -> list[str]:
    return [c.name for c in result.disagreements]


def of_kind(entries, kind) -> list[dict]:
    return [e for e in entries if e["kind"] == kind]


@pytest.fixture
def firms():
    return {name: bidder(name) for name in ("Asha", "Bharat", "Chitra", "Dev")}


@pytest.fixture
def settled(regulator, firms):
    """Four TQB (two tied), four offers, the last one in the final minutes extending the close; settled."""
    a, b, c, d = firms.values()
    auction = opened_auction(regulator, {a: "12", b: "13.50", c: "13.50", d: "11"})
    with time_machine.travel(auction.starts_at + timedelta(minutes=1), tick=False):
        svc.offer_place(actor=a, auction_id=auction.pk, value="13.55")
        svc.offer_place(actor=b, auction_id=auction.pk, value="14")
    with time_machine.travel(auction.starts_at + timedelta(minutes=30), tick=False):
        svc.offer_place(actor=d, auction_id=auction.pk, value="14.05")
    with time_machine.travel(auction.closes_at - timedelta(minutes=3), tick=False):
        svc.offer_place(actor=c, auction_id=auction.pk, value="15.20")
    auction.refresh_from_db()
    with time_machine.travel(auction.closes_at + timedelta(seconds=5), tick=False):
        assert svc.auctions_sweep()["settled"] == [auction.pk]
    auction.refresh_from_db()
    return auction


def test_a_settled_auction_replays_and_agrees_on_every_point(settled):
    result = replay(settled.pk, entries_of(settled))
    assert result.outcome == SETTLED
    assert disagreeing(result) == []
    names = [c.name for c in result.checks]
    for expected in (
        "ledger chain",
        "order of events",
        "parameters of the Rules",
        "bid security",
        "bids received",
        "technical evaluation",
        "technically qualified bidders",
        "minimum of technically qualified bidders",
        "initial price offer of Asha Ltd",
        "initial price offer of Dev Ltd",
        "ranking",
        "qualified bidders",
        "floor price",
        "e-auction window",
        "offer 1",
        "offer 4: close",
        "close",
        "bidder tokens",
        "winning offer",
        "preferred bidder",
    ):
        assert expected in names
    checks = {c.name: c for c in result.checks}
    assert checks["preferred bidder"].recomputed.startswith("Chitra Ltd (")
    assert checks["winning offer"].recomputed == "15.20%"
    assert checks["floor price"].recomputed == "13.50%"
    assert checks["ranking"].recomputed == "Bharat Ltd 1, Chitra Ltd 1, Asha Ltd 2, Dev Ltd 3"
    assert checks["offer 4: close"].recomputed.endswith("(extended)")
    assert checks["close"].published == settled.closes_at.astimezone(UTC).isoformat(timespec="microseconds")


def test_an_altered_entry_breaks_the_chain_at_that_entry(settled):
    entries = entries_of(settled)
    closed = of_kind(entries, "closed")[0]
    closed["payload"]["preferred_bidder"] = "Asha Ltd"
    result = replay(settled.pk, entries)
    checks = {c.name: c for c in result.checks}
    assert not checks["ledger chain"].agrees
    assert f"broken at entry {closed['seq']}" in checks["ledger chain"].recomputed


def test_a_changed_initial_price_offer_fails_its_commitment(settled):
    entries = entries_of(settled)
    asha = next(i for i in of_kind(entries, "opened")[0]["payload"]["technically_qualified"] if i["firm"] == "Asha Ltd")
    asha["initial_price_offer"] = "12.50"
    result = replay(settled.pk, rehash(settled, entries))
    assert disagreeing(result) == ["initial price offer of Asha Ltd"]
    assert "does not match its commitment" in result.disagreements[0].recomputed


def test_a_raised_ipo_that_would_change_the_floor_is_caught_at_the_commitment_and_the_floor(settled):
    entries = entries_of(settled)
    opened = of_kind(entries, "opened")[0]["payload"]
    dev = next(i for i in opened["technically_qualified"] if i["firm"] == "Dev Ltd")
    dev["initial_price_offer"] = "13.60"
    result = replay(settled.pk, rehash(settled, entries))
    assert {"initial price offer of Dev Ltd", "ranking", "floor price"} <= set(disagreeing(result))


def test_reordered_offers_are_caught_at_the_offer_that_moved(settled):
    entries = entries_of(settled)
    offers = of_kind(entries, "offer")
    i, j = entries.index(offers[1]), entries.index(offers[2])
    entries[i], entries[j] = entries[j], entries[i]  # offer 3 (14.05) now comes before offer 2 (14)
    result = replay(settled.pk, rehash(settled, entries))
    bad = disagreeing(result)
    assert bad[0] == "offer 2"
    assert "numbered 3" in result.disagreements[0].recomputed
    assert "offer 3" in bad


def test_a_changed_winner_is_caught_at_the_preferred_bidder(settled):
    entries = entries_of(settled)
    closed = of_kind(entries, "closed")[0]["payload"]
    closed["preferred_bidder"], closed["preferred_bidder_cin"] = "Asha Ltd", "U13100MH2020PTC999999"
    result = replay(settled.pk, rehash(settled, entries))
    assert disagreeing(result) == ["preferred bidder"]
    assert result.disagreements[0].recomputed.startswith("Chitra Ltd")


def test_a_changed_winning_offer_is_caught(settled):
    entries = entries_of(settled)
    of_kind(entries, "closed")[0]["payload"]["winning_offer"] = "16.00"
    result = replay(settled.pk, rehash(settled, entries))
    assert disagreeing(result) == ["winning offer"]


def test_an_offer_below_the_increment_slipped_in_is_caught_where_it_was_slipped_in(settled):
    entries = entries_of(settled)
    offers = of_kind(entries, "offer")
    forged = copy.deepcopy(offers[2])  # after offer 3 (14.05): 14.06 beats it by less than 0.05
    forged["payload"]["value"] = "14.06"
    entries.insert(entries.index(offers[2]) + 1, forged)
    for number, entry in enumerate(of_kind(entries, "offer"), start=1):
        entry["payload"]["seq"] = number
    of_kind(entries, "closed")[0]["payload"]["offers"] = 5
    result = replay(settled.pk, rehash(settled, entries))
    assert disagreeing(result) == ["offer 4"]
    assert "smallest valid offer is 14.10%" in result.disagreements[0].recomputed


def test_an_offer_after_the_close_is_caught(settled):
    entries = entries_of(settled)
    last = of_kind(entries, "offer")[-1]
    late = copy.deepcopy(last)
    after = datetime.fromisoformat(last["payload"]["closes_at"]) + timedelta(seconds=1)
    late["payload"].update(seq=5, value="16.00", at=after.isoformat(timespec="microseconds"))
    entries.insert(entries.index(last) + 1, late)
    closed = of_kind(entries, "closed")[0]["payload"]
    closed.update(offers=5, winning_offer="16.00")
    result = replay(settled.pk, rehash(settled, entries))
    assert "offer 5" in disagreeing(result)
    assert "outside the e-auction" in next(c for c in result.checks if c.name == "offer 5").recomputed


def test_a_stretched_extension_is_caught_at_the_offer_that_claimed_it(settled):
    entries = entries_of(settled)
    last = of_kind(entries, "offer")[-1]["payload"]
    last["closes_at"] = (datetime.fromisoformat(last["closes_at"]) + timedelta(minutes=30)).isoformat()
    of_kind(entries, "closed")[0]["payload"]["closed_at"] = last["closes_at"]
    result = replay(settled.pk, rehash(settled, entries))
    assert disagreeing(result) == ["offer 4: close", "close"]  # and the settlement came before the claimed close
    assert "before the close" in result.disagreements[1].recomputed


@pytest.mark.parametrize(
    ("parameter", "value", "caught_at"),
    [
        ("min_increment", "1.00", "offer 1"),  # 13.55 does not beat the floor 13.50 by 1.00
        ("duration_minutes", 90, "e-auction window"),
        ("bid_security_pct", "0.50", "bid security"),
        ("qualified_top_ranks", 2, "qualified bidders"),  # with 4 TQB: ranks 1 and 2 only, not Dev Ltd
        ("min_tqb_first_attempt", 5, "minimum of technically qualified bidders"),
    ],
)
def test_a_changed_parameter_is_caught_where_it_matters(settled, parameter, value, caught_at):
    entries = entries_of(settled)
    entries[0]["payload"]["params"][parameter] = value
    result = replay(settled.pk, rehash(settled, entries))
    assert caught_at in disagreeing(result)
    assert "ledger chain" not in disagreeing(result)


def test_an_unknown_parameter_is_reported(settled):
    entries = entries_of(settled)
    entries[0]["payload"]["params"]["secret_bonus"] = "1"
    assert disagreeing(replay(settled.pk, rehash(settled, entries))) == ["parameters of the Rules"]


def test_a_commitment_added_at_the_bid_due_date_shows_in_the_evaluation(settled):
    entries = entries_of(settled)
    closing = of_kind(entries, "bids_closed")[0]["payload"]
    closing["commitments"] = sorted(closing["commitments"] + ["f" * 64])
    closing["bid_count"] += 1
    result = replay(settled.pk, rehash(settled, entries))
    assert disagreeing(result) == ["technical evaluation"]
    assert "1 never evaluated" in result.disagreements[0].recomputed


def test_an_entry_out_of_order_is_reported(settled):
    entries = entries_of(settled)
    entries.append(copy.deepcopy(of_kind(entries, "offer")[-1]))  # an offer after the close
    result = replay(settled.pk, rehash(settled, entries))
    assert "order of events" in disagreeing(result)


def test_a_malformed_entry_is_reported_not_raised(settled):
    entries = entries_of(settled)
    del of_kind(entries, "offer")[1]["payload"]["value"]
    result = replay(settled.pk, rehash(settled, entries))
    assert "offer 2" in disagreeing(result)
    assert "cannot be read" in next(c for c in result.checks if c.name == "offer 2").recomputed


def test_an_auction_annulled_for_too_few_tqb_replays(regulator, firms):
    a, b, c, _ = firms.values()
    auction = notified_auction(regulator).get()
    submit_bids(auction, {a: "12", b: "13", c: "14"})
    close_and_evaluate(auction, regulator, disqualify=[c])
    with time_machine.travel(auction.opening_at, tick=False):
        open_offers(regulator, auction.pk)
    entries = entries_of(auction)
    result = replay(auction.pk, entries)
    assert result.outcome == ANNULLED and result.agrees
    checks = {c.name: c for c in result.checks}
    assert checks["annulment"].recomputed.startswith("fewer than 3 TQB (attempt 1, 3 bid(s), 2 TQB")

    of_kind(entries, "annulled")[0]["payload"]["reason"] = "no bid"
    assert disagreeing(replay(auction.pk, rehash(auction, entries))) == ["annulment"]


def test_a_second_attempt_replays_under_its_own_minimum(regulator, firms):
    a, b, c, d = firms.values()
    first = notified_auction(regulator).get()
    submit_bids(first, {a: "12"})
    close_and_evaluate(first, regulator)
    with time_machine.travel(first.opening_at, tick=False):
        open_offers(regulator, first.pk)
        second = svc.auction_renotify(actor=regulator, auction_id=first.pk)
    submit_bids(second, {d: "11"})
    close_and_evaluate(second, regulator)
    with time_machine.travel(second.opening_at, tick=False):
        open_offers(regulator, second.pk)
    result = replay(second.pk, entries_of(second))
    assert result.outcome == IN_PROGRESS and result.agrees
    assert (
        "attempt 2 needs 1" in {c.name: c for c in result.checks}["minimum of technically qualified bidders"].recomputed
    )
    assert replay(first.pk, entries_of(first)).agrees


def test_an_auction_annulled_for_no_bid_replays(regulator):
    auction = notified_auction(regulator).get()
    with time_machine.travel(auction.bid_due_at, tick=False):
        svc.auctions_sweep()
    result = replay(auction.pk, entries_of(auction))
    assert result.outcome == ANNULLED and result.agrees
    assert {c.name: c for c in result.checks}["annulment"].published.startswith("no bid")


def test_an_auction_annulled_for_no_final_offer_replays(regulator, firms):
    a, b, c, _ = firms.values()
    auction = opened_auction(regulator, {a: "12", b: "13", c: "14"})
    with time_machine.travel(auction.closes_at, tick=False):
        svc.auctions_sweep()
    result = replay(auction.pk, entries_of(auction))
    assert result.outcome == ANNULLED and result.agrees
    assert {c.name: c for c in result.checks}["annulment"].recomputed.startswith("no final offer")


def test_a_live_auction_replays_as_far_as_its_ledger_goes(regulator, firms):
    a, b, c, _ = firms.values()
    auction = opened_auction(regulator, {a: "12", b: "13", c: "14"})
    with time_machine.travel(auction.starts_at + timedelta(minutes=1), tick=False):
        svc.offer_place(actor=a, auction_id=auction.pk, value="14.05")
    result = replay(auction.pk, entries_of(auction))
    assert result.outcome == IN_PROGRESS and result.agrees
    assert "bidder tokens" not in [c.name for c in result.checks]  # the salt is published only at the close


# --- manage.py replay_auction -------------------------------------------------------------------------------


def test_the_command_prints_every_point_and_succeeds_when_all_agree(settled, capsys):
    call_command("replay_auction", str(settled.pk))
    out = capsys.readouterr().out
    assert f"Replay of auction {settled.pk}" in out
    assert "preferred bidder" in out and "Chitra Ltd" in out
    assert "points agree with what was published" in out


def test_the_command_fails_on_a_disagreement(settled):
    # The ledger refuses UPDATE and DELETE, but a forged entry can be appended with a valid hash.
    head = Entry.objects.filter(stream=settled.stream).order_by("-seq").first()
    payload = {"seq": 5, "value": "99.00", "at": head.at, "bidder_token": "0" * 16, "closes_at": head.at}
    payload["extended"] = False
    seq = head.seq + 1
    digest = chain.entry_hash(
        stream=settled.stream, seq=seq, at=head.at, kind="offer", payload=payload, prev_hash=head.hash
    )
    Entry.objects.create(
        stream=settled.stream, seq=seq, at=head.at, kind="offer", payload=payload, prev_hash=head.hash, hash=digest
    )
    with pytest.raises(CommandError, match="disagree with what was published: order of events"):
        call_command("replay_auction", str(settled.pk), "--quiet")


def test_the_command_names_an_unknown_auction():
    with pytest.raises(CommandError, match="there is no auction 9999"):
        call_command("replay_auction", "9999")


# --- GET /api/v1/public/auctions/{id}/replay ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "plain_user", "firm_user", "other_firm_user", "regulator"])
def test_every_role_gets_the_same_public_replay(settled, role, request, api_as):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    response = api_as(user).get(f"/api/v1/public/auctions/{settled.pk}/replay")
    assert response.status_code == 200
    body = response.json()
    assert body["auction"] == settled.pk and body["stream"] == settled.stream
    assert body["outcome"] == "settled" and body["agrees"] is True
    assert body["entries"] == Entry.objects.filter(stream=settled.stream).count()
    winner = next(c for c in body["checks"] if c["name"] == "preferred bidder")
    assert winner["agrees"] is True and winner["recomputed"].startswith("Chitra Ltd")
    assert "public" in response["Cache-Control"]


def test_the_replay_of_an_unknown_auction_is_a_404_that_says_so(api):
    response = api.get("/api/v1/public/auctions/9999/replay")
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith("There is no auction 9999")


def test_the_replay_reports_a_forged_entry(settled, api):
    head = Entry.objects.filter(stream=settled.stream).order_by("-seq").first()
    payload = {"reason": "no final offer", "attempt": 1}
    seq = head.seq + 1
    digest = chain.entry_hash(
        stream=settled.stream, seq=seq, at=head.at, kind="annulled", payload=payload, prev_hash=head.hash
    )
    Entry.objects.create(
        stream=settled.stream, seq=seq, at=head.at, kind="annulled", payload=payload, prev_hash=head.hash, hash=digest
    )
    body = api.get(f"/api/v1/public/auctions/{settled.pk}/replay").json()
    assert body["agrees"] is False
    assert [c["name"] for c in body["checks"] if not c["agrees"]][0] == "order of events"


def test_the_winning_offer_value_is_a_percentage_string(settled, api):
    body = api.get(f"/api/v1/public/auctions/{settled.pk}/replay").json()
    winning = next(c for c in body["checks"] if c["name"] == "winning offer")
    assert Decimal(winning["published"].rstrip("%")) == settled.best_offer
