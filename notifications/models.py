"""Notices, due dates and their reminders, the emails that carry them, calendar feeds and email alerts.

This app imports no domain app: a due date names its subject by a reference string (`licences.licence:5`) and its
audience by an opaque key (`firm:12`), which hooks the domain apps register turn into users at send time
(`notifications.audiences`). Data and constraints only; the writes are in `notifications.services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class Notification(models.Model):
    """An in-app message to one user; the same text goes by email after the change commits (`Email`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set once the SMTP server accepted the email (never before: a failed send leaves it empty and retries).
    emailed_at = models.DateTimeField(null=True, blank=True)
    reminder = models.OneToOneField(
        "Reminder", on_delete=models.CASCADE, null=True, blank=True, related_name="notification"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.title} -> {self.user}"


class DueDate(models.Model):
    """A date someone must meet: a licence's obligation, an auction's bid due date, a clearance stage's target.

    Named by its subject (what it belongs to: `licences.licence:5`, `auctions.auction:42`; the subject ending closes
    its due dates) and its key within the subject (`obligation:17`, `bid_due`); one open due date per (subject, key).
    Its audience is an opaque key resolved to users at send time. `next_remind_on` is the IST day of its next reminder
    (notifications.rules), indexed for the sweep."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MET = "met", "Met"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "No longer due"

    subject = models.CharField(max_length=120, help_text="What it belongs to: <app>.<model>:<pk>, or a string key.")
    key = models.CharField(max_length=80, help_text="Which due date of the subject, e.g. obligation:17 or bid_due.")
    kind = models.CharField(max_length=40, help_text="Its kind, which chooses its reminders (REMINDER_KINDS).")
    audience = models.CharField(max_length=120, help_text="Who must meet it: firm:12, auction:42, user:7...")
    title = models.CharField(max_length=200)
    due_on = models.DateField(help_text="The day (IST) it falls due.")
    due_at = models.DateTimeField(null=True, blank=True, help_text="The moment, where it has a time of day.")
    url = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    next_remind_on = models.DateField(null=True, blank=True, help_text="The IST day of its next reminder.")
    reminders_sent = models.PositiveSmallIntegerField(default=0, help_text="Reminders sent for its current date.")
    revision = models.PositiveIntegerField(default=0, help_text="How many times it was moved (calendars' SEQUENCE).")
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            # The sweep: open due dates whose next reminder has come, without reading the others, in the order it
            # claims them (so a batch of 500 reads 500 rows, however many are due).
            models.Index(
                fields=["next_remind_on", "id"],
                name="duedate_next_reminder",
                condition=Q(status="open", next_remind_on__isnull=False),
            ),
            # A person's (or a firm's) due dates: their deadlines page and calendar.
            models.Index(fields=["audience", "status", "due_on"], name="duedate_audience"),
            models.Index(fields=["subject", "status"], name="duedate_subject"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "key"], condition=Q(status="open"), name="duedate_one_open_per_subject_key"
            ),
        ]

    def __str__(self):
        return f"{self.title} by {self.due_on}"


class Reminder(models.Model):
    """One reminder of one due date's date to one user. The unique constraint is what makes a reminder go once per
    (due date, its date, offset, user), whatever the number of sweepers: a second insert does nothing."""

    due_date = models.ForeignKey(DueDate, on_delete=models.CASCADE, related_name="reminders")
    due_on = models.DateField(help_text="The date reminded of (a moved due date's new date is reminded afresh).")
    offset = models.SmallIntegerField(help_text="Days before the date: 30, 7, 1, 0 (the day), -7 (a week late)...")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["due_date", "due_on", "offset", "user"], name="reminder_once_per_user"),
        ]

    def __str__(self):
        return f"{self.due_date} ({self.offset:+d} days) -> user {self.user_id}"


class Email(models.Model):
    """An email to send: written in the transaction of what causes it, sent by a worker after the commit (through
    core.outbox), marked sent only once the SMTP server accepted it, tried again with a growing pause, and dead after
    `EMAIL_MAX_ATTEMPTS` failures (the admin lists those). Its Message-ID is fixed when it is written, so a retry
    after a send the server half-completed is the same message to mail clients."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Accepted by the mail server"
        DEAD = "dead", "Given up: needs an administrator"

    key = models.CharField(max_length=160, unique=True, help_text="What it is: notice:17, alert:tranche-3:9...")
    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="email"
    )
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    headers = models.JSONField(default=dict, blank=True, help_text="Extra headers, e.g. List-Unsubscribe.")
    message_id = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    available_at = models.DateTimeField(help_text="Not tried before this time (backoff, or another worker's try).")
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["available_at"], name="email_pending", condition=Q(status="pending")),
        ]

    def __str__(self):
        return f"{self.subject} -> {self.to} ({self.status})"


class CalendarFeed(models.Model):
    """A user's secret calendar address: only the SHA-256 of its token is stored; the token is shown once."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"calendar of {self.user}"


class AlertSubscription(models.Model):
    """A confirmed subscription to email alerts of new tranches and results, by mineral and State (empty: all).

    Written only on confirmation (double opt-in): an address that never confirms is never stored here. Deleted,
    not flagged, on unsubscription (Digital Personal Data Protection Act 2023: erased once consent is withdrawn)."""

    email = models.EmailField()
    tranches = models.BooleanField(default=True, help_text="New tranches (notices inviting bids).")
    results = models.BooleanField(default=True, help_text="Results: preferred bidders declared, auctions annulled.")
    minerals = models.JSONField(default=list, blank=True, help_text="Mineral names; empty: every mineral.")
    states = models.JSONField(default=list, blank=True, help_text="State names; empty: every State.")
    confirmed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="alert_subscription_one_per_address")]

    def __str__(self):
        return self.email


class AlertRequest(models.Model):
    """A request to subscribe, kept for the rate limits (per address and per IP) and deleted after a day. The address
    is kept as a keyed hash, never in clear."""

    address_hash = models.CharField(max_length=64)
    ip = models.GenericIPAddressField()
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["address_hash", "at"], name="alert_request_address"),
            models.Index(fields=["ip", "at"], name="alert_request_ip"),
        ]

    def __str__(self):
        return f"{self.ip} at {self.at:%Y-%m-%d %H:%M}"
