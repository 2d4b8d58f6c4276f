"""The stage clock in SQL: days used, days allowed and overdue counted by the database from the fields stored on
each move, exactly as `clearances.rules.clock` counts them in Python (tests/clearances/test_clock_sql.py holds them
equal on the table cases, on PostgreSQL and SQLite). Lists and boards annotate with these, so their query count
does not grow with the stages, and nothing replays a case's history to show its clock.
"""

import datetime

from django.db.models import Case, DateField, F, Func, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, Greatest

from clearances.models import Stage
from clearances.rules import Clock


class DaysBetween(Func):
    """Whole days from `first` to `last` (`first` excluded): `last - first` for two dates."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, last, first, **extra):
        super().__init__(last, first, **extra)

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def clock_annotations(on: datetime.date) -> dict:
    """`days_used`, `days_allowed` (null without a target) and `overdue` of each stage on `on`."""
    until = Coalesce(F("ended_on"), Value(on, output_field=DateField()))
    # An open query holds the days from the day it was raised (none on or before the clock's start) through `until`.
    open_hold = Case(
        When(
            paused_since__isnull=False,
            then=Greatest(
                DaysBetween(until, Greatest(F("paused_since"), F("clock_started_on")))
                + Case(When(paused_since__gt=F("clock_started_on"), then=Value(1)), default=Value(0)),
                Value(0),
            ),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    used = Greatest(DaysBetween(until, F("clock_started_on")) - F("days_paused") - open_hold, Value(0))
    allowed = Case(
        When(target_date__isnull=False, then=DaysBetween(F("target_date"), F("clock_started_on")) - F("days_paused")),
        default=None,
        output_field=IntegerField(),
    )
    return {"days_used": used, "days_allowed": allowed}


def with_clock(stages, on: datetime.date):
    """`stages` annotated with `days_used`, `days_allowed`, `days_left` and `overdue` on `on` (started stages)."""
    annotated = stages.filter(clock_started_on__isnull=False).annotate(**clock_annotations(on))
    return annotated.annotate(
        days_left=F("days_allowed") - F("days_used"),
        overdue=Case(
            When(Q(days_allowed__isnull=False) & Q(days_used__gt=F("days_allowed")), then=Value(True)),
            default=Value(False),
        ),  # fmt: skip
    )


def stage_clock(stage: Stage) -> Clock:
    """The rules' `Clock` of a started stage, from its stored fields."""
    return Clock(
        started_on=stage.started_on,
        clock_started_on=stage.clock_started_on,
        target_days=stage.target_days,
        target_months=stage.target_months,
        query_effect=stage.query_effect,
        days_paused=stage.days_paused,
        paused_since=stage.paused_since,
        ended_on=stage.ended_on,
    )


def due_stages(today: datetime.date):
    """Open, running stages whose target date has passed (their effect day has come): the sweeper's work, found
    through the partial index `clearance_stage_due`, never a scan of every stage."""
    return Stage.objects.filter(
        status=Stage.Status.OPEN, paused_since__isnull=True, target_date__isnull=False, target_date__lt=today
    ).order_by("target_date", "pk")
