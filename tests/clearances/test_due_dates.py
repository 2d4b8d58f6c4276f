"""A stage's target in the register of due dates: the deciding authority's officers and the applicant firm's members
each have it (their calendars, their reminders) from the day the stage starts; a query holds it, the answer moves it
(the reminders start again for the new day), and the stage's end closes it (met, missed, no longer due), as does the
lease's end. The reminders sweep tells the officers and the members before the target, and nobody once the stage is
decided; a firm never sees another firm's case, an officer never another body's."""

from datetime import date

import icalendar
import pytest
from django.db import transaction
from django.urls import reverse

from clearances import services
from clearances.services.due_dates import case_due_dates_sync
from licences.services import licence_move
from notifications.models import DueDate, Notification
from notifications.services import calendar_token_issue, reminders_sweep
from tests.factories.clearances import lease, member, officer, on

pytestmark = pytest.mark.django_db
APR_1 = date(2027, 4, 1)
TARGET = date(2027, 6, 30)  # 90 days from 1 Apr 2027 (1 Apr itself not counted)


def filed(kind, body: str, username: str):
    """A case of `kind` filed on 1 Apr 2027 by asha, and an officer (`username`) of its authority (`body`)."""
    licence = lease()
    asha = member(licence)
    user = officer(body, username)
    with on(APR_1):
        case = services.case_file(actor=asha, licence_id=licence.pk, kind=kind)
    return case, asha, user


@pytest.fixture
def plan():
    """A mining plan approval filed on 1 Apr 2027 by asha (whose firm also has bala) with the IBM (ribm)."""
    case, asha, ribm = filed("mining_plan", "ibm", "ribm")
    return case, asha, member(case.licence, "bala"), ribm


def dates(case, status=None):
    """{audience prefix: the due date} of the case's licence (one of each, open unless `status` says)."""
    rows = DueDate.objects.filter(subject=f"licences.licence:{case.licence_id}", key__startswith="clearance-stage:")
    rows = rows.filter(status=status or "open")
    return {row.audience.split(":")[0]: row for row in rows}


def sweep(day):
    with on(day):
        return reminders_sweep()


def reminders(user):
    return list(Notification.objects.filter(user=user, reminder__isnull=False).values_list("title", flat=True))


def test_a_started_stage_is_due_for_the_authority_and_for_the_applicant(plan):
    case, _asha, _bala, _ribm = plan
    found = dates(case)
    authority, applicant = found["authority"], found["firm"]
    assert (authority.audience, authority.kind, authority.due_on) == ("authority:ibm", "clearance_stage", TARGET)
    holder = f"firm:{case.licence.holder_id}"
    assert (applicant.audience, applicant.kind, applicant.due_on) == (holder, "clearance_stage_awaited", TARGET)
    number, name = case.licence.number, case.licence.holder.legal_name
    assert authority.title == f"Mining plan approval, {number} ({name}): Scrutiny and approval"
    assert applicant.title == f"Your mining plan approval, {number} (Indian Bureau of Mines): Scrutiny and approval"
    assert authority.url == applicant.url == f"/clearances/{case.pk}/"
    # The officer is first reminded 30 days before, the applicant (who has nothing to do) a week before.
    assert (authority.next_remind_on, applicant.next_remind_on) == (date(2027, 5, 31), date(2027, 6, 23))


def test_a_query_holds_both_dates_and_the_answer_moves_them_with_fresh_reminders(plan):
    case, asha, _bala, ribm = plan
    with on(date(2027, 5, 25)):
        services.query_raise(actor=ribm, case_id=case.pk, text="Give the mine closure plan.")
    held = dates(case)
    assert {p: (d.due_on, d.next_remind_on) for p, d in held.items()} == {
        "authority": (TARGET, None),
        "firm": (TARGET, None),
    }
    assert "(clock stopped until you answer the query of 25 May 2027)" in held["firm"].title
    assert "(clock stopped: the query of 25 May 2027 awaits the applicant's answer)" in held["authority"].title
    assert sweep(date(2027, 5, 31))["reminders"] == 0  # 30 days before 30 Jun, but the clock is stopped
    with on(date(2027, 6, 5)):
        services.query_answer(actor=asha, case_id=case.pk, answer="Attached.")
    moved = dates(case)
    # Eleven days held (25 May to 4 June): the target moves from 30 Jun to 11 Jul, and the reminders start from it.
    assert {p: (d.due_on, d.next_remind_on, d.revision) for p, d in moved.items()} == {
        "authority": (date(2027, 7, 11), date(2027, 6, 11), 1),
        "firm": (date(2027, 7, 11), date(2027, 7, 4), 1),
    }
    assert "clock stopped" not in moved["authority"].title + moved["firm"].title
    assert [d.pk for d in moved.values()] == [d.pk for d in held.values()]  # the same dates, moved: one per calendar
    sweep(date(2027, 6, 11))
    sweep(date(2027, 6, 12))
    assert reminders(ribm) == [f"Reminder: {moved['authority'].title}, due in 30 days"]


def test_a_query_answered_the_same_day_keeps_the_date_and_its_reminders(plan):
    case, asha, _bala, ribm = plan
    before = {p: (d.due_on, d.next_remind_on) for p, d in dates(case).items()}
    with on(date(2027, 4, 11)):
        services.query_raise(actor=ribm, case_id=case.pk, text="Sign page 4.")
        services.query_answer(actor=asha, case_id=case.pk, answer="Signed.")
    assert {p: (d.due_on, d.next_remind_on, d.revision) for p, d in dates(case).items()} == {
        p: (*v, 0) for p, v in before.items()
    }


def test_a_water_act_query_restarts_the_four_months_from_the_answer():
    case, asha, board = filed("water_consent", "spcb-odisha", "odisha-board")
    assert {d.audience for d in dates(case).values()} == {"authority:spcb-odisha", f"firm:{case.licence.holder_id}"}
    assert {d.due_on for d in dates(case).values()} == {date(2027, 8, 1)}
    assert "deemed given if not decided" in dates(case)["authority"].title
    with on(date(2027, 4, 10)):
        services.query_raise(actor=board, case_id=case.pk, text="The outfall's coordinates.")
    with on(date(2027, 5, 20)):
        services.query_answer(actor=asha, case_id=case.pk, answer="Given.")
    assert {d.due_on for d in dates(case).values()} == {date(2027, 9, 20)}  # four months from 20 May


def test_each_end_of_a_stage_closes_its_dates_as_what_it_was():
    ec, asha, rmoef = filed("environment", "moefcc", "rmoef")
    tor = ec.stages.get(code="tor")
    with on(date(2027, 5, 20)):  # within its 60 days: met
        services.stage_advance(actor=rmoef, case_id=ec.pk, stage="tor")
    assert set(
        DueDate.objects.filter(key__startswith=f"clearance-stage:{tor.pk}:").values_list("status", flat=True)
    ) == {"met"}
    assert dates(ec) == {}  # the EIA report is the applicant's, without a clock: nothing is due
    with on(date(2027, 9, 1)):
        appraisal = services.stage_advance(actor=asha, case_id=ec.pk, stage="eia_report")
    assert {d.due_on for d in dates(ec).values()} == {date(2027, 10, 31)}  # 60 days from 1 Sep
    with on(date(2027, 11, 5)):  # late: missed
        services.case_decide(actor=rmoef, case_id=ec.pk, outcome="refused", reasons="The EIA is incomplete.")
    rows = DueDate.objects.filter(key__startswith=f"clearance-stage:{appraisal.pk}:")
    assert sorted(rows.values_list("status", flat=True)) == ["missed", "missed"]
    assert all(r.next_remind_on is None for r in rows)


def test_a_withdrawal_a_silence_and_the_leases_end_close_them_too():
    licence = lease()
    asha = member(licence)
    with on(APR_1):
        plan = services.case_file(actor=asha, licence_id=licence.pk, kind="mining_plan")
        water = services.case_file(actor=asha, licence_id=licence.pk, kind="water_consent")
        water_use = services.case_file(actor=asha, licence_id=licence.pk, kind="groundwater", groundwater_use=True)
    with on(date(2027, 5, 1)):
        services.case_withdraw(actor=asha, case_id=plan.pk, reasons="A revised plan follows.")
    assert sorted(d.status for d in dates(plan, "cancelled").values()) == ["cancelled", "cancelled"]
    with on(date(2027, 8, 9)):
        services.clearances_sweep()  # the four months ended on 1 Aug: consent deemed given
    assert sorted(dates(water, "missed")) == ["authority", "firm"]
    assert len(dates(water_use)) == 2
    with on(date(2027, 8, 10)), transaction.atomic():
        licence_move(licence=licence, to="loi_revoked", note="Revoked for default.")
    assert dates(water_use) == {}  # the lease ended: the groundwater no-objection's target is no longer anybody's date
    assert DueDate.objects.filter(subject=f"licences.licence:{licence.pk}", status="open").count() == 0


def test_the_sweep_reminds_the_officers_and_the_members_before_the_target_and_nobody_once_decided(plan):
    case, asha, bala, ribm = plan
    other_officer = officer("moefcc", "rmoef")
    assert sweep(date(2027, 5, 30))["reminders"] == 0
    sweep(date(2027, 5, 31))
    assert reminders(ribm) == [f"Reminder: {dates(case)['authority'].title}, due in 30 days"]
    assert reminders(asha) == reminders(bala) == []
    sweep(date(2027, 6, 23))
    sweep(date(2027, 6, 23))  # twice on a day: once each
    assert len(reminders(ribm)) == 2
    applicant_title = dates(case)["firm"].title
    assert reminders(asha) == reminders(bala) == [f"Reminder: {applicant_title}, due in 7 days"]
    assert reminders(other_officer) == []
    with on(date(2027, 6, 25)):
        services.case_decide(actor=ribm, case_id=case.pk, outcome="granted", reasons="The plan meets the Rules.")
    for day in (date(2027, 6, 29), date(2027, 6, 30), date(2027, 7, 7), date(2027, 7, 14)):
        sweep(day)
    assert len(reminders(ribm)) == 2 and len(reminders(asha)) == 1
    assert sorted(d.status for d in dates(case, "met").values()) == ["met", "met"]


def summaries(client, user):
    token = calendar_token_issue(user=user)
    response = client.get(reverse("notifications:calendar_feed", args=[token]))
    assert response.status_code == 200
    return [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")]


def test_the_officer_and_the_firm_see_the_stage_in_their_calendars_and_no_one_elses(plan, client):
    case, asha, _bala, ribm = plan
    other = lease()
    bob = member(other, "bob")
    with on(APR_1):
        theirs = services.case_file(actor=bob, licence_id=other.pk, kind="mining_plan")
    rmoef = officer("moefcc", "rmoef")
    mine, its = case.licence.number, theirs.licence.number
    with on(date(2027, 4, 2)):
        ibm_feed = summaries(client, ribm)
        assert f"Due: {dates(case)['authority'].title}" in ibm_feed
        assert any(its in s for s in ibm_feed)  # the IBM decides both
        asha_feed = summaries(client, asha)
        assert f"Due: {dates(case)['firm'].title}" in asha_feed
        assert not any(its in s for s in asha_feed)
        assert not any(mine in s for s in summaries(client, bob))
        assert not any("mining plan" in s for s in summaries(client, rmoef))
        client.force_login(ribm)
        page = client.get(reverse("notifications:my_calendar")).content.decode()
        assert mine in page and f"/clearances/{case.pk}/" in page
        client.force_login(asha)
        page = client.get(reverse("notifications:my_calendar")).content.decode()
        assert mine in page and its not in page


def test_cases_filed_before_stages_had_due_dates_get_them_once(plan):
    case, _asha, _bala, ribm = plan
    with on(date(2027, 4, 11)):
        services.query_raise(actor=ribm, case_id=case.pk, text="Give the mine closure plan.")
    DueDate.objects.all().delete()
    with on(date(2027, 4, 12)):
        assert case_due_dates_sync() == 1
        assert case_due_dates_sync() == 1
    rows = dates(case)
    assert sorted(rows) == ["authority", "firm"] and all(r.next_remind_on is None for r in rows.values())  # held
    assert DueDate.objects.count() == 2
