"""The firm API: every endpoint for every role, what each returns, and the query count of the firm list."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bidders.models import Affiliation, BeneficialOwner, Firm, Membership
from tests.factories import FirmFactory, MembershipFactory, UserFactory
from tests.factories.firms_extra import AffiliationFactory, BeneficialOwnerFactory, EligibilityDocumentFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/firms/me"


@pytest.fixture
def world(firm_user, other_firm_user, plain_user, regulator):
    """Alice's firm (alice is its admin) with a viewer, an affiliate and an owner; Bob's firm likewise small."""
    alice_firm = firm_user.memberships.get().firm
    bob_firm = other_firm_user.memberships.get().firm
    viewer = MembershipFactory(firm=alice_firm, user=UserFactory(username="vic"), role=Membership.Role.VIEWER)
    UserFactory(username="newbie", email="newbie@example.in")
    return {
        "anonymous": None,
        "plain": plain_user,
        "member": firm_user,
        "viewer": viewer.user,
        "other": other_firm_user,
        "regulator": regulator,
        "alice_firm": alice_firm,
        "bob_firm": bob_firm,
        "viewer_membership": viewer,
        "affiliation": AffiliationFactory(firm=alice_firm, affiliate=FirmFactory(legal_name="Gamma Ltd")),
        "owner": BeneficialOwnerFactory(firm=alice_firm, name="Asha Rao", share=Decimal("26")),
        "spare_firm": FirmFactory(legal_name="Delta Ltd"),
    }


# Each endpoint as (method, path, body) from the world; the DELETEs target rows of Alice's firm.
ENDPOINTS = {
    "GET me": lambda w: ("get", ME, None),
    "PATCH me": lambda w: ("patch", ME, {"legal_name": "Renamed Ltd"}),
    "GET members": lambda w: ("get", f"{ME}/members", None),
    "POST members": lambda w: ("post", f"{ME}/members", {"user": "newbie", "role": "viewer"}),
    "DELETE member": lambda w: ("delete", f"{ME}/members/{w['viewer_membership'].pk}", None),
    "GET affiliations": lambda w: ("get", f"{ME}/affiliations", None),
    "POST affiliations": lambda w: (
        "post",
        f"{ME}/affiliations",
        {"affiliate_cin": w["spare_firm"].cin, "kind": "common_control"},
    ),
    "DELETE affiliation": lambda w: ("delete", f"{ME}/affiliations/{w['affiliation'].pk}", None),
    "GET owners": lambda w: ("get", f"{ME}/beneficial-owners", None),
    "POST owners": lambda w: (
        "post",
        f"{ME}/beneficial-owners",
        {"name": "Ravi Rao", "pan": "ABCPR2222K", "share": "10.00", "has_control": False, "publication_consent": True},
    ),
    "DELETE owner": lambda w: ("delete", f"{ME}/beneficial-owners/{w['owner'].pk}", None),
    "GET firms": lambda w: ("get", "/api/v1/firms", None),
    "GET firm": lambda w: ("get", f"/api/v1/firms/{w['alice_firm'].cin}", None),
}

ME_READ = {"anonymous": 401, "plain": 403, "member": 200, "viewer": 200, "other": 200, "regulator": 403}
ME_CREATE = {"anonymous": 401, "plain": 403, "member": 201, "viewer": 403, "other": 201, "regulator": 403}
ME_DELETE = {"anonymous": 401, "plain": 403, "member": 204, "viewer": 403, "other": 404, "regulator": 403}
REGULATOR_ONLY = {"anonymous": 401, "plain": 403, "member": 403, "viewer": 403, "other": 403, "regulator": 200}
EXPECTED = {
    "GET me": ME_READ,
    "PATCH me": {**ME_READ, "viewer": 403},
    "GET members": ME_READ,
    "POST members": ME_CREATE,
    "DELETE member": ME_DELETE,
    "GET affiliations": ME_READ,
    "POST affiliations": ME_CREATE,
    "DELETE affiliation": ME_DELETE,
    "GET owners": ME_READ,
    "POST owners": ME_CREATE,
    "DELETE owner": ME_DELETE,
    "GET firms": REGULATOR_ONLY,
    "GET firm": REGULATOR_ONLY,
}
MATRIX = [(endpoint, role, status) for endpoint, by_role in EXPECTED.items() for role, status in by_role.items()]


@pytest.mark.parametrize(("endpoint", "role", "status"), MATRIX, ids=[f"{e}-{r}" for e, r, _ in MATRIX])
def test_permissions(world, api_as, endpoint, role, status):
    method, path, body = ENDPOINTS[endpoint](world)
    response = getattr(api_as(world[role]), method)(path, body, format="json")
    assert response.status_code == status, response.content
    if status >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}
        assert response.json()["error"]["message"]


def test_a_refused_write_changes_nothing(world, api_as):
    for role in ("viewer", "plain", "regulator", "anonymous"):
        client = api_as(world[role])
        client.patch(ME, {"legal_name": "Taken Over Ltd"}, format="json")
        client.delete(f"{ME}/members/{world['viewer_membership'].pk}")
        client.delete(f"{ME}/beneficial-owners/{world['owner'].pk}")
        client.delete(f"{ME}/affiliations/{world['affiliation'].pk}")
    world["alice_firm"].refresh_from_db()
    assert world["alice_firm"].legal_name == "Alice Minerals Ltd"
    assert Membership.objects.filter(firm=world["alice_firm"]).count() == 2
    assert BeneficialOwner.objects.count() == 1 and Affiliation.objects.count() == 1


def test_a_firm_sees_only_its_own_members_owners_and_affiliates(world, api_as):
    bob = api_as(world["other"])
    assert bob.get(ME).json()["legal_name"] == "Bob Metals Ltd"
    assert [m["username"] for m in bob.get(f"{ME}/members").json()] == ["bob"]
    assert bob.get(f"{ME}/beneficial-owners").json() == []
    assert bob.get(f"{ME}/affiliations").json() == []
    bob.patch(ME, {"legal_name": "Bob Metals Limited"}, format="json")
    assert Firm.objects.filter(legal_name="Alice Minerals Ltd").exists()  # only Bob's own firm changed


def test_get_me_returns_the_firm_and_the_callers_role_with_money_as_a_string(world, api_as):
    data = api_as(world["viewer"]).get(ME).json()
    assert data["legal_name"] == "Alice Minerals Ltd" and data["role"] == "viewer"
    assert data["net_worth"] == "2500000000.00" and data["net_worth_as_of"] == "2026-03-31"


def test_patch_me_refuses_bad_values_with_field_messages(world, api_as):
    response = api_as(world["member"]).patch(ME, {"pan": "AAAPK1234F", "cin": "X"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert "4th letter of a company's PAN is C" in error["fields"]["pan"][0]
    assert "A CIN has 21 characters" in error["fields"]["cin"][0]


def test_post_member_by_email_and_duplicate(world, api_as):
    client = api_as(world["member"])
    created = client.post(f"{ME}/members", {"user": "newbie@example.in", "role": "bidder"}, format="json")
    assert created.status_code == 201 and created.json()["username"] == "newbie" and created.json()["role"] == "bidder"
    again = client.post(f"{ME}/members", {"user": "newbie", "role": "bidder"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_post_member_invites_a_new_account_whose_password_is_never_returned(world, api_as):
    body = {"user": "tara", "email": "tara@alice.in", "password": "tara-first-pass-9", "role": "viewer"}
    response = api_as(world["member"]).post(f"{ME}/members", body, format="json")
    assert response.status_code == 201 and "password" not in response.json()


def test_delete_the_last_admin_is_refused(world, api_as):
    own = world["member"].memberships.get()
    response = api_as(world["member"]).delete(f"{ME}/members/{own.pk}")
    assert response.status_code == 400 and "last administrator" in response.json()["error"]["message"]


def test_post_affiliation_refusals(world, api_as):
    client = api_as(world["member"])
    own = client.post(
        f"{ME}/affiliations", {"affiliate_cin": world["alice_firm"].cin, "kind": "holding"}, format="json"
    )
    assert own.status_code == 400 and "your own firm's CIN" in own.json()["error"]["fields"]["affiliate_cin"][0]
    unknown = client.post(f"{ME}/affiliations", {"affiliate_cin": "U13100MH2020PTC999999", "kind": "x"}, format="json")
    assert unknown.status_code == 400 and "kind" in unknown.json()["error"]["fields"]
    twice = client.post(
        f"{ME}/affiliations", {"affiliate_cin": world["affiliation"].affiliate.cin, "kind": "holding"}, format="json"
    )
    assert twice.status_code == 409


def test_post_affiliation_returns_the_affiliate(world, api_as):
    body = {"affiliate_cin": world["spare_firm"].cin, "kind": "subsidiary", "share": "51.00"}
    data = api_as(world["member"]).post(f"{ME}/affiliations", body, format="json").json()
    assert data["affiliate"]["legal_name"] == "Delta Ltd" and data["share"] == "51.00" and data["kind"] == "subsidiary"


def test_post_owner_refuses_shares_over_100_in_total(world, api_as):
    body = {"name": "Ravi Rao", "pan": "ABCPR2222K", "share": "80", "publication_consent": True}
    response = api_as(world["member"]).post(f"{ME}/beneficial-owners", body, format="json")
    assert response.status_code == 400
    assert "at most 74.00%" in response.json()["error"]["message"]
    body["share"] = "150"
    assert api_as(world["member"]).post(f"{ME}/beneficial-owners", body, format="json").status_code == 400


def test_firm_detail_for_a_regulator_has_members_owners_affiliates_and_documents(world, api_as):
    EligibilityDocumentFactory(firm=world["alice_firm"], description="FY26")
    AffiliationFactory(firm=world["bob_firm"], affiliate=world["alice_firm"], kind="holding")
    data = api_as(world["regulator"]).get(f"/api/v1/firms/{world['alice_firm'].cin.lower()}").json()
    assert sorted(m["username"] for m in data["members"]) == ["alice", "vic"]
    assert [o["name"] for o in data["beneficial_owners"]] == ["Asha Rao"]
    assert [a["affiliate"]["legal_name"] for a in data["affiliates"]] == ["Gamma Ltd"]
    assert [a["firm"]["legal_name"] for a in data["declared_by"]] == ["Bob Metals Ltd"]
    assert data["documents"][0]["download_url"].startswith("http://testserver/firm/documents/")
    assert (data["member_count"], data["beneficial_owner_count"], data["document_count"]) == (2, 1, 1)


def test_firm_detail_of_an_unknown_cin_is_404(world, api_as):
    response = api_as(world["regulator"]).get("/api/v1/firms/U13100MH2020PTC999999")
    assert response.status_code == 404 and "No firm with CIN" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Alice Minerals Ltd", "Bob Metals Ltd", "Delta Ltd", "Gamma Ltd"]),
        ("q=metals", ["Bob Metals Ltd"]),
        ("q=alice", ["Alice Minerals Ltd"]),
        ("net_worth_min=3000000000", ["Delta Ltd"]),
        ("net_worth_max=2500000000", ["Alice Minerals Ltd", "Bob Metals Ltd", "Gamma Ltd"]),
        ("owner_pan=abcpr1111k", ["Alice Minerals Ltd"]),
        ("incorporated_in_india=false", ["Gamma Ltd"]),
        ("ordering=-legal_name", ["Gamma Ltd", "Delta Ltd", "Bob Metals Ltd", "Alice Minerals Ltd"]),
    ],
)
def test_firm_list_filters(world, api_as, query, expected):
    Firm.objects.filter(pk=world["spare_firm"].pk).update(net_worth=Decimal("5000000000"))
    Firm.objects.filter(legal_name="Gamma Ltd").update(incorporated_in_india=False)
    BeneficialOwner.objects.filter(pk=world["owner"].pk).update(pan="ABCPR1111K")
    response = api_as(world["regulator"]).get(f"/api/v1/firms?{query}")
    assert response.status_code == 200
    assert [f["legal_name"] for f in response.json()["results"]] == expected


def test_firm_list_by_cin_and_bad_filter_values(world, api_as):
    client = api_as(world["regulator"])
    by_cin = client.get(f"/api/v1/firms?cin={world['bob_firm'].cin.lower()}").json()["results"]
    assert [f["legal_name"] for f in by_cin] == ["Bob Metals Ltd"]
    bad = client.get("/api/v1/firms?net_worth_min=lots")
    assert bad.status_code == 400 and "net_worth_min" in bad.json()["error"]["fields"]


def test_firm_list_pages_with_a_cursor(world, api_as):
    client = api_as(world["regulator"])
    first = client.get("/api/v1/firms?page_size=3").json()
    second = client.get(first["next"]).json()
    names = [f["legal_name"] for f in first["results"] + second["results"]]
    assert names == ["Alice Minerals Ltd", "Bob Metals Ltd", "Delta Ltd", "Gamma Ltd"] and second["next"] is None


def _seed_firms(n):
    for _ in range(n):
        firm = FirmFactory()
        MembershipFactory(firm=firm)
        MembershipFactory(firm=firm, role=Membership.Role.VIEWER)
        BeneficialOwnerFactory(firm=firm)
        AffiliationFactory(firm=firm, affiliate=FirmFactory())
        EligibilityDocumentFactory(firm=firm)


def test_firm_list_query_count_does_not_grow_with_firms(regulator, api_as):
    def queries():
        client = api_as(type(regulator).objects.get(pk=regulator.pk))  # nothing cached on the user
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/firms?page_size=100")
        assert response.status_code == 200
        return len(captured), len(response.json()["results"])

    _seed_firms(2)
    few, rows_few = queries()
    _seed_firms(20)
    many, rows_many = queries()
    assert (rows_few, rows_many) == (4, 44)
    assert many == few <= 4
