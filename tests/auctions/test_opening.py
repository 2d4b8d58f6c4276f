"""The opening of the initial price offers as a worker's job: started by the regulator or by the clock, once, with
what the regulators and the bidders are told. Time moves with time-machine; the task runs here, eagerly through
Celery where the test is about the whole path (outbox -> task), or as its body. A real worker on Redis opens a
tranche in tests/auctions/test_opening_worker.py."""

import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auctions import lifecycle
from auctions import services as svc
from auctions.models import Auction
from auctions.tasks import auction_open as auction_open_task
from core.errors import Conflict
from core.models import OutboxMessage
from ledger.models import Entry
from tests.factories.auction_flow import (
    SCHEDULE,
    T0,
    bidder,
    close_and_evaluate,
    make_block,
    notified_auction,
    submit_bids,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager(settings):
    """Celery runs a task where it is sent (the outbox relays it once the act commits)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


@pytest.fixture
def firms():
    return [bidder(name) for name in ("Asha", "Bharat", "Chitra")]


@pytest.fixture
def auction(regulator, firms):
    """Three sealed offers, bids closed at the due date, none evaluated yet."""
    auction = notified_auction(regulator).get()
    submit_bids(auction, dict(zip(firms, ("12.00", "13.00", "14.00"), strict=True)))
    with time_machine.travel(auction.bid_due_at + timedelta(seconds=1), tick=False):
        svc.auctions_sweep()
    auction.refresh_from_db()
    return auction


def sweep(at, capture):
    """The beat's sweeper at `at`, with what it queues relayed to Celery (eager: run here) once it commits."""
    with time_machine.travel(at, tick=False), capture(execute=True):
        return svc.auctions_sweep()


def evaluate(regulator, auction, firm_user, *, qualified=True, at, capture):
    participation = auction.participations.get(firm__memberships__user=firm_user)
    with time_machine.travel(at, tick=False), capture(execute=True):
        svc.participation_evaluate(actor=regulator, participation_id=participation.pk, qualified=qualified,
                                   reason="" if qualified else "No net-worth certificate")  # fmt: skip


def visit(user, url, *, at, data=None, follow=False):
    """One page request as `user` at the moment `at`; a POST when data is given."""
    client = Client()
    with time_machine.travel(at, tick=False):
        client.force_login(user)
        return client.get(url) if data is None else client.post(url, data, follow=follow)


def text(response) -> str:
    """The visible text of a page, whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def desk_text(user, auction, *, at):
    return text(visit(user, reverse("flow:auction_desk", args=[auction.pk]), at=at))


def entries(auction, kind):
    return list(Entry.objects.filter(stream=auction.stream, kind=kind))


def titles(user):
    return [n.title for n in user.notifications.order_by("pk")]


def test_at_the_opening_time_the_sweeper_opens_the_offers_without_a_click(
    regulator, auction, firms, eager, django_capture_on_commit_callbacks
):
    close_and_evaluate(auction, regulator)
    assert sweep(auction.opening_at - timedelta(seconds=1), django_capture_on_commit_callbacks)["opening"] == {}
    auction.refresh_from_db()
    assert auction.status == Auction.Status.EVALUATION and auction.opening_status == ""

    done = sweep(auction.opening_at, django_capture_on_commit_callbacks)
    assert done["opening"] == {auction.pk: "queued"}
    auction.refresh_from_db()
    assert auction.status == Auction.Status.OPENED and auction.floor_price == 14
    assert (auction.opening_status, auction.opening_requested_by, auction.opening_requested_at) == (
        Auction.Opening.DONE, None, auction.opening_at
    )  # fmt: skip
    assert auction.opening_started_at <= auction.opening_finished_at
    assert len(entries(auction, "opened")) == 1
    for firm_user in firms:
        assert titles(firm_user) == ["You qualified for the e-auction of CG-LI-01"]
    assert sweep(auction.opening_at + timedelta(minutes=1), django_capture_on_commit_callbacks)["opening"] == {}
    assert len(entries(auction, "opened")) == 1


def test_unevaluated_bids_at_the_opening_time_open_nothing_tell_the_regulator_and_open_after_the_last_evaluation(
    regulator, auction, firms, eager, django_capture_on_commit_callbacks
):
    asha, bharat, chitra = firms
    for firm_user in (asha, bharat):
        evaluate(regulator, auction, firm_user, at=auction.bid_due_at + timedelta(hours=1),
                 capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert sweep(auction.opening_at, django_capture_on_commit_callbacks)["opening"] == {auction.pk: "waiting"}
    auction.refresh_from_db()
    assert auction.status == Auction.Status.EVALUATION and auction.opening_status == Auction.Opening.WAITING
    assert not auction.participations.filter(initial_price_offer__isnull=False).exists()
    told = regulator.notifications.get()
    assert told.title == "Opening of CG-LI-01 waits: 1 technical bid(s) not evaluated"
    assert "Chitra Ltd are not evaluated yet, so nothing was opened" in told.body
    assert told.url == f"/regulator/auctions/{auction.pk}/"
    desk = desk_text(regulator, auction, at=auction.opening_at + timedelta(minutes=5))
    assert "Opening of the initial offers: Waiting for the technical evaluation" in desk
    assert "came with 1 technical bid(s) still to evaluate, so nothing was opened" in desk

    sweep(auction.opening_at + timedelta(minutes=10), django_capture_on_commit_callbacks)
    assert regulator.notifications.count() == 1  # told once
    last = auction.opening_at + timedelta(hours=2)
    evaluate(regulator, auction, chitra, at=last, capture=django_capture_on_commit_callbacks)
    auction.refresh_from_db()
    assert auction.status == Auction.Status.OPENED and auction.opened_at == last  # opened by the last evaluation
    assert auction.opening_requested_by is None and len(entries(auction, "opened")) == 1


def test_too_few_qualified_bidders_annul_at_the_opening_time_without_a_click_with_the_reason_in_the_ledger(
    regulator, auction, firms, eager, django_capture_on_commit_callbacks
):
    close_and_evaluate(auction, regulator, disqualify=[firms[2]])
    assert sweep(auction.opening_at, django_capture_on_commit_callbacks)["opening"] == {auction.pk: "queued"}
    auction.refresh_from_db()
    assert (auction.status, auction.annulment_reason) == (Auction.Status.ANNULLED, "fewer than 3 TQB")
    assert auction.opening_status == Auction.Opening.DONE and auction.settled_at == auction.opening_at
    [annulled] = entries(auction, "annulled")
    assert annulled.payload == {"reason": "fewer than 3 TQB", "attempt": 1}
    assert not entries(auction, "opened")
    assert not auction.participations.filter(initial_price_offer__isnull=False).exists()  # never opened
    for firm_user in firms:
        assert titles(firm_user) == ["Auction of CG-LI-01 annulled: fewer than 3 TQB"]
    auction.block.refresh_from_db()
    assert auction.block.status == "annulled"


def test_the_minimum_of_qualified_bidders_is_the_auctions_parameter(regulator, firms, eager,
                                                                     django_capture_on_commit_callbacks):  # fmt: skip
    auction = notified_auction(regulator, params={"min_tqb_first_attempt": 2}).get()
    submit_bids(auction, dict(zip(firms, ("12.00", "13.00", "14.00"), strict=True)))
    close_and_evaluate(auction, regulator, disqualify=[firms[2]])
    sweep(auction.opening_at, django_capture_on_commit_callbacks)
    auction.refresh_from_db()
    assert auction.status == Auction.Status.OPENED and auction.floor_price == 13


def test_a_task_delivered_twice_opens_the_auction_once(regulator, auction, firms):
    close_and_evaluate(auction, regulator)
    with time_machine.travel(auction.opening_at, tick=False):
        svc.auction_open(actor=regulator, auction_id=auction.pk)
        assert [auction_open_task(auction.pk), auction_open_task(auction.pk)] == ["opened", "not claimed"]
    assert len(entries(auction, "opened")) == 1
    for firm_user in firms:
        assert titles(firm_user) == ["You qualified for the e-auction of CG-LI-01"]


def test_asking_twice_queues_the_opening_once(regulator, auction):
    close_and_evaluate(auction, regulator)
    with time_machine.travel(auction.opening_at - timedelta(seconds=30), tick=False):
        first = svc.auction_open(actor=regulator, auction_id=auction.pk)
        second = svc.auction_open(actor=regulator, auction_id=auction.pk)
        svc.auctions_sweep()  # not yet its time; and asked for anyway
    with time_machine.travel(auction.opening_at, tick=False):
        svc.auctions_sweep()  # its time: already asked for, 30 s ago
    assert first.opening_status == second.opening_status == Auction.Opening.QUEUED
    assert OutboxMessage.objects.filter(task="auctions.open").count() == 1


def test_the_technical_evaluation_is_closed_once_the_opening_is_queued(regulator, auction, firms):
    close_and_evaluate(auction, regulator)
    with time_machine.travel(auction.opening_at, tick=False):
        svc.auction_open(actor=regulator, auction_id=auction.pk)
        bid = auction.participations.first()
        with pytest.raises(Conflict, match="The opening of the initial offers of CG-LI-01 is under way"):
            svc.participation_evaluate(actor=regulator, participation_id=bid.pk, qualified=False, reason="Late")


def test_an_opening_whose_worker_died_is_queued_again_and_opens_once(regulator, auction, settings):
    settings.AUCTION_OPENING_STALE_AFTER = 60
    close_and_evaluate(auction, regulator)
    at = auction.opening_at
    with time_machine.travel(at, tick=False):
        svc.auction_open(actor=regulator, auction_id=auction.pk)
        # A worker claims the job and dies before it opens anything.
        assert lifecycle.opening_move(auction_id=auction.pk, to=Auction.Opening.RUNNING, opening_started_at=at)
    with time_machine.travel(at + timedelta(seconds=59), tick=False):
        assert svc.auctions_sweep()["opening_resent"] == []
    with time_machine.travel(at + timedelta(seconds=61), tick=False):
        assert svc.auctions_sweep()["opening_resent"] == [auction.pk]
        assert svc.auctions_sweep()["opening_resent"] == []  # sent again once per stale period
        assert auction_open_task(auction.pk) == "opened"
    assert OutboxMessage.objects.filter(task="auctions.open").count() == 2
    assert len(entries(auction, "opened")) == 1


def test_a_broken_seal_stops_the_opening_publishes_nothing_and_tells_the_regulators(regulator, auction, firms):
    close_and_evaluate(auction, regulator)
    asha, bharat = (auction.participations.get(firm__memberships__user=u) for u in firms[:2])
    sealed = asha.sealed_offer
    asha.sealed_offer = bharat.sealed_offer  # moved to another bid: it no longer decrypts
    asha.save(update_fields=["sealed_offer"])
    with time_machine.travel(auction.opening_at, tick=False):
        svc.auction_open(actor=regulator, auction_id=auction.pk)
        assert auction_open_task(auction.pk) == "failed"
    auction.refresh_from_db()
    assert auction.status == Auction.Status.EVALUATION and auction.opening_status == Auction.Opening.FAILED
    assert "does not decrypt: it was altered or moved. Nothing was published." in auction.opening_error
    assert not auction.participations.filter(initial_price_offer__isnull=False).exists()
    assert not entries(auction, "opened")
    told = regulator.notifications.get()
    assert told.title == "The opening of CG-LI-01 was stopped" and "Nothing was published" in told.body
    assert titles(firms[0]) == []
    desk = desk_text(regulator, auction, at=auction.opening_at)
    assert "Stopped: nothing was published" in desk and "Queue the opening again" in desk

    asha.sealed_offer = sealed
    asha.save(update_fields=["sealed_offer"])
    with time_machine.travel(auction.opening_at + timedelta(minutes=5), tick=False):
        svc.auction_open(actor=regulator, auction_id=auction.pk)
        assert auction_open_task(auction.pk) == "opened"
    auction.refresh_from_db()
    assert auction.status == Auction.Status.OPENED and auction.opening_error == ""


def test_every_bidder_is_told_the_outcome_of_the_opening_for_its_own_bid(regulator):
    names = ("Asha", "Bharat", "Chitra", "Dev", "Esha", "Farid", "Gita", "Hari")
    people = {name: bidder(name) for name in names}
    auction = notified_auction(regulator).get()
    # Seven technically qualified: the top 5 ranks qualify (more than the first 50% of 7 ranks, rounded up: 4).
    offers = dict(zip(people.values(), ("20", "19", "18", "17", "16", "15", "14", "30"), strict=True))
    submit_bids(auction, offers)
    close_and_evaluate(auction, regulator, disqualify=[people["Hari"]])
    with time_machine.travel(auction.opening_at, tick=False):
        svc.auction_open(actor=regulator, auction_id=auction.pk)
        auction_open_task(auction.pk)
    for name in ("Asha", "Bharat", "Chitra", "Dev", "Esha"):
        assert titles(people[name]) == ["You qualified for the e-auction of CG-LI-01"]
    for name in ("Farid", "Gita"):
        assert titles(people[name]) == ["Initial offers of CG-LI-01 opened: you did not qualify for the e-auction"]
    [hari] = people["Hari"].notifications.all()
    assert (
        hari.title == "Initial offers of CG-LI-01 opened" and "your offer was not opened: it stays sealed" in hari.body
    )
    assert "30" not in hari.body


# --- A tranche: one action, every evaluated auction queued, progress with counts ----------------------------------


@pytest.fixture
def tranche_auctions(regulator, firms):
    """A tranche of three auctions with three bids each: two evaluated, the third with one bid still to evaluate."""
    auctions = list(notified_auction(regulator, codes=("CG-LI-01", "CG-LI-02", "CG-LI-03")))
    for auction in auctions:
        submit_bids(auction, dict(zip(firms, ("12.00", "13.00", "14.00"), strict=True)))
    for auction in auctions[:2]:
        close_and_evaluate(auction, regulator)
    last = auctions[2]
    with time_machine.travel(last.bid_due_at + timedelta(hours=1), tick=False):
        for participation in last.participations.all()[:2]:
            svc.participation_evaluate(actor=regulator, participation_id=participation.pk, qualified=True)
    return auctions


def test_a_regulator_opens_a_tranche_in_one_action_and_its_page_counts_the_progress(regulator, tranche_auctions):
    first, second, third = tranche_auctions
    tranche_url = reverse("flow:tranche_detail", args=[first.tranche_id])
    at = first.bid_due_at + timedelta(days=2)  # evaluated, before the scheduled opening time
    before = text(visit(regulator, tranche_url, at=at))
    assert "Open the initial offers of 2 evaluated auction(s)" in before
    assert "Not requested: opens at the scheduled opening time: 3" in before
    page = visit(regulator, reverse("flow:tranche_open", args=[first.tranche_id]), at=at, data={}, follow=True)
    shown = text(page)
    assert "The opening of 2 auction(s) is queued: workers open them in parallel" in shown
    assert "1 auction(s) still have technical bids to evaluate" in shown
    assert "Queued: 2" in shown and "Opened: 0" in shown and 'data-running="true"' in page.content.decode()
    assert "CG-LI-03" in shown and "(1 bid(s) to evaluate)" in shown

    with time_machine.travel(at, tick=False):
        assert [auction_open_task(a.pk) for a in (first, second)] == ["opened", "opened"]
    after = visit(regulator, tranche_url, at=at)
    assert (
        "Opened: 2" in text(after) and "Queued: 0" in text(after) and 'data-running="false"' in after.content.decode()
    )
    again = visit(regulator, reverse("flow:tranche_open", args=[first.tranche_id]), at=at, data={})
    assert again.status_code == 409
    assert "No auction of Tranche CG-LI-01 is ready to open. Evaluate every technical bid first (CG-LI-03: 1" in text(
        again
    )


def test_the_tranche_opening_api_answers_202_and_counts_each_step(regulator, tranche_auctions, api_as):
    first = tranche_auctions[0]
    at = first.bid_due_at + timedelta(days=2)
    client = api_as(regulator)
    with time_machine.travel(at, tick=False):
        queued = client.post(f"/api/v1/tranches/{first.tranche_id}/open")
        assert queued.status_code == 202 and queued["Location"] == f"/api/v1/tranches/{first.tranche_id}/opening"
        body = queued.json()
        assert body["running"] is True and body["ready"] == 0
        assert {k: v for k, v in body["counts"].items() if v} == {"queued": 2, "not_requested": 1}
        assert [(a["block_code"], a["status"], a["pending_bids"]) for a in body["auctions"]] == [
            ("CG-LI-01", "queued", 0), ("CG-LI-02", "queued", 0), ("CG-LI-03", "not_requested", 1)
        ]  # fmt: skip
        auction_open_task(first.pk)
        progress = client.get(f"/api/v1/tranches/{first.tranche_id}/opening").json()
    assert {k: v for k, v in progress["counts"].items() if v} == {"opened": 1, "queued": 1, "not_requested": 1}
    assert progress["auctions"][0]["floor_price"] == "14.00" and progress["auctions"][1]["floor_price"] is None


def tranche_of(regulator, codes, *, lat):
    """A notified tranche of new blocks at latitude `lat` (apart from other tranches' blocks): its auctions."""
    for i, code in enumerate(codes):
        make_block(code=code, lon=82.0 + i * 0.1, lat=lat)
    with time_machine.travel(T0, tick=False):
        tranche = svc.tranche_create(actor=regulator, name=f"Tranche {codes[0]}", blocks=list(codes),
                                     net_worth_threshold="1000000000", **SCHEDULE)  # fmt: skip
        svc.tranche_notify(actor=regulator, tranche_id=tranche.pk)
    return list(Auction.objects.filter(tranche=tranche).order_by("block__code"))


def test_the_tranche_opening_api_costs_the_same_queries_for_one_auction_or_three(regulator, firms, api_as):
    [one] = tranche_of(regulator, ["OD-LI-01"], lat=20.0)
    three = tranche_of(regulator, ["JH-LI-01", "JH-LI-02", "JH-LI-03"], lat=23.0)
    for auction in (one, *three):
        submit_bids(auction, dict(zip(firms, ("12.00", "13.00", "14.00"), strict=True)))
    for auction in (one, *three):
        close_and_evaluate(auction, regulator)
    client = api_as(regulator)

    def queries(tranche_id):
        with time_machine.travel(one.opening_at, tick=False), CaptureQueriesContext(connection) as captured:
            assert client.get(f"/api/v1/tranches/{tranche_id}/opening").status_code == 200
        return len(captured)

    assert queries(one.tranche_id) == queries(three[0].tranche_id)


def test_a_move_of_the_opening_the_table_does_not_allow_writes_nothing(regulator, auction):
    assert not lifecycle.opening_move(auction_id=auction.pk, to=Auction.Opening.RUNNING)  # never queued: no claim
    assert not lifecycle.opening_move(auction_id=auction.pk, to=Auction.Opening.DONE)
    auction.refresh_from_db()
    assert auction.opening_status == ""
