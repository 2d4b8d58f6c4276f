"""What the lease asks of its clearances, through the hooks `licences.hooks` defines and `ClearancesConfig.ready`
registers (licences never imports clearances):

- `execution_blockers(licence)`: for a lease whose execution the cases gate (an ML: `execution_gated_kinds`), every
  case the data says it needs that gates execution and has no milestone of its own (forest Stage II, wildlife)
  must stand granted or deemed. The mining plan approval and the EC have their lease milestones, which
  `licence_execute` checks itself: a standing case meets its milestone (dated by its decision), and a milestone
  recorded met before any case was filed (an approval from before Khanij) stands for it.
- `milestone_keeper(licence, kind)`: once a case exists for the mining plan or the EC, its decision meets the
  milestone, so the milestone is not ticked by hand a second time.
"""

from clearances.models import Case
from clearances.rules import templates as t
from clearances.selectors.cases import current_params, licence_needs

_CASE_OF_MILESTONE = {milestone: kind for kind, milestone in t.MILESTONES.items()}


def _lower_first(label: str) -> str:
    """A label inside a sentence: "forest clearance Stage II (final)"."""
    return label[:1].lower() + label[1:]


def _day(value) -> str:
    return f"{value.day} {value:%b %Y}"


def _state(case: Case | None) -> str:
    if case is None:
        return "no case filed"
    if case.is_open:
        stage = case.stages.filter(status="open").first()
        return f"case {case.pk} open since {_day(case.filed_on)}" + (f", at {stage.name.lower()}" if stage else "")
    return f"case {case.pk} {case.get_outcome_display().lower()} on {_day(case.decided_on)}"


def execution_blockers(licence) -> list[str]:
    params = current_params()
    if licence.kind not in params.execution_gated_kinds:
        return []
    problems = []
    for need in licence_needs(licence, params).needed:
        if need.gates != t.EXECUTION or need.kind in t.MILESTONES:
            continue
        cases = Case.objects.filter(licence=licence, kind=need.kind).exclude(status=Case.Status.WITHDRAWN)
        if cases.filter(outcome__in=Case.STANDING_OUTCOMES).exists():
            continue
        latest = cases.select_related("authority").order_by("-filed_on", "-pk").first()
        problems.append(f"{_lower_first(t.LABELS[need.kind])} ({_state(latest)}; needed because {need.reason})")
    return problems


def milestone_keeper(licence, kind: str) -> str | None:
    case_kind = _CASE_OF_MILESTONE.get(kind)
    if case_kind is None:
        return None
    case = (
        Case.objects.filter(licence=licence, kind=case_kind)
        .exclude(status=Case.Status.WITHDRAWN)
        .select_related("authority")
        .order_by("-filed_on", "-pk")
        .first()
    )
    if case is None:
        return None
    return (
        f"The {_lower_first(t.LABELS[case_kind])} of {licence.number} is followed in clearance case {case.pk} "
        f"({case.authority.name}; {_state(case)}): its grant meets this milestone, dated by the decision. Record the "
        "decision there (on behalf of the authority if it does not use Khanij), not here."
    )
