"""The signed-in API of the central auction: every regulator and firm action, as thin views over auction_services.

Each view reads its input with a nested InputSerializer, calls one service (which checks the actor's role and
the rules and raises core.errors with a message for a person), and answers with a nested OutputSerializer
built from the visibility selectors (auctions.public_auction_selectors), so no answer here shows a sealed offer
before the opening: a firm gets its commitment receipt, a regulator the technical bids without their offers.

Regulators: tranches (draft, list, notify), the bids of an auction for evaluation, evaluation, rejection of
affiliates, the opening, the second attempt. Firms: their auctions, the tender document, the bid (submit,
replace, withdraw), their bid. The e-auction's offers are in auctions/api/room.py.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from auctions import auction_services as svc
from auctions.api.public_auctions import (
    TRANCHE_KIND_HELP,
    AuctionParamsInputSerializer,
    AuctionParamsSerializer,
    PublicAuctionSerializer,
    ScheduleSerializer,
)
from auctions.models import Auction, Participation, Tranche
from auctions.public_auction_selectors import (
    PHASE_CHOICES,
    evaluation_bid,
    evaluation_bids,
    firm_participation_get,
    firm_participations,
    own_bid,
    public_auction,
    public_auction_get,
    regulator_tranche,
    regulator_tranches,
)
from bidders.models import Membership
from bidders.permissions import IsFirmMember, IsRegulator
from bidders.roles import firm_of
from core.api import ErrorSerializer
from core.authentication import TokenAuthentication
from core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from core.pagination import KeysetCursorPagination

AUTH = [TokenAuthentication, SessionAuthentication]


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


UNAUTHENTICATED = _error("`not_authenticated`: not signed in; send `Authorization: Token <key>` or a session cookie.")
NOT_REGULATOR = _error("`permission_denied`: signed in, but not a regulator.")
NOT_FIRM = _error("`permission_denied`: not a member of a firm.")
NOT_BIDDER = _error(
    "`permission_denied`: not a member of a firm, or a viewer of it: only its administrators and authorised "
    "bidders may act for it."
)
INVALID = _error("`invalid`: the input is refused; `message` says why and `fields` what to correct.")
IDEMPOTENCY_CONFLICT = (
    "`idempotency_key_reused`: the Idempotency-Key was used with another body; `idempotency_in_progress`: the "
    "first request with this key has not finished."
)


# --- Shared output serializers ----------------------------------------------------------------------------------


class OwnBidSerializer(serializers.Serializer):
    """A firm's own bid. Its initial price offer is never shown before the opening, not even to the firm: the
    commitment is its receipt."""

    auction_id = serializers.IntegerField()
    block_code = serializers.CharField()
    block_name = serializers.CharField()
    attempt = serializers.IntegerField()
    phase = serializers.ChoiceField(choices=PHASE_CHOICES, help_text="The auction's phase now.")
    status = serializers.ChoiceField(
        choices=Participation.Status.choices,
        help_text="`document_bought`: tender document bought, no bid yet; `submitted`: bid submitted; "
        "`withdrawn`: withdrawn before the due date.",
    )
    tender_fee_reference = serializers.CharField()
    tender_fee_paid_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    commitment = serializers.CharField(
        allow_null=True, help_text="Receipt of the sealed offer: sha256 of the offer and a secret nonce."
    )
    net_worth = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True, help_text="INR.")
    bid_security_reference = serializers.CharField()
    declared_affiliates = serializers.CharField()
    has_technical_bid_document = serializers.BooleanField()
    technically_qualified = serializers.BooleanField(allow_null=True, help_text="Null until evaluated.")
    evaluation_reason = serializers.CharField()
    initial_price_offer = serializers.DecimalField(
        max_digits=7, decimal_places=2, allow_null=True, help_text="Null until the opening."
    )
    offer_nonce = serializers.CharField(allow_null=True, help_text="Null until the opening.")
    rank = serializers.IntegerField(allow_null=True, help_text="Null until the opening.")
    qualified = serializers.BooleanField(allow_null=True, help_text="Qualified for round 2; null until the opening.")

    class Meta:
        ref_name = "OwnBid"


class EvaluationBidSerializer(serializers.Serializer):
    """A bid as the regulator evaluates it: the firm, its declarations and flags; its offer only after the opening."""

    class FirmSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        cin = serializers.CharField()

        class Meta:
            ref_name = "EvaluationBidFirm"

    id = serializers.IntegerField(help_text="The participation id, for POST /api/v1/bids/{id}/evaluation.")
    firm = FirmSerializer()
    status = serializers.ChoiceField(choices=Participation.Status.choices)
    tender_fee_reference = serializers.CharField()
    tender_fee_paid_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    commitment = serializers.CharField(allow_null=True)
    net_worth = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True, help_text="Declared, INR.")
    net_worth_below_threshold = serializers.BooleanField(help_text="The declared net worth is below the tender's.")
    bid_security_reference = serializers.CharField()
    declared_affiliates = serializers.CharField()
    has_technical_bid_document = serializers.BooleanField()
    affiliate_flag = serializers.CharField(
        help_text="Set at the bid due date when an affiliate (common control or beneficial ownership) also bid."
    )
    technically_qualified = serializers.BooleanField(allow_null=True, help_text="Null until evaluated.")
    evaluation_reason = serializers.CharField()
    evaluated_at = serializers.DateTimeField(allow_null=True)
    initial_price_offer = serializers.DecimalField(
        max_digits=7, decimal_places=2, allow_null=True, help_text="Null until the opening."
    )
    rank = serializers.IntegerField(allow_null=True, help_text="Null until the opening.")
    qualified = serializers.BooleanField(allow_null=True, help_text="Null until the opening.")

    class Meta:
        ref_name = "EvaluationBid"


class RegulatorTrancheSerializer(serializers.Serializer):
    class AuctionSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        block_code = serializers.CharField()
        block_name = serializers.CharField()
        attempt = serializers.IntegerField()
        phase = serializers.ChoiceField(choices=PHASE_CHOICES)
        phase_label = serializers.CharField()

        class Meta:
            ref_name = "RegulatorTrancheAuction"

    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Tranche.Kind.choices, help_text=TRANCHE_KIND_HELP)
    status = serializers.ChoiceField(
        choices=Tranche.Status.choices, help_text="`draft`: not public; `notified`: published, auctions created."
    )
    created_at = serializers.DateTimeField()
    notified_at = serializers.DateTimeField(allow_null=True)
    blocks = serializers.ListField(child=serializers.CharField(), help_text="Block codes.")
    tender_fee = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="INR, before GST.")
    net_worth_threshold = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="INR.")
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


class Pagination(KeysetCursorPagination):
    page_size = 50


class RegulatorAPIView(generics.GenericAPIView):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated, IsRegulator]


class MayActForFirm(BasePermission):
    """Reading is for every member of the firm; acting (POST, DELETE) for its administrators and authorised bidders,
    refused before the input is read (the services check it again)."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        firm = firm_of(request.user)
        role = Membership.objects.filter(user=request.user, firm=firm).values_list("role", flat=True).first()
        if role in (Membership.Role.ADMIN, Membership.Role.BIDDER):
            return True
        self.message = (
            f"As a {role} of {firm.legal_name} you may follow its bids but not make them; ask your firm's "
            "administrator for the bidder role."
        )
        return False


class FirmAPIView(generics.GenericAPIView):
    authentication_classes = AUTH
    permission_classes = [IsAuthenticated, IsFirmMember, MayActForFirm]


# --- Regulator: tranches ----------------------------------------------------------------------------------------


class TrancheListCreateApi(RegulatorAPIView):
    """Tranches, drafts included (regulators)."""

    pagination_class = Pagination
    serializer_class = RegulatorTrancheSerializer

    class InputSerializer(ScheduleInputSerializer):
        name = serializers.CharField(max_length=120, help_text="e.g. Tranche VII; unique.")
        kind = serializers.ChoiceField(
            choices=Tranche.Kind.choices,
            default=Tranche.Kind.LEASE,
            help_text=TRANCHE_KIND_HELP + " Default `lease`.",
        )
        blocks = serializers.ListField(
            child=serializers.CharField(max_length=40),
            allow_empty=False,
            help_text="Codes of registered blocks, identified or annulled. `lease`: blocks with a Part D mineral and a "
            "reserve price. `exploration`: blocks of Seventh Schedule minerals only, at stage G4 or G3, of at most "
            "`el_max_area_km2` (1,000 km²), whose reserve price, the ceiling, is from `el_ceiling_floor_pct` (25%) "
            "to 100%.",
        )
        params = AuctionParamsInputSerializer(
            required=False, help_text="The parameters of the Rules; any left out take their default."
        )
        tender_fee = serializers.DecimalField(
            max_digits=14, decimal_places=2, min_value=0, required=False, help_text="INR before GST; default 300000."
        )
        net_worth_threshold = serializers.DecimalField(
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


class TrancheNotifyApi(RegulatorAPIView):
    queryset = Tranche.objects.none()  # documents the path parameter
    serializer_class = RegulatorTrancheSerializer

    @extend_schema(
        operation_id="tranches_notify",
        tags=["auctions: regulator"],
        summary="Notify a draft tranche",
        description="Publishes the notice and creates one auction (attempt 1) per block, each on the ledger.",
        request=None,
        responses={
            200: RegulatorTrancheSerializer,
            400: _error("`invalid`: the bid due date has passed; change the schedule first."),
            401: UNAUTHENTICATED,
            403: NOT_REGULATOR,
            404: _error("`not_found`: no such tranche."),
            409: _error("`conflict`: already notified, or a block was offered elsewhere since the draft."),
        },
    )
    def post(self, request, pk):
        svc.tranche_notify(actor=request.user, tranche_id=pk)
        tranche = regulator_tranches().get(pk=pk)
        return Response(RegulatorTrancheSerializer(regulator_tranche(tranche)).data)


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


class BidEvaluationApi(RegulatorAPIView):
    queryset = Participation.objects.none()  # documents the path parameter
    serializer_class = EvaluationBidSerializer

    class InputSerializer(serializers.Serializer):
        qualified = serializers.BooleanField(help_text="true: technically qualified; false: disqualified.")
        reason = serializers.CharField(
            max_length=300, required=False, allow_blank=True, help_text="Required to disqualify; it is published."
        )

        class Meta:
            ref_name = "BidEvaluationInput"

    @extend_schema(
        operation_id="bids_evaluate",
        tags=["auctions: regulator"],
        summary="Qualify or disqualify a technical bid",
        request=InputSerializer,
        responses={
            200: EvaluationBidSerializer,
            400: _error(
                "`invalid`: no reason given to disqualify; `affiliate`: an affiliate's bid cannot be qualified; "
                "`net_worth`: the declared net worth is below the threshold."
            ),
            401: UNAUTHENTICATED,
            403: NOT_REGULATOR,
            404: _error("`not_found`: no such bid."),
            409: _error("`conflict`: the auction is not in its technical evaluation, or the bid was not submitted."),
        },
    )
    def post(self, request, participation_id):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        participation = svc.participation_evaluate(
            actor=request.user, participation_id=participation_id, **serializer.validated_data
        )
        participation = Participation.objects.defer("sealed_offer").select_related("firm").get(pk=participation.pk)
        auction = participation.auction
        return Response(EvaluationBidSerializer(evaluation_bid(participation, auction)).data)


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


class AuctionOpenApi(RegulatorAPIView):
    queryset = Auction.objects.none()  # documents the path parameter
    serializer_class = PublicAuctionSerializer

    @extend_schema(
        operation_id="auctions_open",
        tags=["auctions: regulator"],
        summary="Open the initial price offers",
        description=(
            "Decrypts the offers of the technically qualified bidders, checks each against its commitment, ranks "
            "them, selects the qualified bidders and sets the floor; or annuls the auction when there are too few "
            "TQB. Answers with the auction as the public now sees it."
        ),
        request=None,
        responses={
            200: PublicAuctionSerializer,
            401: UNAUTHENTICATED,
            403: NOT_REGULATOR,
            404: _error("`not_found`: no such auction."),
            409: _error(
                "`conflict`: not in its technical evaluation, a bid is not evaluated yet, or an offer does not "
                "match its commitment (nothing is published then)."
            ),
        },
    )
    def post(self, request, pk):
        svc.auction_open(actor=request.user, auction_id=pk)
        now = timezone.now()
        auction = public_auction_get(auction_id=pk, now=now)
        return Response(PublicAuctionSerializer(public_auction(auction, now=now), context={"request": request}).data)


class SecondAttemptApi(RegulatorAPIView):
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

    @extend_schema(
        operation_id="auctions_second_attempt",
        tags=["auctions: regulator"],
        summary="Notify the second attempt of an annulled auction",
        description=(
            "On the same terms as the first attempt (RULES.md s.3 item 4); it proceeds even with one technically "
            "qualified bidder. Send a new schedule, or nothing: the first attempt's schedule moved to start now."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        responses={
            201: PublicAuctionSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            403: NOT_REGULATOR,
            404: _error("`not_found`: no such auction."),
            409: _error(
                "`conflict`: the auction is not an annulled first attempt, or its second attempt exists. "
                + IDEMPOTENCY_CONFLICT
            ),
        },
    )
    @idempotent(scope="auctions.second_attempt")
    def post(self, request, pk):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        schedule = {k: v for k, v in serializer.validated_data.items() if v is not None}
        second = svc.auction_renotify(actor=request.user, auction_id=pk, **schedule)
        now = timezone.now()
        auction = public_auction_get(auction_id=second.pk, now=now)
        data = PublicAuctionSerializer(public_auction(auction, now=now), context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


# --- Firms --------------------------------------------------------------------------------------------------------


class MyAuctionsApi(FirmAPIView):
    pagination_class = Pagination
    serializer_class = OwnBidSerializer

    def get_queryset(self):
        return firm_participations(firm=firm_of(self.request.user)).order_by("-id")

    @extend_schema(
        operation_id="my_auctions_list",
        tags=["auctions: firm"],
        summary="Your firm's auctions",
        description="Every auction your firm bought the tender document of, newest first, with your bid's receipt.",
        responses={200: OwnBidSerializer(many=True), 401: UNAUTHENTICATED, 403: NOT_FIRM},
    )
    def get(self, request):
        now = timezone.now()
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(OwnBidSerializer([own_bid(p, now=now) for p in page], many=True).data)


def _own(request, auction_id) -> dict:
    return own_bid(firm_participation_get(firm=firm_of(request.user), auction_id=auction_id))


class DocumentPurchaseApi(FirmAPIView):
    queryset = Auction.objects.none()  # documents the path parameter
    serializer_class = OwnBidSerializer

    class InputSerializer(serializers.Serializer):
        payment_reference = serializers.CharField(
            max_length=80, help_text="The bank's transaction number of the tender-fee payment."
        )

        class Meta:
            ref_name = "DocumentPurchaseInput"

    @extend_schema(
        operation_id="auctions_document_buy",
        tags=["auctions: firm"],
        summary="Buy the tender document",
        description="Records the tender fee's payment reference; a firm may then bid. Once per firm and auction.",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        responses={
            201: OwnBidSerializer,
            400: _error(
                "`invalid`: no payment reference; `not_eligible`: an exploration-licence auction (`lease_kind` EL) "
                "admits only an Indian national or a company registered in India with a net worth of at least "
                "`el_min_net_worth` (Rs 25 crore) on the firm's record (RULES.md s.4)."
            ),
            401: UNAUTHENTICATED,
            403: NOT_BIDDER,
            404: _error("`not_found`: no such auction."),
            409: _error(
                "`conflict`: outside the document sale window, no longer selling, or already bought. "
                + IDEMPOTENCY_CONFLICT
            ),
        },
    )
    @idempotent(scope="auctions.document_buy")
    def post(self, request, pk):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        svc.participation_buy_document(actor=request.user, auction_id=pk, **serializer.validated_data)
        return Response(OwnBidSerializer(_own(request, pk)).data, status=status.HTTP_201_CREATED)


class BidApi(FirmAPIView):
    queryset = Auction.objects.none()  # documents the path parameter

    class InputSerializer(serializers.Serializer):
        initial_price_offer = serializers.DecimalField(
            max_digits=7,
            decimal_places=2,
            help_text="The sealed initial price offer: for a lease (ML, CL) a % of the value of mineral despatched, at "
            "least the reserve price; for an exploration licence (EL) a % share of the future auction premium, at "
            "most the ceiling. Encrypted at once; never shown to anyone, you included, before the opening.",
        )
        net_worth = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0, help_text="INR.")
        bid_security_reference = serializers.CharField(
            max_length=80, help_text="Reference of the bank guarantee for the bid security."
        )
        declared_affiliates = serializers.CharField(
            required=False, allow_blank=True, help_text="Affiliates you declare (common control or ownership)."
        )

        class Meta:
            ref_name = "BidInput"

    class OutputSerializer(serializers.Serializer):
        auction_id = serializers.IntegerField()
        status = serializers.ChoiceField(choices=Participation.Status.choices)
        commitment = serializers.CharField(
            help_text="Your receipt: sha256 of your offer and a secret nonce, published at the bid due date; at the "
            "opening anyone can check your offer against it."
        )
        submitted_at = serializers.DateTimeField()
        receipt = serializers.CharField(help_text="The receipt in words.")

        class Meta:
            ref_name = "BidReceipt"

    serializer_class = OutputSerializer

    @extend_schema(
        operation_id="auctions_bid_submit",
        tags=["auctions: firm"],
        summary="Submit (or replace) your bid and sealed initial price offer",
        description=(
            "Before the bid due date; a second submission replaces the first. The answer is the commitment receipt "
            "and never repeats the offer."
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            400: _error(
                "`invalid`: the offer is below the reserve price (EL: above the ceiling) or not a percentage, or a "
                "field is missing; `document_not_bought`: buy the tender document first; `not_eligible`: for an "
                "exploration licence, the firm is not registered in India or its net worth (on record or declared) "
                "is below `el_min_net_worth` (RULES.md s.4)."
            ),
            401: UNAUTHENTICATED,
            403: NOT_BIDDER,
            404: _error("`not_found`: no such auction."),
            409: _error("`conflict`: the bid due date has passed. " + IDEMPOTENCY_CONFLICT),
        },
    )
    @idempotent(scope="auctions.bid_submit")
    def post(self, request, pk):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        participation, commitment = svc.participation_submit(
            actor=request.user, auction_id=pk, **serializer.validated_data
        )
        moment = timezone.localtime(participation.submitted_at)
        receipt = (
            f"Your sealed bid for auction {pk} was received on {moment:%d %b %Y at %H:%M:%S} IST. Keep the "
            f"commitment {commitment}: it is published at the bid due date, and at the opening anyone can check "
            "your offer against it."
        )
        data = {
            "auction_id": participation.auction_id,
            "status": participation.status,
            "commitment": commitment,
            "submitted_at": participation.submitted_at,
            "receipt": receipt,
        }
        return Response(self.OutputSerializer(data).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="auctions_bid_withdraw",
        tags=["auctions: firm"],
        summary="Withdraw your bid",
        description="Before the bid due date; the sealed offer is destroyed unopened. You may bid again until then.",
        responses={
            200: OwnBidSerializer,
            400: _error("`document_not_bought`: your firm has no bid in this auction."),
            401: UNAUTHENTICATED,
            403: NOT_BIDDER,
            404: _error("`not_found`: no such auction."),
            409: _error("`conflict`: the bid due date has passed, or there is no submitted bid."),
        },
    )
    def delete(self, request, pk):
        svc.participation_withdraw(actor=request.user, auction_id=pk)
        return Response(OwnBidSerializer(_own(request, pk)).data)


class MyBidApi(FirmAPIView):
    queryset = Auction.objects.none()  # documents the path parameter
    serializer_class = OwnBidSerializer

    @extend_schema(
        operation_id="auctions_my_bid",
        tags=["auctions: firm"],
        summary="Your firm's bid in an auction",
        description="Your receipt and that you submitted; your offer appears only once the opening publishes it.",
        responses={
            200: OwnBidSerializer,
            401: UNAUTHENTICATED,
            403: NOT_FIRM,
            404: _error("`not_found`: no such auction; `no_bid`: your firm has not bought its tender document."),
        },
    )
    def get(self, request, pk):
        return Response(OwnBidSerializer(_own(request, pk)).data)
