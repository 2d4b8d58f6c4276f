"""How every term and time limit is counted (RULES.md "Dates and terms"), as pure functions: no ORM, no settings.

The General Clauses Act 1897, applied in one place:

- s.9: a period "from" a day excludes that day. 5 years from 1 April 2025 end on 1 April 2030 (in force up to and
  including that day); 45 days from 1 March end on 15 April.
- s.3(35): a month is a calendar month. Four months from 1 February end on 1 June, not 120 days later. A day
  missing from the last month becomes that month's last day (one month from 31 January ends on 28 February, or
  29 February in a leap year), and a term is always counted from its first day, never month by month, so the
  clamping does not accumulate.
- s.10: where the last day for doing something in an office (filing, paying) falls on a day the office is
  closed, it may be done on the next day the office is open. Which days are closed is data (`core.ClosedDay`,
  read by `core.selectors.closed_days`) and is passed in here.
- Where an instrument says otherwise ("commencing on"), it governs: a term "commencing on" a day includes it, so
  5 years commencing on 1 April 2025 end on 31 March 2030.

Each kind of term names its rule once, as a `Term`, in a table of the module that owns it (`licences.rules.TERMS`
for the terms of licences). Timestamps are stored in UTC; a term counts calendar days in IST, so callers pass a
`date` (`django.utils.timezone.localdate`), never a `datetime`.
"""

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta

# A run of closed days longer than this is taken for a mistake in the calendar, not a closure (s.10 rolls to the
# next open day; an office closed for a year has none to roll to).
MAX_CLOSED_RUN_DAYS = 366

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Counting(StrEnum):
    """Whether the day a term is counted from is one of its days."""

    FROM = "from"  # General Clauses Act s.9: the first day is excluded
    COMMENCING_ON = "commencing_on"  # the instrument says the term commences on that day: it is day one


@dataclass(frozen=True)
class ClosedCalendar:
    """The days an office is closed: the dates recorded, and weekdays closed every week (0 = Monday).

    Anything with `in` will do where a calendar is taken (a set of dates too); this one also answers for weekly
    closures without listing every Sunday."""

    dates: Container[date] = field(default_factory=frozenset)
    weekdays: frozenset[int] = field(default_factory=frozenset)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and (day.weekday() in self.weekdays or day in self.dates)


NO_CLOSED_DAYS = ClosedCalendar()


@dataclass(frozen=True)
class Term:
    """A kind of term: how it is counted, and whether its last day is a deadline for filing or paying in an office
    (General Clauses Act s.10), which moves to the next open day when the office is closed on it.

    The length is not part of the kind: it is a parameter of the auction (RULES.md), passed to `last_day`."""

    counting: Counting = Counting.FROM
    next_open_day: bool = False
    rule: str = ""  # where the rule comes from, for the documentation and the `basis` sentences

    def last_day(
        self, start: date, *, days: int = 0, months: int = 0, years: int = 0, closed: Container[date] = NO_CLOSED_DAYS
    ) -> date:
        """The last day of a term of this kind of the given length from (or commencing on) `start`."""
        return term_end(
            start,
            days=days,
            months=months,
            years=years,
            counting=self.counting,
            next_open_day=self.next_open_day,
            closed=closed,
        )


def _check_day(value, name: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(
            f"{name} must be a date (the calendar day in IST), not {type(value).__name__}: "
            "convert a timestamp with django.utils.timezone.localdate first."
        )
    return value


def _check_length(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"The number of {name} must be a whole number, not {value!r}.")
    if value < 0:
        raise ValueError(f"A term cannot last a negative number of {name} ({value}); give 0 or more.")
    return value


def shift_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months (negative: back), clamped to the target month's last day
    (General Clauses Act s.3(35)): 31 Jan + 1 = 28 Feb (29 Feb in a leap year); 29 Feb 2028 + 12 = 28 Feb 2029.

    Plain calendar arithmetic, for seed data and month-by-month stepping; a term's last day is `term_end`."""
    return _check_day(day, "The day") + relativedelta(months=months)


def roll_to_open_day(day: date, closed: Container[date] = NO_CLOSED_DAYS) -> date:
    """`day` if the office is open on it, else the next day it is open (General Clauses Act s.10)."""
    open_day = _check_day(day, "The day")
    while open_day in closed:
        open_day += timedelta(days=1)
        if (open_day - day).days > MAX_CLOSED_RUN_DAYS:
            raise ValueError(
                f"No open day within {MAX_CLOSED_RUN_DAYS} days after {day:%d %b %Y}: check the calendar of closed "
                "days and the weekly closures."
            )
    return open_day


def term_end(
    start: date,
    *,
    days: int = 0,
    months: int = 0,
    years: int = 0,
    counting: Counting = Counting.FROM,
    closed: Container[date] = NO_CLOSED_DAYS,
    next_open_day: bool = False,
) -> date:
    """The last day of a term of `days`, or of `months` and `years` (calendar months), from `start`.

    `Counting.FROM` (General Clauses Act s.9) excludes `start`: the term ends on the day that many days, or the
    same day of the month that many months, after it (45 days from 1 March: 15 April; 5 years from 1 April 2025:
    1 April 2030). A missing day of the month becomes the month's last day (s.3(35): one month from 31 January:
    28 February). A term of length 0 from a day ends on that day (a fixed due date, which can still roll).

    `Counting.COMMENCING_ON` (the instrument governs) includes `start` as day one: the term ends the day before
    the corresponding day (5 years commencing on 1 April 2025: 31 March 2030; 45 days commencing on 1 March:
    14 April), or, where the corresponding day does not exist, on the last day of that month (one month
    commencing on 31 January: 28 February). Such a term has at least one day.

    With `next_open_day` (a deadline for filing or paying, s.10), a last day on which the office is closed
    (`closed`: dates, or a `ClosedCalendar`) moves to the next day it is open. An empty calendar moves nothing.

    A term is counted in days, or in months and years, not both: no term of the Rules mixes them, and the order
    of adding them would change the answer."""
    start = _check_day(start, "The first day of a term")
    days = _check_length(days, "days")
    months = _check_length(months, "months") + 12 * _check_length(years, "years")
    counting = Counting(counting)
    if days and months:
        raise ValueError("Give a term in days, or in months and years, not both.")
    if counting is Counting.FROM:
        end = start + timedelta(days=days) if days else start + relativedelta(months=months)
    elif not (days or months):
        raise ValueError("A term commencing on a day includes that day, so it lasts at least one day; got 0.")
    elif days:
        end = start + timedelta(days=days - 1)
    else:
        corresponding = start + relativedelta(months=months)
        end = corresponding if corresponding.day != start.day else corresponding - timedelta(days=1)
    if next_open_day:
        return roll_to_open_day(end, closed)
    return end


def last_day_of_month(day: date) -> date:
    """The last day of `day`'s calendar month (s.3(35)): 28 or 29 February, 30 April, 31 December."""
    return _check_day(day, "The day") + relativedelta(day=31)


def days_between(first: date, last: date) -> int:
    """Days from `first` to `last`, `first` excluded (s.9): 1 March to 15 April is 45. Negative when `last` is
    before `first`."""
    return (_check_day(last, "The last day") - _check_day(first, "The first day")).days


def months_and_days(first: date, last: date) -> tuple[int, int]:
    """How long a term from `first` to `last` is: the whole calendar months m such that m months from `first` end on
    or before `last` (as `term_end` counts them, s.9 and s.3(35)), and the days left over; (0, 0) when `last` is not
    after `first`. One month from 31 January ends on 28 February, so 31 Jan to 28 Feb is (1, 0), and a term from
    29 Feb 2028 to 28 Feb 2029 is a year, (12, 0)."""
    if _check_day(last, "The last day") <= _check_day(first, "The first day"):
        return 0, 0
    months = (last.year - first.year) * 12 + last.month - first.month
    while months > 0 and first + relativedelta(months=months) > last:
        months -= 1
    return months, (last - (first + relativedelta(months=months))).days


def weekday_numbers(names) -> frozenset[int]:
    """Weekday names ("sunday", "Sun") or numbers (0 = Monday ... 6 = Sunday) as weekday numbers, for the weekly
    closures of a `ClosedCalendar`. Raises ValueError naming what it cannot read."""
    numbers = set()
    for raw in names:
        name = str(raw).strip().lower()
        if not name:
            continue
        if name.isdigit() and int(name) < 7:
            numbers.add(int(name))
            continue
        matches = [i for i, weekday in enumerate(WEEKDAYS) if len(name) >= 3 and weekday.startswith(name)]
        if len(matches) != 1:
            raise ValueError(f"{raw!r} is not a weekday: give monday ... sunday, or 0 (Monday) ... 6 (Sunday).")
        numbers.add(matches[0])
    return frozenset(numbers)
