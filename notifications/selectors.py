"""Reads of notifications: a person's due dates (their deadlines page, their calendar), the owner of a calendar
address, the inbox."""

import datetime

from django.utils import timezone

from notifications.audiences import audience_keys
from notifications.models import CalendarFeed, DueDate, Notification
from notifications.site import token_hash


def due_dates_for(*, audiences, today: datetime.date | None = None, include_closed: bool = False) -> list[DueDate]:
    """The due dates of these audience keys: the overdue ones first (the longest overdue first), then by date. A date
    that is a moment (an auction's bid due date) is past once the moment has passed, never overdue: it is left out."""
    today = today or timezone.localdate()
    rows = DueDate.objects.filter(audience__in=list(audiences))
    if not include_closed:
        rows = rows.filter(status=DueDate.Status.OPEN).exclude(due_at__lt=timezone.now())
    rows = list(rows.order_by("due_on", "id"))
    overdue = [d for d in rows if d.status == DueDate.Status.OPEN and d.due_on < today]
    return overdue + [d for d in rows if not (d.status == DueDate.Status.OPEN and d.due_on < today)]


def user_due_dates(user, *, today: datetime.date | None = None) -> list[DueDate]:
    """Every open due date of the audiences the user belongs to now (their firm's, their auctions', their own)."""
    return due_dates_for(audiences=audience_keys(user), today=today)


def calendar_feed_user(token: str):
    """The user whose calendar address has this token, or None (an unknown or replaced token)."""
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    return feed.user if feed and feed.user.is_active else None


def has_calendar_feed(user) -> bool:
    return CalendarFeed.objects.filter(user=user).exists()


def inbox(user, *, limit: int = 200):
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")[:limit]
