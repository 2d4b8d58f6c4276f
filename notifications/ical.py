"""iCalendar (RFC 5545) feeds built with the `icalendar` library: a person's due dates, and any app's public
calendar (the auctions' calendar passes its own events). Every event has a stable UID, so a calendar application
that subscribes updates an event in place when its date moves (SEQUENCE counts the moves)."""

import datetime
from dataclasses import dataclass

import icalendar
from django.utils import timezone

from notifications.models import DueDate
from notifications.site import absolute, mail_domain


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    start: datetime.date | datetime.datetime  # a day (an all-day event) or an aware moment
    description: str = ""
    url: str = ""
    sequence: int = 0


def calendar_bytes(*, name: str, description: str, events) -> bytes:
    """A VCALENDAR of these events, as the bytes to serve (text/calendar)."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Khanij//Due dates and auctions//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-caldesc", description)
    cal.add("x-wr-timezone", "Asia/Kolkata")
    cal.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("summary", item.summary)
        if isinstance(item.start, datetime.datetime):
            event.add("dtstart", item.start.astimezone(datetime.UTC))
        else:
            event.add("dtstart", item.start)
            event.add("dtend", item.start + datetime.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", absolute(item.url))
        event.add("sequence", item.sequence)
        cal.add_component(event)
    return cal.to_ical()


def due_date_events(due_dates) -> list[CalendarEvent]:
    domain = mail_domain()
    events = []
    for due in due_dates:
        when = f" at {timezone.localtime(due.due_at):%H:%M} IST" if due.due_at else ""
        events.append(
            CalendarEvent(
                uid=f"due-date-{due.pk}@{domain}",
                summary=f"Due: {due.title}",
                start=due.due_at or due.due_on,
                description=f"{due.title} falls due on {due.due_on:%d %b %Y}{when}. {absolute(due.url)}".strip(),
                url=due.url,
                sequence=due.revision,
            )
        )
    return events


def due_dates_calendar(due_dates: list[DueDate], *, name: str) -> bytes:
    return calendar_bytes(
        name=name,
        description="Your due dates in Khanij: licence obligations and the dates of the auctions you take part in.",
        events=due_date_events(due_dates),
    )
