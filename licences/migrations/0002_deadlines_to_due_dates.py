"""Every deadline moves to notifications' register of due dates (notifications.DueDate): an obligation's due date
belongs to its licence (the State's discovery auction to its block), is named `obligation:<pk>` within it, and is
for the firm (`firm:<id>`). Open ones get the day of their first reminder from today on."""

import datetime

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from notifications import rules

STATUS = {"open": "open", "done": "met", "cancelled": "cancelled"}
BACK = {"open": "open", "met": "done", "missed": "done", "cancelled": "cancelled"}


def _policy(kind):
    return rules.policy_for(
        kind,
        days_before=settings.REMINDER_DAYS_BEFORE,
        overdue_every=settings.REMINDER_OVERDUE_EVERY_DAYS,
        limit=settings.REMINDER_LIMIT,
        kinds=settings.REMINDER_KINDS,
    )


def forwards(apps, schema_editor):
    Deadline = apps.get_model("licences", "Deadline")
    Obligation = apps.get_model("licences", "Obligation")
    DueDate = apps.get_model("notifications", "DueDate")
    today = rules.reminder_day(timezone.now(), day_starts_at=settings.REMINDER_DAY_STARTS_AT)
    rows = []
    for d in Deadline.objects.select_related("content_type").order_by("pk").iterator():
        ct = d.content_type
        if (ct.app_label, ct.model) == ("licences", "obligation"):
            obligation = Obligation.objects.select_related("licence").filter(pk=d.object_id).first()
            if obligation is None:
                continue
            if obligation.kind == "discovery_auction":
                subject = f"blocks.block:{obligation.licence.block_id}"
            else:
                subject = f"licences.licence:{obligation.licence_id}"
            key = f"obligation:{d.object_id}"
        else:
            subject, key = f"{ct.app_label}.{ct.model}:{d.object_id}", d.kind
        status = STATUS[d.status]
        rows.append(
            DueDate(
                subject=subject,
                key=key,
                kind=d.kind,
                audience=f"firm:{d.owner_id}",
                title=d.title,
                due_on=d.due_on,
                url=d.url,
                status=status,
                next_remind_on=rules.first_reminder_on(d.due_on, _policy(d.kind), today=today)
                if status == "open"
                else None,
                closed_at=d.closed_at,
            )
        )
    DueDate.objects.bulk_create(rows, batch_size=1000)


def backwards(apps, schema_editor):
    Deadline = apps.get_model("licences", "Deadline")
    Obligation = apps.get_model("licences", "Obligation")
    ContentType = apps.get_model("contenttypes", "ContentType")
    DueDate = apps.get_model("notifications", "DueDate")
    ct, _ = ContentType.objects.get_or_create(app_label="licences", model="obligation")
    rows = []
    for due in DueDate.objects.filter(key__startswith="obligation:", audience__startswith="firm:").iterator():
        pk = int(due.key.partition(":")[2])
        if not Obligation.objects.filter(pk=pk).exists():
            continue
        rows.append(
            Deadline(
                owner_id=int(due.audience.partition(":")[2]),
                content_type=ct,
                object_id=pk,
                kind=due.kind,
                title=due.title,
                due_on=due.due_on,
                url=due.url,
                status=BACK[due.status],
                closed_at=due.closed_at or (None if due.status == "open" else datetime.datetime.now(datetime.UTC)),
            )
        )
    Deadline.objects.bulk_create(rows, batch_size=1000)
    DueDate.objects.filter(key__startswith="obligation:").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("licences", "0001_initial"),
        ("notifications", "0002_due_dates_reminders_emails_alerts"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
