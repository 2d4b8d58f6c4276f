"""The e-auction's hot path in SQL, written once (core.sql): the accepted offer's writes, the read of who offers with
the auction as it stands, and the auction's row lock. Every offer runs them; building them with the ORM cost more
than running them (docs/benchmarks.md). Their values go through the ORM's own converters, so the instances are the
ones the ORM would have built."""

from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection

from auctions.models import Auction, Offer, Participation
from bidders.models import Firm, Membership
from blocks.models import Block
from core.errors import NotFound
from core.sql import ModelRow, ModelWrite, quote

# The accepted offer's two writes, written once (core.sql): they run under the auction's row lock.
OFFER_INSERT = ModelWrite(Offer, ["auction", "participation", "seq", "value", "placed_at"])
AUCTION_BEST_UPDATE = ModelWrite(Auction, ["best_offer", "best_participation", "offer_count", "closes_at"])

OFFER_BIDDER_COLUMNS = ("firm_id", "firm__legal_name", "role", "participation_id", "regulator", "live")
# The auction as it stands, unlocked: what an offer is judged against before the lock (read with core.sql, so its
# values are converted as the ORM converts them).
OFFER_SNAPSHOT_FIELDS = ("status", "origin", "direction", "params", "floor_price", "best_offer")


@cache
def offer_bidder_read() -> tuple[str, ModelRow]:
    """The query of `e_auction._offer_bidder`, written once: every offer runs it, and building it with the ORM's
    Subquery and Exists cost three times the query itself (docs/benchmarks.md)."""
    user_groups = get_user_model().groups.through
    group = user_groups._meta.get_field("group").related_model
    snapshot = ModelRow(Auction, OFFER_SNAPSHOT_FIELDS)
    sql = (
        "SELECT m.firm_id, f.legal_name, m.role, "
        f"(SELECT p.id FROM {Participation._meta.db_table} p "
        "WHERE p.auction_id = %s AND p.firm_id = m.firm_id AND p.qualified ORDER BY p.id LIMIT 1), "
        f"EXISTS (SELECT 1 FROM {user_groups._meta.db_table} ug JOIN {group._meta.db_table} g ON g.id = ug.group_id "
        "WHERE ug.user_id = m.user_id AND g.name = %s), "
        "(a.starts_at IS NOT NULL AND a.floor_price IS NOT NULL AND a.starts_at <= %s AND %s < a.closes_at), "
        f"{', '.join(snapshot.columns('a'))} "
        f"FROM {Membership._meta.db_table} m JOIN {Firm._meta.db_table} f ON f.id = m.firm_id "
        f"LEFT JOIN {Auction._meta.db_table} a ON a.id = %s "
        "WHERE m.user_id = %s ORDER BY m.id LIMIT 1"
    )
    return sql, snapshot


# What an offer reads of the auction under its lock, and the room then shows: not the block's boundary.
OFFER_LOCK_FIELDS = (
    "id",
    "block",
    "attempt",
    "status",
    "origin",
    "annulment_reason",
    "direction",
    "params",
    "document_sale_starts_at",
    "bid_due_at",
    "opening_at",
    "e_auction_starts_at",
    "opened_at",
    "floor_price",
    "starts_at",
    "closes_at",
    "best_offer",
    "best_participation",
    "offer_count",
    "bidder_salt",
)
OFFER_LOCK_BLOCK_FIELDS = ("id", "code", "name")


def offer_lock(auction_id) -> Auction:
    """The auction row locked (OF the auction only, as `guards.locked_auction`), with only what an offer and the room
    read of it, and its block's code and name: one statement written once (core.sql), as every accepted offer runs
    it."""
    try:
        auction_pk = int(auction_id)
    except (TypeError, ValueError):
        auction_pk = None
    sql, auction_row, block_row = offer_lock_read()
    with connection.cursor() as cursor:
        cursor.execute(sql, [auction_pk])
        found = cursor.fetchone()
    if found is None:
        raise NotFound(f"There is no auction {auction_id}.")
    auction = auction_row.build(found[: len(auction_row)])
    auction.block = block_row.build(found[len(auction_row) :])
    return auction


@cache
def offer_lock_read() -> tuple[str, ModelRow, ModelRow]:
    auction, block = ModelRow(Auction, OFFER_LOCK_FIELDS), ModelRow(Block, OFFER_LOCK_BLOCK_FIELDS)
    lock = " FOR UPDATE OF a" if connection.features.has_select_for_update_of else ""
    sql = (
        f"SELECT {', '.join(auction.columns('a') + block.columns('b'))} FROM {quote(Auction._meta.db_table)} a "
        f"JOIN {quote(Block._meta.db_table)} b ON b.{quote(Block._meta.pk.column)} = "
        f"a.{quote(Auction._meta.get_field('block').column)} WHERE a.{quote(Auction._meta.pk.column)} = %s{lock}"
    )
    return sql, auction, block
