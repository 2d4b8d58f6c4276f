"""core.selectors.closed_days: the calendar of closed days (rows and weekly closures) that deadlines roll over."""

from datetime import date

import pytest

from core.models import ClosedDay
from core.selectors import closed_days

pytestmark = pytest.mark.django_db


def test_closed_days_in_the_range_are_read_and_others_are_not(settings):
    settings.OFFICE_CLOSED_WEEKDAYS = []
    ClosedDay.objects.create(date=date(2025, 1, 26), description="Republic Day")
    ClosedDay.objects.create(date=date(2025, 8, 15), description="Independence Day")
    ClosedDay.objects.create(date=date(2024, 12, 25), description="Christmas")
    calendar = closed_days(start=date(2025, 1, 1), end=date(2025, 6, 30))
    assert calendar.dates == {date(2025, 1, 26)}
    assert date(2025, 1, 26) in calendar
    assert date(2025, 8, 15) not in calendar
    assert closed_days(start=date(2025, 1, 1)).dates == {date(2025, 1, 26), date(2025, 8, 15)}


def test_weekly_closures_come_from_the_setting(settings):
    settings.OFFICE_CLOSED_WEEKDAYS = ["sunday"]
    calendar = closed_days(start=date(2025, 1, 1))
    assert date(2025, 6, 1) in calendar  # a Sunday
    assert date(2025, 6, 2) not in calendar


def test_an_empty_calendar_closes_nothing(settings):
    settings.OFFICE_CLOSED_WEEKDAYS = []
    calendar = closed_days(start=date(2025, 1, 1))
    assert not calendar.dates and not calendar.weekdays
    assert date(2025, 6, 1) not in calendar


def test_the_calendar_is_read_once_and_only_when_asked(settings, django_assert_num_queries):
    settings.OFFICE_CLOSED_WEEKDAYS = ["sunday"]
    ClosedDay.objects.create(date=date(2025, 8, 15), description="Independence Day")
    with django_assert_num_queries(0):
        calendar = closed_days(start=date(2025, 1, 1))
        assert date(2025, 6, 1) in calendar  # a Sunday: answered by the setting
    with django_assert_num_queries(1):
        assert date(2025, 8, 15) in calendar
        assert date(2025, 8, 16) not in calendar
