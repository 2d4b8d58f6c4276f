"""Clearance cases written directly (no service), with their stages' clocks stored as the services store them
(`clearances.rules.clock`), for tests of what reads them: lists, boards, statistics, pages, the public API.
Tests of how a case moves use the services."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from authorities.models import Authority, Officer
from clearances import rules
from clearances.models import Case, Decision, Query, Stage
from tests.factories.bidders import UserFactory
from tests.factories.licences import make_licence

DEFAULT_BODY = {
    "mining_plan": "ibm",
    "environment": "moefcc",
    "forest_stage_1": "moefcc",
    "forest_stage_2": "moefcc",
    "wildlife": "nbwl",
    "groundwater": "cgwa",
}


def at(day: date) -> datetime:
    """Noon in India on `day` (for time-machine)."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def body_for(kind: str, state: str) -> Authority:
    code = DEFAULT_BODY.get(kind) or f"spcb-{state.lower().replace(' ', '-')}"
    return Authority.objects.get(code=code)


def officer(username: str, code: str, designation: str = "Officer") -> Officer:
    """A user who is an officer of the body `code`."""
    return Officer.objects.create(
        user=UserFactory(username=username), authority=Authority.objects.get(code=code), designation=designation
    )


def _stage_row(case, position, template: rules.StageTemplate, **fields) -> Stage:
    return Stage.objects.create(
        case=case,
        position=position,
        code=template.code,
        name=template.name,
        owner=template.owner,
        target_days=template.target_days,
        target_months=template.target_months,
        query_effect=template.query_effect,
        silence=template.silence,
        **fields,
    )


def _clock_fields(clock: rules.Clock) -> dict:
    return {
        "started_on": clock.started_on,
        "clock_started_on": clock.clock_started_on,
        "days_paused": clock.days_paused,
        "paused_since": clock.paused_since,
        "target_date": rules.target_date(clock),
        "ended_on": clock.ended_on,
    }


def make_case(*, licence=None, kind: str = "mining_plan", authority=None, filed_on: date = date(2027, 5, 1),
              at: int | None = None, took: int = 10, queries=(), fast_track: bool = False, outcome: str = "",
              decided_on: date | None = None, reasons: str = "The plan meets the Rules.", escalated_on=None,
              on_behalf: bool = False, valid_until: date | None = None, **fields) -> Case:  # fmt: skip
    """A case of `kind` filed on `filed_on`. Its stages follow the kind's template; the stages before `at` (the
    index of the open stage; by default the first with a clock) each took `took` days; the open stage has had
    `queries` ((raised, answered or None), in order). With `outcome` (granted, refused, deemed, withdrawn) the
    open stage ends on `decided_on` and the case is closed with that decision."""
    licence = licence or make_licence(status="loi_issued")
    params = rules.ClearanceParams()
    template = rules.case_template(kind, params, fast_track=fast_track)
    authority = authority or body_for(kind, licence.state)
    if isinstance(authority, str):
        authority = Authority.objects.get(code=authority)
    closed = outcome != ""
    status = {"": Case.Status.IN_PROGRESS, "withdrawn": Case.Status.WITHDRAWN}.get(outcome, Case.Status.DECIDED)
    case = Case.objects.create(
        licence=licence,
        kind=kind,
        authority=authority,
        template={"template": template.as_json(), "params": params.as_json()},
        fast_track=fast_track,
        fast_track_minerals=["Lithium"] if fast_track else [],
        filed_on=filed_on,
        status=status,
        outcome=outcome,
        decided_on=decided_on if closed else None,
        **fields,
    )
    live = [n for n, s in enumerate(template.stages) if not s.skipped]
    if at is None:
        at = next((n for n in live if template.stages[n].has_clock), live[0])
    day = filed_on
    for n, st in enumerate(template.stages):
        if st.skipped:
            _stage_row(case, n + 1, st, status=Stage.Status.SKIPPED, skip_reason=st.skipped)
        elif n < at:
            clock = rules.clock_replay(day, target_days=st.target_days, target_months=st.target_months,
                                       query_effect=st.query_effect, ended_on=day + timedelta(days=took))  # fmt: skip
            _stage_row(case, n + 1, st, status=Stage.Status.CLOSED, ended_how="advanced", **_clock_fields(clock))
            day = clock.ended_on
        elif n == at:
            ended = decided_on if closed else None
            clock = rules.clock_replay(day, target_days=st.target_days, target_months=st.target_months,
                                       query_effect=st.query_effect, queries=queries, ended_on=ended)  # fmt: skip
            stage = _stage_row(
                case,
                n + 1,
                st,
                status=Stage.Status.CLOSED if closed else Stage.Status.OPEN,
                ended_how="decided" if closed else "",
                escalated_on=escalated_on,
                **_clock_fields(clock),
            )
            for raised, answered in queries:
                Query.objects.create(
                    stage=stage,
                    text=f"Send the particulars asked on {raised:%d %b %Y}.",
                    raised_on=raised,
                    answered_on=answered,
                    answer="Sent." if answered else "",
                    closed_on=ended if answered is None and closed else None,
                )
        else:
            _stage_row(case, n + 1, st)
    if closed:
        values = {"on_behalf_of": authority, "external_reference": "REF/2027/1"} if on_behalf else {}
        Decision.objects.create(
            case=case,
            outcome=outcome,
            reasons=reasons,
            decided_on=decided_on,
            valid_until=valid_until,
            stage=case.stages.get(position=at + 1),
            **values,
        )
    return case
