"""A stage's clock, counted as RULES.md s.5 says ("Counting a clock"), with the General Clauses Act (core.dates).

- The day a stage starts does not count ("from" excludes the first day, s.9). The target's last day is the day
  that many calendar days, or calendar months (s.3(35)), after the day the clock runs from, plus the days a query
  paused it.
- A day counts when, at its end, the stage is open and not waiting on the applicant's answer to a query. So the day
  a query is raised does not count, the day it is answered does, and a query raised and answered on the same day
  pauses nothing. The day a stage ends (the move that closes it) counts: the authority acted within it.
- A query's effect is the stage's: `pause` stops the clock until the answer; `restart` (a statute counting from an
  application "complete in all respects", the Water Act) stops it and, once answered, runs the whole period again
  from the day of the answer.
- Overdue: more days used than the target allows (for a stage still open and running, from the day after the
  target date). A silence rule takes effect on the day after the last day of the period, the target date.

The clock is stored on each move (`Clock`'s fields are `Stage`'s), so SQL can count days used and find what is due
(`clearances.selectors.clock`); tests hold that SQL and these functions agree.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from core.dates import days_between, term_end

PAUSE = "pause"
RESTART = "restart"


@dataclass(frozen=True)
class Clock:
    started_on: date
    clock_started_on: date
    target_days: int | None = None
    target_months: int | None = None
    query_effect: str = PAUSE
    days_paused: int = 0
    paused_since: date | None = None
    ended_on: date | None = None

    @property
    def has_target(self) -> bool:
        return self.target_days is not None or self.target_months is not None

    @property
    def running(self) -> bool:
        """Open and not waiting on the applicant."""
        return self.ended_on is None and self.paused_since is None


def _base_end(clock: Clock) -> date | None:
    if clock.target_months is not None:
        return term_end(clock.clock_started_on, months=clock.target_months)
    if clock.target_days is not None:
        return term_end(clock.clock_started_on, days=clock.target_days)
    return None


def clock_start(on: date, *, target_days=None, target_months=None, query_effect: str = PAUSE) -> Clock:
    """The clock of a stage that starts on `on` (the filing day, for the first stage)."""
    if target_days is not None and target_months is not None:
        raise ValueError("A target is in days or in months, not both.")
    if query_effect not in (PAUSE, RESTART):
        raise ValueError(f"A query pauses or restarts a clock; got {query_effect!r}.")
    return Clock(on, on, target_days, target_months, query_effect)


def _paused_days(clock: Clock, raised: date, until: date) -> int:
    """Days of [raised, until) the query held, counting none on or before the day the clock runs from."""
    return max(0, days_between(max(raised, clock.clock_started_on + timedelta(days=1)), until))


def clock_pause(clock: Clock, on: date) -> Clock:
    """A query raised on `on`."""
    if clock.ended_on is not None:
        raise ValueError("A closed stage takes no query.")
    if clock.paused_since is not None:
        raise ValueError("A query is already open on this stage: it must be answered first.")
    if on < clock.started_on:
        raise ValueError("A query cannot be raised before its stage started.")
    return replace(clock, paused_since=on)


def clock_resume(clock: Clock, on: date) -> Clock:
    """The open query answered on `on`: a pausing query adds the days it held; a restarting one runs the whole
    period again from `on`."""
    if clock.paused_since is None:
        raise ValueError("No query is open on this stage.")
    if on < clock.paused_since:
        raise ValueError("A query cannot be answered before it was raised.")
    if clock.query_effect == RESTART:
        return replace(clock, clock_started_on=on, days_paused=0, paused_since=None)
    return replace(
        clock, days_paused=clock.days_paused + _paused_days(clock, clock.paused_since, on), paused_since=None
    )


def clock_end(clock: Clock, on: date) -> Clock:
    """The stage ends on `on` (advanced, decided, silence, withdrawn); an open query stops holding the clock then."""
    if clock.ended_on is not None:
        raise ValueError("The stage has already ended.")
    if on < clock.clock_started_on:
        raise ValueError("A stage cannot end before its clock started.")
    days_paused = clock.days_paused
    if clock.paused_since is not None:
        days_paused += _paused_days(clock, clock.paused_since, on)
    return replace(clock, days_paused=days_paused, paused_since=None, ended_on=on)


def target_date(clock: Clock) -> date | None:
    """The last day of the target, as if no query held the clock from now on (None: no clock)."""
    end = _base_end(clock)
    return None if end is None else end + timedelta(days=clock.days_paused)


def days_allowed(clock: Clock) -> int | None:
    """The days the target gives (for months, the calendar days they span from the clock's start)."""
    end = _base_end(clock)
    return None if end is None else days_between(clock.clock_started_on, end)


def days_used(clock: Clock, on: date) -> int:
    """Days counted up to and including `on` (or up to the stage's end)."""
    until = clock.ended_on if clock.ended_on is not None else on
    used = days_between(clock.clock_started_on, until) - clock.days_paused
    if clock.paused_since is not None:
        used -= _paused_days(clock, clock.paused_since, until + timedelta(days=1))
    return max(0, used)


def days_left(clock: Clock, on: date) -> int | None:
    """Days of the target still to run on `on` (negative: overdue by that many); None without a clock."""
    allowed = days_allowed(clock)
    return None if allowed is None else allowed - days_used(clock, on)


def is_overdue(clock: Clock, on: date) -> bool:
    """More days used than the target allows (a closed stage: it ended late)."""
    allowed = days_allowed(clock)
    return allowed is not None and days_used(clock, on) > allowed


def effect_day(clock: Clock) -> date | None:
    """For a running stage with a target: the day after the target date, when it becomes overdue and a silence rule
    takes effect. None for a stage paused, ended or without a clock (its day is not known yet, or never comes)."""
    end = target_date(clock)
    if end is None or not clock.running:
        return None
    return end + timedelta(days=1)


def clock_replay(started_on: date, *, target_days=None, target_months=None, query_effect: str = PAUSE,
                 queries=(), ended_on: date | None = None) -> Clock:  # fmt: skip
    """The clock after these events: queries as (raised on, answered on or None), in order, one at a time; then the
    end. What the services store move by move, in one call (the table tests' way in)."""
    clock = clock_start(started_on, target_days=target_days, target_months=target_months, query_effect=query_effect)
    for raised, answered in queries:
        clock = clock_pause(clock, raised)
        if answered is not None:
            clock = clock_resume(clock, answered)
    if ended_on is not None:
        clock = clock_end(clock, ended_on)
    return clock
