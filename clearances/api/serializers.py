"""What the API says of a clearance case: the public record (anyone), and the case's own people's view (the
applicant, the authority's officers, the facilitation desk, regulators), which adds the queries and every document.

Dates are calendar days in India (ISO 8601); days are counted as `clearances.rules.clock` counts them.
"""

from django.urls import reverse
from rest_framework import serializers

from clearances.models import Case, Decision, Document, Stage
from core.fields import DateField, StrictCharField, StrictChoiceField

TRACKS = [("fast_track", "Fast track"), ("ordinary", "Ordinary")]


def absolute(context, path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


def case_path(case_id: int) -> str:
    return reverse("clearances:case", args=[case_id])


def document_path(document: Document) -> str:
    return reverse("clearances:document", args=[document.case_id, document.pk])


class AuthorityRefSerializer(serializers.Serializer):
    code = StrictCharField(help_text="Stable code of the body, e.g. ibm, moefcc, spcb-odisha.")
    name = StrictCharField()
    state = StrictCharField(help_text="Empty: all India.")
    works_cases_here = serializers.BooleanField(
        help_text="Its officers work their cases in Khanij; otherwise its moves are recorded on its behalf."
    )

    class Meta:
        ref_name = "ClearanceAuthority"


class LicenceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = StrictCharField()
    holder = StrictCharField(source="holder.legal_name", help_text="The applicant: the licence holder.")
    state = StrictCharField()
    portal_url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ClearanceLicence"

    def get_portal_url(self, licence) -> str:
        return absolute(self.context, reverse("licence_detail", args=[licence.pk]))


class ClockSerializer(serializers.Serializer):
    """A stage's clock on the day of the request."""

    days_used = serializers.IntegerField(
        help_text="Days counted: from the day after the clock started, without the days a query waited on the "
        "applicant's answer."
    )
    days_allowed = serializers.IntegerField(allow_null=True, help_text="The target in days; null: no clock.")
    days_left = serializers.IntegerField(allow_null=True, help_text="Negative: overdue by that many days.")
    overdue = serializers.BooleanField()
    stopped = serializers.BooleanField(help_text="The clock is stopped: a query awaits the applicant's answer.")
    stopped_since = DateField(allow_null=True, help_text="The day the open query was raised.")
    target_date = DateField(
        allow_null=True, help_text="The target's last day, as if no query stops the clock from now on."
    )

    class Meta:
        ref_name = "ClearanceClock"


class StageSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    code = StrictCharField()
    name = StrictCharField()
    owner = StrictChoiceField(choices=Stage.Owner.choices, help_text="Whose move it is.")
    status = StrictChoiceField(choices=Stage.Status.choices)
    skip_reason = StrictCharField(help_text="Why the stage is not needed (e.g. the fast track).")
    target_days = serializers.IntegerField(allow_null=True)
    target_months = serializers.IntegerField(allow_null=True, help_text="A statutory period in calendar months.")
    query_effect = StrictChoiceField(choices=Stage.QueryEffect.choices)
    silence = StrictChoiceField(
        choices=Stage.Silence.choices, allow_blank=True, help_text="What silence does when the target passes."
    )
    started_on = DateField(allow_null=True)
    ended_on = DateField(allow_null=True)
    escalated_on = DateField(allow_null=True, help_text="Escalated to the supervising office and the desk.")
    silence_effect_on = DateField(allow_null=True, help_text="The day the silence rule took effect.")
    clock = ClockSerializer(allow_null=True, help_text="Null before the stage starts.")

    class Meta:
        ref_name = "ClearanceStage"

    def to_representation(self, view):
        data = super().to_representation(view.stage)
        data["clock"] = ClockSerializer(view.clock).data if view.clock else None
        return data


class DecisionSerializer(serializers.Serializer):
    outcome = StrictChoiceField(choices=Decision.Outcome.choices)
    outcome_label = StrictCharField(source="get_outcome_display")
    reasons = StrictCharField()
    conditions = StrictCharField()
    valid_until = DateField(allow_null=True)
    decided_on = DateField()
    by_operation_of_law = serializers.SerializerMethodField(help_text="A silence rule took effect (no one decided).")
    on_behalf_of = AuthorityRefSerializer(
        allow_null=True, help_text="Recorded here on behalf of this body, from its own system."
    )
    external_reference = StrictCharField(help_text="The body's own reference, when recorded on its behalf.")
    contests = DateField(
        source="contests.decided_on", allow_null=True, default=None, help_text="The deemed decision it contests."
    )

    class Meta:
        ref_name = "ClearanceDecision"

    def get_by_operation_of_law(self, decision) -> bool:
        return decision.recorded_by_id is None and decision.on_behalf_of_id is None


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = StrictCharField()
    description = StrictCharField()
    size = serializers.IntegerField(help_text="Bytes.")
    sha256 = StrictCharField(help_text="SHA-256 of the file, to check a copy.")
    public = serializers.BooleanField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="Download (the public may fetch only public documents).")

    class Meta:
        ref_name = "ClearanceDocument"

    def get_url(self, document) -> str:
        return absolute(self.context, document_path(document))


class CaseSummarySerializer(serializers.Serializer):
    """A case in a list (its open stage's clock counted by the database)."""

    id = serializers.IntegerField()
    licence = LicenceRefSerializer()
    kind = StrictChoiceField(choices=Case.Kind.choices)
    kind_label = StrictCharField(source="get_kind_display")
    authority = AuthorityRefSerializer()
    status = StrictChoiceField(choices=Case.Status.choices)
    outcome = StrictChoiceField(choices=Case.Outcome.choices, allow_blank=True)
    decided_on = DateField(allow_null=True)
    contested = serializers.BooleanField(help_text="The authority recorded a decision contesting a deemed one.")
    fast_track = serializers.BooleanField(help_text="Taken up out of turn (Part D or Part B minerals).")
    fast_track_minerals = serializers.ListField(child=StrictCharField())
    external_reference = StrictCharField(help_text="e.g. the PARIVESH proposal number.")
    filed_on = DateField()
    stage = StrictCharField(source="stage_name", allow_null=True, help_text="The open stage; null when closed.")
    stage_owner = StrictChoiceField(choices=Stage.Owner.choices, allow_null=True)
    days_used = serializers.IntegerField(allow_null=True)
    days_allowed = serializers.IntegerField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True, help_text="Negative: overdue by that many days.")
    target_date = DateField(source="stage_target_date", allow_null=True)
    overdue = serializers.BooleanField()
    clock_stopped = serializers.BooleanField(help_text="A query awaits the applicant's answer.")
    escalated_on = DateField(source="stage_escalated_on", allow_null=True)
    portal_url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ClearanceCaseSummary"

    def get_portal_url(self, case) -> str:
        return absolute(self.context, case_path(case.pk))


class CaseDetailSerializer(serializers.Serializer):
    """One case's public record (`view`: a `clearances.selectors.public.PublicCase`)."""

    id = serializers.IntegerField(source="case.id")
    licence = LicenceRefSerializer(source="case.licence")
    kind = StrictChoiceField(source="case.kind", choices=Case.Kind.choices)
    kind_label = StrictCharField(source="case.get_kind_display")
    authority = AuthorityRefSerializer(source="case.authority")
    status = StrictChoiceField(source="case.status", choices=Case.Status.choices)
    outcome = StrictChoiceField(source="case.outcome", choices=Case.Outcome.choices, allow_blank=True)
    decided_on = DateField(source="case.decided_on", allow_null=True)
    contested = serializers.BooleanField(source="case.contested")
    fast_track = serializers.BooleanField(source="case.fast_track")
    fast_track_minerals = serializers.ListField(source="case.fast_track_minerals", child=StrictCharField())
    external_reference = StrictCharField(source="case.external_reference")
    filed_on = DateField(source="case.filed_on")
    filed_via = StrictChoiceField(source="case.filed_via", choices=Case.FiledVia.choices)
    stages = StageSerializer(many=True)
    decisions = DecisionSerializer(many=True)
    documents = DocumentSerializer(many=True, help_text="Only those marked public.")
    ledger_url = serializers.SerializerMethodField(help_text="The case's stream in the public ledger.")
    portal_url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ClearanceCase"

    def get_ledger_url(self, view) -> str:
        return absolute(self.context, reverse("public-ledger-stream", kwargs={"stream": view.case.stream}))

    def get_portal_url(self, view) -> str:
        return absolute(self.context, case_path(view.case.pk))


class QuerySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stage = StrictCharField(source="stage.code")
    text = StrictCharField()
    raised_on = DateField()
    raised_by = StrictCharField(source="raised_by.username", default="", help_text="Empty: recorded.")
    on_behalf_of = StrictCharField(source="on_behalf_of.code", default=None, allow_null=True)
    external_reference = StrictCharField()
    answered_on = DateField(allow_null=True)
    answer = StrictCharField()
    closed_on = DateField(allow_null=True, help_text="The stage ended with the query unanswered.")

    class Meta:
        ref_name = "ClearanceQuery"


class CaseFullSerializer(CaseDetailSerializer):
    """The case as its own people see it: the public record, the queries and every document (`view`: a
    `clearances.selectors.lists.CaseView`; the caller's part in `context["role"]`)."""

    queries = QuerySerializer(many=True, help_text="Every query of the case, oldest first, with its answer.")
    documents = DocumentSerializer(many=True, help_text="Every document of the case.")
    role = serializers.SerializerMethodField(
        help_text="The caller's part in the case: applicant, applicant (viewer), officer, supervising office, "
        "facilitation desk or regulator."
    )

    class Meta:
        ref_name = "ClearanceCaseFull"

    def get_role(self, view) -> str:
        return self.context.get("role", "")


# --- Statistics -----------------------------------------------------------------------------------------------------


class TallySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Open, with the open stage past its target.")
    escalated = serializers.IntegerField(help_text="Open, with the open stage escalated.")
    granted = serializers.IntegerField()
    refused = serializers.IntegerField()
    deemed = serializers.IntegerField(help_text="Ended by a silence rule (Water Act s.25(7), the committee's "
                                      "recommendation standing).")  # fmt: skip
    withdrawn = serializers.IntegerField()
    decided = serializers.IntegerField(help_text="Granted, refused, deemed or (granted then) revoked.")
    in_time = serializers.IntegerField(
        help_text="Decided, not deemed, and every stage with a clock closed by its target date."
    )
    share_in_time_pct = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text="in_time / decided, %; null when none is decided."
    )

    class Meta:
        ref_name = "ClearanceTally"


def _tally(tally) -> dict:
    data = {name: getattr(tally, name) for name in TallySerializer().fields if name != "share_in_time_pct"}
    return {**data, "share_in_time_pct": tally.share_in_time}


class KindTallySerializer(TallySerializer):
    kind = StrictChoiceField(choices=Case.Kind.choices)
    kind_label = StrictCharField()

    class Meta:
        ref_name = "ClearanceKindTally"


class StateTallySerializer(TallySerializer):
    state = StrictCharField(help_text="The licence's State or Union Territory.")

    class Meta:
        ref_name = "ClearanceStateTally"


class AuthorityTallySerializer(TallySerializer):
    authority = StrictCharField(help_text="The body's code.")
    name = StrictCharField()

    class Meta:
        ref_name = "ClearanceAuthorityTally"


class TrackTallySerializer(TallySerializer):
    track = StrictChoiceField(choices=TRACKS)
    kind = StrictChoiceField(choices=Case.Kind.choices, allow_null=True, help_text="Null: every kind of case together.")

    class Meta:
        ref_name = "ClearanceTrackTally"


class StageFigureSerializer(serializers.Serializer):
    kind = StrictChoiceField(choices=Case.Kind.choices)
    kind_label = StrictCharField()
    code = StrictCharField(help_text="The stage's code in the kind's template.")
    name = StrictCharField()
    fast_track = serializers.BooleanField()
    closed = serializers.IntegerField(help_text="Stages closed (not by a withdrawal) that the figures cover.")
    median_days = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    target_days = serializers.DecimalField(
        max_digits=8, decimal_places=1, allow_null=True, help_text="The target in days (the median, for months)."
    )
    median_against_target_pct = serializers.DecimalField(
        source="median_against_target",
        max_digits=8,
        decimal_places=1,
        allow_null=True,
        help_text="The median as a % of the target: over 100 is slower than the target.",
    )
    in_time = serializers.IntegerField(help_text="Of those, closed by their target date.")

    class Meta:
        ref_name = "ClearanceStageFigure"


class StatisticsSerializer(serializers.Serializer):
    on = DateField(help_text="The day the figures are counted on (India).")
    definitions = serializers.DictField(child=StrictCharField(), help_text="What each figure counts.")
    overall = TallySerializer()
    by_kind = KindTallySerializer(many=True)
    by_state = StateTallySerializer(many=True)
    by_authority = AuthorityTallySerializer(many=True)
    fast_track_against_ordinary = TrackTallySerializer(many=True)
    stages = StageFigureSerializer(many=True, help_text="Median days per stage against its target.")

    class Meta:
        ref_name = "ClearanceStatistics"


DEFINITIONS = {
    "overdue": "An open case whose open stage has used more days than its target allows.",
    "decided": "A case ended by a decision or by operation of law: granted, refused, deemed (or granted and later "
    "revoked). A withdrawn case is not decided.",
    "in_time": "Decided, not deemed (silence is not a decision in time), and every stage with a clock closed by "
    "its target date.",
    "days": "Days from the day after a stage's clock started, without the days a query waited on the applicant's "
    "answer (General Clauses Act s.9; RULES.md s.5).",
    "median_days": "Over the stages of a kind that closed (not by a withdrawal): the median of the days used.",
}


def statistics_data(stats) -> dict:
    """`clearances.selectors.stats.Statistics` as the API's answer."""
    kinds = dict(Case.Kind.choices)
    tracks = [{"track": t, "kind": None, **_tally(v)} for t, v in sorted(stats.by_track.items())]
    order = list(kinds)
    by_kind = sorted(stats.kind_by_track.items(), key=lambda item: (order.index(item[0][0]), item[0][1]))
    tracks += [{"track": track, "kind": kind, **_tally(v)} for (kind, track), v in by_kind]
    data = {
        "on": stats.on,
        "definitions": DEFINITIONS,
        "overall": _tally(stats.overall),
        "by_kind": [{"kind": k, "kind_label": kinds[k], **_tally(v)} for k, v in stats.by_kind.items()],
        "by_state": [{"state": k, **_tally(v)} for k, v in stats.by_state.items()],
        "by_authority": [
            {"authority": code, "name": stats.authority_names.get(code, code), **_tally(v)}
            for code, v in stats.by_authority.items()
        ],
        "fast_track_against_ordinary": tracks,
        "stages": stats.stages,
    }
    return StatisticsSerializer(data).data
