"""The e-auction room (round 2, RULES.md s.3 items 8-10): what each viewer may see of it now.

Open rooms follow it over server-sent events (auctions.room.stream: one event per change, no poll), or poll it
twice a second where a server cannot keep streams open; so a poll must cost almost nothing:

- one query reads the auction row (its `offer_count`, `closes_at` and status make the room's `version`);
- the per-auction part of the state (the offer history, the bidders' labels and best offers) is built once per
  version and kept in the Django cache, so polls that see no change read it from there; a new version reads
  only the offers placed since the cached one (offers are never changed and their `seq` has no gaps);
- what a user is to the auction (regulator, member of a qualified firm, or public) is cached for a minute.

Who sees what (RULES.md s.3 item 8 and s.6):

- before the opening of the initial price offers there is no room;
- until the close, a qualified bidder's members see the current highest offer, their own standing and the
  anonymous history ("Bidder 1", "Bidder 2" by order of first offer, the same for everyone), never another
  bidder's identity or bidder token; a regulator sees the same with the identities, read-only; nobody else
  sees anything;
- from the close, everyone sees the anonymised history with the bidder tokens (the salt that links them to
  the firms is published at the settlement) and the result.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from auctions import rules
from auctions.models import Auction, Offer, Participation
from auctions.pseudonyms import bidder_token
from auctions.selectors.phase import Phase, auction_phase
from bidders.models import Membership
from bidders.roles import is_regulator
from bidders.rules import may_act
from core.errors import NotFound, PermissionDenied
from core.money import round_half_up

# Phases in which the room is open to its bidders and regulators only; from the close it is public.
RUNNING = (Phase.OPENED, Phase.LIVE)
FINISHED = (Phase.CLOSED, Phase.SETTLED, Phase.ANNULLED)
# How many of the latest offers a poll carries while the e-auction runs (the count says how many there are);
# after the close the whole history is sent.
HISTORY_LIMIT = 100
ACCESS_TTL = 60  # seconds: a change of a member's role reaches the room within a minute
PART_TTL = 60 * 30
LOG_TTL = 60 * 60 * 6


class Viewer:
    REGULATOR = "regulator"  # read-only, with the bidders' identities
    BIDDER = "bidder"  # a member of a qualified firm: its own standing
    PUBLIC = "public"  # everyone else: the room only after the close

    CHOICES = [
        (REGULATOR, "A regulator: read-only, with the bidders' identities"),
        (BIDDER, "A member of a qualified bidder: its own standing"),
        (PUBLIC, "Anyone else: the room after the close"),
    ]


class Standing:
    HIGHEST = "highest"
    OUTBID = "outbid"
    NO_OFFER = "no_offer"

    CHOICES = [
        (HIGHEST, "Your offer is the current best (the highest; in an EL auction, the lowest)"),
        (OUTBID, "Another bidder's offer beats yours"),
        (NO_OFFER, "You have made no final offer yet"),
    ]


class Outcome:
    PREFERRED_BIDDER = "preferred_bidder"
    ANNULLED = "annulled"

    CHOICES = [
        (
            PREFERRED_BIDDER,
            "The best final offer at the close (the lowest in an EL auction) makes its bidder the preferred bidder",
        ),
        (ANNULLED, "Annulled (no final offer)"),
    ]


class SignInRequired(PermissionDenied):
    code = "not_authenticated"


@dataclass(frozen=True)
class Access:
    """What a user is to one auction's room."""

    viewer: str
    signed_in: bool = False
    participation_id: int | None = None
    may_offer: bool = False  # a qualified bidder's admin or bidder (the phase decides the rest)
    note: str = ""  # why this viewer may not offer, for the page
    refusal: str = ""  # why this viewer may not see the room before the close


def pct(value) -> str | None:
    """A percentage as the API writes it: a string with two decimals."""
    return None if value is None else str(round_half_up(value, rules.PERCENT_PLACES))


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z") if value else None


# What a poll reads of the auction: a narrow row is cheaper to fetch and to build.
ROOM_FIELDS = (
    "block__code",
    "block__name",
    "attempt",
    "status",
    "origin",
    "annulment_reason",
    "direction",
    "params",
    "document_sale_starts_at",
    "bid_due_at",
    "opening_at",
    "e_auction_starts_at",
    "opened_at",
    "floor_price",
    "starts_at",
    "closes_at",
    "best_offer",
    "best_participation_id",
    "offer_count",
    "bidder_salt",
)

# --- Reads ------------------------------------------------------------------------------------------------


def room_auction(auction_id) -> Auction:
    """The auction with what the room shows of it, in one query."""
    try:
        auction = Auction.objects.select_related("block").only(*ROOM_FIELDS).get(pk=auction_id)
    except (Auction.DoesNotExist, ValueError, TypeError):
        raise NotFound(
            f"There is no auction {auction_id}. Check the link, or find the auction in its tranche."
        ) from None
    if auction.historic:
        raise NotFound(
            f"The auction of {auction.block.code} is a historic record, imported from the published record: it was "
            f"never run on Khanij and has no e-auction room. Its page is /auctions/{auction.pk}/."
        )
    return auction


def room_version(auction: Auction, phase: str) -> str:
    """Changes with every accepted offer, every extension of the close, the settlement and each change of phase."""
    closes = int(auction.closes_at.timestamp() * 1000) if auction.closes_at else 0
    return f"{auction.offer_count}-{closes}-{phase}"


def _prefix(auction: Auction) -> str:
    # The salt is random per auction: a key never meets another auction that reused the primary key (SQLite).
    return f"room:{auction.pk}:{auction.bidder_salt[:12]}"


def viewer_access(auction: Auction, user) -> Access:
    """The viewer's relation to the auction (cached for a minute per user and auction)."""
    if not getattr(user, "is_authenticated", False):
        return Access(viewer=Viewer.PUBLIC, refusal="Sign in as a qualified bidder or a regulator to enter the room.")
    key = f"{_prefix(auction)}:viewer:{user.pk}"
    access = cache.get(key)
    if access is None:
        access = _access(auction, user)
        cache.set(key, access, ACCESS_TTL)
    return access


def _access(auction: Auction, user) -> Access:
    if is_regulator(user):
        return Access(
            viewer=Viewer.REGULATOR,
            signed_in=True,
            note="Regulators watch the e-auction read-only; only qualified bidders make offers.",
        )
    membership = (
        Membership.objects.filter(user=user).order_by("id").values("firm_id", "role", "firm__legal_name").first()
    )
    not_qualified = (
        "The e-auction room is open to the qualified bidders and the regulators until the close; "
        "everyone sees its history and result after the close."
    )
    if membership is None:
        return Access(viewer=Viewer.PUBLIC, signed_in=True, refusal=not_qualified)
    participation_id = (
        Participation.objects.filter(auction=auction, firm_id=membership["firm_id"], qualified=True)
        .values_list("pk", flat=True)
        .first()
    )
    firm = membership["firm__legal_name"]
    if participation_id is None:
        return Access(
            viewer=Viewer.PUBLIC,
            signed_in=True,
            refusal=f"{firm} is not a qualified bidder of this e-auction. {not_qualified}",
        )
    if not may_act(membership["role"]):
        return Access(
            viewer=Viewer.BIDDER,
            signed_in=True,
            participation_id=participation_id,
            note=(
                f"As a {membership['role']} of {firm} you may follow the e-auction but not make offers; ask your "
                "firm's administrator for the bidder role."
            ),
        )
    return Access(viewer=Viewer.BIDDER, signed_in=True, participation_id=participation_id, may_offer=True)


def room_access(auction: Auction, user, phase: str) -> Access:
    """The viewer's access to the room now; refuses, saying why and when, one who may not see it."""
    if auction.opened_at is None:
        if auction.status == Auction.Status.ANNULLED:
            raise NotFound(
                f"The auction of {auction.block.code} was annulled before the opening "
                f"({auction.annulment_reason}); it had no e-auction."
            )
        raise NotFound(
            f"The e-auction room of {auction.block.code} opens with the opening of the initial price offers, "
            f"scheduled for {timezone.localtime(auction.opening_at):%d %b %Y %H:%M} IST; the e-auction is due to "
            f"start at {timezone.localtime(auction.e_auction_starts_at):%d %b %Y %H:%M} IST."
        )
    access = viewer_access(auction, user)  # only once the qualified bidders are known
    if phase in RUNNING and access.viewer == Viewer.PUBLIC:
        if not access.signed_in:
            raise SignInRequired(access.refusal)
        raise PermissionDenied(access.refusal)
    return access


def _rows(queryset) -> list[tuple]:
    return [
        (seq, pct(value), iso(at), pid)
        for seq, value, at, pid in queryset.order_by("seq").values_list("seq", "value", "placed_at", "participation_id")
    ]


def _fold(summary: dict, rows: list[tuple]) -> dict:
    """Add offers (in order) to a summary: labels by order of first offer, each bidder's best, the latest rows."""
    labels, best = dict(summary["labels"]), dict(summary["best"])
    for _seq, value, _at, pid in rows:
        labels.setdefault(pid, f"Bidder {len(labels) + 1}")
        best[pid] = value  # each accepted offer beats the one before it: a bidder's last is its best
    recent = (summary["recent"] + rows)[-HISTORY_LIMIT:]
    count = rows[-1][0] if rows else summary["count"]
    return {"count": count, "labels": labels, "best": best, "recent": recent}


EMPTY_SUMMARY = {"count": 0, "labels": {}, "best": {}, "recent": []}


def _cache_after_commit(key: str, value, ttl: int) -> None:
    """Cache what an offer's own answer built (see `known`), once the offer is committed: the answer is built
    inside the transaction that also stores it under the request's Idempotency-Key, and an offer rolled back
    must not leave its version in the cache for the next offer's room to read. Outside a transaction it is
    cached at once; a cache that fails then is logged, not answered: the offer stands."""
    transaction.on_commit(lambda: cache.set(key, value, ttl), robust=True)


def _summary(auction: Auction, known: tuple | None = None) -> dict:
    """The offers so far, summarised in a cache entry of bounded size; a new version reads only the offers
    placed since the cached one (offers are never changed and their seq has no gaps). `known` is an offer row
    the caller holds (the one just placed): when it is the only one missing, no query is needed."""
    key = f"{_prefix(auction)}:summary"
    summary = cache.get(key) or EMPTY_SUMMARY
    if summary["count"] < auction.offer_count:
        if known and known[0] == auction.offer_count == summary["count"] + 1:
            rows = [known]
        else:
            new = Offer.objects.filter(auction_id=auction.pk, seq__gt=summary["count"], seq__lte=auction.offer_count)
            rows = _rows(new)
        summary = _fold(summary, rows)
        (_cache_after_commit if known else cache.set)(key, summary, LOG_TTL)
    elif summary["count"] > auction.offer_count:  # another request cached a later version than the row read
        summary = {**summary, "recent": [row for row in summary["recent"] if row[0] <= auction.offer_count]}
    return summary


def _bidders(auction: Auction) -> dict[int, dict]:
    """The qualified bidders (fixed at the opening): identity, initial offer, rank and bidder token."""
    key = f"{_prefix(auction)}:bidders"
    bidders = cache.get(key)
    if bidders is None:
        qualified = (
            Participation.objects.filter(auction_id=auction.pk, qualified=True)
            .select_related("firm")
            .order_by("rank", "firm__legal_name")
        )
        bidders = {
            p.pk: {
                "firm": p.firm.legal_name,
                "cin": p.firm.cin,
                "initial_price_offer": pct(p.initial_price_offer),
                "rank": p.rank,
                "bidder_token": bidder_token(auction, p.firm_id),
            }
            for p in qualified
        }
        cache.set(key, bidders, LOG_TTL)
    return bidders


def room_part(auction: Auction, phase: str, *, identities: bool, known: tuple | None = None) -> dict:
    """The per-auction part of the state for one audience, built once per version."""
    key = f"{_prefix(auction)}:{room_version(auction, phase)}:{'ids' if identities else 'anon'}"
    part = None if known else cache.get(key)  # the version of an offer just placed is new: not looked up
    if part is not None:
        return part
    finished = phase in FINISHED
    if finished:  # built once: from the close the whole history is shown, and it no longer changes
        rows = _rows(Offer.objects.filter(auction_id=auction.pk, seq__lte=auction.offer_count))
        summary = {**_fold(EMPTY_SUMMARY, rows), "recent": rows}
    else:
        summary = _summary(auction, known)
    labels, best, shown = summary["labels"], summary["best"], summary["recent"]
    bidders = _bidders(auction) if (identities or finished) else {}
    history = [
        {
            "seq": seq,
            "value": value,
            "placed_at": at,
            "bidder": labels[pid],
            "firm": bidders[pid]["firm"] if identities else None,
            "bidder_token": bidders[pid]["bidder_token"] if finished else None,
        }
        for seq, value, at, pid in reversed(shown)
    ]
    part = {
        "history": history,
        "history_complete": len(shown) == auction.offer_count,
        "standings": {pid: {"bidder": labels[pid], "best_offer": best[pid]} for pid in labels},
        "bidders": [
            {
                "bidder": labels.get(pid),
                "firm": b["firm"],
                "cin": b["cin"],
                "initial_price_offer": b["initial_price_offer"],
                "rank": b["rank"],
                "best_offer": best.get(pid),
                "highest": pid == auction.best_participation_id,
            }
            for pid, b in bidders.items()
        ]
        if identities
        else None,
    }
    (_cache_after_commit if known else cache.set)(key, part, PART_TTL)
    return part


def _result(auction: Auction, phase: str) -> dict | None:
    if phase not in FINISHED:
        return None
    if auction.offer_count == 0 or auction.status == Auction.Status.ANNULLED:
        return {
            "outcome": Outcome.ANNULLED,
            "declared": auction.status == Auction.Status.ANNULLED,
            "preferred_bidder": None,
            "winning_offer": None,
            "annulment_reason": auction.annulment_reason or "no final offer",
        }
    return {
        "outcome": Outcome.PREFERRED_BIDDER,
        "declared": auction.status == Auction.Status.SETTLED,
        "preferred_bidder": _bidders(auction)[auction.best_participation_id]["firm"],
        "winning_offer": pct(auction.best_offer),
        "annulment_reason": "",
    }


def room_state(
    auction: Auction, viewer, *, now: datetime | None = None, access: Access | None = None, known: tuple | None = None
) -> dict:
    """What this viewer may see of the room now. Raises NotFound before the opening, SignInRequired or
    PermissionDenied for someone who may not see the room before the close. `known`: an offer row the caller
    holds (see _summary)."""
    now = now or timezone.now()
    phase = auction_phase(auction, now)
    access = access or room_access(auction, viewer, phase)
    part = room_part(auction, phase, identities=access.viewer == Viewer.REGULATOR, known=known)
    return {**shared_state(auction, phase, part), **viewer_state(auction, phase, access, part, now)}


def shared_state(auction: Auction, phase: str, part: dict) -> dict:
    """The state as every viewer of one audience (bidders and public, or regulators) sees it at this version:
    everything but the server's time and what the viewer is to the auction (viewer_state)."""
    params = rules.AuctionParams.from_json(auction.params)
    scheduled_close = auction.starts_at + timedelta(minutes=params.duration_minutes)
    running = phase in RUNNING
    return {
        "auction": auction.pk,
        "block": auction.block.code,
        "block_name": auction.block.name,
        "attempt": auction.attempt,
        "direction": auction.direction,
        "phase": phase,
        "phase_label": Phase.LABELS[phase],
        "version": room_version(auction, phase),
        "starts_at": iso(auction.starts_at),
        "closes_at": iso(auction.closes_at),
        "scheduled_close": iso(scheduled_close),
        "extended": auction.closes_at > scheduled_close,
        "floor_price": pct(auction.floor_price),
        "min_increment": pct(params.min_increment),
        "extension_window_minutes": params.extension_window_minutes,
        "extension_minutes": params.extension_minutes,
        "best_offer": pct(auction.best_offer),
        "next_valid_offer": pct(
            rules.next_valid_offer(
                floor=auction.floor_price,
                current_best=auction.best_offer,
                params=params,
                direction=auction.direction,
            )
        )
        if running
        else None,
        "offer_count": auction.offer_count,
        "history": part["history"],
        "history_complete": part["history_complete"],
        "bidders": part["bidders"],
        "result": _result(auction, phase),
    }


def viewer_state(auction: Auction, phase: str, access: Access, part: dict, now: datetime) -> dict:
    """What differs from one viewer to another: the server's time, who the viewer is, their standing."""
    you = None
    if access.viewer == Viewer.BIDDER:
        own = part["standings"].get(access.participation_id)
        if auction.best_participation_id == access.participation_id:
            standing = Standing.HIGHEST
        else:
            standing = Standing.OUTBID if own else Standing.NO_OFFER
        can_offer = access.may_offer and phase == Phase.LIVE
        note = access.note
        if access.may_offer and phase == Phase.OPENED:
            note = f"Offers are accepted from {timezone.localtime(auction.starts_at):%d %b %Y %H:%M:%S} IST."
        elif access.may_offer and phase not in RUNNING:
            note = "The e-auction has closed; no more offers are accepted."
        you = {
            "bidder": own["bidder"] if own else None,
            "standing": standing,
            "best_offer": own["best_offer"] if own else None,
            "can_offer": can_offer,
            "note": note,
        }
    elif access.viewer == Viewer.REGULATOR:
        you = {"bidder": None, "standing": None, "best_offer": None, "can_offer": False, "note": access.note}
    return {"server_time": iso(now), "viewer": access.viewer, "you": you}


def room_etag(auction: Auction, access: Access, phase: str) -> str:
    """An ETag of what this viewer sees, known before the state is built: the version and the viewer."""
    return f'"{room_version(auction, phase)}.{access.viewer}.{access.participation_id or 0}.{int(access.may_offer)}"'


def room_poll(auction_id, user, *, if_none_match: str = "") -> tuple[dict | None, str]:
    """(state, etag) for a poll of the room; (None, etag) when the viewer already holds this version."""
    auction = room_auction(auction_id)
    now = timezone.now()
    phase = auction_phase(auction, now)
    access = room_access(auction, user, phase)
    etag = room_etag(auction, access, phase)
    if etag in [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]:
        return None, etag
    return room_state(auction, user, now=now, access=access), etag


def room_after_offer(offer: Offer, user) -> dict:
    """The room as the bidder sees it right after their accepted offer, from the auction row the offer locked
    and updated (`offer.auction`, as offer_place returns it) and the offer itself: no read of either again."""
    row = (offer.seq, pct(offer.value), iso(offer.placed_at), offer.participation_id)
    # offer_place has just checked what the viewer is: a member of the qualified firm, in a role that bids.
    access = Access(viewer=Viewer.BIDDER, signed_in=True, participation_id=offer.participation_id, may_offer=True)
    return room_state(offer.auction, user, access=access, known=row)


def offer_entry(offer: Offer, state: dict) -> dict:
    """An accepted offer as its bidder sees it."""
    label = (state.get("you") or {}).get("bidder")
    return {"seq": offer.seq, "value": pct(offer.value), "placed_at": iso(offer.placed_at), "bidder": label}
