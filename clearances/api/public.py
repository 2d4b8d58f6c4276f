"""The clearance cases in the public API: `/api/v1/public/clearances` (filtered, cursor-paginated), one case, the
CSV of the filtered list, and the statistics. Anonymous, read-only, cacheable, like the rest of /api/v1/public/:
a signed-in user gets exactly what a citizen gets. Only the public record (clearances.selectors.public): never a
query's text, an answer, or a document not marked public.
"""

from django.http import StreamingHttpResponse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.response import Response

from clearances.api.serializers import (
    CaseDetailSerializer,
    CaseSummarySerializer,
    StatisticsSerializer,
    case_path,
    statistics_data,
)
from clearances.filters import CaseFilter
from clearances.selectors import public as sel
from clearances.selectors.stats import clearance_statistics
from core.api import error_response
from core.pagination import KeysetCursorPagination
from core.public_api import BAD_FILTER, CSV_CHUNK, FilteredSchema, PublicAPIView, capped, csv_response, csv_text

TAG = "public"
NOT_FOUND = error_response("`not_found`: no clearance case has this id.")


class PublicCasePagination(KeysetCursorPagination):
    page_size = 50


class _CaseList(PublicAPIView):
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilter

    def get_queryset(self):
        return sel.public_cases(on=timezone.localdate())


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary="Clearance cases",
        operation_id="public_clearances_list",
        description=(
            "Every clearance case of every licence (RULES.md s.5): kind, deciding body, status and outcome, the fast "
            "track, and the open stage with its clock on the day of the request: days used against the target, "
            "overdue, stopped while a query awaits the applicant's answer, escalated. Filtered and ordered; follow "
            "`next` until it is null to read them all. Stages, decisions with reasons and public documents are on "
            "each case."
        ),
        responses={200: CaseSummarySerializer(many=True), 400: BAD_FILTER},
    )
)
class PublicCaseListView(_CaseList, generics.ListAPIView):
    serializer_class = CaseSummarySerializer
    pagination_class = PublicCasePagination


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary="One clearance case",
        operation_id="public_clearances_retrieve",
        description=(
            "The case's public record: every stage from its template with its clock (days used, allowed and left, "
            "stopped while a query is open), the decisions with their reasons, conditions and validity (a deemed "
            "decision and any decision contesting it), and the documents marked public. Queries' texts, answers "
            "and the applicant's other documents are not public."
        ),
        responses={200: CaseDetailSerializer, 404: NOT_FOUND},
    )
)
class PublicCaseDetailView(PublicAPIView, generics.RetrieveAPIView):
    serializer_class = CaseDetailSerializer

    def get_object(self):
        case = sel.public_case(case_id=self.kwargs["pk"])
        return sel.public_view(case, on=timezone.localdate())


CSV_COLUMNS = [
    "id", "licence", "holder", "state", "kind", "authority", "status", "outcome", "filed_on", "decided_on",
    "fast_track", "fast_track_minerals", "external_reference", "stage", "days_used", "days_allowed", "days_left",
    "target_date", "overdue", "clock_stopped", "escalated_on", "portal_url",
]  # fmt: skip


def _day(value) -> str:
    return value.isoformat() if value else ""


def _number(value) -> str:
    return "" if value is None else str(value)


def case_csv_rows(queryset, site: str):
    """The cases as CSV rows, streamed from the database a chunk at a time."""
    for case in queryset.iterator(chunk_size=CSV_CHUNK):
        yield [
            case.pk,
            csv_text(case.licence.number),
            csv_text(case.licence.holder.legal_name),
            case.licence.state,
            case.kind,
            case.authority.code,
            case.status,
            case.outcome,
            _day(case.filed_on),
            _day(case.decided_on),
            "true" if case.fast_track else "false",
            ";".join(case.fast_track_minerals),
            csv_text(case.external_reference),
            csv_text(case.stage_name or ""),
            _number(case.days_used),
            _number(case.days_allowed),
            _number(case.days_left),
            _day(case.stage_target_date),
            "true" if case.overdue else "false",
            "true" if case.clock_stopped else "false",
            _day(case.stage_escalated_on),
            site + case_path(case.pk),
        ]


def case_dump_rows(site: str, now):
    """Every public case as the download gives it unfiltered, counted on the day of `now` (the full dumps)."""
    return case_csv_rows(sel.public_cases(on=timezone.localdate(now)), site)


def case_csv_response(queryset, request) -> StreamingHttpResponse:
    """The shared streamed, capped download (core.public_api.csv_response)."""
    site = request.build_absolute_uri("/").rstrip("/")
    return csv_response(CSV_COLUMNS, case_csv_rows(capped(queryset), site), filename="khanij-clearances.csv")


class PublicCaseCSVView(_CaseList):
    schema = FilteredSchema()

    def perform_content_negotiation(self, request, force=False):
        # The body is CSV whatever the client accepts; errors before it are JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=[TAG],
        summary="Clearance cases as CSV",
        operation_id="public_clearances_csv",
        description=(
            "The filtered cases as a CSV file (UTF-8, header row first), streamed: the same filters and ordering "
            "as /api/v1/public/clearances, every matching case, no pagination. Columns: "
            + ", ".join(CSV_COLUMNS)
            + ". Days are counted on the day of the request; fast_track_minerals are separated by semicolons."
        ),
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: BAD_FILTER},
    )
    def get(self, request, *args, **kwargs):
        return case_csv_response(self.filter_queryset(self.get_queryset()), request)


class PublicStatisticsView(PublicAPIView):
    serializer_class = StatisticsSerializer

    @extend_schema(
        tags=[TAG],
        summary="Clearance statistics",
        operation_id="public_clearances_statistics",
        description=(
            "How the clearance cases fare: cases by kind, State and deciding body (open, overdue, escalated, "
            "granted, refused, deemed, withdrawn, decided, decided in time and its share); the fast track against "
            "ordinary cases, in all and by kind; and the median days each stage took against its target. A deemed "
            "decision counts as not decided in time. `definitions` says what each figure counts."
        ),
        responses={200: StatisticsSerializer},
    )
    def get(self, request):
        return Response(statistics_data(clearance_statistics(on=timezone.localdate())))
