"""The worker and beat live through a database outage, and what they do works again once it is back (issue 12).

A real Celery worker (prefork, as docker compose runs it) and Celery beat (the settings' scheduler and schedule) run
on a PostgreSQL cluster and a Redis of this test's own. PostgreSQL is stopped (`-m immediate`: every connection cut)
for OUTAGE seconds; an auction closes while it is down. Neither process may exit; once PostgreSQL is back, beat's
sweeper settles the auction, and an email task the worker took during the outage is done. Marked `serial`: it stops
a server.
"""

import contextlib
import dataclasses
import json
import re
import subprocess
import sys
import time

import psycopg
import pytest
import redis
from celery import Celery

from tests.faults.conftest import PostgresServer, migrate, postgres_server, production_env, redis_server
from tests.processes import ROOT, celery_beat, celery_worker

pytestmark = pytest.mark.serial

OUTAGE = 8  # seconds PostgreSQL is down
WORKER = ("--pool=prefork", "--concurrency=2")  # as docker compose runs it, with fewer processes
SEED = """
import datetime, decimal, json, django
django.setup()
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone
from auctions import services
from bidders.roles import REGULATORS_GROUP
from notifications.models import Notification
from tests.factories import UserFactory
from tests.factories.auction_flow import bidder, opened_on_the_clock
regulator = UserFactory(username="regulator1")
regulator.groups.add(Group.objects.get_or_create(name=REGULATORS_GROUP)[0])
firms = [bidder(name) for name in ("Asha", "Bharat", "Chitra")]
started = timezone.now() - datetime.timedelta(minutes=30)  # live now, closing in 30 minutes
auctions = opened_on_the_clock(
    regulator, ["CG-LI-01", "CG-LI-02"], {firms[0]: "12.00", firms[1]: "13.00", firms[2]: "14.00"},
    e_auction_starts_at=started,
)
with time_machine.travel(started + datetime.timedelta(minutes=10), tick=False):
    for auction in auctions:
        services.offer_place(actor=firms[1], auction_id=auction.pk, value=decimal.Decimal("14.50"))
# A notice whose email task the test hands the worker during the outage (as if relayed just before it).
notice = Notification.objects.create(user=firms[0], title="Your payment of Rs 10,00,000 was confirmed")
print(json.dumps({"auctions": [auction.pk for auction in auctions], "notice": notice.pk}))
"""


def _until(check, *, seconds: float, what: str, logs):
    deadline = time.monotonic() + seconds
    while not (found := check()):
        tails = "\n".join(log.read_text()[-3000:] for log in logs)
        assert time.monotonic() < deadline, f"{what} did not happen in {seconds} s:\n{tails}"
        time.sleep(0.1)
    return found


def _query(url: str, sql: str, params=()):
    """The first row of `sql`, or None while the database does not answer."""
    try:
        with psycopg.connect(url, connect_timeout=2, autocommit=True, client_encoding="utf8") as db:
            return db.execute(sql, params).fetchone()
    except psycopg.OperationalError:
        return None


def _succeeded(log, task: str, after: int = 0) -> int:
    """How many runs of `task` the worker's log reports succeeded (after its first `after` characters)."""
    return len(re.findall(rf"Task {re.escape(task)}\[[^]]+\] succeeded", log.read_text()[after:]))


def _status(url: str, auction: int):
    found = _query(url, "SELECT status FROM auctions_auction WHERE id = %s", [auction])
    return found and found[0]


def _closes_in_two_seconds(url: str, auction: int) -> None:
    """The auction closes 2 s from now by the database's clock (its data, as time would make it)."""
    sql = "UPDATE auctions_auction SET closes_at = now() + interval '2 s' WHERE id = %s AND status = 'opened'"
    assert _query(url, sql + " RETURNING id", [auction]) == (auction,)


def _outage(processes: dict, logs) -> None:
    """OUTAGE seconds, each process checked alive every half second."""
    down = time.monotonic()
    while time.monotonic() - down < OUTAGE:
        for name, process in processes.items():
            tails = "\n".join(log.read_text()[-3000:] for log in logs)
            assert process.poll() is None, f"{name} exited while the database was down:\n{tails}"
        time.sleep(0.5)


@dataclasses.dataclass
class Cluster:
    postgres: PostgresServer
    redis_url: str
    env: dict
    auctions: list[int]  # one for each test: live, with a final offer, closing in 30 minutes
    notice: int  # a notice not emailed yet


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A PostgreSQL and a Redis of this module's own (never the suite's), the database migrated and seeded."""
    directory = tmp_path_factory.mktemp("outage")
    with postgres_server() as postgres, redis_server(directory) as (redis_url, _):
        env = production_env(
            directory / "var",
            postgres.url,
            REDIS_URL=redis_url,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        )
        migrate(env)
        seed_env = {**env, "DJANGO_SETTINGS_MODULE": "config.test_settings"}  # its quick password hashing
        seeded = subprocess.run([sys.executable, "-c", SEED], cwd=ROOT, env=seed_env, capture_output=True, text=True)
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        made = json.loads(seeded.stdout.splitlines()[-1])
        yield Cluster(postgres, redis_url, env, made["auctions"], made["notice"])


def test_running_worker_and_beat_outlive_a_database_outage_and_finish_what_it_interrupted(
    cluster, tmp_path, record_property
):
    env, postgres, auction = cluster.env, cluster.postgres, cluster.auctions[0]
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    logs = (worker_log, beat_log)
    with celery_worker(env, worker_log, queue="celery", pool=WORKER) as worker, celery_beat(env, beat_log) as beat:
        _until(lambda: _succeeded(worker_log, "core.outbox_relay"), seconds=30, what="beat's first relay", logs=logs)
        _closes_in_two_seconds(postgres.url, auction)
        with postgres.down():
            with Celery(broker=cluster.redis_url) as app:  # the worker takes it while the database is down
                app.send_task("notifications.email", args=[[cluster.notice]], queue="celery")
            _outage({"the worker": worker, "beat": beat}, logs)
            mark = len(worker_log.read_text())
        back = time.monotonic()
        _until(lambda: _status(postgres.url, auction) == "settled", seconds=30, what="the settlement", logs=logs)
        settled_after = time.monotonic() - back
        emailed = "SELECT emailed_at IS NOT NULL FROM notifications_notification WHERE id = %s"
        _until(
            lambda: _query(postgres.url, emailed, [cluster.notice]) == (True,), seconds=30, what="the email", logs=logs
        )
        emailed_after = time.monotonic() - back
        _until(lambda: _succeeded(worker_log, "core.outbox_relay", mark), seconds=15, what="a relay", logs=logs)
        assert worker.poll() is None and beat.poll() is None
    text = worker_log.read_text()
    record_property("outage_seconds", OUTAGE)
    record_property("settled_seconds_after_back", round(settled_after, 1))
    record_property("emailed_seconds_after_back", round(emailed_after, 1))
    record_property("tasks_failed_during_outage", len(re.findall(r"raised unexpected: OperationalError", text)))
    record_property("email_retries", len(re.findall(r"notifications.email\[[^]]+\] retry", text)))
    assert _query(postgres.url, "SELECT count(*) FROM licences_licence WHERE auction_id = %s", [auction]) == (1,)


def test_beat_and_the_worker_started_while_the_database_is_down_wait_for_it(cluster, tmp_path, record_property):
    env, postgres, auction = cluster.env, cluster.postgres, cluster.auctions[1]
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    logs = (worker_log, beat_log)
    _closes_in_two_seconds(postgres.url, auction)
    with contextlib.ExitStack() as running:
        with postgres.down():
            worker = running.enter_context(celery_worker(env, worker_log, queue="celery", pool=WORKER))
            beat = running.enter_context(celery_beat(env, beat_log))
            _outage({"the worker": worker, "beat": beat}, logs)
        back = time.monotonic()
        _until(lambda: _status(postgres.url, auction) == "settled", seconds=30, what="the settlement", logs=logs)
        record_property("settled_seconds_after_back", round(time.monotonic() - back, 1))
        assert worker.poll() is None and beat.poll() is None
    assert "the database does not answer" in beat_log.read_text()


REREAD = """
import datetime, sys, django
django.setup()
import time_machine
from celery import current_app
from celery.utils.imports import symbol_by_name
from django.conf import settings
scheduler = symbol_by_name(settings.CELERY_BEAT_SCHEDULER)(app=current_app)  # beat's, as beat makes it
print("read", scheduler.tick(), flush=True)
sys.stdin.readline()  # PostgreSQL is stopped
with time_machine.travel(datetime.timedelta(minutes=6)):  # the five-minute reread of the whole schedule falls due
    print("down", scheduler.tick(), flush=True)
sys.stdin.readline()  # PostgreSQL is back
with time_machine.travel(datetime.timedelta(minutes=7)):
    print("back", scheduler.tick(), flush=True)
"""


def test_beat_reading_its_schedule_again_while_the_database_is_down_goes_on(cluster):
    """django-celery-beat reads the whole schedule again every five minutes; made during an outage, that read raised
    out of beat's loop and beat exited. The scheduler is driven tick by tick here, its clock moved past the five
    minutes while PostgreSQL is stopped."""
    queue = redis.Redis.from_url(cluster.redis_url)
    queue.delete("celery")
    beat = subprocess.Popen(
        [sys.executable, "-c", REREAD], cwd=ROOT, env=cluster.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert beat.stdout.readline().startswith("read "), beat.stderr.read()[-3000:]
        with cluster.postgres.down():
            beat.stdin.write("\n")
            beat.stdin.flush()
            down = beat.stdout.readline().split()
            assert down[:1] == ["down"], beat.stderr.read()[-3000:]  # it answered, rather than raising
            assert 0 < float(down[1]) <= 5  # and asks the database again within beat's max interval
        beat.stdin.write("\n")
        beat.stdin.flush()
        assert beat.stdout.readline().split()[:1] == ["back"], beat.stderr.read()[-3000:]
        assert beat.wait(timeout=30) == 0
    finally:
        if beat.poll() is None:
            beat.kill()
            beat.wait()
    assert queue.llen("celery") >= 1  # once the database is back it sends what is due again
