"""From the bid due date to the e-auction: bidding closed (the commitments published, affiliates flagged), the
technical evaluation, the rejection of affiliates, and the opening of the initial price offers (or the annulment)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from auctions import lifecycle, rules, sealing
from auctions.models import Auction, Origin, Participation
from auctions.services.annulment import annul, members_of
from auctions.services.guards import historic_refusal, locked_auction, now, require_regulator, utc
from auctions.wording import words
from bidders.selectors import affiliated_pairs
from core.errors import ApplicationError, Conflict, NotFound
from notifications.services import notification_send

# --- The bid due date: bidding closes, commitments are published ------------------------------------------


def auction_close_bidding(*, auction_id) -> bool:
    """At the bid due date: lock the bids, publish their number and commitments, flag affiliates.

    Idempotent (the sweeper may call it twice): the auction is locked and moved through its table only while it is
    still taking bids and past its due date; otherwise nothing is written and it returns False.
    """
    with transaction.atomic():
        moment = now()
        try:
            auction = locked_auction(auction_id)
        except NotFound:
            return False
        if auction.status != lifecycle.NOTIFIED or auction.bid_due_at > moment:
            return False
        bids = list(auction.participations.filter(status=Participation.Status.SUBMITTED).select_related("firm"))
        lifecycle.auction_move(
            auction=auction,
            to=lifecycle.EVALUATION,
            payload={"bid_count": len(bids), "commitments": sorted(p.commitment for p in bids)},
            bids_closed_at=moment,
            bid_count=len(bids),
        )
        flags: dict[int, list[str]] = {}
        names = {p.firm_id: p.firm.legal_name for p in bids}
        for a, b, reason in sorted(affiliated_pairs([p.firm_id for p in bids])):
            flags.setdefault(a, []).append(f"affiliate of {names[b]}: {reason}")
            flags.setdefault(b, []).append(f"affiliate of {names[a]}: {reason}")
        for participation in bids:
            if participation.firm_id in flags:
                participation.affiliate_flag = "; ".join(flags[participation.firm_id])[:300]
                participation.save(update_fields=["affiliate_flag"])
        if not bids:
            annul(auction, "no bid")
    return True


# --- Technical evaluation ----------------------------------------------------------------------------------


def participation_evaluate(*, actor, participation_id, qualified: bool, reason: str = "") -> Participation:
    """The regulator qualifies or disqualifies a technical bid, with a reason, before the opening.

    A re-evaluation that changes the verdict is a move of its own, ledgered once; the verdict the bid already has,
    given again, changes nothing and writes nothing (auctions.lifecycle.EVALUATION_MOVES)."""
    require_regulator(actor)
    reason = (reason or "").strip()
    try:
        auction_id = Participation.objects.values_list("auction_id", flat=True).get(pk=participation_id)
    except (Participation.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no bid {participation_id}.") from None
    with transaction.atomic():
        auction = locked_auction(auction_id)
        participation = Participation.objects.select_related("firm").get(pk=participation_id)
        if auction.status != Auction.Status.EVALUATION:
            raise Conflict(
                f"Technical bids of {auction.block.code} are evaluated after the bid due date and before the "
                f"opening; the auction is {auction.get_status_display().lower()}."
            )
        if participation.status != Participation.Status.SUBMITTED:
            raise Conflict("Only submitted bids are evaluated.")
        if qualified and participation.affiliate_flag:
            raise ApplicationError(
                f"{participation.firm.legal_name} is an {participation.affiliate_flag}. Where affiliates bid in the "
                "same auction both bids are rejected (Rules): disqualify it.",
                fields={"qualified": ["An affiliate's bid cannot be qualified."]},
                code="affiliate",
            )
        if qualified and participation.net_worth is not None and participation.net_worth < auction.net_worth_threshold:
            raise ApplicationError(
                f"{participation.firm.legal_name} declared a net worth of Rs {participation.net_worth}, below the "
                f"tender's threshold of Rs {auction.net_worth_threshold}.",
                fields={"qualified": ["Net worth below the threshold."]},
                code="net_worth",
            )
        if not qualified and not reason:
            raise ApplicationError(
                "Give the reason for disqualifying the bid; it is published.", fields={"reason": ["Required."]}
            )
        lifecycle.participation_move(
            auction=auction,
            participation=participation,
            to=lifecycle.QUALIFIED if qualified else lifecycle.DISQUALIFIED,
            payload={
                "firm": participation.firm.legal_name,
                "cin": participation.firm.cin,
                "commitment": participation.commitment,
                "technically_qualified": qualified,
                "reason": reason[:300],
            },
            evaluation_reason=reason[:300],
            evaluated_by=actor,
            evaluated_at=now(),
        )
    return participation


def auction_reject_affiliates(*, actor, auction_id) -> int:
    """Confirm every affiliate flag of the auction: both bids of each affiliated pair are disqualified."""
    require_regulator(actor)
    historic = (
        Auction.objects.filter(pk=auction_id, origin=Origin.HISTORIC).select_related("block", "tranche").first()
        if str(auction_id).isdigit()
        else None
    )
    if historic is not None:
        raise historic_refusal(historic)
    flagged = list(
        Participation.objects.filter(
            auction_id=auction_id, status=Participation.Status.SUBMITTED, technically_qualified__isnull=True
        )
        .exclude(affiliate_flag="")
        .values_list("pk", "affiliate_flag")
    )
    for pk, flag in flagged:
        participation_evaluate(actor=actor, participation_id=pk, qualified=False, reason=f"Rejected as {flag}"[:300])
    return len(flagged)


# --- Opening of the initial price offers --------------------------------------------------------------------


def auction_open(*, actor, auction_id) -> Auction:
    """Open the IPOs of the technically qualified bidders: check each against its commitment, rank them,
    select the qualified bidders and set the floor; or annul when there are too few TQB."""
    require_regulator(actor)
    with transaction.atomic():
        auction = locked_auction(auction_id)
        if auction.status != Auction.Status.EVALUATION:
            raise Conflict(
                f"Offers of {auction.block.code} can be opened only after the bid due date and the technical "
                f"evaluation; the auction is {auction.get_status_display().lower()}."
            )
        bids = list(auction.participations.filter(status=Participation.Status.SUBMITTED).select_related("firm"))
        pending = [p.firm.legal_name for p in bids if p.technically_qualified is None]
        if pending:
            raise Conflict(f"Evaluate every technical bid before the opening; still pending: {', '.join(pending)}.")
        params = rules.AuctionParams.from_json(auction.params)
        tqb = [p for p in bids if p.technically_qualified]
        reason = rules.annulment_reason(attempt=auction.attempt, bids=len(bids), tqb=len(tqb), params=params)
        if reason:
            annul(auction, reason)
            return auction
        offers = {}
        for p in tqb:
            try:
                value, nonce = sealing.unseal(
                    auction=auction.pk, firm=p.firm_id, ciphertext=p.sealed_offer, commitment=p.commitment
                )
            except sealing.SealBroken as exc:
                raise Conflict(f"The opening was stopped: {exc} Nothing was published.") from exc
            p.initial_price_offer, p.offer_nonce = value, nonce
            offers[p.pk] = value
        ranks = rules.dense_rank(offers, auction.direction)
        qualified = rules.qualified_bidders(offers, auction.direction, params)
        for p in tqb:
            p.rank = ranks[p.pk]
            p.qualified = p.pk in qualified
            p.save(update_fields=["initial_price_offer", "offer_nonce", "rank", "qualified"])
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
        )
        notification_send(
            users=members_of([p.firm_id for p in tqb if p.qualified]),
            title=f"You qualified for the e-auction of {auction.block.code}",
            body=(
                f"The e-auction of {auction.block.name} starts at "
                f"{timezone.localtime(auction.starts_at):%d %b %Y %H:%M} IST from a "
                f"{words(auction.direction)['floor']} of {auction.floor_price}%."
            ),
            url=f"/auctions/{auction.pk}/room/",
        )
    return auction
