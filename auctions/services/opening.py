"""The opening of the initial price offers (RULES.md s.3 items 4-7), done by a Celery worker, not in a web request.

Who starts it: a regulator (`auction_open` for one auction, `tranche_open` for every evaluated auction of a tranche;
the request only queues the job and answers at once), or time: at the scheduled opening time the sweeper
(`auctions_opening_sweep`) queues every auction whose bids are all evaluated. An auction with bids still to
evaluate then opens nothing: its job waits, the regulators are told once, and it is queued as soon as the last bid
is evaluated (`opening_after_evaluation`, in the evaluation's own transaction). Queuing writes an outbox message in
the act's transaction (core.outbox), relayed to Celery once it commits: the task `auctions.open` runs
`auction_opening_run`.

Once: the task claims its auction's job with a conditional UPDATE (queued -> opening, auctions.lifecycle.
opening_move), so a task delivered or sent twice does nothing the second time; the opening then runs under the
auction's row lock and only while the auction is in its evaluation, so not even a job taken over from a worker that
stopped answering can open an auction twice. One task per auction, each locking only its own auction's row and
ledger stream: a tranche's auctions open in parallel on as many workers (or worker threads) as there are.

The worker decrypts the technically qualified bidders' offers (the sealing key is in its environment), checks each
against its commitment, ranks them, selects the qualified bidders, sets the floor, moves the auction to opened and
tells every bidder; or it annuls the auction when too few bidders are technically qualified (the minimum is a
parameter the auction was notified under: rules.annulment_reason). An offer that does not decrypt or does not match
its commitment stops the opening with nothing published: the job is marked stopped, with the reason, and the
regulators are told; a regulator may queue it again.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from auctions import lifecycle, rules, sealing
from auctions.models import Auction, Origin, Participation, Tranche
from auctions.services.annulment import annul, members_of
from auctions.services.guards import locked_auction, now, require_regulator, utc
from auctions.wording import words
from bidders.selectors import regulator_users
from core.errors import Conflict, NotFound
from core.outbox import outbox_enqueue
from core.sql import ModelWrite
from notifications.services import notification_send

TASK = "auctions.open"
# Each opened bid's row, written by a statement prepared once (core.sql): the ORM's bulk_update built a CASE per field
# and row, which cost most of an opening's time (bench/opening.py, docs/benchmarks.md).
_OPENED_BID = ModelWrite(Participation, ["initial_price_offer", "offer_nonce", "rank", "qualified"])
OPENING = Auction.Opening
UNDER_WAY = (OPENING.QUEUED, OPENING.RUNNING)


def _desk(auction: Auction) -> str:
    return f"/regulator/auctions/{auction.pk}/"


def _pending(auction: Auction) -> list[str]:
    """The firms whose submitted technical bid is not evaluated yet."""
    return list(
        auction.participations.filter(status=Participation.Status.SUBMITTED, technically_qualified__isnull=True)
        .order_by("firm__legal_name")
        .values_list("firm__legal_name", flat=True)
    )


def _require_evaluation(auction: Auction) -> None:
    if auction.status != Auction.Status.EVALUATION:
        raise Conflict(
            f"Offers of {auction.block.code} can be opened only after the bid due date and the technical "
            f"evaluation; the auction is {auction.get_status_display().lower()}."
        )


def _queue(auction: Auction, *, by, moment) -> bool:
    """Queue the (locked) auction's opening, in the caller's transaction: the task goes out once it commits."""
    fields = {
        "opening_requested_at": moment,
        "opening_requested_by": by,
        "opening_started_at": None,
        "opening_finished_at": None,
        "opening_error": "",
    }
    if not lifecycle.opening_move(auction_id=auction.pk, to=OPENING.QUEUED, **fields):
        return False
    auction.opening_status = OPENING.QUEUED
    for name, value in fields.items():
        setattr(auction, name, value)
    outbox_enqueue(TASK, args=[auction.pk])
    return True


# --- Who starts it: a regulator, the clock, the last evaluation ------------------------------------------------


def auction_open(*, actor, auction_id) -> Auction:
    """The regulator's action: queue the opening of an auction whose technical bids are all evaluated. Returns the
    auction with its job queued (or already under way: asking again queues nothing more); a worker opens it."""
    require_regulator(actor)
    with transaction.atomic():
        auction = locked_auction(auction_id)
        _require_evaluation(auction)
        if auction.opening_status in UNDER_WAY:
            return auction
        pending = _pending(auction)
        if pending:
            raise Conflict(f"Evaluate every technical bid before the opening; still pending: {', '.join(pending)}.")
        _queue(auction, by=actor, moment=now())
    return auction


def tranche_open(*, actor, tranche_id) -> dict:
    """The regulator's action on a tranche: queue the opening of each of its auctions whose technical bids are all
    evaluated; they open in parallel. Returns the block codes queued, already under way, and still to evaluate
    (with how many bids). Refused when none can open."""
    require_regulator(actor)
    try:
        tranche = Tranche.objects.get(pk=tranche_id)
    except (Tranche.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no tranche {tranche_id}.") from None
    if tranche.origin == Origin.HISTORIC:
        raise Conflict(
            f"{tranche.name} is a historic record, imported from the published record of the Ministry of Mines: it "
            "was run before Khanij, and nothing of it is opened here.",
            code="historic_auction",
        )
    result = {"queued": [], "under_way": [], "pending": {}}
    with transaction.atomic():
        moment = now()
        # Its auctions in their evaluation, locked in one statement in the order of their keys (so two such requests
        # cannot deadlock), and their bids still to evaluate counted in another.
        auctions = list(
            Auction.objects.select_for_update(of=("self",))
            .select_related("block")
            .filter(tranche_id=tranche.pk, status=Auction.Status.EVALUATION)
            .order_by("pk")
        )
        pending = dict(
            Participation.objects.filter(
                auction__in=auctions, status=Participation.Status.SUBMITTED, technically_qualified__isnull=True
            )
            .values_list("auction_id")
            .annotate(count=Count("pk"))
        )
        for auction in auctions:
            if auction.opening_status in UNDER_WAY:
                result["under_way"].append(auction.block.code)
            elif pending.get(auction.pk):
                result["pending"][auction.block.code] = pending[auction.pk]
            else:
                _queue(auction, by=actor, moment=moment)
                result["queued"].append(auction.block.code)
    if not result["queued"] and not result["under_way"]:
        waiting = "; ".join(f"{code}: {n} bid(s) to evaluate" for code, n in result["pending"].items())
        todo = f"Evaluate every technical bid first ({waiting})." if waiting else "None is in its technical evaluation."
        raise Conflict(f"No auction of {tranche.name} is ready to open. {todo}")
    return result


def auction_opening_schedule(*, auction_id) -> str | None:
    """At the scheduled opening time (the sweeper's step): queue the opening when every bid is evaluated; else open
    nothing, let the job wait and tell the regulators (once). Returns "queued", "waiting", or None (nothing done:
    not due, not in its evaluation, or already asked for)."""
    with transaction.atomic():
        moment = now()
        try:
            auction = locked_auction(auction_id)
        except NotFound:
            return None
        if (
            auction.status != Auction.Status.EVALUATION
            or auction.opening_at > moment
            or auction.opening_status != OPENING.NOT_REQUESTED
        ):
            return None
        pending = _pending(auction)
        if not pending:
            _queue(auction, by=None, moment=moment)
            return "queued"
        lifecycle.opening_move(auction_id=auction.pk, to=OPENING.WAITING, opening_requested_at=moment)
        notification_send(
            users=regulator_users(),
            title=f"Opening of {auction.block.code} waits: {len(pending)} technical bid(s) not evaluated",
            body=(
                f"The initial price offers of {auction.block.name} were due to open at "
                f"{timezone.localtime(auction.opening_at):%d %b %Y %H:%M} IST, but the technical bids of "
                f"{', '.join(pending)} are not evaluated yet, so nothing was opened. Evaluate them: the offers open "
                "as soon as the last bid is evaluated."
            ),
            url=_desk(auction),
        )
        return "waiting"


def opening_after_evaluation(auction: Auction) -> bool:
    """In the transaction of a technical evaluation (the auction locked): once the opening time has come and the last
    bid is evaluated, queue the opening (at once, not at the sweeper's next round). True when it queued it."""
    if auction.status != Auction.Status.EVALUATION:
        return False
    if auction.opening_status not in (OPENING.NOT_REQUESTED, OPENING.WAITING) or auction.opening_at > now():
        return False
    if _pending(auction):
        return False
    return _queue(auction, by=None, moment=now())


def _stale_before():
    """A job queued or taken this long ago without an end is taken to be lost (its message or its worker)."""
    return now() - timedelta(seconds=settings.AUCTION_OPENING_STALE_AFTER)


def auctions_opening_sweep() -> dict:
    """The sweeper's part: queue (or let wait) the auctions whose opening time has come, and send again the jobs
    whose task was lost or whose worker stopped answering."""
    moment = now()
    due = Auction.objects.filter(
        origin=Origin.KHANIJ,
        status=Auction.Status.EVALUATION,
        opening_at__lte=moment,
        opening_status=OPENING.NOT_REQUESTED,
    ).values_list("pk", flat=True)
    scheduled = {pk: outcome for pk in list(due) if (outcome := auction_opening_schedule(auction_id=pk))}
    stale = _stale_before()
    lost = Q(opening_status=OPENING.QUEUED, opening_requested_at__lt=stale)
    dead = Q(opening_status=OPENING.RUNNING, opening_started_at__lt=stale)
    resent = []
    with transaction.atomic():
        for pk in Auction.objects.filter(lost | dead, status=Auction.Status.EVALUATION).values_list("pk", flat=True):
            again = Auction.objects.filter(lost, pk=pk).update(opening_requested_at=moment) or lifecycle.opening_move(
                auction_id=pk, to=OPENING.QUEUED, when=dead, opening_requested_at=moment, opening_started_at=None
            )
            if again:
                outbox_enqueue(TASK, args=[pk])
                resent.append(pk)
    return {"opening": scheduled, "opening_resent": resent}


# --- What the worker does ----------------------------------------------------------------------------------------


def auction_opening_run(*, auction_id) -> str:
    """The task's body: claim the auction's job, then open the offers (or annul); or record why it stopped. Returns
    "opened", "annulled", "waiting", "failed", "nothing to open" (the auction is past its evaluation), or "not
    claimed" (another task has the job, or it is done)."""
    if not lifecycle.opening_move(auction_id=auction_id, to=OPENING.RUNNING, opening_started_at=now()):
        return "not claimed"
    try:
        return _open(auction_id)
    except (sealing.SealBroken, ImproperlyConfigured) as exc:
        _stop(auction_id, f"{exc} Nothing was published.")
        return "failed"
    except Exception as exc:
        _stop(
            auction_id,
            f"An unexpected error stopped the opening ({exc.__class__.__name__}); nothing was published. Try again; "
            "if it happens again, tell the administrators.",
        )
        raise


def _stop(auction_id, message: str) -> None:
    with transaction.atomic():
        stopped = lifecycle.opening_move(
            auction_id=auction_id, to=OPENING.FAILED, opening_error=message[:300], opening_finished_at=now()
        )
        if stopped:
            auction = Auction.objects.select_related("block").get(pk=auction_id)
            notification_send(
                users=regulator_users(),
                title=f"The opening of {auction.block.code} was stopped",
                body=f"{message} Open the auction desk to try again.",
                url=_desk(auction),
            )


def _open(auction_id) -> str:
    with transaction.atomic():
        auction = locked_auction(auction_id)
        # The job is done once the auction has moved (through its own table, under this lock): written whatever the
        # job's status has become meanwhile (a sweeper may have queued it again), so no job outlives its auction.
        done = {"opening_status": OPENING.DONE}
        if auction.status != Auction.Status.EVALUATION:
            Auction.objects.filter(pk=auction.pk).update(**done, opening_finished_at=now())
            return "nothing to open"
        bids = list(auction.participations.filter(status=Participation.Status.SUBMITTED).select_related("firm"))
        if any(p.technically_qualified is None for p in bids):
            lifecycle.opening_move(auction_id=auction.pk, to=OPENING.WAITING)
            return "waiting"
        params = rules.AuctionParams.from_json(auction.params)
        tqb = [p for p in bids if p.technically_qualified]
        reason = rules.annulment_reason(attempt=auction.attempt, bids=len(bids), tqb=len(tqb), params=params)
        if reason:
            annul(auction, reason)
            Auction.objects.filter(pk=auction.pk).update(**done, opening_finished_at=now())
            return "annulled"
        offers = {}
        for p in tqb:
            value, nonce = sealing.unseal(
                auction=auction.pk, firm=p.firm_id, ciphertext=p.sealed_offer, commitment=p.commitment
            )
            p.initial_price_offer, p.offer_nonce = value, nonce
            offers[p.pk] = value
        ranks = rules.dense_rank(offers, auction.direction)
        qualified = rules.qualified_bidders(offers, auction.direction, params)
        for p in tqb:
            p.rank = ranks[p.pk]
            p.qualified = p.pk in qualified
            _OPENED_BID.update(p.pk, p.initial_price_offer, p.offer_nonce, p.rank, p.qualified)
        floor_price = rules.floor_price([offers[pk] for pk in qualified], auction.direction)
        moment = now()
        starts_at = max(auction.e_auction_starts_at, moment)
        closes_at = starts_at + timedelta(minutes=params.duration_minutes)
        lifecycle.auction_move(
            auction=auction,
            to=lifecycle.OPENED,
            payload={
                "technically_qualified": [
                    {
                        "firm": p.firm.legal_name,
                        "cin": p.firm.cin,
                        "firm_id": p.firm_id,
                        "initial_price_offer": p.initial_price_offer,
                        "nonce": p.offer_nonce,
                        "commitment": p.commitment,
                        "rank": p.rank,
                        "qualified": p.qualified,
                    }
                    for p in sorted(tqb, key=lambda p: (p.rank, p.firm.legal_name))
                ],
                "floor_price": floor_price,
                "starts_at": utc(starts_at),
                "closes_at": utc(closes_at),
            },
            floor_price=floor_price,
            opened_at=moment,
            starts_at=starts_at,
            closes_at=closes_at,
            **done,
        )
        _tell_bidders(auction, bids)
        Auction.objects.filter(pk=auction.pk).update(opening_finished_at=now())
    return "opened"


def _tell_bidders(auction: Auction, bids: list[Participation]) -> None:
    """Every bidder learns the outcome of the opening for its own bid."""
    w = words(auction.direction)
    page = f"/auctions/{auction.pk}/"
    notification_send(
        users=members_of([p.firm_id for p in bids if p.qualified]),
        title=f"You qualified for the e-auction of {auction.block.code}",
        body=(
            f"The e-auction of {auction.block.name} starts at "
            f"{timezone.localtime(auction.starts_at):%d %b %Y %H:%M} IST from a {w['floor']} of {auction.floor_price}%."
        ),
        url=f"/auctions/{auction.pk}/room/",
    )
    notification_send(
        users=members_of([p.firm_id for p in bids if p.technically_qualified and not p.qualified]),
        title=f"Initial offers of {auction.block.code} opened: you did not qualify for the e-auction",
        body=(
            f"The initial price offers of {auction.block.name} were opened and ranked; yours is not among the ranks "
            "that qualify for the e-auction. The ranking is published on the auction's page."
        ),
        url=page,
    )
    notification_send(
        users=members_of([p.firm_id for p in bids if p.technically_qualified is False]),
        title=f"Initial offers of {auction.block.code} opened",
        body=(
            f"The initial price offers of {auction.block.name} were opened. Your technical bid was disqualified, so "
            "your offer was not opened: it stays sealed. The ranking is published on the auction's page."
        ),
        url=page,
    )
