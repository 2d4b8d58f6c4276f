"""Reads of the shared kernel's data, shaped for the pure functions that use them."""

import datetime

from django.conf import settings

from core.dates import ClosedCalendar, weekday_numbers
from core.models import ClosedDay


def closed_days(*, start: datetime.date, end: datetime.date | None = None) -> ClosedCalendar:
    """The offices' closed days from `start` (to `end`, inclusive, when given) for `core.dates.term_end`: the
    `ClosedDay` rows in that range and the weekly closures of the setting `OFFICE_CLOSED_WEEKDAYS`."""
    rows = ClosedDay.objects.filter(date__gte=start)
    if end is not None:
        rows = rows.filter(date__lte=end)
    return ClosedCalendar(
        dates=frozenset(rows.values_list("date", flat=True)),
        weekdays=weekday_numbers(settings.OFFICE_CLOSED_WEEKDAYS),
    )
