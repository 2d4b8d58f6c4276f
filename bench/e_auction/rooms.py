"""Open rooms on one auction, polling the room state or following its server-sent events, while a few bidders
offer: how long each accepted offer takes to reach every room."""

import asyncio
import json
import random
import re
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from bench import common
from bench.e_auction.bidders import run_bidders


async def _get(port: int, path: str, headers: dict, timeout: float) -> tuple[int, dict, bytes]:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(common.HOST, port), timeout)
    try:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {common.HOST}:{port}\r\n{head}Connection: close\r\n\r\n".encode())
        await writer.drain()
        data = await asyncio.wait_for(reader.read(-1), timeout)
    finally:
        writer.close()
    raw_head, _, body = data.partition(b"\r\n\r\n")
    lines = raw_head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    found = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
    return status, found, body


def _rooms_worker(port: int, auction: int, tokens: list, duration: float, interval: float, seed: int):
    """Open rooms polling the room state every `interval` s (If-None-Match; never two polls at once per room).
    Returns, per room, the moments (epoch) each new offer_count was first seen, and the polls' figures."""

    async def main():
        loop = asyncio.get_running_loop()
        deadline = loop.time() + duration
        rng = random.Random(seed)
        path = f"/api/v1/auctions/{auction}/room"
        polls, statuses = [], {}
        rooms = []

        async def room(token: str):
            await asyncio.sleep(rng.uniform(0, interval))
            seen, etag, transitions, n = -1, "", [], 0
            next_at = loop.time()
            while loop.time() < deadline and n < 10_000:
                n += 1
                headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
                if etag:
                    headers["If-None-Match"] = etag
                started = time.perf_counter()
                try:
                    status, got, body = await _get(port, path, headers, 10)
                except (TimeoutError, OSError):
                    status, got, body = 0, {}, b""
                received = time.time()
                polls.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200:
                    etag = got.get("etag", "")
                    count = json.loads(body)["offer_count"]
                    if count > seen:
                        transitions.append((count, received))
                        seen = count
                next_at += interval
                delay = next_at - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:
                    next_at = loop.time()
            rooms.append(transitions)

        await asyncio.gather(*(room(t) for t in tokens))
        return rooms, polls, statuses

    return asyncio.run(main())


OFFER_COUNT = re.compile(rb'"offer_count":\s*(\d+)')


def _streams_worker(port: int, auction: int, tokens: list, duration: float, ramp: float, seed: int, shared=None):
    """Open rooms following the room's server-sent events (GET .../room/events, as EventSource does; HTTP/1.0,
    so that the body is the bare event stream), reconnecting with Last-Event-ID when a stream ends. The rooms
    open over `ramp` seconds; each counts itself in `shared["ready"]` at its first event; all stop when
    `shared["stop"]` is set (or after `duration`). Returns, per room, the moments (epoch) each new offer_count was
    first seen, the time from each connection to its first event, and the answers' statuses."""

    async def main():
        loop = asyncio.get_running_loop()
        deadline = [loop.time() + duration]
        rng = random.Random(seed)
        path = f"/api/v1/auctions/{auction}/room/events"
        firsts, statuses, rooms = [], {}, []
        ready = [0]

        async def watch():
            told = 0
            while loop.time() < deadline[0]:
                await asyncio.sleep(0.25)
                if shared is not None:
                    if ready[0] > told:
                        with shared["lock"]:
                            shared["ready"].value += ready[0] - told
                        told = ready[0]
                    if shared["stop"].is_set():
                        deadline[0] = loop.time()

        async def room(token: str):
            await asyncio.sleep(rng.uniform(0, ramp))  # the rooms open over the ramp
            seen, transitions, last_id, connections = -1, [], "", 0
            while loop.time() < deadline[0] and connections < 1000:
                connections += 1
                started = time.perf_counter()
                writer = None
                try:
                    reader, writer = await asyncio.wait_for(asyncio.open_connection(common.HOST, port, limit=2**22), 10)
                    resume = f"Last-Event-ID: {last_id}\r\n" if last_id else ""
                    writer.write(
                        f"GET {path} HTTP/1.0\r\nHost: {common.HOST}:{port}\r\nAuthorization: Token {token}\r\n"
                        f"Accept: text/event-stream\r\n{resume}\r\n".encode()
                    )
                    await writer.drain()
                    status = int((await asyncio.wait_for(reader.readline(), 10)).split()[1])
                    while (await asyncio.wait_for(reader.readline(), 10)).strip():
                        pass  # the headers
                    statuses[status] = statuses.get(status, 0) + 1
                    if status != 200:
                        await asyncio.sleep(0.5)
                        continue
                    data, first = None, True
                    while (remaining := deadline[0] - loop.time()) > 0:
                        line = await asyncio.wait_for(reader.readline(), remaining)
                        if not line:
                            break  # the server ended the stream: reconnect
                        line = line.rstrip(b"\r\n")
                        if line.startswith(b"data:"):
                            data = line
                        elif line.startswith(b"id:"):
                            last_id = line[3:].strip().decode()
                        elif not line and data is not None:
                            received = time.time()
                            found = OFFER_COUNT.search(data)
                            if found:
                                if first:
                                    firsts.append(time.perf_counter() - started)
                                    if not transitions:
                                        ready[0] += 1
                                    first = False
                                count = int(found.group(1))
                                if count > seen:
                                    transitions.append((count, received))
                                    seen = count
                            data = None
                except (TimeoutError, OSError, ValueError, IndexError):
                    statuses[0] = statuses.get(0, 0) + 1
                finally:
                    if writer is not None:
                        writer.close()
            rooms.append(transitions)

        watcher = asyncio.ensure_future(watch())
        await asyncio.gather(*(room(t) for t in tokens))
        watcher.cancel()
        return rooms, firsts, statuses

    return asyncio.run(main())


def run_rooms(port: int, auction: int, tokens: list, *, rooms: int, duration: float, interval: float,
              processes: int, flow: list, flow_pace: float, bidder_processes: int, mode: str = "poll",
              events_port: int | None = None) -> dict:  # fmt: skip
    """`rooms` open rooms on one auction, polling (`mode` poll) or following the events (`mode` events, served on
    `events_port`); after a warm-up, `flow` bidders offer every `flow_pace` s on `port`."""
    per_process = [[tokens[i % len(tokens)] for i in range(k, rooms, processes)] for k in range(processes)]
    context = get_context("fork")
    warmup = 3.0
    flow_duration = duration - 2 * warmup
    ramp = None
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool, context.Manager() as manager:
        started = time.time()
        if mode == "events":
            # The rooms open over a few seconds (100 a second), as rooms do, not in one burst; the offers start
            # once every room has its first event, so that the lag measured is that of open rooms. How long the
            # rooms took to open is reported apart.
            opening = max(interval, rooms / 100)
            shared = {"ready": manager.Value("i", 0), "lock": manager.Lock(), "stop": manager.Event()}
            futures = [
                pool.submit(_streams_worker, events_port, auction, chunk, duration + 60, opening, k, shared)
                for k, chunk in enumerate(per_process)
            ]
            while shared["ready"].value < rooms and time.time() - started < 60:
                time.sleep(0.1)
            ramp = time.time() - started
            time.sleep(1.0)
            flow_figures, records = run_bidders(
                "offers while rooms follow", port, flow, duration=duration - 2, processes=bidder_processes,
                pace=flow_pace,
            )  # fmt: skip
            time.sleep(2.0)  # the last offer's events
            shared["stop"].set()
        else:
            futures = [
                pool.submit(_rooms_worker, port, auction, chunk, duration, interval, k)
                for k, chunk in enumerate(per_process)
            ]
            time.sleep(warmup)
            flow_figures, records = run_bidders(
                "offers while rooms poll",
                port,
                flow,
                duration=flow_duration,
                processes=bidder_processes,
                pace=flow_pace,
            )
        results = [f.result() for f in futures]
    all_rooms = [room for result in results for room in result[0]]
    polls = [p for result in results for p in result[1]]
    statuses: dict = {}
    for result in results:
        for status, n in result[2].items():
            statuses[status] = statuses.get(status, 0) + n
    accepted = sorted((r[4], r[5]) for r in records if r[1] == 201)
    lags, every_room, missed = [], [], 0
    for seq, placed in accepted:
        worst = 0.0
        for transitions in all_rooms:
            seen_at = next((t for count, t in transitions if count >= seq), None)
            if seen_at is None:
                missed += 1
                continue
            lag = max(0.0, seen_at - placed)
            lags.append(lag)
            worst = max(worst, lag)
        every_room.append(worst)
    polls_figures = common.figures(
        f"room streams ({rooms}): connect->1st event"
        if mode == "events"
        else f"room polls ({rooms} rooms, every {interval * 1000:.0f} ms)",
        polls,
        time.time() - started,
        errors=sum(n for s, n in statuses.items() if s not in (200, 304)),
        statuses={str(k): v for k, v in statuses.items()},
    )
    return {
        "polls": polls_figures,
        "offers": flow_figures,
        "accepted_offers": len(accepted),
        "room_lag": common.figures("lag: offer -> one room (pairs)", lags, 0),
        "every_room_lag": common.figures("lag: offer -> every room (offers)", every_room, 0),
        "missed": missed,
        "records": records,
        "ramp_seconds": round(ramp, 2) if ramp is not None else None,
    }
