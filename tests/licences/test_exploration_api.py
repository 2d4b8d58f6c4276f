"""The exploration-licence and area-proposal API: every endpoint for every role, the answers, the refusals' shape,
the retries of a proposal, and the query count of the list."""

import uuid
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bidders.models import Membership
from blocks.models import Block
from licences import services as svc
from licences.models import AreaProposal, Licence
from tests.factories import MembershipFactory, UserFactory
from tests.factories.licence_el import at, el_granted, el_preferred, firm_of_user, inner_square, pdf, square

pytestmark = pytest.mark.django_db

GRANT = date(2027, 4, 1)
YEAR_3 = date(2030, 4, 2)


@pytest.fixture
def viewer(firm_user):
    return MembershipFactory(
        user=UserFactory(username="vera"), firm=firm_of_user(firm_user), role=Membership.Role.VIEWER
    ).user


@pytest.fixture
def roles(plain_user, firm_user, viewer, other_firm_user, regulator):
    return {
        "anonymous": None,
        "plain user": plain_user,
        "other firm": other_firm_user,
        "holder viewer": viewer,
        "holder admin": firm_user,
        "regulator": regulator,
    }


def call(api_as, user, method, url, body=None, on=YEAR_3, fmt="json", **headers):
    with time_machine.travel(at(on), tick=False):
        return getattr(api_as(user), method)(url, body, format=fmt, **headers)


def proposal_body(**changes):
    body = {
        "title": "Hills east of Dongri",
        "state": "Odisha",
        "district": "Koraput",
        "minerals": ["graphite"],
        "boundary": square(83.0, 18.5, 0.1),
        "rationale": "Graphite float in the streams.",
    }
    body.update(changes)
    return body


def a_proposal(user, **changes):
    return svc.area_proposal_create(actor=user, **proposal_body(**changes))


def denied(role):
    return 401 if role == "anonymous" else 403


ROLES = ["anonymous", "plain user", "other firm", "holder viewer", "holder admin", "regulator"]


# --- Every endpoint, every role ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_el_is_read_by_its_holders_members_and_the_regulators_only(roles, regulator, firm_user, api_as, role):
    el = el_granted(regulator, firm_user, GRANT)
    response = call(api_as, roles[role], "get", f"/api/v1/licences/{el.pk}/exploration")
    expected = 200 if role in ("holder viewer", "holder admin", "regulator") else denied(role)
    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert (body["number"], body["status"], body["expires_on"]) == (el.number, "active", "2032-04-01")
        assert body["relinquishment_opens"] == "2030-04-01"
        assert [o["due_on"] for o in body["obligations"] if o["kind"] == "work_report"][0] == "2028-04-01"
    else:
        assert response.json()["error"]["code"] in ("not_authenticated", "permission_denied")


@pytest.mark.parametrize("role", ROLES)
def test_only_a_regulator_grants(roles, firm_user, api_as, role):
    el = el_preferred(firm_user)
    response = call(api_as, roles[role], "post", f"/api/v1/licences/{el.pk}/grant", on=GRANT)
    assert response.status_code == (200 if role == "regulator" else denied(role))
    assert Licence.objects.get(pk=el.pk).status == ("active" if role == "regulator" else "preferred_bidder")
    if role == "regulator":
        assert response.json()["expires_on"] == "2032-04-01"


@pytest.mark.parametrize("role", ROLES)
def test_only_a_regulator_extends(roles, regulator, firm_user, api_as, role):
    el = el_granted(regulator, firm_user, GRANT)
    body = {"extended_to": "2034-04-01"}
    response = call(api_as, roles[role], "post", f"/api/v1/licences/{el.pk}/extend", body, on=date(2031, 5, 1))
    assert response.status_code == (200 if role == "regulator" else denied(role))
    assert Licence.objects.get(pk=el.pk).extended_to == (date(2034, 4, 1) if role == "regulator" else None)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_holders_admins_and_bidders_ask_for_an_extension(roles, regulator, firm_user, api_as, role):
    el = el_granted(regulator, firm_user, GRANT)
    body = {"requested_to": "2033-04-01", "reason": "Rains"}
    response = call(api_as, roles[role], "post", f"/api/v1/licences/{el.pk}/extension-request", body)
    assert response.status_code == (200 if role == "holder admin" else denied(role))
    if role == "holder admin":
        assert response.json()["extension_request"]["requested_to"] == "2033-04-01"
    elif role == "holder viewer":
        assert "viewer" in response.json()["error"]["message"]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_holders_admins_and_bidders_file_reports(roles, regulator, firm_user, api_as, role):
    el = el_granted(regulator, firm_user, GRANT)
    body = {"summary": "Mapped the north.", "document": pdf()}
    response = call(
        api_as, roles[role], "post", f"/api/v1/licences/{el.pk}/reports", body, on=date(2028, 3, 1), fmt="multipart"
    )
    assert response.status_code == (201 if role == "holder admin" else denied(role))
    reports = el.reports.count()
    assert reports == (1 if role == "holder admin" else 0)
    if role == "holder admin":
        filed = response.json()["reports"][0]
        assert filed["obligation_due_on"] == "2028-04-01" and filed["document_url"].endswith("/document")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_holders_admins_and_bidders_relinquish(roles, regulator, firm_user, api_as, role):
    el = el_granted(regulator, firm_user, GRANT)
    body = {"retained_boundary": inner_square(el, 0.4), "summary": "The graphite lens is here."}
    response = call(api_as, roles[role], "post", f"/api/v1/licences/{el.pk}/relinquishment", body)
    assert response.status_code == (201 if role == "holder admin" else denied(role))
    el.refresh_from_db()
    if role == "holder admin":
        answer = response.json()
        assert answer["area_hectares"] == str(el.area_hectares)
        assert answer["original_area_hectares"] == str(el.original_area_hectares)
        assert answer["relinquishment"]["retained_area_hectares"] == str(el.area_hectares)
    else:
        assert el.area_hectares == el.original_area_hectares


@pytest.mark.parametrize("role", ROLES)
def test_only_the_holders_admins_and_bidders_report_a_discovery(roles, regulator, firm_user, api_as, role):
    el = el_granted(regulator, firm_user, GRANT)
    body = {"stage_reached": "G2", "summary": "Resources at G2."}
    response = call(api_as, roles[role], "post", f"/api/v1/licences/{el.pk}/discovery", body)
    assert response.status_code == (201 if role == "holder admin" else denied(role))
    assert Licence.objects.get(pk=el.pk).status == ("discovery_reported" if role == "holder admin" else "active")


@pytest.mark.parametrize("role", ROLES)
def test_proposals_are_listed_for_firms_own_and_for_regulators_all(roles, firm_user, other_firm_user, api_as, role):
    mine = a_proposal(firm_user)
    theirs = a_proposal(other_firm_user, title="Bob's ridge", boundary=square(84.0, 19.0, 0.05))
    response = call(api_as, roles[role], "get", "/api/v1/area-proposals")
    if role in ("anonymous", "plain user"):
        assert response.status_code == denied(role)
        return
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    expected = {
        "other firm": {theirs.pk},
        "holder viewer": {mine.pk},
        "holder admin": {mine.pk},
        "regulator": {mine.pk, theirs.pk},
    }[role]
    assert ids == expected


@pytest.mark.parametrize("role", ROLES)
def test_firms_admins_and_bidders_propose_areas(roles, api_as, role):
    response = call(api_as, roles[role], "post", "/api/v1/area-proposals", proposal_body())
    may = role in ("holder admin", "other firm")
    assert response.status_code == (201 if may else denied(role))
    assert AreaProposal.objects.count() == (1 if may else 0)
    if may:
        answer = response.json()
        assert (answer["status"], answer["minerals"], answer["state"]) == ("submitted", ["graphite"], "Odisha")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_only_a_regulator_decides_a_proposal(roles, firm_user, api_as, role, decision):
    proposal = a_proposal(firm_user)
    body = {"exploration_stage": "G4", "code": "OD-GR-01"} if decision == "accept" else {"reason": "Forest reserve"}
    response = call(api_as, roles[role], "post", f"/api/v1/area-proposals/{proposal.pk}/{decision}", body)
    assert response.status_code == (200 if role == "regulator" else denied(role))
    proposal.refresh_from_db()
    if role == "regulator":
        assert proposal.status == ("accepted" if decision == "accept" else "rejected")
    else:
        assert proposal.status == "submitted"


# --- Answers and refusals ---------------------------------------------------------------------------------------


def test_an_accepted_proposal_is_a_block_in_the_registry(firm_user, regulator, api_as):
    proposal = a_proposal(firm_user)
    response = call(
        api_as, regulator, "post", f"/api/v1/area-proposals/{proposal.pk}/accept", {"exploration_stage": "G3"}
    )
    assert response.status_code == 200
    code = response.json()["block"]
    block = Block.objects.get(code=code)
    assert (block.exploration_stage, block.el_eligible, block.status, block.state) == (
        "G3",
        True,
        "identified",
        "Odisha",
    )
    assert block.area_hectares == proposal.area_hectares


def test_a_proposal_cannot_be_accepted_at_g2(firm_user, regulator, api_as):
    proposal = a_proposal(firm_user)
    response = call(
        api_as, regulator, "post", f"/api/v1/area-proposals/{proposal.pk}/accept", {"exploration_stage": "G2"}
    )
    assert response.status_code == 400
    assert "G4" in response.json()["error"]["fields"]["exploration_stage"][0]


def test_a_refused_relinquishment_names_the_field_and_the_limit(regulator, firm_user, api_as):
    el = el_granted(regulator, firm_user, GRANT)
    body = {"retained_boundary": inner_square(el, 0.6), "summary": "Too much"}
    response = call(api_as, firm_user, "post", f"/api/v1/licences/{el.pk}/relinquishment", body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "retention_refused" and "at most 25%" in error["fields"]["retained_boundary"][0]


def test_a_relinquishment_as_multipart_takes_the_geojson_as_text(regulator, firm_user, api_as):
    import json

    el = el_granted(regulator, firm_user, GRANT)
    body = {"retained_boundary": json.dumps(inner_square(el, 0.4)), "summary": "Core", "document": pdf()}
    response = call(api_as, firm_user, "post", f"/api/v1/licences/{el.pk}/relinquishment", body, fmt="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["relinquishment"]["document_url"]


def test_a_proposal_over_1000_km2_is_refused_on_its_boundary(firm_user, api_as):
    # 0.3 degree square at latitude 18.5: about 31.6 km x 33.2 km = 1,049 km².
    response = call(api_as, firm_user, "post", "/api/v1/area-proposals", proposal_body(boundary=square(83, 18.5, 0.3)))
    assert response.status_code == 400
    assert "at most 1,000" in response.json()["error"]["fields"]["boundary"][0]


def test_a_proposal_for_limestone_is_refused_on_its_minerals(firm_user, api_as):
    response = call(api_as, firm_user, "post", "/api/v1/area-proposals", proposal_body(minerals=["limestone"]))
    assert response.status_code == 400
    assert "Limestone is not a Seventh Schedule mineral" in response.json()["error"]["fields"]["minerals"][0]


# --- Retries --------------------------------------------------------------------------------------------------------


def test_a_retried_proposal_is_created_once_and_answered_the_same(firm_user, api_as):
    key = str(uuid.uuid4())
    first = call(api_as, firm_user, "post", "/api/v1/area-proposals", proposal_body(), HTTP_IDEMPOTENCY_KEY=key)
    again = call(api_as, firm_user, "post", "/api/v1/area-proposals", proposal_body(), HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert AreaProposal.objects.count() == 1
    other = call(
        api_as, firm_user, "post", "/api/v1/area-proposals", proposal_body(title="Other"), HTTP_IDEMPOTENCY_KEY=key
    )
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert AreaProposal.objects.count() == 1


def test_a_retried_refusal_is_answered_the_same_without_a_second_try(firm_user, api_as):
    key = str(uuid.uuid4())
    body = proposal_body(minerals=["limestone"])
    first = call(api_as, firm_user, "post", "/api/v1/area-proposals", body, HTTP_IDEMPOTENCY_KEY=key)
    again = call(api_as, firm_user, "post", "/api/v1/area-proposals", body, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 400 and again.json() == first.json()


def test_a_retried_relinquishment_is_answered_as_accepted_not_as_already_done(regulator, firm_user, api_as):
    el = el_granted(regulator, firm_user, GRANT)
    body = {"retained_boundary": inner_square(el, 0.4), "summary": "Core"}
    key = str(uuid.uuid4())
    url = f"/api/v1/licences/{el.pk}/relinquishment"
    first = call(api_as, firm_user, "post", url, body, HTTP_IDEMPOTENCY_KEY=key)
    again = call(api_as, firm_user, "post", url, body, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert el.reports.count() == 1
    fresh = call(api_as, firm_user, "post", url, body, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert fresh.status_code == 409 and "already relinquished" in fresh.json()["error"]["message"]


def test_listing_proposals_takes_the_same_queries_for_one_or_many(firm_user, regulator, api_as):
    a_proposal(firm_user)
    client = api_as(regulator)
    client.get("/api/v1/area-proposals")  # the user's role is looked up once
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/area-proposals").status_code == 200
    for n in range(4):
        a_proposal(firm_user, title=f"Area {n}", boundary=square(84.0 + n * 0.2, 20.0, 0.05))
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/area-proposals").json()["results"]) == 5
    assert len(many) == len(one)
