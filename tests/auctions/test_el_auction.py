"""The State's exploration-licence auction (RULES.md s.4), through the services, from the notice to the settlement:
the central auction's machinery with the direction descending. Blocks, ceilings and bidders an EL tender refuses,
and the replay of a settled EL auction from its ledger."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from auctions import services as svc
from auctions.models import Auction, Participation, Tranche
from auctions.replay import SETTLED, replay
from auctions.selectors.public import public_auction, public_auction_get
from bidders.models import Firm
from blocks.models import Block
from core.errors import ApplicationError, Conflict
from core.money import CRORE
from ledger.models import Entry
from notifications.models import Notification
from tests.factories.auction_flow import SCHEDULE, T0, make_block, open_offers, submit_bids
from tests.factories.el_auction import (
    el_auction,
    el_bidder,
    el_block,
    el_offers,
    el_opened,
    el_settle,
    el_tranche,
)

pytestmark = pytest.mark.django_db

SALE = SCHEDULE["document_sale_starts_at"] + timedelta(hours=1)
NAMES = ("Asha", "Bharat", "Chitra", "Dev", "Esha", "Farhan", "Gita")
# Seven sealed initial offers, as shares of the future premium; the ceiling is 30.00%.
IPOS = ("10.00", "11.00", "12.00", "13.00", "14.00", "14.00", "15.00")


@pytest.fixture
def firms():
    return [el_bidder(name) for name in NAMES]


@pytest.fixture
def opened(regulator, firms):
    return el_opened(regulator, dict(zip(firms, IPOS, strict=True)))


def entries_of(auction) -> list[dict]:
    return [e.as_dict() for e in Entry.objects.filter(stream=auction.stream).order_by("seq")]


# --- The notice ------------------------------------------------------------------------------------------------


def test_notifying_an_exploration_tranche_creates_descending_el_auctions(regulator):
    auction = el_auction(regulator)
    assert auction.tranche.kind == Tranche.Kind.EXPLORATION
    assert (auction.lease_kind, auction.direction) == ("EL", "descending")
    assert auction.reserve_price_pct == Decimal("30.00")  # the block's reserve price is the EL ceiling
    assert auction.net_worth_threshold == 25 * CRORE  # no threshold given: the EL minimum of Rs 25 crore
    notice = Entry.objects.get(stream=auction.stream, kind="notified").payload
    assert (notice["lease_kind"], notice["direction"], notice["reserve_price_pct"]) == ("EL", "descending", "30.00")
    assert Block.objects.get(code="RJ-AU-01").status == Block.Status.NOTIFIED


def test_a_lease_tranche_is_still_ascending_by_default(regulator):
    make_block()
    with time_machine.travel(T0, tick=False):
        tranche = svc.tranche_create(actor=regulator, name="Tranche X", blocks=["CG-LI-01"], **SCHEDULE)
        svc.tranche_notify(actor=regulator, tranche_id=tranche.pk)
    auction = Auction.objects.get(tranche=tranche)
    assert tranche.kind == Tranche.Kind.LEASE
    assert (auction.lease_kind, auction.direction) == ("CL", "ascending")


def test_the_state_auctions_els_of_any_authority(regulator):
    el_block("RJ-AU-01")  # gold: a State's block
    el_block("CG-LI-04", minerals=("lithium",), stage="G4", state="Chhattisgarh")  # lithium: a Part D block
    tranche = el_tranche(regulator, ["RJ-AU-01", "CG-LI-04"])
    assert sorted(tranche.blocks.values_list("auction_authority", flat=True)) == ["central", "state"]


@pytest.mark.parametrize(
    "block, says",
    [
        ({"minerals": ("limestone",)}, "holds Limestone, which is not a Seventh Schedule mineral"),
        ({"minerals": ("gold", "limestone")}, "holds Limestone, which is not a Seventh Schedule mineral"),
        ({"stage": "G2"}, "is explored to G2; an exploration licence is auctioned at reconnaissance (G4)"),
        # A square of 0.32 degrees at 24°N: about 35.5 km x 32.5 km, some 1,150 km²: over 1,000 km².
        ({"size": 0.32}, "an exploration licence covers at most 1,000 km²"),
        ({"ceiling": "24.99"}, "The ceiling of 24.99% is below 25%"),
        ({"ceiling": "100.50"}, "The ceiling of 100.50% is more than the whole premium"),
    ],
)
def test_a_block_an_exploration_tranche_may_not_take_is_refused(regulator, block, says):
    el_block("RJ-XX-01", **block)
    with pytest.raises(ApplicationError, match="Block RJ-XX-01") as refused:
        el_tranche(regulator, ["RJ-XX-01"])
    assert says in refused.value.message
    assert says in refused.value.fields["blocks"][0]
    assert not Tranche.objects.exists()


def test_a_ceiling_below_25_percent_cites_the_rules(regulator):
    el_block("RJ-AU-02", ceiling="24.99")
    with pytest.raises(ApplicationError) as refused:
        el_tranche(regulator, ["RJ-AU-02"])
    assert "may not set its ceiling below 25% of the future auction premium (RULES.md s.4)" in refused.value.message


def test_an_oversized_block_is_refused_with_its_area(regulator):
    block = el_block("RJ-BIG-01", size=0.32)
    assert block.area_hectares > 1000 * 100  # 1,000 km² = 1,00,000 ha
    with pytest.raises(ApplicationError) as refused:
        el_tranche(regulator, ["RJ-BIG-01"])
    assert f"covers {block.area_hectares / 100:,.2f} km²" in refused.value.message


def test_an_exploration_tranche_asks_a_net_worth_of_at_least_25_crore(regulator):
    el_block("RJ-AU-01")
    with pytest.raises(ApplicationError) as refused:
        el_tranche(regulator, ["RJ-AU-01"], net_worth_threshold=str(Decimal("24.99") * CRORE))
    assert "below Rs 25,00,00,000.00, the least an exploration-licence bidder must have" in refused.value.message
    assert "net_worth_threshold" in refused.value.fields
    tranche = el_tranche(regulator, ["RJ-AU-01"], net_worth_threshold=str(40 * CRORE))
    assert tranche.net_worth_threshold == 40 * CRORE


def test_an_unknown_tranche_kind_is_refused(regulator):
    el_block("RJ-AU-01")
    with pytest.raises(ApplicationError, match="A tranche auctions lease or exploration; got 'reverse'"):
        svc.tranche_create(actor=regulator, kind="reverse", name="T", blocks=["RJ-AU-01"], **SCHEDULE)


# --- Who may bid --------------------------------------------------------------------------------------------


def test_a_firm_not_registered_in_india_cannot_buy_the_tender_document(regulator):
    auction = el_auction(regulator)
    foreign = el_bidder("Oversea", incorporated_in_india=False)
    with time_machine.travel(SALE, tick=False), pytest.raises(ApplicationError) as refused:
        svc.participation_buy_document(actor=foreign, auction_id=auction.pk, payment_reference="UTR-1")
    assert refused.value.code == "not_eligible"
    assert refused.value.message == (
        "Oversea Exploration Ltd cannot buy the tender document of the exploration-licence auction of RJ-AU-01. "
        "Only an Indian national or a company registered in India may bid for an exploration licence (RULES.md s.4)."
    )
    assert not Participation.objects.exists()


def test_a_firm_whose_recorded_net_worth_is_below_25_crore_cannot_buy_the_tender_document(regulator):
    auction = el_auction(regulator)
    small = el_bidder("Small", net_worth=Decimal("24.5") * CRORE)
    with time_machine.travel(SALE, tick=False), pytest.raises(ApplicationError) as refused:
        svc.participation_buy_document(actor=small, auction_id=auction.pk, payment_reference="UTR-1")
    assert "needs a net worth of at least Rs 25,00,00,000.00 (RULES.md s.4)" in refused.value.message
    assert "the net worth on Small Exploration Ltd's record (as of 31 Mar 2026) is Rs 24,50,00,000.00" in (
        refused.value.message
    )
    assert not Participation.objects.exists()


def test_a_firm_of_exactly_25_crore_may_bid(regulator):
    auction = el_auction(regulator)
    exact = el_bidder("Exact", net_worth=25 * CRORE)
    with time_machine.travel(SALE, tick=False):
        svc.participation_buy_document(actor=exact, auction_id=auction.pk, payment_reference="UTR-1")
        svc.participation_submit(
            actor=exact,
            auction_id=auction.pk,
            initial_price_offer="30.00",  # at the ceiling: allowed
            net_worth=str(25 * CRORE),
            bid_security_reference="BG-1",
        )
    assert Participation.objects.get().status == Participation.Status.SUBMITTED


def test_a_bid_declaring_a_net_worth_below_25_crore_is_refused_next_to_the_field(regulator):
    auction = el_auction(regulator)
    firm = el_bidder("Asha")
    with time_machine.travel(SALE, tick=False):
        svc.participation_buy_document(actor=firm, auction_id=auction.pk, payment_reference="UTR-1")
        with pytest.raises(ApplicationError) as refused:
            svc.participation_submit(
                actor=firm,
                auction_id=auction.pk,
                initial_price_offer="20.00",
                net_worth="200000000",  # Rs 20 crore
                bid_security_reference="BG-1",
            )
    assert refused.value.code == "not_eligible"
    assert "the net worth declared is Rs 20,00,00,000.00" in refused.value.fields["net_worth"][0]
    assert Participation.objects.get().status == Participation.Status.DOCUMENT_BOUGHT


def test_a_firm_whose_record_changed_after_buying_the_document_cannot_submit(regulator):
    auction = el_auction(regulator)
    firm = el_bidder("Asha")
    with time_machine.travel(SALE, tick=False):
        svc.participation_buy_document(actor=firm, auction_id=auction.pk, payment_reference="UTR-1")
        Firm.objects.filter(memberships__user=firm).update(incorporated_in_india=False)
        firm = type(firm).objects.get(pk=firm.pk)  # the next request reads the firm's record afresh
        with pytest.raises(ApplicationError, match="Only an Indian national or a company registered in India"):
            svc.participation_submit(
                actor=firm,
                auction_id=auction.pk,
                initial_price_offer="20.00",
                net_worth=str(50 * CRORE),
                bid_security_reference="BG-1",
            )


def test_an_initial_offer_above_the_ceiling_is_refused(regulator):
    auction = el_auction(regulator)
    firm = el_bidder("Asha")
    with time_machine.travel(SALE, tick=False):
        svc.participation_buy_document(actor=firm, auction_id=auction.pk, payment_reference="UTR-1")
        with pytest.raises(ApplicationError) as refused:
            svc.participation_submit(
                actor=firm,
                auction_id=auction.pk,
                initial_price_offer="30.01",
                net_worth=str(50 * CRORE),
                bid_security_reference="BG-1",
            )
    assert refused.value.message == "Your initial price offer of 30.01% is above the ceiling of 30.00%."
    assert "initial_price_offer" in refused.value.fields


# --- The opening: lowest first, the same qualification rule, the cap -------------------------------------------


def test_the_opening_ranks_lowest_first_qualifies_ties_at_the_cut_and_sets_the_cap(opened, firms):
    # 7 TQB: ceil(7 x 50%) = 4 ranks or the top 5, whichever is higher: 5 ranks qualify. Lowest first, the two
    # offers of 14.00% share rank 5 and both qualify; 15.00% is rank 6 and does not.
    rows = {p.firm.legal_name.split()[0]: p for p in opened.participations.select_related("firm")}
    assert {n: rows[n].rank for n in NAMES} == {
        "Asha": 1, "Bharat": 2, "Chitra": 3, "Dev": 4, "Esha": 5, "Farhan": 5, "Gita": 6
    }  # fmt: skip
    assert sorted(n for n in NAMES if rows[n].qualified) == ["Asha", "Bharat", "Chitra", "Dev", "Esha", "Farhan"]
    assert opened.floor_price == Decimal("10.00")  # the cap: the lowest IPO of the qualified
    notice = Notification.objects.filter(user=firms[0]).latest("created_at")
    assert "from a cap of 10.00%" in notice.body


# --- The e-auction: below the current lowest by the decrement; the lowest wins ----------------------------------


def test_a_first_offer_must_go_below_the_cap_by_the_decrement(opened, firms):
    at = opened.starts_at + timedelta(minutes=1)
    with time_machine.travel(at, tick=False), pytest.raises(ApplicationError) as refused:
        svc.offer_place(actor=firms[1], auction_id=opened.pk, value="9.96")
    # cap 10.00% - decrement 0.05 = 9.95%
    assert refused.value.message == (
        "Your offer of 9.96% must be below the cap 10.00% by at least 0.05%: the largest valid offer is 9.95%."
    )
    assert not opened.offers.exists()


def test_an_offer_above_the_current_lowest_less_the_decrement_is_refused_naming_the_largest_valid(opened, firms):
    el_offers(opened, [(firms[1], "9.95"), (firms[0], "9.90")])
    with time_machine.travel(opened.starts_at + timedelta(minutes=10), tick=False):
        for value in ("9.88", "9.90", "12.00"):
            with pytest.raises(ApplicationError) as refused:
                svc.offer_place(actor=firms[2], auction_id=opened.pk, value=value)
            # the current lowest 9.90% - 0.05 = 9.85%
            assert refused.value.message == (
                f"Your offer of {value}% must be below the current lowest offer 9.90% by at least 0.05%: the "
                "largest valid offer is 9.85%."
            )
            assert refused.value.fields == {"value": [refused.value.message]}
            assert refused.value.code == "offer_too_high"
        svc.offer_place(actor=firms[2], auction_id=opened.pk, value="9.85")
    opened.refresh_from_db()
    assert (opened.offer_count, opened.best_offer) == (3, Decimal("9.85"))


def test_a_bidder_who_did_not_qualify_cannot_offer(opened, firms):
    at = opened.starts_at + timedelta(minutes=1)
    with time_machine.travel(at, tick=False), pytest.raises(ApplicationError, match="not a qualified bidder"):
        svc.offer_place(actor=firms[6], auction_id=opened.pk, value="5.00")  # Gita, rank 6


def test_the_lowest_final_offer_wins_at_the_close(opened, firms):
    asha, bharat, chitra = firms[:3]
    el_offers(opened, [(bharat, "9.95"), (asha, "9.90"), (chitra, "9.50"), (bharat, "9.40")])
    settled = el_settle(opened)
    assert settled.status == Auction.Status.SETTLED
    assert settled.best_offer == Decimal("9.40")  # the lowest of 9.95, 9.90, 9.50, 9.40
    assert settled.best_participation.firm.legal_name == "Bharat Exploration Ltd"
    assert Block.objects.get(pk=settled.block_id).status == Block.Status.AUCTIONED
    closed = Entry.objects.get(stream=settled.stream, kind="closed").payload
    assert (closed["preferred_bidder"], closed["winning_offer"]) == ("Bharat Exploration Ltd", "9.40")
    notice = Notification.objects.filter(user=asha, title__contains="closed").get()
    assert notice.body == "The winning final price offer is 9.40% share of the future auction premium."
    with time_machine.travel(settled.closes_at + timedelta(minutes=1), tick=False):
        result = public_auction(public_auction_get(auction_id=settled.pk))["result"]
    assert result["preferred_bidder"]["name"] == "Bharat Exploration Ltd"
    assert result["winning_offer"] == Decimal("9.40")
    assert [o["value"] for o in result["offers"]] == [Decimal(v) for v in ("9.95", "9.90", "9.50", "9.40")]


def test_an_el_auction_without_a_final_offer_is_annulled(opened):
    settled = el_settle(opened)
    assert (settled.status, settled.annulment_reason) == (Auction.Status.ANNULLED, "no final offer")


def test_too_few_bidders_annul_the_first_attempt_and_the_second_attempt_stays_descending(regulator, firms):
    auction = el_auction(regulator)
    submit_bids(auction, {firms[0]: "20.00", firms[1]: "21.00"})
    with time_machine.travel(auction.bid_due_at + timedelta(seconds=1), tick=False):
        svc.auctions_sweep()
        for p in auction.participations.all():
            svc.participation_evaluate(actor=regulator, participation_id=p.pk, qualified=True)
    with time_machine.travel(auction.opening_at, tick=False):
        open_offers(regulator, auction.pk)
        second = svc.auction_renotify(actor=regulator, auction_id=auction.pk)
    auction.refresh_from_db()
    assert auction.annulment_reason == "fewer than 3 TQB"
    assert (second.attempt, second.lease_kind, second.direction) == (2, "EL", "descending")
    assert second.reserve_price_pct == Decimal("30.00")


def test_an_el_bid_after_the_due_date_is_refused(regulator, firms):
    auction = el_auction(regulator)
    with time_machine.travel(SALE, tick=False):
        svc.participation_buy_document(actor=firms[0], auction_id=auction.pk, payment_reference="UTR-1")
    late = auction.bid_due_at + timedelta(seconds=1)
    with time_machine.travel(late, tick=False), pytest.raises(Conflict, match="Bids for RJ-AU-01 closed"):
        svc.participation_submit(
            actor=firms[0],
            auction_id=auction.pk,
            initial_price_offer="20",
            net_worth=str(50 * CRORE),
            bid_security_reference="BG",
        )


# --- Replay ------------------------------------------------------------------------------------------------------


@pytest.fixture
def settled(opened, firms):
    asha, bharat, chitra = firms[:3]
    el_offers(opened, [(bharat, "9.95"), (asha, "9.90"), (chitra, "9.50"), (bharat, "9.40")])
    return el_settle(opened)


def test_a_settled_el_auction_replays_and_agrees(settled):
    result = replay(settled.pk, entries_of(settled))
    assert result.outcome == SETTLED
    assert result.disagreements == []
    checks = {c.name: c for c in result.checks}
    assert checks["floor price"].recomputed == "10.00%"  # the cap: the lowest IPO of the qualified
    assert checks["winning offer"].recomputed == "9.40%"
    assert checks["preferred bidder"].recomputed.startswith("Bharat Exploration Ltd")
    assert "not above the ceiling of 30.00%" in checks["initial price offer of Asha Exploration Ltd"].recomputed
    assert "beats the current lowest" not in checks["offer 2"].recomputed
    assert checks["offer 2"].recomputed.startswith("valid: beats the lowest offer 9.95% by at least the decrement")
    assert checks["net-worth threshold"].agrees


def test_a_ledger_that_names_the_highest_final_offer_the_winner_disagrees(settled):
    """A forged close that declares the highest offer (as an ascending auction would) is caught: the replay,
    ranking lowest first, recomputes 9.40% and its bidder."""
    entries = entries_of(settled)
    closed = next(e for e in entries if e["kind"] == "closed")
    closed["payload"]["winning_offer"] = "9.95"
    closed["payload"]["preferred_bidder"] = "Bharat Exploration Ltd"
    result = replay(settled.pk, entries)
    winning = next(c for c in result.checks if c.name == "winning offer")
    assert (winning.published, winning.recomputed, winning.agrees) == ("9.95%", "9.40%", False)


def test_a_forged_opening_ranking_highest_first_disagrees(settled):
    entries = entries_of(settled)
    opening = next(e for e in entries if e["kind"] == "opened")
    for item in opening["payload"]["technically_qualified"]:  # rank 1 for the highest offer instead
        item["rank"] = {"15.00": 1, "14.00": 2, "13.00": 3, "12.00": 4, "11.00": 5, "10.00": 6}[
            item["initial_price_offer"]
        ]
    result = replay(settled.pk, entries)
    assert "ranking" in [c.name for c in result.disagreements]
