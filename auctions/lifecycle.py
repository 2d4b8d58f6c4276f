"""The allowed moves of a tranche's, an auction's and a technical bid's status, and the one function per model
that makes them (ARCHITECTURE.md, Models).

The tables are data: from -> {to: the action, as a refusal names it}. Each function makes its move under a
conditional UPDATE (only from a status the table allows) and, for an auction or a bid, writes the move's entry
on the auction's stream (`auction.stream`) in the same transaction. A row that already has the status asked for
is left alone and nothing is written: a repeated click, a redelivered task or a second sweeper changes nothing.
A move the table does not allow raises Conflict, saying what the row can do; services check their own phase
first and keep their own, more specific, refusals, so the table is the last word, not the first.

- A tranche goes `draft -> notified` once; its record in the ledger is the `notified` entry of each of its
  auctions, written as they are created.
- An auction is created `notified` (its tranche carries the draft; bidding runs until the bid due date, which
  selectors derive from the clock), then `evaluation` at the bid due date, `opened` at the opening (the
  e-auction runs while it is opened, and offers never change the status), `settled` with the preferred bidder,
  or `annulled`. Settled and annulled are final: a second attempt is a new auction pointing at the first.
- The opening of an auction's initial price offers is a job (`Auction.opening_status`): queued by a regulator or at
  the scheduled opening time (or waiting there for the technical evaluation), taken by one worker, done or stopped.
  Its moves are the job's progress, shown on the desk, not the auction's: they write no ledger entry (as a block
  import's do not); the job's outcome is the auction's move to `opened` or `annulled`, which does.
- A technical bid's verdict (`Participation.technically_qualified`, stored as a nullable boolean) goes from
  pending to qualified or disqualified, and may be changed by a re-evaluation until the opening (the service
  checks the auction's phase); the same verdict given again is not a move.

The auction's steps also move its block (blocks.lifecycle.block_move): see auctions.services.notice,
annulment and close.
"""

from django.db import transaction
from django.db.models import Q

from auctions import alerts, due_dates
from auctions.models import Auction, Participation, Tranche
from core.errors import Conflict, NotFound
from ledger.services import ledger_append

DRAFT = Tranche.Status.DRAFT
TRANCHE_NOTIFIED = Tranche.Status.NOTIFIED

# from -> {to: the action}
TRANCHE_MOVES: dict[str, dict[str, str]] = {
    DRAFT: {TRANCHE_NOTIFIED: "notify it"},
    TRANCHE_NOTIFIED: {},
}

NOTIFIED = Auction.Status.NOTIFIED
EVALUATION = Auction.Status.EVALUATION
OPENED = Auction.Status.OPENED
SETTLED = Auction.Status.SETTLED
ANNULLED = Auction.Status.ANNULLED

AUCTION_MOVES: dict[str, dict[str, str]] = {
    NOTIFIED: {EVALUATION: "close bidding at the bid due date"},
    EVALUATION: {OPENED: "open the initial price offers", ANNULLED: "annul it (no bid, or too few qualified)"},
    OPENED: {SETTLED: "declare the preferred bidder", ANNULLED: "annul it (no final offer)"},
    SETTLED: {},
    ANNULLED: {},
}
# The kind of the ledger entry each move writes on the auction's stream (the auction's creation writes `notified`).
AUCTION_ENTRY = {EVALUATION: "bids_closed", OPENED: "opened", SETTLED: "closed", ANNULLED: "annulled"}
# Statuses in which an auction holds its block: no second auction may be notified on it.
LIVE = frozenset({NOTIFIED, EVALUATION, OPENED})

OPENING = Auction.Opening
# from -> {to: the action}
OPENING_MOVES: dict[str, dict[str, str]] = {
    OPENING.NOT_REQUESTED: {
        OPENING.QUEUED: "queue the opening",
        OPENING.WAITING: "wait for the technical evaluation (at the opening time)",
    },
    OPENING.WAITING: {OPENING.QUEUED: "queue the opening once every bid is evaluated"},
    OPENING.QUEUED: {OPENING.RUNNING: "open the offers (a worker takes the job)"},
    OPENING.RUNNING: {
        OPENING.DONE: "finish the opening",
        OPENING.FAILED: "stop the opening, publishing nothing",
        OPENING.WAITING: "wait for the technical evaluation",
        OPENING.QUEUED: "queue it again (its worker gave no sign of life)",
    },
    OPENING.FAILED: {OPENING.QUEUED: "queue the opening again"},
    OPENING.DONE: {},
}

PENDING = "pending"
QUALIFIED = "qualified"
DISQUALIFIED = "disqualified"
VERDICT_LABELS = {PENDING: "pending", QUALIFIED: "technically qualified", DISQUALIFIED: "disqualified"}

EVALUATION_MOVES: dict[str, dict[str, str]] = {
    PENDING: {QUALIFIED: "qualify it", DISQUALIFIED: "disqualify it, with a reason"},
    QUALIFIED: {DISQUALIFIED: "disqualify it on re-evaluation, with a reason"},
    DISQUALIFIED: {QUALIFIED: "qualify it on re-evaluation"},
}
# The verdict as `Participation.technically_qualified` stores it.
VERDICT_VALUES = {PENDING: None, QUALIFIED: True, DISQUALIFIED: False}


def sources(moves: dict[str, dict[str, str]], to: str) -> list[str]:
    """The statuses a table allows a move to `to` from."""
    return [status for status, targets in moves.items() if to in targets]


def verdict(technically_qualified: bool | None) -> str:
    """The evaluation status of a stored `technically_qualified`."""
    return {None: PENDING, True: QUALIFIED, False: DISQUALIFIED}[technically_qualified]


def _move_error(moves, status: str, to: str, *, what: str, label) -> str | None:
    if status == to or to in moves.get(status, {}):
        return None
    options = "; ".join(f"{action} ({label(target)})" for target, action in moves.get(status, {}).items())
    if not options:
        return f"{what} that is {label(status)} cannot change status."
    return f"{what} that is {label(status)} cannot become {label(to)}. It can: {options}."


def tranche_move_error(status: str, to: str) -> str | None:
    """None when a tranche may move from `status` to `to`; else why not."""
    return _move_error(TRANCHE_MOVES, status, to, what="A tranche", label=lambda s: Tranche.Status(s).label.lower())


def auction_move_error(status: str, to: str) -> str | None:
    """None when an auction may move from `status` to `to`; else why not."""
    return _move_error(AUCTION_MOVES, status, to, what="An auction", label=lambda s: Auction.Status(s).label.lower())


def evaluation_move_error(status: str, to: str) -> str | None:
    """None when a technical bid's verdict may move from `status` to `to`; else why not."""
    return _move_error(EVALUATION_MOVES, status, to, what="A technical bid", label=VERDICT_LABELS.__getitem__)


def _require_transaction(name: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{name} must run inside the transaction of the change")


def tranche_move(*, tranche_id, to: str, **fields) -> bool:
    """Move the tranche to `to` (setting `fields` with it), in the caller's transaction.

    Returns True when it moved, False when it already had that status (nothing written). Raises NotFound for no
    such tranche, Conflict when the table does not allow the move. No entry of its own: the tranche's auctions,
    created in the same transaction, each write theirs.
    """
    _require_transaction("tranche_move")
    moved = Tranche.objects.filter(pk=tranche_id, status__in=sources(TRANCHE_MOVES, to)).update(status=to, **fields)
    if moved:
        return True
    current = Tranche.objects.filter(pk=tranche_id).values_list("status", flat=True).first()
    if current is None:
        raise NotFound(f"There is no tranche {tranche_id}.")
    if current == to:
        return False
    raise Conflict(tranche_move_error(current, to))


def auction_move(*, auction: Auction, to: str, payload: dict, **fields) -> bool:
    """Move the auction to `to` (setting `fields` with it) and write the move's entry on its stream, in the caller's
    transaction; `auction` is updated in memory too.

    Returns True when it moved, False when it already had that status (nothing written). Raises Conflict, naming
    what the auction can do, when the table does not allow the move from its status.
    """
    _require_transaction("auction_move")
    moved = Auction.objects.filter(pk=auction.pk, status__in=sources(AUCTION_MOVES, to)).update(status=to, **fields)
    if not moved:
        current = Auction.objects.filter(pk=auction.pk).values_list("status", flat=True).first()
        if current is None:
            raise NotFound(f"There is no auction {auction.pk}.")
        if current == to:
            return False
        raise Conflict(auction_move_error(current, to))
    auction.status = to
    for name, value in fields.items():
        setattr(auction, name, value)
    ledger_append(stream=auction.stream, kind=AUCTION_ENTRY[to], payload=payload)
    _follow(auction, to)
    return True


def _follow(auction: Auction, to: str) -> None:
    """What follows every move, in its transaction: the auction's due dates close or move (auctions.due_dates), and a
    result is announced to the alerts' subscribers (auctions.alerts)."""
    due_dates.auction_dates_follow(auction, to)
    if to in (SETTLED, ANNULLED):
        alerts.result_announce(auction)


def opening_move(*, auction_id, to: str, when=None, **fields) -> bool:
    """Move the auction's opening job to `to` (setting `fields` with it) if it is in a status the table allows
    the move from (and `when`, a Q, holds). A conditional UPDATE: of two callers at once exactly one moves it, which
    is how a worker claims the job (queued -> opening) so that an auction opens once.

    Returns True for the caller that moved it, False otherwise (nothing written); no ledger entry (see above).
    Runs in the caller's transaction, or alone.
    """
    allowed = Auction.objects.filter(pk=auction_id, opening_status__in=sources(OPENING_MOVES, to))
    if when is not None:
        allowed = allowed.filter(when)
    return allowed.update(opening_status=to, **fields) == 1


def participation_move(*, auction: Auction, participation: Participation, to: str, payload: dict, **fields) -> bool:
    """Give the technical bid the verdict `to` (setting `fields` with it: the reason, who, when) and write the
    `evaluated` entry on its auction's stream, in the caller's transaction; `participation` is updated in memory.

    Returns True when the verdict changed, False when the bid already had it (nothing written: the first reason
    stands). Raises Conflict when the table does not allow the move.
    """
    _require_transaction("participation_move")
    if participation.auction_id != auction.pk:
        raise ValueError("participation_move: the bid is not of this auction")
    allowed = Q(pk__in=[])  # matches nothing: a verdict no move leads to (pending) is never given
    for status in sources(EVALUATION_MOVES, to):
        value = VERDICT_VALUES[status]
        allowed |= Q(technically_qualified__isnull=True) if value is None else Q(technically_qualified=value)
    verdict_value = VERDICT_VALUES[to]
    moved = Participation.objects.filter(allowed, pk=participation.pk).update(
        technically_qualified=verdict_value, **fields
    )
    if not moved:
        current = Participation.objects.filter(pk=participation.pk).values_list("technically_qualified", flat=True)
        if not current.exists():
            raise NotFound(f"There is no bid {participation.pk}.")
        status = verdict(current.first())
        if status == to:
            return False
        raise Conflict(evaluation_move_error(status, to))
    participation.technically_qualified = verdict_value
    for name, value in fields.items():
        setattr(participation, name, value)
    ledger_append(stream=auction.stream, kind="evaluated", payload=payload)
    return True
