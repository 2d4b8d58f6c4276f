"""Each public auction rendered once per change, for the full dumps (issue 15; docs/architecture.md, "The full dumps").

`licences.models.AuctionRendering` keeps, per public auction, its CSV line (auctions.csv, results.csv) and its OCDS
releases, with a **fingerprint** of everything they are computed from. `refresh_renderings(now=, site=)` computes the
fingerprint of every public auction in one query, re-renders (auctions.selectors.bulk, public_auction, the download's
`auction_row`, licences.ocds) only those whose fingerprint differs from the stored one or that have none, and drops
the rows of auctions no longer public; the dumps are then written from the stored text, in the dump's order.

The fingerprint is, per auction, a hash of:

- every column `auction_records` reads: all of the auction's own columns (offer_count, best_offer and closes_at
  included: the auction has no `updated_at`, an offer moves those three), the tranche's and the block's columns it
  reads, the next attempt's id, the block's minerals (slug, name) and the public columns of its participations with
  their firm's name and CIN (`PUBLIC_PARTICIPATION_FIELDS`, never the sealed offer);
- the columns of its licence the releases read (`LICENCE_FIELDS`);
- its **phase at `now`**, computed in SQL by `phase_q` (the SQL form of `auction_phase`): every part of
  `public_auction` that depends on the time does so through the phase (bids from the due date, the TQB list after
  the evaluation, the result and its offer count after the close), so a build after a phase boundary re-renders;
- the build's **key**: the site URL and the portal and OCDS paths of the CSV links, the OCDS ocid prefix, the time
  zone the times are written in, and a hash of the source of the modules that render (a deploy that changes how a
  row or a release is written re-renders everything, without anyone remembering to).

The offers themselves are not read: the count a row shows is the offers of an auction whose history is public, and
every offer is written by `auctions.services.e_auction._offer_write` with `seq = offer_count + 1` and the auction's
`offer_count` set to it under the auction's row lock; offers are never updated or deleted. `offer_count` is the
number of offers.

The fingerprints are read before the renderings: an auction that changes between the two is stored with its older
fingerprint and is rendered again at the next build, never kept stale.
"""

import csv
import hashlib
import importlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import django
import rest_framework
from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, Value, When
from rest_framework.utils.encoders import JSONEncoder

from auctions.api.downloads import AUCTION_CSV_COLUMNS, auction_row
from auctions.models import Auction, Participation, Tranche
from auctions.selectors.bulk import BLOCK_FIELDS, TRANCHE_FIELDS, auction_records, chunks, ids_in
from auctions.selectors.phase import Phase
from auctions.selectors.public import PUBLIC_PARTICIPATION_FIELDS, phase_q, public_auction, public_auctions
from bidders.models import Firm
from blocks.models import Block, Mineral
from core.public_api import Echo, url_maker
from licences.models import AuctionRendering, Licence
from licences.ocds import auction_releases

logger = logging.getLogger(__name__)

LICENCE_FIELDS = ("auction_id", "number", "kind", "status", "starts_on", "ended_on", "updated_at", "extended_to",
                  "expires_on", "details")  # fmt: skip

# The modules whose code decides what a rendering holds: their source is part of the key.
RENDERING_MODULES = (
    "auctions.api.downloads", "auctions.models", "auctions.selectors.bulk", "auctions.selectors.phase",
    "auctions.selectors.public", "blocks.constants", "core.public_api", "licences.lifecycle", "licences.models",
    "licences.ocds", "licences.renderings",
)  # fmt: skip

PHASES = tuple(Phase.LABELS)
# Every column of the auction, as auction_records reads them.
AUCTION_FIELDS = tuple(f.attname for f in Auction._meta.concrete_fields)


def licences_of(auction_ids: list[int]):
    """The licences of these auctions, with the columns the OCDS contract reads (licences.ocds._contract)."""
    return Licence.objects.filter(auction_id__in=auction_ids).only(*LICENCE_FIELDS)


def link_makers(site: str) -> dict:
    """The CSV row's links (auction_csv_rows makes the same)."""
    return {"portal": url_maker("public_auctions:auction_detail", site), "ocds": url_maker("auction-ocds", site)}


def _code_hash() -> str:
    """The source of the rendering modules as this process loaded them: read once, at import (a file replaced by a
    deploy before the process restarts must not pass for the code that runs)."""
    code = hashlib.sha256()
    for name in RENDERING_MODULES:
        with open(importlib.import_module(name).__file__, "rb") as source:
            code.update(source.read())
    return code.hexdigest()


def build_key(site: str) -> str:
    """What every rendering depends on besides its auction: the links, the ocid prefix, the time zone, the code."""
    links = link_makers(site)
    parts = (links["portal"](0), links["ocds"](0), settings.OCDS_OCID_PREFIX, settings.TIME_ZONE,
             django.__version__, rest_framework.VERSION, CODE_HASH)  # fmt: skip
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


CODE_HASH = _code_hash()


# --- The fingerprints, in one query ------------------------------------------------------------------------------


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _columns(alias: str, model, names) -> list[str]:
    return [f"{alias}.{_q(model._meta.get_field(name).column)}" for name in names]


def _participation_columns() -> list[str]:
    """PUBLIC_PARTICIPATION_FIELDS as SQL over `p` (the participation) and `f` (its firm)."""
    return [
        _columns("f", Firm, [name.removeprefix("firm__")])[0] if name.startswith("firm__") else
        _columns("p", Participation, [name])[0]
        for name in PUBLIC_PARTICIPATION_FIELDS
    ]  # fmt: skip


def _phase_sql(now: datetime) -> tuple[str, list]:
    """The phase of an auction at `now`, as `phase_q` decides it, as an SQL expression over the auction's table (not
    aliased)."""
    phase = Case(*(When(phase_q([p], now), then=Value(p)) for p in PHASES), output_field=CharField())
    query = Auction.objects.all().query
    sql, params = query.get_compiler(connection=connection).compile(phase.resolve_expression(query))
    return sql, list(params)


_FINGERPRINT_SQL = """
WITH parts AS (
    SELECT p.{p_auction} AS auction_id, {parts} AS h
    FROM {participation} p JOIN {firm} f ON f.{f_id} = p.{p_firm}
    GROUP BY p.{p_auction}
),
mins AS (
    SELECT bm.{bm_block} AS block_id, {minerals} AS h
    FROM {block_minerals} bm JOIN {mineral} m ON m.{m_id} = bm.{bm_mineral}
    GROUP BY bm.{bm_block}
)
SELECT {a}.{a_id} AS id, {fingerprint} AS fingerprint
FROM {a}
JOIN {tranche} t ON t.{t_id} = {a}.{a_tranche}
JOIN {block} b ON b.{b_id} = {a}.{a_block}
LEFT JOIN {a} n ON n.{a_previous} = {a}.{a_id}
LEFT JOIN parts ON parts.auction_id = {a}.{a_id}
LEFT JOIN mins ON mins.block_id = {a}.{a_block}
LEFT JOIN {licence} l ON l.{l_auction} = {a}.{a_id}
WHERE t.{t_status} = %s
"""


def _hash_of(columns: list[str]) -> str:
    """A row of columns as a 64-bit hash, on PostgreSQL, of the row's binary values (no value is formatted as text:
    that was most of the query's time). A change goes unseen only if the old and new rows of an auction collide:
    about 1 in 1.8e19. (A numeric's hash ignores trailing zeros: every decimal column here has a fixed scale, and
    the numbers inside JSON columns that differ only so, in `params`, show in no row or release.)"""
    return f"hash_record_extended(ROW({', '.join(columns)}), 0)::text"


def _set_hash_of(columns: list[str]) -> str:
    """A set of rows (each with its own id, so no two are equal) as one 64-bit hash, on PostgreSQL: the XOR of their
    hashes, whatever the order."""
    return f"bit_xor(hash_record_extended(ROW({', '.join(columns)}), 0))"


def _fingerprint_sql(now: datetime, key: str) -> tuple[str, tuple]:
    """(id, fingerprint) of every auction of a notified tranche. The inputs are one flat row: on PostgreSQL hashed
    there (`_hash_of`); on SQLite (no hash function) a JSON array, hashed by `changed_fingerprints`. The
    participations and the minerals, several rows an auction, are each first made one value (the XOR of their
    hashes; a JSON array). The auction's table is not aliased: the phase's SQL, compiled by the ORM, names it."""
    postgres = connection.vendor == "postgresql"
    participations = _participation_columns()
    minerals = _columns("m", Mineral, ["id", "slug", "name"])
    auction = _q(Auction._meta.db_table)
    phase, phase_params = _phase_sql(now)
    inputs = [
        "CAST(%s AS TEXT)",
        phase,
        f"n.{_q('id')}",
        "parts.h",
        "mins.h",
        *_columns(auction, Auction, AUCTION_FIELDS),
        *_columns("t", Tranche, ("id", "status", *TRANCHE_FIELDS)),
        *_columns("b", Block, BLOCK_FIELDS),
        *_columns("l", Licence, ("id", *LICENCE_FIELDS)),
    ]
    if postgres:
        parts, mins, fingerprint = _set_hash_of(participations), _set_hash_of(minerals), _hash_of(inputs)
    else:  # the order of a group varies only by the plan: at worst a rendering made again, never a stale one kept
        parts = f"json_group_array(json_array({', '.join(participations)}))"
        mins = f"json_group_array(json_array({', '.join(minerals)}))"
        fingerprint = f"json_array({', '.join(inputs)})"
    through = Block.minerals.through
    sql = _FINGERPRINT_SQL.format(
        a=auction,
        t_status=_q(Tranche._meta.get_field("status").column),
        parts=parts,
        minerals=mins,
        fingerprint=fingerprint,
        participation=_q(Participation._meta.db_table),
        firm=_q(Firm._meta.db_table),
        block_minerals=_q(through._meta.db_table),
        mineral=_q(Mineral._meta.db_table),
        tranche=_q(Tranche._meta.db_table),
        block=_q(Block._meta.db_table),
        licence=_q(Licence._meta.db_table),
        p_auction=_q(Participation._meta.get_field("auction").column),
        p_firm=_q(Participation._meta.get_field("firm").column),
        f_id=_q(Firm._meta.pk.column),
        bm_block=_q(through._meta.get_field("block").column),
        bm_mineral=_q(through._meta.get_field("mineral").column),
        m_id=_q(Mineral._meta.pk.column),
        a_id=_q(Auction._meta.pk.column),
        a_tranche=_q(Auction._meta.get_field("tranche").column),
        a_block=_q(Auction._meta.get_field("block").column),
        a_previous=_q(Auction._meta.get_field("previous").column),
        t_id=_q(Tranche._meta.pk.column),
        b_id=_q(Block._meta.pk.column),
        l_auction=_q(Licence._meta.get_field("auction").column),
    )
    return sql, (key, *phase_params, Tranche.Status.NOTIFIED)


def changed_fingerprints(*, now: datetime, key: str) -> dict[int, str]:
    """The fingerprint at `now` of every public auction (of a notified tranche) whose stored rendering has another
    fingerprint, or that has none. On PostgreSQL one query compares them and sends only the changed ones; on SQLite
    the fingerprints are hashed and compared here."""
    sql, params = _fingerprint_sql(now, key)
    rendering = AuctionRendering._meta
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT f.id, f.fingerprint FROM ({sql}) f LEFT JOIN {_q(rendering.db_table)} r "
            f"ON r.{_q(rendering.pk.column)} = f.id WHERE r.{_q('fingerprint')} IS DISTINCT FROM f.fingerprint"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return dict(rows)
    current = {pk: hashlib.sha256(text.encode()).hexdigest() for pk, text in rows}
    stored = dict(AuctionRendering.objects.values_list("auction_id", "fingerprint"))
    return {pk: fingerprint for pk, fingerprint in current.items() if stored.get(pk) != fingerprint}


# --- Rendering and refreshing -----------------------------------------------------------------------------------


def render(records: list, *, now: datetime, links: dict, prints: dict[int, str]) -> list[AuctionRendering]:
    """The renderings of a chunk of auction records (auctions.selectors.bulk, offers=False): each auction's public
    view at `now`, as its CSV line and its encoded releases."""
    writer, encode = csv.writer(Echo()), JSONEncoder().encode
    licences = {licence.auction_id: licence for licence in licences_of([a.id for a in records])}
    made = []
    for auction in records:
        public = public_auction(auction, now=now, history=False)  # the rows count the offers, never list them
        releases = [encode(release) for release in auction_releases(auction, public, licences.get(auction.id))]
        made.append(
            AuctionRendering(
                auction_id=auction.id,
                fingerprint=prints[auction.id],
                csv_line=writer.writerow(auction_row(public, links)),
                releases=",".join(releases),
                release_count=len(releases),
                rendered_at=now,
            )
        )
    return made


@dataclass(frozen=True)
class Refreshed:
    rendered: int  # auctions rendered (new, or changed since their last rendering)
    removed: int  # renderings of auctions no longer public
    stored: int  # renderings after the refresh: one per public auction


def refresh_renderings(*, now: datetime, site: str) -> Refreshed:
    """Brings the stored renderings up to `now`: renders the public auctions whose fingerprint changed or that have
    none, drops those of auctions no longer public (no longer of a notified tranche, or deleted: CASCADE)."""
    changed = changed_fingerprints(now=now, key=build_key(site))
    removed, _ = AuctionRendering.objects.exclude(auction__tranche__status=Tranche.Status.NOTIFIED).delete()
    links = link_makers(site)
    if changed:
        queryset = public_auctions(now=now).filter(pk__in=ids_in(list(changed)))
        for part in chunks(auction_records(queryset, now=now, offers=False)):
            AuctionRendering.objects.bulk_create(
                render(part, now=now, links=links, prints=changed),
                update_conflicts=True,
                unique_fields=["auction"],
                update_fields=["fingerprint", "csv_line", "releases", "release_count", "rendered_at"],
            )
    refreshed = Refreshed(rendered=len(changed), removed=removed, stored=AuctionRendering.objects.count())
    logger.info("dump renderings: %s", refreshed)
    return refreshed


# --- The files, from the stored renderings -----------------------------------------------------------------------

# Renderings fetched at a time from the server-side cursor: an auction's releases are about 6 KB (2,000 of them took
# 40 MB more resident memory than 250), its CSV line about 350 bytes.
RELEASES_CHUNK = 250
LINES_CHUNK = 2000


def _stored(queryset, field: str, chunk: int) -> Iterator[str]:
    """The stored `field` of the auctions of `queryset` (a public_auctions() queryset), in its order, read a chunk
    at a time (a server-side cursor on PostgreSQL). An auction made public after the refresh has none yet: it is
    left to the next build, as if this one had started a moment earlier."""
    rows = queryset.prefetch_related(None).select_related(None).values_list(f"rendering__{field}", flat=True)
    for text in rows.iterator(chunk_size=chunk):
        if text is not None:
            yield text


# The text handed to the file at a time: large enough to spare the calls, small enough to reuse its memory (13 MB
# pieces, each allocated fresh, took twice as long as one auction a piece).
PIECE = 1 << 16


def _pieces(texts: Iterator[str]) -> Iterator[str]:
    """`texts` joined into pieces of about PIECE characters."""
    batch, size = [], 0
    for text in texts:
        batch.append(text)
        size += len(text)
        if size >= PIECE:
            yield "".join(batch)
            batch, size = [], 0
    if batch:
        yield "".join(batch)


def csv_chunks(queryset, *, counter: list) -> Iterator[str]:
    """The auctions of `queryset` as a CSV file (auctions.csv, results.csv): the header, then their stored lines;
    counter[0] ends as the number of rows."""

    def lines():
        yield csv.writer(Echo()).writerow(AUCTION_CSV_COLUMNS)
        for line in _stored(queryset, "csv_line", LINES_CHUNK):
            counter[0] += 1
            yield line

    return _pieces(lines())


def release_chunks(queryset, *, head: str, tail: str, counter: list) -> Iterator[str]:
    """A release package of the auctions of `queryset` from their stored releases: `head`, the releases separated
    by commas, `tail`; counter[0] ends as the number of releases."""

    def texts():
        yield head
        separator = ""
        rows = queryset.prefetch_related(None).select_related(None)
        rows = rows.values_list("rendering__releases", "rendering__release_count").iterator(chunk_size=RELEASES_CHUNK)
        for releases, count in rows:
            if releases is None:
                continue
            yield separator
            yield releases
            separator = ","
            counter[0] += count
        yield tail

    return _pieces(texts())
