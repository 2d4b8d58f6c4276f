"""The reminders sweeper: a due date is reminded to each member of its audience, as the audience is on the day, once
per (due date, date, offset, user); met, moved, overdue, the cap, IST days; two sweepers at once on PostgreSQL."""

import threading
import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, connections, transaction

from notifications.models import DueDate, Email, Notification, Reminder
from notifications.services import due_date_close, due_date_register, reminders_sweep
from notifications.services.reminders import remind
from tests.factories import FirmFactory, MembershipFactory, UserFactory

D = date
DUE = D(2027, 6, 10)


IST = timezone(timedelta(hours=5, minutes=30))


def at(day: date, hour: int = 9) -> datetime:
    """`hour` o'clock IST on `day` (09:00 IST: past the reminder day's start at 07:00)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=IST)


@pytest.fixture
def firm(db):
    firm = FirmFactory(legal_name="Asha Minerals Ltd")
    MembershipFactory(user=UserFactory(username="asha"), firm=firm)
    MembershipFactory(user=UserFactory(username="bala"), firm=firm)
    return firm


REGISTERED = D(2027, 4, 1)


def register(firm, *, on: date = REGISTERED, due_on: date = DUE, key="obligation:1", kind="upfront_1"):
    with time_machine.travel(at(on), tick=False), transaction.atomic():
        return due_date_register(
            subject="licences.licence:1",
            key=key,
            kind=kind,
            audience=f"firm:{firm.pk}",
            title="First instalment: ML/2027/0001",
            due_on=due_on,
            url="/licences/1/",
        )


def sweep(day: date) -> int:
    with time_machine.travel(at(day), tick=False):
        return reminders_sweep()["reminders"]


def titles(username: str) -> list[str]:
    return list(Notification.objects.filter(user__username=username).order_by("pk").values_list("title", flat=True))


def test_each_member_is_reminded_once_on_the_day_30_days_before(firm):
    due = register(firm)
    assert due.next_remind_on == D(2027, 5, 11)
    assert sweep(D(2027, 5, 10)) == 0
    assert sweep(D(2027, 5, 11)) == 2
    assert sweep(D(2027, 5, 11)) == 0  # a second sweep, the same day: nothing more
    assert titles("asha") == titles("bala") == ["Reminder: First instalment: ML/2027/0001, due in 30 days"]
    notice = Notification.objects.get(user__username="asha")
    assert notice.body == "First instalment: ML/2027/0001 falls due on 10 Jun 2027: due in 30 days."
    assert notice.url == "/licences/1/" and notice.reminder.offset == 30 and notice.reminder.due_on == DUE
    assert Email.objects.get(notification=notice).to == "asha@example.in"
    due.refresh_from_db()
    assert (due.next_remind_on, due.reminders_sent) == (D(2027, 6, 3), 1)


def test_the_audience_is_read_on_the_day_a_member_who_joined_later_is_reminded_one_who_left_is_not(firm):
    register(firm)
    MembershipFactory(user=UserFactory(username="chitra"), firm=firm)  # joined after the date was registered
    firm.memberships.get(user__username="bala").delete()  # left
    sweep(D(2027, 5, 11))
    assert titles("chitra") and titles("asha") and not titles("bala")


def test_an_inactive_account_is_not_reminded_and_one_without_an_address_gets_the_notice_alone(firm):
    register(firm)
    get_user_model().objects.filter(username="bala").update(is_active=False)
    asha = UserFactory(username="asha")
    asha.email = ""
    asha.save()
    assert sweep(D(2027, 5, 11)) == 1
    assert titles("asha") and not titles("bala")
    assert not Email.objects.exists()


def test_a_date_met_stops_its_reminders(firm):
    register(firm)
    sweep(D(2027, 5, 11))
    with transaction.atomic():
        assert due_date_close(subject="licences.licence:1", key="obligation:1") == 1
    assert DueDate.objects.get().next_remind_on is None
    assert sweep(D(2027, 6, 3)) == sweep(D(2027, 6, 10)) == sweep(D(2027, 6, 17)) == 0
    assert len(titles("asha")) == 1


def test_a_moved_date_is_reminded_afresh_for_its_new_day(firm):
    register(firm)
    sweep(D(2027, 5, 11))  # 30 days before 10 June
    due = register(firm, on=D(2027, 5, 20), due_on=D(2027, 7, 10))  # moved to 10 July
    assert (due.next_remind_on, due.reminders_sent, due.revision) == (D(2027, 6, 10), 0, 1)
    assert sweep(D(2027, 6, 3)) == 0  # the old date's 7-day reminder does not come
    assert sweep(D(2027, 6, 10)) == 2
    assert titles("asha")[-1] == "Reminder: First instalment: ML/2027/0001, due in 30 days"
    assert (
        Notification.objects.filter(user__username="asha")
        .order_by("pk")
        .last()
        .body.startswith("First instalment: ML/2027/0001 falls due on 10 Jul 2027")
    )


def test_a_date_moved_away_and_back_is_not_reminded_twice_the_unique_constraint_holds(firm):
    register(firm)
    sweep(D(2027, 5, 11))
    register(firm, on=D(2027, 5, 11), due_on=D(2027, 7, 10))
    register(firm, on=D(2027, 5, 11), due_on=DUE)  # back: its 30-day reminder is due today again...
    assert DueDate.objects.get().next_remind_on == D(2027, 5, 11)
    assert sweep(D(2027, 5, 11)) == 0  # ...but each member already had it
    assert len(titles("asha")) == 1 and Reminder.objects.count() == 2


def test_an_overdue_date_is_reminded_weekly_and_twelve_times_at_most(firm):
    register(firm)
    day, sent = D(2027, 5, 1), []
    while day <= D(2027, 12, 31):
        if sweep(day):
            sent.append(day)
        day += timedelta(days=1)
    offsets = list(Reminder.objects.filter(user__username="asha").order_by("pk").values_list("offset", flat=True))
    assert offsets == [30, 7, 1, 0, -7, -14, -21, -28, -35, -42, -49, -56]
    assert sent[:5] == [D(2027, 5, 11), D(2027, 6, 3), D(2027, 6, 9), D(2027, 6, 10), D(2027, 6, 17)]
    assert sent[-1] == D(2027, 8, 5) and DueDate.objects.get().next_remind_on is None
    assert titles("asha")[3] == "Reminder: First instalment: ML/2027/0001, due today"
    assert titles("asha")[4] == "Reminder: First instalment: ML/2027/0001, overdue by 7 days"


def test_a_sweeper_that_was_down_sends_the_latest_reminder_once_not_every_missed_one(firm):
    register(firm)
    assert sweep(D(2027, 6, 5)) == 2  # down from 11 May: the 7-day reminder, not the 30-day one too
    assert titles("asha") == ["Reminder: First instalment: ML/2027/0001, due in 5 days"]
    assert Reminder.objects.filter(user__username="asha").get().offset == 7


def test_the_reminder_day_starts_at_seven_in_the_morning_ist(firm, settings):
    settings.REMINDER_DAY_STARTS_AT = 7
    register(firm)
    with time_machine.travel(datetime(2027, 5, 11, 1, 29, tzinfo=UTC), tick=False):  # 06:59 IST on 11 May
        assert reminders_sweep()["reminders"] == 0
    with time_machine.travel(datetime(2027, 5, 11, 1, 30, tzinfo=UTC), tick=False):  # 07:00 IST
        assert reminders_sweep()["reminders"] == 2


def test_the_offsets_are_settings_per_kind(firm, settings):
    settings.REMINDER_DAYS_BEFORE = [14, 2]
    settings.REMINDER_KINDS = {"auction_bid_due": {"days_before": [3], "overdue_every": 0}}
    register(firm, key="obligation:1")
    register(firm, key="bid_due", kind="auction_bid_due")
    rows = dict(DueDate.objects.values_list("kind", "next_remind_on"))
    assert rows == {"upfront_1": D(2027, 5, 27), "auction_bid_due": D(2027, 6, 7)}


def test_a_notice_is_emailed_after_the_sweep_commits(firm, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    register(firm)
    with time_machine.travel(at(D(2027, 5, 11)), tick=False), django_capture_on_commit_callbacks(execute=True):
        reminders_sweep()
    assert sorted(m.to[0] for m in mail.outbox) == ["asha@example.in", "bala@example.in"]
    assert all(m.extra_headers["Message-ID"] == Email.objects.get(to=m.to[0]).message_id for m in mail.outbox)
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


# --- Two sweepers at once (PostgreSQL) ------------------------------------------------------------------------


def _in_thread(target, results, *args):
    try:
        results.append(target(*args))
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweepers_at_once_send_each_reminder_once(postgres):
    firms = []
    for n in range(3):
        firm = FirmFactory()
        for m in range(3):
            MembershipFactory(user=UserFactory(username=f"member{n}-{m}"), firm=firm)
        firms.append(firm)
    for n in range(60):
        register(firms[n % 3], key=f"obligation:{n}")
    start = threading.Barrier(2)
    results = []

    def one_sweep():
        start.wait()
        with time_machine.travel(at(D(2027, 5, 11)), tick=False):
            return reminders_sweep(batch=7)["reminders"]

    threads = [threading.Thread(target=_in_thread, args=(one_sweep, results)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 60 * 3  # every member of every firm, each once
    assert Notification.objects.count() == Reminder.objects.count() == 180
    assert Email.objects.count() == 180


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_the_claim_the_unique_constraint_alone_stops_a_second_sweeper(postgres, firm):
    """Two sweeps of the same rows, neither locking them: the second waits on the first's uncommitted reminders (the
    unique index), then inserts none and writes no notice."""
    register(firm)
    first_inserted, release = threading.Event(), threading.Event()
    results = []

    def sweep_rows(hold: bool):
        with time_machine.travel(at(D(2027, 5, 11)), tick=False), transaction.atomic():
            rows = list(DueDate.objects.all())  # no FOR UPDATE: what two sweepers with no claim would read
            count = remind(rows, D(2027, 5, 11))
            if hold:
                first_inserted.set()
                release.wait(30)
            return count

    first = threading.Thread(target=_in_thread, args=(sweep_rows, results, True))
    first.start()
    assert first_inserted.wait(30)
    second = threading.Thread(target=_in_thread, args=(sweep_rows, results, False))
    second.start()
    assert _someone_waits_on_a_lock(), "the second sweeper should wait on the first's uncommitted reminders"
    release.set()
    first.join(30)
    second.join(30)
    assert sorted(results) == [0, 2]
    assert Notification.objects.count() == Reminder.objects.count() == 2


def _someone_waits_on_a_lock(seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False
