"""Models shared by every app."""

from django.db import models


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an `Idempotency-Key` (see core.idempotency).

    A row is reserved (no response yet) before the request is processed, so that a concurrent retry with the
    same key waits for nothing and is told the first is still in progress; the response is stored when known.
    """

    owner = models.CharField(max_length=64, help_text="Who sent the key: user:<id>, or anonymous.")
    scope = models.CharField(max_length=100, help_text="The operation, e.g. blocks.create.")
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64, help_text="sha256 of the method, path and body.")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "scope", "key"], name="idempotency_unique_owner_scope_key")
        ]

    def __str__(self):
        return f"{self.scope} {self.key} ({self.owner})"


class ClosedDay(models.Model):
    """A day the offices that receive filings and payments are closed (a gazetted holiday, a local closure).

    General Clauses Act s.10: a filing or payment whose last day falls on a closed day may be made on the next open
    day (`core.dates`). Weekly closures are the setting `OFFICE_CLOSED_WEEKDAYS`, not rows. With no row and no
    weekly closure, no deadline moves."""

    date = models.DateField(unique=True)
    description = models.CharField(max_length=200, help_text="Why the offices are closed, e.g. Independence Day.")

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d %b %Y}: {self.description}"


class OutboxMessage(models.Model):
    """A Celery task to send, written in the transaction of the act that causes it (core.outbox).

    The act and its message commit together or not at all; the message is then relayed to the broker at least once
    (at once after the commit, else by the worker's relay), and each task is idempotent, so a broker that is down
    delays what goes out and never fails or loses the act."""

    task = models.CharField(max_length=100, help_text="The Celery task's name, e.g. notifications.email.")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    available_at = models.DateTimeField(help_text="Not relayed before this time (backoff after a failed relay).")
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["available_at"], name="outbox_unsent_idx", condition=models.Q(sent_at__isnull=True))
        ]

    def __str__(self):
        return f"{self.task}{tuple(self.args)} ({'sent' if self.sent_at else 'waiting'})"
