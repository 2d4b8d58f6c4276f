from celery import shared_task

from notifications.services import notifications_email


@shared_task(name="notifications.email")
def email_notifications(ids):
    notifications_email(ids=ids)
