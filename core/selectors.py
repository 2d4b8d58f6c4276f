"""Reads of the shared kernel's data, shaped for the pure functions that use them."""

import datetime

from django.conf import settings

from core.dates import ClosedCalendar, weekday_numbers
from core.models import ClosedDay


class _StoredClosedDays:
    """The `ClosedDay` dates in a range, read on the first question and kept: a deadline that is never asked about
    (a payment within its grace, say) costs no query."""

    def __init__(self, start: datetime.date | None, end: datetime.date | None):
        self.start, self.end, self._dates = start, end, None

    def _load(self) -> frozenset[datetime.date]:
        if self._dates is None:
            rows = ClosedDay.objects.all()
            if self.start is not None:
                rows = rows.filter(date__gte=self.start)
            if self.end is not None:
                rows = rows.filter(date__lte=self.end)
            self._dates = frozenset(rows.values_list("date", flat=True))
        return self._dates

    def __contains__(self, day: object) -> bool:
        return day in self._load()

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __eq__(self, other: object) -> bool:
        return self._load() == other

    __hash__ = None


def closed_days(*, start: datetime.date | None = None, end: datetime.date | None = None) -> ClosedCalendar:
    """The offices' closed days from `start` (to `end`, inclusive; each bound when given) for `core.dates.term_end`:
    the `ClosedDay` rows in that range (read once, when first asked) and the weekly closures of the setting
    `OFFICE_CLOSED_WEEKDAYS`. A list computing many deadlines passes one calendar to all of them."""
    return ClosedCalendar(
        dates=_StoredClosedDays(start, end),
        weekdays=weekday_numbers(settings.OFFICE_CLOSED_WEEKDAYS),
    )
