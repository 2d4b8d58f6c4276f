"""Bidders over HTTP: each offers slightly above the best it last saw, in closed loop or at a fixed rate (open
loop), from several processes; their answers summarised."""

import json
import random
import re
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from decimal import Decimal
from multiprocessing import get_context

from bench import common

SMALLEST = re.compile(r"smallest valid offer is (\d+(?:\.\d+)?)%")
INCREMENT = Decimal("0.05")


def _offer_worker(
    port: int, assignments: list, duration: float, pace: float, max_requests: int, seed: int, interval: float = 0.0
):
    """Bidders (threads): each (token, auction, floor) offers slightly above the best it last saw.

    Closed loop by default: the next offer leaves when the last answer arrives (after `pace` seconds, if given).
    With `interval`, open loop: bidder i of n sends at start + (i / n + k) * interval for k = 0, 1, 2... whatever
    the answers, so that the load is a fixed rate; each answer's time is counted from the moment the offer was
    due, not sent, so that a bidder held up by a slow answer counts its wait (no coordinated omission).

    Returns one record per answer: (auction, status, seconds, value, seq, placed_at epoch, code)."""
    records, lock = [], threading.Lock()
    start = time.monotonic()
    deadline = start + duration

    def bidder(index: int, token: str, auction: int, floor: str):
        rng = random.Random(seed * 1000 + index)
        mine = []
        nxt = Decimal(floor) + INCREMENT
        path = f"/api/v1/auctions/{auction}/offers"
        headers = {"Authorization": f"Token {token}"}
        sent = 0
        while time.monotonic() < deadline and sent < max_requests:
            if interval:
                due = start + (index / len(assignments) + sent) * interval
                if due >= deadline:
                    break
                time.sleep(max(0.0, due - time.monotonic()))
            started_loop = time.monotonic()
            value = nxt + INCREMENT * rng.choice((0, 0, 1, 2))
            headers["Idempotency-Key"] = str(uuid.uuid4())
            started = time.perf_counter() - (started_loop - due if interval else 0.0)
            try:
                status, _, body = common.request("POST", port, path, body={"value": f"{value:.2f}"}, headers=headers)
            except OSError:
                mine.append((auction, 0, time.perf_counter() - started, None, None, None, "connection"))
                sent += 1
                continue
            elapsed = time.perf_counter() - started
            sent += 1
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                data = {"error": {"code": f"not JSON ({len(body)} bytes)"}}
            if status == 201:
                offer = data["offer"]
                placed = datetime.fromisoformat(offer["placed_at"].replace("Z", "+00:00")).timestamp()
                mine.append((auction, 201, elapsed, offer["value"], offer["seq"], placed, ""))
                nxt = Decimal(data["state"]["next_valid_offer"])
            else:
                error = data.get("error", {})
                mine.append((auction, status, elapsed, None, None, None, error.get("code", "")))
                found = SMALLEST.search(error.get("message", ""))
                if found:
                    nxt = Decimal(found.group(1))
                elif status >= 500 or status == 0:
                    time.sleep(0.05)
            if pace:
                time.sleep(max(0.0, pace - (time.monotonic() - started_loop)) * rng.uniform(0.8, 1.2))
        with lock:
            records.extend(mine)

    threads = [threading.Thread(target=bidder, args=(i, *a)) for i, a in enumerate(assignments)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + 120)
    return records


def run_bidders(
    name: str, port: int, assignments: list, *, duration: float, processes: int, pace: float = 0.0, rate: float = 0.0
):
    """Spread the bidders over processes (the GIL would otherwise throttle the generator); gather the answers.
    With `rate`, the bidders together send that many offers a second (open loop, see _offer_worker)."""
    chunks = [assignments[k::processes] for k in range(processes)]
    context = get_context("fork")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        started = time.monotonic()
        # Open loop: every bidder sends once per len(assignments) / rate seconds, so that all together send `rate`.
        futures = [
            pool.submit(
                _offer_worker, port, chunk, duration, pace, 100_000, k,
                len(assignments) / rate if rate else 0.0,
            )
            for k, chunk in enumerate(chunks)
        ]  # fmt: skip
        records = [r for f in futures for r in f.result()]
        seconds = min(time.monotonic() - started, duration + 1)
    return summarise(name, records, seconds), records


def summarise(name: str, records: list, seconds: float) -> common.Figures:
    decided = [r for r in records if r[1] in (201, 400)]
    accepted = [r for r in records if r[1] == 201]
    statuses: dict = {}
    for r in records:
        key = f"{r[1]} {r[6]}".strip()
        statuses[key] = statuses.get(key, 0) + 1
    figures = common.figures(
        name,
        [r[2] for r in decided],
        seconds,
        errors=len(records) - len(decided),
        statuses=statuses,
        extra={
            "accepted": len(accepted),
            "accepted_per_second": round(len(accepted) / seconds, 1) if seconds else 0.0,
            "accepted_p50_ms": round(common.percentile([r[2] * 1000 for r in accepted], 50), 2),
            "accepted_p99_ms": round(common.percentile([r[2] * 1000 for r in accepted], 99), 2),
        },
    )
    return figures
