"""core.dates: the last day of a term, counted as the General Clauses Act 1897 says (RULES.md "Dates and terms").

Every expected date is written by hand from the law: s.9 ("from" excludes the first day), s.3(35) (calendar
months), s.10 (a filing or paying deadline on a closed day moves to the next open day), and the instrument's
"commencing on" (the first day included)."""

from datetime import date, datetime

import pytest

from core.dates import (
    ClosedCalendar,
    Counting,
    Term,
    days_between,
    last_day_of_month,
    months_and_days,
    roll_to_open_day,
    shift_months,
    term_end,
    weekday_numbers,
)

FROM, COMMENCING_ON = Counting.FROM, Counting.COMMENCING_ON
SUNDAY = 6


@pytest.mark.parametrize(
    ("start", "length", "expected"),
    [
        # RULES.md's worked cases.
        (date(2025, 4, 1), {"years": 5}, date(2030, 4, 1)),  # in force up to and including 1 April 2030
        (date(2025, 3, 1), {"days": 45}, date(2025, 4, 15)),  # 30 days left in March, then 15 of April
        (date(2025, 2, 1), {"months": 4}, date(2025, 6, 1)),
        (date(2024, 2, 1), {"months": 4}, date(2024, 6, 1)),  # calendar months, not 120 days ...
        (date(2024, 2, 1), {"days": 120}, date(2024, 5, 31)),  # ... which end on 31 May in a leap year
        # Calendar months clamp to the month's last day, counted from the first day, never month by month.
        (date(2025, 1, 31), {"months": 1}, date(2025, 2, 28)),
        (date(2024, 1, 31), {"months": 1}, date(2024, 2, 29)),  # leap year
        (date(2024, 2, 29), {"years": 1}, date(2025, 2, 28)),  # no 29 February in 2025
        (date(2024, 2, 29), {"years": 4}, date(2028, 2, 29)),
        (date(2025, 4, 30), {"months": 1}, date(2025, 5, 30)),  # a month-end start keeps its day number
        (date(2025, 8, 31), {"months": 6}, date(2026, 2, 28)),
        (date(2025, 8, 31), {"months": 24}, date(2027, 8, 31)),  # no accumulated clamping
        (date(2025, 8, 31), {"years": 1, "months": 6}, date(2027, 2, 28)),
        # Days across a month and a year end; February's 28 days.
        (date(2025, 12, 31), {"days": 1}, date(2026, 1, 1)),
        (date(2025, 1, 1), {"days": 60}, date(2025, 3, 2)),
        # Zero length: the day itself (a fixed due date).
        (date(2025, 8, 15), {}, date(2025, 8, 15)),
        (date(2025, 8, 15), {"days": 0, "months": 0, "years": 0}, date(2025, 8, 15)),
    ],
)
def test_a_term_from_a_day_excludes_that_day(start, length, expected):
    assert term_end(start, counting=FROM, **length) == expected


@pytest.mark.parametrize(
    ("start", "length", "expected"),
    [
        (date(2025, 4, 1), {"years": 5}, date(2030, 3, 31)),  # RULES.md
        (date(2025, 3, 1), {"days": 45}, date(2025, 4, 14)),  # 1 March is day 1
        (date(2025, 6, 10), {"days": 1}, date(2025, 6, 10)),
        (date(2025, 2, 1), {"months": 1}, date(2025, 2, 28)),
        (date(2024, 2, 1), {"months": 1}, date(2024, 2, 29)),
        (date(2023, 3, 1), {"years": 1}, date(2024, 2, 29)),  # the year includes the leap day
        (date(2025, 1, 31), {"months": 1}, date(2025, 2, 28)),  # no 31 February: to the month's end
        (date(2024, 2, 29), {"years": 1}, date(2025, 2, 28)),
        (date(2026, 1, 1), {"years": 50}, date(2075, 12, 31)),
    ],
)
def test_a_term_commencing_on_a_day_includes_that_day(start, length, expected):
    assert term_end(start, counting=COMMENCING_ON, **length) == expected


@pytest.mark.parametrize(
    ("start", "length", "counting", "closed", "expected"),
    [
        # The 45th day from 1 March is 15 April: open, closed, and the first of several closed days.
        (date(2025, 3, 1), {"days": 45}, FROM, {date(2025, 4, 14)}, date(2025, 4, 15)),
        (date(2025, 3, 1), {"days": 45}, FROM, {date(2025, 4, 15)}, date(2025, 4, 16)),
        (
            date(2025, 3, 1),
            {"days": 45},
            FROM,
            {date(2025, 4, 15), date(2025, 4, 16), date(2025, 4, 17)},
            date(2025, 4, 18),
        ),
        # Across a month end and a year end.
        (date(2025, 3, 1), {"days": 30}, FROM, {date(2025, 3, 31)}, date(2025, 4, 1)),
        (
            date(2025, 11, 30),
            {"months": 1},
            FROM,
            {date(2025, 12, 30), date(2025, 12, 31), date(2026, 1, 1)},
            date(2026, 1, 2),
        ),
        # A fixed due date (length 0) rolls too; a term commencing on a day rolls from its own last day.
        (date(2025, 8, 15), {}, FROM, {date(2025, 8, 15)}, date(2025, 8, 16)),
        (date(2025, 4, 1), {"years": 5}, COMMENCING_ON, {date(2030, 3, 31)}, date(2030, 4, 1)),
        # Weekly closures: 1 June 2025 is a Sunday.
        (date(2025, 2, 1), {"months": 4}, FROM, ClosedCalendar(weekdays=frozenset({SUNDAY})), date(2025, 6, 2)),
        (
            date(2025, 2, 1),
            {"months": 4},
            FROM,
            ClosedCalendar(dates=frozenset({date(2025, 6, 2)}), weekdays=frozenset({SUNDAY})),
            date(2025, 6, 3),
        ),
        # An empty calendar moves nothing.
        (date(2025, 2, 1), {"months": 4}, FROM, ClosedCalendar(), date(2025, 6, 1)),
        (date(2025, 2, 1), {"months": 4}, FROM, frozenset(), date(2025, 6, 1)),
    ],
)
def test_a_filing_deadline_on_a_closed_day_moves_to_the_next_open_day(start, length, counting, closed, expected):
    assert date(2025, 6, 1).weekday() == SUNDAY  # the premise of the weekly rows
    assert term_end(start, counting=counting, closed=closed, next_open_day=True, **length) == expected


def test_a_term_that_is_not_a_filing_deadline_does_not_move():
    closed = {date(2025, 4, 15), date(2025, 4, 16)}
    assert term_end(date(2025, 3, 1), days=45, closed=closed) == date(2025, 4, 15)
    assert Term(FROM).last_day(date(2025, 3, 1), days=45, closed=closed) == date(2025, 4, 15)
    assert Term(FROM, next_open_day=True).last_day(date(2025, 3, 1), days=45, closed=closed) == date(2025, 4, 17)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"days": -1}, ValueError, "negative number of days"),
        ({"months": -1}, ValueError, "negative number of months"),
        ({"years": -5}, ValueError, "negative number of years"),
        ({"days": 1, "months": 1}, ValueError, "not both"),
        ({"days": 10, "years": 1}, ValueError, "not both"),
        ({"counting": COMMENCING_ON}, ValueError, "at least one day"),
        ({"days": 1.5}, TypeError, "whole number"),
        ({"months": True}, TypeError, "whole number"),
        ({"counting": "inclusive"}, ValueError, "inclusive"),
    ],
)
def test_a_bad_term_is_refused_with_a_clear_error(kwargs, error, message):
    with pytest.raises(error, match=message):
        term_end(date(2025, 1, 1), **kwargs)


def test_a_timestamp_is_refused_for_a_day():
    with pytest.raises(TypeError, match="localdate"):
        term_end(datetime(2025, 1, 1, 23, 30), days=1)


def test_an_office_closed_every_day_is_refused_rather_than_looping():
    every_day = ClosedCalendar(weekdays=frozenset(range(7)))
    with pytest.raises(ValueError, match="No open day"):
        roll_to_open_day(date(2025, 1, 1), every_day)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 15), -13, date(2023, 12, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 1, 31), 0, date(2025, 1, 31)),
    ],
)
def test_shift_months_moves_by_calendar_months_either_way(day, months, expected):
    assert shift_months(day, months) == expected


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (date(2025, 3, 1), date(2025, 4, 15), 45),
        (date(2024, 2, 28), date(2024, 3, 1), 2),  # the leap day counts
        (date(2025, 4, 15), date(2025, 3, 1), -45),
        (date(2025, 1, 1), date(2025, 1, 1), 0),
    ],
)
def test_days_between_excludes_the_first_day(first, last, expected):
    assert days_between(first, last) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 2, 10), date(2025, 2, 28)),
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2025, 4, 30), date(2025, 4, 30)),
        (date(2025, 12, 1), date(2025, 12, 31)),
    ],
)
def test_last_day_of_month(day, expected):
    assert last_day_of_month(day) == expected


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (date(2025, 4, 1), date(2030, 4, 1), (60, 0)),  # 5 years from 1 April 2025
        (date(2025, 4, 1), date(2030, 3, 31), (59, 30)),  # 1 March 2030 + 30 days
        (date(2025, 1, 31), date(2025, 2, 28), (1, 0)),  # one month from 31 January ends on 28 February
        (date(2025, 1, 31), date(2025, 2, 27), (0, 27)),
        (date(2024, 2, 29), date(2025, 2, 28), (12, 0)),
        (date(2025, 4, 30), date(2025, 5, 31), (1, 1)),  # a month from 30 April ends on 30 May
        (date(2025, 6, 1), date(2025, 6, 1), (0, 0)),
        (date(2025, 6, 2), date(2025, 6, 1), (0, 0)),
    ],
)
def test_months_and_days_is_the_length_term_end_counts(first, last, expected):
    assert months_and_days(first, last) == expected


def test_weekday_names_and_numbers_are_read():
    assert weekday_numbers(["Sunday", "sat", "0", " "]) == {6, 5, 0}
    assert weekday_numbers([]) == frozenset()
    with pytest.raises(ValueError, match="'s' is not a weekday"):
        weekday_numbers(["s"])
    with pytest.raises(ValueError, match="'funday' is not a weekday"):
        weekday_numbers(["funday"])
