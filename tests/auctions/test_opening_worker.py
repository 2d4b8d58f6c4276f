"""End to end on real services: a Celery worker (a separate process, threads pool) on Redis opens the initial
offers of a tranche's auctions in the test database on PostgreSQL, each once, in parallel.

The tranche's schedule lies in the past on the real clock (its bids were submitted and evaluated with time moved
back), so its opening time has come: the sweeper may queue it, as may the regulator.
"""

import os
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from auctions import services as svc
from auctions.models import Auction
from auctions.tasks import auction_open as auction_open_task
from config.celery import app
from core.errors import Conflict
from core.models import OutboxMessage
from ledger.models import Entry, StreamHead
from ledger.services import ledger_verify
from notifications.models import Notification
from tests.conftest import require_service
from tests.factories.auction_flow import SCHEDULE, T0, bidder, close_and_evaluate, make_block, submit_bids
from tests.processes import celery_worker

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WAIT_SECONDS = 60


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(postgres, tmp_path):
    """A real worker with 4 threads on this xdist worker's queue, the sealing key in its environment."""
    require_service(bool(os.environ.get("REDIS_URL")), "needs Redis: set REDIS_URL=redis://... (CI does)")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CONN_MAX_AGE": "0",
        "SEALED_OFFER_KEY": settings.SEALED_OFFER_KEY,
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "worker.log"
    with app.connection_for_write() as broker:  # what earlier tests of this xdist worker left queued is not ours
        broker.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)
    threads = ("--pool=threads", "--concurrency=4")
    with celery_worker(env, log, queue=settings.CELERY_TASK_DEFAULT_QUEUE, pool=threads) as process:
        yield process, log


def tranche_due(regulator, firms, codes) -> list[Auction]:
    """A tranche whose bids were submitted and evaluated (all qualified) in the past: its opening time has come on
    the real clock, its e-auctions start in an hour."""
    now = timezone.now()
    base = now - timedelta(days=60)
    schedule = {field: base + (moment - T0) for field, moment in SCHEDULE.items()}
    schedule["e_auction_starts_at"] = now + timedelta(hours=1)
    for i, code in enumerate(codes):
        make_block(code=code, lon=82.0 + i * 0.1)
    with time_machine.travel(base, tick=False):
        tranche = svc.tranche_create(actor=regulator, name="Tranche due", blocks=list(codes),
                                     net_worth_threshold="1000000000", **schedule)  # fmt: skip
        svc.tranche_notify(actor=regulator, tranche_id=tranche.pk)
    auctions = list(Auction.objects.filter(tranche=tranche).order_by("block__code"))
    for auction in auctions:
        submit_bids(auction, dict(zip(firms, ("12.00", "13.00", "14.00"), strict=True)))
    for auction in auctions:
        close_and_evaluate(auction, regulator)
    assert all(a.opening_at < now for a in auctions)
    return auctions


def wait_until(check, what: str, worker_process, log: Path):
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if worker_process.poll() is not None:
            pytest.fail(f"The Celery worker stopped (exit {worker_process.returncode}):\n{log.read_text()[-4000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen in {WAIT_SECONDS} s. Worker log:\n{log.read_text()[-4000:]}")
        time.sleep(0.1)


def at_once(*acts):
    """Run each act in a thread of its own, all released together; re-raise the first failure."""
    barrier, failures = threading.Barrier(len(acts)), []

    def run(act):
        try:
            barrier.wait()
            act()
        except Exception as exc:  # noqa: BLE001 - reported below, in the test's thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(act,)) for act in acts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS)
    if failures:
        raise failures[0]


def opened_ids(auctions) -> set[int]:
    return set(
        Auction.objects.filter(pk__in=[a.pk for a in auctions], status=Auction.Status.OPENED).values_list(
            "pk", flat=True
        )
    )


def test_a_real_worker_opens_a_tranche_each_auction_once_though_it_was_triggered_three_times_at_once(worker, regulator):
    process, log = worker
    firms = [bidder(name) for name in ("Asha", "Bharat", "Chitra")]
    auctions = tranche_due(regulator, firms, ["WK-LI-01", "WK-LI-02", "WK-LI-03", "WK-LI-04"])
    tranche_id = auctions[0].tranche_id

    def regulator_clicks():
        try:
            svc.tranche_open(actor=regulator, tranche_id=tranche_id)
        except Conflict as refusal:  # the worker was quicker: every auction was opened already
            assert "None is in its technical evaluation" in refusal.message

    # The regulator clicks twice while the sweeper finds the opening time has come: three triggers at once.
    at_once(regulator_clicks, regulator_clicks, svc.auctions_sweep)
    for auction in auctions:  # and every task is delivered twice
        auction_open_task.apply_async(args=[auction.pk])
    wait_until(lambda: opened_ids(auctions) == {a.pk for a in auctions}, "every auction opened", process, log)

    def outcomes():  # what each opening task the worker ran returned
        lines = log.read_text().splitlines()
        return [line.rsplit(": ", 1)[-1] for line in lines if "auctions.open[" in line and "succeeded in" in line]

    wait_until(lambda: len(outcomes()) == 2 * len(auctions), "every opening task done", process, log)
    assert OutboxMessage.objects.filter(task="auctions.open").count() == len(auctions)  # queued once each
    assert sorted(outcomes()).count("'opened'") == len(auctions), outcomes()  # the worker opened each once
    for auction in auctions:
        auction.refresh_from_db()
        assert auction.floor_price == 14 and auction.opening_status == Auction.Opening.DONE
        assert auction.opening_started_at <= auction.opening_finished_at
        assert Entry.objects.filter(stream=auction.stream, kind="opened").count() == 1
        assert ledger_verify(stream=auction.stream).ok
        for firm_user in firms:
            told = Notification.objects.filter(user=firm_user, title=f"You qualified for the e-auction of "
                                               f"{auction.block.code}")  # fmt: skip
            assert told.count() == 1


def test_the_worker_opens_one_auction_while_another_of_the_tranche_is_held_up(worker, regulator):
    """Parallel, not one after the other: the opening of the first auction is held at its ledger (another connection
    holds its stream's head) while the second auction, queued after it, opens."""
    process, log = worker
    firms = [bidder(name) for name in ("Asha", "Bharat", "Chitra")]
    first, second = tranche_due(regulator, firms, ["PL-LI-01", "PL-LI-02"])
    s = connection.settings_dict
    holder = psycopg.connect(
        host=s["HOST"] or "localhost", port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"] or None,
        dbname=s["NAME"], autocommit=False,
    )  # fmt: skip
    try:
        table = StreamHead._meta.db_table
        holder.execute(f'SELECT 1 FROM "{table}" WHERE stream = %s FOR UPDATE', [first.stream]).fetchone()

        svc.auction_open(actor=regulator, auction_id=first.pk)

        def first_held():
            # Read on the test's own connection, outside a transaction (a transaction keeps its first snapshot of
            # pg_stat_activity): one backend waits on a lock, the worker's.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'", [s["NAME"]]
                )
                waiting = cursor.fetchone()[0]
            return waiting == 1 and Auction.objects.get(pk=first.pk).opening_status == Auction.Opening.RUNNING

        wait_until(first_held, "the first opening waiting on its ledger", process, log)
        svc.auction_open(actor=regulator, auction_id=second.pk)
        wait_until(lambda: opened_ids([second]) == {second.pk}, "the second auction opened", process, log)
        assert opened_ids([first]) == set()  # still held up
    finally:
        holder.rollback()
        holder.close()
    wait_until(lambda: opened_ids([first]) == {first.pk}, "the first auction opened once released", process, log)
    assert Entry.objects.filter(stream=first.stream, kind="opened").count() == 1
