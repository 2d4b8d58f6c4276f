"""Every clearance page, for every role (tests/clearances/conftest.py): who gets it, who is sent to log in, who is
refused, and what each sees; the acts from the case's page for each role; a private document never reaches anyone
outside the case."""

import re
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from clearances.models import Query
from tests.clearances.conftest import PDF, ROLES, add_document
from tests.factories.clearance_cases import make_case, officer

pytestmark = pytest.mark.django_db

TODAY = timezone.make_aware(timezone.datetime(2027, 9, 1, 12))
QUERY_TEXT = "Send the particulars asked on 10 Jun 2027."


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def get(people, role, url):
    with time_machine.travel(TODAY, tick=False):
        return client_for(people[role]).get(url)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- The case's page ------------------------------------------------------------------------------------------------

CASE_PAGE = {
    # role: (full record, the forms offered)
    "anonymous": (False, set()),
    "applicant": (True, {"answer-form", "upload-form", "withdraw-form"}),
    "other_firm": (False, set()),
    "officer": (True, {"answer-form", "decide-form", "upload-form"}),
    "other_officer": (False, set()),
    "desk": (True, set()),
    "regulator": (True, {"answer-form", "decide-form", "upload-form"}),
}


@pytest.mark.parametrize("role", ROLES)
def test_the_case_page_shows_each_role_its_part(role, people, water_case):
    response = get(people, role, f"/clearances/{water_case.pk}/")
    assert response.status_code == 200
    page = text(response)
    full, forms = CASE_PAGE[role]
    # The public record: the stage, the clock stopped by the query, the public document.
    assert "Consent under the Water Act (s.25)" in page and "ML/2027/0042" in page
    assert "Clock stopped" in page and "since 10 Jun 2027" in page
    assert "site-plan-public.pdf" in page
    # The case's own: the query's text and the private document.
    assert (QUERY_TEXT in page) is full
    assert ("consent-application.pdf" in page) is full
    assert set(re.findall(r'<form [^>]*id="([a-z-]+-form)"', page)) == forms


def test_the_regulator_records_for_a_board_that_does_not_use_khanij_and_not_for_one_that_does(
    people, water_case, works_here
):
    page = text(get(people, "regulator", f"/clearances/{water_case.pk}/"))
    assert "You see this case as <strong>regulator</strong>" in page
    assert re.findall(r'<form [^>]*id="([a-z-]+-form)"', page) == []


def test_an_unknown_case_is_404(people):
    assert get(people, "anonymous", "/clearances/999999/").status_code == 404


# --- The acts from the page ----------------------------------------------------------------------------------------


def post(people, role, url, data):
    with time_machine.travel(TODAY, tick=False):
        return client_for(people[role]).post(url, data)


ANSWER = {"answer-answer": "The particulars are attached."}
ANSWERS = {  # role: what happens to an answer sent from the page
    "anonymous": "login",
    "applicant": 302,
    "other_firm": 403,
    "officer": 403,  # the authority records the applicant's answer only with its date and reference
    "other_officer": 403,
    "desk": 403,
    "regulator": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_applicant_answers_a_query_from_the_page(role, people, water_case):
    response = post(people, role, f"/clearances/{water_case.pk}/answer/", ANSWER)
    expected = ANSWERS[role]
    query = Query.objects.get(stage__case=water_case)
    if expected == "login":
        assert sent_to_login(response)
    else:
        assert response.status_code == expected, text(response)[:2000]
    assert (query.answered_on is not None) is (expected == 302)
    if expected == 302:
        assert query.answered_on == date(2027, 9, 1) and query.answer == "The particulars are attached."


def test_a_refused_act_says_why_next_to_the_form_and_changes_nothing(people, water_case):
    response = post(people, "desk", f"/clearances/{water_case.pk}/answer/", ANSWER)
    assert response.status_code == 403
    assert "Only the licence holder" in text(response) or "may" in text(response)
    response = post(people, "applicant", f"/clearances/{water_case.pk}/answer/", {"answer-answer": ""})
    assert response.status_code == 400
    assert "Write the answer" in text(response)
    assert Query.objects.get(stage__case=water_case).answered_on is None


def test_the_regulator_records_the_board_s_decision_on_its_behalf(people, water_case):
    water_case.stages.update(paused_since=None)  # the query was answered in the board's own system
    Query.objects.filter(stage__case=water_case).update(answered_on=date(2027, 6, 20), answer="Sent.")
    data = {"decide-outcome": "refused", "decide-reasons": "The effluent plan is missing."}
    response = post(people, "regulator", f"/clearances/{water_case.pk}/decide/", data)
    assert response.status_code == 400
    assert "with the date it was made and its reference" in text(response)
    data |= {"decide-acted_on": "2027-08-20", "decide-reference": "OSPCB/2027/881"}
    response = post(people, "regulator", f"/clearances/{water_case.pk}/decide/", data)
    assert response.status_code == 302
    water_case.refresh_from_db()
    assert (water_case.outcome, water_case.decided_on) == ("refused", date(2027, 8, 20))
    decision = water_case.decisions.get()
    assert (decision.on_behalf_of.code, decision.external_reference) == ("spcb-odisha", "OSPCB/2027/881")
    page = text(get(people, "anonymous", f"/licences/{water_case.licence_id}/"))
    assert "Refused</strong> on 20 Aug 2027" in page and "recorded on behalf of" in page
    assert "The effluent plan is missing." in page


# --- Documents ---------------------------------------------------------------------------------------------------

DOCUMENT = {"anonymous": 404, "applicant": 200, "other_firm": 404, "officer": 200, "other_officer": 404, "desk": 200,
            "regulator": 200}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_a_private_document_reaches_the_case_s_own_people_only(role, people, water_case):
    private = water_case.documents.get(public=False)
    response = get(people, role, f"/clearances/{water_case.pk}/documents/{private.pk}/")
    assert response.status_code == DOCUMENT[role]
    if response.status_code == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        assert response["Content-Disposition"].startswith('attachment; filename="consent-application.pdf"')
        assert "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("role", ROLES)
def test_a_public_document_reaches_anyone(role, people, water_case):
    public = water_case.documents.get(public=True)
    response = get(people, role, f"/clearances/{water_case.pk}/documents/{public.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_document_is_reached_only_through_its_own_case(people, water_case, firm_user):
    other = add_document(make_case(), firm_user, "someone-else.pdf")
    assert get(people, "applicant", f"/clearances/{water_case.pk}/documents/{other.pk}/").status_code == 404


def test_no_static_or_media_route_serves_a_private_document(people, water_case, settings):
    private = water_case.documents.get(public=False)
    for prefix in ("/media/", "/static/", "/private-files-are-not-served/", settings.MEDIA_URL):
        assert get(people, "applicant", f"{prefix}{private.file.name}").status_code == 404


# --- The lists -----------------------------------------------------------------------------------------------------

LISTS = {
    # url: {role: status}; 200 pages list the case when "+" follows.
    "/firm/clearances/": {"anonymous": "login", "applicant": "200+", "other_firm": "200", "officer": 403,
                          "other_officer": 403, "desk": 403, "regulator": 403},
    "/authority/clearances/": {"anonymous": "login", "applicant": 403, "other_firm": 403, "officer": "200+",
                               "other_officer": "200", "desk": 403, "regulator": 403},
    "/clearances/desk/": {"anonymous": "login", "applicant": 403, "other_firm": 403, "officer": 403,
                          "other_officer": 403, "desk": "200+", "regulator": "200+"},
    "/regulator/clearances/": {"anonymous": "login", "applicant": 403, "other_firm": 403, "officer": 403,
                               "other_officer": 403, "desk": 403, "regulator": "200+"},
    "/clearances/statistics/": dict.fromkeys(ROLES, "200"),
}  # fmt: skip


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("role", ROLES)
def test_each_list_page_is_for_its_role(url, role, people, water_case):
    expected = LISTS[url][role]
    response = get(people, role, url)
    if expected == "login":
        assert sent_to_login(response)
        return
    assert response.status_code == int(str(expected).rstrip("+"))
    listed = f'id="case-{water_case.pk}"' in text(response)
    assert listed is str(expected).endswith("+")


@pytest.mark.parametrize("role", ROLES)
def test_the_filing_page_is_the_holder_s(role, people, water_case):
    response = get(people, role, f"/licences/{water_case.licence_id}/clearances/file/")
    expected = {"anonymous": "login", "applicant": 200}.get(role, 403)
    if expected == "login":
        assert sent_to_login(response)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_the_licence_page_shows_everyone_the_cases_clock_and_nothing_private(role, people, water_case):
    page = text(get(people, role, f"/licences/{water_case.licence_id}/"))
    assert f'id="clearance-{water_case.pk}"' in page
    assert "Clock stopped" in page and "since 10 Jun 2027" in page
    assert "site-plan-public.pdf" in page
    assert QUERY_TEXT not in page and "consent-application.pdf" not in page


def test_the_navigation_links_each_role_to_its_pages(people):
    links = {
        "applicant": "/firm/clearances/",
        "officer": "/authority/clearances/",
        "desk": "/clearances/desk/",
        "regulator": "/regulator/clearances/",
    }
    same = {"other_officer": "officer", "other_firm": "applicant"}  # another firm, another board: the same links
    for role in ROLES:
        page = text(get(people, role, "/licences/"))
        assert 'href="/clearances/statistics/"' in page
        for owner, link in links.items():
            assert (f'href="{link}"' in page) is (same.get(role, role) == owner), (role, link)


def test_the_applicant_uploads_a_pdf_from_the_page_and_a_renamed_file_is_refused_next_to_the_field(people, water_case):
    url = f"/clearances/{water_case.pk}/documents/"
    fake = SimpleUploadedFile("answer.pdf", b"GIF89a an image renamed", content_type="application/pdf")
    response = post(people, "applicant", url, {"upload-file": fake, "upload-description": "Answer"})
    assert response.status_code == 400
    assert "answer.pdf is not a PDF (its content is not, whatever its name says)" in text(response)
    real = SimpleUploadedFile("answer.pdf", PDF, content_type="application/pdf")
    response = post(
        people, "applicant", url, {"upload-file": real, "upload-description": "Answer", "upload-public": "on"}
    )
    assert response.status_code == 302
    added = water_case.documents.get(name="answer.pdf")
    assert (added.public, added.size, added.uploaded_by) == (True, len(PDF), people["applicant"])
    assert get(people, "anonymous", f"/clearances/{water_case.pk}/documents/{added.pk}/").status_code == 200


def test_a_forest_stage_1_past_its_validity_without_compliance_shows_as_revocable_to_the_authority(people):
    moefcc = officer("forest-officer", "moefcc").user
    people = {**people, "moefcc": moefcc}
    granted = make_case(kind="forest_stage_1", filed_on=date(2021, 1, 1), at=1, outcome="granted",
                        decided_on=date(2021, 6, 1), valid_until=date(2026, 6, 1))  # fmt: skip
    still_valid = make_case(kind="forest_stage_1", filed_on=date(2024, 1, 1), at=1, outcome="granted",
                            decided_on=date(2024, 6, 1), valid_until=date(2029, 6, 1))  # fmt: skip
    assert 'id="revoke-form"' in text(get(people, "moefcc", f"/clearances/{granted.pk}/"))
    assert 'id="revoke-form"' not in text(get(people, "moefcc", f"/clearances/{still_valid.pk}/"))
    assert 'id="revoke-form"' not in text(get(people, "desk", f"/clearances/{granted.pk}/"))
    response = post(people, "moefcc", f"/clearances/{granted.pk}/revoke/", {"revoke-reasons": "No compliance report."})
    assert response.status_code == 302
    granted.refresh_from_db()
    assert (granted.outcome, granted.decisions.get(outcome="revoked").decided_on) == ("revoked", date(2027, 9, 1))
