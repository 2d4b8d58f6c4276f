"""The acts on clearance cases in the API, each one service call (clearances.services) that checks who acts:
file (the licence holder), raise a query and move a stage on (the authority), answer (the applicant), decide with
reasons (the authority), contest a deemed decision, withdraw (the applicant), add a document (either side).

Recording on behalf of an authority that does not use Khanij is the same act with `acted_on` (the day the
authority acted: not in the future, not before the filing or the stage) and `reference` (its letter or file
number): its officer may, and a regulator may where the authority does not work its cases here.

Every act takes an `Idempotency-Key` (core.idempotency): a retry gets the first answer and does nothing twice.
Errors have the one JSON shape; bad input is a 400 naming the field, and nothing is changed.
"""

from django.utils import timezone
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated

from clearances import services as svc
from clearances.api.serializers import CaseSummarySerializer, DocumentSerializer
from clearances.models import Case, Decision
from clearances.pdf import document_problem
from clearances.selectors.lists import case_rows
from core.api import ActApi, ActDoc, error_response
from core.authentication import TokenAuthentication
from core.fields import DateField, StrictCharField, StrictChoiceField
from licences.models import Licence

AUTH = [TokenAuthentication, SessionAuthentication]
TAG = "clearances"
NO_CASE = error_response("`not_found`: no clearance case has this id.")
NO_LICENCE = error_response("`not_found`: no licence has this id.")
NOT_APPLICANT = error_response(
    "`permission_denied`: not an administrator or bidder of the licence's holder (a viewer follows, a regulator or "
    "officer does not act for the applicant)."
)
NOT_AUTHORITY = error_response(
    "`permission_denied`: not an officer of the case's authority, nor a regulator recording on behalf of an "
    "authority that does not use Khanij (the facilitation desk decides nothing)."
)
NOT_PARTY = error_response(
    "`permission_denied`: neither the applicant's acting members, the authority's officers, nor a regulator."
)
ON_BEHALF = (
    " To record the act an authority made in its own system, send `acted_on` (the day it acted) and `reference` "
    "(its letter or file number)."
)
DECIDE_OUTCOMES = [(Decision.Outcome.GRANTED.value, "Granted"), (Decision.Outcome.REFUSED.value, "Refused")]
REASONS_ERRORS = {"blank": "Give the reasons.", "required": "Give the reasons."}
RECORDED_BAD = (
    " `acted_on` in the future, before the filing or before the stage started; `reference` missing with `acted_on`."
)


def act_of(service, *, summary: str, conflict: str, description: str, bad: str, on_behalf: bool = True):
    """What an act declares of the service it calls: the service, its idempotency scope (`clearances.<name>`) and its
    documentation (operation `clearances_<name>`, less a leading `case_`). An act that may be recorded on behalf of an
    authority (`on_behalf`) says how in its description and what that adds to its 400."""
    name = service.__name__
    if on_behalf:
        description, bad = description + ON_BEHALF, bad + RECORDED_BAD
    doc = ActDoc(operation_id=f"clearances_{name.removeprefix('case_')}", summary=summary, description=description,
                 bad=bad, conflict=conflict)  # fmt: skip
    return staticmethod(service), f"clearances.{name}", doc


class RecordedInput(serializers.Serializer):
    acted_on = DateField(
        required=False, allow_null=True, help_text="The day the authority acted, when recording it on its behalf."
    )
    reference = StrictCharField(
        required=False, allow_blank=True, max_length=100, help_text="The authority's reference (with `acted_on`)."
    )


class CaseActApi(ActApi):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated]
    queryset = Case.objects.none()  # documents the path parameter
    act_on = "case_id"
    doc_tags = [TAG]
    forbidden = NOT_AUTHORITY
    missing = NO_CASE


class QuerySerializerOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="stage.case_id")
    stage = StrictCharField(source="stage.code")
    text = StrictCharField()
    raised_on = DateField()
    answered_on = DateField(allow_null=True)
    answer = StrictCharField()

    class Meta:
        ref_name = "ClearanceQueryAct"


class DecisionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    outcome = StrictChoiceField(choices=Decision.Outcome.choices)
    reasons = StrictCharField()
    conditions = StrictCharField()
    valid_until = DateField(allow_null=True)
    decided_on = DateField()
    external_reference = StrictCharField()

    class Meta:
        ref_name = "ClearanceDecisionAct"


def _case_answer(case_id) -> dict:
    return CaseSummarySerializer(case_rows(timezone.localdate()).get(pk=case_id)).data


class CaseFileApi(ActApi):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated]
    queryset = Licence.objects.none()
    act_on = "licence_id"
    answer_status = status.HTTP_201_CREATED
    doc_tags = [TAG]
    forbidden = NOT_APPLICANT
    missing = NO_LICENCE
    serializer_class = CaseSummarySerializer

    class InputSerializer(serializers.Serializer):
        kind = StrictChoiceField(choices=Case.Kind.choices)
        external_reference = StrictCharField(
            required=False, allow_blank=True, max_length=100, help_text="e.g. the PARIVESH proposal number."
        )
        groundwater_use = serializers.BooleanField(
            required=False, allow_null=True, default=None, help_text="The project will draw groundwater."
        )
        groundwater_m3_per_day = serializers.DecimalField(
            max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0
        )
        filed_on = DateField(
            required=False,
            allow_null=True,
            help_text="Only to record a case filed in the authority's own system (its officer, or a regulator where "
            "it does not use Khanij), with `external_reference`; the applicant files today and leaves it out.",
        )

        class Meta:
            ref_name = "ClearanceFileInput"

    act, idempotency_scope, doc = act_of(
        svc.case_file,
        summary="File a clearance case",
        description="The licence holder files a case of a kind the licence needs (RULES.md s.5: from the block's "
        "forest land, distance to a protected area, the declared groundwater use); the deciding body, the fast "
        "track (Part D or Part B minerals) and the stages with their targets follow from the data. The first "
        "stage's clock starts on the day of filing.",
        bad="`invalid`: a field is missing or malformed; `not_needed`: the licence does not need this kind (the "
        "message says why).",
        conflict="`conflict`: a case of this kind is open, or already granted, for the licence.",
        on_behalf=False,
    )

    def answer(self, pk, result):
        return _case_answer(result.pk)


class QueryRaiseApi(CaseActApi):
    serializer_class = QuerySerializerOut
    answer_status = status.HTTP_201_CREATED

    class InputSerializer(RecordedInput):
        text = StrictCharField(
            max_length=20_000,
            help_text="The essential details sought.",
            error_messages={"blank": "Write the essential details the applicant must send."},
        )

        class Meta:
            ref_name = "ClearanceQueryInput"

    act, idempotency_scope, doc = act_of(
        svc.query_raise,
        summary="Raise a query",
        description="The authority seeks essential details from the applicant: the open stage's clock stops until "
        "the answer (a Water Act consent's period restarts from the answer).",
        bad="`invalid`: no text.",
        conflict="`conflict`: the case is closed, a query is already open, or the stage is the applicant's.",
    )


class QueryAnswerApi(CaseActApi):
    serializer_class = QuerySerializerOut
    forbidden = NOT_APPLICANT

    class InputSerializer(RecordedInput):
        answer = StrictCharField(max_length=20_000, error_messages={"blank": "Write the answer."})

        class Meta:
            ref_name = "ClearanceAnswerInput"

    act, idempotency_scope, doc = act_of(
        svc.query_answer,
        summary="Answer the open query",
        description="The applicant answers; the clock runs again from the next day (the day of the answer counts).",
        bad="`invalid`: no answer.",
        conflict="`conflict`: no query is open, or the case is closed.",
    )


class StageAdvanceApi(CaseActApi):
    serializer_class = CaseSummarySerializer

    class InputSerializer(RecordedInput):
        note = StrictCharField(required=False, allow_blank=True, max_length=20_000)

        class Meta:
            ref_name = "ClearanceAdvanceInput"

    act, idempotency_scope, doc = act_of(
        svc.stage_advance,
        summary="Move the case to its next stage",
        description="Closes the open stage (its owner moves it: the authority, or the applicant for its own "
        "stages such as the EIA report) and starts the next; the last stage ends in a decision instead.",
        bad="`invalid`: malformed input.",
        conflict="`conflict`: the case is closed, a query is open, or the open stage is the last.",
    )

    def answer(self, pk, result):
        return _case_answer(pk)


class CaseDecideApi(CaseActApi):
    serializer_class = DecisionOutSerializer
    answer_status = status.HTTP_201_CREATED

    class InputSerializer(RecordedInput):
        outcome = StrictChoiceField(choices=DECIDE_OUTCOMES)
        reasons = StrictCharField(max_length=20_000, error_messages=REASONS_ERRORS)
        conditions = StrictCharField(required=False, allow_blank=True, max_length=20_000)
        valid_until = DateField(required=False, allow_null=True, help_text="Where the kind has a validity.")

        class Meta:
            ref_name = "ClearanceDecideInput"

    act, idempotency_scope, doc = act_of(
        svc.case_decide,
        summary="Decide the case, with reasons",
        description="Grant (at the last stage, no query open) or refuse (at any stage), always with reasons; a "
        "grant of a mining plan or an environment clearance meets the lease's milestone, dated by the decision. "
        "Past a silence rule's day the deemed decision is recorded first and this one contests it.",
        bad="`invalid`: no reasons, an unknown outcome, or a validity the kind does not allow.",
        conflict="`conflict`: the case is closed, not at its last stage (for a grant), or a query is open.",
    )


class CaseContestApi(CaseActApi):
    serializer_class = DecisionOutSerializer
    answer_status = status.HTTP_201_CREATED

    class InputSerializer(RecordedInput):
        reasons = StrictCharField(max_length=20_000, error_messages=REASONS_ERRORS)
        conditions = StrictCharField(required=False, allow_blank=True, max_length=20_000)

        class Meta:
            ref_name = "ClearanceContestInput"

    act, idempotency_scope, doc = act_of(
        svc.case_contest,
        summary="Contest a deemed decision",
        description="The authority's later decision, with reasons, beside the deemed one (which is never edited).",
        bad="`invalid`: no reasons.",
        conflict="`conflict`: the case was not deemed, or is already contested.",
    )


class CaseRevokeApi(CaseActApi):
    serializer_class = DecisionOutSerializer
    answer_status = status.HTTP_201_CREATED

    class InputSerializer(RecordedInput):
        reasons = StrictCharField(max_length=20_000, error_messages=REASONS_ERRORS)

        class Meta:
            ref_name = "ClearanceRevokeInput"

    act, idempotency_scope, doc = act_of(
        svc.case_revoke,
        summary="Revoke a forest clearance Stage I",
        description="The Centre revokes a granted Stage I past its validity (5 years) with no compliance report "
        "within it, with reasons (RULES.md s.5; amendment of 31 August 2025). Revoking again changes nothing.",
        bad="`invalid`: no reasons.",
        conflict="`conflict`: not a granted forest Stage I, still valid, or its compliance report came in time.",
    )


class CaseWithdrawApi(CaseActApi):
    serializer_class = DecisionOutSerializer
    forbidden = NOT_APPLICANT

    class InputSerializer(serializers.Serializer):
        reasons = StrictCharField(max_length=20_000, error_messages=REASONS_ERRORS)

        class Meta:
            ref_name = "ClearanceWithdrawInput"

    act, idempotency_scope, doc = act_of(
        svc.case_withdraw,
        summary="Withdraw the case",
        description="The applicant withdraws, with reasons; the open stage closes. Withdrawing again changes nothing.",
        bad="`invalid`: no reasons.",
        conflict="`conflict`: the case was decided.",
        on_behalf=False,
    )


class DocumentAddApi(CaseActApi):
    serializer_class = DocumentSerializer
    answer_status = status.HTTP_201_CREATED
    parser_classes = [MultiPartParser]
    request_media = ("multipart/form-data",)
    forbidden = NOT_PARTY

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="A PDF (checked by its content, not its name).")
        description = StrictCharField(required=False, allow_blank=True, max_length=300)
        public = serializers.BooleanField(required=False, default=False, help_text="Anyone may download it.")

        class Meta:
            ref_name = "ClearanceDocumentInput"

        def validate_file(self, upload):
            problem = document_problem(upload)
            if problem:
                raise serializers.ValidationError(problem)
            return upload

    act, idempotency_scope, doc = act_of(
        svc.document_add,
        summary="Add a document to the case",
        description="A PDF, kept in private storage with its size and SHA-256; downloadable by the case's own "
        "people, and by anyone when marked public.",
        bad="`invalid`: no file, an empty file, a file over the size limit (setting CLEARANCE_DOCUMENT_MAX_BYTES), not "
        "a PDF by its content, a damaged PDF, or one protected by a password.",
        conflict="`conflict`: the case changed meanwhile.",
        on_behalf=False,
    )

    def answer(self, pk, result):
        return DocumentSerializer(result, context={"request": self.request}).data
