"""What the public sees of the clearance cases (RULES.md s.6: after grant, "the clearance cases' status"; issue
13): each case's kind, authority, stage, days used against the target, the clock stopped while a query awaits the
applicant, and decisions with their reasons; documents only when marked public. Never a query's text, an answer,
a private document, or who in the firm filed.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet

from clearances.filters import CaseFilter
from clearances.models import Case, Decision, Document, Stage
from clearances.selectors.lists import StageClock, case_rows, clock_view
from core.errors import ApplicationError, NotFound


def public_cases(*, on: date) -> QuerySet[Case]:
    """Every case, with its open stage's clock counted in SQL (`clearances.selectors.cases.case_rows`), by licence
    and kind."""
    return case_rows(on).order_by("licence_number", "kind", "id")


def public_case_list(*, on: date, filters=None) -> QuerySet[Case]:
    """The public list narrowed by `filters` (a query dict; CaseFilter), or ApplicationError naming the bad one."""
    filterset = CaseFilter(filters, queryset=public_cases(on=on))
    if not filterset.is_valid():
        fields = {name: [str(m) for m in messages] for name, messages in filterset.errors.items()}
        first = next(iter(fields.values()))[0]
        raise ApplicationError(first, fields=fields)
    return filterset.qs


def _public_prefetches():
    return (
        Prefetch("stages", queryset=Stage.objects.order_by("position")),
        Prefetch("decisions", queryset=Decision.objects.select_related("on_behalf_of").order_by("decided_on", "pk")),
        Prefetch("documents", queryset=Document.objects.filter(public=True).order_by("uploaded_at", "pk")),
    )


def public_case(*, case_id) -> Case:
    try:
        return (
            Case.objects.select_related("licence", "licence__holder", "authority")
            .prefetch_related(*_public_prefetches())
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no clearance case {case_id}.") from None


@dataclass(frozen=True)
class PublicStage:
    stage: Stage
    clock: StageClock | None


@dataclass(frozen=True)
class PublicCase:
    case: Case
    stages: list[PublicStage]
    decisions: list[Decision]
    documents: list[Document]

    @property
    def current(self) -> PublicStage | None:
        return next((s for s in self.stages if s.stage.status == Stage.Status.OPEN), None)


def public_view(case: Case, *, on: date) -> PublicCase:
    """A case read with `public_case` (or with the same prefetches) as the public sees it on `on`."""
    return PublicCase(
        case=case,
        stages=[PublicStage(stage=s, clock=clock_view(s, on)) for s in case.stages.all()],
        decisions=list(case.decisions.all()),
        documents=list(case.documents.all()),
    )


def licence_cases(*, licence_id: int, on: date) -> list[PublicCase]:
    """The cases of one licence, as its public page shows them (four queries, whatever the number of cases)."""
    cases = (
        Case.objects.filter(licence_id=licence_id)
        .select_related("authority")
        .prefetch_related(*_public_prefetches())
        .order_by("kind", "filed_on", "pk")
    )
    return [public_view(c, on=on) for c in cases]
