"""The public OCDS 1.1 feed (RULES.md section 6): one ocid per auction; releases tagged tender, award, contract;
never a bidder's name before the e-auction's close, never a sealed offer."""

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auctions.models import Tranche
from tests.factories.licence_post import at, executed, settled_lease
from tests.factories.public_auctions import SEALED_IPOS, moment, notified, staged, three_firms

pytestmark = pytest.mark.django_db

FIRM_NAMES = ("Asha Ltd", "Bharat Ltd", "Chitra Ltd")  # three_firms(): bidder(name) -> "<name> Ltd"

# phase of the staged auction -> the tags of its releases, in date order, as the public sees them then
TAGS = {
    "upcoming": ["tender"],
    "bidding": ["tender"],
    "due": ["tender", "tenderUpdate"],  # past the due date, before the sweeper: from the clock
    "evaluation": ["tender", "tenderUpdate"],
    "evaluated": ["tender", "tenderUpdate"],
    "opened": ["tender", "tenderUpdate"],
    "live": ["tender", "tenderUpdate"],
    "closed": ["tender", "tenderUpdate"],  # closed, the preferred bidder not yet declared (within seconds)
    "settled": ["tender", "tenderUpdate", "award"],
}


def package(client, auction_id, when):
    with time_machine.travel(when, tick=False):
        response = client.get(f"/api/v1/public/auctions/{auction_id}/ocds")
    assert response.status_code == 200, response.content
    return response


def feed(client, when, **params):
    with time_machine.travel(when, tick=False):
        response = client.get("/api/v1/public/ocds/releases", params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("phase", list(TAGS))
def test_each_phase_releases_its_tags_and_nothing_sealed(regulator, client, phase):
    auction = staged(regulator, three_firms(), phase)
    response = package(client, auction.pk, moment(auction, phase))
    data = response.json()
    releases = data["releases"]
    assert [r["tag"] for r in releases] == [[tag] for tag in TAGS[phase]]
    assert {r["ocid"] for r in releases} == {f"ocds-xxxxxx-{auction.pk}"}
    assert len({r["id"] for r in releases}) == len(releases)
    assert [r["date"] for r in releases] == sorted(r["date"] for r in releases)
    text = json.dumps(data)
    for ipo in SEALED_IPOS:
        assert ipo not in text  # no initial price offer, in any phase
    if phase != "settled":
        for name in FIRM_NAMES:
            assert name not in text  # who bid is not published before the close and the declaration
        assert "tenderers" not in releases[-1]["tender"]
        assert [p["roles"] for p in releases[-1]["parties"]] == [["buyer", "procuringEntity"]]
    # The number of tenderers only from the bid due date: 3 firms submitted.
    assert "numberOfTenderers" not in releases[0]["tender"]
    if "tenderUpdate" in TAGS[phase]:
        assert releases[1]["tender"]["numberOfTenderers"] == 3
        assert releases[1]["date"] == "2027-02-03T10:00:00+05:30"  # bid due: T0 (4 Jan 10:00 IST) + 30 days
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=60"}


def test_the_tender_release_is_the_notice(regulator, client):
    auction = staged(regulator, three_firms(), "bidding")
    release = package(client, auction.pk, moment(auction, "bidding")).json()["releases"][0]
    assert release["date"] == "2027-01-04T10:00:00+05:30"  # notified at T0, 04:30 UTC
    assert release["initiationType"] == "tender"
    assert release["buyer"]["name"] == "Ministry of Mines, Government of India"
    tender = release["tender"]
    assert tender["status"] == "active"
    assert tender["submissionMethod"] == ["electronicAuction"]
    assert "highest final offer" in tender["awardCriteriaDetails"]
    # document sale opens T0 + 1 day, bids are due T0 + 30 days (tests/factories/auction_flow.SCHEDULE)
    assert tender["tenderPeriod"] == {"startDate": "2027-01-05T10:00:00+05:30", "endDate": "2027-02-03T10:00:00+05:30"}
    assert [(i["classification"]["scheme"], i["classification"]["id"]) for i in tender["items"]] == [
        ("KHANIJ-MINERAL", "lithium")
    ]
    assert "value" not in tender


def test_the_award_names_the_preferred_bidder_and_the_winning_offer_as_text(regulator, client):
    auction = staged(regulator, three_firms(), "settled")
    release = package(client, auction.pk, moment(auction, "settled")).json()["releases"][-1]
    assert release["tag"] == ["award"]
    assert release["tender"]["status"] == "complete"
    (award,) = release["awards"]
    # The second firm wins: the floor (93.11%, the highest IPO) + 0.50 = 93.61%.
    assert [s["name"] for s in award["suppliers"]] == ["Bharat Ltd"]
    assert "93.61%" in award["title"]
    assert "Bharat Ltd" in award["description"] and "93.61%" in award["description"]
    assert "value" not in award  # a percentage is not an amount in a currency
    assert award["status"] == "active"
    roles = {p["name"]: p["roles"] for p in release["parties"]}
    assert roles == {
        "Ministry of Mines, Government of India": ["buyer", "procuringEntity"],
        "Asha Ltd": ["tenderer"],
        "Bharat Ltd": ["tenderer", "supplier"],
        "Chitra Ltd": ["tenderer"],
    }
    assert [t["name"] for t in release["tender"]["tenderers"]] == list(FIRM_NAMES)


def test_the_contract_is_released_when_the_lease_is_executed(regulator, client):
    licence, firms = settled_lease(regulator, kind="CL")
    auction = licence.auction
    before = package(client, auction.pk, at(date(2027, 11, 30))).json()["releases"]
    assert [r["tag"] for r in before] == [["tender"], ["tenderUpdate"], ["award"]]  # preferred bidder, no deed yet
    executed(licence, firms[1], regulator, executed_on=date(2027, 12, 1))
    releases = package(client, auction.pk, at(date(2027, 12, 2))).json()["releases"]
    assert [r["tag"] for r in releases] == [["tender"], ["tenderUpdate"], ["award"], ["contract"]]
    contract_release = releases[-1]
    (contract,) = contract_release["contracts"]
    assert contract["id"] == licence.number
    assert contract["awardID"] == contract_release["awards"][0]["id"]
    assert contract["status"] == "active"
    assert contract["dateSigned"] == "2027-12-01T00:00:00+05:30"
    # 50 years from execution (MMDR Act s.8A(2)): 1 Dec 2027 -> 1 Dec 2077
    assert contract["period"] == {"startDate": "2027-12-01T00:00:00+05:30", "endDate": "2077-12-01T00:00:00+05:30"}
    assert contract_release["date"] == "2027-12-01T00:00:00+05:30"


def test_an_annulled_auction_releases_a_cancellation_without_bidders(regulator, client):
    firms = three_firms()
    auction = staged(regulator, firms, "opened", disqualify=[firms[2]])  # 2 TQB < 3: annulled at the opening
    releases = package(client, auction.pk, moment(auction, "opened")).json()["releases"]
    assert [r["tag"] for r in releases] == [["tender"], ["tenderUpdate"], ["tenderCancellation"]]
    tender = releases[-1]["tender"]
    assert tender["status"] == "cancelled"
    assert tender["statusDetails"] == "Annulled: fewer than 3 TQB"
    assert "awards" not in releases[-1]
    text = json.dumps(releases)
    for secret in (*SEALED_IPOS, *FIRM_NAMES):
        assert secret not in text


def test_no_bid_by_the_due_date_is_a_cancellation_from_the_clock(regulator, client):
    auction = notified(regulator, code="CG-LI-09")
    releases = package(client, auction.pk, moment(auction, "due")).json()["releases"]
    assert [r["tag"] for r in releases] == [["tender"], ["tenderUpdate"], ["tenderCancellation"]]
    assert releases[1]["tender"]["numberOfTenderers"] == 0
    assert releases[-1]["tender"]["statusDetails"] == "Annulled: no bid"


def test_an_unknown_auction_is_a_404_in_the_error_shape(client):
    response = client.get("/api/v1/public/auctions/999999/ocds")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert "999999" in error["message"]


def test_the_feed_is_a_release_package_of_the_latest_release_of_each_auction(regulator, client):
    settled = staged(regulator, three_firms(), "settled", code="CG-LI-01")
    upcoming = notified(regulator, code="CG-LI-02")
    when = moment(settled, "settled")
    data = feed(client, when)
    assert data["version"] == "1.1"
    assert data["publisher"]["name"]
    assert data["uri"].endswith("/api/v1/public/ocds/releases")
    assert data["publishedDate"]
    assert data["links"] == {"next": None, "prev": None}
    latest = {r["ocid"]: r["tag"] for r in data["releases"]}
    # Both bid due dates have passed at `when`; CG-LI-02 had no bid, so the clock has annulled it.
    assert latest == {f"ocds-xxxxxx-{settled.pk}": ["award"], f"ocds-xxxxxx-{upcoming.pk}": ["tenderCancellation"]}
    first_page = feed(client, when, page_size=1)
    assert len(first_page["releases"]) == 1 and first_page["links"]["next"]


def test_the_feed_reads_in_a_constant_number_of_queries(regulator, client):
    licence, firms = settled_lease(regulator, kind="CL", code="CG-LI-01")
    executed(licence, firms[1], regulator, executed_on=date(2027, 12, 1))
    when = at(date(2027, 12, 2))

    def count():
        with time_machine.travel(when, tick=False), CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/public/ocds/releases")
        assert response.status_code == 200
        return len(captured), response.json()

    one, data = count()
    assert [r["tag"] for r in data["releases"]] == [["contract"]]
    for code in ("CG-LI-03", "CG-LI-04", "CG-LI-05"):
        staged(regulator, three_firms(code[-1]), "settled", code=code)
    four, data = count()
    assert len(data["releases"]) == 4
    assert four == one


@pytest.mark.parametrize("who", ["anonymous", "plain_user", "other_firm_user", "firm_user", "regulator"])
def test_every_reader_gets_the_same_public_feed(request, api_as, regulator, who):
    auction = staged(regulator, three_firms("x"), "live")
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = api_as(user)
    when = moment(auction, "live")
    with time_machine.travel(when, tick=False):
        one = client.get(f"/api/v1/public/auctions/{auction.pk}/ocds")
        listed = client.get("/api/v1/public/ocds/releases")
        posted = client.post("/api/v1/public/ocds/releases", {})
    assert one.status_code == listed.status_code == 200
    assert posted.status_code == 405
    assert [r["tag"] for r in one.json()["releases"]] == [["tender"], ["tenderUpdate"]]
    text = one.content.decode() + listed.content.decode()
    for name in ("xAsha Ltd", "xBharat Ltd", "xChitra Ltd", *SEALED_IPOS):
        assert name not in text


def test_a_draft_tranche_is_not_in_the_feed(regulator, client):
    auction = notified(regulator, code="CG-LI-07")
    Tranche.objects.filter(pk=auction.tranche_id).update(status=Tranche.Status.DRAFT)
    assert feed(client, auction.bid_due_at - timedelta(days=1))["releases"] == []
    assert client.get(f"/api/v1/public/auctions/{auction.pk}/ocds").status_code == 404
