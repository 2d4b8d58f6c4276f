"""The regulators' API of the central auction, under /api/v1/: tranches (draft, list, notify), the bids of an
auction for the technical evaluation, the evaluation, the rejection of affiliates, the second attempt (the opening is
auctions/api/opening.py).

Each view reads its input with a nested InputSerializer, calls one service of auctions.services (which checks the
actor's role and the rules and raises core.errors with a message for a person), and answers from the visibility
selectors (auctions.selectors), so no answer here shows a sealed offer before the opening: a regulator gets the
technical bids without their offers. An endpoint that is one service call on the object its path names is an act
(core.api.ActApi, bases in auctions.api.access). The firms' API is auctions/api/firm.py; the e-auction's offers
are in auctions/api/room.py.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from auctions import services as svc
from auctions.api.access import (
    INVALID,
    NOT_REGULATOR,
    Pagination,
    RegulatorAct,
    RegulatorAPIView,
)
from auctions.api.public import (
    TRANCHE_KIND_HELP,
    AuctionParamsInputSerializer,
    AuctionParamsSerializer,
    PublicAuctionSerializer,
    ScheduleSerializer,
)
from auctions.models import Auction, Participation, Tranche
from auctions.selectors.phase import PHASE_CHOICES
from auctions.selectors.public import public_auction, public_auction_get
from auctions.selectors.regulator import evaluation_bid, evaluation_bids, regulator_tranche, regulator_tranches
from core.api import IDEMPOTENCY_CONFLICT, UNAUTHENTICATED, ActDoc
from core.api import error_response as _error
from core.fields import BooleanField, ExactDecimalField, StrictCharField, StrictChoiceField
from core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent


class EvaluationBidSerializer(serializers.Serializer):
    """A bid as the regulator evaluates it: the firm, its declarations and flags; its offer only after the opening."""

    class FirmSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = StrictCharField()
        cin = StrictCharField()

        class Meta:
            ref_name = "EvaluationBidFirm"

    id = serializers.IntegerField(help_text="The participation id, for POST /api/v1/bids/{id}/evaluation.")
    firm = FirmSerializer()
    status = StrictChoiceField(choices=Participation.Status.choices)
    tender_fee_reference = StrictCharField()
    tender_fee_paid_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    commitment = StrictCharField(allow_null=True)
    net_worth = ExactDecimalField(max_digits=18, decimal_places=2, allow_null=True, help_text="Declared, INR.")
    net_worth_below_threshold = serializers.BooleanField(help_text="The declared net worth is below the tender's.")
    bid_security_reference = StrictCharField()
    declared_affiliates = StrictCharField()
    has_technical_bid_document = serializers.BooleanField()
    affiliate_flag = StrictCharField(
        help_text="Set at the bid due date when an affiliate (common control or beneficial ownership) also bid."
    )
    technically_qualified = serializers.BooleanField(allow_null=True, help_text="Null until evaluated.")
    evaluation_reason = StrictCharField()
    evaluated_at = serializers.DateTimeField(allow_null=True)
    initial_price_offer = ExactDecimalField(
        max_digits=7, decimal_places=2, allow_null=True, help_text="Null until the opening."
    )
    rank = serializers.IntegerField(allow_null=True, help_text="Null until the opening.")
    qualified = serializers.BooleanField(allow_null=True, help_text="Null until the opening.")

    class Meta:
        ref_name = "EvaluationBid"


class RegulatorTrancheSerializer(serializers.Serializer):
    class AuctionSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        block_code = StrictCharField()
        block_name = StrictCharField()
        attempt = serializers.IntegerField()
        phase = StrictChoiceField(choices=PHASE_CHOICES)
        phase_label = StrictCharField()

        class Meta:
            ref_name = "RegulatorTrancheAuction"

    id = serializers.IntegerField()
    name = StrictCharField()
    kind = StrictChoiceField(choices=Tranche.Kind.choices, help_text=TRANCHE_KIND_HELP)
    status = StrictChoiceField(
        choices=Tranche.Status.choices, help_text="`draft`: not public; `notified`: published, auctions created."
    )
    created_at = serializers.DateTimeField()
    notified_at = serializers.DateTimeField(allow_null=True)
    blocks = serializers.ListField(child=StrictCharField(), help_text="Block codes.")
    tender_fee = ExactDecimalField(max_digits=14, decimal_places=2, help_text="INR, before GST.")
    net_worth_threshold = ExactDecimalField(max_digits=18, decimal_places=2, help_text="INR.")
    params = AuctionParamsSerializer()
    schedule = ScheduleSerializer()
    auctions = AuctionSerializer(many=True, help_text="One per block once notified; empty for a draft.")

    class Meta:
        ref_name = "RegulatorTranche"


class ScheduleInputSerializer(serializers.Serializer):
    document_sale_starts_at = serializers.DateTimeField()
    document_sale_ends_at = serializers.DateTimeField()
    pre_bid_meeting_at = serializers.DateTimeField(required=False, allow_null=True)
    bid_due_at = serializers.DateTimeField()
    technical_evaluation_at = serializers.DateTimeField()
    opening_at = serializers.DateTimeField()
    e_auction_starts_at = serializers.DateTimeField()

    class Meta:
        ref_name = "TenderScheduleInput"


# --- Regulator: tranches ----------------------------------------------------------------------------------------


class TrancheListCreateApi(RegulatorAPIView):
    """Tranches, drafts included (regulators)."""

    pagination_class = Pagination
    serializer_class = RegulatorTrancheSerializer

    class InputSerializer(ScheduleInputSerializer):
        name = StrictCharField(max_length=120, help_text="e.g. Tranche VII; unique.")
        kind = StrictChoiceField(
            choices=Tranche.Kind.choices,
            default=Tranche.Kind.LEASE,
            help_text=TRANCHE_KIND_HELP + " Default `lease`.",
        )
        blocks = serializers.ListField(
            child=StrictCharField(max_length=40),
            allow_empty=False,
            help_text="Codes of registered blocks, identified or annulled. `lease`: blocks with a Part D mineral and a "
            "reserve price. `exploration`: blocks of Seventh Schedule minerals only, at stage G4 or G3, of at most "
            "`el_max_area_km2` (1,000 km²), whose reserve price, the ceiling, is from `el_ceiling_floor_pct` (25%) "
            "to 100%.",
        )
        params = AuctionParamsInputSerializer(
            required=False, help_text="The parameters of the Rules; any left out take their default."
        )
        tender_fee = ExactDecimalField(
            max_digits=14, decimal_places=2, min_value=0, required=False, help_text="INR before GST; default 300000."
        )
        net_worth_threshold = ExactDecimalField(
            max_digits=18,
            decimal_places=2,
            min_value=0,
            required=False,
            help_text="INR. `lease`: capped per block by its lease kind (`net_worth_cap_ml`, `net_worth_cap_cl`); "
            "default 0. `exploration`: at least `el_min_net_worth` (Rs 25 crore), which is also the default.",
        )

        class Meta:
            ref_name = "TrancheCreateInput"

    def get_queryset(self):
        return regulator_tranches()

    @extend_schema(
        operation_id="tranches_list",
        tags=["auctions: regulator"],
        summary="Tranches, drafts included",
        responses={200: RegulatorTrancheSerializer(many=True), 401: UNAUTHENTICATED, 403: NOT_REGULATOR},
    )
    def get(self, request):
        now = timezone.now()
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            RegulatorTrancheSerializer([regulator_tranche(t, now=now) for t in page], many=True).data
        )

    @extend_schema(
        operation_id="tranches_create",
        tags=["auctions: regulator"],
        summary="Create a draft tranche",
        description="A draft is not public; notify it to publish it and create its auctions.",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        responses={
            201: RegulatorTrancheSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            403: NOT_REGULATOR,
            409: _error(IDEMPOTENCY_CONFLICT),
        },
    )
    @idempotent(scope="auctions.tranche_create")
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        params = fields.pop("params", None)
        if params is not None:
            params = {k: (str(v) if not isinstance(v, int) else v) for k, v in params.items()}
        tranche = svc.tranche_create(actor=request.user, params=params, **fields)
        tranche = regulator_tranches().get(pk=tranche.pk)
        return Response(RegulatorTrancheSerializer(regulator_tranche(tranche)).data, status=status.HTTP_201_CREATED)


class TrancheNotifyApi(RegulatorAct):
    queryset = Tranche.objects.none()  # documents the path parameter
    serializer_class = RegulatorTrancheSerializer
    act = staticmethod(svc.tranche_notify)
    act_on = "tranche_id"
    missing = _error("`not_found`: no such tranche.")
    doc = ActDoc(
        operation_id="tranches_notify",
        summary="Notify a draft tranche",
        description="Publishes the notice and creates one auction (attempt 1) per block, each on the ledger.",
        bad="`invalid`: the bid due date has passed; change the schedule first.",
        conflict=(
            "`conflict`: already notified, or a block was offered elsewhere since the draft; `block_in_auction`: a "
            "block of the draft is held by another live auction (named in the message): nothing was notified."
        ),
    )

    def answer(self, pk, result):
        return RegulatorTrancheSerializer(regulator_tranche(regulator_tranches().get(pk=pk))).data


# --- Regulator: evaluation, opening, second attempt -------------------------------------------------------------


class AuctionBidsApi(RegulatorAPIView):
    queryset = Auction.objects.none()  # documents the path parameter
    serializer_class = EvaluationBidSerializer

    @extend_schema(
        operation_id="auctions_bids_list",
        tags=["auctions: regulator"],
        summary="The bids of an auction, for the technical evaluation",
        description=(
            "From the bid due date: every firm that bought the tender document or bid, its declarations, its "
            "commitment and the flags (affiliates, net worth below the threshold). Initial price offers appear only "
            "after the opening: before it nobody, regulators included, can read one."
        ),
        responses={
            200: EvaluationBidSerializer(many=True),
            401: UNAUTHENTICATED,
            403: NOT_REGULATOR,
            404: _error("`not_found`: no such auction."),
            409: _error("`bids_sealed`: the bid due date has not come; who bids stays sealed until then."),
        },
    )
    def get(self, request, pk):
        auction, rows = evaluation_bids(auction_id=pk)
        return Response(EvaluationBidSerializer([evaluation_bid(p, auction) for p in rows], many=True).data)


class BidEvaluationApi(RegulatorAct):
    queryset = Participation.objects.none()  # documents the path parameter
    serializer_class = EvaluationBidSerializer

    class InputSerializer(serializers.Serializer):
        qualified = BooleanField(help_text="true: technically qualified; false: disqualified.")
        reason = StrictCharField(
            max_length=300, required=False, allow_blank=True, help_text="Required to disqualify; it is published."
        )

        class Meta:
            ref_name = "BidEvaluationInput"

    act = staticmethod(svc.participation_evaluate)
    act_on = "participation_id"
    missing = _error("`not_found`: no such bid.")
    doc = ActDoc(
        operation_id="bids_evaluate",
        summary="Qualify or disqualify a technical bid",
        bad="`invalid`: no reason given to disqualify; `affiliate`: an affiliate's bid cannot be qualified; "
        "`net_worth`: the declared net worth is below the threshold.",
        conflict="`conflict`: the auction is not in its technical evaluation, or the bid was not submitted.",
    )

    def post(self, request, participation_id):
        return super().post(request, participation_id)  # the path names the bid `participation_id`

    def answer(self, pk, result):
        participation = Participation.objects.defer("sealed_offer").select_related("firm").get(pk=result.pk)
        return EvaluationBidSerializer(evaluation_bid(participation, participation.auction)).data


class RejectAffiliatesApi(RegulatorAPIView):
    queryset = Auction.objects.none()  # documents the path parameter

    class OutputSerializer(serializers.Serializer):
        rejected = serializers.IntegerField(help_text="Bids disqualified as affiliates by this request.")
        bids = EvaluationBidSerializer(many=True)

        class Meta:
            ref_name = "RejectAffiliatesOutput"

    serializer_class = OutputSerializer

    @extend_schema(
        operation_id="auctions_reject_affiliates",
        tags=["auctions: regulator"],
        summary="Reject every flagged affiliate bid",
        description="Where affiliates bid in the same auction both bids are rejected (Rules): this confirms every "
        "affiliate flag of the auction's unevaluated bids, each disqualified with the flag as the reason.",
        request=None,
        responses={
            200: OutputSerializer,
            401: UNAUTHENTICATED,
            403: NOT_REGULATOR,
            404: _error("`not_found`: no such auction."),
            409: _error("`conflict`: the auction is not in its technical evaluation."),
        },
    )
    def post(self, request, pk):
        evaluation_bids(auction_id=pk)  # 404 for an unknown auction before anything is done
        rejected = svc.auction_reject_affiliates(actor=request.user, auction_id=pk)
        auction, rows = evaluation_bids(auction_id=pk)
        bids = [evaluation_bid(p, auction) for p in rows]
        return Response(self.OutputSerializer({"rejected": rejected, "bids": bids}).data)


class SecondAttemptApi(RegulatorAct):
    queryset = Auction.objects.none()  # documents the path parameter
    serializer_class = PublicAuctionSerializer

    class InputSerializer(serializers.Serializer):
        document_sale_starts_at = serializers.DateTimeField(required=False)
        document_sale_ends_at = serializers.DateTimeField(required=False)
        pre_bid_meeting_at = serializers.DateTimeField(required=False, allow_null=True)
        bid_due_at = serializers.DateTimeField(required=False)
        technical_evaluation_at = serializers.DateTimeField(required=False)
        opening_at = serializers.DateTimeField(required=False)
        e_auction_starts_at = serializers.DateTimeField(required=False)

        class Meta:
            ref_name = "SecondAttemptInput"

    act = staticmethod(svc.auction_renotify)
    idempotency_scope = "auctions.second_attempt"
    answer_status = status.HTTP_201_CREATED
    doc = ActDoc(
        operation_id="auctions_second_attempt",
        summary="Notify the second attempt of an annulled auction",
        description=(
            "On the same terms as the first attempt (RULES.md s.3 item 4); it proceeds even with one technically "
            "qualified bidder. Send a new schedule, or nothing: the first attempt's schedule moved to start now."
        ),
        bad=INVALID.description,
        conflict=(
            "`conflict`: the auction is not an annulled first attempt, or its second attempt exists; "
            "`block_in_auction`: another live auction (named in the message) has taken the block since the annulment."
        ),
    )

    def answer(self, pk, result):
        now = timezone.now()
        auction = public_auction_get(auction_id=result.pk, now=now)
        return PublicAuctionSerializer(public_auction(auction, now=now), context={"request": self.request}).data
