from celery import shared_task

from core.outbox import RETRY_WHILE_DATABASE_AWAY
from notifications.services import notifications_email


@shared_task(name="notifications.email", **RETRY_WHILE_DATABASE_AWAY)
def email_notifications(ids):
    """Email these notices, each at most once; tried again while the database is away."""
    notifications_email(ids=ids)
