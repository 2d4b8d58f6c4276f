"""Lists of cases shaped for each screen, and one case with everything its page shows.

Every list is one query whatever its length (plus one count when paged): a case is joined to its open stage (at
most one, held by a unique index) through `FilteredRelation`, and that stage's clock is counted in SQL from its
stored fields by `clearances.selectors.clock`'s own expressions, reached through the join (`through`). Nothing here
writes; the acts are in `clearances.services`.
"""

import copy
from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, F, FilteredRelation, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models import Case as SqlCase

from clearances import rules
from clearances.models import Case, Decision, Document, Query, Stage
from clearances.selectors.clock import clock_annotations, stage_clock
from clearances.selectors.viewer import Viewer, visible_cases

CURRENT = "current__"
LIST_DEFERS = (
    "template", "details", "licence__boundary", "licence__original_boundary", "licence__params", "licence__details",
)  # fmt: skip


def through(expression, prefix: str):
    """`expression` (built on a stage's fields) rewritten to reach them through the relation `prefix`: each `F` and
    each lookup of a condition gets the prefix. So the clock's SQL is written once, in `selectors.clock`."""
    if isinstance(expression, F):
        return F(f"{prefix}{expression.name}")
    if isinstance(expression, Q):
        rewritten = copy.copy(expression)
        rewritten.children = [
            through(child, prefix) if isinstance(child, Q) else (f"{prefix}{child[0]}", through(child[1], prefix))
            for child in expression.children
        ]
        return rewritten
    if not hasattr(expression, "get_source_expressions"):
        return expression
    rewritten = copy.copy(expression)
    rewritten.set_source_expressions([through(e, prefix) for e in expression.get_source_expressions()])
    return rewritten


def current_clock(on: date) -> dict:
    """The open stage's clock, from a case joined to it as `current`: `days_used`, `days_allowed`, `days_left`,
    `overdue` and `clock_stopped` (null, or false, when no stage is open)."""
    started = Q(current__clock_started_on__isnull=False)
    sql = {name: through(expression, CURRENT) for name, expression in clock_annotations(on).items()}
    used = SqlCase(When(started, then=sql["days_used"]), default=Value(None), output_field=IntegerField())
    allowed = SqlCase(When(started, then=sql["days_allowed"]), default=Value(None), output_field=IntegerField())
    return {
        "days_used": used,
        "days_allowed": allowed,
        "days_left": allowed - used,
        "overdue": SqlCase(
            When(
                started & Q(current__target_date__isnull=False) & Q(days_used__gt=F("days_allowed")), then=Value(True)
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "clock_stopped": SqlCase(
            When(Q(current__paused_since__isnull=False), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    }


def case_rows(on: date, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases with their licence, holder and authority, and their open stage's facts and clock on `on`:
    `stage_name`, `stage_code`, `stage_owner`, `stage_target_date`, `stage_escalated_on`, `stage_paused_since`,
    `days_used`, `days_allowed`, `days_left`, `overdue`, `clock_stopped` (null or false when no stage is open); and
    `licence_number`, which orderings and cursors name. The case's stored template and the licence's boundaries
    stay unread (a list never shows them; read, they would widen every row a list joins and sorts)."""
    queryset = Case.objects.all() if queryset is None else queryset
    return (
        queryset.annotate(current=FilteredRelation("stages", condition=Q(stages__status=Stage.Status.OPEN)))
        .select_related("licence", "licence__holder", "authority")
        .defer(*LIST_DEFERS)
        .annotate(
            licence_number=F("licence__number"),
            stage_name=F("current__name"),
            stage_code=F("current__code"),
            stage_owner=F("current__owner"),
            stage_target_date=F("current__target_date"),
            stage_escalated_on=F("current__escalated_on"),
            stage_paused_since=F("current__paused_since"),
        )
        .annotate(**current_clock(on))
    )


def queue_order(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Fast track first (RULES.md s.5: taken up out of turn), then by the open stage's target date (the nearest
    first; a stage without a clock last), then by filing."""
    return queryset.order_by(F("fast_track").desc(), F("stage_target_date").asc(nulls_last=True), "filed_on", "pk")


def applicant_cases(*, firm_id: int, on: date) -> QuerySet[Case]:
    """Every case of the licences `firm_id` holds, open ones first, then by licence and kind."""
    rows = case_rows(on, Case.objects.filter(licence__holder_id=firm_id))
    return rows.order_by(F("decided_on").desc(nulls_first=True), "licence__number", "kind", "pk")


def officer_queue(*, authority_ids, on: date) -> QuerySet[Case]:
    """The open cases of these bodies, as their officers take them up: fast track first, then by target date."""
    rows = case_rows(on, Case.objects.filter(authority_id__in=sorted(authority_ids), status__in=Case.OPEN_STATUSES))
    return queue_order(rows)


def decided_by(*, authority_ids, on: date) -> QuerySet[Case]:
    """The bodies' cases that are closed, the latest first."""
    rows = case_rows(on, Case.objects.filter(authority_id__in=sorted(authority_ids)).exclude(
        status__in=Case.OPEN_STATUSES
    ))  # fmt: skip
    return rows.order_by(F("decided_on").desc(nulls_last=True), "-pk")


def _board_filters(cases: QuerySet[Case], filters: dict) -> QuerySet[Case]:
    """The filters of the boards that read the case alone."""
    if filters.get("status"):
        cases = cases.filter(status=filters["status"])
    if filters.get("kind"):
        cases = cases.filter(kind=filters["kind"])
    if filters.get("authority"):
        cases = cases.filter(authority__code=filters["authority"])
    if filters.get("fast_track"):
        cases = cases.filter(fast_track=True)
    if filters.get("on_behalf"):
        cases = cases.filter(authority__works_cases_here=False, status__in=Case.OPEN_STATUSES)
    return cases


def all_cases(*, viewer: Viewer, on: date, filters: dict | None = None) -> QuerySet[Case]:
    """The cases `viewer` may see (every case for the desk and regulators), open ones first, the latest filed first,
    narrowed by the simple `filters` of the boards (status, kind, authority code, fast_track, overdue, escalated)."""
    filters = filters or {}
    rows = case_rows(on, _board_filters(visible_cases(viewer), filters))
    if filters.get("overdue"):
        rows = rows.filter(overdue=True)
    if filters.get("escalated"):
        rows = rows.filter(stage_escalated_on__isnull=False)
    # Open cases first, the latest filed first: a key of the case alone, so a page of 100,000 cases sorts the cases
    # and joins 50 of them (the overdue and escalated lists above it carry the urgency).
    return rows.order_by(F("decided_on").desc(nulls_first=True), "-filed_on", "-pk")


def count_cases(*, viewer: Viewer, on: date, filters: dict | None = None) -> int:
    """How many cases `all_cases` lists: from the cases alone unless a filter reads the open stage's clock (the
    join to the stage would double the count's cost for nothing)."""
    filters = filters or {}
    if filters.get("overdue") or filters.get("escalated"):
        return all_cases(viewer=viewer, on=on, filters=filters).count()
    return _board_filters(visible_cases(viewer), filters).count()


# --- One case ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageClock:
    """What a page shows of a stage's clock on a day (by the rules' own functions)."""

    has_clock: bool
    days_used: int
    days_allowed: int | None
    days_left: int | None
    overdue: bool
    stopped: bool
    stopped_since: date | None
    target_date: date | None

    @property
    def overdue_by(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def clock_view(stage: Stage, on: date) -> StageClock | None:
    """The clock of `stage` on `on` (None: the stage has not started)."""
    if stage.started_on is None or stage.clock_started_on is None:
        return None
    clock = stage_clock(stage)
    return StageClock(
        has_clock=clock.has_target,
        days_used=rules.days_used(clock, on),
        days_allowed=rules.days_allowed(clock),
        days_left=rules.days_left(clock, on),
        overdue=rules.is_overdue(clock, on),
        stopped=clock.paused_since is not None and clock.ended_on is None,
        stopped_since=clock.paused_since,
        target_date=rules.target_date(clock),
    )


@dataclass(frozen=True)
class StageView:
    stage: Stage
    clock: StageClock | None
    queries: list


@dataclass(frozen=True)
class CaseView:
    """One case as its page shows it: stages with their clocks and queries, decisions, documents."""

    case: Case
    stages: list[StageView]
    decisions: list[Decision]
    documents: list[Document]
    on: date

    @property
    def current(self) -> StageView | None:
        return next((s for s in self.stages if s.stage.status == Stage.Status.OPEN), None)

    @property
    def queries(self) -> list[Query]:
        """Every query of the case (empty for the public record), oldest first."""
        return [q for s in self.stages for q in s.queries]

    @property
    def open_query(self) -> Query | None:
        current = self.current
        if current is None:
            return None
        return next((q for q in current.queries if q.is_open), None)

    @property
    def ending(self) -> Decision | None:
        return next((d for d in self.decisions if d.outcome in Decision.ENDING), None)


def _stage_prefetch(with_queries: bool) -> Prefetch:
    queryset = Stage.objects.order_by("position")
    if with_queries:
        queryset = queryset.prefetch_related(
            Prefetch("queries", queryset=Query.objects.select_related("raised_by", "answered_by", "on_behalf_of"))
        )
    return Prefetch("stages", queryset=queryset)


def case_view(case: Case, *, on: date, full: bool) -> CaseView:
    """Everything the case's page shows on `on`. `full`: with the queries' texts and every document (the case's own
    people); otherwise its public record (the clock, the decisions with reasons, documents marked public)."""
    documents = Document.objects.select_related("uploaded_by").order_by("uploaded_at", "pk")
    if not full:
        documents = documents.filter(public=True)
    case_with = (
        Case.objects.filter(pk=case.pk)
        .select_related("licence", "licence__holder", "licence__block", "authority", "authority__supervising_office")
        .prefetch_related(
            _stage_prefetch(full),
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("on_behalf_of", "recorded_by", "contests").order_by(
                    "decided_on", "pk"
                ),
            ),
            Prefetch("documents", queryset=documents),
        )
        .get()
    )
    stages = [
        StageView(stage=s, clock=clock_view(s, on), queries=list(s.queries.all()) if full else [])
        for s in case_with.stages.all()
    ]
    return CaseView(
        case=case_with,
        stages=stages,
        decisions=list(case_with.decisions.all()),
        documents=list(case_with.documents.all()),
        on=on,
    )
