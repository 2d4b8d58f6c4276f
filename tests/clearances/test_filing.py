"""Filing a case and withdrawing it: what is stored (authority, fast track and its minerals, template, stages, the
first stage's clock from the filing day, the ledger), every refusal with the field it names and nothing changed,
and a case filed elsewhere recorded on the authority's behalf."""

from datetime import date
from decimal import Decimal as D

import pytest

from authorities.models import Authority
from bidders.models import Membership
from clearances import services
from clearances.models import Case, Decision, Stage
from core.errors import ApplicationError, Conflict, PermissionDenied
from ledger.models import Entry
from ledger.services import ledger_verify
from tests.factories.clearances import lease, member, officer, on

pytestmark = pytest.mark.django_db
APR_1 = date(2027, 4, 1)


def file(actor, licence, kind="mining_plan", day=APR_1, **fields):
    with on(day):
        return services.case_file(actor=actor, licence_id=licence.pk, kind=kind, **fields)


def nothing_filed():
    assert not Case.objects.exists()
    assert not Entry.objects.filter(stream__startswith="clearance:").exists()


def test_the_applicant_files_a_fast_track_case_and_its_first_stage_starts_that_day():
    licence = lease(minerals=("graphite", "gold"))
    case = file(member(licence), licence, kind="environment", external_reference="IA/OR/MIN/12345/2027")
    assert (case.authority.code, case.status, case.filed_on, case.filed_via) == ("moefcc", "filed", APR_1, "applicant")
    assert (case.fast_track, case.fast_track_minerals) == (True, ["Graphite"])
    stages = [(s.code, s.status, s.started_on, s.target_date) for s in case.stages.order_by("position")]
    assert stages == [
        ("tor", "open", APR_1, date(2027, 5, 31)),  # 60 days from 1 Apr: 29 in April, 31 in May
        ("eia_report", "pending", None, None),
        ("public_consultation", "skipped", None, None),  # the fast track's exemption
        ("appraisal", "pending", None, None),
        ("decision", "pending", None, None),
    ]
    assert case.template["template"]["stages"][2]["skipped"].startswith("fast track")
    assert case.template["params"]["tor_days"] == 60
    entry = Entry.objects.get(stream=f"clearance:{case.pk}")
    assert (entry.kind, entry.payload["fast_track_minerals"], entry.payload["authority"]) == (
        "filed",
        ["Graphite"],
        "moefcc",
    )
    assert ledger_verify(stream=case.stream).ok


def test_a_state_mineral_goes_to_the_states_bodies_without_the_fast_track():
    licence = lease(minerals=("gold",), state="Karnataka")
    asha = member(licence)
    plan = file(asha, licence)
    water = file(asha, licence, kind="water_consent")
    assert (plan.authority.code, plan.fast_track, plan.fast_track_minerals) == ("dmg-karnataka", False, [])
    assert water.authority.code == "spcb-karnataka"
    assert water.stages.get().target_date == date(2027, 8, 1)  # four calendar months from 1 Apr


@pytest.mark.parametrize(
    ("kind", "field", "message"),
    [
        ("forest_stage_1", "kind", "is not needed for this licence: the block holds no forest land"),
        ("groundwater", "kind", "the applicant declared no groundwater use"),
        ("air_consent", "kind", "needs no separate consent under the Air Act"),
        ("timber", "kind", "'timber' is not a kind of clearance"),
    ],
)
def test_a_case_for_a_kind_the_licence_does_not_need_is_refused_naming_the_field(kind, field, message):
    licence = lease(distance=D("40"))
    with pytest.raises(ApplicationError) as refused:
        file(member(licence), licence, kind=kind)
    assert message in refused.value.fields[field][0]
    nothing_filed()


def test_forest_land_and_nearness_to_a_sanctuary_call_for_their_cases():
    licence = lease(forest_ha="25.5", distance=D("6"))
    asha = member(licence)
    assert {file(asha, licence, kind=k).authority.code for k in ("forest_stage_1", "wildlife")} == {"moefcc", "nbwl"}
    with pytest.raises(Conflict, match="follows the in-principle approval"):
        file(asha, licence, kind="forest_stage_2")


def test_declaring_groundwater_use_in_the_application_calls_for_the_cgwa_case():
    licence = lease()
    asha = member(licence)
    file(asha, licence, kind="water_consent", groundwater_use=True, groundwater_m3_per_day="150.00")
    assert file(asha, licence, kind="groundwater").authority.code == "cgwa"
    with pytest.raises(ApplicationError) as refused:
        file(asha, licence, kind="mining_plan", groundwater_use=True)
    assert "groundwater_use" in refused.value.fields
    with pytest.raises(ApplicationError) as bad_volume:
        file(asha, licence, kind="environment", groundwater_m3_per_day="lots")
    assert "groundwater_m3_per_day" in bad_volume.value.fields


def test_a_distance_not_assessed_lets_the_wildlife_case_be_filed():
    licence = lease(distance=None)
    assert file(member(licence), licence, kind="wildlife").authority.code == "nbwl"


def test_one_open_case_per_kind_and_none_before_the_letter_of_intent():
    licence = lease()
    asha = member(licence)
    first = file(asha, licence)
    with pytest.raises(Conflict, match=f"already has a mining plan approval case .*case {first.pk}"):
        file(asha, licence)
    early = lease()
    early.status = "preferred_bidder"
    early.save(update_fields=["status"])
    with pytest.raises(Conflict, match="filed after the Letter of Intent"):
        file(member(early, "bina"), early)
    assert Case.objects.count() == 1


@pytest.mark.parametrize("who", ["viewer", "stranger", "officer"])
def test_only_the_holders_acting_members_file(who, plain_user):
    licence = lease()
    actor = {
        "viewer": lambda: member(licence, "vikram", Membership.Role.VIEWER),
        "stranger": lambda: plain_user,
        "officer": lambda: officer("ibm", "rcom"),
    }[who]()
    with pytest.raises((PermissionDenied, ApplicationError)):
        file(actor, licence)
    nothing_filed()


def test_a_case_filed_with_an_authority_offline_is_recorded_on_its_behalf(regulator):
    licence = lease()
    case = file(regulator, licence, day=date(2027, 5, 10), filed_on="2027-04-02", external_reference="IBM/MP/77")
    assert (case.filed_on, case.filed_via, case.filed_by, case.external_reference) == (
        date(2027, 4, 2),
        "recorded",
        regulator,
        "IBM/MP/77",
    )
    assert case.stages.get().started_on == date(2027, 4, 2)


@pytest.mark.parametrize(
    ("filed_on", "reference", "field"),
    [
        ("2027-05-11", "IBM/MP/77", "filed_on"),  # in the future
        ("2027-03-19", "IBM/MP/77", "filed_on"),  # before the Letter of Intent (20 Mar)
        ("someday", "IBM/MP/77", "filed_on"),
        ("2027-04-02", "", "external_reference"),
    ],
)
def test_a_recorded_filing_needs_a_real_date_and_a_reference(regulator, filed_on, reference, field):
    licence = lease()
    with pytest.raises(ApplicationError) as refused:
        file(regulator, licence, day=date(2027, 5, 10), filed_on=filed_on, external_reference=reference)
    assert field in refused.value.fields
    nothing_filed()


def test_a_regulator_does_not_file_for_a_body_working_its_cases_here(regulator):
    Authority.objects.filter(code="ibm").update(works_cases_here=True)
    licence = lease()
    with pytest.raises(PermissionDenied):
        file(regulator, licence, filed_on="2027-04-02", external_reference="IBM/MP/77")


def test_the_applicant_withdraws_once_and_the_open_stage_closes():
    licence = lease()
    asha = member(licence)
    case = file(asha, licence)
    with pytest.raises(PermissionDenied), on(date(2027, 4, 5)):
        services.case_withdraw(actor=officer("ibm", "rcom"), case_id=case.pk, reasons="No.")
    with pytest.raises(ApplicationError) as no_reasons:
        services.case_withdraw(actor=asha, case_id=case.pk, reasons=" ")
    assert "reasons" in no_reasons.value.fields
    with on(date(2027, 4, 5)):
        first = services.case_withdraw(actor=asha, case_id=case.pk, reasons="The plan is being redrawn.")
        again = services.case_withdraw(actor=asha, case_id=case.pk, reasons="Twice.")
    case.refresh_from_db()
    assert (case.status, case.outcome, case.decided_on) == ("withdrawn", "withdrawn", date(2027, 4, 5))
    assert first == again and Decision.objects.count() == 1
    stage = case.stages.get()
    assert (stage.status, stage.ended_on, stage.ended_how) == (Stage.Status.CLOSED, date(2027, 4, 5), "withdrawn")
    kinds = list(Entry.objects.filter(stream=case.stream).order_by("seq").values_list("kind", flat=True))
    assert kinds == ["filed", "withdrawn"]
    refiled = file(asha, licence, day=date(2027, 4, 6))  # a withdrawn case leaves room for a new one
    assert refiled.pk != case.pk
