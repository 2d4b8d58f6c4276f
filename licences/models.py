"""The licence register (ML, CL, EL) and what follows an auction: obligations with due dates, payments,
premium returns, EL reports and relinquishments, firms' proposals of EL areas. Their due dates are in
notifications' register (notifications.DueDate).

Data and constraints only; every write is in a service, every rule in `licences/rules/` (pure) and the
allowed status moves in `licences/lifecycle.py` (pure).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from blocks.constants import STATE_CHOICES, LeaseKind

NON_NEGATIVE = [MinValueValidator(0)]


class Licence(models.Model):
    """A mining lease, composite licence or exploration licence, from the preferred bidder (or the EL grant)
    to its end. The status moves only through `licences.lifecycle.TRANSITIONS`; every move is a
    `LicenceEvent` and a ledger entry on the stream `licence:<pk>`."""

    class Status(models.TextChoices):
        # ML / CL after the auction.
        PREFERRED_BIDDER = "preferred_bidder", "Preferred bidder declared"
        LOI_ISSUED = "loi_issued", "Letter of Intent issued"
        MDPA_SIGNED = "mdpa_signed", "Development agreement signed: successful bidder"
        # ML / CL executed, or EL granted.
        ACTIVE = "active", "In force"
        # EL.
        EXTENDED = "extended", "In force (extended)"
        DISCOVERY_REPORTED = "discovery_reported", "Geological report submitted: lease to be auctioned"
        # Ends.
        LOI_REVOKED = "loi_revoked", "Revoked: preferred bidder defaulted"
        EXPIRED = "expired", "Expired"
        SURRENDERED = "surrendered", "Surrendered"
        TERMINATED = "terminated", "Terminated"

    number = models.CharField(max_length=40, unique=True, help_text="e.g. ML/2026/0001")
    kind = models.CharField(max_length=2, choices=LeaseKind.choices, db_index=True)
    holder = models.ForeignKey("bidders.Firm", on_delete=models.PROTECT, related_name="licences")
    block = models.ForeignKey("blocks.Block", on_delete=models.PROTECT, related_name="licences")
    auction = models.OneToOneField(
        "auctions.Auction", on_delete=models.PROTECT, null=True, blank=True, related_name="licence"
    )
    parent_el = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leases",
        help_text="The exploration licence whose discovery this lease was auctioned on; its holder earns a share.",
    )
    state = models.CharField(max_length=60, choices=STATE_CHOICES, db_index=True)
    district = models.CharField(max_length=100, blank=True)
    minerals = models.ManyToManyField("blocks.Mineral", related_name="licences")
    boundary = models.JSONField(help_text="The area held now (GeoJSON Polygon or MultiPolygon, WGS 84).")
    area_hectares = models.DecimalField(max_digits=14, decimal_places=4)
    original_boundary = models.JSONField(help_text="The area granted, before any relinquishment.")
    original_area_hectares = models.DecimalField(max_digits=14, decimal_places=4)
    # ML/CL: the winning % of the value of mineral despatched; EL: the % share of the future premium.
    winning_offer_pct = models.DecimalField(max_digits=7, decimal_places=2)
    value_of_estimated_resources = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    performance_security = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    upfront_payment = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    params = models.JSONField(default=dict, help_text="The tranche's parameters (auctions.rules.AuctionParams).")
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)
    applied_on = models.DateField("application (bid due date)", null=True, blank=True)
    declared_on = models.DateField("preferred bidder declared", null=True, blank=True)
    awarded_on = models.DateField("award (LoI for ML/CL, grant for EL)", null=True, blank=True)
    starts_on = models.DateField("start (execution or grant)", null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    extended_to = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="Further facts (e.g. security appropriated).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["number"]
        indexes = [models.Index(fields=["kind", "status", "number"], name="licence_kind_status")]

    def __str__(self):
        return self.number

    @property
    def stream(self) -> str:
        return f"licence:{self.pk}"


class LicenceEvent(models.Model):
    """One move of a licence's status, or one act on it (a payment confirmed, a relinquishment): its history."""

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, help_text="The reason or the rule cited.")
    ledger_seq = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["licence", "at", "id"]

    def __str__(self):
        return f"{self.licence}: {self.kind} at {self.at:%Y-%m-%d}"


class Obligation(models.Model):
    """Something a licence's holder must do or pay by a date: an upfront instalment, the performance
    security, a milestone, an EL report or relinquishment, a monthly premium. `basis` says how the due date
    and the amount were computed, so every figure is explainable on the page."""

    class Kind(models.TextChoices):
        UPFRONT_1 = "upfront_1", "Upfront payment: first instalment"
        PERFORMANCE_SECURITY = "performance_security", "Performance security"
        UPFRONT_2 = "upfront_2", "Upfront payment: second instalment"
        UPFRONT_3 = "upfront_3", "Upfront payment: balance at execution"
        MINING_PLAN = "mining_plan", "Mining plan approved"
        ENVIRONMENT_CLEARANCE = "environment_clearance", "Environment clearance"
        MDPA = "mdpa", "Mine Development and Production Agreement signed"
        EXECUTION = "execution", "Lease deed executed"
        G2_REACHED = "g2_reached", "G2 exploration reached"
        PREMIUM = "premium", "Monthly premium"
        WORK_REPORT = "work_report", "Annual work-programme report"
        RELINQUISHMENT = "relinquishment", "Relinquishment to the retained area"
        EXPIRY = "expiry", "Licence expires"
        DISCOVERY_AUCTION = "discovery_auction", "Lease auctioned after the geological report"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUBMITTED = "submitted", "Submitted: awaiting the regulator"
        MET = "met", "Met"
        MISSED = "missed", "Missed"
        WAIVED = "waived", "No longer due"

    # Money the firm pays with a reference; the regulator confirms it.
    MONEY_KINDS = (Kind.UPFRONT_1, Kind.PERFORMANCE_SECURITY, Kind.UPFRONT_2, Kind.UPFRONT_3, Kind.PREMIUM)
    # A bank guarantee furnished, not money owed: no late interest on it.
    NO_INTEREST_KINDS = (Kind.PERFORMANCE_SECURITY,)
    # Milestones the regulator marks met with a date (MDPA and execution have their own acts).
    MARKABLE_KINDS = (Kind.MINING_PLAN, Kind.ENVIRONMENT_CLEARANCE, Kind.G2_REACHED)

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="obligations")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    title = models.CharField(max_length=200)
    due_on = models.DateField(db_index=True)
    amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    basis = models.TextField(blank=True, help_text="How the due date and the amount were computed, citing the rule.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    met_on = models.DateField(null=True, blank=True)
    penalty = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    penalty_basis = models.TextField(blank=True)
    period = models.DateField(null=True, blank=True, help_text="For a monthly premium: the month (its first day).")
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["licence", "due_on", "id"]
        constraints = [
            # A monthly premium is one obligation per return (a lease may despatch several minerals a month).
            models.UniqueConstraint(
                fields=["licence", "kind", "due_on"],
                condition=~models.Q(kind="premium"),
                name="obligation_once_per_due_date",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.licence}, due {self.due_on})"


class Payment(models.Model):
    """Money the holder says it paid, with the bank's reference; counts once the regulator confirms it."""

    class Status(models.TextChoices):
        RECORDED = "recorded", "Recorded by the firm: awaiting confirmation"
        CONFIRMED = "confirmed", "Confirmed by the regulator"
        REJECTED = "rejected", "Rejected by the regulator"

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="payments")
    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=18, decimal_places=2, validators=NON_NEGATIVE)
    reference = models.CharField(max_length=80, help_text="The bank's transaction number or guarantee number.")
    paid_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECORDED, db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    # The parts of the amount, as computed when confirmed (explainable on the page).
    interest = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    interest_basis = models.TextField(blank=True)

    class Meta:
        ordering = ["licence", "paid_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["licence", "reference"], name="payment_reference_once_per_licence"),
        ]

    def __str__(self):
        return f"{self.amount} for {self.obligation}"


class PremiumReturn(models.Model):
    """The lessee's monthly return: quantity despatched and the IBM price; premium = winning % x VMD
    (50% of it within the early-despatch years). Creates the month's premium obligation."""

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="premium_returns")
    month = models.DateField(help_text="The first day of the month.")
    mineral = models.ForeignKey("blocks.Mineral", on_delete=models.PROTECT, related_name="+")
    quantity_tonnes = models.DecimalField(max_digits=18, decimal_places=3, validators=NON_NEGATIVE)
    price_per_tonne = models.DecimalField("IBM average sale price (INR per tonne)", max_digits=18, decimal_places=2)
    value_despatched = models.DecimalField(max_digits=20, decimal_places=2)
    premium_pct = models.DecimalField(max_digits=7, decimal_places=2)
    concession_pct = models.DecimalField(
        max_digits=5, decimal_places=2, default=100, help_text="The share of the premium payable (50 early on)."
    )
    premium = models.DecimalField(max_digits=20, decimal_places=2)
    basis = models.TextField(blank=True)
    obligation = models.OneToOneField(Obligation, on_delete=models.PROTECT, related_name="premium_return")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["licence", "month"]
        constraints = [models.UniqueConstraint(fields=["licence", "month", "mineral"], name="premium_return_once")]

    def __str__(self):
        return f"{self.licence} {self.month:%b %Y}"


class PremiumShare(models.Model):
    """The EL holder's share of one confirmed premium payment of a lease auctioned on its discovery."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="el_share")
    lease = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="premium_shares_paid")
    el = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="premium_shares_earned")
    share_pct = models.DecimalField(max_digits=7, decimal_places=2)
    amount = models.DecimalField(max_digits=20, decimal_places=2)
    basis = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["el", "created_at"]

    def __str__(self):
        return f"{self.amount} to {self.el} from {self.lease}"


class Report(models.Model):
    """What an EL holder files: an annual work-programme report, the report of reasons with a
    relinquishment, or the geological report of a discovery."""

    class Kind(models.TextChoices):
        WORK_PROGRAMME = "work_programme", "Annual work-programme report"
        RELINQUISHMENT = "relinquishment", "Relinquishment: report of reasons"
        GEOLOGICAL = "geological", "Geological report (discovery)"

    licence = models.ForeignKey(Licence, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    summary = models.TextField()
    document = models.FileField(upload_to="licence_reports/%Y/%m/", blank=True)
    # Relinquishment: the area kept.
    retained_boundary = models.JSONField(null=True, blank=True)
    retained_area_hectares = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    # Geological report: the stage reached and resources found.
    stage_reached = models.CharField(max_length=2, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["licence", "submitted_at"]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.licence}"


class AreaProposal(models.Model):
    """A firm's proposal of an area for an EL auction: checked for overlaps and the area limit, then queued
    for the regulator, who accepts it (a block in the registry) or rejects it with a reason."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted: in the regulator's queue"
        ACCEPTED = "accepted", "Accepted: registered as a block"
        REJECTED = "rejected", "Rejected"

    firm = models.ForeignKey("bidders.Firm", on_delete=models.PROTECT, related_name="area_proposals")
    title = models.CharField(max_length=200)
    state = models.CharField(max_length=60, choices=STATE_CHOICES)
    district = models.CharField(max_length=100, blank=True)
    minerals = models.ManyToManyField("blocks.Mineral", related_name="+")
    boundary = models.JSONField()
    area_hectares = models.DecimalField(max_digits=14, decimal_places=4)
    rationale = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    decision_note = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    block = models.ForeignKey("blocks.Block", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"{self.title} ({self.firm})"


class AuctionRendering(models.Model):
    """An auction of the full dumps as last rendered (licences/renderings.py): its public CSV row (auctions.csv,
    results.csv) and its OCDS releases, with the fingerprint of everything they were computed from. A build re-renders
    only the auctions whose fingerprint has changed since; the files are then written from these rows. Derived data:
    emptying the table costs one full render, nothing else."""

    auction = models.OneToOneField(
        "auctions.Auction", on_delete=models.CASCADE, primary_key=True, related_name="rendering"
    )
    fingerprint = models.CharField(max_length=64)
    csv_line = models.TextField(help_text="The auction's CSV line as csv.writer writes it, line end included.")
    releases = models.TextField(help_text="Its OCDS releases, JSON-encoded and separated by commas, in date order.")
    release_count = models.PositiveSmallIntegerField()
    rendered_at = models.DateTimeField()

    def __str__(self):
        return f"Rendering of auction {self.auction_id}"
