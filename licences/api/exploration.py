"""The signed-in API of exploration licences after their auction (RULES.md s.4) and of firms' area proposals.

Thin views over `licences.services` (which checks roles and rules) and `licences.selectors` (`exploration`,
`proposals`):

- the regulator grants and extends an EL; the holder's administrators and authorised bidders ask for an
  extension, file the annual work-programme reports, relinquish, and report a discovery; the holder's members
  (any role) and the regulators read the EL's state;
- a firm's administrators and authorised bidders propose an area for an EL auction; a firm's members list their
  firm's proposals, regulators every proposal; regulators accept (a block in the registry) or reject.

Who may act is checked before the input is read, so a refusal never depends on what was sent.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from bidders.models import Membership
from bidders.permissions import IsRegulator
from bidders.roles import firm_of, is_regulator
from bidders.rules import may_act
from blocks.constants import STATE_CHOICES, ExplorationStage
from core.api import (
    IDEMPOTENCY_CONFLICT,
    UNAUTHENTICATED,
    ActApi,
    ActDoc,
    error_response,
    query_choice,
    reason_input,
)
from core.authentication import TokenAuthentication
from core.fields import DateField, ExactDecimalField, StrictCharField, StrictChoiceField, StrictSlugField
from core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from core.pagination import KeysetCursorPagination
from licences import services as svc
from licences.models import AreaProposal, Licence, Obligation, Report
from licences.selectors import exploration as sel
from licences.selectors import proposals as proposal_sel

AUTH = [TokenAuthentication, SessionAuthentication]
TAG_EL = "licences: exploration"
TAG_PROPOSALS = "licences: area proposals"
PARSERS = [JSONParser, MultiPartParser, FormParser]
UPLOAD = ("multipart/form-data", "application/json")  # a filing's body: with its document, or JSON without one

NOT_REGULATOR = error_response("`permission_denied`: signed in, but not a regulator.")
NOT_HOLDER = error_response(
    "`permission_denied`: not an administrator or authorised bidder of the licence's holder (a viewer may read, "
    "not act)."
)
NOT_READER = error_response("`permission_denied`: neither a member of the licence's holder nor a regulator.")
NO_EL = error_response("`not_found`: no such exploration licence.")


def _document_url(report: Report) -> str | None:
    if not report.document:
        return None
    return reverse("el:report_document", kwargs={"pk": report.licence_id, "report_id": report.pk})


# --- Serializers --------------------------------------------------------------------------------------------------


class ELObligationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = StrictChoiceField(choices=Obligation.Kind.choices)
    title = StrictCharField()
    due_on = DateField()
    basis = StrictCharField(help_text="How the due date follows from the rules (RULES.md s.4).")
    status = StrictChoiceField(
        choices=Obligation.Status.choices,
        help_text="`pending`: owed (overdue when past `due_on`; it may still be met late); `met`; `missed`: not "
        "met by the end of the licence; `waived`: no longer due (e.g. moved by an extension).",
    )
    met_on = DateField(allow_null=True)
    late_days = serializers.IntegerField(source="details.late_days", default=0, help_text="Days late when met.")

    class Meta:
        ref_name = "ELObligation"


class ELReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = StrictChoiceField(choices=Report.Kind.choices)
    summary = StrictCharField()
    stage_reached = StrictCharField(help_text="A geological report: G3, G2 or G1; empty otherwise.")
    retained_area_hectares = ExactDecimalField(
        max_digits=14, decimal_places=4, allow_null=True, help_text="A relinquishment: the area kept."
    )
    retained_boundary = serializers.JSONField(allow_null=True, help_text="A relinquishment: GeoJSON of the area kept.")
    obligation_due_on = DateField(source="obligation.due_on", default=None, allow_null=True)
    submitted_by = StrictCharField(source="submitted_by.username")
    submitted_at = serializers.DateTimeField()
    document_url = serializers.SerializerMethodField(help_text="The PDF, for the holder's members and regulators.")

    class Meta:
        ref_name = "ELReport"

    def get_document_url(self, report) -> str | None:
        return _document_url(report)


class ExtensionRequestSerializer(serializers.Serializer):
    requested_to = DateField()
    reason = StrictCharField()
    by = StrictCharField(help_text="The user who asked.")
    on = DateField()

    class Meta:
        ref_name = "ELExtensionRequest"


class ExplorationLicenceSerializer(serializers.Serializer):
    """An exploration licence as its holder and the regulators follow it."""

    id = serializers.IntegerField(source="licence.id")
    number = StrictCharField(source="licence.number")
    status = StrictChoiceField(source="licence.status", choices=Licence.Status.choices)
    holder = StrictCharField(source="licence.holder.legal_name")
    block = StrictCharField(source="licence.block.code")
    share_pct = ExactDecimalField(
        source="licence.winning_offer_pct",
        max_digits=7,
        decimal_places=2,
        help_text="The winning offer: the % of the future auction premium of a lease on the block due to the holder.",
    )
    granted_on = DateField(allow_null=True)
    expires_on = DateField(allow_null=True, help_text="5 years after the grant.")
    extended_to = DateField(allow_null=True, help_text="The expiry after the one extension, if any.")
    ends_on = DateField(allow_null=True, help_text="The last day in force.")
    extension_latest = DateField(
        allow_null=True, help_text="The latest expiry an extension may give: 2 years after the original expiry."
    )
    extension_request = ExtensionRequestSerializer(allow_null=True)
    original_area_hectares = ExactDecimalField(source="licence.original_area_hectares", max_digits=14, decimal_places=4)
    area_hectares = ExactDecimalField(
        source="licence.area_hectares", max_digits=14, decimal_places=4, help_text="Held now."
    )
    boundary = serializers.JSONField(source="licence.boundary", help_text="GeoJSON of the area held now.")
    retained_max_hectares = ExactDecimalField(
        max_digits=14, decimal_places=4, help_text="At most 25% of the original area may be kept."
    )
    relinquishment_opens = DateField(allow_null=True, help_text="3 years after the grant.")
    relinquishment = ELReportSerializer(allow_null=True)
    discovery = ELReportSerializer(allow_null=True)
    obligations = ELObligationSerializer(many=True)
    reports = ELReportSerializer(many=True)

    class Meta:
        ref_name = "ExplorationLicence"


def _overview(licence_id) -> dict:
    licence = sel.el_licence_get(licence_id=licence_id)
    return ExplorationLicenceSerializer(sel.el_overview(licence, today=svc.today())).data


class AreaProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    firm = StrictCharField(source="firm.legal_name")
    title = StrictCharField()
    state = StrictCharField()
    district = StrictCharField()
    minerals = serializers.SerializerMethodField()
    boundary = serializers.JSONField(help_text="GeoJSON Polygon or MultiPolygon, WGS 84.")
    area_hectares = ExactDecimalField(max_digits=14, decimal_places=4)
    rationale = StrictCharField()
    status = StrictChoiceField(choices=AreaProposal.Status.choices)
    decision_note = StrictCharField(help_text="The reason of a rejection, or the block it became.")
    block = StrictCharField(source="block.code", default=None, allow_null=True)
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "AreaProposal"

    def get_minerals(self, proposal) -> list[str]:
        return sorted(m.slug for m in proposal.minerals.all())


# --- Permissions --------------------------------------------------------------------------------------------------


class MayActForHolder(BasePermission):
    """An administrator or authorised bidder of the licence's holder (checked again by the services)."""

    message = "Only the administrators and authorised bidders of the licence's holder may do this."

    def has_permission(self, request, view):
        holder_id = Licence.objects.filter(pk=view.kwargs.get("pk")).values_list("holder_id", flat=True).first()
        if holder_id is None:
            return True  # the service answers 404
        role = Membership.objects.filter(user=request.user, firm_id=holder_id).values_list("role", flat=True).first()
        if may_act(role):
            return True
        if role is not None:
            self.message = f"As a {role} of the holder you may follow the licence but not act for it."
        return False


class MayProposeOrReview(BasePermission):
    """Reading: a firm's members (their own) and regulators (all). Proposing: a firm's administrators and
    authorised bidders."""

    def has_permission(self, request, view):
        firm = firm_of(request.user)
        if request.method == "GET":
            if firm is None and not is_regulator(request.user):
                self.message = "Only members of a registered firm and regulators may see area proposals."
                return False
            return True
        if firm is None:
            self.message = "Only members of a registered firm may propose an area. Register your firm first."
            return False
        role = Membership.objects.filter(user=request.user, firm=firm).values_list("role", flat=True).first()
        if not may_act(role):
            self.message = f"As a {role} of {firm.legal_name} you may follow its proposals but not make them."
            return False
        return True


class SignedIn(generics.GenericAPIView):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated]
    queryset = Licence.objects.none()  # documents the path parameter
    serializer_class = ExplorationLicenceSerializer


# An act on an EL (core.api.ActApi): the answer is the EL's state.
class ELActApi(ActApi):
    authentication_classes = AUTH
    queryset = Licence.objects.none()  # documents the path parameter
    serializer_class = ExplorationLicenceSerializer
    act_on = "licence_id"
    doc_tags = [TAG_EL]
    missing = NO_EL

    def answer(self, pk, result):
        return _overview(pk)


class RegulatorEL(ELActApi):
    permission_classes = [IsAuthenticated, IsRegulator]
    forbidden = NOT_REGULATOR


class HolderEL(ELActApi):
    permission_classes = [IsAuthenticated, MayActForHolder]
    parser_classes = PARSERS
    forbidden = NOT_HOLDER


# The holder files something new (a report): 201, and a retry with the same Idempotency-Key files nothing twice.
class HolderFilingEL(HolderEL):
    answer_status = status.HTTP_201_CREATED
    request_media = UPLOAD


# --- The EL -------------------------------------------------------------------------------------------------------


class ExplorationApi(SignedIn):
    @extend_schema(
        operation_id="el_retrieve",
        tags=[TAG_EL],
        summary="An exploration licence: term, reports, relinquishment, discovery",
        description="For the holder's members and the regulators.",
        responses={200: ExplorationLicenceSerializer, 401: UNAUTHENTICATED, 403: NOT_READER, 404: NO_EL},
    )
    def get(self, request, pk):
        sel.el_licence_for(user=request.user, licence_id=pk)
        return Response(_overview(pk))


class GrantApi(RegulatorEL):
    act = staticmethod(svc.el_grant)
    doc = ActDoc(
        operation_id="el_grant",
        summary="Grant the exploration licence to its preferred bidder",
        description="Today: the 5-year term starts; the yearly reports, the relinquishment at 3 years and the expiry "
        "become obligations with deadlines. The holder's eligibility (Indian, net worth at least Rs 25 crore), the "
        "area (at most 1,000 km²) and the minerals (Seventh Schedule only) are checked again.",
        bad="`not_eligible`: the holder is not eligible; `not_grantable`: the area or a mineral.",
        conflict="`conflict`: not a preferred bidder's EL (already granted, or not an EL).",
    )


class ExtendApi(RegulatorEL):
    class InputSerializer(serializers.Serializer):
        extended_to = DateField(help_text="The new expiry: at most 2 years after the original one.")
        note = StrictCharField(required=False, allow_blank=True, max_length=2000)

        class Meta:
            ref_name = "ELExtendInput"

    act = staticmethod(svc.el_extend)
    doc = ActDoc(
        operation_id="el_extend",
        summary="Extend the term, once, by up to 2 years",
        description="On the holder's request or directly. The expiry obligation moves to the new date and the "
        "reports of the extra years are added.",
        bad="`invalid`: the date is not later than the expiry, or beyond 2 years after it.",
        conflict="`conflict`: already extended once, not granted, or ended.",
    )


class ExtensionRequestApi(HolderEL):
    class InputSerializer(serializers.Serializer):
        requested_to = DateField(help_text="The expiry asked for: at most 2 years after the original.")
        reason = StrictCharField(max_length=2000)

        class Meta:
            ref_name = "ELExtensionRequestInput"

    act = staticmethod(svc.el_extension_request)
    doc = ActDoc(
        operation_id="el_extension_request",
        summary="Ask the regulator to extend the term",
        bad="`invalid`: the date cannot be granted (see `fields.requested_to`).",
        conflict="`conflict`: not granted, or ended.",
    )


DOCUMENT_HELP = "Optional: a PDF of at most 10 MB (send the request as multipart/form-data)."


class ReportsApi(HolderFilingEL):
    class InputSerializer(serializers.Serializer):
        summary = StrictCharField(help_text="What was done in the year, against the work programme.")
        document = serializers.FileField(required=False, help_text=DOCUMENT_HELP)

        class Meta:
            ref_name = "ELWorkReportInput"

    act = staticmethod(svc.el_report_file)
    idempotency_scope = "licences.el_report"
    doc = ActDoc(
        operation_id="el_work_report_file",
        summary="File the annual work-programme report",
        description="Meets the earliest report still owed; a year's report can be filed from the previous report's "
        "due date (the grant for the first).",
        bad="`invalid`: no summary, or the document is not a PDF of at most 10 MB; `too_early`.",
        conflict="`conflict`: no report is owed, not granted, or ended.",
    )


class RelinquishmentApi(HolderFilingEL):
    class InputSerializer(serializers.Serializer):
        retained_boundary = serializers.JSONField(
            help_text="The area kept: a GeoJSON Polygon or MultiPolygon (or a Feature holding one), WGS 84, inside "
            "the original boundary, at most 25% of its area. In multipart, the GeoJSON as text."
        )
        summary = StrictCharField(help_text="The report of reasons for the area kept.")
        document = serializers.FileField(required=False, help_text=DOCUMENT_HELP)

        class Meta:
            ref_name = "ELRelinquishmentInput"

    act = staticmethod(svc.el_relinquish)
    idempotency_scope = "licences.el_relinquish"
    request_media = ("application/json", "multipart/form-data")  # JSON first: the GeoJSON
    doc = ActDoc(
        operation_id="el_relinquish",
        summary="Relinquish to the area kept (from 3 years after the grant)",
        description="The licence's boundary and area become the retained ones; the original ones are kept.",
        bad="`retention_refused`: outside the original or more than 25% (`fields.retained_boundary`); "
        "`too_early`: before 3 years (with the date); `invalid`: unreadable GeoJSON, no report of reasons.",
        conflict="`conflict`: already relinquished, not granted, or ended.",
    )


class DiscoveryApi(HolderFilingEL):
    class InputSerializer(serializers.Serializer):
        stage_reached = StrictChoiceField(
            choices=ExplorationStage.choices,
            help_text="The UNFC stage the exploration established: G3 (a CL auction follows) or G2/G1 (an ML); "
            "beyond the block's stage.",
        )
        summary = StrictCharField(help_text="The geological report's findings: resources, grade.")
        document = serializers.FileField(required=False, help_text=DOCUMENT_HELP)

        class Meta:
            ref_name = "ELDiscoveryInput"

    act = staticmethod(svc.el_discovery_report)
    idempotency_scope = "licences.el_discovery"
    doc = ActDoc(
        operation_id="el_discovery_report",
        summary="Submit the geological report of a discovery",
        description="The licence becomes `discovery_reported`; its block goes back to the registry at the new stage "
        "for an ML or CL auction, which the State must hold within 12 months (an obligation with its deadline). "
        "The holder then earns its share of every premium payment of that lease.",
        bad="`invalid`: the stage is not beyond the block's, no summary, or not a PDF.",
        conflict="`conflict`: not granted, already reported, or ended.",
    )


# --- Area proposals -----------------------------------------------------------------------------------------------


class Pagination(KeysetCursorPagination):
    page_size = 50


class AreaProposalsApi(generics.GenericAPIView):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated, MayProposeOrReview]
    serializer_class = AreaProposalSerializer
    pagination_class = Pagination

    class InputSerializer(serializers.Serializer):
        title = StrictCharField(max_length=200, help_text="A name for the area, e.g. a village or hill.")
        state = StrictChoiceField(choices=STATE_CHOICES)
        district = StrictCharField(max_length=100, required=False, allow_blank=True)
        minerals = serializers.ListField(
            child=StrictSlugField(), help_text="Mineral slugs (/api/v1/public/minerals): Seventh Schedule only."
        )
        boundary = serializers.JSONField(
            help_text="GeoJSON Polygon or MultiPolygon (WGS 84), at most 1,000 km², sharing no ground with a "
            "registered block or a licence in force."
        )
        rationale = StrictCharField(required=False, allow_blank=True, help_text="Why explore here.")

        class Meta:
            ref_name = "AreaProposalInput"

    def get_queryset(self):
        rows = proposal_sel.proposals_for(user=self.request.user, firm=firm_of(self.request.user))
        wanted = query_choice(self.request, "status", AreaProposal.Status.values)
        return rows if wanted is None else rows.filter(status=wanted)

    @extend_schema(
        operation_id="area_proposals_list",
        tags=[TAG_PROPOSALS],
        summary="Area proposals: your firm's, or every one for a regulator",
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=AreaProposal.Status.values,
                allow_blank=True,
                description="Only proposals in this status (empty: all).",
            )
        ],
        responses={
            200: AreaProposalSerializer(many=True),
            400: error_response("`invalid`: an unknown `status`; the message names the allowed ones."),
            401: UNAUTHENTICATED,
            403: error_response("`permission_denied`: neither a firm's member nor a regulator."),
        },
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AreaProposalSerializer(page, many=True).data)

    @extend_schema(
        operation_id="area_proposals_create",
        tags=[TAG_PROPOSALS],
        summary="Propose an area for an exploration licence auction",
        description="Checked for a valid boundary in India, the area limit, Seventh Schedule minerals and overlaps; "
        "then it waits in the regulators' queue.",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        responses={
            201: AreaProposalSerializer,
            400: error_response("`invalid`: `fields` names each problem (boundary, area, minerals, overlap)."),
            401: UNAUTHENTICATED,
            403: error_response("`permission_denied`: not an administrator or authorised bidder of a firm."),
            409: error_response(IDEMPOTENCY_CONFLICT),
        },
    )
    @idempotent(scope="licences.area_proposal")
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = svc.area_proposal_create(actor=request.user, **data.validated_data)
        return Response(
            AreaProposalSerializer(proposal_sel.proposal_get(proposal_id=proposal.pk)).data,
            status=status.HTTP_201_CREATED,
        )


# A regulator's decision on a proposal (core.api.ActApi): the answer is the proposal.
class ProposalDecisionApi(ActApi):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated, IsRegulator]
    queryset = AreaProposal.objects.none()  # documents the path parameter
    serializer_class = AreaProposalSerializer
    act_on = "proposal_id"
    doc_tags = [TAG_PROPOSALS]
    forbidden = NOT_REGULATOR
    missing = error_response("`not_found`: no such proposal.")

    def answer(self, pk, result):
        return AreaProposalSerializer(proposal_sel.proposal_get(proposal_id=pk)).data


ALREADY_DECIDED = "`conflict`: the proposal was already decided."


class ProposalAcceptApi(ProposalDecisionApi):
    class InputSerializer(serializers.Serializer):
        exploration_stage = StrictChoiceField(
            choices=ExplorationStage.choices, help_text="G4 or G3: the stages at which an EL is auctioned."
        )
        code = StrictCharField(max_length=40, required=False, allow_blank=True, help_text="The block code.")
        name = StrictCharField(max_length=200, required=False, allow_blank=True, help_text="The block name.")

        class Meta:
            ref_name = "AreaProposalAcceptInput"

    act = staticmethod(svc.area_proposal_accept)
    doc = ActDoc(
        operation_id="area_proposals_accept",
        summary="Accept a proposal: register the area as a block",
        description="The block is identified, at the stage given, EL-eligible by its minerals; its boundary is "
        "checked for overlap again. The firm is told.",
        bad="`invalid`: stage not G4/G3, code taken; `boundary_overlap`: a block was registered since.",
        conflict=ALREADY_DECIDED,
    )


class ProposalRejectApi(ProposalDecisionApi):
    InputSerializer = reason_input("AreaProposalRejectInput", max_length=300, help_text="The firm reads it.")

    act = staticmethod(svc.area_proposal_reject)
    doc = ActDoc(
        operation_id="area_proposals_reject",
        summary="Reject a proposal with a reason",
        bad="`invalid`: no reason.",
        conflict=ALREADY_DECIDED,
    )
