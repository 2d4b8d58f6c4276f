"""Every write of notifications, by topic: notices (`notices`), their email (`email`), the register of due dates
(`due_dates`), the reminders sweeper (`reminders`), calendar links (`calendar`) and email alerts (`alerts`)."""

from notifications.services.alerts import (
    alert_confirm,
    alert_publish,
    alert_request,
    alert_requests_purge,
    alert_unsubscribe,
    alerts_fanout,
    unsubscribe_url,
)
from notifications.services.calendar import calendar_token_issue, calendar_token_revoke
from notifications.services.due_dates import due_date_close, due_date_hold, due_date_register, subject_ref
from notifications.services.email import email_deliver, email_purge, email_requeue
from notifications.services.notices import notification_mark_read, notification_send, notifications_email
from notifications.services.reminders import reminders_sweep

__all__ = [
    "alert_confirm",
    "alert_publish",
    "alert_request",
    "alert_requests_purge",
    "alert_unsubscribe",
    "alerts_fanout",
    "calendar_token_issue",
    "calendar_token_revoke",
    "due_date_close",
    "due_date_hold",
    "due_date_register",
    "email_deliver",
    "email_purge",
    "email_requeue",
    "notification_mark_read",
    "notification_send",
    "notifications_email",
    "reminders_sweep",
    "subject_ref",
    "unsubscribe_url",
]
