"""Clearance cases after a lease is won (RULES.md s.5): one case per licence and kind of approval, handled by one
authority, moving through stages from the kind's template; queries sent back to the applicant; decisions with
reasons; documents.

Data and constraints only. The law (which cases a licence needs, the stage templates, how a clock counts) is in
`clearances/rules.py` (pure); the allowed moves in `clearances/lifecycle.py`; every write in `clearances/services/`.
The clock of each stage is stored on every move (started on, clock started on, days paused, paused since, target
date, ended on), so that SQL counts days used and finds what is overdue from an index, without replaying history
(`clearances/selectors.py`, checked against the pure functions by tests).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from clearances.storage import private_storage


class Case(models.Model):
    """One approval a licence needs from one authority, from filing to its decision."""

    class Kind(models.TextChoices):
        MINING_PLAN = "mining_plan", "Mining plan approval"
        ENVIRONMENT = "environment", "Environment clearance"
        FOREST_STAGE_1 = "forest_stage_1", "Forest clearance Stage I (in-principle)"
        FOREST_STAGE_2 = "forest_stage_2", "Forest clearance Stage II (final)"
        WILDLIFE = "wildlife", "Wildlife clearance"
        WATER_CONSENT = "water_consent", "Consent under the Water Act (s.25)"
        AIR_CONSENT = "air_consent", "Consent under the Air Act (s.21)"
        GROUNDWATER = "groundwater", "Groundwater no-objection"

    class Status(models.TextChoices):
        FILED = "filed", "Filed"
        IN_PROGRESS = "in_progress", "In progress"
        DECIDED = "decided", "Decided"
        WITHDRAWN = "withdrawn", "Withdrawn by the applicant"

    class Outcome(models.TextChoices):
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"
        DEEMED = "deemed", "Deemed (the period expired without a decision)"
        REVOKED = "revoked", "Revoked"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class FiledVia(models.TextChoices):
        APPLICANT = "applicant", "Filed here by the applicant"
        RECORDED = "recorded", "Recorded from the authority's own system (on its behalf)"

    OPEN_STATUSES = (Status.FILED, Status.IN_PROGRESS)
    # Outcomes that stand as an approval (a lease milestone is met by them; execution may rely on them).
    STANDING_OUTCOMES = (Outcome.GRANTED, Outcome.DEEMED)

    licence = models.ForeignKey("licences.Licence", on_delete=models.PROTECT, related_name="clearance_cases")
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    authority = models.ForeignKey("authorities.Authority", on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.FILED, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, db_index=True)
    decided_on = models.DateField(null=True, blank=True)
    contested = models.BooleanField(
        default=False, help_text="The authority recorded a decision contesting a deemed one."
    )
    template = models.JSONField(help_text="The stage template, targets and rules the case was filed under.")
    fast_track = models.BooleanField(default=False, db_index=True)
    fast_track_minerals = models.JSONField(default=list, blank=True, help_text="The Part D or Part B minerals.")
    external_reference = models.CharField(
        max_length=100, blank=True, help_text="e.g. the PARIVESH proposal number, or the board's application number."
    )
    filed_on = models.DateField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filed_via = models.CharField(max_length=10, choices=FiledVia.choices, default=FiledVia.APPLICANT)
    # Declared by the applicant in the application where relevant (environment, water consent, groundwater).
    groundwater_use = models.BooleanField(null=True, blank=True, help_text="The project will draw groundwater.")
    groundwater_m3_per_day = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="Further facts (e.g. demo data).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["licence_id", "kind", "filed_on", "id"]
        indexes = [
            # The authority's queue: fast-track first, then by filing (RULES.md s.5).
            models.Index(fields=["authority", "status", "-fast_track", "filed_on"], name="clearance_queue"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "kind"],
                condition=Q(status__in=["filed", "in_progress"]),
                name="clearance_one_open_case_per_kind",
            ),
            models.UniqueConstraint(
                fields=["licence", "kind"],
                condition=Q(outcome__in=["granted", "deemed"]),
                name="clearance_one_standing_approval_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["filed", "in_progress"], outcome="", decided_on__isnull=True)
                | Q(status="withdrawn", outcome="withdrawn", decided_on__isnull=False)
                | Q(
                    status="decided", outcome__in=["granted", "refused", "deemed", "revoked"], decided_on__isnull=False
                ),
                name="clearance_status_matches_outcome",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("filed_on")),
                name="clearance_decided_after_filing",
            ),
            models.CheckConstraint(
                condition=Q(groundwater_m3_per_day__isnull=True) | Q(groundwater_m3_per_day__gte=0),
                name="clearance_groundwater_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.licence_id} ({self.get_status_display()})"

    @property
    def stream(self) -> str:
        return f"clearance:{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Stage(models.Model):
    """One stage of a case, from its template: whose move it is, its target, what a query does to its clock, what
    silence does when the target passes; and the clock's fields, stored on every move."""

    class Owner(models.TextChoices):
        APPLICANT = "applicant", "The applicant"
        AUTHORITY = "authority", "The authority"

    class QueryEffect(models.TextChoices):
        PAUSE = "pause", "A query pauses the clock"
        RESTART = "restart", "A query restarts the period once answered"

    class Silence(models.TextChoices):
        NONE = "", "None: overdue and escalated"
        DEEMED_GRANTED = "deemed_granted", "Deemed given when the period expires (Water Act s.25(7))"
        TOR_STAND = "tor_stand", "The applicant's proposed terms of reference stand"
        PROCEED_AS_RECOMMENDED = "proceed_as_recommended", "The applicant may proceed as the committee recommended"

    class Status(models.TextChoices):
        PENDING = "pending", "Not started"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        SKIPPED = "skipped", "Not needed"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="stages")
    position = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    owner = models.CharField(max_length=10, choices=Owner.choices)
    target_days = models.PositiveIntegerField(null=True, blank=True)
    target_months = models.PositiveIntegerField(null=True, blank=True)
    query_effect = models.CharField(max_length=8, choices=QueryEffect.choices, default=QueryEffect.PAUSE)
    silence = models.CharField(max_length=24, choices=Silence.choices, blank=True, default="")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    skip_reason = models.CharField(max_length=300, blank=True)
    # The clock (RULES.md s.5, "Counting a clock"), stored on each move.
    started_on = models.DateField(null=True, blank=True)
    clock_started_on = models.DateField(
        null=True, blank=True, help_text="The day the period runs from (excluded); a restarting query moves it."
    )
    days_paused = models.PositiveIntegerField(default=0, help_text="Days not counted for answered queries.")
    paused_since = models.DateField(null=True, blank=True, help_text="The day the open query was raised.")
    target_date = models.DateField(
        null=True, blank=True, help_text="The last day of the target, as if no query paused it from now on."
    )
    ended_on = models.DateField(null=True, blank=True)
    ended_how = models.CharField(max_length=20, blank=True, help_text="advanced, decided, silence, withdrawn.")
    overdue_since = models.DateField(null=True, blank=True)
    escalated_on = models.DateField(null=True, blank=True)
    silence_effect_on = models.DateField(null=True, blank=True, help_text="The day the silence rule took effect.")

    class Meta:
        ordering = ["case_id", "position"]
        indexes = [
            # The sweeper's way in: open, running stages by their target date (never a scan of all stages).
            models.Index(
                fields=["target_date"],
                condition=Q(status="open", paused_since__isnull=True, target_date__isnull=False),
                name="clearance_stage_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="clearance_stage_position_once"),
            models.UniqueConstraint(fields=["case"], condition=Q(status="open"), name="clearance_one_open_stage"),
            models.CheckConstraint(
                condition=Q(target_days__isnull=True) | Q(target_months__isnull=True),
                name="clearance_stage_target_in_days_or_months",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "skipped"], started_on__isnull=True, ended_on__isnull=True)
                | Q(status="open", started_on__isnull=False, clock_started_on__isnull=False, ended_on__isnull=True)
                | Q(status="closed", started_on__isnull=False, ended_on__isnull=False, paused_since__isnull=True),
                name="clearance_stage_clock_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(clock_started_on__isnull=True) | Q(clock_started_on__gte=F("started_on")),
                name="clearance_stage_clock_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("clock_started_on")),
                name="clearance_stage_ends_after_clock",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()})"

    @property
    def has_clock(self) -> bool:
        return self.target_days is not None or self.target_months is not None


class Query(models.Model):
    """Essential details sought by the authority: the stage's clock pauses (or restarts once answered)."""

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="queries")
    text = models.TextField()
    raised_on = models.DateField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    on_behalf_of = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    external_reference = models.CharField(max_length=100, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(blank=True)
    closed_on = models.DateField(
        null=True, blank=True, help_text="The stage ended (a decision, a withdrawal) with the query unanswered."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["stage_id", "raised_on", "id"]
        verbose_name_plural = "queries"
        constraints = [
            models.UniqueConstraint(
                fields=["stage"],
                condition=Q(answered_on__isnull=True, closed_on__isnull=True),
                name="clearance_one_open_query_per_stage",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="clearance_query_has_text"),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=F("raised_on")),
                name="clearance_query_answered_after_raised",
            ),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | ~Q(answer=""), name="clearance_query_answer_has_text"
            ),
        ]

    def __str__(self):
        return f"Query of {self.raised_on} on {self.stage}"

    @property
    def is_open(self) -> bool:
        return self.answered_on is None and self.closed_on is None


class Decision(models.Model):
    """How a case ended, or a later act on its end: granted (with conditions and validity), refused, withdrawn by
    the applicant, deemed (silence), revoked (a forest Stage I past its validity), or contesting (the authority's
    later decision on a deemed one, which stands beside it and never edits it). Reasons are always given. Entered
    by an officer, by the regulator "on behalf of" an authority that does not use Khanij (with the date and the
    authority's reference), or by operation of law (`recorded_by` empty)."""

    class Outcome(models.TextChoices):
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn by the applicant"
        DEEMED = "deemed", "Deemed"
        REVOKED = "revoked", "Revoked"
        CONTESTING = "contesting", "Contesting a deemed decision"

    # The decisions that end a case (one per case); revocation and contesting come after one.
    ENDING = (Outcome.GRANTED, Outcome.REFUSED, Outcome.WITHDRAWN, Outcome.DEEMED)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reasons = models.TextField()
    conditions = models.TextField(blank=True)
    valid_until = models.DateField(null=True, blank=True)
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: by operation of law (a silence rule).",
    )
    on_behalf_of = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    external_reference = models.CharField(max_length=100, blank=True)
    contests = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="contested_by")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "decided_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reasons=""), name="clearance_decision_has_reasons"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(outcome__in=["granted", "refused", "withdrawn", "deemed"]),
                name="clearance_one_ending_decision",
            ),
            models.UniqueConstraint(fields=["case"], condition=Q(outcome="revoked"), name="clearance_revoked_once"),
            models.CheckConstraint(
                condition=Q(outcome="contesting", contests__isnull=False)
                | (~Q(outcome="contesting") & Q(contests__isnull=True)),
                name="clearance_contesting_names_the_deemed",
            ),
            models.CheckConstraint(
                condition=Q(on_behalf_of__isnull=True) | ~Q(external_reference=""),
                name="clearance_on_behalf_has_reference",
            ),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} on {self.decided_on} ({self.case_id})"


class Document(models.Model):
    """A file of a case (the application, a report, the decision letter), kept in private storage: only those who
    may see the case can fetch it, and the public only when it is marked public."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    file = models.FileField(storage=private_storage, upload_to="clearances/%Y/%m/", max_length=300)
    name = models.CharField(max_length=200, help_text="The file's name as uploaded.")
    description = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=60, default="application/pdf")
    public = models.BooleanField(default=False, help_text="Shown to the public on the licence's page.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "uploaded_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(size__gt=0), name="clearance_document_not_empty")]

    def __str__(self):
        return self.name
