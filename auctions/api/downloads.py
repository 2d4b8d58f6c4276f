"""CSV downloads of tranches, auctions and results: the lists of the public API as streamed files.

Every auction row (read as tuples: auctions.selectors.bulk) is rendered from
`auctions.selectors.public.public_auction`, the one place that decides what is public at the moment of the request
(RULES.md s.6): a cell whose section is not public yet (bids before the bid due date, offers before the opening, the
winner before the close) is empty, and a sealed offer is never read.
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view

from auctions.api.public import AuctionFilter
from auctions.selectors.bulk import auction_records
from auctions.selectors.public import SCHEDULE_FIELDS, public_auction, public_auctions, public_results, public_tranches
from core.public_api import BAD_FILTER, CSV_CHUNK, CSVDownloadView, csv_text, csv_value, url_maker

AUCTION_CSV_COLUMNS = (
    "id", "ocid", "origin", "tranche_id", "tranche", "tranche_kind", "block_code", "block_name", "state", "district",
    "minerals", "attempt", "previous_auction", "second_attempt", "phase", "lease_kind", "direction",
    "reserve_price_pct", "bid_due_at", "bid_count", "technically_qualified_count", "floor_price", "annulment_reason",
    "annulled_on", "preferred_bidder", "preferred_bidder_cin", "winning_offer_pct", "declared_on", "offer_count",
    "source_url", "portal_url", "ocds_url",
)  # fmt: skip

TRANCHE_CSV_COLUMNS = (
    "id", "name", "kind", "origin", "notified_at", *SCHEDULE_FIELDS, "launched_on", "bids_due_on",
    "published_block_count", "tender_fee", "net_worth_threshold", "auction_count", "block_codes", "portal_url",
)  # fmt: skip


def _section(data: dict, name: str) -> dict:
    return data.get(name) or {}


def auction_row(data: dict, urls: dict) -> list:
    """One auction as a CSV row, from `public_auction(...)`: what is not public yet is an empty cell."""
    block, terms, result = data["block"], data["terms"], _section(data, "result")
    annulment, opening, bids = _section(data, "annulment"), _section(data, "opening"), data["bids"]
    winner = result.get("preferred_bidder") or {}
    source = _section(data, "source")
    tqb = data["technically_qualified"]
    return [
        data["id"],
        data["ocid"],
        data["origin"],
        data["tranche"]["id"],
        csv_text(data["tranche"]["name"]),
        data["tranche"]["kind"],
        csv_text(block["code"]),
        csv_text(block["name"]),
        block["state"],
        csv_text(block["district"]),
        ";".join(m["slug"] for m in block["minerals"]),
        data["attempt"],
        csv_value(data["previous_auction"]),
        csv_value(data["second_attempt"]),
        data["phase"],
        csv_value(terms["lease_kind"]),
        terms["direction"],
        csv_value(terms["reserve_price_pct"]),
        csv_value((data["schedule"] or {}).get("bid_due_at")),
        "" if bids is None else bids["bid_count"],
        "" if tqb is None else len(tqb),
        csv_value(opening.get("floor_price")),
        csv_text(annulment.get("reason")),
        csv_value(annulment.get("annulled_on")),
        csv_text(winner.get("name")),
        csv_text(winner.get("cin")),
        csv_value(result.get("winning_offer")),
        csv_value(result.get("declared_on")),
        csv_value(result.get("offer_count")),
        csv_text(source.get("url")),
        urls["portal"](data["id"]),
        urls["ocds"](data["id"]),
    ]


def auction_csv_rows(queryset, site: str, *, now=None):
    """The auctions of `queryset` as rows, read as tuples a chunk at a time (auctions.selectors.bulk) and each
    rendered from public_auction."""
    now = now or timezone.now()
    urls = {"portal": url_maker("public_auctions:auction_detail", site), "ocds": url_maker("auction-ocds", site)}
    for auction in auction_records(queryset, now=now, offers=False):
        yield auction_row(public_auction(auction, now=now, history=False), urls)


def tranche_csv_rows(queryset, site: str):
    portal = url_maker("public_auctions:tranche_detail", site)
    for tranche in queryset.iterator(chunk_size=CSV_CHUNK):
        auctions = tranche.public_auction_rows
        yield [
            tranche.pk,
            csv_text(tranche.name),
            tranche.kind,
            tranche.origin,
            csv_value(tranche.notified_at),
            *(csv_value(getattr(tranche, name)) for name in SCHEDULE_FIELDS),
            csv_value(tranche.launched_on),
            csv_value(tranche.bids_due_on),
            csv_value(tranche.published_block_count),
            csv_value(tranche.tender_fee),
            csv_value(tranche.net_worth_threshold),
            len(auctions),
            ";".join(csv_text(a.block.code) for a in auctions),
            portal(tranche.pk),
        ]


AUCTION_COLUMNS_HELP = " Columns: " + ", ".join(AUCTION_CSV_COLUMNS) + ". Minerals are slugs separated by semicolons."
CAP_HELP = " Every matching row up to the cap (header X-Row-Cap; a cut file ends with a line saying so)."


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="Auctions as CSV",
        operation_id="public_auctions_csv",
        description=(
            "The filtered auction list as a CSV file (UTF-8, header row first), streamed: the filters of "
            "/api/v1/public/auctions, with what is public at the moment of the request (a cell not public yet is "
            "empty)." + CAP_HELP + AUCTION_COLUMNS_HELP
        ),
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: BAD_FILTER},
    )
)
class AuctionCSVView(CSVDownloadView):
    filterset_class = AuctionFilter
    csv_columns = AUCTION_CSV_COLUMNS
    csv_filename = "khanij-auctions.csv"

    def get_queryset(self):
        return public_auctions()

    def csv_rows(self, queryset, site):
        return auction_csv_rows(queryset, site)


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="Results as CSV",
        operation_id="public_results_csv",
        description=(
            "The results page as a CSV file: every auction that has ended (settled, annulled, or past the close of "
            "its e-auction), latest first, with the filters of /api/v1/public/auctions."
            + CAP_HELP
            + AUCTION_COLUMNS_HELP
        ),
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: BAD_FILTER},
    )
)
class ResultCSVView(AuctionCSVView):
    csv_filename = "khanij-results.csv"

    def get_queryset(self):
        return public_results()


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="Tranches as CSV",
        operation_id="public_tranches_csv",
        description=(
            "Every notified tranche as a CSV file, newest first, as /api/v1/public/tranches (which has no filters)."
            + CAP_HELP
            + " Columns: "
            + ", ".join(TRANCHE_CSV_COLUMNS)
            + ". block_codes: the blocks of its auctions, separated by semicolons."
        ),
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
)
class TrancheCSVView(CSVDownloadView):
    filter_backends = []
    csv_columns = TRANCHE_CSV_COLUMNS
    csv_filename = "khanij-tranches.csv"

    def get_queryset(self):
        return public_tranches()

    def csv_rows(self, queryset, site):
        return tranche_csv_rows(queryset, site)
