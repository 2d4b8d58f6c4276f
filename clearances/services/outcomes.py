"""How a case ends, written once for every way it ends (an officer's decision, a record on the authority's behalf,
a silence rule): the case's status and outcome by a conditional UPDATE, the decision row with its reasons, the
ledger entry, the lease milestone a standing mining plan approval or EC meets (dated by the decision, through
`licences.services.milestone_met_by_decision`), and the holder told."""

import datetime

from clearances import lifecycle
from clearances.models import Case, Decision, Stage
from clearances.rules import templates as t
from clearances.services import common
from core.errors import Conflict
from licences.services import milestone_met_by_decision


def case_end(*, case: Case, stage: Stage | None, outcome: str, reasons: str, on: datetime.date,
             act: common.Act | None, conditions: str = "", valid_until: datetime.date | None = None,
             payload: dict | None = None) -> Decision:  # fmt: skip
    """End the open case with `outcome` (granted, refused, deemed) on `on`. `act` None: by operation of law."""
    if not case.is_open:
        raise Conflict("The case was decided meanwhile; reload it.")
    lifecycle.case_move(case=case, to=Case.Status.DECIDED, outcome=outcome, decided_on=on)
    decision = Decision.objects.create(
        case=case, stage=stage, outcome=outcome, reasons=reasons, conditions=conditions, valid_until=valid_until,
        decided_on=on, recorded_by=act.actor if act else None,
        on_behalf_of=case.authority if act and act.recorded else None,
        external_reference=act.reference if act else "",
    )  # fmt: skip
    entry = {
        "outcome": outcome,
        "decided_on": on.isoformat(),
        "reasons": reasons,
        "conditions": conditions,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "decision": decision.pk,
        **(act.ledger(case) if act else {"by": "operation of law"}),
        **(payload or {}),
    }
    common.case_record(case, "decided", entry)
    if outcome in Case.STANDING_OUTCOMES:
        meet_milestone(case, decision, act)
    label = case.get_kind_display().lower()
    common.tell_holder(case, f"{case.licence.number}: {label} {Decision.Outcome(outcome).label.lower()}", reasons)
    return decision


def meet_milestone(case: Case, decision: Decision, act: common.Act | None) -> None:
    """A granted or deemed mining plan approval or EC meets its lease milestone, dated by the decision."""
    milestone = t.MILESTONES.get(case.kind)
    if milestone is None:
        return
    how = "deemed" if decision.outcome == Decision.Outcome.DEEMED else "granted"
    milestone_met_by_decision(
        licence_id=case.licence_id,
        kind=milestone,
        met_on=decision.decided_on,
        actor=act.actor if act else None,
        note=f"By the {case.get_kind_display().lower()} {how} on {common.day(decision.decided_on)} "
        f"(clearance case {case.pk}, {case.authority.name}).",
        payload={"clearance_case": case.pk, "decision": decision.pk},
    )
