from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from auctions.constants import STATE_CHOICES, AuctionAuthority, ExplorationStage, LeaseKind

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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="block_bbox_idx")]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def area_km2(self):
        return None if self.area_hectares is None else (self.area_hectares / Decimal(100)).quantize(Decimal("0.0001"))

    def is_illustrative(self, field: str) -> bool:
        return field in (self.illustrative_fields or [])


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
    """A bulk import of blocks from a CSV and a GeoJSON file of boundaries (auctions.imports).

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


class Schedule(models.Model):
    """The tender schedule (RULES.md s.2). A tranche sets it; each auction keeps its own copy, so that a
    second attempt can run on new dates under the same terms."""

    document_sale_starts_at = models.DateTimeField("tender-document sale opens")
    document_sale_ends_at = models.DateTimeField("tender-document sale closes")
    pre_bid_meeting_at = models.DateTimeField("pre-bid meeting", null=True, blank=True)
    bid_due_at = models.DateTimeField("bid due date", db_index=True)
    technical_evaluation_at = models.DateTimeField("technical evaluation (target)")
    opening_at = models.DateTimeField("opening of initial price offers (target)")
    e_auction_starts_at = models.DateTimeField("e-auction starts")

    class Meta:
        abstract = True


class Tranche(Schedule):
    """A notice inviting bids for a set of blocks, with the parameters of the Rules it runs under."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        NOTIFIED = "notified", "Notified"

    class Kind(models.TextChoices):
        LEASE = "lease", "Mining leases and composite licences (ascending auction)"
        EXPLORATION = "exploration", "Exploration licences (descending reverse auction)"

    name = models.CharField(max_length=120, unique=True, help_text="e.g. Tranche VII")
    kind = models.CharField(
        max_length=12,
        choices=Kind.choices,
        default=Kind.LEASE,
        db_index=True,
        help_text="What the tranche auctions: leases (ML/CL, the highest % of the value of mineral despatched wins) "
        "or exploration licences (EL, the lowest % share of the future auction premium wins; RULES.md s.4).",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    blocks = models.ManyToManyField(Block, related_name="tranches", blank=True)
    params = models.JSONField(default=dict, help_text="The parameters of the Rules (auctions.rules.AuctionParams).")
    tender_fee = models.DecimalField("tender fee (INR, before GST)", max_digits=14, decimal_places=2)
    net_worth_threshold = models.DecimalField("net-worth threshold (INR)", max_digits=18, decimal_places=2)
    notified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class Auction(Schedule):
    """One block, one attempt. A second attempt is a new row pointing at the first."""

    class Status(models.TextChoices):
        NOTIFIED = "notified", "Notified: bids invited"
        EVALUATION = "evaluation", "Bids closed: technical evaluation"
        OPENED = "opened", "Initial offers opened: e-auction"
        SETTLED = "settled", "Settled: preferred bidder declared"
        ANNULLED = "annulled", "Annulled"

    class Direction(models.TextChoices):
        ASCENDING = "ascending", "Ascending: the highest % of the value of mineral despatched wins"
        DESCENDING = "descending", "Descending: the lowest % share of the future premium wins"

    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="auctions")
    block = models.ForeignKey(Block, on_delete=models.PROTECT, related_name="auctions")
    attempt = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_attempt"
    )
    lease_kind = models.CharField(max_length=2, choices=LeaseKind.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.ASCENDING)
    reserve_price_pct = models.DecimalField("reserve price (or EL ceiling), %", max_digits=7, decimal_places=2)
    net_worth_threshold = models.DecimalField(max_digits=18, decimal_places=2)
    bid_security = models.DecimalField("bid security (INR)", max_digits=18, decimal_places=2)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOTIFIED, db_index=True)
    annulment_reason = models.CharField(max_length=120, blank=True)
    bids_closed_at = models.DateTimeField(null=True, blank=True)
    bid_count = models.PositiveIntegerField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    floor_price = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    starts_at = models.DateTimeField("e-auction opens", null=True, blank=True)
    closes_at = models.DateTimeField("e-auction closes (as extended)", null=True, blank=True, db_index=True)
    best_offer = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    best_participation = models.ForeignKey(
        "Participation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    offer_count = models.PositiveIntegerField(default=0)
    bidder_salt = models.CharField(max_length=64, blank=True, help_text="Published at the close.")
    settled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["bid_due_at", "block__code", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["tranche", "block", "attempt"], name="auction_unique_attempt"),
        ]

    def __str__(self):
        return f"{self.block.code} (attempt {self.attempt})"

    @property
    def ocid(self) -> str:
        return f"ocds-khanij-{self.pk}"

    @property
    def stream(self) -> str:
        return f"auction:{self.pk}"


class Participation(models.Model):
    """A firm in an auction: the tender document, the technical bid, the bid security, the sealed offer."""

    class Status(models.TextChoices):
        DOCUMENT_BOUGHT = "document_bought", "Tender document bought"
        SUBMITTED = "submitted", "Bid submitted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="participations")
    firm = models.ForeignKey("bidders.Firm", on_delete=models.PROTECT, related_name="participations")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DOCUMENT_BOUGHT)
    tender_fee_reference = models.CharField(max_length=80)
    tender_fee_paid_at = models.DateTimeField()
    bid_security_reference = models.CharField(max_length=80, blank=True)
    net_worth = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    declared_affiliates = models.TextField(blank=True)
    technical_bid_document = models.FileField(upload_to="technical_bids/%Y/%m/", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The sealed initial price offer: ciphertext and commitment only, until the opening.
    sealed_offer = models.TextField(blank=True)
    commitment = models.CharField(max_length=64, blank=True)
    # Technical evaluation.
    technically_qualified = models.BooleanField(null=True)
    evaluation_reason = models.CharField(max_length=300, blank=True)
    affiliate_flag = models.CharField(max_length=300, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evaluated_at = models.DateTimeField(null=True, blank=True)
    # The opening (technically qualified bidders only).
    initial_price_offer = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    offer_nonce = models.CharField(max_length=64, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    qualified = models.BooleanField("qualified bidder for round 2", null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["auction", "id"]
        constraints = [models.UniqueConstraint(fields=["auction", "firm"], name="participation_one_per_firm")]

    def __str__(self):
        return f"{self.firm} in {self.auction}"


class Offer(models.Model):
    """A final price offer of the e-auction (round 2). Never updated, never withdrawn."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="offers")
    participation = models.ForeignKey(Participation, on_delete=models.PROTECT, related_name="offers")
    seq = models.PositiveIntegerField()
    value = models.DecimalField(max_digits=7, decimal_places=2)
    placed_at = models.DateTimeField()

    class Meta:
        ordering = ["auction", "seq"]
        constraints = [models.UniqueConstraint(fields=["auction", "seq"], name="offer_unique_seq")]

    def __str__(self):
        return f"{self.value}% in {self.auction} (#{self.seq})"
