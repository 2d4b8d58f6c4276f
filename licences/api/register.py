"""The public licence register in the API (EITI Standard Requirement 2.3), and a firm's own deadlines.

`/api/v1/public/licences...`: anonymous, read-only, cacheable, like the rest of /api/v1/public/. Every licence
is public (RULES.md s.6: the preferred bidder and winning offer from the close of the e-auction; the licence,
its obligations and history from then on). Payments are not: an obligation shows its status, never the
payments, references or amounts paid behind it.

EITI 2.3(b) asks, for each licence: the holder(s); the coordinates of the area; the dates of application and
award and the duration; the commodity. Here: `holder` (legal name, CIN), `boundary` (GeoJSON, WGS 84) and
`area_hectares`, `applied_on`, `awarded_on`, `starts_on`, `expires_on` (`extended_to`) with `duration`,
`minerals`; and the status, the winning offer and the parent auction's OCDS `ocid`.
"""

import json

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bidders.api.views import AUTH, ERRORS_READ
from bidders.permissions import IsFirmMember
from blocks.constants import LeaseKind
from core.api import ErrorSerializer
from core.fields import DateField, ExactDecimalField, StrictCharField, StrictChoiceField
from core.pagination import KeysetCursorPagination
from core.public_api import (
    BAD_FILTER,
    CSV_CHUNK,
    CSVDownloadView,
    PublicAPIView,
    capped,
    csv_date,
    csv_response,
    csv_text,
)
from licences.filters import LicenceFilter
from licences.models import Licence, Obligation
from licences.selectors import register as sel
from notifications.models import DueDate


def _absolute(context, path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


def licence_path(licence_id: int) -> str:
    return reverse("licence_detail", args=[licence_id])


# --- Serializers -------------------------------------------------------------------------------------------


class HolderSerializer(serializers.Serializer):
    legal_name = StrictCharField()
    cin = StrictCharField(help_text="Corporate Identity Number (Ministry of Corporate Affairs).")

    class Meta:
        ref_name = "LicenceHolder"


class MineralRefSerializer(serializers.Serializer):
    slug = StrictCharField()
    name = StrictCharField()

    class Meta:
        ref_name = "LicenceMineral"


class AuctionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ocid = StrictCharField(help_text="Open Contracting identifier of the auction.")
    portal_url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "LicenceAuction"

    def get_portal_url(self, auction) -> str:
        return _absolute(self.context, reverse("public_auctions:auction_detail", args=[auction.pk]))


class LicenceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = StrictCharField()
    kind = StrictChoiceField(choices=LeaseKind.choices)
    holder = StrictCharField(source="holder.legal_name")
    portal_url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "LicenceRef"

    def get_portal_url(self, licence) -> str:
        return _absolute(self.context, licence_path(licence.pk))


class PublicLicenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = StrictCharField(help_text="The licence number, e.g. ML/2027/0001.")
    kind = StrictChoiceField(choices=LeaseKind.choices)
    kind_label = StrictCharField(source="get_kind_display")
    status = StrictChoiceField(choices=Licence.Status.choices)
    status_label = StrictCharField(source="get_status_display")
    holder = HolderSerializer(help_text="The licence holder (EITI 2.3 b.i).")
    minerals = MineralRefSerializer(many=True, help_text="The commodities licensed (EITI 2.3 b.iv).")
    block_code = StrictCharField(source="block.code", help_text="The block of the registry.")
    state = StrictCharField()
    district = StrictCharField()
    boundary = serializers.JSONField(
        help_text="The area held now: a GeoJSON Polygon or MultiPolygon, WGS 84 longitude/latitude (EITI 2.3 b.ii)."
    )
    area_hectares = ExactDecimalField(max_digits=14, decimal_places=4, help_text="The area held now.")
    original_area_hectares = ExactDecimalField(
        max_digits=14, decimal_places=4, help_text="The area granted, before any relinquishment."
    )
    applied_on = DateField(
        allow_null=True, help_text="Date of application: the bid due date of the auction (EITI 2.3 b.iii)."
    )
    declared_on = DateField(allow_null=True, help_text="The preferred bidder was declared.")
    awarded_on = DateField(
        allow_null=True, help_text="Date of award: the Letter of Intent (ML/CL) or the grant (EL) (EITI 2.3 b.iii)."
    )
    starts_on = DateField(allow_null=True, help_text="The term starts: execution (ML/CL) or grant (EL).")
    expires_on = DateField(allow_null=True)
    extended_to = DateField(allow_null=True, help_text="The expiry as extended (EL), when extended.")
    ended_on = DateField(allow_null=True, help_text="Revoked, surrendered, terminated or expired on.")
    duration = serializers.SerializerMethodField(help_text='The term from start to expiry as extended: "5 years".')
    duration_months = serializers.SerializerMethodField(help_text="The same in whole months.")
    winning_offer_pct = ExactDecimalField(max_digits=7, decimal_places=2, help_text="%.")
    winning_offer_meaning = serializers.SerializerMethodField()
    auction = AuctionRefSerializer(allow_null=True, help_text="The auction the licence was awarded in.")
    parent_el = LicenceRefSerializer(
        allow_null=True, help_text="The exploration licence on whose discovery this lease was auctioned."
    )
    portal_url = serializers.SerializerMethodField()
    geojson_url = serializers.SerializerMethodField(help_text="The boundary as a GeoJSON file.")
    ledger_url = serializers.SerializerMethodField(help_text="The licence's ledger stream, with its verification.")
    updated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "PublicLicence"

    def get_duration(self, licence) -> str:
        return sel.licence_duration(licence)

    def get_duration_months(self, licence) -> int | None:
        return sel.duration_months(licence)

    def get_winning_offer_meaning(self, licence) -> str:
        return sel.winning_offer_meaning(licence.kind)

    def get_portal_url(self, licence) -> str:
        return _absolute(self.context, licence_path(licence.pk))

    def get_geojson_url(self, licence) -> str:
        return _absolute(self.context, reverse("licence_geojson", args=[licence.pk]))

    def get_ledger_url(self, licence) -> str:
        return _absolute(self.context, reverse("public-ledger-stream", kwargs={"stream": licence.stream}))


class LicenceEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = StrictCharField(help_text='"status" for a change of status; otherwise the act recorded.')
    label = serializers.SerializerMethodField()
    from_status = StrictChoiceField(
        choices=Licence.Status.choices, allow_blank=True, help_text="Empty for an act that did not change the status."
    )
    to_status = StrictChoiceField(
        choices=Licence.Status.choices, allow_blank=True, help_text="Empty for an act that did not change the status."
    )
    note = StrictCharField(help_text="The reason or the rule cited.")
    ledger_seq = serializers.IntegerField(allow_null=True, help_text="The entry in the licence's ledger stream.")

    class Meta:
        ref_name = "LicenceEvent"

    def get_label(self, event) -> str:
        return sel.event_label(event.kind)


class ObligationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = StrictChoiceField(choices=Obligation.Kind.choices)
    title = StrictCharField()
    due_on = DateField()
    amount = ExactDecimalField(max_digits=18, decimal_places=2, allow_null=True, help_text="INR, if money.")
    basis = StrictCharField(help_text="How the due date and the amount were computed, citing the rule.")
    status = StrictChoiceField(choices=Obligation.Status.choices)
    overdue = serializers.BooleanField(
        help_text="True when still pending after its due date (India's date today): the holder is late. It may still "
        "be met, late; the holder's pages say the same."
    )
    met_on = DateField(allow_null=True)
    penalty = ExactDecimalField(max_digits=18, decimal_places=2, help_text="INR.")
    penalty_basis = StrictCharField(help_text="How the penalty was computed, citing the rule.")
    period = DateField(allow_null=True, help_text="A monthly premium's month (its first day).")

    class Meta:
        ref_name = "LicenceObligation"


class PremiumShareSerializer(serializers.Serializer):
    lease = LicenceRefSerializer()
    el = LicenceRefSerializer()
    month = DateField(source="payment.obligation.period", allow_null=True, help_text="The lease's premium month.")
    share_pct = ExactDecimalField(max_digits=7, decimal_places=2, help_text="%.")
    amount = ExactDecimalField(max_digits=20, decimal_places=2, help_text="INR.")
    basis = StrictCharField()
    recorded_at = serializers.DateTimeField(source="created_at")

    class Meta:
        ref_name = "LicencePremiumShare"


class PublicLicenceDetailSerializer(PublicLicenceSerializer):
    value_of_estimated_resources = ExactDecimalField(max_digits=20, decimal_places=2, help_text="INR.")
    performance_security = ExactDecimalField(max_digits=18, decimal_places=2, help_text="INR.")
    upfront_payment = ExactDecimalField(max_digits=18, decimal_places=2, help_text="INR.")
    original_boundary = serializers.JSONField(help_text="The area granted (GeoJSON), before any relinquishment.")
    history = LicenceEventSerializer(source="events", many=True, help_text="Every status change and act, oldest first.")
    obligations = ObligationSerializer(many=True, help_text="What the holder must do or pay, by due date.")
    leases = LicenceRefSerializer(many=True, help_text="For an EL: the leases auctioned on its discovery.")
    premium_shares_earned = PremiumShareSerializer(
        many=True, help_text="For an EL: its share of each premium payment confirmed on those leases."
    )
    premium_shares_paid = PremiumShareSerializer(
        many=True, help_text="For a lease on an EL's discovery: the share of each premium payment due to the EL holder."
    )

    class Meta:
        ref_name = "PublicLicenceDetail"


class DeadlineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = StrictCharField(help_text="What is due, e.g. an obligation kind such as upfront_1 or work_report.")
    title = StrictCharField()
    due_on = DateField()
    status = StrictChoiceField(choices=DueDate.Status.choices)
    overdue = serializers.BooleanField()
    days = serializers.IntegerField(help_text="Days from today to the due date; negative when overdue.")
    when = StrictCharField(help_text='"overdue by 3 days", "due today", "in 12 days".')
    due_at = serializers.DateTimeField(
        allow_null=True, help_text="The moment, for a date with a time of day (an auction's bid due date)."
    )
    url = StrictCharField(help_text="The page of the object the deadline is about.")
    subject_type = StrictCharField(
        help_text='What the deadline belongs to (its end closes it), e.g. "licences.licence" or "auctions.auction".'
    )
    subject_id = serializers.IntegerField(allow_null=True)
    key = StrictCharField(help_text='Which deadline of its subject, e.g. "obligation:17" or "bid_due".')

    class Meta:
        ref_name = "FirmDeadline"


# --- CSV ---------------------------------------------------------------------------------------------------

CSV_COLUMNS = [
    "number", "kind", "status", "holder_name", "holder_cin", "minerals", "block_code", "state", "district",
    "area_hectares", "original_area_hectares", "boundary_geojson", "applied_on", "declared_on", "awarded_on",
    "starts_on", "expires_on", "extended_to", "ended_on", "duration", "duration_months", "winning_offer_pct",
    "auction_ocid", "parent_el", "updated_at", "portal_url", "geojson_url",
]  # fmt: skip


def licence_csv_rows(queryset, site: str):
    """The register as CSV rows, one licence a row, streamed from the database."""
    for lic in queryset.iterator(chunk_size=CSV_CHUNK):
        months = sel.duration_months(lic)
        yield [
            csv_text(lic.number),
            lic.kind,
            lic.status,
            csv_text(lic.holder.legal_name),
            csv_text(lic.holder.cin),
            ";".join(m.slug for m in lic.minerals.all()),
            csv_text(lic.block.code),
            lic.state,
            csv_text(lic.district),
            lic.area_hectares,
            lic.original_area_hectares,
            json.dumps(lic.boundary, separators=(",", ":")),
            csv_date(lic.applied_on),
            csv_date(lic.declared_on),
            csv_date(lic.awarded_on),
            csv_date(lic.starts_on),
            csv_date(lic.expires_on),
            csv_date(lic.extended_to),
            csv_date(lic.ended_on),
            sel.licence_duration(lic),
            "" if months is None else months,
            lic.winning_offer_pct,
            lic.auction.ocid if lic.auction_id else "",
            csv_text(lic.parent_el.number) if lic.parent_el_id else "",
            timezone.localtime(lic.updated_at).isoformat(),
            site + licence_path(lic.pk),
            site + reverse("licence_geojson", args=[lic.pk]),
        ]


def licence_csv_response(queryset, request) -> StreamingHttpResponse:
    site = request.build_absolute_uri("/").rstrip("/")
    rows = licence_csv_rows(capped(queryset), site)
    return csv_response(CSV_COLUMNS, rows, filename="khanij-licences.csv")


# --- Views -------------------------------------------------------------------------------------------------


class PublicLicencePagination(KeysetCursorPagination):
    page_size = 50


NOT_FOUND = OpenApiResponse(ErrorSerializer, description="`not_found`: no licence has this id.")


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="The licence register",
        operation_id="public_licences_list",
        description=(
            "Every mining lease (ML), composite licence (CL) and exploration licence (EL), from the declaration of "
            "the preferred bidder on, with the facts EITI Requirement 2.3 asks of a licence register: holder, "
            "coordinates (GeoJSON boundary) and area, dates of application and award, duration, commodity and "
            "status; with the winning offer and the auction's ocid. Filtered and ordered; follow `next` until it "
            "is null to read the whole register. History and obligations are on each licence."
        ),
        responses={200: PublicLicenceSerializer(many=True), 400: BAD_FILTER},
    )
)
class PublicLicenceListView(PublicAPIView, generics.ListAPIView):
    serializer_class = PublicLicenceSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = LicenceFilter
    pagination_class = PublicLicencePagination

    def get_queryset(self):
        return sel.licence_list_queryset(with_boundary=True)


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="One licence",
        operation_id="public_licences_retrieve",
        description=(
            "The licence with its full history (every status change and act, as written to its ledger stream), its "
            "obligations (due date, amount, status, penalty and how each was computed), the original boundary, and "
            "for an EL the leases auctioned on its discovery and its share of their premium. Payments themselves "
            "are not public: an obligation shows whether it is met."
        ),
        responses={200: PublicLicenceDetailSerializer, 404: NOT_FOUND},
    )
)
class PublicLicenceDetailView(PublicAPIView, generics.RetrieveAPIView):
    serializer_class = PublicLicenceDetailSerializer

    def get_object(self):
        return sel.licence_detail(licence_id=self.kwargs["pk"])


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="The licence register as CSV",
        operation_id="public_licences_csv",
        description=(
            "The filtered register as a CSV file (UTF-8, header row first), streamed: the same filters and "
            "ordering as /api/v1/public/licences, every matching licence up to the cap (header X-Row-Cap; a cut "
            "file ends with a line saying so), no pagination. Columns: "
            + ", ".join(CSV_COLUMNS)
            + ". Minerals are mineral slugs separated by semicolons; boundary_geojson is the GeoJSON geometry."
        ),
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: BAD_FILTER},
    )
)
class PublicLicenceCSVView(CSVDownloadView):
    filterset_class = LicenceFilter
    csv_columns = CSV_COLUMNS
    csv_filename = "khanij-licences.csv"

    def get_queryset(self):
        return sel.licence_list_queryset(with_boundary=True)

    def csv_rows(self, queryset, site):
        return licence_csv_rows(queryset, site)


class MyDeadlinesView(APIView):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated, IsFirmMember]

    @extend_schema(
        operation_id="firms_me_deadlines_list",
        tags=["firms"],
        responses={200: DeadlineSerializer(many=True), **ERRORS_READ},
    )
    def get(self, request):
        """Your firm's open deadlines (instalments, security, milestones, reports, relinquishment, expiry,
        premium returns, and the dates of the auctions it takes part in that are still to come): the overdue ones
        first, the longest overdue first, then by due date."""
        today = timezone.localdate()
        rows = sel.firm_deadline_rows(user=request.user, today=today)
        return Response([self._row(r) for r in rows])

    def _row(self, row: sel.DeadlineRow) -> dict:
        d = row.deadline
        subject_type, _sep, subject_id = d.subject.rpartition(":")
        data = {
            "id": d.pk,
            "kind": d.kind,
            "title": d.title,
            "due_on": d.due_on,
            "status": d.status,
            "overdue": row.overdue,
            "days": row.days,
            "when": row.when,
            "due_at": d.due_at,
            "url": self.request.build_absolute_uri(d.url) if d.url else "",
            "subject_type": subject_type,
            "subject_id": int(subject_id) if subject_id.isdigit() else None,
            "key": d.key,
        }
        return DeadlineSerializer(data).data
