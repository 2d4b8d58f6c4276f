"""Live updates of the e-auction room over server-sent events (issue 3: every open room within a second).

One stream per open room, `GET /api/v1/auctions/{id}/room/events` (auctions.api.room.RoomEventsApi): the room's
state (the JSON a poll of /room answers) at once, then again at each change: an accepted offer, an extension,
the start, the close, the declaration of the result; when nothing changes, a comment every HEARTBEAT seconds
(which also finds the connections the browser has closed). Each event's id is the state's ETag: a browser that
reconnects sends it back (Last-Event-ID) and gets an event only if the room changed meanwhile.

How a change reaches the streams, with no poll and no query per stream:

- `offer_place`, on commit, calls `room_changed`: it wakes the streams of this process and publishes the
  auction's id on a Redis channel; every web process runs one listener thread subscribed to it, which wakes its
  own streams. (Without Redis, as in development, the other processes learn of it within REFRESH seconds.)
- Each process keeps the auction's row in memory: one read per change, however many streams follow it, and
  one every REFRESH seconds by a refresher thread, which wakes the streams only if the row changed: so what no
  offer announces (the sweeper's declaration of the result, a lost message) arrives too, and quiet streams
  never wake. Each version's shared state is built and serialised once per process and audience (bidders and
  public, or regulators); a stream only adds its viewer's part (server time, standing).
- The phase follows the server's clock: a stream wakes by itself at the start and at the close.
- A waiting stream holds a thread (gunicorn's gthread worker, or runserver) but no database connection: what
  a stream reads (its opening: the viewer and the auction; then the row at each change) it reads with one of
  ROOM_STREAM_DATABASE_SLOTS connections per process, closed after use, so that 500 rooms opening at once never
  open 500 connections. A process takes at most ROOM_STREAMS_PER_PROCESS streams; beyond that, or on a server
  whose workers serve one request at a time (gunicorn's sync worker, which one stream would block), the stream
  is refused with 503 and the page polls /room instead.

Settings (all optional): ROOM_STREAMS ("auto": on when the server is multithreaded; "on"; "off"),
ROOM_STREAMS_PER_PROCESS (64), ROOM_STREAM_DATABASE_SLOTS (8), ROOM_STREAM_SECONDS (600: then the browser
reconnects, and access is checked anew; it is also checked every ACCESS_TTL seconds meanwhile),
ROOM_STREAM_REFRESHER (True).
"""

import json
import logging
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from auctions.models import Auction
from auctions.room import state as room
from auctions.selectors.phase import Phase, auction_phase
from core.errors import ApplicationError, NotFound

logger = logging.getLogger(__name__)

HEARTBEAT = 15.0  # seconds between keep-alive comments on a quiet stream
REFRESH = 3.0  # seconds between two reads of a followed auction's row by a process, announced changes or not
MAX_AGE = 30.0  # a row older than this is read again by the stream that needs it (if no refresher runs)
RETRY_MS = 1000  # how long a browser waits before reconnecting a dropped stream
FINAL = (Phase.SETTLED, Phase.ANNULLED)
SHARED_VERSIONS = 8  # serialised versions kept per auction and process


class StreamUnavailable(ApplicationError):
    status_code = 503
    code = "stream_unavailable"


def _setting(name: str, default):
    return getattr(settings, name, default)


_database_slots: threading.BoundedSemaphore | None = None
_database_slots_lock = threading.Lock()


def _slots() -> threading.BoundedSemaphore:
    global _database_slots
    if _database_slots is None:
        with _database_slots_lock:
            if _database_slots is None:
                _database_slots = threading.BoundedSemaphore(int(_setting("ROOM_STREAM_DATABASE_SLOTS", 8)))
    return _database_slots


def database_begin(timeout: float = 10.0) -> None:
    """Take one of the process's database slots for streams (StreamUnavailable after `timeout` seconds)."""
    if not _slots().acquire(timeout=timeout):
        raise StreamUnavailable("The server is busy opening live rooms; poll the room's state instead.")


def database_end() -> None:
    """Close this thread's connection and give its slot back."""
    try:
        _release_database()
    finally:
        _slots().release()


@contextmanager
def database():
    """What a stream reads, it reads inside this: a bounded number of connections per process, closed after."""
    database_begin()
    try:
        yield
    finally:
        database_end()


# --- The hub: one per process ------------------------------------------------------------------------------


class _Slot:
    """What a process knows of one auction followed by its streams."""

    def __init__(self):
        self.condition = threading.Condition()
        self.generation = 0  # bumped at every announced change
        # The row, when it was read (monotonic), and the generation it reflects: the one before its read began.
        self.current: tuple[Auction | None, float, int] = (None, 0.0, -1)
        self.followers = 0
        self.reading = threading.Lock()
        self.building = threading.Lock()
        self.shared: OrderedDict = OrderedDict()  # (version, identities) -> (part, shared JSON)


class Hub:
    def __init__(self):
        self._slots: dict[int, _Slot] = {}
        self._lock = threading.Lock()
        self._listener: threading.Thread | None = None
        self._refresher: threading.Thread | None = None
        self.streams = 0

    def reset(self) -> None:
        """Forget every auction (tests)."""
        with self._lock:
            self._slots.clear()

    def slot(self, auction_id: int) -> _Slot:
        slot = self._slots.get(auction_id)
        if slot is None:
            with self._lock:
                slot = self._slots.setdefault(auction_id, _Slot())
        return slot

    def notify(self, auction_id: int) -> None:
        """The auction changed: its streams wake, and the first reads its row again."""
        slot = self._slots.get(auction_id)
        if slot is None:  # no stream of this process follows it
            return
        with slot.condition:
            slot.generation += 1
            slot.condition.notify_all()

    def notify_all(self) -> None:
        for auction_id in list(self._slots):
            self.notify(auction_id)

    def generation(self, auction_id: int) -> int:
        return self.slot(auction_id).generation

    def wait(self, auction_id: int, generation: int, timeout: float) -> int:
        """Until the auction changes after `generation`, or `timeout` seconds; the generation then."""
        slot = self.slot(auction_id)
        with slot.condition:
            slot.condition.wait_for(lambda: slot.generation != generation, timeout=max(0.0, timeout))
            return slot.generation

    def remember(self, auction: Auction, generation: int) -> None:
        """A row a new stream has just read, after seeing `generation` (it holds a database slot: so no lock of
        the slot is taken here, whose holders may be waiting for one)."""
        slot = self.slot(auction.pk)
        if generation >= slot.current[2]:
            slot.current = (auction, time.monotonic(), generation)

    def auction(self, auction_id: int) -> Auction:
        """The auction's row as of the latest announced change (or MAX_AGE): read by one stream, the others
        waiting for it. A row whose read began before a change was announced is never taken for a later one."""
        slot = self.slot(auction_id)
        row, read_at, reflects = slot.current
        if row is not None and reflects >= slot.generation and time.monotonic() - read_at < MAX_AGE:
            return row
        with slot.reading:
            row, read_at, reflects = slot.current
            generation = slot.generation
            if row is None or reflects < generation or time.monotonic() - read_at >= MAX_AGE:
                with database():
                    row = room.room_auction(auction_id)
                slot.current = (row, time.monotonic(), generation)
            return row

    def shared(self, auction: Auction, phase: str, identities: bool) -> tuple[dict, str]:
        """The per-auction part of this version's state and its shared fields as JSON, built once."""
        slot = self.slot(auction.pk)
        key = (auction.bidder_salt, room.room_version(auction, phase), identities)
        found = slot.shared.get(key)
        if found is not None:
            return found
        with slot.building:
            found = slot.shared.get(key)
            if found is None:
                with database():
                    part = room.room_part(auction, phase, identities=identities)
                found = (part, json.dumps(room.shared_state(auction, phase, part), separators=(",", ":")))
                slot.shared[key] = found
                while len(slot.shared) > SHARED_VERSIONS:
                    slot.shared.popitem(last=False)
            return found

    def enter(self, auction_id: int) -> None:
        slot = self.slot(auction_id)
        with self._lock:
            self.streams += 1
            slot.followers += 1

    def leave(self, auction_id: int) -> None:
        slot = self.slot(auction_id)
        with self._lock:
            self.streams -= 1
            slot.followers -= 1

    # The threads of a process: the Redis listener and the refresher, started with its first stream.

    def listen(self) -> None:
        with self._lock:
            if _setting("REDIS_URL", "") and (self._listener is None or not self._listener.is_alive()):
                self._listener = threading.Thread(target=self._listen, name="room-events-listener", daemon=True)
                self._listener.start()
            if _setting("ROOM_STREAM_REFRESHER", True) and (self._refresher is None or not self._refresher.is_alive()):
                self._refresher = threading.Thread(target=self._refresh, name="room-events-refresher", daemon=True)
                self._refresher.start()

    def _refresh(self) -> None:
        """Every REFRESH seconds, read the row of each auction followed here; wake its streams if it changed."""
        while True:
            time.sleep(REFRESH)
            for auction_id, slot in list(self._slots.items()):
                if slot.followers <= 0:
                    continue
                try:
                    with database():
                        row = room.room_auction(auction_id)
                except NotFound:
                    continue  # gone (a test database emptied): its streams end at their next read
                except Exception:  # noqa: BLE001 - the refresher must outlive a database restart
                    logger.warning("The room events refresher could not read auction %s.", auction_id, exc_info=True)
                    continue
                known = slot.current[0]
                if known is None or _facts(known) != _facts(row):
                    with slot.condition:
                        slot.generation += 1
                        slot.current = (row, time.monotonic(), slot.generation)
                        slot.condition.notify_all()

    def _listen(self) -> None:
        while True:
            try:
                # Its own connection, without a read timeout: it waits for messages.
                pubsub = redis.Redis.from_url(
                    settings.REDIS_URL, socket_keepalive=True, health_check_interval=30
                ).pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(channel())
                self.notify_all()  # a change may have been announced while the listener was away
                for message in pubsub.listen():
                    try:
                        self.notify(int(message["data"]))
                    except (KeyError, TypeError, ValueError):
                        continue
            except Exception:  # noqa: BLE001 - the listener must outlive a Redis restart
                logger.warning("The room events listener lost Redis; reconnecting in a second.", exc_info=True)
                time.sleep(1)


def _facts(auction: Auction) -> tuple:
    """What of an auction's row changes its room (the clock aside)."""
    return (auction.status, auction.offer_count, auction.closes_at, auction.best_offer, auction.annulment_reason)


hub = Hub()
_client = None
# After a failed publish, offers do not wait on Redis again until this moment (time.monotonic()).
_paused_until = 0.0


def _redis():
    """The publisher's client: short timeouts, so that Redis down never holds up a request."""
    global _client
    if _client is None:
        _client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=settings.REDIS_TIMEOUT, socket_connect_timeout=settings.REDIS_TIMEOUT
        )
    return _client


def channel() -> str:
    """The Redis channel of this deployment's room changes (channels are shared by every database number)."""
    return f"khanij:{_redis().connection_pool.connection_kwargs.get('db', 0)}:room-changes"


def room_changed(auction_id: int, **_facts) -> None:
    """An auction's room changed (called by offer_place on commit): wake the streams that follow it here and,
    through Redis, in every other process. A failure to publish is logged: the offer is committed already, and
    the other processes read the row again within REFRESH seconds anyway."""
    global _paused_until
    hub.notify(auction_id)
    if not _setting("REDIS_URL", "") or time.monotonic() < _paused_until:
        return  # Redis failed a moment ago: the other processes read the row again within REFRESH seconds anyway
    try:
        _redis().publish(channel(), str(auction_id))
    except Exception:  # noqa: BLE001 - never fail the request whose offer is committed
        _paused_until = time.monotonic() + _setting("REDIS_RETRY_AFTER", 1.0)
        logger.warning("Could not announce a change of auction %s to the other processes.", auction_id, exc_info=True)


# --- One stream -------------------------------------------------------------------------------------------


def streams_enabled(multithread: bool) -> bool:
    mode = _setting("ROOM_STREAMS", "auto")
    return mode == "on" or (mode == "auto" and multithread)


def room_events(auction_id, user, *, last_event_id: str = "", multithread: bool = True):
    """Check now, as a poll would, that the viewer may follow the room (NotFound, SignInRequired or
    PermissionDenied otherwise), then return the stream of its events (text, for a streaming response).
    The caller holds a database slot (database_begin) from before it authenticated the user."""
    if not streams_enabled(multithread):
        raise StreamUnavailable("This server does not keep live streams open; poll the room's state instead.")
    if hub.streams >= _setting("ROOM_STREAMS_PER_PROCESS", 64):
        raise StreamUnavailable("Too many live rooms are open on this server now; poll the room's state instead.")
    try:
        generation = hub.generation(int(auction_id))  # before the read: the row reflects at least this
    except (TypeError, ValueError):
        generation = -1
    auction = room.room_auction(auction_id)
    access = room.room_access(auction, user, auction_phase(auction, timezone.now()))
    hub.remember(auction, generation)
    hub.listen()
    lifetime = float(_setting("ROOM_STREAM_SECONDS", 600))
    return _stream(auction.pk, user, access, last_event_id.strip(), lifetime, generation)


def event(auction: Auction, phase: str, access: room.Access, now) -> tuple[str, str]:
    """(id, text) of the event that gives this viewer the room's state now."""
    part, shared = hub.shared(auction, phase, access.viewer == room.Viewer.REGULATOR)
    own = json.dumps(room.viewer_state(auction, phase, access, part, now), separators=(",", ":"))
    event_id = room.room_etag(auction, access, phase).strip('"')
    return event_id, f"id: {event_id}\ndata: {shared[:-1]},{own[1:]}\n\n"


def _stream(auction_id: int, user, access: room.Access, sent: str, lifetime: float, generation: int):
    hub.enter(auction_id)
    try:
        yield f"retry: {RETRY_MS}\n\n"
        started = checked = written = time.monotonic()
        while True:
            auction = hub.auction(auction_id)
            now = timezone.now()
            phase = auction_phase(auction, now)
            if time.monotonic() - checked >= room.ACCESS_TTL:
                with database():
                    if room.viewer_access(auction, user) != access:
                        return  # the browser reconnects and is answered with the viewer's new access
                checked = time.monotonic()
            event_id, text = event(auction, phase, access, now)
            if event_id != sent:
                yield text
                sent, written = event_id, time.monotonic()
            if phase in FINAL:
                yield "event: end\ndata: {}\n\n"  # nothing will change: the page closes the stream
                return
            remaining = lifetime - (time.monotonic() - started)
            if remaining <= 0:
                return
            timeout = min(remaining, max(0.0, HEARTBEAT - (time.monotonic() - written)))
            boundary = {Phase.OPENED: auction.starts_at, Phase.LIVE: auction.closes_at}.get(phase)
            if boundary is not None:  # wake at the start or the close, by the server's clock
                timeout = min(timeout, max(0.0, (boundary - now).total_seconds()) + 0.01)
            latest = hub.wait(auction_id, generation, timeout)
            if latest == generation and time.monotonic() - written >= HEARTBEAT:
                yield ": keep-alive\n\n"
                written = time.monotonic()
            generation = latest
    except (StreamUnavailable, NotFound):
        return  # busy, or the auction is gone: the browser reconnects and is answered anew
    finally:
        hub.leave(auction_id)


def _release_database() -> None:
    """A stream waits without a database connection: hundreds of them must not hold hundreds of connections."""
    if connection.connection is not None and not connection.in_atomic_block:
        connection.close()
