"""The overdue board: every open stage past its target, the longest overdue first, with its case, licence and
authority, and whether it was escalated. One query for the page, one for its count, however many cases there are:
the clock is counted in SQL from the stage's stored fields (`clearances.selectors.clock`), never by replaying a
case's history in Python.

A stage is overdue when it has used more days than its target allows (RULES.md s.5): a running stage from the day
after its target date; a stage whose clock a query stopped only if it was already past its target when the query
was raised. Whoever reads it sees only the cases they may see (`clearances.selectors.access`).
"""

from datetime import date

from django.db.models import Q, QuerySet

from clearances.models import Case, Stage
from clearances.selectors.clock import with_clock
from clearances.selectors.viewer import Viewer, visible_filter


def overdue_stages(*, viewer: Viewer, on: date, authority_ids=None) -> QuerySet[Stage]:
    """The open stages past their target on `on` that `viewer` may see (narrowed to `authority_ids` when given),
    annotated with the clock (`days_used`, `days_allowed`, `days_left`, `overdue`); the longest
    overdue first, fast track first among equals."""
    if not viewer.authenticated:
        return Stage.objects.none()
    stages = Stage.objects.filter(
        status=Stage.Status.OPEN, case__status__in=Case.OPEN_STATUSES, target_date__isnull=False
    )
    condition = visible_filter(viewer, "case__")
    if condition is not None:
        stages = stages.filter(condition)
    if authority_ids is not None:
        stages = stages.filter(case__authority_id__in=sorted(authority_ids))
    # A running stage is overdue from the day after its target date: the partial index clearance_stage_due finds
    # those; a stopped clock is judged by its own expression (few stages wait on an answer at any time).
    stages = with_clock(stages, on).filter(
        Q(paused_since__isnull=True, target_date__lt=on) | Q(paused_since__isnull=False, overdue=True)
    )
    return stages.select_related("case", "case__licence", "case__licence__holder", "case__authority").order_by(
        "days_left", "-case__fast_track", "target_date", "pk"
    )


def escalated_stages(*, viewer: Viewer, on: date) -> QuerySet[Stage]:
    """The open stages escalated to the supervising office and the facilitation desk, the earliest first."""
    if not viewer.authenticated:
        return Stage.objects.none()
    stages = Stage.objects.filter(status=Stage.Status.OPEN, escalated_on__isnull=False)
    condition = visible_filter(viewer, "case__")
    if condition is not None:
        stages = stages.filter(condition)
    return (
        with_clock(stages, on)
        .select_related("case", "case__licence", "case__licence__holder", "case__authority")
        .order_by("escalated_on", "pk")
    )
