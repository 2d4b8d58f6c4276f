"""In-app notices and their emails. This app imports no domain app: callers pass the users to tell (or an audience
key, resolved by the hooks of notifications.audiences)."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.models import Email, Notification
from notifications.services.email import email_deliver, emails_queue, emails_write


def notice_email_body(notice: Notification) -> str:
    link = f"\n\n{settings.SITE_URL.rstrip('/')}{notice.url}" if notice.url else ""
    inbox = f"{settings.SITE_URL.rstrip('/')}/inbox/"
    return f"{notice.body}{link}\n\n--\nKhanij. Your notices: {inbox}"


def notice_emails(notices, addresses: dict) -> list[int]:
    """Write the email of each new notice whose user has an address (`addresses`: user id -> address), in the caller's
    transaction; returns their ids."""
    rows = [
        {
            "key": f"notice:{notice.pk}",
            "to": addresses[notice.user_id],
            "subject": notice.title,
            "body": notice_email_body(notice),
            "notification": notice,
        }
        for notice in notices
        if notice.pk and addresses.get(notice.user_id)
    ]
    return emails_write(rows) if rows else []


def notification_send(*, users, title: str, body: str = "", url: str = "") -> list[Notification]:
    """Record an in-app notice for each user in the caller's transaction; email them once it commits (core.outbox),
    at least once, marked emailed only when the mail server accepted it (notifications.services.email)."""
    users = list(users)
    notices = Notification.objects.bulk_create(
        [Notification(user=user, title=title[:200], body=body, url=url[:300]) for user in users]
    )
    emails_queue(notice_emails(notices, {u.pk: u.email for u in users}))
    return notices


def notifications_email(*, ids) -> int:
    """Send the emails of these notices that are still waiting; returns how many the mail server accepted. A notice is
    marked emailed only after its email was accepted: one that fails stays waiting and is tried again. (Notices
    written before emails had rows of their own get theirs here.)"""
    ids = list(ids)
    unwritten = (
        Notification.objects.filter(pk__in=ids, emailed_at__isnull=True, email__isnull=True)
        .exclude(user__email="")
        .select_related("user")
    )
    with transaction.atomic():
        notice_emails(list(unwritten), {n.user_id: n.user.email for n in unwritten})
    return email_deliver(ids=Email.objects.filter(notification_id__in=ids).values_list("pk", flat=True))


def notification_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
