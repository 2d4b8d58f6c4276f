"""Serializers of the firm API: inputs are read here and decided by the services; outputs name their fields."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from bidders import ownership_notice
from bidders.models import Affiliation, BeneficialOwner, EligibilityDocument, Firm, Membership
from core.fields import (
    BooleanField,
    DateField,
    ExactDecimalField,
    OptionalEmailField,
    StrictCharField,
    StrictChoiceField,
)
from core.serializers import ModelSerializer

PERCENT = {"max_digits": 5, "decimal_places": 2}
NET_WORTH = {"max_digits": 18, "decimal_places": 2}
PERCENT_INPUT = {"max_digits": None, "decimal_places": 2, "min_value": 0, "max_value": 100}


# --- Outputs -------------------------------------------------------------------------------------------


class FirmSerializer(ModelSerializer):
    net_worth = ExactDecimalField(**NET_WORTH, read_only=True, help_text="Net worth in INR, to the paisa (a string).")

    class Meta:
        model = Firm
        fields = [
            "id", "legal_name", "cin", "pan", "registered_address", "incorporated_in_india", "net_worth",
            "net_worth_as_of", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class MyFirmSerializer(FirmSerializer):
    role = serializers.SerializerMethodField(help_text="Your role in the firm: only administrators change it.")

    class Meta(FirmSerializer.Meta):
        fields = [*FirmSerializer.Meta.fields, "role"]
        read_only_fields = fields

    @extend_schema_field(StrictChoiceField(choices=Membership.Role.choices))
    def get_role(self, firm) -> str | None:
        return self.context.get("role")


class MemberSerializer(ModelSerializer):
    username = StrictCharField(source="user.username")
    email = OptionalEmailField(source="user.email", help_text="The account's email address; null when none.")
    role = StrictChoiceField(choices=Membership.Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "role", "created_at"]
        read_only_fields = fields


class FirmRefSerializer(ModelSerializer):
    class Meta:
        model = Firm
        fields = ["id", "legal_name", "cin"]
        read_only_fields = fields


class AffiliationSerializer(ModelSerializer):
    affiliate = FirmRefSerializer(help_text="The firm declared an affiliate.")
    kind = StrictChoiceField(choices=Affiliation.Kind.choices)
    share = ExactDecimalField(
        **PERCENT, read_only=True, allow_null=True, help_text="Shareholding in percent, if declared."
    )

    class Meta:
        model = Affiliation
        fields = ["id", "affiliate", "kind", "share", "created_at"]
        read_only_fields = fields


class DeclaredBySerializer(ModelSerializer):
    firm = FirmRefSerializer(help_text="The firm that declared this one an affiliate.")
    kind = StrictChoiceField(choices=Affiliation.Kind.choices)
    share = ExactDecimalField(**PERCENT, read_only=True, allow_null=True)

    class Meta:
        model = Affiliation
        fields = ["id", "firm", "kind", "share", "created_at"]
        read_only_fields = fields


class BeneficialOwnerSerializer(ModelSerializer):
    share = ExactDecimalField(**PERCENT, read_only=True, help_text="Share in percent (a string), 0 to 100.")

    class Meta:
        model = BeneficialOwner
        fields = [
            "id",
            "name",
            "pan",
            "nationality",
            "share",
            "has_control",
            "created_at",
            "publication_consent_at",
            "publication_notice_version",
        ]
        read_only_fields = fields


class DocumentSerializer(ModelSerializer):
    kind = StrictChoiceField(choices=EligibilityDocument.Kind.choices)
    download_url = serializers.SerializerMethodField(help_text="The file, for the firm's members and regulators.")

    class Meta:
        model = EligibilityDocument
        fields = ["id", "kind", "description", "uploaded_at", "download_url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, document) -> str:
        return reverse("firm:document_download", args=[document.pk], request=self.context.get("request"))


class FirmListSerializer(FirmSerializer):
    """A row of the regulators' firm list."""

    member_count = serializers.IntegerField(read_only=True)
    beneficial_owner_count = serializers.IntegerField(read_only=True)
    document_count = serializers.IntegerField(read_only=True)
    affiliates = serializers.SerializerMethodField(help_text="The firms this firm declared as affiliates.")

    class Meta(FirmSerializer.Meta):
        fields = [*FirmSerializer.Meta.fields, "member_count", "beneficial_owner_count", "document_count", "affiliates"]
        read_only_fields = fields

    @extend_schema_field(AffiliationSerializer(many=True))
    def get_affiliates(self, firm):
        return AffiliationSerializer(firm.affiliations.all(), many=True).data


class FirmDetailSerializer(FirmListSerializer):
    """One firm as a regulator reviews it."""

    members = MemberSerializer(source="memberships", many=True, read_only=True)
    declared_by = DeclaredBySerializer(source="affiliated_by", many=True, read_only=True)
    beneficial_owners = BeneficialOwnerSerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta(FirmListSerializer.Meta):
        fields = [*FirmListSerializer.Meta.fields, "members", "declared_by", "beneficial_owners", "documents"]
        read_only_fields = fields


# --- Inputs --------------------------------------------------------------------------------------------


class FirmUpdateInputSerializer(serializers.Serializer):
    legal_name = StrictCharField(required=False, allow_blank=True, max_length=200)
    cin = StrictCharField(required=False, allow_blank=True, max_length=30)
    pan = StrictCharField(required=False, allow_blank=True, max_length=20)
    registered_address = StrictCharField(required=False, allow_blank=True)
    incorporated_in_india = BooleanField(required=False)
    net_worth = ExactDecimalField(**NET_WORTH, required=False, help_text="INR as a string, e.g. 2500000000.00.")
    net_worth_as_of = DateField(required=False)


class MemberInputSerializer(serializers.Serializer):
    user = StrictCharField(max_length=150, help_text="Username or email of the person's account.")
    role = StrictChoiceField(choices=Membership.Role.choices)
    email = StrictCharField(required=False, allow_blank=True, default="", help_text="New account only.")
    password = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        style={"input_type": "password"},
        help_text="Only for a person without an account: creates the account `user` with this password.",
    )


class AffiliationInputSerializer(serializers.Serializer):
    affiliate_cin = StrictCharField(max_length=30, help_text="CIN of a firm registered on Khanij.")
    kind = StrictChoiceField(choices=Affiliation.Kind.choices)
    share = ExactDecimalField(**PERCENT_INPUT, required=False, allow_null=True, default=None)


class BeneficialOwnerInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    pan = StrictCharField(max_length=20)
    nationality = StrictCharField(max_length=60, required=False, default="Indian")
    share = ExactDecimalField(**PERCENT_INPUT, help_text="0 to 100; the firm's owners together at most 100.")
    has_control = BooleanField(required=False, default=False)
    publication_consent = BooleanField(
        required=False,
        default=False,
        help_text="Required true: the owner has read the notice and consents to the publication of their name, "
        "nationality, nature and share of the interest (never the PAN or an address), as open data. "
        + ownership_notice.NOTICE,
    )
