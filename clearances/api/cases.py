"""The signed-in reads of clearance cases: the cases the caller may see (the holder's members: their licences'
cases; officers: their bodies' and the bodies they supervise; the facilitation desk and regulators: all), one case
with its queries and every document, and the overdue board. Scoped by `clearances.selectors.viewer`; anyone else
reads the public record under /api/v1/public/clearances.
"""

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated

from clearances.api.acts import AUTH, NO_CASE, TAG
from clearances.api.serializers import CaseFullSerializer, CaseSummarySerializer, ClockSerializer, LicenceRefSerializer
from clearances.filters import CaseFilter
from clearances.models import Case, Stage
from clearances.selectors import board as board_sel
from clearances.selectors.lists import case_rows, case_view
from clearances.selectors.viewer import case_access, viewer_of, visible_cases
from core.api import UNAUTHENTICATED, error_response
from core.errors import PermissionDenied
from core.fields import StrictCharField, StrictChoiceField
from core.pagination import KeysetCursorPagination, StrictLimitOffsetPagination
from core.public_api import BAD_FILTER

NOT_THEIRS = error_response(
    "`permission_denied`: not one of the case's own people (its applicant's members, the authority's officers and "
    "their supervising office, the facilitation desk, regulators); its public record is at "
    "/api/v1/public/clearances/{id}."
)


class CasePagination(KeysetCursorPagination):
    page_size = 50


class BoardPagination(StrictLimitOffsetPagination):
    default_limit = 100
    max_limit = 500


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary="The clearance cases you may see",
        operation_id="clearances_list",
        description="A licence holder's members see its licences' cases; an officer, the cases of their bodies and "
        "of the bodies those supervise; the facilitation desk and regulators, every case. The public list's "
        "filters and ordering apply.",
        responses={200: CaseSummarySerializer(many=True), 400: BAD_FILTER, 401: UNAUTHENTICATED},
    )
)
class CaseListApi(generics.ListAPIView):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated]
    serializer_class = CaseSummarySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilter
    pagination_class = CasePagination

    def get_queryset(self):
        rows = case_rows(timezone.localdate(), visible_cases(viewer_of(self.request.user)))
        return rows.order_by("licence_number", "kind", "id")


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary="One clearance case, with its queries and documents",
        operation_id="clearances_retrieve",
        description="The public record of the case, with every query and answer and every document, for the "
        "case's own people; `role` says the caller's part in it.",
        responses={200: CaseFullSerializer, 401: UNAUTHENTICATED, 403: NOT_THEIRS, 404: NO_CASE},
    )
)
class CaseDetailApi(generics.RetrieveAPIView):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated]
    serializer_class = CaseFullSerializer
    queryset = Case.objects.none()  # documents the path parameter

    def get_object(self):
        access = case_access(user=self.request.user, case_id=self.kwargs["pk"])
        if not access.full:
            raise PermissionDenied(
                "This case's queries and documents are for its own people; its public record is at "
                f"/api/v1/public/clearances/{access.case.pk}."
            )
        self.role = access.role
        return case_view(access.case, on=timezone.localdate(), full=True)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "role": getattr(self, "role", "")}


class OverdueStageSerializer(serializers.Serializer):
    case = serializers.IntegerField(source="case_id")
    kind = StrictChoiceField(source="case.kind", choices=Case.Kind.choices)
    licence = LicenceRefSerializer(source="case.licence")
    authority = StrictCharField(source="case.authority.code")
    fast_track = serializers.BooleanField(source="case.fast_track")
    stage = StrictCharField(source="name")
    owner = StrictChoiceField(choices=Stage.Owner.choices)
    target_date = serializers.DateField()
    escalated_on = serializers.DateField(allow_null=True)
    clock = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ClearanceOverdueStage"

    @extend_schema_field(ClockSerializer)
    def get_clock(self, stage) -> dict:
        return {
            "days_used": stage.days_used,
            "days_allowed": stage.days_allowed,
            "days_left": stage.days_left,
            "overdue": stage.overdue,
            "stopped": stage.paused_since is not None,
            "stopped_since": stage.paused_since,
            "target_date": stage.target_date,
        }


@extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary="The overdue board",
        operation_id="clearances_overdue",
        description="Every open stage past its target that you may see, the longest overdue first, with whether it "
        "was escalated: for the facilitation desk and regulators every case, for an officer their bodies' and "
        "those they supervise, for a holder its licences'.",
        responses={200: OverdueStageSerializer(many=True), 400: BAD_FILTER, 401: UNAUTHENTICATED},
    )
)
class OverdueBoardApi(generics.ListAPIView):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated]
    serializer_class = OverdueStageSerializer
    pagination_class = BoardPagination

    def get_queryset(self):
        return board_sel.overdue_stages(viewer=viewer_of(self.request.user), on=timezone.localdate())
