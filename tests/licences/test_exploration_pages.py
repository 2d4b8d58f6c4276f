"""The exploration-licence pages and the area-proposal pages: who may see and do what, forms that work without
JavaScript (the relinquishment by pasted or uploaded GeoJSON), refusals shown next to their field."""

import json
import re
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bidders.models import Membership
from blocks.models import Block
from licences import services as svc
from licences.models import AreaProposal, Licence
from tests.factories import MembershipFactory, UserFactory
from tests.factories.licence_el import at, el_granted, el_preferred, firm_of_user, inner_square, pdf, square

pytestmark = pytest.mark.django_db

GRANT = date(2027, 4, 1)
YEAR_3 = date(2030, 4, 2)
ROLES = ["anonymous", "plain user", "other firm", "holder viewer", "holder admin", "regulator"]


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


@pytest.fixture
def el(regulator, firm_user):
    return el_granted(regulator, firm_user, GRANT)


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def get(user, url, on=YEAR_3):
    with time_machine.travel(at(on), tick=False):
        return client_for(user).get(url)


def post(user, url, data=None, on=YEAR_3):
    with time_machine.travel(at(on), tick=False):
        return client_for(user).post(url, data or {})


def field_error(response, name) -> str:
    """The message shown next to the field `name` (its error span; `relinquish_...` on the EL page), or ''."""
    html = response.content.decode()
    found = re.search(rf'id="id_{name}_error" role="alert">([^<]*)<', html)
    return found.group(1) if found else ""


def refused(role, response):
    if role == "anonymous":
        return response.status_code == 302 and "/accounts/login/" in response["Location"]
    return response.status_code == 403


# --- The EL's page: who sees it, what each sees --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_el_page_is_for_the_holders_members_and_the_regulators(roles, el, role):
    response = get(roles[role], f"/licences/{el.pk}/exploration/")
    if role in ("holder viewer", "holder admin", "regulator"):
        assert response.status_code == 200
        html = response.content.decode()
        assert el.number in html and "01 Apr 2032" in html
        has_form = f'action="/licences/{el.pk}/exploration/relinquish/"' in html
        assert has_form == (role == "holder admin")  # acting members only; the regulator does not relinquish
    else:
        assert refused(role, response)


def test_the_regulator_sees_the_grant_button_and_grants(regulator, firm_user):
    licence = el_preferred(firm_user)
    page = get(regulator, f"/licences/{licence.pk}/exploration/", on=GRANT)
    assert "Grant the exploration licence" in page.content.decode()
    response = post(regulator, f"/licences/{licence.pk}/exploration/grant/", on=GRANT)
    assert response.status_code == 302
    assert Licence.objects.get(pk=licence.pk).status == "active"


@pytest.mark.parametrize("role", ROLES)
def test_only_a_regulator_grants_on_the_page(roles, firm_user, role):
    licence = el_preferred(firm_user)
    response = post(roles[role], f"/licences/{licence.pk}/exploration/grant/", on=GRANT)
    if role == "regulator":
        assert response.status_code == 302
    else:
        assert refused(role, response)
    assert Licence.objects.get(pk=licence.pk).status == ("active" if role == "regulator" else "preferred_bidder")


@pytest.mark.parametrize(
    "action,data,on",
    [
        ("extend", {"extended_to": "2033-04-01"}, date(2031, 5, 1)),
        ("extension-request", {"requested_to": "2033-04-01", "reason": "Rains"}, date(2031, 5, 1)),
        ("report", {"summary": "Year 1"}, date(2028, 3, 1)),
        ("discovery", {"stage_reached": "G2", "summary": "Found"}, YEAR_3),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_each_act_on_the_page_is_for_its_role_only(roles, el, role, action, data, on):
    response = post(roles[role], f"/licences/{el.pk}/exploration/{action}/", data, on=on)
    allowed = "regulator" if action == "extend" else "holder admin"
    if role == allowed:
        assert response.status_code == 302
    else:
        assert refused(role, response)
    el.refresh_from_db()
    changed = {
        "extend": el.extended_to is not None,
        "extension-request": "extension_request" in el.details,
        "report": el.reports.exists(),
        "discovery": el.status == "discovery_reported",
    }[action]
    assert changed == (role == allowed)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_holders_admins_relinquish_on_the_page(roles, el, role):
    data = {"retained_boundary": json.dumps(inner_square(el, 0.4)), "summary": "Core"}
    response = post(roles[role], f"/licences/{el.pk}/exploration/relinquish/", data)
    if role == "holder admin":
        assert response.status_code == 302
    else:
        assert refused(role, response)
    el.refresh_from_db()
    assert (el.area_hectares < el.original_area_hectares) == (role == "holder admin")


# --- The relinquishment without JavaScript --------------------------------------------------------------------------


def test_before_three_years_the_page_says_when_relinquishment_opens(firm_user, el):
    html = get(firm_user, f"/licences/{el.pk}/exploration/", on=date(2029, 1, 1)).content.decode()
    assert "opens on 01 Apr 2030" in html
    assert "relinquish/" not in html


def test_the_holder_relinquishes_by_uploading_a_geojson_file(firm_user, el):
    kept = {"type": "Feature", "properties": {"name": "core"}, "geometry": inner_square(el, 0.4)}
    upload = SimpleUploadedFile("kept.geojson", json.dumps(kept).encode(), content_type="application/geo+json")
    response = post(
        firm_user,
        f"/licences/{el.pk}/exploration/relinquish/",
        {"geojson_file": upload, "summary": "The graphite lens", "document": pdf()},
    )
    assert response.status_code == 302
    el.refresh_from_db()
    assert el.boundary == inner_square(el, 0.4)
    page = get(firm_user, f"/licences/{el.pk}/exploration/").content.decode()
    assert f"keeps <strong>{el.area_hectares} ha</strong>" in page
    assert f"{el.area_hectares} ha (of the original {el.original_area_hectares} ha)" in page


def test_a_file_that_is_not_geojson_is_refused_next_to_the_upload(firm_user, el):
    upload = SimpleUploadedFile("kept.kml", b"<kml/>")
    response = post(firm_user, f"/licences/{el.pk}/exploration/relinquish/", {"geojson_file": upload, "summary": "x"})
    assert response.status_code == 400
    assert "not a GeoJSON file" in field_error(response, "relinquish_geojson_file")


def test_keeping_too_much_is_refused_next_to_the_area_field_with_the_polygon_kept(firm_user, el):
    too_much = json.dumps(inner_square(el, 0.6))
    response = post(
        firm_user, f"/licences/{el.pk}/exploration/relinquish/", {"retained_boundary": too_much, "summary": "All"}
    )
    assert response.status_code == 400
    assert "at most 25%" in field_error(response, "relinquish_retained_boundary")
    assert "coordinates" in response.content.decode()  # the typed polygon is shown again, to correct it
    assert Licence.objects.get(pk=el.pk).area_hectares == el.original_area_hectares


def test_a_report_document_is_served_to_the_holder_and_the_regulator_only(roles, el, firm_user):
    with time_machine.travel(at(date(2028, 3, 1)), tick=False):
        report = svc.el_report_file(actor=firm_user, licence_id=el.pk, summary="Year 1", document=pdf())
    url = f"/licences/{el.pk}/exploration/reports/{report.pk}/document"
    for role in ("holder viewer", "holder admin", "regulator"):
        response = get(roles[role], url)
        assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    for role in ("plain user", "other firm"):
        assert get(roles[role], url).status_code == 404
    assert get(None, url).status_code == 302


# --- A firm's proposals -----------------------------------------------------------------------------------------------


def proposal_form(**changes):
    data = {
        "title": "Hills east of Dongri",
        "state": "Odisha",
        "district": "Koraput",
        "minerals": ["graphite"],
        "boundary": json.dumps(square(83.0, 18.5, 0.1)),
        "rationale": "Graphite float.",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ROLES)
def test_the_proposals_page_is_for_firms_members(roles, role):
    response = get(roles[role], "/firm/proposals/")
    if role in ("other firm", "holder viewer", "holder admin"):
        assert response.status_code == 200
        has_form = 'id="proposal-form"' in response.content.decode()
        assert has_form == (role != "holder viewer")
    else:
        assert refused(role, response)


@pytest.mark.parametrize("role", ROLES)
def test_firms_admins_and_bidders_propose_on_the_page(roles, role):
    response = post(roles[role], "/firm/proposals/", proposal_form())
    if role in ("other firm", "holder admin"):
        assert response.status_code == 302
    else:
        assert refused(role, response)
    assert AreaProposal.objects.count() == (1 if role in ("other firm", "holder admin") else 0)


def test_a_proposal_by_uploaded_geojson_lands_in_the_list(firm_user):
    upload = SimpleUploadedFile("area.geojson", json.dumps(square(83.0, 18.5, 0.1)).encode())
    response = post(firm_user, "/firm/proposals/", proposal_form(boundary="", geojson_file=upload))
    assert response.status_code == 302
    html = get(firm_user, "/firm/proposals/").content.decode()
    assert "Hills east of Dongri" in html and "Submitted: in the regulator" in html


def test_a_proposal_for_limestone_is_refused_next_to_the_minerals(firm_user):
    response = post(firm_user, "/firm/proposals/", proposal_form(minerals=["limestone"]))
    assert response.status_code == 400
    assert "Limestone is not a Seventh Schedule mineral" in field_error(response, "minerals")


def test_a_proposal_overlapping_a_block_names_the_block(firm_user):
    Block.objects.create(
        code="OD-GR-09",
        name="Dongri graphite",
        state="Odisha",
        exploration_stage="G3",
        auction_authority="central",
        lease_kind="CL",
        boundary=square(83.05, 18.55, 0.1),
        min_lon=83.05,
        min_lat=18.55,
        max_lon=83.15,
        max_lat=18.65,
    )
    response = post(firm_user, "/firm/proposals/", proposal_form())
    assert response.status_code == 400
    assert "Overlaps block OD-GR-09 (Dongri graphite)" in field_error(response, "boundary")


def test_a_proposal_overlapping_a_licence_in_force_names_the_licence(regulator, firm_user, other_firm_user):
    licence = el_granted(regulator, other_firm_user, GRANT)
    Block.objects.filter(pk=licence.block_id).update(status="withdrawn")  # only the licence holds the ground now
    response = post(firm_user, "/firm/proposals/", proposal_form(boundary=json.dumps(inner_square(licence, 0.5))))
    assert response.status_code == 400
    assert f"exploration licence {licence.number}" in field_error(response, "boundary")


def test_a_self_crossing_polygon_is_refused_with_what_to_fix(firm_user):
    bowtie = {"type": "Polygon", "coordinates": [[[83, 18.5], [83.1, 18.6], [83.1, 18.5], [83, 18.6], [83, 18.5]]]}
    response = post(firm_user, "/firm/proposals/", proposal_form(boundary=json.dumps(bowtie)))
    assert response.status_code == 400
    assert "edges do not cross" in field_error(response, "boundary")


# --- The regulators' queue --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_queue_and_a_proposal_are_for_regulators(roles, firm_user, role):
    proposal = svc.area_proposal_create(actor=firm_user, **{**proposal_form(), "boundary": square(83, 18.5, 0.1)})
    for url in ("/regulator/proposals/", f"/regulator/proposals/{proposal.pk}/"):
        response = get(roles[role], url)
        if role == "regulator":
            assert response.status_code == 200 and "Hills east of Dongri" in response.content.decode()
        else:
            assert refused(role, response)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_only_a_regulator_decides_on_the_page(roles, firm_user, role, decision):
    proposal = svc.area_proposal_create(actor=firm_user, **{**proposal_form(), "boundary": square(83, 18.5, 0.1)})
    data = {"exploration_stage": "G4", "code": "OD-GR-02"} if decision == "accept" else {"reason": "Forest"}
    response = post(roles[role], f"/regulator/proposals/{proposal.pk}/{decision}/", data)
    if role == "regulator":
        assert response.status_code == 302
    else:
        assert refused(role, response)
    proposal.refresh_from_db()
    assert (proposal.status != "submitted") == (role == "regulator")


def test_the_firm_reads_the_rejection_reason(firm_user, regulator):
    proposal = svc.area_proposal_create(actor=firm_user, **{**proposal_form(), "boundary": square(83, 18.5, 0.1)})
    post(regulator, f"/regulator/proposals/{proposal.pk}/reject/", {"reason": "Inside a tiger reserve"})
    html = get(firm_user, "/firm/proposals/").content.decode()
    assert "Rejected" in html and "Inside a tiger reserve" in html
    assert firm_user.notifications.filter(title__contains="rejected").exists()


def test_a_rejection_without_a_reason_is_refused_next_to_the_field(firm_user, regulator):
    proposal = svc.area_proposal_create(actor=firm_user, **{**proposal_form(), "boundary": square(83, 18.5, 0.1)})
    response = post(regulator, f"/regulator/proposals/{proposal.pk}/reject/", {"reason": ""})
    assert response.status_code == 400 and field_error(response, "reason")
    assert AreaProposal.objects.get(pk=proposal.pk).status == "submitted"
