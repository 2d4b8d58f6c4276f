"""The register of due dates: the one place every date someone must meet enters, whatever app it comes from.

    due_date_register(subject=licence, key=f"obligation:{o.pk}", kind="upfront_1", audience="firm:12",
                      title="First instalment: ML/2027/0001", due_on=date(2027, 5, 10), url="/licences/5/")
    due_date_close(subject=licence, key=f"obligation:{o.pk}", status="met")   # met: its reminders stop
    due_date_close(subject=auction, status="cancelled")                       # the subject ended: all of its dates
    due_date_hold(subject=licence, key=f"obligation:{o.pk}")                  # paid: no reminder while it is checked

`subject` is a model instance or a reference string (`subject_ref`): the thing whose end closes the date. `audience`
is an opaque key (notifications.audiences), resolved to users when a reminder is sent. Callers run inside their own
transaction (the change and its due dates commit together).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications import rules
from notifications.models import DueDate


def subject_ref(subject) -> str:
    """The reference of a subject: `<app>.<model>:<pk>` for a model instance (licences.licence:5), a string as it is."""
    if isinstance(subject, str):
        return subject
    return f"{subject._meta.label_lower}:{subject.pk}"


def policy(kind: str) -> rules.ReminderPolicy:
    """The reminders of `kind`, from the settings REMINDER_DAYS_BEFORE, REMINDER_OVERDUE_EVERY_DAYS, REMINDER_LIMIT
    and the per-kind overrides of REMINDER_KINDS."""
    return rules.policy_for(
        kind,
        days_before=settings.REMINDER_DAYS_BEFORE,
        overdue_every=settings.REMINDER_OVERDUE_EVERY_DAYS,
        limit=settings.REMINDER_LIMIT,
        kinds=settings.REMINDER_KINDS,
    )


def reminder_today() -> datetime.date:
    """The IST reminder day now (it starts at REMINDER_DAY_STARTS_AT o'clock IST)."""
    return rules.reminder_day(timezone.now(), day_starts_at=settings.REMINDER_DAY_STARTS_AT)


def due_date_register(*, subject, key: str, kind: str, audience: str, title: str, due_on: datetime.date,
                      due_at: datetime.datetime | None = None, url: str = "") -> DueDate:  # fmt: skip
    """Open the due date `key` of `subject`, or update the open one: a new day moves it (its reminders start afresh
    for the new day, and calendars see a new revision); a new title, link or audience is taken as it is."""
    if isinstance(due_on, datetime.datetime) or not isinstance(due_on, datetime.date):
        raise TypeError("due_on is a date (the IST day); pass the moment as due_at.")
    ref = subject_ref(subject)
    today = reminder_today()
    first = rules.first_reminder_on(due_on, policy(kind), today=today)
    with transaction.atomic():
        return _register(ref, key, kind, audience, title, due_on, due_at, url, first)


def _register(ref, key, kind, audience, title, due_on, due_at, url, first) -> DueDate:
    due_date, created = DueDate.objects.select_for_update().get_or_create(
        subject=ref,
        key=key,
        status=DueDate.Status.OPEN,
        defaults={
            "kind": kind,
            "audience": audience,
            "title": title[:200],
            "due_on": due_on,
            "due_at": due_at,
            "url": url[:300],
            "next_remind_on": first,
        },
    )
    if created:
        return due_date
    fields = {"kind": kind, "audience": audience, "title": title[:200], "due_at": due_at, "url": url[:300]}
    changed = [name for name, value in fields.items() if getattr(due_date, name) != value]
    for name in changed:
        setattr(due_date, name, fields[name])
    if due_date.due_on != due_on:
        due_date.due_on, due_date.next_remind_on, due_date.reminders_sent = due_on, first, 0
        due_date.revision += 1
        changed += ["due_on", "next_remind_on", "reminders_sent", "revision"]
    if changed:
        due_date.save(update_fields=[*changed, "updated_at"])
    return due_date


def due_date_close(*, subject, key: str | None = None, status: str = DueDate.Status.MET,
                   due_before: datetime.date | None = None, due_after: datetime.date | None = None) -> int:  # fmt: skip
    """Close the open due date `key` of `subject` (or all of its open due dates: the subject ended; or those of them due
    before `due_before`, or after `due_after`) as met, missed or no longer due; their reminders stop. Returns how many
    were closed."""
    if status not in DueDate.Status.values or status == DueDate.Status.OPEN:
        raise ValueError(f"A due date closes as met, missed or cancelled; got {status!r}.")
    rows = DueDate.objects.filter(subject=subject_ref(subject), status=DueDate.Status.OPEN)
    if key is not None:
        rows = rows.filter(key=key)
    if due_before is not None:
        rows = rows.filter(due_on__lt=due_before)
    if due_after is not None:
        rows = rows.filter(due_on__gt=due_after)
    return rows.update(status=status, closed_at=timezone.now(), next_remind_on=None, updated_at=timezone.now())


def due_date_hold(*, subject, key: str, held: bool = True) -> int:
    """Hold the reminders of an open due date while someone else has to act (a payment awaits the regulator's
    confirmation: the date stays listed, but the firm is not reminded of what it did); `held=False` resumes them from
    today (the payment was rejected: it is due again); a date whose reminders run is left as it is (resuming it again
    neither skips nor repeats one)."""
    rows = DueDate.objects.filter(subject=subject_ref(subject), key=key, status=DueDate.Status.OPEN)
    if held:
        return rows.update(next_remind_on=None, updated_at=timezone.now())
    today = reminder_today()
    count = 0
    for row in rows.filter(next_remind_on__isnull=True).select_for_update():
        row.next_remind_on = rules.first_reminder_on(row.due_on, policy(row.kind), today=today)
        row.save(update_fields=["next_remind_on", "updated_at"])
        count += 1
    return count
