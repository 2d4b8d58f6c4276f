"""Every write of the central auction (RULES.md section 3), from the notice to the preferred bidder, one module per
phase of the Rules: `notice`, `bidding`, `evaluation`, `opening` (done by a worker), `e_auction` (with its SQL in
`offer_sql`), `close`.

One function per use case, keyword-only, one short transaction each; the auction row is locked
(`select_for_update`) to serialise concurrent writers of one auction; every step appends to the auction's
ledger stream in the same transaction; every status change (of a tranche, an auction, a technical bid, and of the
auction's block) goes through its table in auctions.lifecycle (blocks.lifecycle for the block), so a repeated move
writes nothing; notices go out on commit. The law itself is in auctions.rules.
Callers read `from auctions import services; services.offer_place(...)`.
"""

from auctions.services.bidding import (
    participation_attach_document,
    participation_buy_document,
    participation_submit,
    participation_withdraw,
)
from auctions.services.close import auction_settle, auctions_sweep
from auctions.services.e_auction import offer_place, offer_precheck
from auctions.services.evaluation import auction_close_bidding, auction_reject_affiliates, participation_evaluate
from auctions.services.notice import auction_renotify, tranche_create, tranche_notify
from auctions.services.opening import (
    auction_open,
    auction_opening_run,
    auction_opening_schedule,
    auctions_opening_sweep,
    tranche_open,
)

__all__ = [
    "auction_close_bidding",
    "auction_open",
    "auction_opening_run",
    "auction_opening_schedule",
    "auction_reject_affiliates",
    "auction_renotify",
    "auction_settle",
    "auctions_opening_sweep",
    "auctions_sweep",
    "offer_place",
    "offer_precheck",
    "participation_attach_document",
    "participation_buy_document",
    "participation_evaluate",
    "participation_submit",
    "participation_withdraw",
    "tranche_create",
    "tranche_notify",
    "tranche_open",
]
