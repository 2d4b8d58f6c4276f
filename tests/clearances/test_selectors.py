"""The read side of the clearance cases: who sees which cases, the queue's order, the clock of a list agreeing with
the clock of a page, the overdue board, and the public statistics; each list in a number of queries that does not
grow with the cases."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clearances.models import Case
from clearances.selectors import board, lists, stats
from clearances.selectors.viewer import viewer_of, visible_cases
from tests.factories.bidders import FirmFactory, MembershipFactory, UserFactory
from tests.factories.clearance_cases import make_case, officer
from tests.factories.licences import make_licence

pytestmark = pytest.mark.django_db

ON = date(2027, 9, 1)


@pytest.fixture
def alice_firm(firm_user):
    return firm_user.memberships.get().firm


def queries_of(read):
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured)


# --- Who sees which cases -----------------------------------------------------------------------------------------


def test_each_role_sees_the_cases_it_may_and_no_other(alice_firm, other_firm_user, regulator):
    odisha = make_licence(status="loi_issued", holder=alice_firm, state="Odisha")
    jharkhand = make_licence(status="loi_issued", state="Jharkhand")
    alices_water = make_case(licence=odisha, kind="water_consent")
    alices_plan = make_case(licence=odisha, kind="mining_plan")
    other_water = make_case(licence=jharkhand, kind="water_consent")
    board_officer = officer("odisha-board", "spcb-odisha").user
    other_board = officer("jharkhand-board", "spcb-jharkhand").user
    cpcb = officer("cpcb-officer", "cpcb").user  # supervises every State board
    desk = officer("desk-officer", "mom-desk").user

    def seen(user):
        return set(visible_cases(viewer_of(user)))

    assert seen(alice_firm.memberships.get().user) == {alices_water, alices_plan}
    assert seen(other_firm_user) == set()
    assert seen(board_officer) == {alices_water}
    assert seen(other_board) == {other_water}
    assert seen(cpcb) == {alices_water, other_water}
    assert seen(desk) == {alices_water, alices_plan, other_water}
    assert seen(regulator) == {alices_water, alices_plan, other_water}
    assert list(visible_cases(viewer_of(None))) == []


def test_a_member_of_two_firms_sees_the_cases_of_both():
    user = UserFactory(username="two-hats")
    firms = [MembershipFactory(user=user, firm=FirmFactory()).firm for _ in range(2)]
    cases = {make_case(licence=make_licence(status="loi_issued", holder=f)) for f in firms}
    make_case()  # someone else's
    assert set(visible_cases(viewer_of(user))) == cases


def test_a_removed_officer_sees_nothing_more():
    post = officer("moved-on", "ibm")
    make_case(kind="mining_plan")
    post.removed_at = post.created_at
    post.save()
    assert list(visible_cases(viewer_of(post.user))) == []


# --- The queue ---------------------------------------------------------------------------------------------------


def test_the_officers_queue_puts_the_fast_track_first_then_the_nearest_target():
    early = make_case(filed_on=date(2027, 5, 1))  # target 30 Jul
    late = make_case(filed_on=date(2027, 6, 1))  # target 30 Aug
    fast_late = make_case(filed_on=date(2027, 7, 1), fast_track=True)  # target 29 Sep
    stopped = make_case(filed_on=date(2027, 4, 1), queries=[(date(2027, 4, 10), None)])
    make_case(filed_on=date(2027, 3, 1), outcome="granted", decided_on=date(2027, 4, 1))  # decided: not queued
    queue = list(lists.officer_queue(authority_ids={early.authority_id}, on=ON))
    assert queue == [fast_late, stopped, early, late]
    assert [c.stage_target_date for c in queue] == [
        date(2027, 9, 29), date(2027, 6, 30), date(2027, 7, 30), date(2027, 8, 30)
    ]  # fmt: skip


def test_the_clock_of_a_list_is_the_clock_of_the_page():
    """The SQL of the lists and the rules' own functions count the same days on each kind of open stage."""
    cases = [
        make_case(filed_on=date(2027, 5, 1)),  # running, overdue since 31 Jul
        make_case(filed_on=date(2027, 8, 1)),  # running, in time
        make_case(filed_on=date(2027, 5, 1), queries=[(date(2027, 5, 11), date(2027, 5, 21))]),  # paused 10 days
        make_case(filed_on=date(2027, 5, 1), queries=[(date(2027, 6, 10), None)]),  # stopped since 10 Jun
        make_case(filed_on=date(2027, 5, 1), queries=[(date(2027, 8, 10), None)]),  # stopped after the target
        make_case(kind="water_consent", filed_on=date(2027, 5, 31)),  # four months: to 30 Sep
        make_case(kind="water_consent", filed_on=date(2027, 3, 1), queries=[(date(2027, 4, 1), date(2027, 6, 15))]),
        make_case(kind="environment", filed_on=date(2027, 1, 1), at=1),  # the applicant's EIA report: no clock
    ]
    rows = {c.pk: c for c in lists.case_rows(ON)}
    for case in cases:
        current = next(s for s in case.stages.all() if s.status == "open")
        page = lists.clock_view(current, ON)
        row = rows[case.pk]
        assert (row.days_used, row.days_allowed, row.days_left, row.overdue, row.clock_stopped) == (
            page.days_used, page.days_allowed, page.days_left, page.overdue, page.stopped
        ), case.pk  # fmt: skip
    assert [rows[c.pk].overdue for c in cases] == [True, False, True, False, True, False, False, False]
    assert rows[cases[0].pk].days_used == 123 and rows[cases[0].pk].days_left == -33
    assert rows[cases[3].pk].days_used == 39 and rows[cases[3].pk].clock_stopped


def test_a_closed_case_has_no_clock_in_the_list():
    case = make_case(outcome="refused", decided_on=date(2027, 6, 1))
    row = lists.case_rows(ON).get(pk=case.pk)
    assert (row.stage_name, row.days_used, row.overdue, row.clock_stopped) == (None, None, False, False)


def test_the_lists_cost_the_same_queries_for_two_cases_or_twenty(alice_firm, regulator):
    desk = officer("desk-officer", "mom-desk").user

    def read_all():
        fresh = {u.pk: u for u in type(desk).objects.filter(pk__in=[desk.pk, regulator.pk])}  # nothing cached
        list(lists.applicant_cases(firm_id=alice_firm.pk, on=ON))
        list(lists.officer_queue(authority_ids={1, 2, 3}, on=ON))
        list(lists.all_cases(viewer=viewer_of(fresh[desk.pk]), on=ON, filters={"overdue": True}))
        list(board.overdue_stages(viewer=viewer_of(fresh[regulator.pk]), on=ON))
        list(board.escalated_stages(viewer=viewer_of(fresh[regulator.pk]), on=ON))

    def add(n):
        for i in range(n):
            licence = make_licence(status="loi_issued", holder=alice_firm)
            make_case(licence=licence, filed_on=date(2027, 3, 1 + i), escalated_on=date(2027, 7, 1))
            make_case(licence=licence, kind="water_consent", queries=[(date(2027, 5, 3), None)])

    add(1)
    few = queries_of(read_all)
    add(10)
    assert queries_of(read_all) == few


# --- The overdue board -----------------------------------------------------------------------------------------


def test_the_overdue_board_lists_stages_past_their_target_the_longest_first(regulator):
    longest = make_case(filed_on=date(2027, 4, 1))  # target 30 Jun: 63 days over on 1 Sep
    shorter = make_case(filed_on=date(2027, 5, 20), escalated_on=date(2027, 8, 19))  # 18 Aug: 14 days over
    make_case(filed_on=date(2027, 7, 1))  # in time
    make_case(filed_on=date(2027, 4, 1), queries=[(date(2027, 6, 1), None)])  # stopped before its target
    stopped_late = make_case(filed_on=date(2027, 4, 1), queries=[(date(2027, 7, 11), None)])  # 10 days over
    make_case(filed_on=date(2027, 4, 1), outcome="granted", decided_on=date(2027, 8, 1))  # closed
    rows = list(board.overdue_stages(viewer=viewer_of(regulator), on=ON))
    assert [s.case for s in rows] == [longest, shorter, stopped_late]
    assert [-s.days_left for s in rows] == [63, 14, 10]
    assert [s.case for s in board.escalated_stages(viewer=viewer_of(regulator), on=ON)] == [shorter]


def test_an_officer_sees_on_the_board_only_the_overdue_cases_of_their_body():
    odisha = make_case(kind="water_consent", licence=make_licence(status="loi_issued", state="Odisha"),
                       filed_on=date(2027, 3, 1))  # fmt: skip
    make_case(kind="water_consent", licence=make_licence(status="loi_issued", state="Jharkhand"),
              filed_on=date(2027, 3, 1))  # fmt: skip
    user = officer("odisha-board", "spcb-odisha").user
    assert [s.case for s in board.overdue_stages(viewer=viewer_of(user), on=ON)] == [odisha]
    assert list(board.overdue_stages(viewer=viewer_of(None), on=ON)) == []


# --- Statistics ---------------------------------------------------------------------------------------------------


def test_the_statistics_count_cases_and_a_deemed_decision_is_not_in_time():
    odisha = make_licence(status="loi_issued", state="Odisha")
    jharkhand = make_licence(status="loi_issued", state="Jharkhand")
    # Mining plans (target 90 days): decided in 40 and 60 days, one in 120 (late), one open and overdue.
    make_case(licence=odisha, filed_on=date(2027, 1, 1), outcome="granted", decided_on=date(2027, 2, 10))
    make_case(licence=jharkhand, filed_on=date(2027, 1, 1), outcome="refused", decided_on=date(2027, 3, 2),
              fast_track=True)  # fmt: skip
    make_case(licence=make_licence(status="loi_issued", state="Odisha"), filed_on=date(2027, 1, 1),
              outcome="granted", decided_on=date(2027, 5, 1))  # fmt: skip
    make_case(licence=make_licence(status="loi_issued", state="Odisha"), filed_on=date(2027, 4, 1))
    # A Water Act consent deemed given the day after its four months; one withdrawn.
    make_case(licence=odisha, kind="water_consent", filed_on=date(2027, 1, 1), outcome="deemed",
              decided_on=date(2027, 5, 2))  # fmt: skip
    make_case(licence=jharkhand, kind="water_consent", filed_on=date(2027, 1, 1), outcome="withdrawn",
              decided_on=date(2027, 1, 20))  # fmt: skip

    s = stats.clearance_statistics(on=ON)
    plans, water = s.by_kind["mining_plan"], s.by_kind["water_consent"]
    assert (plans.total, plans.open, plans.overdue, plans.decided, plans.in_time) == (4, 1, 1, 3, 2)
    assert plans.share_in_time == Decimal("66.7")
    assert (water.total, water.deemed, water.withdrawn, water.decided, water.in_time) == (2, 1, 1, 1, 0)
    assert water.share_in_time == Decimal("0.0")
    assert s.overall.total == 6 and s.overall.share_in_time == Decimal("50.0")
    assert s.by_state["Odisha"].total == 4 and s.by_state["Jharkhand"].total == 2
    assert s.by_authority["ibm"].total == 4 and s.authority_names["ibm"] == "Indian Bureau of Mines"
    assert s.by_track["fast_track"].decided == 1 and s.by_track["ordinary"].decided == 3
    [ordinary_plan] = [f for f in s.stages if f.kind == "mining_plan" and not f.fast_track]
    assert (ordinary_plan.closed, ordinary_plan.median_days, ordinary_plan.target_days) == (
        2, Decimal("80.0"), Decimal("90.0")
    )  # fmt: skip
    assert ordinary_plan.in_time == 1 and ordinary_plan.median_against_target == Decimal("88.9")
    # A withdrawn case's stage says nothing of the authority's speed: only the deemed one counts, 121 days of 120.
    [water_stage] = [f for f in s.stages if f.kind == "water_consent"]
    assert (water_stage.closed, water_stage.median_days, water_stage.in_time) == (1, Decimal("121.0"), 0)


def test_the_statistics_cost_the_same_queries_for_three_cases_or_thirty():
    def add(n):
        for i in range(n):
            licence = make_licence(status="loi_issued", state=["Odisha", "Jharkhand", "Goa"][i % 3])
            make_case(licence=licence, filed_on=date(2027, 1, 1 + i), outcome="granted", decided_on=date(2027, 3, 1))
            make_case(licence=licence, kind="water_consent", filed_on=date(2027, 2, 1))
            make_case(licence=licence, kind="environment", filed_on=date(2027, 2, 1), at=3, fast_track=True)

    add(1)
    few = queries_of(lambda: stats.clearance_statistics(on=ON))
    add(10)
    assert queries_of(lambda: stats.clearance_statistics(on=ON)) == few <= 5
    assert Case.objects.count() == 33
