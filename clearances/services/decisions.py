"""The authority's decisions: grant (with conditions and validity where its template asks) or refuse, with reasons;
revoke a forest Stage I past its validity without a compliance report; contest a deemed decision (a decision of its
own beside the deemed one, never an edit of it).

A decision recorded after a silence rule took effect (the period ran out first) is recorded as what it then is: the
deemed decision is written first, dated by the day the rule took effect, and this one contests it.
"""

from django.db import transaction

from clearances import lifecycle, rules
from clearances.models import Case, Decision, Stage
from clearances.rules import templates as t
from clearances.selectors.cases import case_template, compliance_reported_on
from clearances.services import common, outcomes
from clearances.services.silence import silence_apply, silence_due
from core.errors import ApplicationError, Conflict

DECIDABLE = (Decision.Outcome.GRANTED, Decision.Outcome.REFUSED)


def _valid_until(template: rules.CaseTemplate, outcome: str, on, valid_until):
    if outcome != Decision.Outcome.GRANTED:
        return None
    given = None if valid_until in (None, "") else common.date_input(valid_until, "valid_until")
    problem = rules.validity_error(template, on, given)
    if problem:
        raise ApplicationError(problem, fields={"valid_until": [problem]})
    return rules.fixed_validity(template, on) or given


def case_decide(*, actor, case_id, outcome: str, reasons: str, conditions: str = "", valid_until=None,
                acted_on=None, reference: str = "") -> Decision:  # fmt: skip
    """Grant (at the last stage) or refuse (at any stage) the case, with reasons."""
    if outcome not in DECIDABLE:
        raise ApplicationError(
            f"Decide by granting or refusing; got {outcome!r}. (Deemed decisions follow from the clock; a withdrawal "
            "is the applicant's.)",
            fields={"outcome": ["Choose granted or refused."]},
        )
    reasons = common.text_input(reasons, "reasons", "reasons for the decision")
    conditions = common.text_input(conditions, "conditions", "conditions", required=False)
    with transaction.atomic():
        case = common.lock_case(case_id)
        common.require_open(case)
        stage = common.open_stage(case)
        act = common.authority_act(actor, case, acted_on=acted_on, reference=reference,
                                   not_before=stage.clock_started_on if stage else None,
                                   what="the stage's clock started")  # fmt: skip
        template = case_template(case)
        effect = silence_due(stage, act.on) if stage is not None else None
        if effect is not None and stage.silence in t.SILENCE_ENDS_CASE:
            silence_apply(case, stage, effect)
            deemed = case.decisions.get(outcome=Decision.Outcome.DEEMED)
            return _contest(case, deemed, act, reasons, conditions, outcome)
        if outcome == Decision.Outcome.GRANTED:
            if stage is None or common.next_stage(case, stage) is not None:
                raise Conflict(
                    f"A grant comes at the case's last stage; the case is at {stage.name if stage else 'no stage'}. "
                    "Move the stages on first, or refuse with reasons."
                )
            if stage.owner != Stage.Owner.AUTHORITY:
                raise Conflict(f"{stage.name} is the applicant's to move.")
        if stage is not None and stage.paused_since is not None and outcome == Decision.Outcome.GRANTED:
            raise Conflict(f"A query raised on {common.day(stage.paused_since)} is still open: grant once answered.")
        until = _valid_until(template, outcome, act.on, valid_until)
        if stage is not None:
            common.stage_end(stage, act.on, "decided")
        return outcomes.case_end(case=case, stage=stage, outcome=outcome, reasons=reasons, on=act.on, act=act,
                                 conditions=conditions, valid_until=until)  # fmt: skip


def _contest(
    case: Case, deemed: Decision, act: common.Act, reasons: str, conditions: str, stance: str = ""
) -> Decision:
    if act.on < deemed.decided_on:
        raise ApplicationError(
            f"A contesting decision comes after the deemed one of {common.day(deemed.decided_on)}.",
            fields={"acted_on": [f"Give a date on or after {common.day(deemed.decided_on)}."]},
        )
    if deemed.contested_by.exists():
        raise Conflict(f"The deemed decision of {common.day(deemed.decided_on)} is already contested.")
    decision = Decision.objects.create(
        case=case, outcome=Decision.Outcome.CONTESTING, reasons=reasons, conditions=conditions, decided_on=act.on,
        recorded_by=act.actor, on_behalf_of=case.authority if act.recorded else None,
        external_reference=act.reference, contests=deemed,
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(contested=True)
    common.case_record(case, "contesting", {
        **act.ledger(case), "decision": decision.pk, "contests": deemed.pk, "reasons": reasons,
        "conditions": conditions, "stance": stance,
    })  # fmt: skip
    common.tell_holder(
        case,
        f"{case.licence.number}: {case.authority.name} contests the deemed {case.get_kind_display().lower()}",
        f"The deemed decision of {common.day(deemed.decided_on)} stands in the record; the authority's reasons: "
        f"{reasons}",
    )
    return decision


def case_contest(*, actor, case_id, reasons: str, conditions: str = "", acted_on=None, reference: str = "") -> Decision:
    """The authority's later decision on a deemed one, with reasons, recorded beside it (the deemed one unchanged)."""
    reasons = common.text_input(reasons, "reasons", "reasons for contesting")
    conditions = common.text_input(conditions, "conditions", "conditions", required=False)
    with transaction.atomic():
        case = common.lock_case(case_id)
        if case.outcome != Case.Outcome.DEEMED:
            raise Conflict("Only a deemed decision is contested; this case's decision is not deemed.")
        act = common.authority_act(actor, case, acted_on=acted_on, reference=reference)
        deemed = case.decisions.get(outcome=Decision.Outcome.DEEMED)
        return _contest(case, deemed, act, reasons, conditions)


def case_revoke(*, actor, case_id, reasons: str, acted_on=None, reference: str = "") -> Decision:
    """The Centre revokes a forest Stage I past its validity with no compliance report within it (RULES.md s.5),
    with reasons. Revoking again changes nothing."""
    reasons = common.text_input(reasons, "reasons", "reasons for the revocation")
    with transaction.atomic():
        case = common.lock_case(case_id)
        if case.outcome == Case.Outcome.REVOKED:
            return case.decisions.get(outcome=Decision.Outcome.REVOKED)
        if case.kind != t.FOREST_STAGE_1 or case.outcome != Case.Outcome.GRANTED:
            raise Conflict("Only a granted forest clearance Stage I may be revoked here.")
        act = common.authority_act(actor, case, acted_on=acted_on, reference=reference)
        grant = case.decisions.get(outcome=Decision.Outcome.GRANTED)
        reported = compliance_reported_on(case)
        if not rules.forest_stage_1_revocable(grant.valid_until, reported, act.on):
            why = (
                f"it is valid until {common.day(grant.valid_until)}"
                if grant.valid_until and act.on <= grant.valid_until
                else f"the compliance report came on {common.day(reported)}, within its validity"
            )
            raise Conflict(f"The forest clearance Stage I cannot be revoked: {why}.")
        lifecycle.outcome_move(case=case, to=Case.Outcome.REVOKED)
        decision = Decision.objects.create(
            case=case, outcome=Decision.Outcome.REVOKED, reasons=reasons, decided_on=act.on, recorded_by=actor,
            on_behalf_of=case.authority if act.recorded else None, external_reference=act.reference,
        )  # fmt: skip
        common.case_record(case, "revoked", {**act.ledger(case), "decision": decision.pk, "reasons": reasons,
                                             "valid_until": grant.valid_until.isoformat()})  # fmt: skip
        common.tell_holder(case, f"{case.licence.number}: forest clearance Stage I revoked", reasons)
    return decision
