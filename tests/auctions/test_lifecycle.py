"""The status tables of a tranche, an auction and a technical bid (auctions.lifecycle): which moves are allowed,
what a refused move says, that a move is made once and ledgered once, and that a block is never in two live
auctions at once."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction

from auctions import lifecycle
from auctions import services as svc
from auctions.models import Auction, Participation, Tranche
from blocks.models import Block
from core.errors import Conflict
from ledger.models import Entry
from tests.factories.auction_flow import SCHEDULE, T0, make_block
from tests.factories.public_auctions import moment, notified, staged, three_firms

N, E, OP, S, X = "notified", "evaluation", "opened", "settled", "annulled"
PENDING, QUALIFIED, DISQUALIFIED = "pending", "qualified", "disqualified"


@pytest.mark.parametrize(
    ("status", "to", "allowed"),
    [
        (N, E, True),  # the bid due date
        (E, OP, True),  # the opening
        (E, X, True),  # no bid, or too few technically qualified bidders
        (OP, S, True),  # the preferred bidder declared
        (OP, X, True),  # no final offer
        (N, N, True),  # already there: nothing to do
        (S, S, True),
        (N, OP, False),  # opened before bidding closed
        (N, S, False),
        (N, X, False),  # no service annuls an auction still taking bids
        (E, S, False),
        (OP, E, False),  # bids are never reopened
        (S, X, False),  # settled and annulled are final
        (X, N, False),  # a second attempt is a new auction, never the annulled one revived
        (X, OP, False),
    ],
)
def test_the_auction_table(status, to, allowed):
    assert (lifecycle.auction_move_error(status, to) is None) is allowed


@pytest.mark.parametrize(
    ("status", "to", "allowed"),
    [
        (PENDING, QUALIFIED, True),
        (PENDING, DISQUALIFIED, True),
        (QUALIFIED, DISQUALIFIED, True),  # a re-evaluation before the opening
        (DISQUALIFIED, QUALIFIED, True),
        (QUALIFIED, QUALIFIED, True),  # the same verdict again: nothing to do
        (QUALIFIED, PENDING, False),  # a verdict is never taken back to pending
        (DISQUALIFIED, PENDING, False),
    ],
)
def test_the_technical_evaluation_table(status, to, allowed):
    assert (lifecycle.evaluation_move_error(status, to) is None) is allowed


@pytest.mark.parametrize(("status", "to", "allowed"), [("draft", N, True), (N, N, True), (N, "draft", False)])
def test_the_tranche_table(status, to, allowed):
    assert (lifecycle.tranche_move_error(status, to) is None) is allowed


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (lifecycle.auction_move_error(S, X), "An auction that is settled: preferred bidder declared cannot change"),
        (lifecycle.auction_move_error(N, OP), "It can: close bidding at the bid due date (bids closed"),
        (lifecycle.evaluation_move_error(QUALIFIED, PENDING), "It can: disqualify it on re-evaluation"),
        (lifecycle.tranche_move_error(N, "draft"), "A tranche that is notified cannot change status."),
    ],
)
def test_a_refused_move_says_what_can_be_done(error, words):
    assert words in error


def entries(auction, kind=None) -> list:
    rows = Entry.objects.filter(stream=auction.stream).order_by("seq")
    return list(rows.filter(kind=kind) if kind else rows)


@pytest.mark.django_db
def test_an_auction_move_is_made_once_and_ledgered_once(regulator):
    auction = notified(regulator)
    with transaction.atomic():
        first = lifecycle.auction_move(auction=auction, to=E, payload={"bid_count": 0, "commitments": []})
    with transaction.atomic():
        again = lifecycle.auction_move(auction=auction, to=E, payload={"bid_count": 9, "commitments": []})
    assert (first, again) == (True, False)
    assert [e.payload["bid_count"] for e in entries(auction, "bids_closed")] == [0]
    auction.refresh_from_db()
    assert auction.status == E


@pytest.mark.django_db
def test_a_refused_auction_move_changes_nothing_and_writes_nothing(regulator):
    auction = notified(regulator)
    before = len(entries(auction))
    with pytest.raises(Conflict, match="cannot become settled"), transaction.atomic():
        lifecycle.auction_move(auction=auction, to=S, payload={})
    auction.refresh_from_db()
    assert auction.status == N and len(entries(auction)) == before


@pytest.mark.django_db
def test_the_sweeper_closes_bidding_once(regulator):
    auction = staged(regulator, three_firms(), "bidding")
    with time_machine.travel(moment(auction, "due"), tick=False):
        assert svc.auction_close_bidding(auction_id=auction.pk) is True
        assert svc.auction_close_bidding(auction_id=auction.pk) is False
        assert svc.auctions_sweep() == {"bidding_closed": [], "opening": {}, "opening_resent": [], "settled": []}
    assert len(entries(auction, "bids_closed")) == 1


@pytest.mark.django_db
def test_settling_twice_declares_once(regulator):
    auction = staged(regulator, three_firms(), "closed")
    with time_machine.travel(moment(auction, "settled"), tick=False):
        assert svc.auction_settle(auction_id=auction.pk) is True
        assert svc.auction_settle(auction_id=auction.pk) is False
    assert len(entries(auction, "closed")) == 1
    assert Block.objects.get(pk=auction.block_id).status == Block.Status.AUCTIONED
    block_entries = Entry.objects.filter(stream=f"block:{auction.block_id}", kind="status")
    assert [e.payload["to"] for e in block_entries.order_by("seq")] == ["notified", "auctioned"]


@pytest.mark.django_db
def test_an_auction_without_final_offers_is_annulled_straight_from_opened(regulator):
    auction = staged(regulator, three_firms(), "opened")
    with time_machine.travel(auction.closes_at + timedelta(minutes=1), tick=False):
        assert svc.auction_settle(auction_id=auction.pk) is True
    auction.refresh_from_db()
    assert (auction.status, auction.annulment_reason) == (X, "no final offer")
    assert [e.kind for e in entries(auction)][-2:] == ["opened", "annulled"]
    assert Block.objects.get(pk=auction.block_id).status == Block.Status.ANNULLED


def evaluate(regulator, participation, qualified, reason=""):
    return svc.participation_evaluate(
        actor=regulator, participation_id=participation.pk, qualified=qualified, reason=reason
    )


@pytest.mark.django_db
def test_the_same_verdict_given_again_writes_nothing_and_a_changed_one_is_ledgered_once(regulator):
    auction = staged(regulator, three_firms(), "evaluation")
    asha = Participation.objects.get(auction=auction, firm__legal_name="Asha Ltd")
    with time_machine.travel(moment(auction, "evaluated"), tick=False):
        evaluate(regulator, asha, True)
        evaluate(regulator, asha, True)
        evaluate(regulator, asha, False, "Bid security not furnished")
        evaluate(regulator, asha, False, "Another reason, given again")
    verdicts = [(e.payload["technically_qualified"], e.payload["reason"]) for e in entries(auction, "evaluated")]
    assert verdicts == [(True, ""), (False, "Bid security not furnished")]
    asha.refresh_from_db()
    assert (asha.technically_qualified, asha.evaluation_reason) == (False, "Bid security not furnished")


@pytest.mark.django_db
def test_qualifying_a_bid_three_times_through_the_api_writes_one_entry(regulator, api_as):
    auction = staged(regulator, three_firms(), "evaluation")
    asha = Participation.objects.get(auction=auction, firm__legal_name="Asha Ltd")
    client = api_as(regulator)
    with time_machine.travel(moment(auction, "evaluated"), tick=False):
        answers = [
            client.post(f"/api/v1/bids/{asha.pk}/evaluation", {"qualified": True}, format="json") for _ in range(3)
        ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all(a.json()["technically_qualified"] is True for a in answers)
    assert len(entries(auction, "evaluated")) == 1


# --- A block is in one live auction at a time -----------------------------------------------------------------


def draft(regulator, name, codes):
    with time_machine.travel(T0, tick=False):
        return svc.tranche_create(
            actor=regulator, name=name, blocks=codes, tender_fee="300000", net_worth_threshold="1000000000", **SCHEDULE
        )


def notify(regulator, tranche):
    with time_machine.travel(T0, tick=False):
        return svc.tranche_notify(actor=regulator, tranche_id=tranche.pk)


@pytest.mark.django_db
def test_two_draft_tranches_may_list_a_block_but_only_the_first_notified_gets_it(regulator):
    make_block("CG-LI-01")
    make_block("CG-LI-02", lon=82.1)
    first = draft(regulator, "Tranche A", ["CG-LI-01"])
    second = draft(regulator, "Tranche B", ["CG-LI-01", "CG-LI-02"])
    notify(regulator, first)
    held = Auction.objects.get(tranche=first)

    with pytest.raises(Conflict) as refused:
        notify(regulator, second)

    assert refused.value.code == "block_in_auction"
    message = refused.value.message
    assert f"Block CG-LI-01 is already in the live auction of Tranche A (auction {held.pk}, attempt 1" in message
    assert "Remove it from Tranche B" in message and "Nothing was notified" in message
    second.refresh_from_db()
    assert second.status == Tranche.Status.DRAFT and second.notified_at is None
    assert list(Auction.objects.values_list("tranche__name", "block__code")) == [("Tranche A", "CG-LI-01")]
    assert Block.objects.get(code="CG-LI-02").status == Block.Status.IDENTIFIED
    assert Entry.objects.filter(stream=f"block:{Block.objects.get(code='CG-LI-02').pk}", kind="status").count() == 0


@pytest.mark.django_db
def test_notifying_a_second_tranche_on_a_held_block_is_a_409_through_the_api(regulator, api_as):
    make_block("CG-LI-01")
    first = draft(regulator, "Tranche A", ["CG-LI-01"])
    second = draft(regulator, "Tranche B", ["CG-LI-01"])
    notify(regulator, first)
    with time_machine.travel(T0, tick=False):
        response = api_as(regulator).post(f"/api/v1/tranches/{second.pk}/notify", format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "block_in_auction" and "live auction of Tranche A" in error["message"]
    assert Auction.objects.filter(tranche=second).count() == 0


@pytest.mark.django_db
def test_once_the_first_auction_is_annulled_the_other_draft_may_offer_the_block(regulator):
    make_block("CG-LI-01")
    first = draft(regulator, "Tranche A", ["CG-LI-01"])
    second = draft(regulator, "Tranche B", ["CG-LI-01"])
    notify(regulator, first)
    with time_machine.travel(SCHEDULE["bid_due_at"] + timedelta(seconds=1), tick=False):
        svc.auctions_sweep()  # no bid: annulled, the block is free again
    assert Block.objects.get(code="CG-LI-01").status == Block.Status.ANNULLED

    later = {k: v + timedelta(days=60) for k, v in SCHEDULE.items()}
    Tranche.objects.filter(pk=second.pk).update(**later)
    with time_machine.travel(T0 + timedelta(days=40), tick=False):
        svc.tranche_notify(actor=regulator, tranche_id=second.pk)
    assert Block.objects.get(code="CG-LI-01").status == Block.Status.NOTIFIED
    assert Auction.objects.filter(tranche=second, status=N).count() == 1


@pytest.mark.django_db
def test_a_second_attempt_is_refused_while_another_tranche_holds_the_block(regulator):
    make_block("CG-LI-01")
    first = draft(regulator, "Tranche A", ["CG-LI-01"])
    notify(regulator, first)
    with time_machine.travel(SCHEDULE["bid_due_at"] + timedelta(seconds=1), tick=False):
        svc.auctions_sweep()
    auction = Auction.objects.get(tranche=first)
    other = {k: v + timedelta(days=60) for k, v in SCHEDULE.items()}
    with time_machine.travel(T0 + timedelta(days=40), tick=False):
        elsewhere = svc.tranche_create(
            actor=regulator, name="Tranche C", blocks=["CG-LI-01"], net_worth_threshold="1000000000", **other
        )
        svc.tranche_notify(actor=regulator, tranche_id=elsewhere.pk)
        with pytest.raises(Conflict, match="already in the live auction of Tranche C"):
            svc.auction_renotify(actor=regulator, auction_id=auction.pk)
    assert not Auction.objects.filter(previous=auction).exists()
