"""The tranche kind in the API: an exploration-licence tranche drafted, notified and published, for every role;
the EL tender's refusals as the API answers them; the kind documented in the schema."""

from datetime import timedelta

import pytest
import time_machine
from drf_spectacular.generators import SchemaGenerator

from auctions import services as svc
from auctions.models import Auction, Participation, Tranche
from bidders.models import Membership
from core.money import CRORE
from tests.factories import MembershipFactory, UserFactory
from tests.factories.auction_flow import SCHEDULE, T0, make_block
from tests.factories.el_auction import el_auction, el_bidder, el_block

pytestmark = pytest.mark.django_db

SALE = SCHEDULE["document_sale_starts_at"] + timedelta(hours=1)


@pytest.fixture
def viewer(firm_user):
    return MembershipFactory(
        user=UserFactory(username="vera"), firm=firm_user.memberships.get().firm, role=Membership.Role.VIEWER
    ).user


@pytest.fixture
def roles(plain_user, firm_user, viewer, other_firm_user, regulator):
    return {
        "anonymous": None,
        "plain user": plain_user,
        "firm member": firm_user,
        "firm viewer": viewer,
        "other firm's member": other_firm_user,
        "regulator": regulator,
    }


def call(api_as, user, method, url, body=None, at=T0, **headers):
    with time_machine.travel(at, tick=False):
        return getattr(api_as(user), method)(url, body, format="json", **headers)


def el_body(**changes):
    body = {"name": "EL Tranche I", "kind": "exploration", "blocks": ["RJ-AU-01"], "tender_fee": "100000"}
    body.update({k: v.isoformat() for k, v in SCHEDULE.items()})
    body.update(changes)
    return body


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 401),
        ("plain user", 403),
        ("firm member", 403),
        ("firm viewer", 403),
        ("other firm's member", 403),
        ("regulator", 201),
    ],
)
def test_only_a_regulator_drafts_an_exploration_tranche(roles, api_as, role, status):
    el_block("RJ-AU-01")
    response = call(api_as, roles[role], "post", "/api/v1/tranches", el_body())
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["kind"] == "exploration"
        assert response.json()["net_worth_threshold"] == "250000000.00"  # Rs 25 crore, the EL minimum
        assert Tranche.objects.get().kind == Tranche.Kind.EXPLORATION
    else:
        assert response.json()["error"]["code"] in ("not_authenticated", "permission_denied")
        assert not Tranche.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "plain user", "firm member", "other firm's member"])
def test_only_a_regulator_reads_or_notifies_an_exploration_draft(roles, regulator, api_as, role):
    el_block("RJ-AU-01")
    draft = call(api_as, regulator, "post", "/api/v1/tranches", el_body()).json()
    assert call(api_as, roles[role], "get", "/api/v1/tranches").status_code in (401, 403)
    refused = call(api_as, roles[role], "post", f"/api/v1/tranches/{draft['id']}/notify")
    assert refused.status_code == (401 if role == "anonymous" else 403)
    assert not Auction.objects.exists()


def test_a_tranche_without_a_kind_auctions_leases(regulator, api_as):
    make_block()
    body = el_body(blocks=["CG-LI-01"])
    del body["kind"]
    response = call(api_as, regulator, "post", "/api/v1/tranches", body)
    assert response.status_code == 201 and response.json()["kind"] == "lease"


def test_an_exploration_tranche_is_listed_notified_and_published_with_its_kind(regulator, api_as, client):
    el_block("RJ-AU-01")
    draft = call(api_as, regulator, "post", "/api/v1/tranches", el_body()).json()
    listed = call(api_as, regulator, "get", "/api/v1/tranches").json()["results"]
    assert [(t["name"], t["kind"]) for t in listed] == [("EL Tranche I", "exploration")]
    notified = call(api_as, regulator, "post", f"/api/v1/tranches/{draft['id']}/notify")
    assert notified.status_code == 200 and notified.json()["kind"] == "exploration"

    with time_machine.travel(SALE, tick=False):
        public = client.get(f"/api/v1/public/tranches/{draft['id']}").json()
        auction_id = public["auctions"][0]["id"]
        auction = client.get(f"/api/v1/public/auctions/{auction_id}").json()
    assert public["kind"] == "exploration"
    assert auction["tranche"]["kind"] == "exploration"
    assert (auction["terms"]["lease_kind"], auction["terms"]["direction"]) == ("EL", "descending")
    assert auction["terms"]["reserve_price_pct"] == "30.00"  # the ceiling


@pytest.mark.parametrize(
    "block, changes, field, words",
    [
        ({"minerals": ("limestone",)}, {}, "blocks", "holds Limestone, which is not a Seventh Schedule mineral"),
        ({"stage": "G2"}, {}, "blocks", "is explored to G2"),
        ({"ceiling": "24.99"}, {}, "blocks", "may not set its ceiling below 25%"),
        ({}, {"net_worth_threshold": "200000000"}, "net_worth_threshold", "below Rs 25,00,00,000.00"),
        ({}, {"kind": "reverse"}, "kind", "is not a valid choice"),
    ],
)
def test_what_an_exploration_tender_refuses_is_a_400_naming_the_field(regulator, api_as, block, changes, field, words):
    el_block("RJ-AU-01", **block)
    response = call(api_as, regulator, "post", "/api/v1/tranches", el_body(**changes))
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["fields"] and words in " ".join(error["fields"][field])
    assert not Tranche.objects.exists()


def test_a_foreign_firm_is_refused_the_tender_document_of_an_el_auction(regulator, api_as):
    auction = el_auction(regulator)
    foreign = el_bidder("Oversea", incorporated_in_india=False)
    url = f"/api/v1/auctions/{auction.pk}/document"
    response = call(api_as, foreign, "post", url, {"payment_reference": "UTR-9"}, at=SALE)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "not_eligible" and "company registered in India" in error["message"]
    eligible = call(api_as, el_bidder("Asha"), "post", url, {"payment_reference": "UTR-1"}, at=SALE)
    assert eligible.status_code == 201


def test_a_bid_declaring_less_than_25_crore_is_refused_at_the_net_worth_field(regulator, api_as):
    auction = el_auction(regulator)
    asha = el_bidder("Asha")
    call(api_as, asha, "post", f"/api/v1/auctions/{auction.pk}/document", {"payment_reference": "UTR-1"}, at=SALE)
    bid = {"initial_price_offer": "20.00", "net_worth": str(24 * CRORE), "bid_security_reference": "BG-1"}
    response = call(api_as, asha, "post", f"/api/v1/auctions/{auction.pk}/bid", bid, at=SALE)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "not_eligible" and "Rs 24,00,00,000.00" in error["fields"]["net_worth"][0]
    over = {**bid, "net_worth": str(50 * CRORE), "initial_price_offer": "30.50"}
    response = call(api_as, asha, "post", f"/api/v1/auctions/{auction.pk}/bid", over, at=SALE)
    assert response.status_code == 400 and "above the ceiling of 30.00%" in response.json()["error"]["message"]
    assert Participation.objects.get().status == Participation.Status.DOCUMENT_BOUGHT


def test_the_schema_documents_the_tranche_kind_in_and_out():
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    for name in ("TrancheCreateInputRequest", "RegulatorTranche", "PublicTranche", "PublicTrancheRef"):
        kind = schemas[name]["properties"]["kind"]
        ref = kind.get("$ref") or kind["allOf"][0]["$ref"]
        enum = schemas[ref.rsplit("/", 1)[1]]
        assert enum["enum"] == ["lease", "exploration"], name
        assert "exploration" in kind.get("description", "") and "RULES.md s.4" in kind["description"]


def test_the_public_auctions_are_filtered_by_the_tranche_kind(regulator, client):
    el_auction(regulator)
    make_block()
    with time_machine.travel(T0, tick=False):
        lease = svc.tranche_create(actor=regulator, name="Tranche X", blocks=["CG-LI-01"], **SCHEDULE)
        svc.tranche_notify(actor=regulator, tranche_id=lease.pk)
    with time_machine.travel(SALE, tick=False):
        exploration = client.get("/api/v1/public/auctions?kind=exploration").json()["results"]
        leases = client.get("/api/v1/public/auctions?kind=lease").json()["results"]
        wrong = client.get("/api/v1/public/auctions?kind=reverse")
    assert [(a["block"]["code"], a["terms"]["direction"]) for a in exploration] == [("RJ-AU-01", "descending")]
    assert [(a["block"]["code"], a["terms"]["direction"]) for a in leases] == [("CG-LI-01", "ascending")]
    assert wrong.status_code == 400 and "kind" in wrong.json()["error"]["fields"]
