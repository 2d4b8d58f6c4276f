"""Tranches, auctions (one block, one attempt), participations with their sealed offers, and e-auction offers.

A tranche or an auction is run on Khanij (`origin` "khanij"), or is **historic**: imported from the published record
of an auction the Ministry ran before (auctions.history). A historic one was never run here: it bypasses the status
moves, carries one ledger entry citing its source, and leaves empty (null) whatever the sources do not give (its
schedule, terms, bid counts, initial offers); every write of the auction refuses it (auctions.services.guards).
"""

from django.conf import settings
from django.db import models

from blocks.constants import LeaseKind
from blocks.models import Block


class Origin(models.TextChoices):
    KHANIJ = "khanij", "Run on Khanij"
    HISTORIC = "historic", "Historic: imported from the published record, not run on Khanij"


# The dates every notice run on Khanij sets: only a historic record may lack them.
REQUIRED_SCHEDULE = (
    "document_sale_starts_at",
    "document_sale_ends_at",
    "bid_due_at",
    "technical_evaluation_at",
    "opening_at",
    "e_auction_starts_at",
)


def _run_here_has(*fields: str) -> models.Q:
    """Rows run on Khanij have every one of `fields`; a historic one may leave them empty (not published)."""
    return models.Q(origin=Origin.HISTORIC) | models.Q(**{f"{name}__isnull": False for name in fields})


class Schedule(models.Model):
    """The tender schedule (RULES.md s.2). A tranche sets it; each auction keeps its own copy, so that a
    second attempt can run on new dates under the same terms. Every date is set by the notice of an auction run on
    Khanij (auctions.services.notice); they are empty only for a historic one, whose schedule was not published."""

    document_sale_starts_at = models.DateTimeField("tender-document sale opens", null=True, blank=True)
    document_sale_ends_at = models.DateTimeField("tender-document sale closes", null=True, blank=True)
    pre_bid_meeting_at = models.DateTimeField("pre-bid meeting", null=True, blank=True)
    bid_due_at = models.DateTimeField("bid due date", db_index=True, null=True, blank=True)
    technical_evaluation_at = models.DateTimeField("technical evaluation (target)", null=True, blank=True)
    opening_at = models.DateTimeField("opening of initial price offers (target)", null=True, blank=True)
    e_auction_starts_at = models.DateTimeField("e-auction starts", null=True, blank=True)

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
    tender_fee = models.DecimalField(
        "tender fee (INR, before GST)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    net_worth_threshold = models.DecimalField(
        "net-worth threshold (INR)", max_digits=18, decimal_places=2, null=True, blank=True
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.KHANIJ, db_index=True)
    launched_on = models.DateField(
        null=True, blank=True, help_text="Historic: the day the tranche was launched, as published."
    )
    bids_due_on = models.DateField(null=True, blank=True, help_text="Historic: the bid due date, where published.")
    published_block_count = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Historic: how many blocks the Ministry offered in the tranche, as published (the record imported "
        "may hold fewer).",
    )
    source_note = models.TextField(blank=True, help_text="Historic: where the tranche's published facts come from.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_run_here_has(*REQUIRED_SCHEDULE, "tender_fee", "net_worth_threshold"),
                name="tranche_run_here_has_notice",
            )
        ]

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

    class Opening(models.TextChoices):
        """The opening of the initial price offers as a job a worker does (auctions.services.opening): its progress,
        not a status of the auction (the auction moves evaluation -> opened or annulled when the job is done)."""

        NOT_REQUESTED = "", "Not requested yet"
        WAITING = "waiting", "Waiting for the technical evaluation"
        QUEUED = "queued", "Queued"
        RUNNING = "opening", "Opening"
        DONE = "done", "Done"
        FAILED = "failed", "Stopped: nothing was published"

    class Direction(models.TextChoices):
        ASCENDING = "ascending", "Ascending: the highest % of the value of mineral despatched wins"
        DESCENDING = "descending", "Descending: the lowest % share of the future premium wins"

    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="auctions")
    block = models.ForeignKey(Block, on_delete=models.PROTECT, related_name="auctions")
    attempt = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_attempt"
    )
    lease_kind = models.CharField(
        max_length=2,
        choices=LeaseKind.choices,
        blank=True,
        help_text="Empty only for a historic auction whose lease kind was not published.",
    )
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.ASCENDING)
    reserve_price_pct = models.DecimalField(
        "reserve price (or EL ceiling), %", max_digits=7, decimal_places=2, null=True, blank=True
    )
    net_worth_threshold = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    bid_security = models.DecimalField("bid security (INR)", max_digits=18, decimal_places=2, null=True, blank=True)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOTIFIED, db_index=True)
    annulment_reason = models.CharField(max_length=120, blank=True)
    bids_closed_at = models.DateTimeField(null=True, blank=True)
    bid_count = models.PositiveIntegerField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    # The opening's progress (Opening): who asked and when (nobody: the scheduled opening time), when a worker took
    # it, when it finished, and why it stopped.
    opening_status = models.CharField(max_length=8, choices=Opening.choices, blank=True, default="", db_index=True)
    opening_requested_at = models.DateTimeField(null=True, blank=True)
    opening_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opening_started_at = models.DateTimeField(null=True, blank=True)
    opening_finished_at = models.DateTimeField(null=True, blank=True)
    opening_error = models.CharField(max_length=300, blank=True)
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
    # The published record of a historic auction (auctions.history): never set on an auction run here.
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.KHANIJ, db_index=True)
    source_url = models.URLField(max_length=500, blank=True, help_text="Historic: the published source.")
    published_outcome = models.CharField(
        max_length=300, blank=True, help_text="Historic: the outcome as the source words it."
    )
    published_preferred_bidder = models.CharField(
        max_length=200,
        blank=True,
        help_text="Historic: the preferred bidder's name as published (a firm not registered on Khanij).",
    )
    published_final_offer = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True, help_text="Historic: the winning offer, %, as published."
    )
    declared_on = models.DateField(
        null=True, blank=True, help_text="Historic: the day the preferred bidder was declared, where published."
    )
    annulled_on = models.DateField(
        null=True, blank=True, help_text="Historic: the day of the annulment, where published."
    )

    class Meta:
        ordering = ["bid_due_at", "block__code", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["tranche", "block", "attempt"], name="auction_unique_attempt"),
            models.CheckConstraint(
                condition=_run_here_has(*REQUIRED_SCHEDULE, "reserve_price_pct", "net_worth_threshold", "bid_security")
                & (models.Q(origin=Origin.HISTORIC) | ~models.Q(lease_kind="")),
                name="auction_run_here_has_terms",
            ),
        ]

    def __str__(self):
        return f"{self.block.code} (attempt {self.attempt})"

    @property
    def ocid(self) -> str:
        return f"{settings.OCDS_OCID_PREFIX}-{self.pk}"

    @property
    def historic(self) -> bool:
        return self.origin == Origin.HISTORIC

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
