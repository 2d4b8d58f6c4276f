"""Decisions: a grant at the last stage with reasons (and validity where the template asks), a refusal at any
stage, each refusal of bad input naming its field with nothing changed; a forest Stage I revoked past its validity
without a compliance report; a contesting decision beside a deemed one, never an edit."""

from datetime import date

import pytest

from clearances import services
from clearances.models import Case, Decision
from core.errors import ApplicationError, Conflict, PermissionDenied
from ledger.models import Entry
from tests.factories.clearances import lease, member, officer, on

pytestmark = pytest.mark.django_db
APR_1 = date(2027, 4, 1)


def filed(kind="mining_plan", **lease_fields):
    licence = lease(**lease_fields)
    asha = member(licence)
    with on(APR_1):
        case = services.case_file(actor=asha, licence_id=licence.pk, kind=kind)
    return case, asha


def decide(actor, case, day, **fields):
    with on(day):
        return services.case_decide(actor=actor, case_id=case.pk, **fields)


def unchanged(case):
    case.refresh_from_db()
    assert (case.status, case.outcome, case.decided_on) == ("filed", "", None)
    assert not Decision.objects.filter(case=case).exists()
    assert case.stages.get(position=1).status == "open"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"outcome": "granted", "reasons": ""}, "reasons", "Write the reasons for the decision."),
        ({"outcome": "granted", "reasons": "   "}, "reasons", "Write the reasons for the decision."),
        ({"outcome": "approved", "reasons": "Fine."}, "outcome", "Choose granted or refused."),
        ({"outcome": "deemed", "reasons": "Fine."}, "outcome", "Choose granted or refused."),
    ],
)
def test_a_decision_without_reasons_or_with_another_outcome_is_refused(fields, field, message):
    case, _asha = filed()
    with pytest.raises(ApplicationError) as refused:
        decide(officer("ibm", "rcom"), case, date(2027, 5, 1), **fields)
    assert refused.value.fields[field] == [message]
    unchanged(case)


def test_a_grant_meets_its_milestone_dated_by_the_decision():
    case, _asha = filed()
    rcom = officer("ibm", "rcom")
    decision = decide(rcom, case, date(2027, 6, 15), outcome="granted", reasons="The plan is in order.",
                      conditions="Progressive mine closure as in chapter 9.")  # fmt: skip
    case.refresh_from_db()
    assert (case.status, case.outcome, case.decided_on) == ("decided", "granted", date(2027, 6, 15))
    assert (decision.recorded_by, decision.on_behalf_of, decision.valid_until) == (rcom, None, None)
    milestone = case.licence.obligations.get(kind="mining_plan")
    assert (milestone.status, milestone.met_on, milestone.penalty) == ("met", date(2027, 6, 15), 0)
    event = case.licence.events.get(kind="milestone_met")
    assert f"clearance case {case.pk}" in event.note
    assert list(Entry.objects.filter(stream=case.stream).order_by("seq").values_list("kind", flat=True)) == [
        "filed",
        "decided",
    ]


def test_a_grant_recorded_late_is_dated_by_the_decision_and_pays_the_delay():
    """The mining plan was due 6 months after the LoI of 20 Mar 2027 (20 Sep); granted 5 Oct: one month or part of a
    month late, 1% of the performance security (Rs 1 crore): Rs 1,00,000."""
    case, _asha = filed()
    with on(date(2027, 10, 20)):
        services.case_decide(actor=officer("ibm", "rcom"), case_id=case.pk, outcome="granted", reasons="Approved.",
                             acted_on="2027-10-05", reference="IBM/MP/2027/88")  # fmt: skip
    decision = case.decisions.get()
    assert (decision.decided_on, decision.on_behalf_of.code, decision.external_reference) == (
        date(2027, 10, 5),
        "ibm",
        "IBM/MP/2027/88",
    )
    milestone = case.licence.obligations.get(kind="mining_plan")
    assert (milestone.met_on, milestone.penalty) == (date(2027, 10, 5), 100000)


def test_an_ec_grant_needs_its_validity_within_thirty_years():
    case, asha = filed(kind="environment")
    rmoef = officer("moefcc", "rmoef")
    with on(date(2027, 5, 1)):
        services.stage_advance(actor=rmoef, case_id=case.pk, stage="tor")
        services.stage_advance(actor=asha, case_id=case.pk, stage="eia_report")
        services.stage_advance(actor=rmoef, case_id=case.pk, stage="appraisal")
    with pytest.raises(ApplicationError) as missing:
        decide(rmoef, case, date(2027, 5, 20), outcome="granted", reasons="Recommended by the EAC.")
    assert "valid_until" in missing.value.fields
    with pytest.raises(ApplicationError) as too_long:
        decide(rmoef, case, date(2027, 5, 20), outcome="granted", reasons="EAC.", valid_until="2057-05-21")
    assert "at most 30 years: until 20 May 2057" in too_long.value.fields["valid_until"][0]
    decision = decide(rmoef, case, date(2027, 5, 20), outcome="granted", reasons="EAC.", valid_until="2047-05-20")
    assert decision.valid_until == date(2047, 5, 20)
    assert case.licence.obligations.get(kind="environment_clearance").met_on == date(2027, 5, 20)


def test_a_grant_comes_at_the_last_stage_a_refusal_at_any(regulator):
    case, _asha = filed(kind="environment")
    rmoef = officer("moefcc", "rmoef")
    with pytest.raises(Conflict, match="last stage"):
        decide(rmoef, case, date(2027, 4, 20), outcome="granted", reasons="Early.", valid_until="2040-01-01")
    refusal = decide(rmoef, case, date(2027, 4, 20), outcome="refused", reasons="The ToR cannot be set: no land data.")
    case.refresh_from_db()
    assert (case.outcome, refusal.stage.code, case.stages.get(code="tor").ended_how) == ("refused", "tor", "decided")
    assert case.licence.obligations.get(kind="environment_clearance").status == "pending"


@pytest.mark.parametrize(
    ("acted_on", "field", "message"),
    [("2027-06-02", "acted_on", "in the future"), ("2027-03-30", "acted_on", "before the case was filed")],
)
def test_a_decision_recorded_in_the_future_or_before_filing_is_refused(regulator, acted_on, field, message):
    case, _asha = filed()
    with pytest.raises(ApplicationError) as refused:
        decide(regulator, case, date(2027, 6, 1), outcome="granted", reasons="Approved.", acted_on=acted_on,
               reference="IBM/1")  # fmt: skip
    assert field in refused.value.fields and message in refused.value.message
    unchanged(case)


@pytest.mark.parametrize("who", ["applicant", "desk", "other body", "regulator without a date"])
def test_only_the_authority_decides(who, regulator):
    case, asha = filed()
    actor = {
        "applicant": lambda: asha,
        "desk": lambda: officer("mom-desk", "desk"),
        "other body": lambda: officer("moefcc", "rmoef"),
        "regulator without a date": lambda: regulator,
    }[who]()
    with pytest.raises((PermissionDenied, ApplicationError)):
        decide(actor, case, date(2027, 5, 1), outcome="granted", reasons="Yes.")
    unchanged(case)


def test_a_decided_case_takes_no_more_moves():
    case, asha = filed()
    rcom = officer("ibm", "rcom")
    decide(rcom, case, date(2027, 5, 1), outcome="refused", reasons="Incomplete.")
    with on(date(2027, 5, 2)):
        with pytest.raises(Conflict, match="refused on 1 May 2027"):
            services.query_raise(actor=rcom, case_id=case.pk, text="Q")
        with pytest.raises(Conflict):
            services.case_withdraw(actor=asha, case_id=case.pk, reasons="Too late.")
        again = services.case_file(actor=asha, licence_id=case.licence_id, kind="mining_plan")
    assert again.pk != case.pk  # a refused case leaves room for a new application


def test_a_forest_stage_1_is_revocable_only_past_its_validity_without_a_compliance_report():
    case, asha = filed(kind="forest_stage_1", forest_ha="40")
    rmoef = officer("moefcc", "rmoef")
    with on(date(2027, 6, 1)):
        services.stage_advance(actor=rmoef, case_id=case.pk, stage="state_scrutiny")
    grant = decide(rmoef, case, date(2027, 7, 1), outcome="granted", reasons="In-principle approval.")
    assert grant.valid_until == date(2032, 7, 1)  # 5 years from the grant, fixed by the rules
    with on(date(2032, 7, 1)), pytest.raises(Conflict, match="valid until 1 Jul 2032"):
        services.case_revoke(actor=rmoef, case_id=case.pk, reasons="No compliance.")
    with on(date(2032, 7, 2)):
        with pytest.raises(ApplicationError) as no_reasons:
            services.case_revoke(actor=rmoef, case_id=case.pk, reasons="")
        assert "reasons" in no_reasons.value.fields
        with pytest.raises(PermissionDenied):
            services.case_revoke(actor=asha, case_id=case.pk, reasons="Self.")
        revoked = services.case_revoke(actor=rmoef, case_id=case.pk, reasons="No compliance report in 5 years.")
        again = services.case_revoke(actor=rmoef, case_id=case.pk, reasons="Twice.")
    case.refresh_from_db()
    assert (case.outcome, revoked, Decision.objects.filter(outcome="revoked").count()) == ("revoked", again, 1)
    assert case.decisions.get(outcome="granted").reasons == "In-principle approval."  # the grant stays as it was


def test_a_compliance_report_within_the_validity_saves_the_stage_1():
    case, asha = filed(kind="forest_stage_1", forest_ha="40")
    rmoef = officer("moefcc", "rmoef")
    with on(date(2027, 6, 1)):
        services.stage_advance(actor=rmoef, case_id=case.pk, stage="state_scrutiny")
    decide(rmoef, case, date(2027, 7, 1), outcome="granted", reasons="In-principle approval.")
    with on(date(2028, 1, 10)):
        stage_2 = services.case_file(actor=asha, licence_id=case.licence_id, kind="forest_stage_2")
        services.stage_advance(actor=asha, case_id=stage_2.pk, stage="compliance")
    with on(date(2033, 1, 1)), pytest.raises(Conflict, match="compliance report came on 10 Jan 2028"):
        services.case_revoke(actor=rmoef, case_id=case.pk, reasons="Late.")


def test_a_late_decision_after_a_deemed_consent_contests_it_and_leaves_it_as_it_is():
    case, _asha = filed(kind="water_consent")
    board = officer("spcb-odisha", "ospcb")
    # Four months from 1 Apr end on 1 Aug: deemed given from 2 Aug. The board's refusal of 10 Aug comes after.
    decision = decide(board, case, date(2027, 8, 10), outcome="refused", reasons="Effluent plan inadequate.")
    deemed = case.decisions.get(outcome="deemed")
    assert (deemed.decided_on, deemed.recorded_by) == (date(2027, 8, 2), None)
    assert (decision.outcome, decision.contests, decision.decided_on) == ("contesting", deemed, date(2027, 8, 10))
    case.refresh_from_db()
    assert (case.outcome, case.decided_on, case.contested) == ("deemed", date(2027, 8, 2), True)
    kinds = list(Entry.objects.filter(stream=case.stream).order_by("seq").values_list("kind", flat=True))
    assert kinds == ["filed", "decided", "contesting"]
    with on(date(2027, 8, 11)), pytest.raises(Conflict, match="already contested"):
        services.case_contest(actor=board, case_id=case.pk, reasons="Again.")


def test_contesting_is_for_deemed_decisions_only():
    case, _asha = filed()
    rcom = officer("ibm", "rcom")
    decide(rcom, case, date(2027, 5, 1), outcome="granted", reasons="Approved.")
    with on(date(2027, 5, 2)), pytest.raises(Conflict, match="Only a deemed decision"):
        services.case_contest(actor=rcom, case_id=case.pk, reasons="Second thoughts.")
    assert Case.objects.get(pk=case.pk).contested is False
