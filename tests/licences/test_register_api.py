"""The public licence register in the API: /api/v1/public/licences, /licences/{id}, /licences.csv (and the
portal's /licences.csv): the fields EITI Requirement 2.3 asks for, history and obligations, filters, paging,
caching, what stays private, and who may read it (everyone)."""

import csv
import datetime
import io
import json
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from licences.models import Payment
from tests.factories import FirmFactory, square_boundary
from tests.factories.auction_flow import notified_auction
from tests.factories.licence_register import el_granted, ml_with_history
from tests.factories.licences import make_licence

pytestmark = pytest.mark.django_db

LIST = "/api/v1/public/licences"
BOUNDARY = square_boundary(82.5, 22.5, 0.05)
AREA = Decimal("2858.1234")  # stored as given: the register publishes the area the licence was granted with


def detail(pk):
    return f"{LIST}/{pk}"


@pytest.fixture
def alice_firm(firm_user):
    return firm_user.memberships.get().firm


@pytest.fixture
def ml(alice_firm, regulator):
    auction = notified_auction(regulator).get()
    return ml_with_history(
        holder=alice_firm,
        regulator=regulator,
        number="ML/2027/0007",
        auction=auction,
        block=auction.block,
        boundary=BOUNDARY,
        original_boundary=BOUNDARY,
        area_hectares=AREA,
        original_area_hectares=AREA,
    )


def csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


# --- The EITI fields ----------------------------------------------------------------------------------------


def test_the_list_gives_every_eiti_field_of_a_licence(api, ml, alice_firm):
    response = api.get(LIST)
    assert response.status_code == 200
    [row] = response.json()["results"]
    # 2.3 b.i the holder
    assert row["holder"] == {"legal_name": "Alice Minerals Ltd", "cin": alice_firm.cin}
    assert row["number"] == "ML/2027/0007"
    assert row["kind"] == "ML" and row["kind_label"] == "Mining lease"
    # 2.3 b.ii the coordinates, and the area
    assert row["boundary"] == BOUNDARY
    assert row["area_hectares"] == "2858.1234" and row["original_area_hectares"] == "2858.1234"
    assert row["state"] == "Chhattisgarh" and row["district"] == "Korba"
    # 2.3 b.iii dates of application and award, duration
    assert row["applied_on"] == "2027-01-20"
    assert row["awarded_on"] == "2027-04-01"
    assert row["starts_on"] == "2028-04-01" and row["expires_on"] == "2078-04-01"
    assert row["duration"] == "50 years" and row["duration_months"] == 600  # 50 x 12
    # 2.3 b.iv the commodity
    assert row["minerals"] == [{"slug": "lithium", "name": "Lithium"}]
    # and the status, the winning offer, the auction
    assert row["status"] == "active" and row["status_label"] == "In force"
    assert row["winning_offer_pct"] == "12.50"
    assert row["auction"]["ocid"] == f"ocds-xxxxxx-{ml.auction_id}"
    assert row["auction"]["portal_url"] == f"http://testserver/auctions/{ml.auction_id}/"
    assert row["portal_url"] == f"http://testserver/licences/{ml.pk}/"
    assert row["geojson_url"] == f"http://testserver/licences/{ml.pk}.geojson"
    assert row["ledger_url"] == f"http://testserver/api/v1/public/ledger/licence:{ml.pk}"


def test_one_licence_has_its_history_and_obligations_with_their_basis(api, ml):
    response = api.get(detail(ml.pk))
    assert response.status_code == 200
    data = response.json()
    history = [(e["at"][:10], e["kind"], e["from_status"], e["to_status"]) for e in data["history"]]
    assert history == [
        ("2027-04-01", "status", "preferred_bidder", "loi_issued"),
        ("2027-12-15", "penalty_levied", "", ""),
        ("2028-04-01", "status", "loi_issued", "mdpa_signed"),
        ("2028-04-01", "status", "mdpa_signed", "active"),
    ]
    assert data["history"][0]["note"].startswith("First instalment and performance security paid")
    assert [e["ledger_seq"] for e in data["history"]] == [1, 2, 3, 4]

    by_kind = {o["kind"]: o for o in data["obligations"]}
    assert [o["kind"] for o in data["obligations"]] == ["upfront_1", "mining_plan", "upfront_2"]  # by due date
    assert by_kind["upfront_1"]["status"] == "met" and by_kind["upfront_1"]["met_on"] == "2027-04-10"
    assert by_kind["upfront_1"]["amount"] == "1000000.00"
    assert "45 days after 1 Mar 2027" in by_kind["upfront_1"]["basis"]
    plan = by_kind["mining_plan"]
    assert plan["status"] == "missed" and plan["amount"] is None
    assert plan["penalty"] == "300000.00"
    assert plan["penalty_basis"].startswith("1% of the performance security Rs 1,00,00,000.00 x 3 months")
    assert by_kind["upfront_2"]["status"] == "pending"
    assert data["original_boundary"] == BOUNDARY
    assert data["performance_security"] == "10000000.00"


def test_an_el_shows_the_leases_on_its_discovery_and_a_lease_its_parent(api, alice_firm, other_firm_user):
    el = el_granted(holder=other_firm_user.memberships.get().firm, number="EL/2027/0003")
    lease = make_licence(kind="ML", holder=alice_firm, parent_el=el, number="ML/2029/0001")
    el_data = api.get(detail(el.pk)).json()
    assert [(x["number"], x["holder"]) for x in el_data["leases"]] == [("ML/2029/0001", "Alice Minerals Ltd")]
    assert el_data["duration"] == "5 years" and el_data["expires_on"] == "2032-06-01"
    assert "share of the auction premium" in el_data["winning_offer_meaning"]
    lease_row = api.get(LIST, {"kind": "ML"}).json()["results"][0]
    assert lease_row["parent_el"]["number"] == "EL/2027/0003"
    assert lease_row["parent_el"]["portal_url"] == f"http://testserver/licences/{el.pk}/"
    assert lease.pk == lease_row["id"]


def test_payments_are_not_public(api, ml, firm_user):
    obligation = ml.obligations.get(kind="upfront_1")
    Payment.objects.create(
        licence=ml,
        obligation=obligation,
        amount=Decimal("1000000.00"),
        reference="UTR-SECRET-4711",
        paid_on=datetime.date(2027, 4, 10),
        recorded_by=firm_user,
    )
    body = api.get(detail(ml.pk)).content.decode()
    assert "UTR-SECRET-4711" not in body
    assert "payments" not in json.loads(body)
    assert "UTR-SECRET-4711" not in b"".join(api.get(f"{LIST}.csv").streaming_content).decode()


def test_an_unknown_licence_is_a_404_in_the_error_shape(api):
    response = api.get(detail(987654))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "987654" in response.json()["error"]["message"]


# --- CSV ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/public/licences.csv", "/licences.csv"])
def test_the_csv_has_the_eiti_columns_and_a_row_per_licence(client, ml, alice_firm, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="khanij-licences.csv"' in response["Content-Disposition"]
    assert "max-age=60" in response["Cache-Control"] and "public" in response["Cache-Control"]
    [row] = csv_rows(response)
    assert list(row) == [
        "number", "kind", "status", "holder_name", "holder_cin", "minerals", "block_code", "state", "district",
        "area_hectares", "original_area_hectares", "boundary_geojson", "applied_on", "declared_on", "awarded_on",
        "starts_on", "expires_on", "extended_to", "ended_on", "duration", "duration_months", "winning_offer_pct",
        "auction_ocid", "parent_el", "updated_at", "portal_url", "geojson_url",
    ]  # fmt: skip
    assert row["number"] == "ML/2027/0007"
    assert row["kind"] == "ML"
    assert row["status"] == "active"
    assert row["holder_name"] == "Alice Minerals Ltd"
    assert row["holder_cin"] == alice_firm.cin
    assert row["minerals"] == "lithium"
    assert row["block_code"] == "CG-LI-01"
    assert row["state"] == "Chhattisgarh"
    assert row["district"] == "Korba"
    assert row["area_hectares"] == "2858.1234"
    assert row["original_area_hectares"] == "2858.1234"
    assert json.loads(row["boundary_geojson"]) == BOUNDARY
    assert row["applied_on"] == "2027-01-20"
    assert row["declared_on"] == "2027-03-01"
    assert row["awarded_on"] == "2027-04-01"
    assert row["starts_on"] == "2028-04-01"
    assert row["expires_on"] == "2078-04-01"
    assert row["extended_to"] == "" and row["ended_on"] == ""
    assert row["duration"] == "50 years"
    assert row["duration_months"] == "600"
    assert row["winning_offer_pct"] == "12.50"
    assert row["auction_ocid"] == f"ocds-xxxxxx-{ml.auction_id}"
    assert row["parent_el"] == ""
    assert datetime.datetime.fromisoformat(row["updated_at"]).utcoffset() == datetime.timedelta(hours=5, minutes=30)
    assert row["portal_url"] == f"http://testserver/licences/{ml.pk}/"
    assert row["geojson_url"] == f"http://testserver/licences/{ml.pk}.geojson"


@pytest.mark.parametrize("url", ["/api/v1/public/licences.csv", "/licences.csv"])
def test_the_csv_follows_the_filters(client, ml, url):
    make_licence(kind="EL", number="EL/2027/0099", minerals=("gold",))
    assert [r["number"] for r in csv_rows(client.get(url, {"kind": "EL"}))] == ["EL/2027/0099"]
    assert [r["number"] for r in csv_rows(client.get(url, {"mineral": "lithium"}))] == ["ML/2027/0007"]


def test_a_holder_name_that_a_spreadsheet_would_run_is_written_as_text(client):
    make_licence(holder=FirmFactory(legal_name="=HYPERLINK(evil) Ltd"))
    [row] = csv_rows(client.get("/api/v1/public/licences.csv"))
    assert row["holder_name"] == "'=HYPERLINK(evil) Ltd"


def test_a_bad_filter_on_the_csv_is_refused_naming_the_allowed_values(client):
    api_response = client.get("/api/v1/public/licences.csv", {"kind": "XL"})
    assert api_response.status_code == 400
    assert "XL is not a known kind. Allowed values: ML, CL, EL." in api_response.json()["error"]["message"]
    page_response = client.get("/licences.csv", {"kind": "XL"})
    assert page_response.status_code == 400
    assert "XL is not a known kind. Allowed values: ML, CL, EL." in page_response.content.decode()


# --- Filters, paging, caching ---------------------------------------------------------------------------------


def test_a_bad_filter_is_a_400_naming_the_allowed_values(api):
    response = api.get(LIST, {"status": "granted"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "granted is not a known status" in error["fields"]["status"][0]
    assert "preferred_bidder" in error["fields"]["status"][0]


def test_filters_narrow_the_list(api, ml):
    el = el_granted(holder=FirmFactory(legal_name="Ganga Explorers Ltd"), state="Rajasthan")
    assert [r["id"] for r in api.get(LIST, {"kind": "EL"}).json()["results"]] == [el.pk]
    assert [r["id"] for r in api.get(LIST, {"state": "Rajasthan"}).json()["results"]] == [el.pk]
    assert [r["id"] for r in api.get(LIST, {"holder": "ganga"}).json()["results"]] == [el.pk]
    assert [r["id"] for r in api.get(LIST, {"mineral": "gold"}).json()["results"]] == [el.pk]
    assert [r["id"] for r in api.get(LIST, {"year": "2027", "kind": "EL"}).json()["results"]] == [el.pk]
    assert {r["id"] for r in api.get(LIST, {"year": "2027"}).json()["results"]} == {el.pk, ml.pk}
    assert api.get(LIST, {"year": "2031"}).json()["results"] == []


def walk(api, query):
    seen, url = [], f"{LIST}?{urlencode(query)}"
    while url:
        page = api.get(url).json()
        seen += [r["number"] for r in page["results"]]
        url = page["next"]
    return seen


def test_the_cursor_walks_every_licence_once_in_the_chosen_order(api):
    same = FirmFactory(legal_name="Same Holder Ltd")
    for i in range(5):
        make_licence(holder=same, number=f"ML/2027/{90 + i:04d}")
    make_licence(holder=FirmFactory(legal_name="Another Holder Ltd"), number="CL/2027/0001", kind="CL")
    # Another Holder first, then Same Holder's five in number order (the tie-break)
    assert walk(api, {"ordering": "holder", "page_size": 2}) == [
        "CL/2027/0001", "ML/2027/0090", "ML/2027/0091", "ML/2027/0092", "ML/2027/0093", "ML/2027/0094",
    ]  # fmt: skip
    assert walk(api, {"ordering": "-holder", "page_size": 4})[0] == "ML/2027/0090"


def test_the_public_api_is_cacheable(api, ml):
    for url in (LIST, detail(ml.pk)):
        response = api.get(url)
        assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]


def test_the_list_costs_the_same_number_of_queries_whatever_its_length(api, ml):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(LIST, {"ordering": "holder"}).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for i in range(6):
        parent = make_licence(kind="EL", minerals=("gold", "copper"))
        make_licence(kind="ML", parent_el=parent, number=f"ML/2030/{i:04d}")
    assert api.get(LIST).json()["results"].__len__() == 13
    assert count() == one


def test_one_licence_costs_a_fixed_number_of_queries(api, ml):
    def count(pk):
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(detail(pk)).status_code == 200
        return len(ctx.captured_queries)

    bare = make_licence(kind="ML")
    assert count(ml.pk) == count(bare.pk)


# --- Who may read it: everyone, the same -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "plain user", "firm member", "other firm's member", "regulator"])
def test_every_role_reads_the_same_public_register(api_as, ml, plain_user, firm_user, other_firm_user, regulator, role):
    user = {
        "anonymous": None,
        "plain user": plain_user,
        "firm member": firm_user,
        "other firm's member": other_firm_user,
        "regulator": regulator,
    }[role]
    client = api_as(user)
    anonymous = api_as(None)
    for url in (LIST, detail(ml.pk)):
        response = client.get(url)
        assert response.status_code == 200
        assert response.json() == anonymous.get(url).json()
    assert client.get(f"{LIST}.csv").status_code == 200


def test_a_bad_token_does_not_lock_anyone_out_of_the_public_register(client, ml):
    response = client.get(LIST, HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 200
