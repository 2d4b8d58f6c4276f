"""From the bid due date to the opening: bidding closed (the commitments published, affiliates flagged), the technical
evaluation and the rejection of affiliates. The opening itself, done by a worker, is auctions.services.opening."""

from django.db import transaction

from auctions import lifecycle
from auctions.models import Auction, Origin, Participation
from auctions.services.annulment import annul
from auctions.services.guards import historic_refusal, locked_auction, now, require_regulator
from auctions.services.opening import UNDER_WAY, opening_after_evaluation
from bidders.selectors import affiliated_pairs
from core.errors import ApplicationError, Conflict, NotFound

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
        if auction.opening_status in UNDER_WAY:
            raise Conflict(
                f"The opening of the initial offers of {auction.block.code} is under way: the technical evaluation "
                "is closed and verdicts can no longer change."
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
        opening_after_evaluation(auction)
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
