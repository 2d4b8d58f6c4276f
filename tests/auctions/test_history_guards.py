"""A historic auction (imported from the published record) is never actionable: every write of the auction refuses it
with a clear error (409 `historic_auction`), through the services, the API and the pages, and nothing is written; the
public reads it like any other auction."""

import pytest

from auctions import services as svc
from auctions.models import Auction, Origin, Participation, Tranche
from auctions.services.history import historic_import
from core.errors import Conflict
from ledger.models import Entry
from tests.auctions.test_history_import import ROWS, last_word, register_blocks

pytestmark = pytest.mark.django_db

HISTORIC_REFUSAL = "is a historic record"


@pytest.fixture
def record():
    register_blocks()
    historic_import()
    return {
        "settled": Auction.objects.get(block__name="Katghora Lithium & REE Block"),
        "annulled": Auction.objects.get(tranche__name="Tranche 1", block__name="Kurunjakulam Graphite Block"),
        "undecided": Auction.objects.get(block__name="Kundol Nickel & Chromium Block"),
        "tranche": Tranche.objects.get(name="Tranche 1"),
    }


def refused(call) -> Conflict:
    entries = Entry.objects.count()
    with pytest.raises(Conflict) as caught:
        call()
    assert caught.value.code == "historic_auction" and HISTORIC_REFUSAL in caught.value.message
    assert Entry.objects.count() == entries  # nothing written
    return caught.value


def test_every_service_refuses_a_historic_auction(record, regulator, firm_user):
    settled, annulled, undecided = record["settled"], record["annulled"], record["undecided"]
    bid = {"initial_price_offer": "80", "net_worth": "2500000000", "bid_security_reference": "BG"}
    for auction in (settled, annulled, undecided):
        pk = auction.pk
        refused(lambda pk=pk: svc.participation_buy_document(actor=firm_user, auction_id=pk, payment_reference="UTR"))
        refused(lambda pk=pk: svc.participation_submit(actor=firm_user, auction_id=pk, **bid))
        refused(lambda pk=pk: svc.participation_withdraw(actor=firm_user, auction_id=pk))
        refused(lambda pk=pk: svc.auction_close_bidding(auction_id=pk))
        refused(lambda pk=pk: svc.auction_reject_affiliates(actor=regulator, auction_id=pk))
        refused(lambda pk=pk: svc.auction_open(actor=regulator, auction_id=pk))
        refused(lambda pk=pk: svc.auction_settle(auction_id=pk))
        refused(lambda pk=pk: svc.offer_place(actor=firm_user, auction_id=pk, value="90.00"))
    message = refused(lambda: svc.auction_renotify(actor=regulator, auction_id=annulled.pk)).message
    assert "Kurunjakulam" not in message and annulled.block.code in message and annulled.source_url in message
    refused(lambda: svc.tranche_notify(actor=regulator, tranche_id=record["tranche"].pk))
    assert undecided.status == Auction.Status.EVALUATION  # undecided: in its evaluation, yet never opened here
    refused(lambda: svc.tranche_open(actor=regulator, tranche_id=undecided.tranche_id))
    assert not Participation.objects.exists()
    assert set(Auction.objects.values_list("opening_status", flat=True)) == {""}  # no opening queued
    assert set(Auction.objects.values_list("origin", flat=True)) == {Origin.HISTORIC}


def test_the_sweeper_leaves_historic_auctions_alone(record):
    before = list(Auction.objects.values().order_by("pk"))
    assert svc.auctions_sweep() is not None
    assert list(Auction.objects.values().order_by("pk")) == before


ACTS = [
    ("firm", "post", "/api/v1/auctions/{auction}/document", {"payment_reference": "UTR-1"}),
    ("firm", "post", "/api/v1/auctions/{auction}/bid",
     {"initial_price_offer": "76.05", "net_worth": "2500000000", "bid_security_reference": "BG-1"}),
    ("firm", "delete", "/api/v1/auctions/{auction}/bid", None),
    ("firm", "post", "/api/v1/auctions/{auction}/offers", {"value": "90.00"}),
    ("regulator", "post", "/api/v1/auctions/{auction}/open", {}),
    ("regulator", "post", "/api/v1/auctions/{auction}/reject-affiliates", {}),
    ("regulator", "post", "/api/v1/auctions/{auction}/second-attempt", {}),
    ("regulator", "post", "/api/v1/tranches/{tranche}/notify", {}),
    ("regulator", "post", "/api/v1/tranches/{tranche}/open", {}),
]  # fmt: skip


@pytest.mark.parametrize(("who", "method", "template", "body"), ACTS, ids=[f"{m} {t}" for _, m, t, _ in ACTS])
def test_the_api_refuses_every_act_on_a_historic_auction_with_409(record, api_as, regulator, firm_user, who, method,
                                                                   template, body):  # fmt: skip
    auction = record["annulled"]
    user = regulator if who == "regulator" else firm_user
    url = template.format(auction=auction.pk, tranche=auction.tranche_id)
    response = getattr(api_as(user), method)(url, body, format="json")
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "historic_auction" and "historic record" in error["message"]


@pytest.mark.parametrize("role", ["anonymous", "plain_user", "other_firm_user", "firm_user", "regulator"])
def test_every_reader_sees_the_historic_record_and_its_source(request, api_as, record, role):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    client = api_as(user)
    auction = record["settled"]
    data = client.get(f"/api/v1/public/auctions/{auction.pk}").json()
    assert data["origin"] == "historic" and data["phase"] == "settled"
    assert data["result"]["preferred_bidder"]["name"] == "Maiki South Mining Pvt Ltd"
    assert data["result"]["winning_offer"] == "76.05" and data["result"]["declared_on"] == "2024-06-24"
    assert data["source"]["url"] == auction.source_url
    page = client.get(f"/auctions/{auction.pk}/").content.decode()
    assert "Maiki South Mining Pvt Ltd" in page and auction.source_url in page and "not published" in page
    assert client.get(f"/api/v1/public/auctions/{record['undecided'].pk}").json()["phase"] == "undecided"


def test_the_regulators_and_firms_pages_send_a_look_to_the_public_page_and_refuse_an_act(record, client, regulator,
                                                                                          firm_user):  # fmt: skip
    auction = record["annulled"]
    client.force_login(regulator)
    look = client.get(f"/regulator/auctions/{auction.pk}/")
    assert look.status_code == 302 and look["Location"] == f"/auctions/{auction.pk}/"
    act = client.post(f"/regulator/auctions/{auction.pk}/renotify/")
    assert act.status_code == 409 and HISTORIC_REFUSAL in act.content.decode()
    act = client.post(f"/regulator/tranches/{auction.tranche_id}/open/")
    assert act.status_code == 409 and HISTORIC_REFUSAL in act.content.decode()
    tranche = client.get(f"/regulator/tranches/{auction.tranche_id}/")
    assert tranche.status_code == 302 and tranche["Location"] == f"/tranches/{auction.tranche_id}/"
    assert f"/regulator/tranches/{auction.tranche_id}/" not in client.get("/regulator/tranches/").content.decode()
    assert client.get("/api/v1/tranches").json()["results"] == []
    client.force_login(firm_user)
    look = client.get(f"/firm/auctions/{auction.pk}/")
    assert look.status_code == 302 and look["Location"] == f"/auctions/{auction.pk}/"
    act = client.post(f"/firm/auctions/{auction.pk}/buy-document/", {"payment_reference": "UTR"})
    assert act.status_code == 409 and HISTORIC_REFUSAL in act.content.decode()
    assert not Participation.objects.exists()


def test_a_historic_auction_has_no_room_and_replays_as_a_record(record, client):
    auction = record["settled"]
    assert client.get(f"/auctions/{auction.pk}/room/").status_code == 404
    assert client.get(f"/api/v1/auctions/{auction.pk}/room").status_code == 404
    replay = client.get(f"/api/v1/public/auctions/{auction.pk}/replay").json()
    assert replay["outcome"] == "historic" and replay["agrees"] is True
    assert [c["name"] for c in replay["checks"]] == ["ledger chain", "historic record"]
    assert auction.source_url in replay["checks"][1]["recomputed"]


def test_results_tranches_and_the_home_page_show_the_programme_as_published(record, client):
    results = client.get("/results/").content.decode()
    assert "Maiki South Mining Pvt Ltd" in results and "biodiversity heritage site" in results
    assert results.count('class="badge historic"') >= 34  # every ended historic auction, and the legend
    tranche = client.get(f"/tranches/{record['tranche'].pk}/").content.decode()
    assert "offered <strong>20</strong> blocks, of which the record holds the <strong>9</strong>" in tranche
    home = client.get("/").content.decode()
    declared = sum(1 for row in ROWS if last_word(row["outcome"]) == "auctioned")
    annulled = sum(1 for row in ROWS if last_word(row["outcome"]) == "annulled")
    assert (declared, annulled) == (21, 13)
    assert f"{len(ROWS)} offerings of blocks in 5 tranches" in home
    assert f"<strong>{declared}</strong> with a preferred bidder declared" in home
    assert f"<strong>{annulled}</strong> annulled" in home


def test_the_public_api_filters_by_origin_and_phase(record, client):
    historic = client.get("/api/v1/public/auctions", {"origin": "historic", "page_size": 100}).json()["results"]
    assert len(historic) == 35
    assert client.get("/api/v1/public/auctions", {"origin": "khanij"}).json()["results"] == []
    undecided = client.get("/api/v1/public/auctions", {"phase": "undecided"}).json()["results"]
    assert [a["block"]["name"] for a in undecided] == ["Kundol Nickel & Chromium Block"]
    evaluation = client.get("/api/v1/public/auctions", {"phase": "evaluation"}).json()["results"]
    assert evaluation == []  # a historic auction is never in a phase of an auction run here
    settled = client.get("/api/v1/public/auctions", {"phase": "settled", "page_size": 100}).json()["results"]
    assert len(settled) == 21


def test_a_field_the_record_does_not_give_reads_not_published_never_none(record, client):
    nayakkarpatti = Auction.objects.get(block__name="Nayakkarpatti Tungsten Block")
    assert nayakkarpatti.lease_kind == ""  # the row gives no type
    page = client.get(f"/auctions/{nayakkarpatti.pk}/").content.decode()
    assert ">None<" not in page and "None%" not in page
    facts = page[page.index("Licence offered") :].split("</dd>")[0]
    assert "not published" in facts
    assert "Preferred bidder (before the annulment)" in page and "5.05%" in page and "23 Jan 2025" in page
    for url in ("/results/", f"/tranches/{nayakkarpatti.tranche_id}/", "/tranches/", "/"):
        text = client.get(url).content.decode()
        assert ">None<" not in text and "None%" not in text, url
