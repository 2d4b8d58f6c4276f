from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from bidders import rules
from bidders.validators import validate_cin, validate_pan

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Firm(models.Model):
    legal_name = models.CharField(max_length=200)
    cin = models.CharField("CIN", max_length=21, unique=True, validators=[validate_cin])
    pan = models.CharField("PAN", max_length=10, unique=True, validators=[validate_pan])
    registered_address = models.TextField()
    incorporated_in_india = models.BooleanField(
        default=True, help_text="Registered in India under the Companies Act (EL eligibility)."
    )
    net_worth = models.DecimalField(
        "net worth (INR)", max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    net_worth_as_of = models.DateField("net worth as of")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            # Two firms never share a name, whatever its case: a bidder's name is what the public reads.
            models.UniqueConstraint(Lower("legal_name"), name="firm_unique_legal_name"),
        ]

    def __str__(self):
        return self.legal_name


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = rules.ADMIN, "Administrator"
        BIDDER = rules.BIDDER, "Authorised bidder"
        VIEWER = rules.VIEWER, "Viewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.BIDDER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "firm"], name="membership_unique_user_firm")]

    def __str__(self):
        return f"{self.user} @ {self.firm} ({self.role})"


class Affiliation(models.Model):
    """A declared link between two firms: common control or beneficial ownership (Rules: affiliates)."""

    class Kind(models.TextChoices):
        HOLDING = "holding", "Holding company"
        SUBSIDIARY = "subsidiary", "Subsidiary"
        COMMON_CONTROL = "common_control", "Under common control"
        BENEFICIAL_OWNERSHIP = "beneficial_ownership", "Common beneficial ownership"

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="affiliations")
    affiliate = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="affiliated_by")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    share = models.DecimalField("share (%)", max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["firm", "affiliate"], name="affiliation_unique_pair"),
            models.CheckConstraint(condition=~Q(firm=F("affiliate")), name="affiliation_not_self"),
        ]

    def __str__(self):
        return f"{self.firm} ~ {self.affiliate} ({self.kind})"


class BeneficialOwner(models.Model):
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="beneficial_owners")
    name = models.CharField(max_length=200)
    pan = models.CharField("PAN", max_length=10, validators=[validate_pan])
    nationality = models.CharField(max_length=60, default="Indian")
    share = models.DecimalField("share (%)", max_digits=5, decimal_places=2, validators=PERCENT)
    has_control = models.BooleanField(default=False, help_text="Exercises control (directly or indirectly).")
    created_at = models.DateTimeField(auto_now_add=True)
    # Consent to publication (Digital Personal Data Protection Act 2023, s.6): given when the owner is declared, after
    # the notice `bidders.ownership_notice.NOTICE` (its version is kept with the time). An owner without it is
    # never published (bidders.bods).
    publication_consent_at = models.DateTimeField(
        null=True, blank=True, help_text="When consent to publish the name, nationality and interest was recorded."
    )
    publication_notice_version = models.CharField(
        max_length=40, blank=True, help_text="The version of the notice shown when consent was given."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["firm", "pan"], name="beneficial_owner_unique_pan")]

    def __str__(self):
        return f"{self.name} ({self.share}% of {self.firm})"


class EligibilityDocument(models.Model):
    class Kind(models.TextChoices):
        INCORPORATION = "incorporation", "Certificate of incorporation"
        NET_WORTH = "net_worth", "Net-worth certificate"
        AUDITED_ACCOUNTS = "audited_accounts", "Audited accounts"
        OTHER = "other", "Other"

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to="eligibility/%Y/%m/")
    description = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.get_kind_display()} of {self.firm}"
