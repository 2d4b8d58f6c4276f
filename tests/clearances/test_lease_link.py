"""The link to the lease (RULES.md s.5, through `licences.hooks`; licences never imports clearances): a standing
mining plan approval or EC meets its lease milestone dated by the decision, never ticked a second time by hand; the
deed's execution is refused, naming what is missing, until every case that gates it stands."""

from datetime import date

import pytest

from clearances import services
from core.errors import Conflict
from licences import hooks
from licences import services as licence_services
from licences.models import Licence, Obligation
from tests.factories.clearances import lease, member, officer, on

pytestmark = pytest.mark.django_db


def granted(actor_applicant, authority_officer, licence, kind, filed, decided, **decision):
    with on(filed):
        case = services.case_file(actor=actor_applicant, licence_id=licence.pk, kind=kind)
    with on(decided):
        while case.stages.filter(status="pending").exists():
            stage = case.stages.get(status="open")
            mover = actor_applicant if stage.owner == "applicant" else authority_officer
            services.stage_advance(actor=mover, case_id=case.pk, stage=stage.code)
        services.case_decide(
            actor=authority_officer, case_id=case.pk, outcome="granted", reasons="In order.", **decision
        )
    return case


def ready_to_execute(licence):
    """The deed's other conditions (the development agreement, the balance paid) as a test's starting point."""
    Licence.objects.filter(pk=licence.pk).update(status=Licence.Status.MDPA_SIGNED)
    licence.obligations.filter(kind__in=["upfront_2", "upfront_3", "mdpa"]).update(
        status=Obligation.Status.MET, met_on=date(2027, 6, 1)
    )


def test_the_hooks_are_registered_at_start_up():
    from clearances.selectors.lease import execution_blockers, milestone_keeper

    assert execution_blockers in hooks._execution_blockers
    assert milestone_keeper in hooks._milestone_keepers


def test_once_a_case_exists_its_milestone_is_not_ticked_by_hand(regulator):
    licence = lease()
    asha = member(licence)
    with on(date(2027, 4, 1)):
        case = services.case_file(actor=asha, licence_id=licence.pk, kind="mining_plan")
    milestone = licence.obligations.get(kind="mining_plan")
    with on(date(2027, 5, 1)), pytest.raises(Conflict) as refused:
        licence_services.obligation_mark_met(actor=regulator, obligation_id=milestone.pk, met_on="2027-05-01")
    assert refused.value.code == "milestone_kept_by_case"
    assert f"followed in clearance case {case.pk} (Indian Bureau of Mines" in refused.value.message
    milestone.refresh_from_db()
    assert milestone.status == "pending"
    # The EC, with no case yet, is still ticked by hand (an approval from before Khanij)...
    ec = licence.obligations.get(kind="environment_clearance")
    with on(date(2027, 5, 1)):
        licence_services.obligation_mark_met(actor=regulator, obligation_id=ec.pk, met_on="2027-04-28")
    # ...and then needs no case.
    with on(date(2027, 5, 2)), pytest.raises(Conflict, match="recorded met on 28 Apr 2027: no environment clearance"):
        services.case_file(actor=asha, licence_id=licence.pk, kind="environment")


def test_execution_is_refused_naming_the_missing_cases_until_each_stands(regulator):
    licence = lease(forest_ha="30")
    asha = member(licence)
    rcom, rmoef = officer("ibm", "rcom"), officer("moefcc", "rmoef")
    ready_to_execute(licence)
    with on(date(2027, 6, 2)), pytest.raises(Conflict) as refused:
        licence_services.licence_execute(actor=regulator, licence_id=licence.pk, executed_on="2027-06-02")
    assert refused.value.message == (
        "Executing the deed needs first: mining plan approved (pending); environment clearance (pending); forest "
        "clearance Stage II (final) (no case filed; needed because the block holds 30 ha of forest land)."
    )
    granted(asha, rcom, licence, "mining_plan", date(2027, 4, 1), date(2027, 5, 10))
    granted(asha, rmoef, licence, "environment", date(2027, 4, 1), date(2027, 5, 20), valid_until="2057-01-01")
    stage_1 = granted(asha, rmoef, licence, "forest_stage_1", date(2027, 4, 1), date(2027, 5, 25))
    with on(date(2027, 5, 26)):
        stage_2 = services.case_file(actor=asha, licence_id=licence.pk, kind="forest_stage_2")
    with on(date(2027, 6, 2)), pytest.raises(Conflict) as still:
        licence_services.licence_execute(actor=regulator, licence_id=licence.pk, executed_on="2027-06-02")
    assert still.value.message == (
        f"Executing the deed needs first: forest clearance Stage II (final) (case {stage_2.pk} open since 26 May "
        "2027, at compliance report and compensatory levies by the applicant; needed because the block holds 30 ha "
        "of forest land)."
    )
    met = licence.obligations.filter(kind__in=["mining_plan", "environment_clearance"])
    assert {o.kind: o.met_on for o in met} == {
        "mining_plan": date(2027, 5, 10),
        "environment_clearance": date(2027, 5, 20),
    }
    stage_1.refresh_from_db()
    assert stage_1.outcome == "granted"
    with on(date(2027, 6, 1)):
        services.stage_advance(actor=asha, case_id=stage_2.pk, stage="compliance")
        services.case_decide(actor=rmoef, case_id=stage_2.pk, outcome="granted", reasons="Levies paid.")
    with on(date(2027, 6, 2)):
        licence_services.licence_execute(actor=regulator, licence_id=licence.pk, executed_on="2027-06-02")
    licence.refresh_from_db()
    assert (licence.status, licence.starts_on) == ("active", date(2027, 6, 2))


def test_a_lease_whose_data_needs_no_gating_case_executes_on_its_milestones(regulator):
    """No forest land, no protected area near: the milestones (here ticked by hand, before any case) suffice."""
    licence = lease()
    ready_to_execute(licence)
    licence.obligations.filter(kind__in=["mining_plan", "environment_clearance"]).update(
        status=Obligation.Status.MET, met_on=date(2027, 5, 1)
    )
    with on(date(2027, 6, 2)):
        licence_services.licence_execute(actor=regulator, licence_id=licence.pk, executed_on="2027-06-02")
    assert Licence.objects.get(pk=licence.pk).status == "active"


def test_a_composite_licences_deed_is_not_held_by_the_cases(regulator):
    licence = lease(kind="CL", forest_ha="30")
    ready_to_execute(licence)
    with on(date(2027, 6, 2)):
        licence_services.licence_execute(actor=regulator, licence_id=licence.pk, executed_on="2027-06-02")
    assert Licence.objects.get(pk=licence.pk).status == "active"
