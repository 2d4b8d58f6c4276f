"""The beat sweeper (`clearances.sweep`): silence effects recorded on their day (deemed consent under the Water Act,
the applicant's ToR standing, proceeding as the committee recommended), overdue stages escalated once to the
supervising office and the facilitation desk with notices to their officers; twice, or twice at once on
PostgreSQL, it records each once."""

import threading
from datetime import date

import pytest
from django.db import connection

from clearances import services, tasks
from clearances.models import Case, Stage
from ledger.models import Entry
from notifications.models import Notification
from tests.factories.clearances import lease, member, officer, on

APR_1 = date(2027, 4, 1)


def filed(kind, **lease_fields):
    licence = lease(**lease_fields)
    asha = member(licence)
    with on(APR_1):
        case = services.case_file(actor=asha, licence_id=licence.pk, kind=kind)
    return case, asha


def sweep(day):
    with on(day):
        return services.clearances_sweep()


def kinds(case):
    return list(Entry.objects.filter(stream=case.stream).order_by("seq").values_list("kind", flat=True))


@pytest.mark.django_db
def test_the_water_act_consent_is_deemed_on_the_day_after_four_months():
    case, _asha = filed("water_consent")
    assert sweep(date(2027, 8, 1)) == {}  # 1 Aug is the last day of the four months
    assert sweep(date(2027, 8, 9)) == {"deemed_granted": 1}  # found late, dated by its day
    case.refresh_from_db()
    assert (case.status, case.outcome, case.decided_on) == ("decided", "deemed", date(2027, 8, 2))
    deemed = case.decisions.get()
    assert (
        deemed.recorded_by is None and "deemed given under s.25(7) of the Water Act from 2 Aug 2027" in deemed.reasons
    )
    stage = case.stages.get()
    assert (stage.ended_on, stage.ended_how, stage.silence_effect_on) == (date(2027, 8, 2), "silence", date(2027, 8, 2))
    assert sweep(date(2027, 8, 10)) == {}
    assert kinds(case) == ["filed", "decided"]


@pytest.mark.django_db
def test_the_applicants_tor_stand_and_the_eia_report_stage_opens():
    case, _asha = filed("environment")
    assert sweep(date(2027, 6, 3)) == {"tor_stand": 1}  # 60 days from 1 Apr end on 31 May
    tor, eia = case.stages.get(code="tor"), case.stages.get(code="eia_report")
    assert (tor.ended_how, tor.silence_effect_on) == ("silence", date(2027, 6, 1))
    assert (eia.status, eia.started_on) == ("open", date(2027, 6, 1))
    case.refresh_from_db()
    assert case.status == "in_progress"
    payload = Entry.objects.get(stream=case.stream, kind="silence").payload
    assert "proposed terms of reference stand from 1 Jun 2027" in payload["reasons"]


@pytest.mark.django_db
def test_the_applicant_may_proceed_as_recommended_and_the_ec_milestone_is_met():
    case, asha = filed("environment")
    rmoef = officer("moefcc", "rmoef")
    with on(date(2027, 5, 1)):
        services.stage_advance(actor=rmoef, case_id=case.pk, stage="tor")
        services.stage_advance(actor=asha, case_id=case.pk, stage="eia_report")
    with on(date(2027, 6, 1)):
        services.stage_advance(actor=rmoef, case_id=case.pk, stage="appraisal", note="EAC recommends.")
    assert sweep(date(2027, 7, 17)) == {"proceed_as_recommended": 1}  # 45 days from 1 Jun end on 16 Jul
    case.refresh_from_db()
    assert (case.outcome, case.decided_on) == ("deemed", date(2027, 7, 17))
    milestone = case.licence.obligations.get(kind="environment_clearance")
    assert (milestone.status, milestone.met_on) == ("met", date(2027, 7, 17))


@pytest.mark.django_db
def test_an_overdue_stage_is_escalated_once_to_the_supervising_office_and_the_desk():
    case, _asha = filed("mining_plan")
    rcom, mom, desk = officer("ibm", "rcom"), officer("mom", "secy"), officer("mom-desk", "desk")
    moefcc = officer("moefcc", "rmoef")
    assert sweep(date(2027, 6, 30)) == {}  # 90 days from 1 Apr end on 30 Jun
    assert sweep(date(2027, 7, 2)) == {"escalated": 1}
    stage = case.stages.get()
    assert (stage.overdue_since, stage.escalated_on, stage.status) == (date(2027, 7, 1), date(2027, 7, 2), "open")
    assert sweep(date(2027, 7, 3)) == {}
    assert kinds(case) == ["filed", "escalated"]
    assert Entry.objects.get(stream=case.stream, kind="escalated").payload["to"] == ["mom", "mom-desk"]
    told = set(Notification.objects.filter(title__startswith="Overdue").values_list("user__username", flat=True))
    assert told == {rcom.username, mom.username, desk.username}
    assert moefcc.username not in told


@pytest.mark.django_db
def test_a_stage_waiting_on_the_applicant_is_not_overdue():
    case, asha = filed("mining_plan")
    rcom = officer("ibm", "rcom")
    with on(date(2027, 6, 20)):
        services.query_raise(actor=rcom, case_id=case.pk, text="Missing annexure.")
    assert sweep(date(2027, 7, 15)) == {}
    with on(date(2027, 7, 15)):
        services.query_answer(actor=asha, case_id=case.pk, answer="Attached.")
    # Held 20 Jun-14 Jul (25 days): the target moves from 30 Jun to 25 Jul.
    assert sweep(date(2027, 7, 25)) == {}
    assert sweep(date(2027, 7, 26)) == {"escalated": 1}


@pytest.mark.django_db
def test_the_beat_task_runs_the_sweeper(settings):
    assert settings.CELERY_BEAT_SCHEDULE["clearances-sweep"]["task"] == "clearances.sweep"
    case, _asha = filed("water_consent")
    with on(date(2027, 8, 5)):
        assert tasks.sweep.apply().get() == {"deemed_granted": 1}
    assert Case.objects.get(pk=case.pk).outcome == "deemed"


@pytest.mark.django_db
def test_the_sweeper_reads_the_due_stages_through_the_index(postgres):
    filed("mining_plan")
    from clearances.selectors.clock import due_stages

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = due_stages(date(2027, 7, 2)).query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "clearance_stage_due" in plan


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweepers_at_once_record_each_effect_once(postgres):
    deemed, _ = filed("water_consent")
    overdue, _ = filed("mining_plan")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(sweep(date(2027, 8, 9)))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    merged = {}
    for result in results:
        for key, count in result.items():
            merged[key] = merged.get(key, 0) + count
    assert merged == {"deemed_granted": 1, "escalated": 1}
    assert kinds(deemed) == ["filed", "decided"]
    assert kinds(overdue) == ["filed", "escalated"]
    assert Stage.objects.filter(escalated_on__isnull=False).count() == 1
