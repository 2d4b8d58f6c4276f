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
OcdsOrganizationReference = _ref("OcdsOrganizationReference", id=serializers.CharField(), name=serializers.CharField())
OcdsIdentifier = _ref(
    "OcdsIdentifier",
    scheme=serializers.CharField(help_text="`IN-MCA`: the Corporate Identification Number (org-id.guide)."),
    id=serializers.CharField(),
    legalName=serializers.CharField(),
)
OcdsParty = _ref(
    "OcdsParty",
    id=serializers.CharField(),
    name=serializers.CharField(),
    identifier=OcdsIdentifier(required=False, help_text="For a firm: its CIN."),
    roles=serializers.ListField(
        child=serializers.CharField(),
        help_text="`buyer` and `procuringEntity`: the Ministry of Mines (leases of the Centre) or the State "
        "government; `tenderer`: a technically qualified bidder, named only after the e-auction's close; "
        "`supplier`: the preferred bidder.",
    ),
)
OcdsClassification = _ref(
    "OcdsClassification",
    scheme=serializers.CharField(help_text="`KHANIJ-MINERAL`: the slugs of /api/v1/public/minerals."),
    id=serializers.CharField(),
    description=serializers.CharField(),
)
OcdsItem = _ref(
    "OcdsItem", id=serializers.CharField(), description=serializers.CharField(), classification=OcdsClassification()
)
OcdsTender = _ref(
    "OcdsTender",
    id=serializers.CharField(help_text="Block code / attempt."),
    title=serializers.CharField(),
    description=serializers.CharField(),
    status=serializers.CharField(help_text="`active`, `complete` (preferred bidder declared) or `cancelled`."),
    statusDetails=serializers.CharField(required=False, help_text="The annulment's reason."),
    items=OcdsItem(many=True, help_text="One per mineral of the block."),
    procurementMethod=serializers.CharField(),
    procurementMethodDetails=serializers.CharField(),
    awardCriteria=serializers.CharField(),
    awardCriteriaDetails=serializers.CharField(help_text="Ascending (ML, CL) or descending (EL) e-auction."),
    submissionMethod=serializers.ListField(child=serializers.CharField(), help_text='["electronicAuction"].'),
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
    id=serializers.CharField(),
    title=serializers.CharField(help_text="The winning offer, a percentage (the award has no `value`)."),
    description=serializers.CharField(),
    status=serializers.CharField(),
    date=serializers.DateTimeField(),
    suppliers=OcdsOrganizationReference(many=True, help_text="The preferred bidder."),
)
OcdsContract = _ref(
    "OcdsContract",
    id=serializers.CharField(help_text="The licence number."),
    awardID=serializers.CharField(),
    title=serializers.CharField(),
    description=serializers.CharField(),
    status=serializers.CharField(help_text="`active` (in force), `terminated` (expired, surrendered, terminated)."),
    dateSigned=serializers.DateTimeField(help_text="Execution (ML, CL) or grant (EL)."),
    period=OcdsPeriod(help_text="From the start to the expiry (as extended)."),
)
OcdsRelease = _ref(
    "OcdsRelease",
    ocid=serializers.CharField(
        help_text="One per auction: the prefix OCDS_OCID_PREFIX (registered with the Open Contracting Partnership; "
        "the default ocds-xxxxxx is a placeholder), a hyphen and the auction id."
    ),
    id=serializers.CharField(),
    date=serializers.DateTimeField(),
    tag=serializers.ListField(
        child=serializers.CharField(),
        help_text="`tender` (the notice), `tenderUpdate` (the bid due date), `award` (preferred bidder declared), "
        "`tenderCancellation` (annulled), `contract` (executed or granted).",
    ),
    initiationType=serializers.CharField(),
    language=serializers.CharField(),
    parties=OcdsParty(many=True),
    buyer=OcdsOrganizationReference(),
    tender=OcdsTender(),
    awards=OcdsAward(many=True, required=False),
    contracts=OcdsContract(many=True, required=False),
)
OcdsPublisher = _ref("OcdsPublisher", name=serializers.CharField())
OcdsLinks = _ref(
    "OcdsLinks",
    next=serializers.URLField(allow_null=True, help_text="The next page; null on the last."),
    prev=serializers.URLField(allow_null=True, help_text="The previous page; null on the first."),
)
OcdsReleasePackage = _ref(
    "OcdsReleasePackage",
    uri=serializers.URLField(),
    version=serializers.CharField(help_text='"1.1".'),
    publishedDate=serializers.DateTimeField(),
    publisher=OcdsPublisher(),
    releases=OcdsRelease(many=True),
)
OcdsReleasePackagePage = _ref(
    "OcdsReleasePackagePage",
    uri=serializers.URLField(),
    version=serializers.CharField(help_text='"1.1".'),
    publishedDate=serializers.DateTimeField(),
    publisher=OcdsPublisher(),
    links=OcdsLinks(),
    releases=OcdsRelease(many=True),
)

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="`not_found`: no such auction of a notified tranche.")
BAD_CURSOR = OpenApiResponse(ErrorSerializer, description="A damaged cursor or a page size that is not a number.")


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
        responses={200: OcdsReleasePackagePage, 400: BAD_CURSOR},
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
