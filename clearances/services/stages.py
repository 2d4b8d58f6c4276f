"""The moves inside a case: a stage's owner moves it on (the applicant's report submitted, the authority's step
done), the authority raises a query (the stage's clock pauses, or restarts once answered), the applicant answers.

Each names the stage it acts on (`stage`: its code) when the caller knows it: a repeated advance of a stage already
closed changes nothing and writes nothing, instead of moving the next stage too.
"""

from django.db import transaction

from clearances import rules
from clearances.models import Case, Query, Stage
from clearances.selectors.clock import stage_clock
from clearances.services import common
from clearances.services.silence import silence_due
from core.errors import ApplicationError, Conflict


def _named_stage(case: Case, code: str | None) -> Stage | None:
    """The stage the caller names, or None when it names none."""
    if not code:
        return None
    stage = case.stages.filter(code=code).first()
    if stage is None:
        codes = ", ".join(case.stages.values_list("code", flat=True))
        raise ApplicationError(
            f"The case has no stage {code!r}; its stages are {codes}.", fields={"stage": [f"Choose one of {codes}."]}
        )
    return stage


def _current(case: Case, named: Stage | None, what: str) -> Stage:
    stage = common.open_stage(case)
    if named is not None and (stage is None or named.pk != stage.pk):
        state = f"ended on {common.day(named.ended_on)}" if named.ended_on else named.get_status_display().lower()
        message = f"The stage {named.name} is {state}: {what} goes to the open stage" + (
            f", {stage.name}." if stage else "; the case has none."
        )
        raise ApplicationError(message, fields={"stage": [message]}, code="stage_closed")
    if stage is None:
        raise Conflict("The case has no open stage.")
    return stage


def _refuse_after_silence(stage: Stage, on) -> None:
    effect = silence_due(stage, on)
    if effect is not None:
        raise Conflict(
            f"The period of {stage.name} ended on {common.day(stage.target_date)}: its silence rule took effect on "
            f"{common.day(effect)} ({Stage.Silence(stage.silence).label.lower()}), and is recorded within minutes."
        )


def stage_advance(
    *, actor, case_id, stage: str | None = None, note: str = "", acted_on=None, reference: str = ""
) -> Stage:
    """The open stage's owner moves it on; the next stage opens the same day. The last stage ends by a decision."""
    note = common.text_input(note, "note", "note", required=False)
    with transaction.atomic():
        case = common.lock_case(case_id)
        named = _named_stage(case, stage)
        if named is not None and named.status == Stage.Status.CLOSED and case.is_open:
            return common.open_stage(case) or named  # already moved on: nothing to do
        common.require_open(case)
        current = _current(case, named, "a move")
        following = common.next_stage(case, current)
        if following is None:
            raise Conflict(f"{current.name} is the case's last stage: it ends with the authority's decision.")
        not_before = current.clock_started_on
        owner_act = common.applicant_act if current.owner == Stage.Owner.APPLICANT else common.authority_act
        act = owner_act(actor, case, acted_on=acted_on, reference=reference, not_before=not_before,
                        what="the stage started")  # fmt: skip
        if current.paused_since is not None:
            raise Conflict(
                f"A query raised on {common.day(current.paused_since)} waits for the applicant's answer; the stage "
                "moves on once it is answered."
            )
        _refuse_after_silence(current, act.on)
        common.stage_end(current, act.on, "advanced")
        common.stage_start(following, act.on)
        common.take_up(case)
        common.case_record(case, "stage_advanced", {
            **act.ledger(case), "from": current.code, "to": following.code, "note": note,
            "days_used": rules.days_used(stage_clock(current), act.on),
        })  # fmt: skip
        title = f"{case.licence.number}: {case.get_kind_display().lower()} at {following.name.lower()}"
        body = f"{current.name} done on {common.day(act.on)}." + (f" {note}" if note else "")
        if following.owner == Stage.Owner.APPLICANT:
            common.tell_holder(case, title, body)
        else:
            common.tell_authority(case, title, body)
    return following


def query_raise(*, actor, case_id, text: str, stage: str | None = None, acted_on=None, reference: str = "") -> Query:
    """The authority seeks essential details from the applicant on the open stage: its clock stops until the answer
    (and a restarting stage runs its whole period again from the answer)."""
    text = common.text_input(text, "text", "query")
    with transaction.atomic():
        case = common.lock_case(case_id)
        named = _named_stage(case, stage)
        common.require_open(case)
        current = _current(case, named, "a query")
        act = common.authority_act(actor, case, acted_on=acted_on, reference=reference,
                                   not_before=current.clock_started_on, what="the stage's clock started")  # fmt: skip
        if current.owner != Stage.Owner.AUTHORITY:
            raise Conflict(f"{current.name} is the applicant's to move: a query waits for the authority's stage.")
        if current.paused_since is not None:
            raise Conflict(f"A query raised on {common.day(current.paused_since)} is still open on {current.name}.")
        _refuse_after_silence(current, act.on)
        last_answer = current.queries.filter(answered_on__isnull=False).order_by("-answered_on").first()
        if last_answer is not None and act.on < last_answer.answered_on:
            raise ApplicationError(
                f"The date of the query ({common.day(act.on)}) is before the last answer "
                f"({common.day(last_answer.answered_on)}).",
                fields={"acted_on": [f"Give a date on or after {common.day(last_answer.answered_on)}."]},
            )
        common.store_clock(current, rules.clock_pause(stage_clock(current), act.on))
        query = Query.objects.create(
            stage=current, text=text, raised_on=act.on, raised_by=actor,
            on_behalf_of=case.authority if act.recorded else None, external_reference=act.reference,
        )  # fmt: skip
        common.take_up(case)
        common.case_record(case, "query_raised", {**act.ledger(case), "stage": current.code, "query": query.pk,
                                                  "text": text})  # fmt: skip
        common.tell_holder(
            case,
            f"{case.licence.number}: a query on the {case.get_kind_display().lower()}",
            f"{case.authority.name} asks ({common.day(act.on)}): {text} The clock of {current.name.lower()} is "
            "stopped until you answer.",
        )
    return query


def query_answer(*, actor, case_id, answer: str, acted_on=None, reference: str = "") -> Query:
    """The applicant answers the open query: the clock runs again (a restarting stage: from today, in full)."""
    answer = common.text_input(answer, "answer", "answer")
    with transaction.atomic():
        case = common.lock_case(case_id)
        common.require_open(case)
        current = common.open_stage(case)
        query = current.queries.filter(answered_on__isnull=True, closed_on__isnull=True).first() if current else None
        if query is None:
            raise Conflict("No query is open on this case: there is nothing to answer.")
        act = common.applicant_act(actor, case, acted_on=acted_on, reference=reference, not_before=query.raised_on,
                                   what="the query was raised")  # fmt: skip
        clock = rules.clock_resume(stage_clock(current), act.on)
        common.store_clock(current, clock)
        Query.objects.filter(pk=query.pk, answered_on__isnull=True).update(
            answered_on=act.on, answer=answer, answered_by=actor
        )
        query.refresh_from_db()
        common.case_record(case, "query_answered", {
            **act.ledger(case), "stage": current.code, "query": query.pk, "answer": answer,
            "clock_started_on": clock.clock_started_on.isoformat(), "days_paused": clock.days_paused,
            "target_date": current.target_date.isoformat() if current.target_date else None,
        })  # fmt: skip
        common.tell_authority(
            case,
            f"{case.licence.number}: the applicant answered your query",
            f"Answered on {common.day(act.on)}: {answer}"
            + (f" The stage's target is now {common.day(current.target_date)}." if current.target_date else ""),
        )
    return query
