"""The signed-in API after the auction (RULES.md s.3 items 11 to 14): a licence's obligations, payments and their
confirmation, the Letter of Intent, milestones, the development agreement, execution, revocation for default,
and monthly premium returns. Thin views over licences.services (which check the actor's role and the rules)
and licences.selectors.dues (which decide who may read a licence's dues: its holder's members and regulators).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from bidders.permissions import IsRegulator
from blocks.constants import LeaseKind
from core.api import UNAUTHENTICATED, ActApi, ActDoc, error_response, reason_input
from core.authentication import TokenAuthentication
from core.fields import DateField, ExactDecimalField, StrictCharField, StrictChoiceField, StrictRegexField
from core.pagination import KeysetCursorPagination
from licences import services as svc
from licences.models import Licence, Obligation, Payment, PremiumReturn
from licences.selectors import dues as sel

AUTH = [TokenAuthentication, SessionAuthentication]
TAG_FIRM = "licences: holder"
TAG_REGULATOR = "licences: regulator"

NOT_REGULATOR = error_response("`permission_denied`: signed in, but not a regulator.")
NOT_HOLDER_READER = error_response(
    "`permission_denied`: neither a regulator nor a member of the licence's holder (its dues are theirs to see)."
)
NOT_HOLDER_ACTOR = error_response(
    "`permission_denied`: not an administrator or authorised bidder of the licence's holder (a viewer may read, "
    "not act; a regulator confirms, not records)."
)
NO_LICENCE = error_response("`not_found`: no such licence.")


# --- Output --------------------------------------------------------------------------------------------------------


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    licence = serializers.IntegerField(source="licence_id")
    obligation = serializers.IntegerField(source="obligation_id")
    amount = ExactDecimalField(max_digits=18, decimal_places=2, help_text="INR, interest included.")
    reference = StrictCharField()
    paid_on = DateField()
    status = StrictChoiceField(
        choices=Payment.Status.choices,
        help_text="`recorded`: by the firm, awaiting the regulator; `confirmed`: the obligation is met; "
        "`rejected`: see `decision_note`, the obligation is due again.",
    )
    recorded_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = StrictCharField(help_text="The regulator's reason for a rejection.")
    interest = ExactDecimalField(
        max_digits=18, decimal_places=2, help_text="Interest for late payment included in `amount` (INR)."
    )
    interest_basis = StrictCharField(help_text="How the interest was computed; empty when none.")

    class Meta:
        ref_name = "HolderPayment"


class ObligationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = StrictChoiceField(choices=Obligation.Kind.choices)
    title = StrictCharField()
    due_on = DateField()
    amount = ExactDecimalField(
        max_digits=18, decimal_places=2, allow_null=True, help_text="INR; null for a milestone that is not money."
    )
    amount_due_today = ExactDecimalField(
        max_digits=18,
        decimal_places=2,
        allow_null=True,
        help_text="What a payment made today must be: the amount plus interest at 24% a year for the days beyond "
        "60 after the due date (none on the performance security); null when closed or not money.",
    )
    interest_basis = StrictCharField(help_text="How today's interest is computed; empty when none.")
    basis = StrictCharField(help_text="How the due date and the amount were computed, citing the rule.")
    status = StrictChoiceField(
        choices=Obligation.Status.choices,
        help_text="`pending`: open; `submitted`: a payment awaits confirmation; `met`; `missed`: open when the "
        "licence was revoked after its due date; `waived`: no longer due.",
    )
    overdue = serializers.BooleanField(
        help_text="True when still pending after its due date (India's date today), as the public register says too."
    )
    met_on = DateField(allow_null=True)
    penalty = ExactDecimalField(max_digits=18, decimal_places=2, help_text="Delay penalty, INR.")
    penalty_basis = StrictCharField()
    period = DateField(allow_null=True, help_text="For a monthly premium: the month (its first day).")
    payments = PaymentSerializer(many=True)

    class Meta:
        ref_name = "HolderObligation"


class LicenceProgressSerializer(serializers.Serializer):
    """A licence after the auction, as its holder and the regulator follow it."""

    class RevocationSerializer(serializers.Serializer):
        on = DateField()
        reason = StrictCharField()
        grounds = serializers.ListField(child=StrictCharField())
        rule = StrictCharField()
        appropriated = serializers.DictField(
            child=ExactDecimalField(max_digits=18, decimal_places=2),
            help_text="INR appropriated by kind: `bid_security`, `performance_security`.",
        )
        appropriation_basis = StrictCharField()

        class Meta:
            ref_name = "LicenceRevocation"

    id = serializers.IntegerField()
    number = StrictCharField()
    kind = StrictChoiceField(choices=LeaseKind.choices)
    holder = StrictCharField(source="holder.legal_name")
    block = StrictCharField(source="block.code")
    status = StrictChoiceField(choices=Licence.Status.choices)
    winning_offer_pct = ExactDecimalField(max_digits=7, decimal_places=2)
    value_of_estimated_resources = ExactDecimalField(max_digits=20, decimal_places=2)
    performance_security = ExactDecimalField(max_digits=18, decimal_places=2)
    upfront_payment = ExactDecimalField(max_digits=18, decimal_places=2)
    declared_on = DateField(allow_null=True)
    awarded_on = DateField(allow_null=True, help_text="The Letter of Intent.")
    starts_on = DateField(allow_null=True, help_text="Execution of the deed.")
    expires_on = DateField(allow_null=True)
    ended_on = DateField(allow_null=True)
    term_basis = StrictCharField(source="details.term_basis", default="", help_text="How the expiry follows.")
    revocation = RevocationSerializer(source="details.revocation", default=None, allow_null=True)

    class Meta:
        ref_name = "LicenceProgress"


class PremiumReturnSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    month = DateField(help_text="The first day of the month.")
    mineral = StrictCharField(source="mineral.slug")
    quantity_tonnes = ExactDecimalField(max_digits=18, decimal_places=3)
    price_per_tonne = ExactDecimalField(max_digits=18, decimal_places=2, help_text="IBM price, INR/t.")
    value_despatched = ExactDecimalField(max_digits=20, decimal_places=2, help_text="INR.")
    premium_pct = ExactDecimalField(max_digits=7, decimal_places=2, help_text="The winning offer.")
    concession_pct = ExactDecimalField(
        max_digits=5, decimal_places=2, help_text="The share of the premium payable: 50 early on, else 100."
    )
    premium = ExactDecimalField(max_digits=20, decimal_places=2, help_text="INR.")
    basis = StrictCharField()
    obligation = serializers.IntegerField(source="obligation_id", help_text="Pay it with POST .../payments.")
    due_on = DateField(source="obligation.due_on")
    obligation_status = StrictChoiceField(source="obligation.status", choices=Obligation.Status.choices)

    class Meta:
        ref_name = "PremiumReturn"


# --- Views -----------------------------------------------------------------------------------------------------------


def _progress(licence_id) -> dict:
    licence = Licence.objects.select_related("holder", "block").get(pk=licence_id)
    return LicenceProgressSerializer(licence).data


def _obligation(obligation_id) -> dict:
    obligation = Obligation.objects.select_related("licence").prefetch_related("payments").get(pk=obligation_id)
    row = sel.obligation_row(obligation, on=svc.today(), params=svc.params_of(obligation.licence))
    return ObligationSerializer(row).data


# The acts of this API (core.api.ActApi), by who acts and on what.


class RegulatorActApi(ActApi):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated, IsRegulator]
    doc_tags = [TAG_REGULATOR]
    forbidden = NOT_REGULATOR


class LicenceActApi(RegulatorActApi):
    queryset = Licence.objects.none()  # documents the path parameter
    serializer_class = LicenceProgressSerializer
    act_on = "licence_id"
    missing = NO_LICENCE

    def answer(self, pk, result):
        return _progress(pk)


class PaymentActApi(RegulatorActApi):
    queryset = Payment.objects.none()  # documents the path parameter
    serializer_class = PaymentSerializer
    act_on = "payment_id"
    missing = error_response("`not_found`: no such payment.")


# The holder records or files something new (the service checks the actor's role): 201, and a retry with the same
# Idempotency-Key records nothing twice.
class HolderFilingApi(ActApi):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated]
    queryset = Licence.objects.none()  # documents the path parameter
    act_on = "licence_id"
    answer_status = status.HTTP_201_CREATED
    doc_tags = [TAG_FIRM]
    forbidden = NOT_HOLDER_ACTOR
    missing = NO_LICENCE


class LicenceObligationsApi(generics.GenericAPIView):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated]
    queryset = Licence.objects.none()  # documents the path parameter
    serializer_class = ObligationSerializer

    @extend_schema(
        operation_id="licence_obligations_list",
        tags=[TAG_FIRM],
        summary="A licence's obligations, with their payments",
        description="Every instalment, security, milestone and premium of the licence in due-date order, each "
        "with how it was computed and, while open, what a payment today must be. For the holder's members "
        "and regulators.",
        responses={200: ObligationSerializer(many=True), 401: UNAUTHENTICATED, 403: NOT_HOLDER_READER, 404: NO_LICENCE},
    )
    def get(self, request, pk):
        licence, _ = sel.licence_access(user=request.user, licence_id=pk)
        return Response(ObligationSerializer(sel.obligation_rows(licence), many=True).data)


class LicencePaymentsApi(HolderFilingApi):
    serializer_class = PaymentSerializer

    class InputSerializer(serializers.Serializer):
        obligation = serializers.IntegerField(
            source="obligation_id", help_text="The id of an open money obligation of this licence."
        )
        amount = ExactDecimalField(
            max_digits=18, decimal_places=2, help_text="INR: exactly `amount_due_today` of the obligation on `paid_on`."
        )
        reference = StrictCharField(max_length=80, help_text="The bank's UTR, or the guarantee's number.")
        paid_on = DateField(help_text="Not in the future.")

        class Meta:
            ref_name = "PaymentRecordInput"

    act = staticmethod(svc.payment_record)
    idempotency_scope = "licences.payment_record"
    doc = ActDoc(
        operation_id="licence_payments_record",
        summary="Record a payment",
        description="The holder records a payment of an instalment, the performance security or a premium, with "
        "its reference; the regulator confirms it. The amount must be exactly what is due on `paid_on`, "
        "interest included (the refusal says the figure).",
        bad="`invalid`: a field is missing or malformed, or paid_on is in the future; `wrong_amount`: not the "
        "amount due (the message gives it); `not_this_licence`: the obligation is not this licence's.",
        conflict="`conflict`: the obligation is met, awaiting a decision, or the licence has ended; "
        "`duplicate_reference`: the reference was used for another payment of the licence.",
    )


class PaymentConfirmApi(PaymentActApi):
    act = staticmethod(svc.payment_confirm)
    doc = ActDoc(
        operation_id="payments_confirm",
        summary="Confirm a payment",
        description="The obligation is met on the payment date; interest for a late payment is kept with its basis. "
        "A premium payment of a lease with a parent exploration licence credits the EL holder its share.",
        conflict="`conflict`: already confirmed or rejected, or the licence has ended.",
    )


class PaymentRejectApi(PaymentActApi):
    InputSerializer = reason_input("PaymentRejectInput", max_length=300, help_text="Told to the firm.")

    act = staticmethod(svc.payment_reject)
    doc = ActDoc(
        operation_id="payments_reject",
        summary="Reject a payment",
        description="With a reason the firm reads; the obligation is due again.",
        bad="`invalid`: no reason given.",
        conflict="`conflict`: already confirmed or rejected.",
    )


class LicenceLoiApi(LicenceActApi):
    act = staticmethod(svc.licence_issue_loi)
    doc = ActDoc(
        operation_id="licences_issue_loi",
        summary="Issue the Letter of Intent",
        description="Today, once the first instalment and the performance security are confirmed; sets the "
        "milestones (and the second and third instalments) from today (RULES.md s.3 items 12, 13).",
        conflict="`conflict`: the first dues are not confirmed, the LoI is already issued, the licence has ended, "
        "or it is an exploration licence.",
    )


class ObligationMetApi(RegulatorActApi):
    queryset = Obligation.objects.none()  # documents the path parameter
    serializer_class = ObligationSerializer
    act_on = "obligation_id"
    missing = error_response("`not_found`: no such obligation.")

    class InputSerializer(serializers.Serializer):
        met_on = DateField(help_text="Not in the future, not before the Letter of Intent.")

        class Meta:
            ref_name = "ObligationMetInput"

    act = staticmethod(svc.obligation_mark_met)
    doc = ActDoc(
        operation_id="obligations_mark_met",
        summary="Record a milestone met",
        description="The mining plan, the environment clearance or G2. Late costs 1% of the performance security "
        "for each month or part of a month (RULES.md s.3 item 13), recorded as `penalty` with its basis.",
        bad="`invalid`: the date is missing, in the future or before the LoI, or the obligation is a payment, the "
        "agreement or the execution (they have their own actions).",
        conflict="`conflict`: already met, or the licence has ended.",
    )

    def answer(self, pk, result):
        return _obligation(result.pk)


class LicenceMdpaApi(LicenceActApi):
    class InputSerializer(serializers.Serializer):
        signed_on = DateField(required=False, help_text="Today if left out; not in the future.")

        class Meta:
            ref_name = "MdpaInput"

    act = staticmethod(svc.licence_sign_mdpa)
    doc = ActDoc(
        operation_id="licences_sign_mdpa",
        summary="Record the development agreement signed",
        description="Once the second instalment is confirmed: the preferred bidder becomes the successful bidder.",
        bad="`invalid`: the date is in the future or before the LoI.",
        conflict="`conflict`: the second instalment is not confirmed, or the licence is not at its LoI.",
    )


class LicenceExecuteApi(LicenceActApi):
    class InputSerializer(serializers.Serializer):
        executed_on = DateField(required=False, help_text="Today if left out; not in the future.")

        class Meta:
            ref_name = "ExecuteInput"

    act = staticmethod(svc.licence_execute)
    doc = ActDoc(
        operation_id="licences_execute",
        summary="Record the deed executed",
        description="Once the balance of the upfront payment is confirmed and, for an ML, the mining plan and the "
        "environment clearance are met: in force for 50 years from execution (s.8A(2) of the Act); the block "
        "is licensed.",
        bad="`invalid`: the date is in the future or before the LoI.",
        conflict="`conflict`: a prerequisite is not met, or the agreement is not signed.",
    )


class LicenceRevokeApi(LicenceActApi):
    InputSerializer = reason_input("RevokeInput", max_length=500, help_text="Published with the rule cited.")

    act = staticmethod(svc.licence_revoke)
    doc = ActDoc(
        operation_id="licences_revoke",
        summary="Revoke for default",
        description="Only on a ground: the first instalment or the security unpaid after 45 days, or a milestone "
        "overdue (RULES.md s.3 items 12, 13). The bid security (before the LoI) and the performance security "
        "(once furnished) are appropriated; open obligations end; the block returns to the registry.",
        bad="`invalid`: no reason given.",
        conflict="`conflict`: no ground for revocation today, or the licence is in force or has ended.",
    )


class PremiumPagination(KeysetCursorPagination):
    page_size = 60


class PremiumReturnsApi(HolderFilingApi):
    serializer_class = PremiumReturnSerializer
    pagination_class = PremiumPagination

    class InputSerializer(serializers.Serializer):
        month = StrictRegexField(
            r"^\d{4}-(0[1-9]|1[0-2])$", help_text="YYYY-MM: a month that has ended, not before execution."
        )
        mineral = StrictCharField(max_length=80, help_text="The slug of one of the licence's minerals.")
        quantity_tonnes = ExactDecimalField(max_digits=18, decimal_places=3, min_value=0)
        price_per_tonne = ExactDecimalField(
            max_digits=18, decimal_places=2, min_value=0, help_text="The IBM average sale price, INR per tonne."
        )

        class Meta:
            ref_name = "PremiumReturnInput"

    act = staticmethod(svc.premium_return_file)
    idempotency_scope = "licences.premium_return"
    doc = ActDoc(
        operation_id="licence_premium_returns_file",
        summary="File a monthly premium return",
        description="Premium = the winning % x the value of mineral despatched (quantity x IBM price), 50% of it "
        "within 5 (ML) or 7 (CL) years of the LoI (RULES.md s.3 item 14); due the 10th of the next month as an "
        "obligation, paid with POST .../payments.",
        bad="`invalid`: a month not ended or before execution, a mineral not of the licence, a negative figure.",
        conflict="`duplicate_return`: this month's return is already filed; `conflict`: the lease is not in force.",
    )

    @extend_schema(
        operation_id="licence_premium_returns_list",
        tags=[TAG_FIRM],
        summary="A lease's monthly premium returns",
        description="Newest month first, each with its premium, how it was computed, and its obligation's status.",
        responses={
            200: PremiumReturnSerializer(many=True),
            401: UNAUTHENTICATED,
            403: NOT_HOLDER_READER,
            404: NO_LICENCE,
        },
    )
    def get(self, request, pk):
        licence, _ = sel.licence_access(user=request.user, licence_id=pk)
        page = self.paginate_queryset(sel.premium_returns(licence))
        return self.get_paginated_response(PremiumReturnSerializer(page, many=True).data)

    def answer(self, pk, result):
        filed = PremiumReturn.objects.select_related("mineral", "obligation").get(pk=result.pk)
        return PremiumReturnSerializer(filed).data
