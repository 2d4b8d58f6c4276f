"""The reminders sweeper: what is due today is sent, once per (due date, date, offset, user).

The beat task `notifications.reminders` runs `reminders_sweep` every REMINDER_SWEEP_SECONDS. It reads only the open
due dates whose next reminder has come (the partial index `duedate_next_reminder`), in batches, each batch one
transaction that claims its rows (`FOR UPDATE SKIP LOCKED`: a second sweeper takes other rows), and for each:

1. the step to send (notifications.rules.reminder_to_send: the latest one that has come);
2. its audience resolved to users now (notifications.audiences), active accounts only;
3. one `Reminder` row per user, inserted with ON CONFLICT DO NOTHING ... RETURNING: the unique constraint
   (due date, date, offset, user) decides who has not had it yet, whatever else runs; only those get the in-app
   notice and its email (through the outbox, after the commit);
4. the day of its next reminder, so the row leaves the index until then.

A sweeper that dies mid-batch rolls the batch back whole: nothing is half sent.
"""

import logging
from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from notifications import rules
from notifications.audiences import audience_user_ids
from notifications.models import DueDate, Notification, Reminder
from notifications.services.due_dates import policy, reminder_today
from notifications.services.email import emails_queue
from notifications.services.notices import notice_emails

log = logging.getLogger(__name__)


def reminders_sweep(*, today: date | None = None, batch: int = 500) -> dict:
    """Send the reminders due on `today` (the IST reminder day now, by default); returns counts. Safe to run twice,
    or in two processes at once."""
    today = today or reminder_today()
    totals = {"due_dates": 0, "reminders": 0}
    while True:
        with transaction.atomic():
            rows = list(
                DueDate.objects.select_for_update(skip_locked=True)
                .filter(status=DueDate.Status.OPEN, next_remind_on__isnull=False, next_remind_on__lte=today)
                .order_by("next_remind_on", "pk")[:batch]
            )
            totals["reminders"] += remind(rows, today)
        totals["due_dates"] += len(rows)
        if len(rows) < batch:
            return totals


def remind(rows: list[DueDate], today: date) -> int:
    """Send the reminders of these (locked) due dates and move each to its next reminder day; returns how many went."""
    steps: dict[int, rules.Step] = {}
    audiences: dict[str, list[int]] = {}
    for row in rows:
        step = rules.reminder_to_send(
            row.due_on, policy(row.kind), since=row.next_remind_on, today=today, sent=row.reminders_sent
        )
        if step is None:
            continue
        if row.audience not in audiences:
            try:
                audiences[row.audience] = audience_user_ids(row.audience)
            except (LookupError, ValueError):
                log.exception("Due date %s: its audience %r names nobody this app knows", row.pk, row.audience)
                audiences[row.audience] = []
        steps[row.pk] = step
    wanted = {pk for ids in audiences.values() for pk in ids}
    addresses = dict(
        get_user_model().objects.filter(pk__in=wanted, is_active=True).values_list("pk", "email")
    )  # active accounts only; an empty address gets the in-app notice alone
    new = _insert(
        [
            (row.pk, row.due_on, steps[row.pk].offset, user_id)
            for row in rows
            if row.pk in steps
            for user_id in audiences[row.audience]
            if user_id in addresses
        ]
    )
    by_pk = {row.pk: row for row in rows}
    notices = Notification.objects.bulk_create(
        [_notice(by_pk[due_date_id], user_id, reminder_id, today) for reminder_id, due_date_id, user_id in new]
    )
    emails_queue(notice_emails(notices, addresses))
    for row in rows:
        sent = row.reminders_sent + (1 if row.pk in steps else 0)
        row.reminders_sent = sent
        row.next_remind_on = rules.next_reminder_on(row.due_on, policy(row.kind), after=today, sent=sent)
    DueDate.objects.bulk_update(rows, ["reminders_sent", "next_remind_on"], batch_size=500)
    return len(notices)


def _insert(values: list[tuple]) -> list[tuple[int, int, int]]:
    """Insert these reminders (due date, date, offset, user), skipping those the unique constraint already holds;
    (reminder id, due date id, user id) of the new ones. One statement per 500 rows, PostgreSQL and SQLite alike."""
    if not values:
        return []
    meta, ops, q = Reminder._meta, connection.ops, connection.ops.quote_name
    columns = ", ".join(
        q(meta.get_field(name).column) for name in ("due_date", "due_on", "offset", "user", "created_at")
    )
    now = ops.adapt_datetimefield_value(timezone.now())
    new = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            params = [
                p for due_date_id, due_on, offset, user_id in chunk
                for p in (due_date_id, ops.adapt_datefield_value(due_on), offset, user_id, now)
            ]  # fmt: skip
            cursor.execute(
                f"INSERT INTO {q(meta.db_table)} ({columns}) VALUES {placeholders} "
                f"ON CONFLICT DO NOTHING RETURNING {q(meta.pk.column)}, {q(meta.get_field('due_date').column)}, "
                f"{q(meta.get_field('user').column)}",
                params,
            )
            new.extend(tuple(r) for r in cursor.fetchall())
    return new


def _notice(row: DueDate, user_id: int, reminder_id: int, today: date) -> Notification:
    days = (row.due_on - today).days
    when = rules.days_wording(days)
    moment = f" at {timezone.localtime(row.due_at):%H:%M} IST" if row.due_at else ""
    if days < 0:
        body = f"{row.title} was due on {row.due_on:%d %b %Y}{moment}: it is {when}."
    else:
        body = f"{row.title} falls due on {row.due_on:%d %b %Y}{moment}: {when}."
    return Notification(
        user_id=user_id, reminder_id=reminder_id, title=f"Reminder: {row.title}, {when}"[:200], body=body, url=row.url
    )
