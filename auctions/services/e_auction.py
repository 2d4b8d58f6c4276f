"""The e-auction (round 2, RULES.md s.3 items 8-10): final price offers, judged one at a time under the auction's row
lock, and refused before the lock when already stale. The hot path: its statements are written once, in
auctions.services.offer_sql, and docs/architecture.md ("The e-auction's hot path") says what each step costs."""

from django.db import connection, transaction
from django.utils import timezone

from auctions import rules
from auctions.models import Auction, Offer
from auctions.pseudonyms import bidder_token
from auctions.room import stream
from auctions.services.guards import now, percentage, utc
from auctions.services.offer_sql import (
    AUCTION_BEST_UPDATE,
    OFFER_BIDDER_COLUMNS,
    OFFER_INSERT,
    offer_bidder_read,
    offer_lock,
)
from bidders.roles import REGULATORS_GROUP, is_regulator
from bidders.rules import may_act
from core.errors import ApplicationError, Conflict, PermissionDenied
from ledger.services import ledger_append


def offer_place(*, actor, auction_id, value, bidder: dict | None = None) -> Offer:
    """Place a final price offer. The auction row is locked, so offers are judged one at a time in the order
    they are committed; the one committed first wins a tie (RULES.md s.3 item 10).

    The row lock is held as briefly as the rules allow. Who is offering (the firm, its role, its qualified
    participation: fixed at the opening) is read before it, in one query, with the auction as it stands; an offer
    that this reading already shows too low (or, in an EL auction, too high) is refused there, without the lock:
    the best offer only ever moves one way, so an offer refused against it would be refused against any later
    one. Under the lock, the server's clock and the current best decide, then the offer, the auction's new best
    and the ledger entry are written. The returned offer's `auction` is the locked row as updated, so the caller
    can show the room without reading it again; the open rooms are told on commit.

    `bidder`: what `offer_precheck` returned for this same offer (actor, auction and value), when the caller has
    just run it (the offer API does, before it reserves the Idempotency-Key); otherwise it is run here."""
    if bidder is None:
        bidder = offer_precheck(actor=actor, auction_id=auction_id, value=value)
    value = percentage(value, "value")
    # No savepoint when the caller's transaction holds this one (an Idempotency-Key's: the act commits with its
    # stored answer): nothing is raised inside it but a failure that must undo the whole request anyway.
    with transaction.atomic(savepoint=False):
        auction = offer_lock(auction_id)
        moment = now()
        params = rules.AuctionParams.from_json(auction.params)
        # A refusal under the lock has written nothing: it is raised after the transaction ends with COMMIT, not
        # from inside it. A ROLLBACK would also make psycopg forget the connection's prepared statements, so that
        # the next offers on it would be planned afresh (docs/benchmarks.md).
        refusal = _offer_refusal(auction, bidder, value, moment=moment, params=params)
        if refusal is None:
            offer = _offer_write(auction, bidder, value, moment=moment, params=params)
    if refusal is not None:
        raise refusal
    return offer


def _offer_refusal(auction: Auction, bidder: dict, value, *, moment, params) -> Exception | None:
    """Why the locked auction refuses the offer now, or None: not live, from one not qualified, or not beating
    the current best by the increment."""
    if auction.historic:
        return Conflict(
            f"The auction of {auction.block.code} is a historic record, imported from the published record: it was "
            "never run on Khanij and takes no offer.",
            code="historic_auction",
        )
    if auction.status != Auction.Status.OPENED or auction.starts_at is None:
        return Conflict(f"The auction of {auction.block.code} is not taking final offers.")
    if moment < auction.starts_at:
        return Conflict(
            f"The e-auction starts at {timezone.localtime(auction.starts_at):%d %b %Y %H:%M:%S} IST; "
            "your offer was not placed."
        )
    if not rules.is_open(now=moment, starts_at=auction.starts_at, closes_at=auction.closes_at):
        return Conflict(
            f"The e-auction closed at {timezone.localtime(auction.closes_at):%H:%M:%S} IST by the server's "
            "clock; your offer arrived after the close and was not accepted."
        )
    if bidder["participation_id"] is None:
        return PermissionDenied(
            f"{bidder['firm__legal_name']} is not a qualified bidder of this e-auction; only qualified bidders "
            "may offer."
        )
    return _offer_value_refusal(
        value, floor=auction.floor_price, current_best=auction.best_offer, params=params, direction=auction.direction
    )


def _offer_write(auction: Auction, bidder: dict, value, *, moment, params) -> Offer:
    """The accepted offer written under the lock: the offer, the auction's new best and close, the ledger entry;
    the open rooms are told on commit."""
    participation_id = bidder["participation_id"]
    seq = auction.offer_count + 1
    offer = OFFER_INSERT.insert(
        Offer(auction=auction, participation_id=participation_id, seq=seq, value=value, placed_at=moment)
    )
    new_close = rules.extended_close(closes_at=auction.closes_at, offer_at=moment, params=params)
    extended = new_close != auction.closes_at
    AUCTION_BEST_UPDATE.update(auction.pk, value, participation_id, seq, new_close)
    auction.best_offer, auction.best_participation_id = value, participation_id
    auction.offer_count, auction.closes_at = seq, new_close
    ledger_append(
        stream=auction.stream,
        kind="offer",
        payload={
            "seq": seq,
            "value": value,
            "at": utc(moment),
            "bidder_token": bidder_token(auction, bidder["firm_id"]),
            "closes_at": utc(new_close),
            "extended": extended,
        },
    )
    transaction.on_commit(lambda pk=auction.pk, n=seq, close=new_close: _offer_announce(pk, n, close))
    return offer


def offer_precheck(*, actor, auction_id, value) -> dict:
    """What `offer_place` decides before its lock, alone, writing nothing: who offers (refusing one who may not
    bid) and, while the e-auction is live, an offer already too low (too high in an EL auction) against the best
    as it stands. Returns who offers. The offer API runs it before it reserves the request's Idempotency-Key, so a
    stale offer costs no write at all."""
    bidder = _offer_bidder(actor, auction_id, at=now())
    snapshot = bidder["auction"]
    if snapshot is not None and snapshot.historic:
        raise Conflict(
            "This auction is a historic record, imported from the published record: it was never run on Khanij and "
            "takes no offer.",
            code="historic_auction",
        )
    value = percentage(value, "value")
    if bidder["live"] and bidder["participation_id"] is not None:
        snapshot = bidder["auction"]
        refusal = _offer_value_refusal(
            value,
            floor=snapshot.floor_price,
            current_best=snapshot.best_offer,
            params=rules.AuctionParams.from_json(snapshot.params),
            direction=snapshot.direction,
        )
        if refusal is not None:
            raise refusal
    return bidder


def _offer_value_refusal(value, *, floor, current_best, params, direction) -> ApplicationError | None:
    problem = rules.final_offer_error(value, floor=floor, current_best=current_best, params=params, direction=direction)
    if not problem:
        return None
    # An EL auction runs downwards: there the refused offer is too high.
    code = "offer_too_low" if direction == Auction.Direction.ASCENDING else "offer_too_high"
    return ApplicationError(problem, fields={"value": [problem]}, code=code)


REGULATOR_READ_ONLY = "Regulators watch the e-auction read-only; only qualified bidders make offers."


def _offer_bidder(actor, auction_id, *, at) -> dict:
    """Who offers, in one query: the actor's firm (their first membership, as `firm_of`), role, qualified
    participation in the auction, and whether they are a regulator; with the auction as it stands (unlocked).
    Refuses, as `require_bidding_firm` does, one who may not bid, and a regulator (who watches read-only)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Only members of a registered firm may bid. Register your firm first.")
    try:
        auction_pk = int(auction_id)
    except (TypeError, ValueError):
        auction_pk = None  # the lock answers NotFound
    moment = Auction._meta.get_field("closes_at").get_db_prep_value(at, connection)
    with connection.cursor() as cursor:
        cursor.execute(offer_bidder_read()[0], [auction_pk, REGULATORS_GROUP, moment, moment, auction_pk, actor.pk])
        found = cursor.fetchone()
    if found is None:
        if is_regulator(actor):
            raise PermissionDenied(REGULATOR_READ_ONLY)
        raise PermissionDenied("Only members of a registered firm may bid. Register your firm first.")
    snapshot = offer_bidder_read()[1]
    row = dict(zip(OFFER_BIDDER_COLUMNS, found[: len(OFFER_BIDDER_COLUMNS)], strict=True))
    if row["regulator"]:
        raise PermissionDenied(REGULATOR_READ_ONLY)
    if not may_act(row["role"]):
        raise PermissionDenied(
            f"As a {row['role']} of {row['firm__legal_name']} you may follow its bids but not make them; ask your "
            "firm's administrator for the bidder role."
        )
    values = found[len(OFFER_BIDDER_COLUMNS) :]
    row["auction"] = snapshot.build(values) if values[0] is not None else None  # the primary key comes first
    row["live"] = bool(row["live"]) and row["auction"].status == Auction.Status.OPENED
    return row


def _offer_announce(auction_id: int, offer_count: int, closes_at) -> None:
    """On commit: tell the open rooms of the auction (auctions.room.stream) that its state has changed."""
    stream.room_changed(auction_id, offer_count=offer_count, closes_at=closes_at)
