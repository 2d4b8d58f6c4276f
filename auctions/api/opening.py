"""The regulators' API of the opening of the initial price offers, under /api/v1/: queue the opening of an auction or
of every evaluated auction of a tranche (answered 202 at once: a worker opens them, auctions.services.opening), and
follow their progress.

No answer here carries an offer: the progress says where each opening stands, with the floor only once opened
(then public). The opened auction itself is read from the public API (/api/v1/public/auctions/{id}).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from auctions import services as svc
from auctions.api.access import NO_AUCTION, NOT_REGULATOR, RegulatorAct, RegulatorAPIView
from auctions.models import Auction, Tranche
from auctions.selectors.regulator import OPENING_PROGRESS_CHOICES, OpeningProgress, auction_opening, tranche_opening
from core.api import UNAUTHENTICATED, ActDoc
from core.api import error_response as _error
from core.fields import ExactDecimalField, StrictCharField, StrictChoiceField

PROGRESS_HELP = (
    "`not_due`: bids not closed yet; `not_requested`: evaluated or in evaluation, opens at the scheduled opening time "
    "(`opening_at`) or when a regulator asks; `waiting`: the opening time came with bids still to evaluate, so nothing "
    "opened: it opens as soon as the last bid is evaluated; `queued`: a worker will open it within seconds; "
    "`opening`: a worker is opening it; `failed`: stopped with nothing published (`error` says why), a regulator may "
    "queue it again; `opened`: the offers are opened and published; `annulled`: annulled (`annulment_reason`), for "
    "instance at the opening for too few technically qualified bidders."
)
NO_TRANCHE = _error("`not_found`: no such tranche.")


class AuctionOpeningSerializer(serializers.Serializer):
    auction = serializers.IntegerField(help_text="The auction's id.")
    block_code = StrictCharField()
    block_name = StrictCharField()
    attempt = serializers.IntegerField()
    status = StrictChoiceField(choices=OPENING_PROGRESS_CHOICES, help_text=PROGRESS_HELP)
    status_label = StrictCharField()
    running = serializers.BooleanField(help_text="Queued or opening: poll again in a second or two.")
    opening_at = serializers.DateTimeField(help_text="The scheduled opening time: it opens then without a click.")
    bids = serializers.IntegerField(allow_null=True, help_text="Bids received by the due date (null before it).")
    pending_bids = serializers.IntegerField(help_text="Technical bids still to evaluate.")
    requested_at = serializers.DateTimeField(allow_null=True, help_text="When the opening was last queued (or began "
                                             "to wait for the evaluation).")  # fmt: skip
    requested_by = StrictCharField(
        allow_null=True, help_text="The regulator who queued it; null when the scheduled opening time did."
    )
    started_at = serializers.DateTimeField(allow_null=True, help_text="When a worker took it.")
    finished_at = serializers.DateTimeField(allow_null=True)
    error = StrictCharField(help_text="Why the opening stopped (`failed`); empty otherwise.")
    annulment_reason = StrictCharField()
    floor_price = ExactDecimalField(
        max_digits=7, decimal_places=2, allow_null=True, help_text="Once opened: the floor (or cap) of the e-auction."
    )

    class Meta:
        ref_name = "AuctionOpening"


# How many auctions stand at each step: one integer field per step.
TrancheOpeningCountsSerializer = type(
    "TrancheOpeningCountsSerializer",
    (serializers.Serializer,),
    {
        **{progress: serializers.IntegerField(help_text=label) for progress, label in OpeningProgress.LABELS.items()},
        "Meta": type("Meta", (), {"ref_name": "TrancheOpeningCounts"}),
    },
)


class TrancheOpeningSerializer(serializers.Serializer):
    tranche = serializers.IntegerField(help_text="The tranche's id.")
    name = StrictCharField()
    running = serializers.BooleanField(help_text="Some opening is queued or under way: poll again.")
    ready = serializers.IntegerField(help_text="Auctions whose opening a regulator may queue now.")
    counts = TrancheOpeningCountsSerializer(help_text="How many of its auctions stand at each step (their `status`).")
    auctions = AuctionOpeningSerializer(many=True)

    class Meta:
        ref_name = "TrancheOpening"


class AuctionOpenApi(RegulatorAct):
    queryset = Auction.objects.none()  # documents the path parameter
    serializer_class = AuctionOpeningSerializer
    act = staticmethod(svc.auction_open)
    answer_status = status.HTTP_202_ACCEPTED
    answer_location = "api-auction-opening"
    answer_location_text = "The opening's progress: GET it until it is done."
    doc = ActDoc(
        operation_id="auctions_open",
        summary="Queue the opening of the initial price offers",
        description=(
            "Answers 202 at once with the opening queued (`Location`: its progress). A worker then decrypts the "
            "offers of the technically qualified bidders, checks each against its commitment, ranks them, selects "
            "the qualified bidders and sets the floor; or annuls the auction when there are too few TQB. Asking "
            "again while it is queued or under way queues nothing more (202 with its progress). Without this call "
            "the auction opens by itself at its scheduled opening time. Follow it with GET "
            "/api/v1/auctions/{id}/opening; the opened auction is GET /api/v1/public/auctions/{id}."
        ),
        conflict="`conflict`: not in its technical evaluation (already opened or annulled), or a bid is not "
        "evaluated yet.",
    )

    def answer(self, pk, result):
        return AuctionOpeningSerializer(auction_opening(auction_id=pk)).data


class AuctionOpeningApi(RegulatorAPIView):
    queryset = Auction.objects.none()  # documents the path parameter
    serializer_class = AuctionOpeningSerializer

    @extend_schema(
        operation_id="auctions_opening",
        tags=["auctions: regulator"],
        summary="Where the opening of an auction's initial offers stands",
        responses={200: AuctionOpeningSerializer, 401: UNAUTHENTICATED, 403: NOT_REGULATOR, 404: NO_AUCTION},
    )
    def get(self, request, pk):
        return Response(AuctionOpeningSerializer(auction_opening(auction_id=pk)).data)


class TrancheOpenApi(RegulatorAct):
    queryset = Tranche.objects.none()  # documents the path parameter
    serializer_class = TrancheOpeningSerializer
    act = staticmethod(svc.tranche_open)
    act_on = "tranche_id"
    missing = NO_TRANCHE
    answer_status = status.HTTP_202_ACCEPTED
    answer_location = "api-tranche-opening"
    answer_location_text = "The tranche's opening progress: GET it until it is done."
    doc = ActDoc(
        operation_id="tranches_open",
        summary="Queue the opening of every evaluated auction of a tranche",
        description=(
            "Answers 202 at once (`Location`: the tranche's opening progress). Each auction of the tranche whose "
            "technical bids are all evaluated is queued and opened by a worker, in parallel; those with bids still to "
            "evaluate are left (they open at their scheduled time once evaluated, or when asked again)."
        ),
        conflict="`conflict`: no auction of the tranche can open: none is in its technical evaluation, or each has "
        "bids still to evaluate (named in the message).",
    )

    def answer(self, pk, result):
        return TrancheOpeningSerializer(tranche_opening(tranche_id=pk)).data


class TrancheOpeningApi(RegulatorAPIView):
    queryset = Tranche.objects.none()  # documents the path parameter
    serializer_class = TrancheOpeningSerializer

    @extend_schema(
        operation_id="tranches_opening",
        tags=["auctions: regulator"],
        summary="Where the opening of each auction of a tranche stands, with counts",
        responses={
            200: TrancheOpeningSerializer,
            401: UNAUTHENTICATED,
            403: NOT_REGULATOR,
            404: NO_TRANCHE,
        },
    )
    def get(self, request, pk):
        return Response(TrancheOpeningSerializer(tranche_opening(tranche_id=pk)).data)
