"""A stage's target in the register of due dates (notifications), for the two sides of the case:

- the deciding authority (audience `authority:<code>`, kind `clearance_stage`): its officers' date to move the stage
  on or decide, reminded before it and weekly while overdue (the general plan of REMINDER_* settings);
- the applicant (audience `firm:<holder id>`, kind `clearance_stage_awaited`): the date its application is due the
  authority's move, told a week before and on the day (REMINDER_KINDS: nothing to do but know it, so not nagged).

Both belong to the licence (subject `licences.licence:<pk>`), so that a lease that ends closes them with it; their
keys name the stage (`clearance-stage:<stage pk>:authority`, `...:applicant`). `stage_due_dates_follow` brings them in
line with the stage's stored clock after every move (`common.stage_start` and `common.store_clock` call it, in the
act's transaction):

- open and running: registered (or moved to the new target: a query answered adds its days, or restarts the period;
  the reminders start afresh for the new day) and reminded;
- open with a query waiting for the applicant: held (listed, with the title saying why, but no reminder: the clock
  is stopped, so the date is not what it will be). No query carries a date to answer by (RULES.md s.5 gives none),
  so the applicant is told of the query by its notice, not by a due date;
- closed: met (moved on or decided within the target), missed (later, or a silence rule took effect) or no longer
  due (withdrawn); no more reminders.
"""

from django.db import transaction
from django.urls import reverse

from authorities.audiences import authority_audience
from bidders.audiences import firm_audience
from clearances.models import Case, Stage
from licences import lifecycle as licence_lifecycle
from notifications.services import due_date_close, due_date_hold, due_date_register

AUTHORITY_KIND = "clearance_stage"
APPLICANT_KIND = "clearance_stage_awaited"
ROLES = ("authority", "applicant")

# What the authority's silence past the target does, as each side reads it.
SILENCE_NOTE = {
    Stage.Silence.DEEMED_GRANTED: ("deemed given if not decided", "deemed given if not decided"),
    Stage.Silence.TOR_STAND: (
        "the applicant's proposed terms of reference stand if not conveyed",
        "your proposed terms of reference stand if not conveyed",
    ),
    Stage.Silence.PROCEED_AS_RECOMMENDED: (
        "the applicant may proceed as recommended if not conveyed",
        "you may proceed as recommended if not conveyed",
    ),
}


def due_key(stage: Stage, role: str) -> str:
    return f"clearance-stage:{stage.pk}:{role}"


def _subject(case: Case) -> str:
    return f"licences.licence:{case.licence_id}"


def _titles(case: Case, stage: Stage) -> dict[str, str]:
    """What each side reads in its calendar and reminders ("Reminder: <title>, due in 7 days")."""
    kind, number, step = case.get_kind_display(), case.licence.number, stage.name  # "Standing Committee of the NBWL"
    notes = {role: [note] for role, note in zip(ROLES, SILENCE_NOTE.get(stage.silence, ("", "")), strict=True)}
    if stage.paused_since is not None:
        since = f"{stage.paused_since.day} {stage.paused_since:%b %Y}"
        notes["authority"].append(f"clock stopped: the query of {since} awaits the applicant's answer")
        notes["applicant"].append(f"clock stopped until you answer the query of {since}")
    titles = {
        "authority": f"{kind}, {number} ({case.licence.holder.legal_name}): {step}",
        "applicant": f"Your {kind[:1].lower() + kind[1:]}, {number} ({case.authority.name}): {step}",
    }
    return {role: title + "".join(f" ({note})" for note in notes[role] if note) for role, title in titles.items()}


def _closed_as(stage: Stage) -> str:
    if stage.ended_how == "withdrawn":
        return "cancelled"
    if stage.ended_how == "silence" or stage.ended_on > stage.target_date:
        return "missed"
    return "met"


def stage_due_dates_follow(case: Case, stage: Stage) -> None:
    """Register, move, hold or close the stage's two due dates as its stored clock now stands (idempotent)."""
    if stage.target_date is None or stage.status in (Stage.Status.PENDING, Stage.Status.SKIPPED):
        return  # no clock (the applicant's own stages), or not started
    subject = _subject(case)
    if stage.status == Stage.Status.CLOSED:
        for role in ROLES:
            due_date_close(subject=subject, key=due_key(stage, role), status=_closed_as(stage))
        return
    if licence_lifecycle.is_ended(case.licence.status):
        return  # the lease ended: its due dates closed with it
    audiences = {"authority": authority_audience(case.authority), "applicant": firm_audience(case.licence.holder_id)}
    kinds = {"authority": AUTHORITY_KIND, "applicant": APPLICANT_KIND}
    titles = _titles(case, stage)
    for role in ROLES:
        key = due_key(stage, role)
        due_date_register(subject=subject, key=key, kind=kinds[role], audience=audiences[role], title=titles[role],
                          due_on=stage.target_date, url=reverse("clearances:case", args=[case.pk]))  # fmt: skip
        due_date_hold(subject=subject, key=key, held=stage.paused_since is not None)


def case_due_dates_sync(*, cases=None) -> int:
    """Bring the due dates of the open stages of these cases (by default every open case) in line with their clocks,
    each case in its own transaction under its lock: for cases filed before stages had due dates (the demo's seed,
    `manage.py clearance_due_dates`). Idempotent. Returns how many stages it looked at."""
    cases = Case.objects.all() if cases is None else cases
    count = 0
    for case_id in cases.filter(status__in=Case.OPEN_STATUSES).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update(of=("self",)).select_related("authority", "licence").get(pk=case_id)
            for stage in case.stages.filter(status=Stage.Status.OPEN):
                stage_due_dates_follow(case, stage)
                count += 1
    return count
