"""A transactional outbox: what goes out after a commit (a Celery task, an email) is written in the act's own
transaction and relayed to the broker afterwards, at least once (ARCHITECTURE.md, core).

`outbox_enqueue` inserts a row in the caller's transaction. Once it commits, the row is relayed at once; if the
broker does not take it (Redis down), the act still stands and its answer is the same: the worker's relay
(`outbox_relay`, a beat task every few seconds) sends it when the broker is back, with a growing pause after
each failed attempt. A row is claimed with `SELECT ... FOR UPDATE SKIP LOCKED`, so two relays never send the same
row at once; a relay that dies after sending and before marking leaves it to be sent again: every task it sends
must be idempotent (the project's tasks claim their work by a conditional UPDATE).
"""

import logging
from datetime import timedelta

from celery import current_app
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from core.models import OutboxMessage

log = logging.getLogger(__name__)

# Options of a task sent once through the outbox (beat's periodic tasks are sent again at their next time anyway): a
# run that finds the database away (an outage, a restart, no free connection) is tried again after 1, 2, 4 ... s,
# then every minute, for about an hour. Its message was already relayed: without this it would be lost.
RETRY_WHILE_DATABASE_AWAY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 1,
    "retry_backoff_max": 60,
    "retry_jitter": False,
    "max_retries": 70,
}

# Pause before a failed message is tried again: 2 s, 4 s, ... capped at 5 minutes.
_BACKOFF_START = timedelta(seconds=2)
_BACKOFF_CAP = timedelta(minutes=5)


def outbox_enqueue(task: str, *, args=(), kwargs=None) -> OutboxMessage:
    """Queue Celery task `task` to run after the surrounding transaction commits (never if it rolls back).

    Called outside a transaction, the message is written and relayed at once."""
    with transaction.atomic(savepoint=False):
        message = OutboxMessage.objects.create(
            task=task, args=list(args), kwargs=dict(kwargs or {}), available_at=timezone.now()
        )
        transaction.on_commit(lambda: outbox_relay(ids=[message.pk]), robust=True)
    return message


def outbox_relay(*, ids=None, limit: int = 100) -> int:
    """Send the waiting messages (these `ids`, or the oldest `limit` due ones) to the broker; returns how many.

    Stops at the first failure: the broker is down, and the rest waits for the next relay."""
    sent = 0
    with transaction.atomic():
        due = OutboxMessage.objects.filter(sent_at__isnull=True, available_at__lte=timezone.now())
        if ids is not None:
            due = due.filter(pk__in=ids)
        claimed = list(due.order_by("available_at", "pk").select_for_update(skip_locked=True)[:limit])
        for message in claimed:
            try:
                _task(message.task).apply_async(args=message.args, kwargs=message.kwargs, retry=False)
            except Exception as exc:  # noqa: BLE001 - any failure of the broker leaves the message for later
                message.attempts += 1
                message.available_at = timezone.now() + min(_BACKOFF_START * 2 ** (message.attempts - 1), _BACKOFF_CAP)
                message.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
                message.save(update_fields=["attempts", "available_at", "last_error"])
                log.warning("Outbox: %s not relayed (attempt %s): %s", message.task, message.attempts, exc)
                break
            message.sent_at = timezone.now()
            message.attempts += 1
            message.save(update_fields=["sent_at", "attempts"])
            sent += 1
    return sent


def _task(name: str):
    """The registered Celery task `name` (the apps' tasks modules are imported on first need, as a worker does)."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def outbox_purge(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Delete the messages sent more than `older_than` ago (the waiting ones are kept, however old)."""
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=timezone.now() - older_than).delete()
    return deleted
