"""The pages of an exploration-licence auction speak its direction: the tranche builder lets the regulator choose
the kind; the participation page, the desk, the live room, the public pages and the results say "ceiling", "cap",
"lowest" and "share of the future auction premium", never "highest" or "the value of mineral despatched"."""

import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from auctions.models import Tranche
from auctions.rules import AuctionParams
from auctions.tasks import auction_open as auction_open_task
from bidders.models import Membership
from core.money import CRORE
from tests.factories import MembershipFactory, UserFactory
from tests.factories.auction_flow import SCHEDULE, T0, close_and_evaluate, make_block, submit_bids
from tests.factories.el_auction import el_auction, el_bidder, el_block, el_offers, el_opened, el_settle

pytestmark = pytest.mark.django_db

SALE = SCHEDULE["document_sale_starts_at"] + timedelta(hours=1)
ASCENDING_WORDS = ("highest", "value of mineral despatched", "reserve price", "floor price", "smallest valid")


def text(response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def visit(user, url, *, at, data=None):
    client = Client()
    with time_machine.travel(at, tick=False):
        if user is not None:
            client.force_login(user)
        return client.get(url) if data is None else client.post(url, data)


def none_of_the_ascending_words_in(page_text: str):
    found = [w for w in ASCENDING_WORDS if w in page_text.lower()]
    assert not found, f"{found} on an EL page"


@pytest.fixture
def firms():
    return [el_bidder(name) for name in ("Asha", "Bharat", "Chitra")]


@pytest.fixture
def opened(regulator, firms):
    return el_opened(regulator, dict(zip(firms, ("10.00", "11.00", "12.00"), strict=True)))


# --- The tranche builder ----------------------------------------------------------------------------------------


@pytest.fixture
def registry():
    el_block("RJ-AU-01")  # gold, G3, ceiling 30%: an EL block of a State
    el_block("RJ-AU-02", ceiling="24.99")  # listed, but its ceiling is refused
    el_block("RJ-AU-03", stage="G2")  # gold at G2: not for an EL
    make_block(code="CG-LI-01", lon=82.0)  # lithium, G3, reserve 10%: a central lease block


@pytest.fixture
def viewer(firm_user):
    firm = firm_user.memberships.get().firm
    return MembershipFactory(user=UserFactory(username="vera"), firm=firm, role=Membership.Role.VIEWER).user


@pytest.mark.parametrize("who", ["anonymous", "plain", "firm admin", "viewer", "other firm", "regulator"])
def test_the_exploration_tranche_builder_is_for_regulators_only(
    who, regulator, firm_user, other_firm_user, plain_user, viewer, registry
):
    user = {
        "anonymous": None,
        "plain": plain_user,
        "firm admin": firm_user,
        "viewer": viewer,
        "other firm": other_firm_user,
        "regulator": regulator,
    }[who]
    page = visit(user, reverse("flow:tranche_create") + "?kind=exploration", at=T0)
    if who == "anonymous":
        assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    elif who == "regulator":
        assert page.status_code == 200
    else:
        assert page.status_code == 403 and "Regulators only" in text(page)
        assert "RJ-AU-01" not in page.content.decode()


def test_the_builder_offers_each_kind_its_own_blocks(regulator, registry):
    lease = visit(regulator, reverse("flow:tranche_create"), at=T0)
    body = lease.content.decode()
    assert 'value="CG-LI-01"' in body and "RJ-AU-01" not in body  # gold is a State's block
    assert 'name="kind" value="lease"' in body
    assert "?kind=exploration" in body  # the link that chooses exploration licences

    exploration = visit(regulator, reverse("flow:tranche_create") + "?kind=exploration", at=T0)
    body = exploration.content.decode()
    assert 'name="kind" value="exploration"' in body
    assert 'value="RJ-AU-01"' in body and 'value="RJ-AU-02"' in body
    assert "RJ-AU-03" not in body  # G2: not for an exploration licence
    assert 'value="CG-LI-01"' in body  # lithium at G3 is a Seventh Schedule mineral too
    assert "ceiling 30.00%" in text(exploration)
    assert 'name="net_worth_threshold" value="250000000"' in body  # Rs 25 crore pre-filled
    assert "lowest final offer wins" in text(exploration)


def form_data(**overrides):
    data = {
        "kind": "exploration",
        "name": "EL Tranche I",
        "tender_fee": "100000",
        "net_worth_threshold": "250000000",
        "blocks": ["RJ-AU-01"],
        "document_sale_starts_at": "2027-01-05T10:00",
        "document_sale_ends_at": "2027-01-24T17:00",
        "bid_due_at": "2027-02-03T17:00",
        "technical_evaluation_at": "2027-02-13T10:00",
        "opening_at": "2027-02-18T10:00",
        "e_auction_starts_at": "2027-02-23T10:00",
    }
    data.update({f"param_{k}": v for k, v in AuctionParams().as_json().items()})
    data.update(overrides)
    return data


def test_a_regulator_builds_an_exploration_tranche_through_the_page(regulator, registry):
    created = visit(regulator, reverse("flow:tranche_create"), at=T0, data=form_data())
    tranche = Tranche.objects.get()
    assert created.status_code == 302 and tranche.kind == Tranche.Kind.EXPLORATION
    page = visit(regulator, created["Location"], at=T0)
    assert "Exploration licences (descending reverse auction)" in text(page)
    listing = visit(regulator, reverse("flow:tranche_list"), at=T0)
    assert "Exploration licences" in text(listing)


def test_a_ceiling_below_25_percent_is_refused_next_to_the_blocks_and_the_kind_is_kept(regulator, registry):
    page = visit(regulator, reverse("flow:tranche_create"), at=T0, data=form_data(blocks=["RJ-AU-02"]))
    assert page.status_code == 400
    errors = re.findall(r'id="id_blocks_error"[^>]*>(.*?)</', page.content.decode(), re.S)
    assert any("may not set its ceiling below 25% of the future auction premium (RULES.md s.4)" in e for e in errors)
    assert 'name="kind" value="exploration"' in page.content.decode()
    assert not Tranche.objects.exists()


def test_a_threshold_below_25_crore_is_refused_next_to_the_field(regulator, registry):
    page = visit(regulator, reverse("flow:tranche_create"), at=T0, data=form_data(net_worth_threshold="100000000"))
    assert page.status_code == 400
    errors = re.findall(r'id="id_net_worth_threshold_error"[^>]*>(.*?)</', page.content.decode(), re.S)
    assert errors and "below Rs 25,00,00,000.00" in errors[0]


# --- The firm's and the regulator's pages ----------------------------------------------------------------------


def test_the_participation_page_speaks_of_the_ceiling_and_the_share_of_the_premium(regulator):
    auction = el_auction(regulator)
    asha = el_bidder("Asha")
    visit(asha, reverse("flow:buy_document", args=[auction.pk]), at=SALE, data={"payment_reference": "UTR-1"})
    page = visit(asha, reverse("flow:participation", args=[auction.pk]), at=SALE)
    shown = text(page)
    assert "Ceiling 30.00% share of the future auction premium" in shown
    assert "The ceiling is 30.00%: your offer must be at most that" in shown
    assert "Sealed initial price offer (% share of the future auction premium)" in shown
    assert "Who may bid An Indian national or a company registered in India" in shown
    none_of_the_ascending_words_in(shown)

    refused = visit(
        asha,
        reverse("flow:submit_bid", args=[auction.pk]),
        at=SALE,
        data={"net_worth": str(20 * CRORE), "bid_security_reference": "BG-1", "initial_price_offer": "20.00"},
    )
    assert refused.status_code == 400
    assert "the net worth declared is Rs 20,00,00,000.00" in text(refused)


def test_a_foreign_firm_is_refused_the_tender_document_on_the_page(regulator):
    auction = el_auction(regulator)
    foreign = el_bidder("Oversea", incorporated_in_india=False)
    page = visit(foreign, reverse("flow:buy_document", args=[auction.pk]), at=SALE, data={"payment_reference": "U"})
    assert page.status_code == 400
    assert "Only an Indian national or a company registered in India may bid" in text(page)


def test_opening_on_the_desk_announces_the_cap(regulator, firms):
    auction = el_auction(regulator)
    submit_bids(auction, dict(zip(firms, ("12.00", "10.00", "11.00"), strict=True)))
    close_and_evaluate(auction, regulator)
    client = Client()
    with time_machine.travel(auction.opening_at, tick=False):
        client.force_login(regulator)
        queued = client.post(reverse("flow:auction_open", args=[auction.pk]), follow=True)
        assert "The opening is queued" in text(queued)
        auction_open_task(auction.pk)  # the worker's task
        page = client.get(reverse("flow:auction_desk", args=[auction.pk]))
    # The cap: the lowest initial offer of the qualified bidders, 10.00%; each qualified bidder is told it.
    assert "Cap of the e-auction: 10.00%" in text(page)
    for firm_user in firms:
        assert firm_user.notifications.get().body.endswith("from a cap of 10.00%.")


def test_the_desk_ranks_lowest_first_and_shows_the_cap(regulator, opened):
    page = visit(regulator, reverse("flow:auction_desk", args=[opened.pk]), at=opened.starts_at)
    shown = text(page)
    assert "technically qualified bidders ranked lowest first" in shown
    assert "Cap of the e-auction: 10.00%" in shown
    assert "Ceiling 30.00% share of the future auction premium" in shown
    none_of_the_ascending_words_in(shown)


# --- The live room --------------------------------------------------------------------------------------------


def test_the_el_room_says_lowest_cap_and_the_largest_valid_offer(opened, firms):
    el_offers(opened, [(firms[1], "9.95"), (firms[0], "9.90")])
    page = visit(firms[0], f"/auctions/{opened.pk}/room/", at=opened.starts_at + timedelta(minutes=20))
    shown = text(page)
    assert "Current lowest offer 9.90%" in shown
    assert "Cap 10.00% · minimum decrement 0.05%" in shown
    assert "Your standing Lowest" in shown
    assert "Your final price offer, % share of the future auction premium" in shown
    assert "Your offer must be at most 9.85%." in shown  # 9.90 - 0.05
    none_of_the_ascending_words_in(shown)
    body = page.content.decode()  # the words the room's script redraws with
    assert 'data-text-best="Lowest"' in body and 'data-text-outbid="Undercut"' in body
    assert 'data-text-next-valid="Your offer must be at most"' in body
    assert 'data-text-unit="share of the future auction premium"' in body

    undercut = visit(firms[1], f"/auctions/{opened.pk}/room/", at=opened.starts_at + timedelta(minutes=20))
    assert "Your standing Undercut" in text(undercut)


def test_the_regulators_monitor_marks_the_lowest_bidder(regulator, opened, firms):
    el_offers(opened, [(firms[1], "9.95"), (firms[0], "9.90")])
    page = visit(regulator, f"/auctions/{opened.pk}/room/", at=opened.starts_at + timedelta(minutes=20))
    row = re.search(r"<tr><td>Asha Exploration Ltd</td>.*?</tr>", page.content.decode(), re.S).group(0)
    assert "Lowest" in row


def test_after_the_close_the_room_and_the_public_pages_declare_the_lowest_offer(client, opened, firms):
    settled = el_settle(el_offers(opened, [(firms[1], "9.95"), (firms[0], "9.90"), (firms[1], "9.40")]))
    after = settled.closes_at + timedelta(minutes=1)
    room = text(visit(None, f"/auctions/{settled.pk}/room/", at=after))
    assert "Winning final price offer: 9.40% share of the future auction premium." in room
    none_of_the_ascending_words_in(room)

    detail = text(visit(None, reverse("public_auctions:auction_detail", args=[settled.pk]), at=after))
    assert "Winning final price offer, the lowest: 9.40% share of the future auction premium." in detail
    assert "Ceiling 30.00% share of the future auction premium; initial offers are at most this" in detail
    assert "ranked lowest first" in detail and "Cap of the e-auction" in detail
    assert "Descending reverse auction: lowest offer wins" in detail
    none_of_the_ascending_words_in(detail)

    results = text(visit(None, reverse("public_auctions:results"), at=after))
    assert "9.40% share of the future auction premium (lowest wins)" in results

    tranche = text(visit(None, reverse("public_auctions:tranche_detail", args=[settled.tranche_id]), at=after))
    assert "Exploration licences, by the State's descending reverse auction" in tranche
    assert "Minimum decrement 0.05 percentage points" in tranche
    assert "at least Rs 25.00 crore; bidders must be Indian nationals or companies registered in India" in tranche

    listing = text(visit(None, reverse("public_auctions:tranche_list"), at=after))
    assert "Exploration licences (lowest offer wins)" in listing
