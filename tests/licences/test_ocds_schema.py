"""The OCDS feed is valid OCDS 1.1.5: every release and package, of a simulated auction at every phase and of what
follows it (award, cancellation, contract, termination), and of the whole demo (its historic record and its licences),
validates against the official schema (draft 4, offline) and its codelists; the ocid prefix is a setting."""

import copy
import json
from datetime import date, timedelta

import pytest
import time_machine
from django.db import transaction

from auctions.models import Auction
from licences import lifecycle
from licences import services as licence_svc
from licences.services.records import licence_move
from tests.factories.licence_post import FIRST_DUE, at, executed, settled_lease
from tests.factories.public_auctions import STEPS, moment, notified, staged, three_firms
from tests.standards import OCDS, codelist, ocds_codelist_values, ocds_package_errors

pytestmark = pytest.mark.django_db


def valid_package(client, url, when=None) -> dict:
    if when is None:
        response = client.get(url)
    else:
        with time_machine.travel(when, tick=False):
            response = client.get(url)
    assert response.status_code == 200, response.content
    package = response.json()
    assert ocds_package_errors(package) == [], json.dumps(package, indent=1)[:3000]
    return package


def whole_feed(client, when=None) -> list[dict]:
    """Every page of /ocds/releases, each page checked as a package."""
    pages, url = [], "/api/v1/public/ocds/releases?page_size=7"
    while url:
        page = valid_package(client, url, when)
        pages.append(page)
        url = page["links"]["next"]
    return pages


def test_the_validator_catches_what_breaks_the_schema_or_a_codelist(regulator, client):
    auction = staged(regulator, three_firms(), "settled")
    package = valid_package(client, f"/api/v1/public/auctions/{auction.pk}/ocds", moment(auction, "settled"))
    broken = copy.deepcopy(package)
    broken["releases"][0]["tag"] = ["sold"]  # a closed codelist
    del broken["releases"][1]["initiationType"]  # a required field
    broken["releases"][2]["awards"][0]["status"] = "won"
    broken["releases"][0]["date"] = "4 Jan 2027"  # not a date-time
    errors = "\n".join(ocds_package_errors(broken))
    assert "'sold' is not in releaseTag.csv" in errors and "'won' is not in awardStatus.csv" in errors
    assert "'initiationType' is a required property" in errors and "is not a 'date-time'" in errors
    item_scheme = copy.deepcopy(package)
    item_scheme["releases"][0]["tender"]["items"][0]["classification"]["scheme"] = "MADE-UP"  # an open codelist
    assert ocds_package_errors(item_scheme) == ["releases/0/tender/items/0/classification/scheme: 'MADE-UP' is not in "
                                                "itemClassificationScheme.csv"]  # fmt: skip


@pytest.mark.parametrize("phase", STEPS)
def test_a_simulated_auction_validates_at_every_phase(regulator, client, phase):
    auction = staged(regulator, three_firms(), phase)
    when = moment(auction, phase)
    valid_package(client, f"/api/v1/public/auctions/{auction.pk}/ocds", when)
    whole_feed(client, when)


def test_annulments_validate(regulator, client):
    firms = three_firms()
    too_few = staged(regulator, firms, "opened", disqualify=[firms[2]])
    no_bid = notified(regulator, code="CG-LI-09")
    for auction, phase in ((too_few, "opened"), (no_bid, "due")):
        package = valid_package(client, f"/api/v1/public/auctions/{auction.pk}/ocds", moment(auction, phase))
        assert package["releases"][-1]["tag"] == ["tenderCancellation"]


def test_a_lease_executed_then_surrendered_releases_its_contract_and_its_termination(regulator, client):
    licence, firms = settled_lease(regulator, kind="CL")
    executed(licence, firms[1], regulator, executed_on=date(2027, 12, 1))
    with transaction.atomic():
        licence_move(licence=licence, to=lifecycle.SURRENDERED, actor=regulator, note="Surrendered with 12 months' "
                     "notice", ended_on=date(2029, 6, 30))  # fmt: skip
    package = valid_package(client, f"/api/v1/public/auctions/{licence.auction_id}/ocds", at(date(2029, 7, 1)))
    releases = package["releases"]
    assert [r["tag"] for r in releases] == [["tender"], ["tenderUpdate"], ["award"], ["contract"],
                                            ["contractTermination"]]  # fmt: skip
    assert releases[3]["contracts"][0]["status"] == "active"
    (ended,) = releases[4]["contracts"]
    assert ended["status"] == "terminated" and ended["id"] == licence.number
    assert releases[4]["date"] == "2029-06-30T00:00:00+05:30" and "Surrendered on 30 Jun 2029" in ended["description"]
    assert [r["date"] for r in releases] == sorted(r["date"] for r in releases)


def test_a_revoked_letter_of_intent_cancels_the_award(regulator, client):
    licence, _firms = settled_lease(regulator, kind="ML")
    with time_machine.travel(at(FIRST_DUE + timedelta(days=1)), tick=False):
        licence_svc.licence_revoke(actor=regulator, licence_id=licence.pk, reason="First dues unpaid in 45 days")
    licence.refresh_from_db()
    assert licence.status == lifecycle.LOI_REVOKED
    package = valid_package(client, f"/api/v1/public/auctions/{licence.auction_id}/ocds", at(FIRST_DUE + timedelta(2)))
    releases = package["releases"]
    assert [r["tag"] for r in releases] == [["tender"], ["tenderUpdate"], ["award"], ["awardCancellation"]]
    assert releases[2]["awards"][0]["status"] == "active"
    (cancelled,) = releases[3]["awards"]
    assert cancelled["status"] == "cancelled" and cancelled["id"] == releases[2]["awards"][0]["id"]
    assert "contracts" not in releases[3]


def test_the_demo_feed_validates_with_its_historic_record(client):
    from auctions.demo import seed_demo
    from auctions.services.history import historic_import
    from licences.demo import seed_licences

    seed_demo()
    historic_import()
    seed_licences()
    pages = whole_feed(client)
    ocids = [r["ocid"] for page in pages for r in page["releases"]]
    assert len(ocids) == len(set(ocids)) == Auction.objects.count() == 35
    used: dict[str, set] = {}
    for auction in Auction.objects.all():
        package = valid_package(client, f"/api/v1/public/auctions/{auction.pk}/ocds")
        for name, values in ocds_codelist_values(package).items():
            used.setdefault(name, set()).update(values)
    for name, values in used.items():
        assert values <= codelist(OCDS, name) | {"KHANIJ-MINERAL"}, name
    assert used["releaseTag.csv"] == {"tender", "award", "tenderCancellation", "awardCancellation"}
    katghora = valid_package(client, f"/api/v1/public/auctions/{Auction.objects.get(block__code='T1-CG-01').pk}/ocds")
    award = katghora["releases"][-1]
    assert award["awards"][0]["suppliers"][0]["name"] == "Maiki South Mining Pvt Ltd"
    assert award["awards"][0]["date"] == "2024-06-24T00:00:00+05:30" and "76.05%" in award["awards"][0]["title"]
    supplier = next(p for p in award["parties"] if "supplier" in p["roles"])
    assert "identifier" not in supplier  # not registered here: no CIN is invented
    tender = katghora["releases"][0]
    assert tender["date"] == "2023-11-29T00:00:00+05:30"  # the tranche's launch
    assert tender["tender"]["tenderPeriod"] == {"endDate": "2024-02-26T00:00:00+05:30"}  # bids due, as published
    assert "numberOfTenderers" not in json.dumps(katghora)


def test_the_ocid_prefix_is_a_setting_whose_default_is_a_visible_placeholder(regulator, client, settings):
    auction = notified(regulator)
    when = moment(auction, "bidding")
    package = valid_package(client, f"/api/v1/public/auctions/{auction.pk}/ocds", when)
    assert {r["ocid"] for r in package["releases"]} == {f"ocds-xxxxxx-{auction.pk}"}
    settings.OCDS_OCID_PREFIX = "ocds-213czf"
    package = valid_package(client, f"/api/v1/public/auctions/{auction.pk}/ocds", when)
    assert {r["ocid"] for r in package["releases"]} == {f"ocds-213czf-{auction.pk}"}
    assert package["license"] == settings.OPEN_DATA_LICENCE_URL
