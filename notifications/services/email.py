"""Email that reaches people at least once and is never marked sent before it was.

An `Email` row is written in the transaction of what causes it (a notice, a reminder, an alert) and a message to
deliver it is put in the transactional outbox (core.outbox) in that same transaction. The worker's `email_deliver`
claims each row by a conditional UPDATE (which also reserves it for `EMAIL_SEND_LEASE_SECONDS`, so two workers never
send it at once, and a worker that dies mid-send leaves it to be tried again after the lease), sends it with no
transaction open, and only then marks it sent. A failure waits `retry_delay` (doubling from EMAIL_RETRY_FIRST_SECONDS
up to EMAIL_RETRY_MAX_SECONDS) before the beat task `notifications.email_retry` tries it again; after
EMAIL_MAX_ATTEMPTS failures (or at once, when the server refuses for good: a 5xx answer) it is dead, and the
admin lists it (Notifications > Emails, status "Given up") with an action to send it again. The Message-ID is
fixed when the row is written: a retry after a send that the server completed but did not acknowledge (the crash
case) is a duplicate that mail clients drop.
"""

import logging
import smtplib
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.outbox import outbox_enqueue
from notifications import rules
from notifications.models import Email, Notification
from notifications.site import mail_domain

log = logging.getLogger(__name__)

DELIVER_TASK = "notifications.deliver"


def email_write(*, key: str, to: str, subject: str, body: str, notification=None, headers=None) -> Email:
    """The email `key` (written once: the same key again returns the first row), to be delivered after the caller's
    transaction commits. The caller queues its delivery with `emails_queue`."""
    email, _ = Email.objects.get_or_create(
        key=key[:160],
        defaults={
            "to": to,
            "subject": subject[:200],
            "body": body,
            "notification": notification,
            "headers": dict(headers or {}),
            "message_id": make_msgid(idstring=key.replace(":", ".")[:40], domain=mail_domain()),
            "available_at": timezone.now(),
        },
    )
    return email


def emails_write(rows) -> list[int]:
    """Write many new emails at once (dicts of key, to, subject, body and optionally notification, headers): the
    sweeper's batches. Keys must be new (a notice's, made in the same transaction); returns their ids."""
    now = timezone.now()
    emails = Email.objects.bulk_create(
        [
            Email(
                key=row["key"][:160],
                to=row["to"],
                subject=row["subject"][:200],
                body=row["body"],
                notification=row.get("notification"),
                headers=dict(row.get("headers") or {}),
                message_id=make_msgid(idstring=row["key"].replace(":", ".")[:40], domain=mail_domain()),
                available_at=now,
            )
            for row in rows
        ]
    )
    return [email.pk for email in emails]


def emails_queue(ids) -> None:
    """Deliver these emails once the caller's transaction commits (through the outbox: at least once)."""
    ids = [pk for pk in ids if pk]
    if ids:
        outbox_enqueue(DELIVER_TASK, args=[ids])


def _message(email: Email, connection) -> EmailMessage:
    headers = {"Message-ID": email.message_id, "From": settings.DEFAULT_FROM_EMAIL, **email.headers}
    # The envelope sender (MAIL FROM, where bounces go) is the bounce address; the From header is the portal's.
    envelope = settings.EMAIL_BOUNCE_ADDRESS or settings.DEFAULT_FROM_EMAIL
    return EmailMessage(email.subject, email.body, envelope, [email.to], headers=headers, connection=connection)


def _claim(pk: int, now) -> Email | None:
    lease = timedelta(seconds=settings.EMAIL_SEND_LEASE_SECONDS)
    claimed = Email.objects.filter(pk=pk, status=Email.Status.PENDING, available_at__lte=now).update(
        available_at=now + lease, attempts=F("attempts") + 1
    )
    return Email.objects.get(pk=pk) if claimed == 1 else None


def permanent(exc: Exception) -> bool:
    """The server refused for good (a 5xx answer, e.g. no such mailbox): trying again would change nothing."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(code >= 500 for code, _msg in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600


def _failed(email: Email, exc: Exception) -> None:
    error = f"{exc.__class__.__name__}: {exc}"[:2000]
    if email.attempts >= settings.EMAIL_MAX_ATTEMPTS or permanent(exc):
        Email.objects.filter(pk=email.pk).update(status=Email.Status.DEAD, last_error=error)
        log.error("Email %s to %s given up after %s attempts: %s", email.pk, email.to, email.attempts, error)
        return
    pause = rules.retry_delay(
        email.attempts,
        first=timedelta(seconds=settings.EMAIL_RETRY_FIRST_SECONDS),
        cap=timedelta(seconds=settings.EMAIL_RETRY_MAX_SECONDS),
    )
    Email.objects.filter(pk=email.pk).update(available_at=timezone.now() + pause, last_error=error)
    log.warning(
        "Email %s to %s not sent (attempt %s), again in %s: %s", email.pk, email.to, email.attempts, pause, error
    )


def _delivered(email: Email) -> None:
    moment = timezone.now()
    with transaction.atomic():
        Email.objects.filter(pk=email.pk).update(status=Email.Status.SENT, sent_at=moment, last_error="")
        if email.notification_id:
            Notification.objects.filter(pk=email.notification_id).update(emailed_at=moment)


def email_deliver(*, ids=None, limit: int = 200) -> int:
    """Send the pending emails that are due (these `ids`, or the `limit` oldest); returns how many the server
    accepted. Safe to run twice or concurrently: each email is claimed before it is sent."""
    now = timezone.now()
    due = Email.objects.filter(status=Email.Status.PENDING, available_at__lte=now)
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    sent = 0
    connection = None
    try:
        for pk in list(due.order_by("available_at", "pk").values_list("pk", flat=True)[:limit]):
            email = _claim(pk, now)
            if email is None:
                continue
            try:
                if connection is None:
                    connection = get_connection(fail_silently=False)
                    connection.open()
                _message(email, connection).send(fail_silently=False)
            except (smtplib.SMTPException, OSError) as exc:
                _failed(email, exc)
                connection = _close(connection)  # a server that failed may have dropped the session: start anew
                continue
            _delivered(email)
            sent += 1
    finally:
        _close(connection)
    return sent


def _close(connection) -> None:
    if connection is not None:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            log.debug("closing an SMTP connection that had already failed", exc_info=True)
    return None


def email_requeue(*, ids) -> int:
    """Try dead (or pending) emails again from now, with a fresh count (the admin's action)."""
    count = Email.objects.filter(pk__in=list(ids), status__in=[Email.Status.DEAD, Email.Status.PENDING]).update(
        status=Email.Status.PENDING, attempts=0, available_at=timezone.now()
    )
    return count


def email_purge(*, older_than: timedelta | None = None) -> int:
    """Delete the emails sent more than EMAIL_KEEP_DAYS ago (addresses are not kept longer than needed)."""
    older_than = older_than or timedelta(days=settings.EMAIL_KEEP_DAYS)
    deleted, _ = Email.objects.filter(status=Email.Status.SENT, sent_at__lt=timezone.now() - older_than).delete()
    return deleted
