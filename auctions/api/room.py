"""The e-auction room's API: its state (followed by every open room, as events or by polling) and the final
price offers.

Thin: the state comes from auctions.room.state, its events from auctions.room.stream, offers are placed by
auctions.services.offer_place.
"""

import json
import re
from decimal import Decimal

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from auctions.models import Auction
from auctions.room import state as room
from auctions.room import stream as room_stream
from auctions.selectors.phase import Phase
from auctions.services import offer_place, offer_precheck
from core.api import ErrorSerializer
from core.fields import ExactDecimalField, StrictCharField, StrictChoiceField
from core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent

PERCENTAGE = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


def _percentage(**kwargs):
    return ExactDecimalField(max_digits=7, decimal_places=2, coerce_to_string=True, **kwargs)


class HistoryEntrySerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text="The offer's number in the auction: 1, 2, 3...")
    value = _percentage(help_text="The final price offer, % of the value of mineral despatched.")
    placed_at = serializers.DateTimeField(help_text="When the server accepted it (UTC).")
    bidder = StrictCharField(
        help_text="'Bidder 1', 'Bidder 2'... by order of first offer: the same label for everyone, never a name."
    )
    firm = StrictCharField(allow_null=True, help_text="The bidder's firm: shown to regulators only.")
    bidder_token = StrictCharField(
        allow_null=True,
        help_text="The bidder's public pseudonym (as in the ledger), shown from the close; null before.",
    )

    class Meta:
        ref_name = "RoomHistoryEntry"


class YouSerializer(serializers.Serializer):
    bidder = StrictCharField(allow_null=True, help_text="Your label in the history, once you have offered.")
    standing = StrictChoiceField(
        choices=room.Standing.CHOICES, allow_null=True, help_text="Your standing; null for a regulator."
    )
    best_offer = _percentage(allow_null=True, help_text="Your best (latest) final price offer.")
    can_offer = serializers.BooleanField(help_text="Whether you may place an offer now.")
    note = StrictCharField(allow_blank=True, help_text="Why you may not place an offer now, when you may not.")

    class Meta:
        ref_name = "RoomViewer"


class BidderSerializer(serializers.Serializer):
    bidder = StrictCharField(allow_null=True, help_text="The label in the history; null before any offer.")
    firm = StrictCharField()
    cin = StrictCharField()
    initial_price_offer = _percentage()
    rank = serializers.IntegerField(help_text="Rank of the initial price offer (dense ranking).")
    best_offer = _percentage(allow_null=True)
    highest = serializers.BooleanField(help_text="Holds the current highest offer.")

    class Meta:
        ref_name = "RoomBidder"


class ResultSerializer(serializers.Serializer):
    outcome = StrictChoiceField(choices=room.Outcome.CHOICES)
    declared = serializers.BooleanField(
        help_text="Settled in the database and published; false for the moments between the close and the sweep."
    )
    preferred_bidder = StrictCharField(allow_null=True)
    winning_offer = _percentage(allow_null=True)
    annulment_reason = StrictCharField(allow_blank=True)

    class Meta:
        ref_name = "RoomResult"


class RoomStateSerializer(serializers.Serializer):
    auction = serializers.IntegerField()
    block = StrictCharField(help_text="The block's code.")
    block_name = StrictCharField()
    attempt = serializers.IntegerField()
    direction = StrictChoiceField(
        choices=Auction.Direction.choices,
        help_text="ascending (ML/CL: % of the value of mineral despatched, highest wins) or descending (EL: % share "
        "of the future auction premium, lowest wins). 'Best', 'beats' and 'next valid' below follow it.",
    )
    phase = StrictChoiceField(choices=list(Phase.LABELS.items()), help_text="By the server's clock.")
    phase_label = StrictCharField()
    version = StrictCharField(
        help_text="Changes with every accepted offer, extension, settlement and change of phase; also the ETag."
    )
    server_time = serializers.DateTimeField(help_text="The server's clock, which decides: count down from it.")
    starts_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField(help_text="The close, as extended.")
    scheduled_close = serializers.DateTimeField(help_text="The close before any extension.")
    extended = serializers.BooleanField()
    floor_price = _percentage()
    min_increment = _percentage()
    extension_window_minutes = serializers.IntegerField()
    extension_minutes = serializers.IntegerField()
    best_offer = _percentage(
        allow_null=True, help_text="The current best offer (lowest when descending); null before the first."
    )
    next_valid_offer = _percentage(
        allow_null=True, help_text="The smallest offer accepted now (largest when descending); null after the close."
    )
    offer_count = serializers.IntegerField()
    history = HistoryEntrySerializer(many=True, help_text="Newest first; the latest 100 until the close, then all.")
    history_complete = serializers.BooleanField()
    viewer = StrictChoiceField(choices=room.Viewer.CHOICES)
    you = YouSerializer(allow_null=True, help_text="For a bidder's member or a regulator; null for the public.")
    bidders = BidderSerializer(many=True, allow_null=True, help_text="Regulators only: the identities.")
    result = ResultSerializer(allow_null=True, help_text="From the close.")

    class Meta:
        ref_name = "RoomState"


ROOM_ERRORS = {
    403: OpenApiResponse(
        ErrorSerializer,
        description="Before the close the room is open only to the qualified bidders' members and regulators.",
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such auction, or its offers are not opened yet."),
}


class RoomStateApi(APIView):
    """The room's state as this viewer may see it now. Anyone after the close; before it, a qualified
    bidder's members and regulators."""

    permission_classes = [AllowAny]
    serializer_class = RoomStateSerializer

    @extend_schema(
        operation_id="auction_room_state",
        summary="The e-auction room now: highest offer, your standing, the anonymous history, the countdown",
        tags=["auctions: e-auction room"],
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The ETag of the last state you received: 304 when nothing has changed.",
            )
        ],
        responses={
            200: RoomStateSerializer,
            304: OpenApiResponse(description="Nothing changed since the ETag in If-None-Match."),
            **ROOM_ERRORS,
        },
    )
    def get(self, request, auction_id):
        state, etag = room.room_poll(auction_id, request.user, if_none_match=request.headers.get("If-None-Match", ""))
        if state is None:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(state, headers={"ETag": etag, "Cache-Control": "private, no-cache"})


class PercentageString(StrictCharField):
    """A percentage as a JSON string with at most two decimals ("14.05"); a JSON number is refused."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError('Send the offer as a string with two decimals, e.g. "14.05".')
        value = super().to_internal_value(data)
        if not PERCENTAGE.match(value):  # at most 999.99: no long input reaches Decimal
            raise serializers.ValidationError(f'"{value}" is not a percentage with at most two decimals, e.g. 14.05.')
        return Decimal(value)


class OfferCreateApi(APIView):
    """Place a final price offer in the e-auction (qualified bidders only, while it is live)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        value = PercentageString(
            help_text='Your final price offer, % of the value of mineral despatched, as a string: "14.05".',
        )

        class Meta:
            ref_name = "OfferInput"

    class OutputSerializer(serializers.Serializer):
        class AcceptedOfferSerializer(serializers.Serializer):
            seq = serializers.IntegerField()
            value = _percentage()
            placed_at = serializers.DateTimeField()
            bidder = StrictCharField(help_text="Your label in the anonymous history.")

            class Meta:
                ref_name = "AcceptedOffer"

        offer = AcceptedOfferSerializer()
        state = RoomStateSerializer(help_text="The room right after your offer.")

        class Meta:
            ref_name = "OfferPlaced"

    serializer_class = InputSerializer

    def refuse_early(self, request, auction_id):
        """Refusals that need no write (a bad value, one who may not bid, an offer already below the best): answered
        before the Idempotency-Key is reserved, and not stored under it (see core.idempotency)."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Who offers, kept for post(): offer_place then need not read it again.
        self.bidder = offer_precheck(actor=request.user, auction_id=auction_id, value=data.validated_data["value"])

    @extend_schema(
        operation_id="auction_offer_create",
        summary="Place a final price offer (round 2)",
        tags=["auctions: e-auction room"],
        request=InputSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: OutputSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="Refused: the message names the smallest valid offer (code offer_too_low; in a "
                "descending EL auction the largest, code offer_too_high), or the value is not a percentage with "
                "two decimals. An offer already below the best when it arrives is refused without being stored "
                "under its Idempotency-Key: it changed nothing, and a retry is judged against the room as it then is.",
            ),
            403: OpenApiResponse(
                ErrorSerializer, description="Not signed in, not a qualified bidder, or a role that may not bid."
            ),
            404: OpenApiResponse(ErrorSerializer, description="No such auction."),
            409: OpenApiResponse(
                ErrorSerializer,
                description="The e-auction has not started, or has closed: the offer reached the server after the "
                "close. Also a reused Idempotency-Key with another body.",
            ),
        },
    )
    @idempotent(scope="auctions.offer", precheck=refuse_early)
    def post(self, request, auction_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The service refuses regulators (read-only), firms that are not qualified and roles that may not bid.
        offer = offer_place(
            actor=request.user,
            auction_id=auction_id,
            value=data.validated_data["value"],
            bidder=getattr(self, "bidder", None),
        )
        state = room.room_after_offer(offer, request.user)
        return Response({"offer": room.offer_entry(offer, state), "state": state}, status=status.HTTP_201_CREATED)


class EventStreamRenderer(BaseRenderer):
    """text/event-stream: the room's events are written by the streaming response itself; this renders only an
    error answered instead of a stream (the error JSON as one event), so that content negotiation accepts
    EventSource's `Accept: text/event-stream`."""

    media_type = "text/event-stream"
    format = "event-stream"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return f"event: error\ndata: {json.dumps(data, cls=JSONEncoder)}\n\n".encode()


class RoomEventSerializer(serializers.Serializer):
    """One server-sent event of the room's stream, as EventSource reads it (a line `retry: 1000` comes first)."""

    event = StrictChoiceField(
        choices=[
            ("message", "The room's state (the default type: no `event:` line)."),
            ("end", "Nothing more will change (settled or annulled): close the stream."),
            ("error", "Answered instead of a stream: why it was refused."),
        ],
        help_text="message: the room's state; end: nothing more will change; error: the stream was refused.",
    )
    data = StrictCharField(
        help_text="message: the room's state as JSON, as `auction_room_state` answers it (RoomState); end: `{}`; "
        "error: the error's JSON (Error)."
    )
    id = StrictCharField(
        required=False, help_text="The state's ETag (message only): EventSource sends it back as Last-Event-ID."
    )

    class Meta:
        ref_name = "RoomEvent"


def _stream_or_json(description: str) -> dict:
    """An answer in the one error shape as JSON, or as one `error` event to a client that accepts only events."""
    return {
        "application/json": OpenApiResponse(ErrorSerializer, description=description),
        "text/event-stream": OpenApiResponse(RoomEventSerializer, description=description),
    }


class RoomEventsApi(APIView):
    """The room's state as server-sent events: at once, then at every change. Who may follow it: as for the
    state (RoomStateApi)."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, EventStreamRenderer]
    serializer_class = RoomStateSerializer  # each event's data

    def initial(self, request, *args, **kwargs):
        # Opening a stream reads the viewer (authentication) and the auction: with one of the process's few
        # database slots for streams, taken before DRF authenticates, so that rooms opening together queue
        # briefly instead of opening a connection each.
        room_stream.database_begin()
        self.database_slot = True
        super().initial(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:  # whatever happened: the stream itself holds no connection while it waits
            if getattr(self, "database_slot", False):
                self.database_slot = False
                room_stream.database_end()

    @extend_schema(
        operation_id="auction_room_events",
        summary="Follow the e-auction room live: its state as server-sent events, at once and at every change",
        description=(
            "A `text/event-stream` (use a browser's EventSource). Each event's `data` is the room's state, the JSON "
            "of `auction_room_state`, and its `id` that state's ETag: reconnecting with `Last-Event-ID` sends an "
            "event only if the room changed meanwhile. An event is sent at every accepted offer, extension, start, "
            "close and declaration; a comment line every 15 s keeps the connection open; the event `end` says "
            "nothing more will change. 503 when this server cannot keep a stream open now: poll "
            "`auction_room_state` (every 500 ms) instead."
        ),
        tags=["auctions: e-auction room"],
        parameters=[
            OpenApiParameter(
                "Last-Event-ID",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The id of the last event received, sent by EventSource when it reconnects.",
            )
        ],
        responses={
            (200, "text/event-stream"): OpenApiResponse(
                RoomEventSerializer, description="The room's events: its state at once, then at every change."
            ),
            **{
                (code, media_type): answer
                for code, description in (
                    (403, ROOM_ERRORS[403].description),
                    (404, ROOM_ERRORS[404].description),
                    (503, "No live stream on this server now (code stream_unavailable): poll."),
                )
                for media_type, answer in _stream_or_json(description).items()
            },
        },
    )
    def get(self, request, auction_id):
        events = room_stream.room_events(
            auction_id,
            request.user,
            last_event_id=request.headers.get("Last-Event-ID", ""),
            multithread=bool(request.META.get("wsgi.multithread")),
        )
        response = StreamingHttpResponse(events, content_type="text/event-stream; charset=utf-8")
        response["Cache-Control"] = "private, no-cache"
        response["X-Accel-Buffering"] = "no"  # a reverse proxy must pass each event on at once
        return response
