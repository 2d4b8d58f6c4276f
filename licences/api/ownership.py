"""GET /api/v1/public/beneficial-ownership: the beneficial owners of firms named publicly as bidders or licence
holders, as Beneficial Ownership Data Standard 0.4 statements (EITI Requirement 2.5; docs/open-data.md).

Anonymous, read-only, cacheable. `statements` is a BODS 0.4 array of statements (each firm, each consenting owner and
their interest); `not_published` says whom it leaves out and why. Published per owner: full name, nationality, nature
and share of the interest. Never a PAN, an identity number or an address (bidders.bods).
"""

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.response import Response

from bidders.bods import BODS_VERSION, Publisher, firm_statements
from bidders.ownership_notice import NOTICE_VERSION, PUBLISHED_FIELDS
from core.fields import StrictCharField, StrictChoiceField, StrictURLField
from core.public_api import PublicAPIView
from licences.selectors.ownership import historic_preferred_bidders, named_firms, ownership_gaps

PUBLISHER_NAME = "Khanij: Ministry of Mines, Government of India"


class BodsStatementSerializer(serializers.Serializer):
    """One BODS 0.4 statement (documented here in outline; the standard defines each field)."""

    statementId = StrictCharField(help_text="A hash of what the statement says (64 hex characters).")
    statementDate = serializers.DateField(help_text="When the fact was declared: the owner's consent, for a person.")
    publicationDetails = serializers.JSONField(help_text="Publication date, BODS version, licence, publisher.")
    source = serializers.JSONField(help_text='{"type": ["selfDeclaration"], ...}: declared by the firm.')
    declarationSubject = StrictCharField(help_text="The firm's record id, khanij-firm-<CIN>.")
    recordId = StrictCharField(help_text="khanij-firm-<CIN>, khanij-person-<n> or khanij-relationship-<n>.")
    recordType = StrictChoiceField(choices=["entity", "person", "relationship"])
    recordStatus = StrictChoiceField(choices=["new", "updated", "closed"])
    recordDetails = serializers.JSONField(
        help_text="entity: name, jurisdiction, the CIN as identifier. person: the full name and nationality only. "
        "relationship: the firm, the person, and the interests (shareholding with its exact share; "
        "otherInfluenceOrControl where the owner exercises control)."
    )

    class Meta:
        ref_name = "BodsStatement"


class NotPublishedSerializer(serializers.Serializer):
    name = StrictCharField(help_text="The firm, as registered or (historic) as published.")
    cin = StrictCharField(allow_null=True, help_text="Null for a firm not registered on Khanij.")
    reason = StrictCharField()

    class Meta:
        ref_name = "BeneficialOwnershipNotPublished"


class BeneficialOwnershipSerializer(serializers.Serializer):
    bods_version = StrictCharField(help_text='"0.4".')
    published_at = serializers.DateTimeField()
    licence = StrictURLField(help_text="The licence of this data.")
    fields_published = serializers.ListField(
        child=StrictCharField(), help_text="What is published of each owner, and nothing else."
    )
    notice_version = StrictCharField(help_text="The notice the owners consent on (docs/open-data.md).")
    statements = BodsStatementSerializer(
        many=True, help_text="A BODS 0.4 array: each firm, each consenting owner and their interest."
    )
    not_published = NotPublishedSerializer(many=True, help_text="Whom the statements leave out, and why.")

    class Meta:
        ref_name = "BeneficialOwnership"


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="Beneficial ownership (BODS 0.4)",
        operation_id="public_beneficial_ownership",
        description=(
            "The beneficial owners of every firm named publicly as a technically qualified bidder (from the opening "
            "of its auction's initial offers, or its annulment after the evaluation) or as a preferred bidder or "
            "licence holder, as Beneficial Ownership Data Standard 0.4 statements (EITI Requirement 2.5). Of each "
            "owner only the full name, the nationality, and the nature and share of the interest are published, with "
            "the owner's consent recorded at the declaration (Digital Personal Data Protection Act 2023); never a "
            "PAN, an identity number or an address. `not_published` lists the firms left out and why: no owner "
            "declared, no consent, or (the preferred bidders of historic auctions) not registered on Khanij."
        ),
        responses={200: BeneficialOwnershipSerializer},
    )
)
class BeneficialOwnershipView(PublicAPIView, generics.RetrieveAPIView):
    serializer_class = BeneficialOwnershipSerializer

    def retrieve(self, request, *args, **kwargs):
        now = timezone.now()
        site = request.build_absolute_uri("/api/v1/public/")
        publisher = Publisher(name=PUBLISHER_NAME, url=site, licence=settings.OPEN_DATA_LICENCE_URL)
        firms = list(named_firms())
        statements = []
        for firm in firms:
            statements += firm_statements(
                firm, firm.beneficial_owners.all(), published=timezone.localdate(now), publisher=publisher
            )
        gaps = ownership_gaps(firms, historic_preferred_bidders())
        return Response(
            {
                "bods_version": BODS_VERSION,
                "published_at": now,
                "licence": settings.OPEN_DATA_LICENCE_URL,
                "fields_published": list(PUBLISHED_FIELDS),
                "notice_version": NOTICE_VERSION,
                "statements": statements,
                "not_published": [{"name": g.name, "cin": g.cin, "reason": g.reason} for g in gaps],
            }
        )
