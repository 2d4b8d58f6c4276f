"""A user's secret calendar address: a random token shown once, stored as its SHA-256 (a leaked database does not
give the addresses away), replaced by a new one on request (the old address then answers 404)."""

import secrets

from django.db import transaction

from notifications.models import CalendarFeed
from notifications.site import token_hash


def calendar_token_issue(*, user) -> str:
    """A new secret token for the user's calendar feed (the previous one stops working); shown to them once."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": token_hash(token)})
    return token


def calendar_token_revoke(*, user) -> bool:
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)
