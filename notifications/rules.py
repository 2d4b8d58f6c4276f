"""The reminder plan as pure functions: no ORM, nothing of Django. The numbers are settings (`REMINDER_*`), passed in
as a `ReminderPolicy`; the services and the sweeper call these, and `tests/notifications/test_rules.py` is their
table test.

A due date is a calendar day in India (IST). Its reminders fall on *steps*: so many days before it (by default 30,
7 and 1), on the day itself (0), then every `overdue_every` days while it is overdue (7: a week late, two weeks
late...), never more than `limit` reminders for one date (12). A step is named by its *offset*, the days from the
reminder to the due date: 30, 7, 1, 0, -7, -14... A due date stores only the day of its next reminder
(`next_remind_on`, indexed, so the sweep finds what is due without reading the rest) and how many it has had:

- registered (or moved to another day) on day D: the first reminder is the first step on or after D. Steps that
  fell before D are not sent late: a date registered 20 days ahead is first reminded 7 days before, not at once
  "30 days before". A moved date starts afresh (its count too), since its steps are new days.
- on day T the sweep sends the latest step that has come (on or before T) since `next_remind_on`: a sweeper that
  was down for three days sends one reminder, the most recent, not three. The next one is the first step after T.
- met, moved away or ended: the due date is closed and has no next reminder.

"Days" are IST calendar days, and a reminder day starts at `day_starts_at` o'clock IST (nobody is reminded at
midnight): `reminder_day` turns the time of a sweep into the day it belongs to.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

INDIA = ZoneInfo("Asia/Kolkata")


@dataclass(frozen=True)
class ReminderPolicy:
    """When to remind of one kind of due date."""

    days_before: tuple[int, ...] = (30, 7, 1, 0)  # 0: on the day
    overdue_every: int = 7  # days between reminders while overdue; 0: none once the day has passed
    limit: int = 12  # at most this many reminders for one date

    def __post_init__(self):
        if any(d < 0 for d in self.days_before):
            raise ValueError(f"Days before a due date are 0 or more; got {self.days_before}.")
        if self.overdue_every < 0 or self.limit < 0:
            raise ValueError("The overdue interval and the limit are 0 or more.")
        object.__setattr__(self, "days_before", tuple(sorted(set(self.days_before), reverse=True)))


def policy_for(kind: str, *, days_before, overdue_every: int, limit: int, kinds: dict | None = None) -> ReminderPolicy:
    """The policy of `kind`: the defaults, with what `kinds[kind]` overrides (days_before, overdue_every, limit)."""
    own = (kinds or {}).get(kind, {})
    return ReminderPolicy(
        days_before=tuple(own.get("days_before", days_before)),
        overdue_every=own.get("overdue_every", overdue_every),
        limit=own.get("limit", limit),
    )


@dataclass(frozen=True)
class Step:
    offset: int  # days from the reminder to the due date: 7 = a week before, 0 = on the day, -7 = a week late
    on: date  # the day the reminder is sent


def _step(due_on: date, offset: int) -> Step:
    return Step(offset, due_on - timedelta(days=offset))


def _before_steps(due_on: date, policy: ReminderPolicy) -> list[Step]:
    return [_step(due_on, d) for d in policy.days_before]


def _overdue_step_on_or_before(due_on: date, policy: ReminderPolicy, day: date) -> Step | None:
    """The latest overdue step on or before `day` (None before the first one, or without overdue reminders)."""
    if policy.overdue_every <= 0 or day <= due_on:
        return None
    weeks = (day - due_on).days // policy.overdue_every
    return _step(due_on, -weeks * policy.overdue_every) if weeks >= 1 else None


def _first_step_on_or_after(due_on: date, policy: ReminderPolicy, day: date) -> Step | None:
    for step in _before_steps(due_on, policy):
        if step.on >= day:
            return step
    if policy.overdue_every <= 0:
        return None
    late = max((day - due_on).days, 1)
    periods = -(-late // policy.overdue_every)  # ceiling: the first overdue step on or after `day`
    return _step(due_on, -periods * policy.overdue_every)


def first_reminder_on(due_on: date, policy: ReminderPolicy, *, today: date) -> date | None:
    """The day of the first reminder of a date registered (or moved to `due_on`) on `today`; None if there is none."""
    if policy.limit <= 0:
        return None
    step = _first_step_on_or_after(due_on, policy, today)
    return step.on if step else None


def reminder_to_send(due_on: date, policy: ReminderPolicy, *, since: date, today: date, sent: int = 0) -> Step | None:
    """The reminder to send on `today`: the latest step on or before `today` and on or after `since` (the stored day
    of the next reminder); None when none has come, or the limit is reached."""
    if sent >= policy.limit or today < since:
        return None
    found = _overdue_step_on_or_before(due_on, policy, today)
    if found is None:
        passed = [s for s in _before_steps(due_on, policy) if s.on <= today]
        found = passed[-1] if passed else None
    return found if found is not None and found.on >= since else None


def next_reminder_on(due_on: date, policy: ReminderPolicy, *, after: date, sent: int) -> date | None:
    """The day of the reminder after the one sent on `after` (`sent` counts it); None past the limit or the last."""
    if sent >= policy.limit:
        return None
    step = _first_step_on_or_after(due_on, policy, after + timedelta(days=1))
    return step.on if step else None


def reminder_day(moment: datetime, *, day_starts_at: int = 0) -> date:
    """The IST reminder day a moment belongs to: the IST calendar day, shifted so that it starts at `day_starts_at`
    o'clock IST (7: from 07:00 to 06:59 the next morning). `moment` must carry its time zone."""
    if moment.tzinfo is None:
        raise ValueError("A moment without a time zone is ambiguous; pass an aware datetime (UTC).")
    if not 0 <= day_starts_at <= 23:
        raise ValueError(f"A day starts at an hour from 0 to 23; got {day_starts_at}.")
    return (moment.astimezone(INDIA) - timedelta(hours=day_starts_at)).date()


def days_wording(days: int) -> str:
    """How far a due date is from the reader's day: "due today", "due tomorrow", "due in 7 days", "overdue by 1 day"."""
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    if days > 1:
        return f"due in {days} days"
    return f"overdue by {-days} day{'s' if days != -1 else ''}"


def retry_delay(attempts: int, *, first: timedelta, cap: timedelta) -> timedelta:
    """The pause before the next try of an email after `attempts` failed ones: first, doubling, at most cap."""
    if attempts < 1:
        return timedelta(0)
    return min(first * 2 ** (attempts - 1), cap)
