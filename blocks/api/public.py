"""The public API: anonymous, read-only, cacheable (ARCHITECTURE.md "APIs"; RULES.md section 6).

Nobody authenticates here: a signed-in regulator gets exactly what an anonymous citizen gets.
"""

from urllib.parse import quote

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.response import Response

from blocks.api.serializers import BlockDetailSerializer, BlockSerializer, MineralSerializer, block_detail_fields
from blocks.filters import BlockFilter, MineralFilter
from blocks.list_rows import ROW_VERSION, detail_json, page_bodies, page_json
from blocks.public_cache import cached_response
from blocks.selectors import (
    block_api_detail,
    block_api_page_queryset,
    block_api_page_rows,
    block_list_queryset,
    mineral_list,
)
from core.api import ErrorSerializer
from core.pagination import TwoStepCursorPagination
from core.public_api import (
    BAD_FILTER,
    CSV_CHUNK,
    RAW_JSON_RENDERERS,
    CSVDownloadView,
    PublicAPIView,
    RawJSON,
    csv_text,
    url_maker,
)


class PublicBlockPagination(TwoStepCursorPagination):
    page_size = 50
    row_fields: tuple[str, ...] = ()  # the sort columns the view reads with each stored row

    def rows_by_key(self, keys):
        rows = block_api_page_rows(ROW_VERSION, self.row_fields).order_by().filter(pk__in=keys)
        return {row["pk"]: row for row in rows}


class VersionCached:
    """A public block endpoint answered from blocks.public_cache before DRF's machinery when the data version it was
    cached under is still the current one (one Redis round trip), else by the view, whose JSON 200 is then cached."""

    def dispatch(self, request, *args, **kwargs):
        return cached_response(request, lambda: super(VersionCached, self).dispatch(request, *args, **kwargs))


@extend_schema(
    tags=["public"],
    summary="The mineral catalogue",
    description="Every mineral with its schedule flags (RULES.md s.1). Use a mineral's slug to filter blocks.",
    responses={200: MineralSerializer(many=True), 400: BAD_FILTER},
)
class MineralListView(PublicAPIView, generics.ListAPIView):
    serializer_class = MineralSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = MineralFilter
    pagination_class = None

    def get_queryset(self):
        return mineral_list()


@extend_schema(
    tags=["public"],
    summary="Blocks of the registry",
    description=(
        "Every registered block, filtered and ordered, a page at a time. Follow `next` until it is null to read "
        "the whole list; the cursor keeps your place even while blocks are added."
    ),
    responses={200: BlockSerializer(many=True), 400: BAD_FILTER},
)
class BlockListView(VersionCached, PublicAPIView, generics.ListAPIView):
    serializer_class = BlockSerializer  # the documented schema; the rows themselves are written by block_list_rows
    filter_backends = [DjangoFilterBackend]
    filterset_class = BlockFilter
    pagination_class = PublicBlockPagination

    renderer_classes = RAW_JSON_RENDERERS

    def get_queryset(self):
        return block_api_page_queryset(ROW_VERSION)

    def filter_queryset(self, queryset):
        # No filter given (the plain list, the busiest URL): the FilterSet would return the queryset as it is, after
        # building and validating its form (about a third of the page's Python time, measured with cProfile).
        params = self.request.query_params
        if not any(value.strip() for name in BlockFilter.base_filters for value in params.getlist(name)):
            return queryset
        # Filtered (by State and mineral, the common case): the page's keys from the indexes, then its rows.
        self.paginator.two_step = True
        return super().filter_queryset(queryset)

    def list(self, request, *args, **kwargs):
        """One query a page (two filtered: keys, then rows by key): each block's stored row, joined as bytes; a row
        not stored (or of an older rendering) is rendered now (blocks.list_rows)."""
        queryset = self.filter_queryset(self.get_queryset())
        fields = tuple(dict.fromkeys(item.lstrip("-") for item in (*queryset.query.order_by, "code")))
        self.paginator.row_fields = fields
        if self.paginator.two_step:  # the keys only; rows_by_key reads the stored rows
            page = self.paginate_queryset(queryset.values("pk", *fields))
        else:  # unfiltered, in code order
            page = self.paginate_queryset(block_api_page_rows(ROW_VERSION, fields))
        site = request.build_absolute_uri("/").rstrip("/")
        paginator = self.paginator
        content = page_json(
            page_bodies(page), site, next=paginator.get_next_link(), previous=paginator.get_previous_link()
        )
        return Response(RawJSON(content))


@extend_schema(
    tags=["public"],
    summary="One block",
    description="Everything the registry publishes about a block: boundary (GeoJSON), land split, resources, VER.",
    responses={200: BlockDetailSerializer, 404: OpenApiResponse(ErrorSerializer, description="No such block code.")},
)
class BlockDetailView(VersionCached, PublicAPIView, generics.RetrieveAPIView):
    serializer_class = BlockDetailSerializer
    lookup_field = "code"
    renderer_classes = RAW_JSON_RENDERERS

    def retrieve(self, request, *args, **kwargs):
        row, minerals, resources = block_api_detail(code=self.kwargs["code"], version=ROW_VERSION)
        site = request.build_absolute_uri("/").rstrip("/")
        return Response(RawJSON(detail_json(row, minerals, block_detail_fields(row, resources), site)))


CSV_COLUMNS = [
    "code", "name", "state", "district", "minerals", "exploration_stage", "auction_authority", "lease_kind",
    "el_eligible", "area_hectares", "area_km2", "forest_land_ha", "government_land_ha", "other_land_ha",
    "value_of_estimated_resources", "reserve_price_pct", "tender_fee", "status", "published_outcome",
    "illustrative_fields", "source_url", "updated_at", "portal_url",
]  # fmt: skip


def block_csv_rows(queryset, site):
    portal_url = url_maker("portal:block_detail", site, key="code")
    for block in queryset.iterator(chunk_size=CSV_CHUNK):
        yield [
            csv_text(block.code),
            csv_text(block.name),
            block.state,
            csv_text(block.district),
            ";".join(m.slug for m in block.minerals.all()),
            block.exploration_stage,
            block.auction_authority,
            block.lease_kind,
            "true" if block.el_eligible else "false",
            block.area_hectares if block.area_hectares is not None else "",
            block.area_km2 if block.area_km2 is not None else "",
            block.forest_land_ha,
            block.government_land_ha,
            block.other_land_ha,
            block.value_of_estimated_resources,
            "" if block.reserve_price_pct is None else block.reserve_price_pct,
            "" if block.tender_fee is None else block.tender_fee,
            block.status,
            csv_text(block.published_outcome),
            ";".join(block.illustrative_fields or []),
            csv_text(block.source_url),
            timezone.localtime(block.updated_at).isoformat(),
            portal_url(quote(block.code, safe="!$&'()*+,;=/~:@")),  # as reverse() quotes
        ]


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="Blocks of the registry as CSV",
        description=(
            "The filtered block list as a CSV file (UTF-8, header row first), streamed: the same filters and ordering "
            "as /api/v1/public/blocks, every matching block up to the cap (header X-Row-Cap; a cut file ends with a "
            "line saying so), no pagination. Minerals and illustrative fields are separated by semicolons."
        ),
        operation_id="public_blocks_csv",
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: BAD_FILTER},
    )
)
class BlockCSVView(CSVDownloadView):
    filterset_class = BlockFilter
    csv_columns = CSV_COLUMNS
    csv_filename = "khanij-blocks.csv"

    def get_queryset(self):
        return block_list_queryset()

    def csv_rows(self, queryset, site):
        return block_csv_rows(queryset, site)
