"""Output serializers of the public API: each names the fields it publishes (RULES.md section 6)."""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from blocks.constants import AuctionAuthority, LeaseKind
from blocks.list_rows import utc_z
from blocks.models import Block, BlockResource, Mineral
from blocks.selectors import block_routing_explanation
from core.fields import ExactDecimalField, OptionalURLField, StrictCharField, StrictChoiceField
from core.serializers import ModelSerializer

GEOJSON_SCHEMA = {
    "type": "object",
    "description": "GeoJSON Polygon or MultiPolygon in WGS 84 longitude/latitude; null when not surveyed.",
    "properties": {
        "type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
        "coordinates": {"type": "array", "items": {}},
    },
    "required": ["type", "coordinates"],
    "nullable": True,
}


class MineralSerializer(ModelSerializer):
    class Meta:
        model = Mineral
        fields = ["slug", "name", "part_d", "seventh_schedule"]
        extra_kwargs = {
            "part_d": {"help_text": "First Schedule Part D: its blocks are auctioned by the Central Government."},
            "seventh_schedule": {"help_text": "Seventh Schedule: an exploration licence may be granted for it."},
        }


class RoutingSerializer(serializers.Serializer):
    auction_authority = StrictChoiceField(
        choices=AuctionAuthority.choices, help_text="Central Government where any mineral is in Part D, else State."
    )
    lease_kind = StrictChoiceField(
        choices=LeaseKind.choices, help_text="ML where exploration reached G2 or better; CL at G3 or G4."
    )
    el_eligible = serializers.BooleanField(help_text="An exploration licence may be granted (Seventh Schedule).")
    explanation = serializers.ListField(child=StrictCharField(), help_text="The routing in words.")


class BlockSerializer(ModelSerializer):
    """A row of the public block list."""

    url = serializers.HyperlinkedIdentityField(
        view_name="public_api:block-detail", lookup_field="code", help_text="This block in the public API."
    )
    portal_url = serializers.SerializerMethodField(help_text="This block's page on the portal.")
    minerals = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    routing = serializers.SerializerMethodField()
    area_hectares = ExactDecimalField(
        max_digits=14, decimal_places=4, read_only=True, allow_null=True, help_text="Geodesic area of the boundary."
    )
    area_km2 = ExactDecimalField(max_digits=12, decimal_places=4, read_only=True, allow_null=True)
    value_of_estimated_resources = ExactDecimalField(
        max_digits=20,
        decimal_places=2,
        read_only=True,
        help_text="VER in INR: estimated quantity x IBM average sale price, summed over minerals.",
    )
    illustrative_fields = serializers.ListField(
        child=StrictCharField(),
        read_only=True,
        help_text="Fields whose values are illustrative (the published sources do not give them).",
    )

    class Meta:
        model = Block
        fields = [
            "code", "name", "state", "district", "minerals", "exploration_stage", "routing", "area_hectares",
            "area_km2", "value_of_estimated_resources", "status", "illustrative_fields", "updated_at", "url",
            "portal_url",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(RoutingSerializer)
    def get_routing(self, block):
        return {
            "auction_authority": block.auction_authority,
            "lease_kind": block.lease_kind,
            "el_eligible": block.el_eligible,
            "explanation": block_routing_explanation(block),
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_portal_url(self, block):
        path = reverse("portal:block_detail", kwargs={"code": block.code})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


_KM2 = Decimal("0.0001")
_CENT = Decimal("0.01")


def _decimal(value, places: Decimal):
    return None if value is None else f"{value.quantize(places):f}"


_MILLI = Decimal("0.001")


def block_detail_fields(row: dict, resources: list[dict]) -> dict:
    """The public block detail's own fields, exactly as BlockDetailSerializer writes them (the documented schema) after
    those of the list's row, from the plain values of selectors.block_api_detail, in the schema's order."""
    tz = timezone.get_current_timezone()
    has_box = row["min_lon"] is not None
    return {
        "boundary": row["boundary"],
        "bbox": [row["min_lon"], row["min_lat"], row["max_lon"], row["max_lat"]] if has_box else None,
        "forest_land_ha": _decimal(row["forest_land_ha"], _KM2),
        "government_land_ha": _decimal(row["government_land_ha"], _KM2),
        "other_land_ha": _decimal(row["other_land_ha"], _KM2),
        "resources": [
            {
                "mineral": resource["mineral__slug"],
                "mineral_name": resource["mineral__name"],
                "quantity_tonnes": _decimal(resource["quantity_tonnes"], _MILLI),
                "grade": resource["grade"],
                "price_per_tonne": _decimal(resource["price_per_tonne"], _CENT),
                "price_basis": resource["price_basis"],
                "value": _decimal(resource["value"], _CENT),
            }
            for resource in resources
        ],
        "reserve_price_pct": _decimal(row["reserve_price_pct"], _CENT),
        "tender_fee": _decimal(row["tender_fee"], _CENT),
        "source_url": row["source_url"] or None,
        "published_outcome": row["published_outcome"],
        "created_at": utc_z(row["created_at"].astimezone(tz).isoformat()),
    }


class BlockResourceSerializer(ModelSerializer):
    mineral = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    mineral_name = StrictCharField(source="mineral.name", read_only=True)
    value = ExactDecimalField(
        max_digits=20, decimal_places=2, read_only=True, help_text="quantity_tonnes x price_per_tonne, in INR."
    )

    class Meta:
        model = BlockResource
        fields = ["mineral", "mineral_name", "quantity_tonnes", "grade", "price_per_tonne", "price_basis", "value"]
        read_only_fields = fields


@extend_schema_field(GEOJSON_SCHEMA)
class GeoJSONField(serializers.JSONField):
    pass


class BlockDetailSerializer(BlockSerializer):
    """Everything the registry publishes about one block, its boundary and resources included."""

    boundary = GeoJSONField(read_only=True)
    bbox = serializers.SerializerMethodField()
    source_url = OptionalURLField(read_only=True, help_text="Where the published facts come from; null when unknown.")
    resources = BlockResourceSerializer(many=True, read_only=True)

    class Meta(BlockSerializer.Meta):
        fields = BlockSerializer.Meta.fields + [
            "boundary", "bbox", "forest_land_ha", "government_land_ha", "other_land_ha", "resources",
            "reserve_price_pct", "tender_fee", "source_url", "published_outcome", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "array",
            "items": {"type": "number"},
            "minItems": 4,
            "maxItems": 4,
            "nullable": True,
            "description": "Bounding box [min_lon, min_lat, max_lon, max_lat]; null when not surveyed.",
        }
    )
    def get_bbox(self, block):
        if block.min_lon is None:
            return None
        return [block.min_lon, block.min_lat, block.max_lon, block.max_lat]
