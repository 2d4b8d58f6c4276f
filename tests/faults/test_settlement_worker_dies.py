"""A worker killed in the middle of settling closed auctions: after a restart every auction is settled exactly once
(issue 12).

A real Celery worker (a separate process, its broker a Redis of this test's own) runs the sweeper over several
auctions whose e-auctions closed an hour ago. The middle of a settlement is reached without any hook in the code:
the test holds the row lock of one auction's block, so the worker, having settled the auctions before it, stops
inside that auction's transaction (the auction already moved to settled and written to its ledger, uncommitted)
at the block's move. The worker is killed there (SIGKILL); a second worker, sent the sweep as beat would, settles
what is left. Marked `serial`: it starts and kills worker processes.
"""

import email
import os
import signal
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import time_machine
from celery import Celery
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from auctions import services as svc
from auctions.models import Auction
from blocks.models import Block
from core.models import OutboxMessage
from ledger.models import Entry
from licences.models import Licence
from notifications.models import Notification
from tests.factories.auction_flow import bidder, opened_on_the_clock
from tests.processes import celery_worker

pytestmark = [
    pytest.mark.serial,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CODES = [f"CG-LI-{n:02d}" for n in range(1, 7)]  # settled in this order (the sweeper takes the oldest close first)
KILLED_IN = 3  # the fourth auction's settlement is the one the worker dies in
NO_FINAL_OFFER = "CG-LI-06"  # annulled at its close: nobody made a final offer


def _env(redis_url: str, mail_dir: Path) -> dict:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}",
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CONN_MAX_AGE": "0",
        "EMAIL_FILE_PATH": str(mail_dir),
    }


def _until(check, *, seconds: float, what: str, log: Path):
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, f"{what} did not happen in {seconds} s:\n{log.read_text()[-3000:]}"
        time.sleep(0.05)
    return found


def _sweep(redis_url: str, queue: str) -> None:
    """Send the sweeper's task to the worker's queue, as beat does every 10 s."""
    with Celery(broker=redis_url) as app:
        app.send_task("auctions.sweep", queue=queue)


def _waiting_on_a_lock() -> int | None:
    """The backend of the database (other than the test's) that waits for a row lock, if any."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _locked(table: str, column: str, value) -> bool:
    """Whether another transaction holds the row's lock."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} WHERE {column} = %s FOR UPDATE NOWAIT", [value])
    except OperationalError:
        return True
    return False


def _alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 1


def _mails(mail_dir: Path) -> Counter:
    """(recipient, subject) of every email the workers sent (Django's file backend: one file per connection)."""
    sent = Counter()
    for path in mail_dir.glob("*.log"):
        for text in path.read_text().split("-" * 79):
            if text.strip():
                message = email.message_from_string(text.strip())
                sent[(message["To"], message["Subject"])] += 1
    return sent


def test_a_worker_killed_in_the_middle_of_settlement_leaves_each_auction_settled_exactly_once_after_restart(
    postgres, regulator, own_redis, tmp_path, settings, record_property
):
    redis_url, _ = own_redis
    firms = [bidder(name) for name in ("Asha", "Bharat", "Chitra")]
    started = timezone.now() - timedelta(hours=2)  # each e-auction ran from 2 h ago and closed 1 h ago
    auctions = opened_on_the_clock(
        regulator, CODES, {firms[0]: "12.00", firms[1]: "13.00", firms[2]: "14.00"}, e_auction_starts_at=started
    )
    winners = {}
    with time_machine.travel(started + timedelta(minutes=10), tick=False):
        for n, auction in enumerate(auctions):
            if auction.block.code == NO_FINAL_OFFER:
                continue
            winner = firms[n % 3]
            svc.offer_place(actor=winner, auction_id=auction.pk, value=Decimal("14.05") + Decimal(n) / 10)
            winners[auction.pk] = winner.memberships.get().firm
    assert all(a.closes_at < timezone.now() for a in Auction.objects.filter(pk__in=[a.pk for a in auctions]))
    members = [user.email for user in firms]
    outbox_before = set(OutboxMessage.objects.values_list("pk", flat=True))
    notices_before = set(Notification.objects.values_list("pk", flat=True))

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env, queue = _env(redis_url, mail_dir), settings.CELERY_TASK_DEFAULT_QUEUE
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    stuck = auctions[KILLED_IN]
    lock = psycopg.connect(env["DATABASE_URL"])
    try:
        lock.execute("SELECT 1 FROM blocks_block WHERE id = %s FOR UPDATE", [stuck.block_id])
        with celery_worker(env, first_log, queue=queue) as first:
            _sweep(redis_url, queue)
            waiting = _until(_waiting_on_a_lock, seconds=30, what="the worker reaching the held block", log=first_log)
            # It is inside the auction's settlement: the auction locked, and its ledger appended (the head locked).
            assert _locked("auctions_auction", "id", stuck.pk)
            assert _locked("ledger_streamhead", "stream", stuck.stream)
            first.send_signal(signal.SIGKILL)  # dies inside the settlement of the fourth auction
            first.wait(timeout=10)
    finally:
        lock.rollback()  # the block is free again: the dead worker's transaction finds its client gone
        lock.close()
    _until(lambda: not _alive(waiting), seconds=10, what="the dead worker's transaction ending", log=first_log)

    # What the kill left: the auctions before the fourth settled, the fourth and the rest not, nothing half done.
    status = dict(Auction.objects.filter(pk__in=[a.pk for a in auctions]).values_list("block__code", "status"))
    assert [status[code] for code in CODES] == ["settled"] * KILLED_IN + ["opened"] * (len(CODES) - KILLED_IN)
    assert not Licence.objects.filter(auction=stuck).exists()
    assert not Entry.objects.filter(stream=stuck.stream, kind="closed").exists()
    assert Block.objects.get(pk=stuck.block_id).status != "auctioned"

    with celery_worker(env, second_log, queue=queue):
        _sweep(redis_url, queue)  # beat's next tick
        resumed = time.monotonic()
        _until(
            lambda: not Auction.objects.filter(pk__in=[a.pk for a in auctions], status="opened").exists(),
            seconds=30,
            what="the second worker settling the rest",
            log=second_log,
        )
        record_property("seconds_to_settle_the_rest", round(time.monotonic() - resumed, 2))
        _until(
            lambda: not Notification.objects.exclude(pk__in=notices_before).filter(emailed_at__isnull=True).exists(),
            seconds=30,
            what="every notice emailed",
            log=second_log,
        )

    # Each auction settled once: one result entry, one licence, the block moved once, each bidder told once.
    for auction in auctions:
        auction.refresh_from_db()
        entries = Counter(Entry.objects.filter(stream=auction.stream).values_list("kind", flat=True))
        block_moves = Entry.objects.filter(stream=f"block:{auction.block_id}", kind="status")
        to_status = [entry.payload["to"] for entry in block_moves]
        if auction.block.code == NO_FINAL_OFFER:
            assert auction.status == "annulled" and auction.annulment_reason == "no final offer"
            assert entries["annulled"] == 1 and entries["closed"] == 0
            assert not Licence.objects.filter(auction=auction).exists()
            assert to_status.count("annulled") == 1
            title = f"Auction of {auction.block.code} annulled: no final offer"
        else:
            assert auction.status == "settled" and auction.best_participation.firm == winners[auction.pk]
            assert entries["closed"] == 1 and entries["annulled"] == 0
            assert [licence.holder for licence in Licence.objects.filter(auction=auction)] == [winners[auction.pk]]
            assert to_status.count("auctioned") == 1
            winner = winners[auction.pk].legal_name
            title = f"E-auction of {auction.block.code} closed: {winner} is the preferred bidder"
        notices = Counter(Notification.objects.filter(title=title).values_list("user__email", flat=True))
        assert notices == Counter(members), auction.block.code
    sent = _mails(mail_dir)
    results = {key: n for key, n in sent.items() if "closed:" in key[1] or "annulled:" in key[1]}
    assert len(results) == len(CODES) * len(members) and set(results.values()) == {1}, sent
    assert all(n == 1 for n in sent.values()), sent  # no email twice, the licences' notices included

    # Every message the settlements queued went out, and each notice's email was queued once.
    made = OutboxMessage.objects.exclude(pk__in=outbox_before)
    assert made.filter(sent_at__isnull=True).count() == 0
    ids = Counter(i for message in made.filter(task="notifications.deliver") for i in message.args[0])
    assert ids and set(ids.values()) == {1}
    call_command("verify_ledger")
