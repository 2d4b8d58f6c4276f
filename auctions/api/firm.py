"""The firms' API of the central auction, under /api/v1/: their auctions, the tender document, the bid (submit,
replace, withdraw), their bid.

Each view reads its input with a nested InputSerializer, calls one service of auctions.services (which checks the
actor's role and the rules and raises core.errors with a message for a person), and answers from the visibility
selectors (auctions.selectors.firm), so no answer here shows a sealed offer before the opening: a firm gets its
commitment receipt. Reading is for every member of the firm; acting for its administrators and authorised bidders
(auctions.api.access.MayActForFirm). The e-auction's offers are in auctions/api/room.py.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from auctions import services as svc
from auctions.api.access import (
    NOT_BIDDER,
    NOT_FIRM,
    FirmAct,
    FirmAPIView,
    Pagination,
)
from auctions.models import Auction, Participation
from auctions.selectors.firm import firm_participation_get, firm_participations, own_bid
from auctions.selectors.phase import PHASE_CHOICES
from bidders.roles import firm_of
from core.api import UNAUTHENTICATED, ActDoc
from core.api import error_response as _error
from core.fields import ExactDecimalField, StrictCharField, StrictChoiceField


class OwnBidSerializer(serializers.Serializer):
    """A firm's own bid. Its initial price offer is never shown before the opening, not even to the firm: the
    commitment is its receipt."""

    auction_id = serializers.IntegerField()
    block_code = StrictCharField()
    block_name = StrictCharField()
    attempt = serializers.IntegerField()
    phase = StrictChoiceField(choices=PHASE_CHOICES, help_text="The auction's phase now.")
    status = StrictChoiceField(
        choices=Participation.Status.choices,
        help_text="`document_bought`: tender document bought, no bid yet; `submitted`: bid submitted; "
        "`withdrawn`: withdrawn before the due date.",
    )
    tender_fee_reference = StrictCharField()
    tender_fee_paid_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    commitment = StrictCharField(
        allow_null=True, help_text="Receipt of the sealed offer: sha256 of the offer and a secret nonce."
    )
    net_worth = ExactDecimalField(max_digits=18, decimal_places=2, allow_null=True, help_text="INR.")
    bid_security_reference = StrictCharField()
    declared_affiliates = StrictCharField()
    has_technical_bid_document = serializers.BooleanField()
    technically_qualified = serializers.BooleanField(allow_null=True, help_text="Null until evaluated.")
    evaluation_reason = StrictCharField()
    initial_price_offer = ExactDecimalField(
        max_digits=7, decimal_places=2, allow_null=True, help_text="Null until the opening."
    )
    offer_nonce = StrictCharField(allow_null=True, help_text="Null until the opening.")
    rank = serializers.IntegerField(allow_null=True, help_text="Null until the opening.")
    qualified = serializers.BooleanField(allow_null=True, help_text="Qualified for round 2; null until the opening.")

    class Meta:
        ref_name = "OwnBid"


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


class DocumentPurchaseApi(FirmAct):
    queryset = Auction.objects.none()  # documents the path parameter
    serializer_class = OwnBidSerializer

    class InputSerializer(serializers.Serializer):
        payment_reference = StrictCharField(
            max_length=80, help_text="The bank's transaction number of the tender-fee payment."
        )

        class Meta:
            ref_name = "DocumentPurchaseInput"

    act = staticmethod(svc.participation_buy_document)
    idempotency_scope = "auctions.document_buy"
    answer_status = status.HTTP_201_CREATED
    doc = ActDoc(
        operation_id="auctions_document_buy",
        summary="Buy the tender document",
        description="Records the tender fee's payment reference; a firm may then bid. Once per firm and auction.",
        bad="`invalid`: no payment reference; `not_eligible`: an exploration-licence auction (`lease_kind` EL) "
        "admits only an Indian national or a company registered in India with a net worth of at least "
        "`el_min_net_worth` (Rs 25 crore) on the firm's record (RULES.md s.4).",
        conflict="`conflict`: outside the document sale window, no longer selling, or already bought.",
    )

    def answer(self, pk, result):
        return OwnBidSerializer(_own(self.request, pk)).data


class BidApi(FirmAct):
    queryset = Auction.objects.none()  # documents the path parameter

    class InputSerializer(serializers.Serializer):
        initial_price_offer = ExactDecimalField(
            max_digits=7,
            decimal_places=2,
            help_text="The sealed initial price offer: for a lease (ML, CL) a % of the value of mineral despatched, at "
            "least the reserve price; for an exploration licence (EL) a % share of the future auction premium, at "
            "most the ceiling. Encrypted at once; never shown to anyone, you included, before the opening.",
        )
        net_worth = ExactDecimalField(max_digits=18, decimal_places=2, min_value=0, help_text="INR.")
        bid_security_reference = StrictCharField(
            max_length=80, help_text="Reference of the bank guarantee for the bid security."
        )
        declared_affiliates = StrictCharField(
            required=False, allow_blank=True, help_text="Affiliates you declare (common control or ownership)."
        )

        class Meta:
            ref_name = "BidInput"

    class OutputSerializer(serializers.Serializer):
        auction_id = serializers.IntegerField()
        status = StrictChoiceField(choices=Participation.Status.choices)
        commitment = StrictCharField(
            help_text="Your receipt: sha256 of your offer and a secret nonce, published at the bid due date; at the "
            "opening anyone can check your offer against it."
        )
        submitted_at = serializers.DateTimeField()
        receipt = StrictCharField(help_text="The receipt in words.")

        class Meta:
            ref_name = "BidReceipt"

    serializer_class = OutputSerializer

    act = staticmethod(svc.participation_submit)
    idempotency_scope = "auctions.bid_submit"
    answer_status = status.HTTP_201_CREATED
    doc = ActDoc(
        operation_id="auctions_bid_submit",
        summary="Submit (or replace) your bid and sealed initial price offer",
        description=(
            "Before the bid due date; a second submission replaces the first. The answer is the commitment receipt "
            "and never repeats the offer."
        ),
        bad="`invalid`: the offer is below the reserve price (EL: above the ceiling) or not a percentage, or a "
        "field is missing; `document_not_bought`: buy the tender document first; `not_eligible`: for an "
        "exploration licence, the firm is not registered in India or its net worth (on record or declared) "
        "is below `el_min_net_worth` (RULES.md s.4).",
        conflict="`conflict`: the bid due date has passed.",
    )

    def answer(self, pk, result):
        participation, commitment = result
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
        return self.OutputSerializer(data).data

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
