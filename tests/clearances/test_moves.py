"""The moves inside a case: the owner of the open stage moves it on, the authority raises queries (the clock stops,
or restarts), the applicant answers; each refusal names what is wrong and changes nothing; a repeated move
writes nothing; a move made elsewhere is recorded on the authority's behalf with its date and reference."""

from datetime import date

import pytest

from clearances import services
from clearances.models import Query, Stage
from clearances.selectors.clock import with_clock
from core.errors import ApplicationError, Conflict, PermissionDenied
from ledger.models import Entry
from tests.factories.clearances import lease, member, officer, on

pytestmark = pytest.mark.django_db
APR_1 = date(2027, 4, 1)


@pytest.fixture
def ec(db):
    """An environment clearance filed on 1 Apr 2027 by asha with MoEFCC (rmoef is its officer)."""
    licence = lease()
    asha = member(licence)
    rmoef = officer("moefcc", "rmoef")
    with on(APR_1):
        case = services.case_file(actor=asha, licence_id=licence.pk, kind="environment")
    return case, asha, rmoef


def entries(case):
    return list(Entry.objects.filter(stream=case.stream).order_by("seq").values_list("kind", flat=True))


def stage(case, code):
    return case.stages.get(code=code)


def test_the_owner_of_each_stage_moves_it_on(ec):
    case, asha, rmoef = ec
    with on(date(2027, 5, 20)), pytest.raises(PermissionDenied):
        services.stage_advance(actor=asha, case_id=case.pk)  # the ToR are the authority's
    with on(date(2027, 5, 20)):
        eia = services.stage_advance(actor=rmoef, case_id=case.pk, stage="tor", note="ToR conveyed.")
    assert (eia.code, eia.owner, eia.started_on, eia.target_date) == (
        "eia_report",
        "applicant",
        date(2027, 5, 20),
        None,
    )
    tor = stage(case, "tor")
    assert (tor.status, tor.ended_on, tor.ended_how) == ("closed", date(2027, 5, 20), "advanced")
    with on(date(2027, 9, 1)), pytest.raises(PermissionDenied):
        services.stage_advance(actor=rmoef, case_id=case.pk)  # the EIA report is the applicant's
    with on(date(2027, 9, 1)):
        appraisal = services.stage_advance(actor=asha, case_id=case.pk, stage="eia_report")
    assert appraisal.code == "appraisal"  # the public consultation is skipped on the fast track
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert entries(case) == ["filed", "stage_advanced", "stage_advanced"]


def test_a_repeated_advance_of_the_same_stage_writes_nothing(ec):
    case, _asha, rmoef = ec
    with on(date(2027, 5, 20)):
        first = services.stage_advance(actor=rmoef, case_id=case.pk, stage="tor")
        again = services.stage_advance(actor=rmoef, case_id=case.pk, stage="tor")
    assert first == again
    assert stage(case, "eia_report").status == "open"
    assert entries(case) == ["filed", "stage_advanced"]


def test_the_last_stage_ends_with_a_decision_not_a_move(ec):
    case, asha, rmoef = ec
    with on(date(2027, 5, 1)):
        services.stage_advance(actor=rmoef, case_id=case.pk, stage="tor")
        services.stage_advance(actor=asha, case_id=case.pk, stage="eia_report")
        services.stage_advance(actor=rmoef, case_id=case.pk, stage="appraisal")
        with pytest.raises(Conflict, match="last stage"):
            services.stage_advance(actor=rmoef, case_id=case.pk, stage="decision")


def test_queries_stop_the_clock_and_answers_start_it_again(ec):
    case, asha, rmoef = ec
    with on(date(2027, 4, 11)):
        query = services.query_raise(actor=rmoef, case_id=case.pk, text="Give the lease's land schedule.")
    tor = stage(case, "tor")
    assert (tor.paused_since, query.raised_on, query.is_open) == (date(2027, 4, 11), date(2027, 4, 11), True)
    with on(date(2027, 4, 20)):
        clock = with_clock(Stage.objects.filter(pk=tor.pk), date(2027, 4, 20)).get()
        assert (clock.days_used, clock.days_left) == (9, 51)  # 2-10 Apr counted; 11-20 Apr held
        with pytest.raises(Conflict, match="still open"):
            services.query_raise(actor=rmoef, case_id=case.pk, text="And the map.")
        with pytest.raises(PermissionDenied):
            services.query_answer(actor=rmoef, case_id=case.pk, answer="Self-answered.")
        with pytest.raises(Conflict, match="waits for the applicant's answer"):
            services.stage_advance(actor=rmoef, case_id=case.pk, stage="tor")
        services.query_answer(actor=asha, case_id=case.pk, answer="Schedule attached.")
    tor.refresh_from_db()
    # Held 11-19 Apr (9 days; the 20th, the day of the answer, counts): the target moves from 31 May to 9 Jun.
    assert (tor.paused_since, tor.days_paused, tor.target_date) == (None, 9, date(2027, 6, 9))
    with on(date(2027, 4, 22)):
        services.query_raise(actor=rmoef, case_id=case.pk, text="One more detail.")
        services.query_answer(actor=asha, case_id=case.pk, answer="Here it is.")  # the same day: pauses nothing
    tor.refresh_from_db()
    assert (tor.days_paused, tor.target_date) == (9, date(2027, 6, 9))
    assert entries(case) == ["filed", "query_raised", "query_answered", "query_raised", "query_answered"]


def test_a_water_act_query_restarts_the_four_months_from_the_answer():
    licence = lease()
    asha = member(licence)
    board = officer("spcb-odisha", "ospcb")
    with on(APR_1):
        case = services.case_file(actor=asha, licence_id=licence.pk, kind="water_consent")
    with on(date(2027, 5, 15)):
        services.query_raise(actor=board, case_id=case.pk, text="The application lacks the effluent plan.")
    with on(date(2027, 6, 2)):
        services.query_answer(actor=asha, case_id=case.pk, answer="Effluent plan attached.")
    decision = case.stages.get()
    assert (decision.clock_started_on, decision.days_paused, decision.target_date) == (
        date(2027, 6, 2),
        0,
        date(2027, 10, 2),
    )


def test_a_query_on_a_closed_stage_is_refused_naming_the_stage(ec):
    case, _asha, rmoef = ec
    with on(date(2027, 5, 1)):
        services.stage_advance(actor=rmoef, case_id=case.pk, stage="tor")
        with pytest.raises(ApplicationError) as refused:
            services.query_raise(actor=rmoef, case_id=case.pk, stage="tor", text="About the ToR...")
    assert refused.value.code == "stage_closed"
    assert refused.value.fields["stage"][0].startswith("The stage Terms of reference is ended on 1 May 2027")
    with on(date(2027, 5, 2)), pytest.raises(Conflict, match="the applicant's to move"):
        services.query_raise(actor=rmoef, case_id=case.pk, text="During the EIA report?")
    assert not Query.objects.exists()


@pytest.mark.parametrize(
    ("acted_on", "reference", "field", "message"),
    [
        ("2027-05-11", "F.No. 1", "acted_on", "is in the future"),
        ("2027-03-31", "F.No. 1", "acted_on", "before the case was filed on 1 Apr 2027"),
        ("2027-04-10", "", "reference", "Give the authority's reference"),
        ("10/04/2027", "F.No. 1", "acted_on", "Give the date as a date like 2027-04-15"),
    ],
)
def test_a_move_recorded_on_behalf_needs_a_real_date_and_a_reference(regulator, ec, acted_on, reference, field,
                                                                     message):  # fmt: skip
    case, _asha, _rmoef = ec
    with on(date(2027, 5, 10)), pytest.raises(ApplicationError) as refused:
        services.query_raise(actor=regulator, case_id=case.pk, text="Q", acted_on=acted_on, reference=reference)
    assert field in refused.value.fields and message in refused.value.message
    assert not Query.objects.exists() and entries(case) == ["filed"]


def test_a_regulator_records_the_authoritys_query_and_the_applicants_answer(regulator, ec):
    case, _asha, _rmoef = ec
    with on(date(2027, 5, 10)):
        query = services.query_raise(
            actor=regulator, case_id=case.pk, text="EDS: land schedule", acted_on="2027-04-11", reference="EDS/1"
        )
        services.query_answer(
            actor=regulator, case_id=case.pk, answer="Submitted on PARIVESH", acted_on="2027-04-21", reference="EDS/1-R"
        )
    query.refresh_from_db()
    assert (query.on_behalf_of.code, query.external_reference, query.answered_on) == (
        "moefcc",
        "EDS/1",
        date(2027, 4, 21),
    )
    payload = Entry.objects.get(stream=case.stream, kind="query_raised").payload
    assert (payload["recorded_on_behalf_of"], payload["reference"], payload["on"]) == ("moefcc", "EDS/1", "2027-04-11")


def test_the_desk_and_other_bodies_cannot_move_a_case(ec):
    case, _asha, _rmoef = ec
    desk = officer("mom-desk", "desk")
    board = officer("spcb-odisha", "ospcb")
    for actor in (desk, board):
        with on(date(2027, 4, 5)), pytest.raises(PermissionDenied):
            services.query_raise(actor=actor, case_id=case.pk, text="Q")
    assert entries(case) == ["filed"]
