"""Issue 3's bidding benchmark: final price offers over HTTP against the ceiling of one contended row lock.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:55432/khanij_bench_bidding python bench/bidding.py
    (without BENCH_DATABASE_URL it prints how to set it and starts nothing)

In one run, on a fresh bench database (dropped, created, migrated; its name must contain "bench"):

1. Set-up through the real services: 50 firms, one tranche of 23 blocks, every firm bidding in every auction
   and all qualified (ties in pairs), opened, each e-auction live by the real clock.
2. The service alone: offer_place called 200 times in a row in this process, and how long each holds the
   auction's row lock (from its SELECT ... FOR UPDATE to the commit).
3. In --rounds turns (3) of --duration / rounds seconds (10), so that a change in the machine's background
   load touches them alike:
   - the ceiling: pgbench with a custom script on the same server, 50 clients: BEGIN; SELECT ... FOR UPDATE
     on one row; UPDATE it; INSERT a row; COMMIT (and the same spread over 20 rows);
   - a bare DRF view on the same gunicorn (the stack's own cost, for reference);
   - 50 closed-loop bidders over HTTP (gunicorn, 4 sync workers, production settings, 127.0.0.1), each with
     its own token, POSTing to /api/v1/auctions/{id}/offers with a fresh Idempotency-Key, each offering
     slightly above the best it last saw (the next valid offer of its last answer: the 201's room state or
     the 400's message), so that refusals are part of the load as in a real room: on one auction, then the
     same 50 spread over 20 auctions.
   Then, with the ceiling known, the latency goal at the throughput goal: the same 50 bidders on one auction in
   open loop, sending together 0.40 x the ceiling offers a second at fixed moments whatever the answers (each
   answer timed from the moment its offer was due, so a server that falls behind shows it), for --duration s.
4. Open rooms (500 by default; --rooms 50 100 500 runs each) on one auction while 5 bidders place an offer
   about once a second each: the time from an offer's acceptance (its placed_at, the server's clock) to the
   moment each room shows it. By default (--rooms-mode events) each room follows the room's server-sent events,
   GET /api/v1/auctions/{id}/room/events, as a browser's EventSource does (asyncio, one connection per room,
   reconnecting with Last-Event-ID), served by a second gunicorn with gthread workers (--events-workers 2 x
   --events-threads 400) beside the sync workers that take the offers; the web workers announce each offer
   through Redis (BENCH_REDIS_URL is required). The rooms open over a few seconds (100 a second) and the
   offers start once every room has its first event; how long the rooms took to open is reported apart.
   With --rooms-mode poll the rooms poll GET /api/v1/auctions/{id}/room every 500 ms instead (one connection
   per poll, If-None-Match), as the page does where the server keeps no stream open.
5. The invariants of every auction used: no accepted offer lost (Offer rows = 201 answers = offer_count =
   ledger offer entries), the best = the maximum accepted, each beat the one before by the increment, seq
   without gaps, the close as extended by rules.extended_close, the ledger verifies and replays.

Prints offers/s, p50/p99 and the ratios to the goals (one auction >= 0.40 of the ceiling with p99 <= 100 ms, read
both as the closed-loop rate and as the latency of an open-loop load at 0.40 of the ceiling; 20 auctions >= 1.5x one
auction, in offers answered and in offers accepted; every room updated within 1 s at p99) and writes
var/bench/bidding-<time>.json. --threads N serves the offers with gunicorn's gthread workers (keep-alive) instead
of sync workers.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.e_auction.run import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(__doc__))
