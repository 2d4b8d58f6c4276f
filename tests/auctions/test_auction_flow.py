"""The central auction from the notice to the preferred bidder, through the services, with time moved."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from auctions import services as svc
from auctions.models import Auction, Participation
from blocks.models import Block
from core.errors import ApplicationError, Conflict, PermissionDenied
from ledger.models import Entry
from ledger.services import ledger_verify
from tests.factories.auction_flow import (
    SCHEDULE,
    T0,
    bidder,
    close_and_evaluate,
    notified_auction,
    open_offers,
    opened_auction,
    submit_bids,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms():
    return [bidder(n) for n in ("Asha", "Bharat", "Chitra", "Dev")]


def kinds(auction):
    return list(Entry.objects.filter(stream=auction.stream).order_by("seq").values_list("kind", flat=True))


def test_notifying_a_tranche_creates_one_auction_per_block_with_its_terms(regulator):
    auctions = notified_auction(regulator, codes=("CG-LI-01", "CG-LI-02"))
    assert [a.block.code for a in auctions] == ["CG-LI-01", "CG-LI-02"]
    first = auctions[0]
    assert first.attempt == 1 and first.status == Auction.Status.NOTIFIED
    assert first.bid_security == Decimal("5000000.00")  # 0.25% of VER 2,000,000,000
    assert first.bid_due_at == SCHEDULE["bid_due_at"]
    assert Block.objects.get(code="CG-LI-01").status == Block.Status.NOTIFIED
    assert kinds(first) == ["notified"]


def test_a_state_block_cannot_be_put_in_a_central_tranche(regulator):
    from blocks.services import block_create
    from tests.factories import square_boundary

    block_create(actor=None, code="OD-LS-01", name="Limestone", state="Odisha", minerals=["limestone"],
                 exploration_stage="G2", boundary=square_boundary(84, 20), reserve_price_pct="5")  # fmt: skip
    with pytest.raises(ApplicationError, match="its State auctions it"):
        svc.tranche_create(actor=regulator, name="T", blocks=["OD-LS-01"], **SCHEDULE)


def test_a_schedule_out_of_order_is_refused_naming_the_dates(regulator):
    bad = {**SCHEDULE, "bid_due_at": SCHEDULE["document_sale_starts_at"] - timedelta(days=1)}
    with pytest.raises(ApplicationError, match="The bid due date must come after the end of the tender-document"):
        svc.tranche_create(actor=regulator, name="T", blocks=["X"], **bad)


def test_only_regulators_notify(firms):
    with pytest.raises(PermissionDenied):
        svc.tranche_create(actor=firms[0], name="T", blocks=["X"], **SCHEDULE)


def test_a_bid_after_the_due_date_is_refused(regulator, firms):
    auction = notified_auction(regulator).get()
    with time_machine.travel(SCHEDULE["document_sale_starts_at"] + timedelta(hours=1), tick=False):
        svc.participation_buy_document(actor=firms[0], auction_id=auction.pk, payment_reference="UTR1")
    with time_machine.travel(SCHEDULE["bid_due_at"], tick=False), pytest.raises(Conflict, match="closed at"):
        svc.participation_submit(
            actor=firms[0],
            auction_id=auction.pk,
            initial_price_offer="12",
            net_worth="1e10",
            bid_security_reference="B",
        )


def test_an_offer_below_the_reserve_is_refused(regulator, firms):
    auction = notified_auction(regulator).get()
    with pytest.raises(ApplicationError, match="below the reserve price of 10.00%"):
        submit_bids(auction, {firms[0]: "9.99"})


def test_a_firm_gets_a_commitment_receipt_and_the_offer_is_stored_only_sealed(regulator, firms):
    auction = notified_auction(regulator).get()
    with time_machine.travel(SCHEDULE["document_sale_starts_at"] + timedelta(hours=1), tick=False):
        svc.participation_buy_document(actor=firms[0], auction_id=auction.pk, payment_reference="UTR1")
        participation, receipt = svc.participation_submit(
            actor=firms[0], auction_id=auction.pk, initial_price_offer="76.05", net_worth="1e10",
            bid_security_reference="BG1",
        )  # fmt: skip
    stored = Participation.objects.get(pk=participation.pk)
    assert stored.commitment == receipt and len(receipt) == 64
    assert stored.initial_price_offer is None
    assert "76.05" not in stored.sealed_offer


def test_too_few_technically_qualified_bidders_annuls_the_first_attempt_then_a_second_proceeds_with_one(
    regulator, firms
):
    auction = notified_auction(regulator).get()
    submit_bids(auction, {firms[0]: "12", firms[1]: "13", firms[2]: "14"})
    close_and_evaluate(auction, regulator, disqualify=[firms[2]])
    with time_machine.travel(SCHEDULE["opening_at"], tick=False):
        open_offers(regulator, auction.pk)
    auction.refresh_from_db()
    assert auction.status == Auction.Status.ANNULLED
    assert auction.annulment_reason == "fewer than 3 TQB"
    assert all(p.initial_price_offer is None for p in auction.participations.all())  # never opened

    with time_machine.travel(SCHEDULE["opening_at"] + timedelta(days=1), tick=False):
        second = svc.auction_renotify(actor=regulator, auction_id=auction.pk)
    assert second.attempt == 2 and second.previous_id == auction.pk
    assert second.reserve_price_pct == auction.reserve_price_pct
    submit_bids(second, {firms[3]: "11"})
    close_and_evaluate(second, regulator)
    with time_machine.travel(second.opening_at, tick=False):
        open_offers(regulator, second.pk)
    second.refresh_from_db()
    assert second.status == Auction.Status.OPENED and second.floor_price == Decimal("11.00")


def test_opening_before_evaluation_is_refused(regulator, firms):
    auction = notified_auction(regulator).get()
    submit_bids(auction, {firms[0]: "12", firms[1]: "13", firms[2]: "14"})
    with time_machine.travel(SCHEDULE["bid_due_at"] + timedelta(seconds=1), tick=False):
        svc.auctions_sweep()
        with pytest.raises(Conflict, match="Evaluate every technical bid"):
            svc.auction_open(actor=regulator, auction_id=auction.pk)


def test_opening_ranks_qualifies_and_sets_the_floor(regulator, firms):
    auction = opened_auction(regulator, {firms[0]: "12", firms[1]: "13.5", firms[2]: "13.5", firms[3]: "11"})
    ranks = {p.firm.legal_name: (p.initial_price_offer, p.rank, p.qualified) for p in auction.participations.all()}
    assert ranks == {
        "Asha Ltd": (Decimal("12.00"), 2, True),
        "Bharat Ltd": (Decimal("13.50"), 1, True),
        "Chitra Ltd": (Decimal("13.50"), 1, True),
        "Dev Ltd": (Decimal("11.00"), 3, True),
    }
    assert auction.floor_price == Decimal("13.50")
    assert auction.closes_at - auction.starts_at == timedelta(minutes=60)
    assert kinds(auction) == ["notified", "bids_closed"] + ["evaluated"] * 4 + ["opened"]


def test_the_e_auction_from_first_offer_to_preferred_bidder(regulator, firms):
    a, b, c = firms[:3]
    auction = opened_auction(regulator, {a: "12", b: "13", c: "14"})
    start = auction.starts_at
    with time_machine.travel(start - timedelta(seconds=1), tick=False), pytest.raises(Conflict, match="starts at"):
        svc.offer_place(actor=a, auction_id=auction.pk, value="14.05")
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        with pytest.raises(ApplicationError, match="smallest valid offer is 14.05%"):
            svc.offer_place(actor=a, auction_id=auction.pk, value="14.04")
        svc.offer_place(actor=a, auction_id=auction.pk, value="14.05")
        with pytest.raises(ApplicationError, match="current best offer 14.05%"):
            svc.offer_place(actor=b, auction_id=auction.pk, value="14.05")  # equal offers: first committed wins
        svc.offer_place(actor=b, auction_id=auction.pk, value="15")
    last_minute = auction.closes_at - timedelta(minutes=2)
    with time_machine.travel(last_minute, tick=False):
        svc.offer_place(actor=a, auction_id=auction.pk, value="15.50")
    auction.refresh_from_db()
    assert auction.closes_at == last_minute + timedelta(minutes=8)  # extended
    with time_machine.travel(auction.closes_at, tick=False):
        with pytest.raises(Conflict, match="arrived after the close"):
            svc.offer_place(actor=b, auction_id=auction.pk, value="20")
        assert svc.auctions_sweep()["settled"] == [auction.pk]
        assert svc.auctions_sweep()["settled"] == []  # idempotent
    auction.refresh_from_db()
    assert auction.status == Auction.Status.SETTLED
    assert auction.best_offer == Decimal("15.50") and auction.best_participation.firm.legal_name == "Asha Ltd"
    assert Block.objects.get(pk=auction.block_id).status == Block.Status.AUCTIONED
    assert kinds(auction)[-4:] == ["offer", "offer", "offer", "closed"]
    assert ledger_verify(stream=auction.stream).ok
    assert a.notifications.filter(title__contains="Asha Ltd is the preferred bidder").exists()


def test_no_final_offer_annuls(regulator, firms):
    auction = opened_auction(regulator, {firms[0]: "12", firms[1]: "13", firms[2]: "14"})
    with time_machine.travel(auction.closes_at, tick=False):
        svc.auctions_sweep()
    auction.refresh_from_db()
    assert auction.status == Auction.Status.ANNULLED and auction.annulment_reason == "no final offer"


def test_a_firm_that_did_not_qualify_cannot_offer(regulator, firms):
    extra = [bidder(f"Firm{i}") for i in range(4)]
    offers = {u: str(10 + i) for i, u in enumerate(firms + extra)}  # 8 TQB: the five best ranks qualify
    auction = opened_auction(regulator, offers)
    with time_machine.travel(auction.starts_at, tick=False), pytest.raises(PermissionDenied, match="not a qualified"):
        svc.offer_place(actor=firms[0], auction_id=auction.pk, value="30")


def test_affiliates_are_flagged_and_cannot_be_qualified(regulator, firms):
    from bidders.models import Affiliation

    a, b, c = firms[:3]
    Affiliation.objects.create(firm=a.memberships.get().firm, affiliate=b.memberships.get().firm, kind="subsidiary")
    auction = notified_auction(regulator).get()
    submit_bids(auction, {a: "12", b: "13", c: "14"})
    with time_machine.travel(SCHEDULE["bid_due_at"] + timedelta(seconds=1), tick=False):
        svc.auctions_sweep()
        flagged = auction.participations.exclude(affiliate_flag="")
        assert {p.firm.legal_name for p in flagged} == {"Asha Ltd", "Bharat Ltd"}
        with pytest.raises(ApplicationError, match="both bids are rejected"):
            svc.participation_evaluate(actor=regulator, participation_id=flagged[0].pk, qualified=True)
        assert svc.auction_reject_affiliates(actor=regulator, auction_id=auction.pk) == 2


def test_evaluation_by_a_firm_is_refused(regulator, firms):
    auction = notified_auction(regulator).get()
    submit_bids(auction, {firms[0]: "12"})
    with time_machine.travel(SCHEDULE["bid_due_at"] + timedelta(seconds=1), tick=False):
        svc.auctions_sweep()
        with pytest.raises(PermissionDenied):
            svc.participation_evaluate(actor=firms[0], participation_id=auction.participations.get().pk, qualified=True)


def test_no_bid_at_the_due_date_annuls(regulator):
    auction = notified_auction(regulator).get()
    with time_machine.travel(SCHEDULE["bid_due_at"], tick=False):
        svc.auctions_sweep()
    auction.refresh_from_db()
    assert auction.status == Auction.Status.ANNULLED and auction.annulment_reason == "no bid"


def test_the_tranche_notice_is_recorded_in_time(regulator):
    auction = notified_auction(regulator).get()
    assert auction.tranche.notified_at == T0
