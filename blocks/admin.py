"""Back office. Blocks and imports are shown here read-only: every change to a block goes through
blocks.services (on the regulator's pages or the API), which validate the boundary, the overlap, the routing
and the VER; an admin form would bypass them."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from blocks.models import Block, BlockImport, BlockResource, Mineral
from core.money import format_inr


@admin.register(Mineral)
class MineralAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "part_d", "part_b", "seventh_schedule")
    list_filter = ("part_d", "part_b", "seventh_schedule")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BlockResourceInline(admin.TabularInline):
    model = BlockResource
    extra = 0
    fields = ("mineral", "quantity_tonnes", "grade", "price_per_tonne", "price_basis", "value")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "name",
        "state",
        "status",
        "exploration_stage",
        "auction_authority",
        "lease_kind",
        "el_eligible",
        "area_hectares",
        "ver",
        "edit_link",
    )
    list_filter = ("status", "auction_authority", "lease_kind", "el_eligible", "exploration_stage", "state", "minerals")
    search_fields = ("code", "name", "district")
    inlines = [BlockResourceInline]
    fieldsets = (
        (None, {"fields": ("code", "name", "state", "district", "minerals", "exploration_stage", "status")}),
        ("Derived", {"fields": ("auction_authority", "lease_kind", "el_eligible", "area_hectares", "ver")}),
        ("Land split (ha)", {"fields": ("forest_land_ha", "government_land_ha", "other_land_ha")}),
        ("Protected areas", {"fields": ("protected_area_distance_km", "eco_sensitive_zone")}),
        ("Tender", {"fields": ("reserve_price_pct", "tender_fee", "source_url", "published_outcome")}),
        ("Boundary", {"fields": ("boundary", "min_lon", "min_lat", "max_lon", "max_lat"), "classes": ["collapse"]}),
        ("Record", {"fields": ("illustrative_fields", "created_at", "updated_at", "edit_link")}),
    )
    readonly_fields = ("ver", "edit_link", "created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("minerals")

    @admin.display(description="VER", ordering="value_of_estimated_resources")
    def ver(self, obj):
        return format_inr(obj.value_of_estimated_resources)

    @admin.display(description="Edit")
    def edit_link(self, obj):
        url = reverse("regulator:block_edit", args=[obj.code])
        return format_html('<a href="{}">Edit on the registry page</a>', url)


@admin.register(BlockImport)
class BlockImportAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "uploaded_at",
        "uploaded_by",
        "csv_name",
        "status",
        "total_rows",
        "rejected_count",
        "created_count",
    )
    list_filter = ("status",)
    search_fields = ("csv_name", "geojson_name", "uploaded_by__username")
    exclude = ("csv_text", "geojson_text")
    readonly_fields = ("page_link",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by").defer("csv_text", "geojson_text")

    @admin.display(description="Rejected rows")
    def rejected_count(self, obj):
        return obj.rejected_count

    @admin.display(description="Blocks created")
    def created_count(self, obj):
        return obj.created_count

    @admin.display(description="Report")
    def page_link(self, obj):
        url = reverse("regulator:block_import_detail", args=[obj.pk])
        return format_html('<a href="{}">Open the import report</a>', url)
