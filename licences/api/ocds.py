"""The public OCDS 1.1 feed (RULES.md section 6): release packages of the auctions and their licences.

Anonymous, read-only, cacheable. The auctions are read with `auctions.selectors.public` and rendered with
its `public_auction`, the one place that decides what is public at the moment of the request; `licences.ocds`
turns that answer into releases. The serializers below document the answer (drf-spectacular); the answer itself
is the builder's JSON.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.response import Response

from auctions.selectors.public import public_auction, public_auction_get, public_auctions, public_tranche_get
from core.api import ErrorSerializer
from core.fields import StrictCharField, StrictURLField
from core.pagination import KeysetCursorPagination
from core.public_api import PublicAPIView
from licences.ocds import auction_releases, release_package


def _auctions(now):
    return public_auctions(now=now).select_related("licence")


def _licence(auction):
    try:
        return auction.licence
    except auction.__class__.licence.RelatedObjectDoesNotExist:
        return None


# --- Documentation of the answer (OCDS 1.1 field names) ---------------------------------------------------------


def _ref(ref_name, /, **fields):
    return type(ref_name, (serializers.Serializer,), {**fields, "Meta": type("Meta", (), {"ref_name": ref_name})})


OcdsPeriod = _ref(
    "OcdsPeriod",
    startDate=serializers.DateTimeField(allow_null=True),
    endDate=serializers.DateTimeField(allow_null=True),
)
OcdsOrganizationReference = _ref("OcdsOrganizationReference", id=StrictCharField(), name=StrictCharField())
OcdsIdentifier = _ref(
    "OcdsIdentifier",
    scheme=StrictCharField(help_text="`IN-MCA`: the Corporate Identification Number (org-id.guide)."),
    id=StrictCharField(),
    legalName=StrictCharField(),
)
OcdsParty = _ref(
    "OcdsParty",
    id=StrictCharField(),
    name=StrictCharField(),
    identifier=OcdsIdentifier(required=False, help_text="For a firm: its CIN."),
    roles=serializers.ListField(
        child=StrictCharField(),
        help_text="`buyer` and `procuringEntity`: the Ministry of Mines (leases of the Centre) or the State "
        "government; `tenderer`: a technically qualified bidder, named only after the e-auction's close; "
        "`supplier`: the preferred bidder.",
    ),
)
OcdsClassification = _ref(
    "OcdsClassification",
    scheme=StrictCharField(help_text="`KHANIJ-MINERAL`: the slugs of /api/v1/public/minerals."),
    id=StrictCharField(),
    description=StrictCharField(),
)
OcdsItem = _ref("OcdsItem", id=StrictCharField(), description=StrictCharField(), classification=OcdsClassification())
OcdsTender = _ref(
    "OcdsTender",
    id=StrictCharField(help_text="Block code / attempt."),
    title=StrictCharField(),
    description=StrictCharField(),
    status=StrictCharField(help_text="`active`, `complete` (preferred bidder declared) or `cancelled`."),
    statusDetails=StrictCharField(required=False, help_text="The annulment's reason."),
    items=OcdsItem(many=True, help_text="One per mineral of the block."),
    procurementMethod=StrictCharField(),
    procurementMethodDetails=StrictCharField(),
    awardCriteria=StrictCharField(),
    awardCriteriaDetails=StrictCharField(help_text="Ascending (ML, CL) or descending (EL) e-auction."),
    submissionMethod=serializers.ListField(child=StrictCharField(), help_text='["electronicAuction"].'),
    tenderPeriod=OcdsPeriod(help_text="From the tender-document sale to the bid due date."),
    numberOfTenderers=serializers.IntegerField(
        required=False, help_text="Bids received; published from the bid due date (never who, never how much)."
    ),
    tenderers=OcdsOrganizationReference(
        many=True, required=False, help_text="The technically qualified bidders, after the e-auction's close."
    ),
)
OcdsAward = _ref(
    "OcdsAward",
    id=StrictCharField(),
    title=StrictCharField(help_text="The winning offer, a percentage (the award has no `value`)."),
    description=StrictCharField(),
    status=StrictCharField(),
    date=serializers.DateTimeField(),
    suppliers=OcdsOrganizationReference(many=True, help_text="The preferred bidder."),
)
OcdsContract = _ref(
    "OcdsContract",
    id=StrictCharField(help_text="The licence number."),
    awardID=StrictCharField(),
    title=StrictCharField(),
    description=StrictCharField(),
    status=StrictCharField(help_text="`active` (in force), `terminated` (expired, surrendered, terminated)."),
    dateSigned=serializers.DateTimeField(help_text="Execution (ML, CL) or grant (EL)."),
    period=OcdsPeriod(help_text="From the start to the expiry (as extended)."),
)
OcdsRelease = _ref(
    "OcdsRelease",
    ocid=StrictCharField(
        help_text="One per auction: the prefix OCDS_OCID_PREFIX (registered with the Open Contracting Partnership; "
        "the default ocds-xxxxxx is a placeholder), a hyphen and the auction id."
    ),
    id=StrictCharField(),
    date=serializers.DateTimeField(),
    tag=serializers.ListField(
        child=StrictCharField(),
        help_text="`tender` (the notice), `tenderUpdate` (the bid due date), `award` (preferred bidder declared), "
        "`tenderCancellation` (annulled), `contract` (executed or granted).",
    ),
    initiationType=StrictCharField(),
    language=StrictCharField(),
    parties=OcdsParty(many=True),
    buyer=OcdsOrganizationReference(),
    tender=OcdsTender(),
    awards=OcdsAward(many=True, required=False),
    contracts=OcdsContract(many=True, required=False),
)
OcdsPublisher = _ref("OcdsPublisher", name=StrictCharField())
OcdsLinks = _ref(
    "OcdsLinks",
    next=StrictURLField(allow_null=True, help_text="The next page; null on the last."),
    prev=StrictURLField(allow_null=True, help_text="The previous page; null on the first."),
)
OcdsReleasePackage = _ref(
    "OcdsReleasePackage",
    uri=StrictURLField(),
    version=StrictCharField(help_text='"1.1".'),
    publishedDate=serializers.DateTimeField(),
    publisher=OcdsPublisher(),
    releases=OcdsRelease(many=True),
)
OcdsReleasePackagePage = _ref(
    "OcdsReleasePackagePage",
    uri=StrictURLField(),
    version=StrictCharField(help_text='"1.1".'),
    publishedDate=serializers.DateTimeField(),
    publisher=OcdsPublisher(),
    links=OcdsLinks(),
    releases=OcdsRelease(many=True),
)

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="`not_found`: no such auction of a notified tranche.")


# --- Views ------------------------------------------------------------------------------------------------------


class OcdsPagination(KeysetCursorPagination):
    page_size = 50

    def get_paginated_response(self, data):
        return Response({**data, "links": {"next": self.get_next_link(), "prev": self.get_previous_link()}})

    def get_paginated_response_schema(self, schema):
        # The page is one release package (its `links` lead on), not a list of packages.
        return schema["items"]


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="OCDS releases",
        operation_id="public_ocds_releases",
        description=(
            "A release package (Open Contracting Data Standard 1.1) of the latest release of every auction of a "
            "notified tranche, bid due date first: `tender` from the notice, `tenderUpdate` from the bid due date "
            "(number of tenderers), `award` once the preferred bidder is declared, `tenderCancellation` when annulled, "
            "`contract` once the licence is executed or granted. Only what the portal publishes at the moment of the "
            "request (RULES.md s.6). Follow `links.next` for more."
        ),
        responses={200: OcdsReleasePackagePage},  # the paginator's 400: core.schema
    )
)
class OcdsReleaseListView(PublicAPIView, generics.ListAPIView):
    pagination_class = OcdsPagination
    filter_backends = []
    serializer_class = OcdsReleasePackagePage

    def list(self, request, *args, **kwargs):
        now = timezone.now()
        page = self.paginate_queryset(_auctions(now))
        releases = [auction_releases(a, public_auction(a, now=now), _licence(a))[-1] for a in page]
        return self.get_paginated_response(release_package(releases, uri=request.build_absolute_uri(), published=now))


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="OCDS releases of one auction",
        operation_id="public_auction_ocds",
        description=(
            "A release package (OCDS 1.1) of every release of the auction, in date order: tender, tender update, then "
            "award or cancellation, then contract, as far as they are public at the moment of the request."
        ),
        responses={200: OcdsReleasePackage, 404: NOT_FOUND},
    )
)
class AuctionOcdsView(PublicAPIView, generics.RetrieveAPIView):
    serializer_class = OcdsReleasePackage

    def retrieve(self, request, *args, **kwargs):
        now = timezone.now()
        auction = public_auction_get(auction_id=kwargs["pk"], now=now)
        releases = auction_releases(auction, public_auction(auction, now=now), _licence(auction))
        return Response(release_package(releases, uri=request.build_absolute_uri(), published=now))


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="OCDS releases of one tranche",
        operation_id="public_tranche_ocds",
        description=(
            "A release package (OCDS 1.1) of every release of every auction of the tranche, as far as they are public "
            "at the moment of the request. The hourly dump of the same is at /data/ocds/tranche-{id}.json."
        ),
        responses={200: OcdsReleasePackage, 404: NOT_FOUND},
    )
)
class TrancheOcdsView(PublicAPIView, generics.RetrieveAPIView):
    serializer_class = OcdsReleasePackage

    def retrieve(self, request, *args, **kwargs):
        now = timezone.now()
        tranche = public_tranche_get(tranche_id=kwargs["pk"])
        releases = [
            release
            for auction in _auctions(now).filter(tranche=tranche)
            for release in auction_releases(auction, public_auction(auction, now=now), _licence(auction))
        ]
        response = Response(release_package(releases, uri=request.build_absolute_uri(), published=now))
        response["Content-Disposition"] = f'attachment; filename="khanij-ocds-tranche-{tranche.pk}.json"'
        return response
