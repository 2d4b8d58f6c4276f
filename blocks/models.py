"""The registry of critical-mineral blocks: the mineral catalogue, blocks with their boundaries, land and
resources, and bulk imports (RULES.md ss.1-2)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from blocks.constants import STATE_CHOICES, AuctionAuthority, ExplorationStage, LeaseKind

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class Mineral(models.Model):
    """A mineral and the schedules that list it; amendments change rows, not code (RULES.md s.1)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    part_d = models.BooleanField(
        "Part D (critical and strategic)", default=False, help_text="First Schedule Part D: auctioned by the Centre."
    )
    seventh_schedule = models.BooleanField(
        "Seventh Schedule", default=False, help_text="An exploration licence may be granted for it."
    )
    part_b = models.BooleanField(
        "Part B (atomic)",
        default=False,
        help_text="First Schedule Part B: an atomic mineral; its projects are fast-tracked like Part D's.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Block(models.Model):
    class Status(models.TextChoices):
        IDENTIFIED = "identified", "Identified"
        NOTIFIED = "notified", "Notified"
        UNDER_AUCTION = "under_auction", "Under auction"
        AUCTIONED = "auctioned", "Auctioned"
        LICENSED = "licensed", "Licensed"
        ANNULLED = "annulled", "Annulled"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # Statuses in which the block's ground is taken: a new boundary must not overlap these.
    ACTIVE_STATUSES = (
        Status.IDENTIFIED,
        Status.NOTIFIED,
        Status.UNDER_AUCTION,
        Status.AUCTIONED,
        Status.LICENSED,
        Status.ANNULLED,
    )

    code = models.CharField(max_length=40, unique=True, help_text="Block code, e.g. CG-LI-2023-01.")
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=60, choices=STATE_CHOICES, db_index=True)
    district = models.CharField(max_length=100, blank=True)
    minerals = models.ManyToManyField(Mineral, related_name="blocks")
    boundary = models.JSONField(null=True, blank=True, help_text="GeoJSON Polygon or MultiPolygon (WGS 84).")
    area_hectares = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    # Bounding box of the boundary, for the overlap pre-filter.
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    forest_land_ha = models.DecimalField(max_digits=14, decimal_places=4, default=0, validators=NON_NEGATIVE)
    government_land_ha = models.DecimalField(max_digits=14, decimal_places=4, default=0, validators=NON_NEGATIVE)
    other_land_ha = models.DecimalField(max_digits=14, decimal_places=4, default=0, validators=NON_NEGATIVE)
    # Entered by the regulator; they decide which clearances a lease needs (RULES.md s.5).
    protected_area_distance_km = models.DecimalField(
        "distance to the nearest national park or wildlife sanctuary (km)",
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text="From the block's boundary to the protected area's; empty: not assessed.",
    )
    eco_sensitive_zone = models.BooleanField(
        "in a notified eco-sensitive zone", default=False, help_text="Any part of the block lies in one."
    )
    exploration_stage = models.CharField(max_length=2, choices=ExplorationStage.choices, db_index=True)
    # Routing, derived from the minerals and the stage by auctions.rules; stored for filtering.
    auction_authority = models.CharField(max_length=10, choices=AuctionAuthority.choices, db_index=True)
    lease_kind = models.CharField(max_length=2, choices=LeaseKind.choices)
    el_eligible = models.BooleanField(default=False)
    value_of_estimated_resources = models.DecimalField(
        "value of estimated resources (INR)", max_digits=20, decimal_places=2, default=0
    )
    reserve_price_pct = models.DecimalField(
        "reserve price (% of VMD)", max_digits=6, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    tender_fee = models.DecimalField(
        "tender fee (INR, before GST)", max_digits=14, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IDENTIFIED, db_index=True)
    illustrative_fields = models.JSONField(
        default=list, blank=True, help_text="Fields filled with illustrative values, not published figures."
    )
    source_url = models.URLField(max_length=500, blank=True)
    published_outcome = models.CharField(max_length=200, blank=True)
    import_job = models.ForeignKey(
        "BlockImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="blocks",
        help_text="The bulk import that registered the block: a resumed import skips the blocks it already made.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["code"]
        indexes = [
            models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="block_bbox_idx"),
            # The public list filtered by State (and mineral), a page in code order: the page's ids are read from
            # this index alone (PostgreSQL: INCLUDE id), then its rows by id (core.pagination.TwoStepCursorPagination).
            models.Index(fields=["state", "code"], include=["id"], name="block_state_code_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def area_km2(self):
        return None if self.area_hectares is None else (self.area_hectares / Decimal(100)).quantize(Decimal("0.0001"))

    def is_illustrative(self, field: str) -> bool:
        return field in (self.illustrative_fields or [])


class BlockListRow(models.Model):
    """A block's row of the public block list, stored pre-rendered as the JSON the list writes (blocks.list_rows), so
    that a page is one query of keys and rows joined as bytes. Rendered again by every writer of what the row shows;
    the list uses it only while it matches the block (same rendering `version`, same `updated_at` and `status`) and
    renders the row itself otherwise, so the answer is right even when a write went around the services."""

    block = models.OneToOneField(Block, on_delete=models.CASCADE, primary_key=True, related_name="list_row")
    version = models.PositiveSmallIntegerField(help_text="The rendering (blocks.list_rows.ROW_VERSION) it was made by.")
    updated_at = models.DateTimeField(help_text="The block's updated_at when it was rendered.")
    status = models.CharField(max_length=20, help_text="The block's status when it was rendered.")
    body = models.TextField(help_text="The row's JSON; its two links start with blocks.list_rows.SITE.")

    def __str__(self):
        return f"List row of block {self.block_id}"


class BlockResource(models.Model):
    """Estimated resources of one mineral in a block and the price that values them (RULES.md s.2)."""

    class PriceBasis(models.TextChoices):
        STATE = "state", "IBM average for the State"
        PAN_INDIA = "pan_india", "IBM pan-India average (no State figure)"

    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="resources")
    mineral = models.ForeignKey(Mineral, on_delete=models.PROTECT, related_name="+")
    quantity_tonnes = models.DecimalField(max_digits=18, decimal_places=3, validators=NON_NEGATIVE)
    grade = models.CharField(max_length=60, blank=True, help_text="e.g. 0.8% Li2O")
    price_per_tonne = models.DecimalField(
        "IBM average sale price (INR/t, last 12 months)", max_digits=14, decimal_places=2, validators=NON_NEGATIVE
    )
    price_basis = models.CharField(max_length=10, choices=PriceBasis.choices, default=PriceBasis.STATE)
    value = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["block", "mineral"], name="resource_unique_block_mineral")]

    def __str__(self):
        return f"{self.mineral} in {self.block.code}"


class BlockImport(models.Model):
    """A bulk import of blocks from a CSV and a GeoJSON file of boundaries (blocks.imports).

    The files are kept in the row so that any worker can read them. Every row is validated first; nothing is
    imported until the regulator confirms, and only the valid rows when some were rejected.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be checked"
        VALIDATING = "validating", "Checking rows"
        VALIDATED = "validated", "Checked: waiting for your decision"
        IMPORT_QUEUED = "import_queued", "Waiting to import"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"

    # Statuses in which a worker still has something to do: the page keeps polling.
    RUNNING_STATUSES = (Status.QUEUED, Status.VALIDATING, Status.IMPORT_QUEUED, Status.IMPORTING)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="block_imports",
        help_text="The regulator who uploaded.",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, db_index=True)
    csv_name = models.CharField(max_length=255)
    csv_text = models.TextField()
    geojson_name = models.CharField(max_length=255)
    geojson_text = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    total_rows = models.PositiveIntegerField(default=0)
    validated_rows = models.PositiveIntegerField("rows checked", default=0)
    rejected_rows = models.JSONField(
        default=list, blank=True, help_text="[{row, code, reason, fields}] for every row refused by the check."
    )
    notes = models.JSONField(default=list, blank=True, help_text="Remarks on the files that reject no row.")
    valid_only = models.BooleanField(default=False, help_text="The regulator chose to import the valid rows only.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who confirmed.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rows_to_import = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField("rows processed by the import", default=0)
    created_codes = models.JSONField(default=list, blank=True, help_text="Codes of the blocks created.")
    import_failures = models.JSONField(
        default=list, blank=True, help_text="[{row, code, reason, fields}] for rows refused when importing."
    )
    error = models.TextField(blank=True, help_text="Why the job failed, when it did.")
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the worker on the job; a stale one may be taken over."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"Import {self.pk} of {self.csv_name} ({self.get_status_display()})"

    @property
    def rejected_count(self) -> int:
        return len(self.rejected_rows or [])

    @property
    def valid_count(self) -> int:
        return max(self.total_rows - self.rejected_count, 0)

    @property
    def created_count(self) -> int:
        return len(self.created_codes or [])


# --- Auctions (RULES.md section 3) -------------------------------------------------------------------------
