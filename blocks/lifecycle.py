"""The allowed moves of a block's status, and the one function that makes them (ARCHITECTURE.md, Models).

The table is data. `block_move` makes a move under a conditional UPDATE (only from a status the table allows)
and writes its ledger entry on the block's stream (`block:<pk>`) in the same transaction; a block that already
has the status asked for is left alone and nothing is written, so a repeated click changes nothing.

A block in a live auction (notified, or under auction) is held by it: it cannot be edited, withdrawn or put in
a second tranche until that auction is settled or annulled. The auction's own steps move the block (notified,
annulled, auctioned); a regulator moves it by hand only in and out of the registry (withdrawn, identified).
"""

from django.db import transaction

from blocks.list_rows import store_list_rows
from blocks.models import Block
from blocks.public_cache import bump_data_version
from core.errors import Conflict, NotFound
from ledger.services import ledger_append

IDENTIFIED = Block.Status.IDENTIFIED
NOTIFIED = Block.Status.NOTIFIED
UNDER_AUCTION = Block.Status.UNDER_AUCTION
AUCTIONED = Block.Status.AUCTIONED
LICENSED = Block.Status.LICENSED
ANNULLED = Block.Status.ANNULLED
WITHDRAWN = Block.Status.WITHDRAWN

# A block goes back to the registry for a new auction: an exploration licence's geological report calls for a
# lease auction (s.4), or the licence it was auctioned for is revoked for default (the reason says which).
_RETURNED = "return it to the registry for a new auction"
# from -> {to: the action, as the ledger and a refusal name it}
MOVES: dict[str, dict[str, str]] = {
    IDENTIFIED: {NOTIFIED: "offer it in a notified tranche", WITHDRAWN: "withdraw it from the registry"},
    NOTIFIED: {
        UNDER_AUCTION: "start its e-auction",
        AUCTIONED: "declare its preferred bidder",
        ANNULLED: "annul its auction",
    },
    UNDER_AUCTION: {AUCTIONED: "declare its preferred bidder", ANNULLED: "annul its auction"},
    AUCTIONED: {LICENSED: "grant its licence", IDENTIFIED: _RETURNED},
    ANNULLED: {NOTIFIED: "offer it again in a notified tranche", WITHDRAWN: "withdraw it from the registry"},
    WITHDRAWN: {IDENTIFIED: "return it to the registry"},
    LICENSED: {IDENTIFIED: _RETURNED},
}
# Statuses in which an auction holds the block.
LIVE = frozenset({NOTIFIED, UNDER_AUCTION})
# The moves a regulator makes by editing the block; every other move follows from its auction.
BY_HAND = frozenset({(IDENTIFIED, WITHDRAWN), (ANNULLED, WITHDRAWN), (WITHDRAWN, IDENTIFIED)})


def stream(block_id: int) -> str:
    """The block's chain in the public ledger."""
    return f"block:{block_id}"


def _label(status: str) -> str:
    return Block.Status(status).label.lower()


def move_error(status: str, to: str, *, by_hand: bool = False) -> str | None:
    """None when a block may move from `status` to `to` (by a regulator's edit, with `by_hand`); else why not."""
    if status == to:
        return None
    moves = MOVES.get(status, {})
    if status in LIVE and (by_hand or to not in moves):
        return (
            f"The block is {_label(status)}: its auction holds it until the auction is settled or annulled, so it "
            "cannot be edited, withdrawn or offered again now."
        )
    if by_hand:
        moves = {target: action for target, action in moves.items() if (status, target) in BY_HAND}
    if to in moves:
        return None
    options = "; ".join(f"{action} ({_label(target)})" for target, action in moves.items())
    if by_hand and to not in (WITHDRAWN, IDENTIFIED):
        refusal = f"A block becomes {_label(to)} through its auction, not by editing it."
        return f"{refusal} By hand you can: {options}." if options else refusal
    if not options:
        return f"A block that is {_label(status)} cannot change status" + (" by hand." if by_hand else ".")
    return f"A block that is {_label(status)} cannot become {_label(to)}. It can: {options}."


def block_move(*, block_id: int, to: str, reason: str = "", payload: dict | None = None) -> bool:
    """Move the block to `to` and record it in the ledger, in the caller's transaction.

    The block's row is locked, the table consulted, and the UPDATE made conditional on the status read.
    Returns True when the block moved, False when it already had that status (nothing written). Raises
    Conflict, naming what the block can do, when the table does not allow the move from its status.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("block_move must run inside the transaction of the change")
    current = Block.objects.select_for_update().filter(pk=block_id).values_list("status", flat=True).first()
    if current is None:
        raise NotFound(f"No block has the id {block_id}.")
    if current == to:
        return False
    problem = move_error(current, to)
    if problem:
        raise Conflict(problem)
    Block.objects.filter(pk=block_id, status=current).update(status=to)
    store_list_rows([block_id])
    bump_data_version()
    ledger_append(
        stream=stream(block_id),
        kind="status",
        payload={"from": current, "to": to, "action": MOVES[current][to], "reason": reason, **(payload or {})},
    )
    return True
