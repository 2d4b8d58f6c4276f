"""The regulators' write API for the block registry: thin views over blocks.services."""

from decimal import Decimal

from django.db.models import Prefetch, Q
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bidders.permissions import IsRegulator
from blocks import services
from blocks.constants import STATE_CHOICES, AuctionAuthority, ExplorationStage, LeaseKind
from blocks.forms import ILLUSTRATIVE_FIELD_CHOICES
from blocks.models import Block, BlockResource
from core.api import ErrorSerializer, query_choice, query_text
from core.errors import NotFound
from core.fields import ExactDecimalField, StrictCharField, StrictChoiceField, StrictSlugField, StrictURLField
from core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from core.pagination import NumberedPagination

ZERO = Decimal("0")
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="The input was refused; `fields` says what to correct."),
    403: OpenApiResponse(ErrorSerializer, description="Not signed in, or not a regulator."),
}


@extend_schema_field(
    {
        "type": "object",
        "description": "GeoJSON Polygon or MultiPolygon (or a Feature holding one), [longitude, latitude] in WGS 84.",
        "example": {
            "type": "Polygon",
            "coordinates": [[[82.68, 22.35], [82.69, 22.35], [82.69, 22.36], [82.68, 22.36], [82.68, 22.35]]],
        },
    }
)
class GeoJSONField(serializers.JSONField):
    pass


def _choice(choices, what, example):
    return StrictChoiceField(
        choices=choices, error_messages={"invalid_choice": f'"{{input}}" is not {what}; e.g. {example}.'}
    )


def registry_blocks():
    """Blocks with everything the output shows, in two extra queries whatever the number of rows."""
    return Block.objects.prefetch_related(
        "minerals", Prefetch("resources", queryset=BlockResource.objects.select_related("mineral").order_by("id"))
    ).order_by("code")


class BlockPagination(NumberedPagination):
    page_size = 50
    max_page_size = 500


class BlockListCreateApi(APIView):
    """The registry: list every block (any status) and register new ones. Regulators only."""

    permission_classes = [IsAuthenticated, IsRegulator]
    pagination_class = BlockPagination

    class InputSerializer(serializers.Serializer):
        class ResourceSerializer(serializers.Serializer):
            mineral = StrictSlugField(help_text="Mineral slug; one of the block's minerals.")
            quantity_tonnes = ExactDecimalField(max_digits=18, decimal_places=3, min_value=ZERO)
            grade = StrictCharField(max_length=60, required=False, allow_blank=True)
            price_per_tonne = ExactDecimalField(
                max_digits=14,
                decimal_places=2,
                min_value=ZERO,
                help_text="IBM average sale price per tonne over the preceding 12 months, in rupees.",
            )
            price_basis = StrictChoiceField(
                choices=BlockResource.PriceBasis.choices,
                required=False,
                help_text="Whose average the price is: the State's, or pan-India where the State has none. "
                "Default: state.",
            )

            class Meta:
                ref_name = "RegulatorBlockResourceInput"

        code = StrictCharField(max_length=40, help_text="Unique block code, e.g. CG-LI-2023-01.")
        name = StrictCharField(max_length=200)
        state = _choice(STATE_CHOICES, "a State or Union Territory of India", "Odisha")
        district = StrictCharField(max_length=100, required=False, allow_blank=True)
        minerals = serializers.ListField(
            child=StrictSlugField(), help_text="Mineral slugs, as listed by /api/v1/public/minerals."
        )
        exploration_stage = _choice(ExplorationStage.choices, "a UNFC stage", "G3")
        boundary = GeoJSONField(required=False, allow_null=True)
        forest_land_ha = ExactDecimalField(max_digits=14, decimal_places=4, min_value=ZERO, required=False)
        government_land_ha = ExactDecimalField(max_digits=14, decimal_places=4, min_value=ZERO, required=False)
        other_land_ha = ExactDecimalField(max_digits=14, decimal_places=4, min_value=ZERO, required=False)
        resources = ResourceSerializer(many=True, required=False)
        protected_area_distance_km = ExactDecimalField(
            max_digits=8,
            decimal_places=3,
            min_value=ZERO,
            required=False,
            allow_null=True,
            help_text="Distance from the block's boundary to the nearest national park or wildlife sanctuary, in km; "
            "null: not assessed. Within 1 km (PROTECTED_AREA_BARRED_KM) the block is refused.",
        )
        eco_sensitive_zone = serializers.BooleanField(
            required=False, help_text="Whether any part of the block lies in a notified eco-sensitive zone."
        )
        reserve_price_pct = ExactDecimalField(
            max_digits=6, decimal_places=2, min_value=ZERO, required=False, allow_null=True
        )
        tender_fee = ExactDecimalField(max_digits=14, decimal_places=2, min_value=ZERO, required=False, allow_null=True)
        status = StrictChoiceField(choices=Block.Status.choices, required=False)
        illustrative_fields = serializers.ListField(
            child=StrictChoiceField(choices=ILLUSTRATIVE_FIELD_CHOICES),
            required=False,
            help_text="Fields filled with illustrative values rather than published figures.",
        )
        source_url = StrictURLField(max_length=500, required=False, allow_blank=True)
        published_outcome = StrictCharField(max_length=200, required=False, allow_blank=True)

        class Meta:
            ref_name = "RegulatorBlockInput"

    class OutputSerializer(serializers.Serializer):
        class MineralSerializer(serializers.Serializer):
            slug = StrictSlugField()
            name = StrictCharField()
            part_d = serializers.BooleanField(help_text="First Schedule Part D: auctioned by the Centre.")
            seventh_schedule = serializers.BooleanField(help_text="An exploration licence may be granted.")
            part_b = serializers.BooleanField(help_text="First Schedule Part B: an atomic mineral.")

            class Meta:
                ref_name = "RegulatorBlockMineral"

        class ResourceSerializer(serializers.Serializer):
            mineral = StrictSlugField(source="mineral.slug")
            mineral_name = StrictCharField(source="mineral.name")
            quantity_tonnes = ExactDecimalField(max_digits=18, decimal_places=3)
            grade = StrictCharField()
            price_per_tonne = ExactDecimalField(max_digits=14, decimal_places=2)
            price_basis = StrictChoiceField(choices=BlockResource.PriceBasis.choices)
            value = ExactDecimalField(
                max_digits=20, decimal_places=2, help_text="quantity x price, rounded half-up to the paisa"
            )

            class Meta:
                ref_name = "RegulatorBlockResource"

        code = StrictCharField()
        name = StrictCharField()
        state = StrictCharField()
        district = StrictCharField()
        minerals = MineralSerializer(many=True)
        exploration_stage = StrictChoiceField(choices=ExplorationStage.choices)
        auction_authority = StrictChoiceField(
            choices=AuctionAuthority.choices, help_text="Derived: central when any mineral is in Part D."
        )
        lease_kind = StrictChoiceField(choices=LeaseKind.choices, help_text="Derived: ML at G2 or G1, CL at G3 or G4.")
        el_eligible = serializers.BooleanField(help_text="Derived: some mineral is in the Seventh Schedule.")
        boundary = GeoJSONField(allow_null=True)
        area_hectares = ExactDecimalField(
            max_digits=14, decimal_places=4, allow_null=True, help_text="Geodesic area of the boundary."
        )
        area_km2 = ExactDecimalField(max_digits=14, decimal_places=4, allow_null=True)
        forest_land_ha = ExactDecimalField(max_digits=14, decimal_places=4)
        government_land_ha = ExactDecimalField(max_digits=14, decimal_places=4)
        other_land_ha = ExactDecimalField(max_digits=14, decimal_places=4)
        resources = ResourceSerializer(many=True)
        protected_area_distance_km = ExactDecimalField(
            max_digits=8,
            decimal_places=3,
            allow_null=True,
            help_text="km to the nearest national park or sanctuary; null: not assessed.",
        )
        eco_sensitive_zone = serializers.BooleanField()
        value_of_estimated_resources = ExactDecimalField(
            max_digits=20, decimal_places=2, help_text="VER in rupees: the sum of the resources' values."
        )
        reserve_price_pct = ExactDecimalField(max_digits=6, decimal_places=2, allow_null=True)
        tender_fee = ExactDecimalField(max_digits=14, decimal_places=2, allow_null=True)
        status = StrictChoiceField(choices=Block.Status.choices)
        illustrative_fields = serializers.ListField(child=StrictCharField())
        source_url = StrictCharField()
        published_outcome = StrictCharField()
        created_at = serializers.DateTimeField()
        updated_at = serializers.DateTimeField()

        class Meta:
            ref_name = "RegulatorBlock"

    @extend_schema(
        operation_id="regulator_blocks_list",
        summary="List the registry's blocks",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=Block.Status.values,
                allow_blank=True,
                description="Only blocks with this status (empty: any).",
            ),
            OpenApiParameter("search", str, description="Part of the code, name or district."),
        ],
        responses={
            200: OutputSerializer(many=True),
            400: OpenApiResponse(
                ErrorSerializer,
                description="An unknown `status` (the message names the allowed ones), or a `search` "
                "over 200 characters or with a NUL character.",
            ),
            403: ERRORS[403],
        },
    )
    def get(self, request):
        blocks = registry_blocks()
        if status_wanted := query_choice(request, "status", Block.Status.values):
            blocks = blocks.filter(status=status_wanted)
        if search := query_text(request, "search"):
            blocks = blocks.filter(
                Q(code__icontains=search) | Q(name__icontains=search) | Q(district__icontains=search)
            )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(blocks, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="regulator_blocks_create",
        summary="Register a block",
        description="Validates every field, computes the area, the routing and the VER, and refuses a boundary "
        "that overlaps an active block (naming it).",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            **ERRORS,
            409: OpenApiResponse(ErrorSerializer, description="The Idempotency-Key was used for another request."),
        },
    )
    @idempotent(scope="blocks.create")
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        block = services.block_create(actor=request.user, **_service_fields(serializer.validated_data))
        return Response(self.OutputSerializer(registry_blocks().get(pk=block.pk)).data, status=status.HTTP_201_CREATED)


class BlockDetailApi(APIView):
    """One block of the registry, by code: read it and change it. Regulators only."""

    permission_classes = [IsAuthenticated, IsRegulator]
    InputSerializer = BlockListCreateApi.InputSerializer
    OutputSerializer = BlockListCreateApi.OutputSerializer

    @extend_schema(
        operation_id="regulator_blocks_retrieve",
        summary="Read a block",
        responses={
            200: OutputSerializer,
            403: ERRORS[403],
            404: OpenApiResponse(ErrorSerializer, description="No block has this code."),
        },
    )
    def get(self, request, code):
        return Response(self.OutputSerializer(_block(code)).data)

    @extend_schema(
        operation_id="regulator_blocks_partial_update",
        summary="Change a block",
        description="Send only the fields to change. Routing and VER are recomputed; a changed boundary is checked "
        "for overlap. `resources`, when sent, replaces all the block's resources.",
        request=InputSerializer(partial=True),
        responses={
            200: OutputSerializer,
            **ERRORS,
            404: OpenApiResponse(ErrorSerializer, description="No block has this code."),
            409: OpenApiResponse(
                ErrorSerializer,
                description="The block is held by a live auction (notified or under auction): nothing was changed; "
                "it can be changed once that auction is settled or annulled.",
            ),
        },
    )
    def patch(self, request, code):
        block = _block(code)
        serializer = self.InputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        block = services.block_update(actor=request.user, block=block, **_service_fields(serializer.validated_data))
        return Response(self.OutputSerializer(registry_blocks().get(pk=block.pk)).data)


def _block(code: str) -> Block:
    try:
        return registry_blocks().get(code=code)
    except Block.DoesNotExist as exc:
        raise NotFound(f"No block has the code {code}. Check the code, or list the blocks.") from exc


def _service_fields(validated: dict) -> dict:
    fields = dict(validated)
    if "resources" in fields:
        fields["resources"] = [dict(r) for r in fields["resources"]]
    return fields
