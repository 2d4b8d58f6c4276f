"""The services pass the calendar of closed days (core.ClosedDay, OFFICE_CLOSED_WEEKDAYS) to the rules: a paying
deadline on a closed day moves to the next open day (General Clauses Act 1897 s.10; RULES.md "Dates and terms").

The settlement of tests/factories/licence_post.py declares the preferred bidder on 23 Feb 2027 (a Tuesday); the
45th day after it is Friday 9 Apr 2027 (5 days of February, 31 of March, 9 of April)."""

from datetime import date

import pytest

from core.models import ClosedDay
from licences.models import Obligation
from notifications.models import DueDate
from tests.factories.licence_post import FIRST_DUE, obligation, settled_lease

pytestmark = pytest.mark.django_db

K = Obligation.Kind


def test_the_first_dues_move_past_a_holiday_and_the_weekend(regulator, settings):
    assert date(2027, 4, 9).weekday() == 4  # a Friday
    settings.OFFICE_CLOSED_WEEKDAYS = ["saturday", "sunday"]
    ClosedDay.objects.create(date=date(2027, 4, 9), description="A State holiday")
    licence, _firms = settled_lease(regulator, kind="CL")
    first, security = obligation(licence, K.UPFRONT_1), obligation(licence, K.PERFORMANCE_SECURITY)
    assert first.due_on == security.due_on == date(2027, 4, 12)  # Monday
    assert "by 12 Apr 2027 (the last day, 9 Apr 2027, the office is closed" in first.basis
    due_dates = DueDate.objects.filter(audience=f"firm:{licence.holder_id}")
    assert set(due_dates.values_list("due_on", flat=True)) == {date(2027, 4, 12)}


def test_with_no_closed_day_recorded_nothing_moves(regulator, settings):
    settings.OFFICE_CLOSED_WEEKDAYS = []
    licence, _firms = settled_lease(regulator, kind="CL")
    assert obligation(licence, K.UPFRONT_1).due_on == FIRST_DUE == date(2027, 4, 9)
