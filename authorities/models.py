"""The public bodies that act on a licence's clearances (and, in a later issue, on auctions): each with its
jurisdiction (all India or one State) and its supervising office, and the officers who act for it.

Data and constraints only; writes are in `authorities/services.py`. The app imports nothing of the domain: a
clearance case points at an authority, never the other way round.
"""

from django.conf import settings
from django.db import models

from core.india import STATE_CHOICES


class Authority(models.Model):
    """A public body: a ministry, its facilitation desk, the Indian Bureau of Mines, a State's mining department,
    a pollution control board, an environment impact assessment authority, the groundwater authority, the wildlife
    board. `code` is a stable slug (`ibm`, `moefcc`, `spcb-odisha`) that code and data may name."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", "Ministry"
        FACILITATION_DESK = "facilitation_desk", "Facilitation desk"
        MINES_BUREAU = "mines_bureau", "Bureau of mines"
        STATE_MINING = "state_mining", "State mining department"
        POLLUTION_BOARD = "pollution_board", "Pollution control board"
        IMPACT_ASSESSMENT = "impact_assessment", "Environment impact assessment authority"
        GROUNDWATER = "groundwater", "Groundwater authority"
        WILDLIFE_BOARD = "wildlife_board", "Wildlife board"

    code = models.SlugField(max_length=60, unique=True, help_text="Stable slug, e.g. ibm, moefcc, spcb-odisha.")
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=40, blank=True, help_text="e.g. IBM, MoEFCC, OSPCB.")
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    state = models.CharField(
        max_length=60, choices=STATE_CHOICES, blank=True, db_index=True, help_text="Empty: all India."
    )
    supervising_office = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised",
        help_text="Where an overdue case of this body is escalated (with the facilitation desk).",
    )
    facilitation_desk = models.BooleanField(
        default=False, help_text="The Ministry of Mines' desk: sees every case, decides none, hears escalations."
    )
    works_cases_here = models.BooleanField(
        default=False,
        help_text="Its officers work their cases in Khanij; otherwise its moves are recorded on its behalf.",
    )
    website = models.URLField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"
        constraints = [
            models.UniqueConstraint(
                fields=["facilitation_desk"], condition=models.Q(facilitation_desk=True), name="authority_one_desk"
            ),
            # One mining department, one pollution control board, one SEIAA... per State.
            models.UniqueConstraint(
                fields=["kind", "state"], condition=~models.Q(state=""), name="authority_one_per_kind_and_state"
            ),
            models.CheckConstraint(
                condition=~models.Q(supervising_office=models.F("pk")), name="authority_not_its_own_supervisor"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def jurisdiction(self) -> str:
        return self.state or "All India"


class Officer(models.Model):
    """A user acting for an authority, appointed and removed by an administrator or a regulator. A removed
    officer's row stays (who removed whom, when) so that the moves they recorded still name them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="officer_posts")
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="officers")
    designation = models.CharField(max_length=120, help_text="e.g. Regional Controller of Mines.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    removal_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["authority_id", "user_id"]
        permissions = [("manage_officers", "Can appoint and remove officers of public bodies")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "authority"],
                condition=models.Q(removed_at__isnull=True),
                name="officer_one_active_post_per_authority",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.designation}, {self.authority})"

    @property
    def active(self) -> bool:
        return self.removed_at is None
