"""Sending notices. This app imports no domain app: callers pass the users to tell."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from core.outbox import outbox_enqueue
from notifications.models import Notification


def notification_send(*, users, title: str, body: str = "", url: str = "") -> list[Notification]:
    """Record an in-app notice for each user in the caller's transaction; email them once it commits (core.outbox)."""
    notices = Notification.objects.bulk_create(
        [Notification(user=user, title=title[:200], body=body, url=url[:300]) for user in users]
    )
    ids = [n.pk for n in notices if n.pk]
    if ids:
        outbox_enqueue("notifications.email", args=[ids])
    return notices


def notifications_email(*, ids) -> int:
    """Send the emails of these notices (each at most once) and mark them sent."""
    sent = 0
    for notice in Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related("user"):
        claimed = Notification.objects.filter(pk=notice.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
        if claimed != 1 or not notice.user.email:
            continue
        link = f"\n\n{settings.SITE_URL.rstrip('/')}{notice.url}" if notice.url else ""
        send_mail(notice.title, f"{notice.body}{link}", None, [notice.user.email], fail_silently=False)
        sent += 1
    return sent


def notification_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
