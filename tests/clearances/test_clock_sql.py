"""The clock counted by the database from the stored fields agrees with the pure functions on every case of the
clock's table (tests/clearances/test_rules.py), on SQLite and on PostgreSQL (with DATABASE_URL)."""

from datetime import date

import pytest

from authorities.models import Authority
from clearances import rules
from clearances.models import Case, Stage
from clearances.selectors.clock import due_stages, stage_clock, with_clock
from tests.clearances.test_rules import CLOCKS
from tests.factories.licences import make_licence

pytestmark = pytest.mark.django_db


def stored(case, position, clock):
    """A stage row holding the clock's fields as the services store them."""
    return Stage.objects.create(
        case=case,
        position=position,
        code=f"s{position}",
        name=f"Stage {position}",
        owner="authority",
        target_days=clock.target_days,
        target_months=clock.target_months,
        query_effect=clock.query_effect,
        status="closed" if clock.ended_on else "open",
        started_on=clock.started_on,
        clock_started_on=clock.clock_started_on,
        days_paused=clock.days_paused,
        paused_since=clock.paused_since,
        target_date=rules.target_date(clock),
        ended_on=clock.ended_on,
    )


def test_sql_and_python_count_the_same_days_on_every_table_case():
    ibm = Authority.objects.get(code="ibm")
    rows = []
    for name, started, target, effect, queries, ended, on, *_expected in CLOCKS:
        # One case per table row (one open stage per case), each on its own licence.
        case = Case.objects.create(
            licence=make_licence(status="loi_issued"), kind="mining_plan", authority=ibm, template={}, filed_on=started
        )
        clock = rules.clock_replay(
            started,
            target_days=target[0],
            target_months=target[1],
            query_effect=effect,
            queries=queries,
            ended_on=ended,
        )
        rows.append((name, stored(case, 1, clock), on))
    for name, stage, on in rows:
        clock = stage_clock(stage)
        sql = with_clock(Stage.objects.filter(pk=stage.pk), on).values(
            "days_used", "days_allowed", "days_left", "overdue"
        )[0]
        python = {
            "days_used": rules.days_used(clock, on),
            "days_allowed": rules.days_allowed(clock),
            "days_left": rules.days_left(clock, on),
            "overdue": rules.is_overdue(clock, on),
        }
        assert sql == python, name


def test_the_sweeper_finds_running_stages_past_their_target_and_nothing_else():
    ibm = Authority.objects.get(code="ibm")

    def stage(queries=(), ended=None, target=90):
        case = Case.objects.create(
            licence=make_licence(status="loi_issued"),
            kind="mining_plan",
            authority=ibm,
            template={},
            filed_on=date(2027, 3, 1),
        )
        clock = rules.clock_replay(date(2027, 3, 1), target_days=target, queries=queries, ended_on=ended)
        return stored(case, 1, clock)

    due = stage()  # target 30 May
    stage(queries=[(date(2027, 5, 25), None)])  # waiting on the applicant
    stage(ended=date(2027, 5, 1))  # closed
    stage(target=None)  # no clock
    later = stage(queries=[(date(2027, 3, 11), date(2027, 3, 21))])  # target 9 Jun
    assert list(due_stages(date(2027, 5, 30))) == []  # the target date itself is still in time
    assert list(due_stages(date(2027, 5, 31))) == [due]
    assert set(due_stages(date(2027, 6, 10))) == {due, later}
