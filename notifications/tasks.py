"""Celery tasks of notifications: thin, each calls one service; each is safe to run twice (the outbox delivers at
least once, and the beat may overlap). The tasks the outbox relays once (an email, an alert's fan-out) are tried again
while the database is away; the beat's are simply run again at their next turn."""

from celery import shared_task

from core.outbox import RETRY_WHILE_DATABASE_AWAY
from notifications import services


@shared_task(name="notifications.email", **RETRY_WHILE_DATABASE_AWAY)
def email_notifications(ids):
    """Deliver the emails of these notices (messages queued before emails had rows of their own, written here)."""
    return services.notifications_email(ids=ids)


@shared_task(name="notifications.deliver", **RETRY_WHILE_DATABASE_AWAY)
def deliver(ids):
    """Send these emails now (queued through the outbox when they were written)."""
    return services.email_deliver(ids=ids)


@shared_task(name="notifications.email_retry")
def email_retry():
    """Send the emails whose pause after a failure is over (and any the relay has not delivered yet)."""
    return services.email_deliver()


@shared_task(name="notifications.reminders")
def reminders():
    """Send the reminders that are due today (IST)."""
    return services.reminders_sweep()


@shared_task(name="notifications.alerts", **RETRY_WHILE_DATABASE_AWAY)
def alerts(**event):
    """Email an alert to its matching subscribers."""
    return services.alerts_fanout(**event)


@shared_task(name="notifications.purge")
def purge():
    """Forget what is no longer needed: emails sent weeks ago, the rate limits' day-old records."""
    return {"emails": services.email_purge(), "alert_requests": services.alert_requests_purge()}
