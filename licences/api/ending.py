"""The API of a licence's end by surrender or termination (RULES.md s.3 item 19; licences.services.ending): the
holder gives notice of surrender, the regulator records the surrender once the notice has run (and returns the
performance security it held once the dues are met), or terminates for breach after notice and a hearing. Each POST
is idempotent by its Idempotency-Key."""

from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from core.api import ActApi, ActDoc
from core.authentication import TokenAuthentication
from core.fields import BooleanField, DateField, ExactDecimalField, StrictCharField, StrictChoiceField
from licences import services as svc
from licences.api.lease import NO_LICENCE, NOT_HOLDER_ACTOR, TAG_FIRM, LicenceActApi, LicenceProgressSerializer
from licences.models import Licence

SECURITY = [
    ("none", "No performance security was held"),
    ("held", "Held until the dues and closure obligations are settled"),
    ("returned", "Returned (`performance_security_returned_on` when after the surrender)"),
    ("forfeited", "Forfeited"),
]


class _EndSerializer(serializers.Serializer):
    reason = StrictCharField()
    rule = StrictCharField()
    last_day = DateField(help_text="The licence's last day in force.")
    dues_payable = serializers.IntegerField(
        required=False, help_text="Dues that fell due up to the last day and stay payable; once ended."
    )
    obligations_no_longer_due = serializers.IntegerField(required=False, help_text="Those due later; once ended.")
    performance_security = StrictChoiceField(choices=SECURITY, required=False, help_text="Once ended.")
    performance_security_amount = ExactDecimalField(max_digits=18, decimal_places=2, required=False)
    performance_security_basis = StrictCharField(required=False)
    performance_security_returned_on = DateField(required=False, help_text="When returned after the surrender.")


class SurrenderSerializer(_EndSerializer):
    notice_on = DateField(help_text="The day notice was given.")
    notice_months = serializers.IntegerField(help_text="The notice its tranche asks (RULES.md s.3 item 19).")

    class Meta:
        ref_name = "LicenceSurrender"


class TerminationSerializer(_EndSerializer):
    on = DateField(help_text="The day of the termination.")
    notice_on = DateField(help_text="The notice of the breach served on the holder.")
    heard_on = DateField(help_text="The hearing of the holder.")

    class Meta:
        ref_name = "LicenceTermination"


class LicenceEndingSerializer(LicenceProgressSerializer):
    surrender = SurrenderSerializer(
        source="details.surrender", default=None, allow_null=True, help_text="Notice given, or the surrender."
    )
    termination = TerminationSerializer(source="details.termination", default=None, allow_null=True)

    class Meta:
        ref_name = "LicenceEnding"


def _ending(licence_id) -> dict:
    return LicenceEndingSerializer(Licence.objects.select_related("holder", "block").get(pk=licence_id)).data


class LicenceSurrenderApi(ActApi):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    queryset = Licence.objects.none()  # documents the path parameter
    serializer_class = LicenceEndingSerializer
    act_on = "licence_id"
    doc_tags = [TAG_FIRM]
    forbidden = NOT_HOLDER_ACTOR
    missing = NO_LICENCE

    class InputSerializer(serializers.Serializer):
        reason = StrictCharField(max_length=500, help_text="Published in the licence register.")
        last_day = DateField(
            required=False, help_text="The last day in force, if later than the notice allows; else left out."
        )

        class Meta:
            ref_name = "SurrenderNoticeInput"

    act = staticmethod(svc.licence_surrender_notify)
    idempotency_scope = "licences.surrender_notice"
    doc = ActDoc(
        operation_id="licences_surrender_notify",
        summary="Give notice of surrender",
        description="The holder's administrator or bidder gives notice of surrender of the whole licence (RULES.md "
        "s.3 item 19): it stays in force until the notice has run (12 months by default, the tranche's parameter), "
        "the day after notice excluded, or until a later `last_day`. The regulator then records the surrender.",
        bad="`invalid`: no reason, or a last day before the notice allows.",
        conflict="`conflict`: the licence is not in force, notice was already given, or it expires first.",
    )

    def answer(self, pk, result):
        return _ending(pk)


class LicenceSurrenderAcceptApi(LicenceActApi):
    serializer_class = LicenceEndingSerializer

    class InputSerializer(serializers.Serializer):
        closure_settled = BooleanField(
            required=False, default=False, help_text="The closure obligations are settled (checked by the regulator)."
        )

        class Meta:
            ref_name = "SurrenderAcceptInput"

    act = staticmethod(svc.licence_surrender_accept)
    idempotency_scope = "licences.surrender_accept"
    doc = ActDoc(
        operation_id="licences_surrender_accept",
        summary="Record a surrender",
        description="Once the notice has run: the licence ends on its last day; later obligations are no longer "
        "due, earlier dues stay payable; the performance security is returned once the dues and the closure "
        "obligations are settled; the block goes back to the registry (RULES.md s.3 item 19).",
        conflict="`conflict`: no notice given, the notice has not run yet, or the licence is not in force.",
    )

    def answer(self, pk, result):
        return _ending(pk)


class LicenceTerminateApi(LicenceActApi):
    serializer_class = LicenceEndingSerializer

    class InputSerializer(serializers.Serializer):
        reason = StrictCharField(max_length=500, help_text="The breach; published in the licence register.")
        notice_on = DateField(required=False, allow_null=True, default=None, help_text="The notice of the breach.")
        heard_on = DateField(required=False, allow_null=True, default=None, help_text="The hearing of the holder.")

        class Meta:
            ref_name = "TerminateInput"

    act = staticmethod(svc.licence_terminate)
    idempotency_scope = "licences.terminate"
    doc = ActDoc(
        operation_id="licences_terminate",
        summary="Terminate for breach",
        description="After notice to the holder and a hearing (RULES.md s.3 item 19): the licence ends today; later "
        "obligations are no longer due, earlier dues stay payable; the performance security is forfeited; the block "
        "goes back to the registry.",
        bad="`invalid`: no reason, no notice or hearing, a hearing before the notice, or either in the future.",
        conflict="`conflict`: the licence is not in force.",
    )

    def answer(self, pk, result):
        return _ending(pk)


class LicenceSecurityReleaseApi(LicenceActApi):
    serializer_class = LicenceEndingSerializer
    act = staticmethod(svc.licence_security_release)
    idempotency_scope = "licences.security_release"
    doc = ActDoc(
        operation_id="licences_security_release",
        summary="Return the performance security after a surrender",
        description="Once every due that stayed payable after the surrender is met; by acting the regulator finds "
        "the closure obligations settled (RULES.md s.3 item 19).",
        conflict="`conflict`: the licence holds no security awaiting return, or dues are still open (named).",
    )

    def answer(self, pk, result):
        return _ending(pk)
