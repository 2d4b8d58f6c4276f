"""What every act on a clearance case does first and last: the case locked, the actor's right checked (through
`clearances.permissions`), the date of the act read and checked, the clock of a stage stored, the ledger entry of
the case's stream written, the people told.

A move is made by the applicant or the authority themselves, today; or recorded "on behalf of" the authority (by
its officer, or by a regulator where the authority does not use Khanij) with the date it was made and the
authority's reference, a date neither in the future nor before the case was filed or its stage started.

A stage's target is a due date of the authority and of the applicant (`due_dates`): registered when the stage
starts, then held, moved or closed each time its clock is stored.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from authorities.selectors import officers_of
from clearances import lifecycle, permissions, rules
from clearances.models import Case, Stage
from clearances.selectors.access import actor_for, case_facts
from clearances.selectors.clock import stage_clock
from clearances.services.due_dates import stage_due_dates_follow
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from ledger.services import ledger_append
from licences.services import members_of
from notifications.services import notification_send

TEXT_MAX = 20_000
REFERENCE_MAX = 100


def today() -> datetime.date:
    return timezone.localdate()


def day(value: datetime.date) -> str:
    return f"{value.day} {value:%b %Y}"


def case_url(case: Case) -> str:
    """The page of a case (the pages' helper serves it)."""
    return f"/clearances/{case.pk}/"


def lock_case(case_id) -> Case:
    """The case, locked until the act's transaction ends (writers of one case queue; other cases do not wait)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_case must run inside the act's transaction")
    try:
        return Case.objects.select_for_update(of=("self",)).select_related("authority", "licence").get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no clearance case {case_id}.") from None


def open_stage(case: Case) -> Stage | None:
    return case.stages.select_for_update().filter(status=Stage.Status.OPEN).first()


def text_input(value, field: str, what: str, *, limit: int = TEXT_MAX, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ApplicationError(f"Write the {what}.", fields={field: [f"Write the {what}."]})
    if len(text) > limit:
        message = f"The {what} has {len(text):,} characters; at most {limit:,} are accepted. Attach the rest as a PDF."
        raise ApplicationError(message, fields={field: [message]})
    return text


def date_input(value, field: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise ApplicationError(
            f"Give the date as a date like 2027-04-15; got {value!r}.", fields={field: ["Give a date like 2027-04-15."]}
        ) from None


@dataclass(frozen=True)
class Act:
    """Who acts, when, and how: as the applicant or the authority themselves (`recorded` False, today), or recorded
    on behalf of the authority (`recorded`, with the date it was done and the authority's reference)."""

    actor: object
    on: datetime.date
    recorded: bool
    reference: str
    facts: permissions.Actor

    def ledger(self, case: Case) -> dict:
        payload = {"by": self.actor.get_username(), "on": self.on.isoformat()}
        if self.recorded:
            payload |= {"recorded_on_behalf_of": case.authority.code, "reference": self.reference}
        return payload


def _recorded_date(acted_on, case: Case, not_before: datetime.date | None, what: str) -> datetime.date:
    on = date_input(acted_on, "acted_on")
    if on > today():
        raise ApplicationError(
            f"The date of the act ({day(on)}) is in the future: give the day the authority acted, today at the latest.",
            fields={"acted_on": [f"Give a date on or before {day(today())}."]},
        )
    if on < case.filed_on:
        raise ApplicationError(
            f"The date of the act ({day(on)}) is before the case was filed on {day(case.filed_on)}.",
            fields={"acted_on": [f"Give a date on or after {day(case.filed_on)}."]},
        )
    if not_before is not None and on < not_before:
        raise ApplicationError(
            f"The date of the act ({day(on)}) is before {what} ({day(not_before)}).",
            fields={"acted_on": [f"Give a date on or after {day(not_before)}."]},
        )
    return on


def _reference(reference) -> str:
    reference = str(reference or "").strip()
    if not reference:
        raise ApplicationError(
            "Give the authority's reference for the act recorded on its behalf (e.g. its letter or file number).",
            fields={"reference": ["Give the authority's reference."]},
        )
    if len(reference) > REFERENCE_MAX:
        raise ApplicationError(
            f"A reference has at most {REFERENCE_MAX} characters.", fields={"reference": ["Too long."]}
        )
    return reference


def authority_act(actor, case: Case, *, acted_on=None, reference="", not_before=None, what="") -> Act:
    """The authority's move: its officer acting today, or an act recorded on its behalf with its date and reference
    (by its officer, or a regulator where it does not use Khanij)."""
    facts = actor_for(actor, case.licence)
    about = case_facts(case)
    recorded = acted_on not in (None, "")
    if not (
        permissions.may_act_as_authority(facts, about) or (recorded and permissions.may_record_on_behalf(facts, about))
    ):
        if permissions.may_record_on_behalf(facts, about):
            raise ApplicationError(
                f"Record the act of {case.authority.name} with the date it was made and its reference.",
                fields={"acted_on": ["Give the date the authority acted."], "reference": ["Give its reference."]},
            )
        raise PermissionDenied(permissions.authority_refusal(facts, about, case.authority.name))
    if not recorded:
        return Act(actor, today(), False, str(reference or "").strip()[:REFERENCE_MAX], facts)
    on = _recorded_date(acted_on, case, not_before, what)
    return Act(actor, on, True, _reference(reference), facts)


def applicant_act(actor, case: Case, *, acted_on=None, reference="", not_before=None, what="") -> Act:
    """The applicant's move: a member who may act for the holder, today; or recorded by the authority's officer or
    a regulator (as for an authority's move) where the applicant made it in the authority's own system."""
    facts = actor_for(actor, case.licence)
    if permissions.may_act_as_applicant(facts) and acted_on in (None, ""):
        return Act(actor, today(), False, "", facts)
    if acted_on not in (None, "") and permissions.may_record_on_behalf(facts, case_facts(case)):
        return Act(actor, _recorded_date(acted_on, case, not_before, what), True, _reference(reference), facts)
    if permissions.may_act_as_applicant(facts):
        raise ApplicationError("The applicant acts today: leave the date out.", fields={"acted_on": ["Leave it out."]})
    raise PermissionDenied(permissions.applicant_refusal(facts))


def store_clock(stage: Stage, clock: rules.Clock, **fields) -> None:
    """Write the stage's clock fields (and `fields`) after a move, on the open stage only (a conditional UPDATE)."""
    values = {
        "started_on": clock.started_on,
        "clock_started_on": clock.clock_started_on,
        "days_paused": clock.days_paused,
        "paused_since": clock.paused_since,
        "target_date": rules.target_date(clock),
        "ended_on": clock.ended_on,
        **fields,
    }
    moved = Stage.objects.filter(pk=stage.pk, status=Stage.Status.OPEN).update(**values)
    if moved != 1:
        raise Conflict(f"The stage {stage.name} moved meanwhile; reload the case.")
    for name, value in values.items():
        setattr(stage, name, value)
    stage_due_dates_follow(stage.case, stage)  # held, moved or closed with the clock


def stage_start(stage: Stage, on: datetime.date) -> None:
    """Open a pending stage on `on`: its clock starts (the day itself not counted)."""
    clock = rules.clock_start(
        on, target_days=stage.target_days, target_months=stage.target_months, query_effect=stage.query_effect
    )
    moved = Stage.objects.filter(pk=stage.pk, status=Stage.Status.PENDING).update(
        status=Stage.Status.OPEN,
        started_on=on,
        clock_started_on=on,
        target_date=rules.target_date(clock),
    )
    if moved != 1:
        raise Conflict(f"The stage {stage.name} has already started.")
    stage.refresh_from_db()
    stage_due_dates_follow(stage.case, stage)  # its target, for the authority and the applicant


def stage_end(stage: Stage, on: datetime.date, how: str) -> None:
    """Close the open stage on `on`; an open query on it closes unanswered."""
    clock = rules.clock_end(stage_clock(stage), on)
    store_clock(stage, clock, status=Stage.Status.CLOSED, ended_how=how)
    stage.queries.filter(answered_on__isnull=True, closed_on__isnull=True).update(closed_on=on)


def next_stage(case: Case, after: Stage) -> Stage | None:
    return case.stages.filter(position__gt=after.position, status=Stage.Status.PENDING).order_by("position").first()


def case_record(case: Case, kind: str, payload: dict) -> None:
    """One entry of the case's stream (`clearance:<pk>`), in the act's transaction."""
    ledger_append(
        stream=case.stream,
        kind=kind,
        payload={"case": case.pk, "licence": case.licence.number, "kind": case.kind, **payload},
    )


def take_up(case: Case) -> None:
    """A filed case is in progress from its first move."""
    if case.status == Case.Status.FILED:
        lifecycle.case_move(case=case, to=Case.Status.IN_PROGRESS)


def require_open(case: Case) -> None:
    if not case.is_open:
        raise Conflict(
            f"The {case.get_kind_display().lower()} case is {case.get_status_display().lower()}"
            + (f" ({case.get_outcome_display().lower()} on {day(case.decided_on)})" if case.decided_on else "")
            + "; nothing more can be done on it but what follows a decision."
        )


def tell_holder(case: Case, title: str, body: str = "") -> None:
    notification_send(users=members_of(case.licence.holder), title=title, body=body, url=case_url(case))


def tell_authority(case: Case, title: str, body: str = "", *, authority_ids=None) -> None:
    ids = authority_ids if authority_ids is not None else [case.authority_id]
    users = list({officer.user for officer in officers_of(ids)})
    if users:
        notification_send(users=users, title=title, body=body, url=case_url(case))
