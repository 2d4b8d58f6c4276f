"""Registering and closing deadlines: the one place every due date enters the reminders' table.
Callers run inside their own transaction."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from licences.models import Deadline


def deadline_register(*, owner, subject, kind: str, title: str, due_on: datetime.date, url: str = "") -> Deadline:
    """Open (or move) the deadline of `kind` for `subject`; idempotent per (subject, kind) while open."""
    ct = ContentType.objects.get_for_model(subject)
    deadline, created = Deadline.objects.get_or_create(
        content_type=ct,
        object_id=subject.pk,
        kind=kind,
        status=Deadline.Status.OPEN,
        defaults={"owner": owner, "title": title, "due_on": due_on, "url": url},
    )
    if not created and (deadline.due_on, deadline.title, deadline.url) != (due_on, title, url):
        deadline.due_on, deadline.title, deadline.url = due_on, title, url
        deadline.save(update_fields=["due_on", "title", "url"])
    return deadline


def deadline_close(*, subject, kind: str | None = None, cancelled: bool = False) -> int:
    """Close the open deadline(s) of `subject` (of one kind, or all); returns how many were closed."""
    ct = ContentType.objects.get_for_model(subject)
    rows = Deadline.objects.filter(content_type=ct, object_id=subject.pk, status=Deadline.Status.OPEN)
    if kind is not None:
        rows = rows.filter(kind=kind)
    status = Deadline.Status.CANCELLED if cancelled else Deadline.Status.DONE
    return rows.update(status=status, closed_at=timezone.now())


def deadlines_for_firm(firm, *, include_closed: bool = False):
    """The firm's deadlines, overdue ones first, then by date (what the dashboard shows)."""
    today = timezone.localdate()
    rows = Deadline.objects.filter(owner=firm)
    if not include_closed:
        rows = rows.filter(status=Deadline.Status.OPEN)
    overdue = [d for d in rows.order_by("due_on", "id") if d.status == Deadline.Status.OPEN and d.due_on < today]
    rest = [d for d in rows.order_by("due_on", "id") if not (d.status == Deadline.Status.OPEN and d.due_on < today)]
    return overdue + rest
