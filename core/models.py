"""Models shared by every app."""

from django.db import models
from knox.models import AbstractAuthToken


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


class ApiToken(AbstractAuthToken):
    """An API token of a program (django-rest-knox's token, swapped in by KNOX_TOKEN_MODEL).

    Only knox's SHA-512 digest of the token is stored, with the token's first characters (`token_key`) to find the
    row; the token itself is shown once, when issued. It works until `expiry` (settings.API_TOKEN_DAYS from its
    issue) and until revoked (the row deleted). `name` says which program holds it (one token per program and
    user); `last_used` is written at most once a minute (core.authentication.LAST_USED_PRECISION)."""

    id = models.BigAutoField(primary_key=True)  # knox keys by the digest; pages and URLs name a token by this id
    digest = models.CharField(max_length=128, unique=True)
    expiry = models.DateTimeField(help_text="Refused from this time on (settings.API_TOKEN_DAYS after its issue).")
    name = models.CharField(max_length=100, help_text="The program that holds the token, e.g. bidding-robot.")
    last_used = models.DateTimeField(null=True, blank=True, help_text="To the minute.")

    class Meta:
        ordering = ["-created"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="api_token_unique_user_name")]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.user})"
