"""The public API of tranches and auctions: anonymous, read-only, filterable, cursor-paginated.

Every answer is rendered from auctions.selectors.public.public_auction, the one place that decides what
is public at the moment of the request (RULES.md section 6); a section that is not public yet is null.
"""

from django.urls import reverse
from django.utils import timezone
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.response import Response

from auctions.forms import PARAM_LABELS
from auctions.models import Auction, Origin, Tranche
from auctions.rules import AuctionParams
from auctions.selectors.phase import PHASE_CHOICES
from auctions.selectors.public import (
    phase_q,
    public_auction,
    public_auction_get,
    public_auctions,
    public_tranche,
    public_tranche_get,
    public_tranches,
)
from blocks.constants import LeaseKind
from blocks.filters import mineral_filter, state_filter
from blocks.models import Block
from core.api import ErrorSerializer
from core.fields import ExactDecimalField, StrictCharField, StrictChoiceField, StrictSlugField, StrictURLField
from core.filters import IntegerFilter, PublicFilterSet
from core.pagination import KeysetCursorPagination
from core.public_api import BAD_FILTER, PublicAPIView

BlockMineral = Block.minerals.through

PHASE_HELP = (
    "The auction's phase, derived from the clock at the moment of the request: "
    + "; ".join(f"`{value}`: {label}" for value, label in PHASE_CHOICES)
    + "."
)
TRANCHE_KIND_HELP = (
    "What the tranche auctions. `lease`: mining leases and composite licences, the Centre's ascending auction on the "
    "% of the value of mineral despatched (RULES.md s.3); `exploration`: exploration licences, the State's "
    "descending reverse auction on the % share of the future auction premium, lowest wins (RULES.md s.4)."
)
ANNULMENT_REASONS = (
    'The published reason: "no bid", "fewer than 3 TQB" (the minimum of the attempt), "no final offer"; for a historic '
    'auction, the reason as the published record words it (e.g. "fewer than 3 bids", "no bids", "biodiversity heritage '
    'site"), empty when not published.'
)
ORIGIN_HELP = (
    "`khanij`: notified and run on Khanij. `historic`: imported from the published record of an auction the Ministry "
    "of Mines ran before Khanij (tranches 1 to 5, tranche_blocks.csv): never run here; whatever the record does not "
    "give is null and listed in `source.not_published`, never invented."
)
NOT_PUBLISHED = " Null for a historic auction: not published."


def replay_path(auction_id: int) -> str:
    """The replay endpoint (auctions/api/urls/replay.py) recomputes a settled auction from its ledger."""
    return f"/api/v1/public/auctions/{auction_id}/replay"


# --- Serializers: each nested one names exactly what is published ---------------------------------------------


def params_serializer(*, for_input: bool):
    """The parameters of the Rules an auction runs under (auctions.rules.AuctionParams), documented one by one."""
    defaults = AuctionParams()
    help_texts = {
        "min_tqb_first_attempt": "Minimum technically qualified bidders for a first attempt to go on.",
        "min_tqb_second_attempt": "Minimum technically qualified bidders for a second attempt.",
        "qualified_share_pct": "Share of the ranks (rounded up) that qualify for the e-auction, %.",
        "qualified_top_ranks": "Number of top ranks that qualify when that is more than the share.",
        "min_increment": "Minimum increment of a final price offer over the floor and the highest offer, % points.",
        "duration_minutes": "Duration of the e-auction before extensions, minutes.",
        "extension_window_minutes": "An offer in this many last minutes extends the close, minutes.",
        "extension_minutes": "The close is extended to this many minutes after such an offer.",
        "bid_security_pct": "Bid security as a share of the value of estimated resources, %.",
        "bid_security_cap": "Cap of the bid security, INR.",
        "performance_security_pct": "Performance security as a share of the value of estimated resources, %.",
        "upfront_payment_pct": "Upfront payment as a share of the value of estimated resources, %.",
        "upfront_payment_cap": "Cap of the upfront payment, INR.",
        "net_worth_cap_ml": "Cap of the net-worth requirement for a mining lease, INR.",
        "net_worth_cap_cl": "Cap of the net-worth requirement for a composite licence, INR.",
        "el_ceiling_floor_pct": "Lowest ceiling an exploration-licence tender may set, %.",
        "el_min_net_worth": "Minimum net worth of an exploration-licence bidder, INR.",
    }
    fields = {}
    for name, default in defaults.as_json().items():
        label, hint = PARAM_LABELS[name]
        text = f"{help_texts.get(name, label + '. ' + hint if hint else label + '.')} Default {default}."
        kwargs = {"help_text": text, "required": not for_input}
        if isinstance(default, int):
            fields[name] = serializers.IntegerField(min_value=0, **kwargs)
        else:
            fields[name] = ExactDecimalField(max_digits=24, decimal_places=None, min_value=0, **kwargs)
    name = "AuctionParamsInput" if for_input else "AuctionParams"
    return type(name, (serializers.Serializer,), {**fields, "Meta": type("Meta", (), {"ref_name": name})})


AuctionParamsSerializer = params_serializer(for_input=False)
AuctionParamsInputSerializer = params_serializer(for_input=True)


class FirmRefSerializer(serializers.Serializer):
    name = StrictCharField(help_text="The firm's registered legal name (a historic auction's: as published).")
    cin = StrictCharField(
        allow_null=True,
        help_text="Corporate Identification Number; null for a historic auction's preferred bidder, a firm named in "
        "the published record and not registered on Khanij.",
    )

    class Meta:
        ref_name = "PublicFirmRef"


class ScheduleSerializer(serializers.Serializer):
    """Every date is set by a notice run on Khanij; each is null for a historic tranche or auction (not published)."""

    document_sale_starts_at = serializers.DateTimeField(
        allow_null=True, help_text="The tender-document sale opens." + NOT_PUBLISHED
    )
    document_sale_ends_at = serializers.DateTimeField(
        allow_null=True, help_text="The tender-document sale closes." + NOT_PUBLISHED
    )
    pre_bid_meeting_at = serializers.DateTimeField(allow_null=True, help_text="The pre-bid meeting, if any.")
    bid_due_at = serializers.DateTimeField(
        allow_null=True, help_text="Technical bids and sealed initial price offers are due." + NOT_PUBLISHED
    )
    technical_evaluation_at = serializers.DateTimeField(
        allow_null=True, help_text="Target date of the technical evaluation." + NOT_PUBLISHED
    )
    opening_at = serializers.DateTimeField(
        allow_null=True, help_text="Target date of the opening of initial price offers." + NOT_PUBLISHED
    )
    e_auction_starts_at = serializers.DateTimeField(
        allow_null=True, help_text="The e-auction (round 2) starts." + NOT_PUBLISHED
    )

    class Meta:
        ref_name = "TenderSchedule"


class PublicAuctionSerializer(serializers.Serializer):
    """An auction as the public sees it now: a section that is not public yet is null."""

    class TrancheRefSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = StrictCharField()
        kind = StrictChoiceField(choices=Tranche.Kind.choices, help_text=TRANCHE_KIND_HELP)

        class Meta:
            ref_name = "PublicTrancheRef"

    class BlockSerializer(serializers.Serializer):
        class MineralRefSerializer(serializers.Serializer):
            slug = StrictSlugField()
            name = StrictCharField()

            class Meta:
                ref_name = "PublicAuctionMineral"

        code = StrictCharField()
        name = StrictCharField()
        state = StrictCharField()
        district = StrictCharField()
        minerals = MineralRefSerializer(many=True)
        area_hectares = ExactDecimalField(
            max_digits=14,
            decimal_places=4,
            allow_null=True,
            help_text="Null when unknown; for a historic auction also when the registry's figure is illustrative.",
        )
        value_of_estimated_resources = ExactDecimalField(
            max_digits=20,
            decimal_places=2,
            allow_null=True,
            help_text="Value of estimated resources (VER), INR. Null for a historic auction whose block's figures are "
            "illustrative (not part of the published record).",
        )

        class Meta:
            ref_name = "PublicAuctionBlock"

    class TermsSerializer(serializers.Serializer):
        lease_kind = StrictChoiceField(
            choices=LeaseKind.choices,
            allow_null=True,
            help_text="What the winner is offered. Null for a historic auction whose kind was not published.",
        )
        direction = StrictChoiceField(
            choices=Auction.Direction.choices,
            help_text="ascending: the highest % of the value of mineral despatched wins (ML, CL); "
            "descending: the lowest % share of the future premium wins (EL).",
        )
        reserve_price_pct = ExactDecimalField(
            max_digits=7,
            decimal_places=2,
            allow_null=True,
            help_text="ascending (ML, CL): the reserve price, % of the value of mineral despatched; initial offers are "
            "at least this. descending (EL): the ceiling, % share of the future auction premium; initial offers are "
            "at most this." + NOT_PUBLISHED,
        )
        net_worth_threshold = ExactDecimalField(
            max_digits=18, decimal_places=2, allow_null=True, help_text="INR." + NOT_PUBLISHED
        )
        bid_security = ExactDecimalField(
            max_digits=18, decimal_places=2, allow_null=True, help_text="INR." + NOT_PUBLISHED
        )
        tender_fee = ExactDecimalField(
            max_digits=14, decimal_places=2, allow_null=True, help_text="INR, before GST." + NOT_PUBLISHED
        )
        params = AuctionParamsSerializer(
            allow_null=True, help_text="The parameters of the Rules this auction runs under." + NOT_PUBLISHED
        )

        class Meta:
            ref_name = "PublicAuctionTerms"

    class AnnulmentSerializer(serializers.Serializer):
        reason = StrictCharField(help_text=ANNULMENT_REASONS)
        annulled_at = serializers.DateTimeField(
            allow_null=True, help_text="When it was annulled. Null for a historic auction (no time is published)."
        )
        annulled_on = serializers.DateField(
            allow_null=True, help_text="The day (IST) it was annulled; null for a historic auction when not published."
        )
        second_attempt = serializers.IntegerField(allow_null=True, help_text="The auction of the second attempt.")

        class Meta:
            ref_name = "PublicAnnulment"

    class BidsSerializer(serializers.Serializer):
        bid_count = serializers.IntegerField(help_text="Bids received by the due date (never who, never how much).")
        commitments = serializers.ListField(
            child=StrictCharField(),
            help_text="The commitment (sha256 hex) of every sealed initial price offer, sorted.",
        )

        class Meta:
            ref_name = "PublicBids"

    class OpeningSerializer(serializers.Serializer):
        class OpenedBidSerializer(serializers.Serializer):
            name = StrictCharField()
            cin = StrictCharField()
            initial_price_offer = ExactDecimalField(max_digits=7, decimal_places=2, help_text="%.")
            nonce = StrictCharField(help_text="With the offer, recomputes the commitment.")
            commitment = StrictCharField()
            rank = serializers.IntegerField(
                help_text="Dense rank, 1 for the best offer (the highest; for an EL the lowest); equal offers share a "
                "rank."
            )
            qualified = serializers.BooleanField(help_text="Qualified for the e-auction (round 2).")

            class Meta:
                ref_name = "PublicOpenedBid"

        opened_at = serializers.DateTimeField()
        floor_price = ExactDecimalField(
            max_digits=7,
            decimal_places=2,
            allow_null=True,
            help_text="Where round 2 starts, %: the floor (ascending: the highest IPO of the qualified bidders; final "
            "offers must exceed it) or the cap (descending, EL: the lowest IPO of the qualified; final offers must be "
            "below it).",
        )
        bidders = OpenedBidSerializer(many=True, help_text="The technically qualified bidders, by rank.")
        qualified = FirmRefSerializer(many=True, help_text="The qualified bidders of round 2.")

        class Meta:
            ref_name = "PublicOpening"

    class EAuctionSerializer(serializers.Serializer):
        starts_at = serializers.DateTimeField(allow_null=True)
        closes_at = serializers.DateTimeField(allow_null=True, help_text="The close, as extended by late offers.")

        class Meta:
            ref_name = "PublicEAuction"

    class ResultSerializer(serializers.Serializer):
        class OfferSerializer(serializers.Serializer):
            seq = serializers.IntegerField()
            value = ExactDecimalField(max_digits=7, decimal_places=2, help_text="%.")
            placed_at = serializers.DateTimeField()
            bidder = StrictCharField(help_text='"Bidder 1", "Bidder 2", ... in the order of their first offer.')

            class Meta:
                ref_name = "PublicOfferHistoryItem"

        closed_at = serializers.DateTimeField(allow_null=True, help_text="Null for a historic auction.")
        declared = serializers.BooleanField(help_text="The result is recorded (within seconds of the close).")
        declared_on = serializers.DateField(
            allow_null=True,
            help_text="The day (IST) the preferred bidder was declared; null until then, and for a historic auction "
            "whose day was not published.",
        )
        preferred_bidder = FirmRefSerializer(allow_null=True, help_text="Null when there was no final offer.")
        winning_offer = ExactDecimalField(
            max_digits=7,
            decimal_places=2,
            allow_null=True,
            help_text="%: the highest final offer (ascending) or the lowest (descending, EL). Null when there was "
            "none, or for a historic auction whose final offer was not published.",
        )
        offer_count = serializers.IntegerField(allow_null=True, help_text="Null for a historic auction.")
        offers = OfferSerializer(
            many=True, help_text="The anonymised offer history (empty for a historic auction: not published)."
        )
        bidder_salt = StrictCharField(
            allow_blank=True,
            help_text="Links the bidder tokens of the ledger to firms: token = sha256(salt|auction|firm id)[:16]. "
            "Empty for a historic auction.",
        )

        class Meta:
            ref_name = "PublicResult"

    class SourceSerializer(serializers.Serializer):
        url = StrictURLField(help_text="The published source the record cites.")
        published_outcome = StrictCharField(help_text="The outcome as the source words it.")
        record = StrictCharField(help_text="The compilation the record was imported from.")
        not_published = serializers.ListField(
            child=StrictCharField(),
            help_text="The sections and fields the published record does not give (null here, never invented).",
        )

        class Meta:
            ref_name = "PublicHistoricSource"

    id = serializers.IntegerField()
    ocid = StrictCharField(help_text="Open Contracting identifier.")
    origin = StrictChoiceField(choices=Origin.choices, help_text=ORIGIN_HELP)
    ledger_stream = StrictCharField(help_text="The auction's stream in the public ledger.")
    ledger_url = serializers.SerializerMethodField(help_text="The ledger stream, with its verification.")
    replay_url = serializers.SerializerMethodField(help_text="Recomputes the outcome from the ledger.")
    portal_url = serializers.SerializerMethodField(help_text="The auction's page on the portal.")
    phase = StrictChoiceField(choices=PHASE_CHOICES, help_text=PHASE_HELP)
    phase_label = StrictCharField()
    tranche = TrancheRefSerializer()
    block = BlockSerializer()
    attempt = serializers.IntegerField(help_text="1, or 2 for the second attempt after an annulment.")
    previous_auction = serializers.IntegerField(allow_null=True, help_text="For a second attempt: the first.")
    second_attempt = serializers.IntegerField(allow_null=True, help_text="The second attempt, once notified.")
    terms = TermsSerializer()
    schedule = ScheduleSerializer()
    annulment = AnnulmentSerializer(allow_null=True)
    bids = BidsSerializer(allow_null=True, help_text="Public from the bid due date.")
    technically_qualified = FirmRefSerializer(
        many=True, allow_null=True, help_text="Public once every bid is evaluated: the TQB list."
    )
    opening = OpeningSerializer(allow_null=True, help_text="Public from the opening of the initial price offers.")
    e_auction = EAuctionSerializer(allow_null=True, help_text="Public from the opening.")
    result = ResultSerializer(
        allow_null=True,
        help_text="Public once the e-auction has closed. For a historic auction: the preferred bidder and final offer "
        "as published, null when none was declared.",
    )
    source = SourceSerializer(allow_null=True, help_text="For a historic auction, its published record; else null.")

    class Meta:
        ref_name = "PublicAuction"

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_ledger_url(self, data) -> str:
        return self._absolute(reverse("public-ledger-stream", kwargs={"stream": data["ledger_stream"]}))

    def get_replay_url(self, data) -> str:
        return self._absolute(replay_path(data["id"]))

    def get_portal_url(self, data) -> str:
        return self._absolute(reverse("public_auctions:auction_detail", args=[data["id"]]))


class PublicTrancheSerializer(serializers.Serializer):
    class AuctionSummarySerializer(serializers.Serializer):
        id = serializers.IntegerField()
        block_code = StrictCharField()
        block_name = StrictCharField()
        attempt = serializers.IntegerField()
        phase = StrictChoiceField(choices=PHASE_CHOICES, help_text=PHASE_HELP)
        phase_label = StrictCharField()
        published_outcome = StrictCharField(
            allow_null=True, help_text="For a historic auction, the outcome as published; else null."
        )

        class Meta:
            ref_name = "PublicTrancheAuction"

    class RecordSerializer(serializers.Serializer):
        launched_on = serializers.DateField(allow_null=True, help_text="The day the tranche was launched.")
        bids_due_on = serializers.DateField(allow_null=True, help_text="The bid due date; null when not published.")
        published_block_count = serializers.IntegerField(
            allow_null=True,
            help_text="Blocks the Ministry offered in the tranche, as published; the record here may hold fewer "
            "(`auctions` lists those it has).",
        )
        note = StrictCharField(help_text="Where these facts come from.")

        class Meta:
            ref_name = "PublicTrancheRecord"

    id = serializers.IntegerField()
    name = StrictCharField()
    kind = StrictChoiceField(choices=Tranche.Kind.choices, help_text=TRANCHE_KIND_HELP)
    origin = StrictChoiceField(choices=Origin.choices, help_text=ORIGIN_HELP)
    notified_at = serializers.DateTimeField(allow_null=True, help_text="Null for a historic tranche (see `record`).")
    tender_fee = ExactDecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="INR, before GST." + NOT_PUBLISHED
    )
    net_worth_threshold = ExactDecimalField(
        max_digits=18, decimal_places=2, allow_null=True, help_text="INR." + NOT_PUBLISHED
    )
    params = AuctionParamsSerializer(allow_null=True, help_text="The parameters of the Rules." + NOT_PUBLISHED)
    schedule = ScheduleSerializer()
    auctions = AuctionSummarySerializer(many=True, help_text="One auction per block and attempt.")
    record = RecordSerializer(
        allow_null=True, help_text="For a historic tranche: what the Ministry published of it; else null."
    )
    portal_url = serializers.SerializerMethodField()

    class Meta:
        ref_name = "PublicTranche"

    def get_portal_url(self, data) -> str:
        path = reverse("public_auctions:tranche_detail", args=[data["id"]])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


# --- Filters ----------------------------------------------------------------------------------------------------

MINERAL_HELP = "Mineral slug, as listed at /api/v1/public/minerals; repeatable (an auction of a block with any)."


class AuctionFilter(PublicFilterSet):
    tranche = IntegerFilter(field_name="tranche_id", label="tranche", help_text="Tranche id.")
    block = filters.CharFilter(field_name="block__code", lookup_expr="iexact", help_text="Block code.")
    mineral = mineral_filter(MINERAL_HELP, through=BlockMineral, owner="block", outer="block_id")
    state = state_filter(
        field_name="block__state", help_text="State or Union Territory of the block, by its full name; repeatable."
    )
    phase = filters.MultipleChoiceFilter(
        choices=PHASE_CHOICES, method="filter_phase", label="phase", help_text=PHASE_HELP + " Repeatable."
    )
    attempt = IntegerFilter(field_name="attempt", help_text="1 (first attempt) or 2 (second attempt).")
    kind = filters.ChoiceFilter(
        field_name="tranche__kind", choices=Tranche.Kind.choices, label="kind", help_text=TRANCHE_KIND_HELP
    )
    origin = filters.ChoiceFilter(field_name="origin", choices=Origin.choices, label="origin", help_text=ORIGIN_HELP)

    class Meta(PublicFilterSet.Meta):
        model = Auction

    def filter_phase(self, queryset, name, value):
        return queryset.filter(phase_q(value, timezone.now())) if value else queryset


# --- Views ------------------------------------------------------------------------------------------------------


class PublicAuctionPagination(KeysetCursorPagination):
    page_size = 50


NOT_FOUND = OpenApiResponse(ErrorSerializer, description="`not_found`: no such notified tranche or auction.")


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="Notified tranches",
        operation_id="public_tranches_list",
        description="Every notified tranche (a draft is never public), newest first, with its auctions and phases.",
        responses={200: PublicTrancheSerializer(many=True), 400: BAD_FILTER},
    )
)
class PublicTrancheListView(PublicAPIView, generics.ListAPIView):
    serializer_class = PublicTrancheSerializer
    pagination_class = PublicAuctionPagination
    filter_backends = []

    def get_queryset(self):
        return public_tranches()

    def list(self, request, *args, **kwargs):
        now = timezone.now()
        page = self.paginate_queryset(self.get_queryset())
        data = [public_tranche(t, now=now) for t in page]
        return self.get_paginated_response(self.get_serializer(data, many=True).data)


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="One notified tranche",
        operation_id="public_tranches_retrieve",
        description="The notice: schedule, tender fee, net-worth threshold, the parameters of the Rules, its auctions.",
        responses={200: PublicTrancheSerializer, 404: NOT_FOUND},
    )
)
class PublicTrancheDetailView(PublicAPIView, generics.RetrieveAPIView):
    serializer_class = PublicTrancheSerializer

    def retrieve(self, request, *args, **kwargs):
        tranche = public_tranche_get(tranche_id=kwargs["pk"])
        return Response(self.get_serializer(public_tranche(tranche)).data)


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="Auctions",
        operation_id="public_auctions_list",
        description=(
            "Every auction, bid due date first, with what is public at the moment of the request (RULES.md s.6): the "
            "terms and schedule from the notice; the number of bids and their commitments from the bid due date; the "
            "technically qualified bidders after the evaluation; their initial price offers, nonces, ranks, the "
            "qualified bidders and the floor from the opening; the anonymised offer history, the preferred bidder and "
            "the winning offer after the e-auction closes. Sections not public yet are null. Follow `next` for more."
        ),
        responses={200: PublicAuctionSerializer(many=True), 400: BAD_FILTER},
    )
)
class PublicAuctionListView(PublicAPIView, generics.ListAPIView):
    serializer_class = PublicAuctionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuctionFilter
    pagination_class = PublicAuctionPagination

    def get_queryset(self):
        return public_auctions()

    def list(self, request, *args, **kwargs):
        now = timezone.now()
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = [public_auction(a, now=now) for a in page]
        return self.get_paginated_response(self.get_serializer(data, many=True).data)


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="One auction",
        operation_id="public_auctions_retrieve",
        description="The auction with what is public at the moment of the request; see the list for what and when.",
        responses={200: PublicAuctionSerializer, 404: NOT_FOUND},
    )
)
class PublicAuctionDetailView(PublicAPIView, generics.RetrieveAPIView):
    serializer_class = PublicAuctionSerializer

    def retrieve(self, request, *args, **kwargs):
        now = timezone.now()
        auction = public_auction_get(auction_id=kwargs["pk"], now=now)
        return Response(self.get_serializer(public_auction(auction, now=now)).data)
