"""The public auctions read fast, for the full dumps and the CSV downloads (issue 15): rows as plain tuples, one
query per table per chunk, never a model instance or a prefetch per row.

What is public is still decided by `auctions.selectors.public.public_auction`, the one rule: `auction_records`
hands it light records with the attributes it reads (the auction's own columns, its tranche and block, the public
columns of its participations, its offers), built from `values_list()` tuples. Only the offer history has a SQL
form of the rule (`public.offer_history_public_q`), so that `offer_rows` (a pure projection) can be read by
PostgreSQL's COPY; tests/auctions/test_bulk.py compares both with the model-based path row by row on auctions in
every phase, sealed offers included.
"""

import io
import json
from collections import defaultdict, namedtuple
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice

from django.conf import settings
from django.db import connection
from django.db.models import Count, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from auctions.models import Auction, Offer, Participation, Tranche
from auctions.selectors.public import PUBLIC_PARTICIPATION_FIELDS, offer_history_public_q
from blocks.models import Block
from core.public_api import csv_value

# Auctions read at a time: their participations and offers come with them, one query each.
CHUNK = 500

TRANCHE_FIELDS = ("name", "kind", "tender_fee", "notified_at", "launched_on", "bids_due_on")
BLOCK_FIELDS = (
    "id", "code", "name", "state", "district", "illustrative_fields", "area_hectares", "value_of_estimated_resources",
    "auction_authority",
)  # fmt: skip
OFFER_FIELDS = ("auction_id", "participation_id", "seq", "value", "placed_at")


class Record:
    """A row as an object: its columns as attributes. Only the columns read are there: an attribute that
    public_auction starts to read and the records do not carry fails loudly (tests/auctions/test_bulk.py), it is
    never silently empty."""

    def __init__(self, **values):
        self.__dict__.update(values)


class Related:
    """A many-to-many read in bulk, answering `.all()` as a prefetch would."""

    def __init__(self, rows: list):
        self.rows = rows

    def all(self) -> list:
        return self.rows


class AuctionRecord(Record):
    """An auction as `public_auction` and the OCDS releases read it; the model's own properties, shared."""

    ocid = Auction.ocid
    historic = Auction.historic
    stream = Auction.stream

    @property
    def pk(self):
        return self.id


_AUCTION_FIELDS = tuple(f.attname for f in Auction._meta.concrete_fields)


def chunks(iterable: Iterable, size: int = CHUNK) -> Iterator[list]:
    """`iterable` as lists of `size` items (the last shorter)."""
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def ids_in(ids: list[int]) -> RawSQL:
    """`ids` as the right side of an `__in` filter in one parameter (an array on PostgreSQL, JSON on SQLite):
    a chunk's 500 placeholders cost psycopg more to parse than PostgreSQL takes to answer."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(ids),))


def _participations(ids: list[int]) -> dict[int, list[Record]]:
    names = PUBLIC_PARTICIPATION_FIELDS
    rows = Participation.objects.filter(auction_id__in=ids_in(ids)).order_by("id").values_list(*names)
    grouped: dict[int, list[Record]] = defaultdict(list)
    for row in rows:
        values = dict(zip(names, row, strict=True))
        firm = Record(legal_name=values.pop("firm__legal_name"), cin=values.pop("firm__cin"))
        grouped[values["auction_id"]].append(Record(pk=values["id"], firm=firm, **values))
    return grouped


# An offer as public_auction reads it (a tuple: a million of them cost a fraction of a million objects).
OfferRow = namedtuple("OfferRow", OFFER_FIELDS[1:])


def _offers(ids: list[int], now: datetime) -> dict[int, list[OfferRow]]:
    """The offers of the chunk's auctions whose history may be public (the rule itself is applied by
    public_auction; this only spares reading the others)."""
    public = Auction.objects.filter(pk__in=ids_in(ids)).filter(offer_history_public_q(now)).values("pk")
    offers = Offer.objects.filter(auction_id__in=public).order_by("auction_id", "seq")
    grouped: dict[int, list[OfferRow]] = defaultdict(list)
    if connection.vendor != "postgresql":
        for row in offers.values_list(*OFFER_FIELDS):
            grouped[row[0]].append(OfferRow(*row[1:]))
        return grouped
    # The moment as text, parsed by datetime.fromisoformat: Django's own loader of timestamptz is written in Python
    # and took most of the time of a dump with a million offers.
    rows = offers.annotate(placed=Cast("placed_at", TextField())).values_list(*OFFER_FIELDS[:-1], "placed")
    parse = datetime.fromisoformat
    for auction_id, participation_id, seq, value, placed in rows:
        grouped[auction_id].append(OfferRow(participation_id, seq, value, parse(placed)))
    return grouped


def _offer_counts(ids: list[int], now: datetime) -> dict[int, int]:
    """The number of offers of each of the chunk's auctions whose history may be public, counted in SQL."""
    public = Auction.objects.filter(pk__in=ids_in(ids)).filter(offer_history_public_q(now)).values("pk")
    counts = Offer.objects.filter(auction_id__in=public).order_by().values("auction_id").annotate(n=Count("id"))
    return dict(counts.values_list("auction_id", "n"))


class NotRead:
    """The offers of a record read with offers=False: public_auction(record, history=False) counts them from
    `public_offer_count`; asking for the history itself is a mistake, not an empty list."""

    def __iter__(self):
        raise RuntimeError("the offers were not read: auction_records(..., offers=True) for the history")

    __len__ = __iter__


def _minerals(block_ids: list[int]) -> dict[int, list[Record]]:
    minerals: dict[int, list[Record]] = defaultdict(list)
    through = Block.minerals.through.objects.filter(block_id__in=ids_in(block_ids))
    rows = through.order_by("block_id", "mineral__name").values_list("block_id", "mineral__slug", "mineral__name")
    for block_id, slug, name in rows:
        minerals[block_id].append(Record(slug=slug, name=name))
    return minerals


_TRANCHE_COLUMNS = tuple(f"tranche__{name}" for name in TRANCHE_FIELDS)
_BLOCK_COLUMNS = tuple(f"block__{name}" for name in BLOCK_FIELDS)
_COLUMNS = (*_AUCTION_FIELDS, *_TRANCHE_COLUMNS, *_BLOCK_COLUMNS, "next_attempt__id")
_SLICES = (
    slice(0, len(_AUCTION_FIELDS)),
    slice(len(_AUCTION_FIELDS), len(_AUCTION_FIELDS) + len(TRANCHE_FIELDS)),
    slice(len(_AUCTION_FIELDS) + len(TRANCHE_FIELDS), len(_COLUMNS) - 1),
)


def _records(rows: list[tuple], now: datetime, with_offers: bool) -> list[AuctionRecord]:
    ids = [row[0] for row in rows]
    own, tranche, block = _SLICES
    minerals = _minerals(list({row[block][0] for row in rows}))
    participations = _participations(ids)
    offers = _offers(ids, now) if with_offers else {}
    counts = {} if with_offers else _offer_counts(ids, now)
    not_read = NotRead()
    records = []
    for row in rows:
        values = dict(zip(_AUCTION_FIELDS, row[own], strict=True))
        pk, following = values["id"], row[-1]
        block_values = dict(zip(BLOCK_FIELDS, row[block], strict=True))
        records.append(
            AuctionRecord(
                **values,
                tranche=Record(pk=values["tranche_id"], **dict(zip(TRANCHE_FIELDS, row[tranche], strict=True))),
                block=Record(pk=block_values["id"], minerals=Related(minerals[block_values["id"]]), **block_values),
                next_attempt=Record(pk=following) if following else None,
                public_participations=participations.get(pk, []),
                public_offers=offers.get(pk, []) if with_offers else not_read,
                public_offer_count=None if with_offers else counts.get(pk, 0),
            )
        )
    return records


def auction_records(queryset, *, now: datetime, offers: bool = True, chunk: int = CHUNK) -> Iterator[AuctionRecord]:
    """The auctions of `queryset` (any public_auctions() queryset: filtered, ordered, sliced) in its order, as
    records for public_auction(record, now=now): one query for the auctions with their tranche, block and next
    attempt, then per chunk one each for their minerals, participations and offers. offers=False: the offers are
    only counted (in SQL), for public_auction(record, now=now, history=False), which is all a CSV row or an OCDS
    release reads of them; a million offers are then never brought into Python."""
    rows = queryset.prefetch_related(None).select_related(None).values_list(*_COLUMNS)
    for part in chunks(rows.iterator(chunk_size=chunk), chunk):
        yield from _records(part, now, offers)


# --- The offer history as rows ----------------------------------------------------------------------------------

OFFER_CSV_COLUMNS = ("auction_id", "seq", "bidder", "offer_pct", "placed_at")

# One row per final offer of every auction whose history is public, bidders numbered by their first offer in the
# auction ("Bidder 1"...), as public_auction's `result.offers` numbers them; by auction, then seq.
_OFFER_SQL = """
WITH public_auctions AS ({auctions}),
firsts AS (
    SELECT o.auction_id, o.participation_id, MIN(o.seq) AS first_seq
    FROM auctions_offer o JOIN public_auctions a ON a.id = o.auction_id
    GROUP BY o.auction_id, o.participation_id
),
labels AS (
    SELECT auction_id, participation_id,
           ROW_NUMBER() OVER (PARTITION BY auction_id ORDER BY first_seq) AS n
    FROM firsts
)
SELECT o.auction_id, o.seq, 'Bidder ' || l.n AS bidder, o.value AS offer_pct, {placed_at} AS placed_at
FROM auctions_offer o
JOIN labels l ON l.auction_id = o.auction_id AND l.participation_id = o.participation_id
{local}
ORDER BY o.auction_id, o.seq
"""

# placed_at as Python's isoformat() of the local time (core.public_api.csv_value): seconds, microseconds only when
# not zero, the offset as +HH:MM; the session's time zone (UTC, as Django sets it) is left alone.
_PG_LOCAL = """CROSS JOIN LATERAL (
    SELECT o.placed_at AT TIME ZONE %s AS local, (o.placed_at AT TIME ZONE %s) - (o.placed_at AT TIME ZONE 'UTC') AS off
) t"""
_PG_ISO = (
    """to_char(t.local, 'YYYY-MM-DD"T"HH24:MI:SS')"""
    """ || CASE WHEN date_trunc('second', t.local) = t.local THEN '' ELSE to_char(t.local, '.US') END"""
    """ || CASE WHEN t.off < interval '0' THEN '-' || to_char(-t.off, 'HH24:MI')"""
    """ ELSE '+' || to_char(t.off, 'HH24:MI') END"""
)


def _offer_sql(now: datetime, *, copy: bool) -> tuple[str, tuple]:
    auctions = Auction.objects.filter(tranche__status=Tranche.Status.NOTIFIED).filter(offer_history_public_q(now))
    sql, params = auctions.order_by().values("id").query.sql_with_params()
    if not copy:
        return _OFFER_SQL.format(auctions=sql, placed_at="o.placed_at", local=""), params
    sql = _OFFER_SQL.format(auctions=sql, placed_at=_PG_ISO, local=_PG_LOCAL)
    return sql, (*params, settings.TIME_ZONE, settings.TIME_ZONE)


def offer_rows(*, now: datetime, chunk: int = 5000) -> Iterator[list]:
    """The offer history as CSV rows (OFFER_CSV_COLUMNS) on any database, read `chunk` rows at a time."""
    sql, params = _offer_sql(now, copy=False)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            for auction_id, seq, bidder, value, placed_at in rows:
                yield [auction_id, seq, bidder, csv_value(_decimal(value)), csv_value(_aware(placed_at))]


def _decimal(value) -> Decimal:
    """SQLite hands a raw cursor's decimal back as a number: the column's two places, as PostgreSQL gives them."""
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(Decimal("0.01"))


def _aware(value) -> datetime:
    """SQLite hands a raw cursor's timestamp back as naive UTC text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def offer_csv_copy(*, now: datetime, counter: list, buffer: int = 1 << 16) -> Iterator[bytes]:
    """The offer history as a CSV file (header first) made by PostgreSQL's COPY, in pieces of about `buffer`
    bytes; counter[0] ends as the number of rows. PostgreSQL only (`connection.vendor == "postgresql"`)."""
    from psycopg import ClientCursor  # PostgreSQL's driver: imported only where it is the database

    sql, params = _offer_sql(now, copy=True)
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own, for its copy API
        statement = ClientCursor(cursor.connection).mogrify(sql, params)  # COPY takes no bound parameters
        piece = io.BytesIO()
        with cursor.copy(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            for data in copy:
                piece.write(data)
                if piece.tell() >= buffer:
                    yield piece.getvalue()
                    piece = io.BytesIO()
        if piece.tell():
            yield piece.getvalue()
        counter[0] = cursor.rowcount
