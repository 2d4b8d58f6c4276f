"""When a stage's target passes without a move (RULES.md s.5): the silence rule of its template takes effect on the
day after the last day of the period, recorded like any decision (deemed consent under the Water Act; the
applicant's proposed ToR stand; the applicant may proceed as the committee recommended); a stage without one is
overdue, and escalated once to its authority's supervising office and the Ministry of Mines' facilitation desk.

The beat task `clearances.sweep` finds the due stages through the partial index on their stored target date
(`selectors.clock.due_stages`) and settles each in a transaction of its own, under the case's row lock, re-reading
the stage there: a second sweeper (or a redelivered task) finds it settled and writes nothing; conditional UPDATEs
and the one-ending-decision constraint hold it too.
"""

import datetime

from django.db import transaction

from authorities.selectors import facilitation_desk
from clearances import rules
from clearances.models import Stage
from clearances.rules import templates as t
from clearances.selectors.clock import due_stages, stage_clock
from clearances.services import common, outcomes

SILENCE_REASONS = {
    t.DEEMED_GRANTED: "The board did not decide within {period} of the application complete in all respects (from "
    "{start}): consent is deemed given under s.25(7) of the Water Act from {effect}.",
    t.TOR_STAND: "The terms of reference were not conveyed within {period} (from {start}): the applicant's proposed "
    "terms of reference stand from {effect} (EIA Notification 2006).",
    t.PROCEED_AS_RECOMMENDED: "The decision was not conveyed within {period} of the committee's recommendation (from "
    "{start}): the applicant may proceed as recommended from {effect} (EIA Notification 2006).",
}


def silence_due(stage: Stage, on: datetime.date) -> datetime.date | None:
    """The day the stage's silence rule took effect, when it did on or before `on`; else None."""
    if not stage.silence or stage.status != Stage.Status.OPEN:
        return None
    effect = rules.effect_day(stage_clock(stage))
    return effect if effect is not None and effect <= on else None


def silence_apply(case, stage: Stage, effect: datetime.date) -> None:
    """Record the silence rule's effect on `effect` (the case is locked by the caller)."""
    period = stage.target_months and f"{stage.target_months} months" or f"{stage.target_days} days"
    reasons = SILENCE_REASONS[stage.silence].format(
        period=period, start=common.day(stage.clock_started_on), effect=common.day(effect)
    )
    common.stage_end(stage, effect, "silence")
    Stage.objects.filter(pk=stage.pk).update(silence_effect_on=effect)
    if stage.silence in t.SILENCE_ENDS_CASE:
        outcomes.case_end(case=case, stage=stage, outcome="deemed", reasons=reasons, on=effect, act=None,
                          payload={"silence": stage.silence, "stage": stage.code})  # fmt: skip
        return
    following = common.next_stage(case, stage)
    common.case_record(
        case,
        "silence",
        {
            "stage": stage.code,
            "silence": stage.silence,
            "effect_on": effect.isoformat(),
            "reasons": reasons,
            "next_stage": following.code if following else None,
        },
    )
    if following is not None:
        common.stage_start(following, effect)
    common.take_up(case)
    common.tell_holder(case, f"{case.licence.number}: {stage.name.lower()}: silence took effect", reasons)


def _escalate(case, stage: Stage, today: datetime.date) -> bool:
    overdue_since = stage.target_date + datetime.timedelta(days=1)
    moved = Stage.objects.filter(pk=stage.pk, status=Stage.Status.OPEN, escalated_on__isnull=True).update(
        escalated_on=today, overdue_since=overdue_since
    )
    if moved != 1:
        return False
    desk = facilitation_desk()
    to = [a for a in (case.authority.supervising_office, desk) if a is not None]
    common.case_record(case, "escalated", {
        "stage": stage.code, "target_date": stage.target_date.isoformat(), "overdue_since": overdue_since.isoformat(),
        "escalated_on": today.isoformat(), "to": [a.code for a in to],
    })  # fmt: skip
    title = f"Overdue: {case.licence.number}, {case.get_kind_display().lower()} at {stage.name.lower()}"
    body = (
        f"{case.authority.name} was due to move by {common.day(stage.target_date)}; the stage is overdue since "
        f"{common.day(overdue_since)}." + (" Fast-track case." if case.fast_track else "")
    )
    common.tell_authority(case, title, body, authority_ids=[case.authority_id, *(a.pk for a in to)])
    return True


def stage_settle(stage_id, today: datetime.date) -> str:
    """Settle one due stage: its silence effect, or its escalation. Returns what was done ("" for nothing)."""
    with transaction.atomic():
        case_id = Stage.objects.filter(pk=stage_id).values_list("case_id", flat=True).first()
        if case_id is None:
            return ""
        case = common.lock_case(case_id)
        stage = Stage.objects.select_for_update().get(pk=stage_id)
        if stage.status != Stage.Status.OPEN or stage.paused_since is not None or stage.target_date is None:
            return ""
        if stage.target_date >= today:
            return ""
        effect = silence_due(stage, today)
        if effect is not None:
            silence_apply(case, stage, effect)
            return stage.silence
        if not stage.silence and stage.escalated_on is None and _escalate(case, stage, today):
            return "escalated"
    return ""


def clearances_sweep(*, today: datetime.date | None = None, limit: int = 1000) -> dict:
    """Record what time has decided: silence effects and escalations of overdue stages, each once."""
    today = today or common.today()
    due = (
        due_stages(today)
        .exclude(silence="", escalated_on__isnull=False)
        .order_by("target_date", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    done: dict[str, int] = {}
    for stage_id in list(due):
        what = stage_settle(stage_id, today)
        if what:
            done[what] = done.get(what, 0) + 1
    return done
