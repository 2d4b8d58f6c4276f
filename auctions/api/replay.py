"""GET /api/v1/public/auctions/{id}/replay: the auction recomputed from its public ledger (auctions.replay).

Anonymous and read-only: it derives nothing that the ledger stream does not already publish.
"""

from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from auctions.replay import IN_PROGRESS, OUTCOMES, replay
from core.api import ErrorSerializer
from core.errors import NotFound
from core.fields import StrictCharField, StrictChoiceField
from ledger.models import Entry

FINAL_CACHE_SECONDS = 300  # a settled or annulled auction's ledger no longer changes
LIVE_CACHE_SECONDS = 5


class ReplayCheckSerializer(serializers.Serializer):
    name = StrictCharField(help_text="the point checked, e.g. 'floor price', 'offer 3', 'preferred bidder'")
    published = StrictCharField(help_text="what the ledger published at that point")
    recomputed = StrictCharField(help_text="what the replay recomputed, or why the published step is wrong")
    agrees = serializers.BooleanField(help_text="true when the published step is what the Rules give")


class ReplaySerializer(serializers.Serializer):
    auction = serializers.IntegerField()
    stream = StrictCharField(help_text="the ledger stream replayed, auction:<id>")
    entries = serializers.IntegerField(help_text="number of ledger entries read")
    outcome = StrictChoiceField(
        choices=list(OUTCOMES.items()), help_text="what the ledger's last entry says of the auction"
    )
    agrees = serializers.BooleanField(help_text="true when every point agrees")
    checks = ReplayCheckSerializer(many=True)


class AuctionReplayView(APIView):
    """Recompute an auction from its ledger entries alone, with the rules functions the live system used."""

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = ReplaySerializer

    @extend_schema(
        operation_id="public_auction_replay",
        tags=["public"],
        summary="Replay an auction from its ledger",
        description=(
            "Reads the entries of the ledger stream `auction:{id}` (the same as `/api/v1/public/ledger/auction:{id}`) "
            "and recomputes, with the functions of the Rules the live system used: the hash chain; every opened "
            "initial price offer against its commitment, and that the commitments published at the bid due date "
            "are exactly those evaluated; the dense ranking, the qualified bidders and the floor price; each final "
            "offer's validity (increment, open window as extended so far) and the extension it caused; the close; "
            "and the preferred bidder and winning offer, mapping bidder tokens to firms with the salt published at "
            "the close. Annulments are recomputed too. Each point says what was published, what was recomputed "
            "and whether they agree. Anyone can do the same from the ledger: see `auctions/replay.py`."
        ),
        responses={
            200: ReplaySerializer,
            404: OpenApiResponse(ErrorSerializer, description="No auction has this number (its ledger is empty)."),
        },
    )
    def get(self, request, auction_id: int):
        entries = [e.as_dict() for e in Entry.objects.filter(stream=f"auction:{auction_id}").order_by("seq")]
        if not entries:
            raise NotFound(
                f"There is no auction {auction_id}: the ledger has no stream auction:{auction_id}. "
                "Find auctions at /api/v1/public/auctions."
            )
        result = replay(auction_id, entries)
        response = Response(ReplaySerializer(result.as_json()).data)
        final = result.outcome != IN_PROGRESS
        patch_cache_control(response, public=True, max_age=FINAL_CACHE_SECONDS if final else LIVE_CACHE_SECONDS)
        return response
