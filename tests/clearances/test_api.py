"""The clearance API for every role (tests/clearances/conftest.py): the public record is the same for all and holds
nothing private; the signed-in reads are scoped by role; every act is allowed to its role only, is idempotent by
Idempotency-Key, names the field of a bad input and changes nothing then; lists cost the same queries for 2 cases
or 20."""

import csv
import io
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from clearances.models import Case, Document, Query
from tests.clearances.conftest import PDF, ROLES, pdf_bytes
from tests.factories.clearance_cases import make_case
from tests.factories.licences import make_licence

pytestmark = pytest.mark.django_db

TODAY = timezone.make_aware(timezone.datetime(2027, 9, 1, 12))
QUERY_TEXT = "Send the particulars asked on 10 Jun 2027."


def api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def call(people, role, method, url, data=None, **extra):
    with time_machine.travel(TODAY, tick=False):
        return getattr(api(people[role]), method)(url, data, **extra)


# --- The public record -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_public_record_is_the_same_for_everyone_and_holds_nothing_private(role, people, water_case):
    listed = call(people, role, "get", "/api/v1/public/clearances")
    assert listed.status_code == 200 and listed["Cache-Control"] == "public, max-age=60"
    [row] = listed.json()["results"]
    assert row["licence"]["number"] == "ML/2027/0042" and row["authority"]["code"] == "spcb-odisha"
    assert (row["clock_stopped"], row["days_used"], row["days_allowed"]) == (True, 39, 123)
    detail = call(people, role, "get", f"/api/v1/public/clearances/{water_case.pk}")
    body = detail.content.decode()
    assert detail.status_code == 200
    assert [d["name"] for d in detail.json()["documents"]] == ["site-plan-public.pdf"]
    assert QUERY_TEXT not in body and "consent-application.pdf" not in body
    clock = detail.json()["stages"][0]["clock"]
    assert clock == {
        "days_used": 39, "days_allowed": 123, "days_left": 84, "overdue": False, "stopped": True,
        "stopped_since": "2027-06-10", "target_date": "2027-09-01",
    }  # fmt: skip
    stats = call(people, role, "get", "/api/v1/public/clearances/statistics")
    assert stats.status_code == 200 and stats.json()["overall"]["open"] == 1


def test_the_public_list_filters_names_a_bad_value_and_pages_through_every_case():
    for n in range(7):
        make_case(filed_on=date(2027, 3, 1 + n))
    make_case(kind="water_consent", licence=make_licence(status="loi_issued", state="Odisha"), fast_track=True)
    client = APIClient()
    with time_machine.travel(TODAY, tick=False):
        seen, url = [], "/api/v1/public/clearances?page_size=3&kind=mining_plan&ordering=-days_used"
        while url:
            page = client.get(url).json()
            seen += page["results"]
            url = page["next"]
        assert len(seen) == 7 and [r["days_used"] for r in seen] == sorted((r["days_used"] for r in seen), reverse=True)
        assert len(client.get("/api/v1/public/clearances?fast_track=true").json()["results"]) == 1
        assert len(client.get("/api/v1/public/clearances?overdue=true").json()["results"]) == 7
        assert len(client.get("/api/v1/public/clearances?state=Odisha&authority=spcb-odisha").json()["results"]) == 1
        bad = client.get("/api/v1/public/clearances?kind=mining")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["kind"][0].startswith("mining is not a known kind. Allowed values:")


def test_the_csv_lists_the_filtered_cases_with_their_clock(water_case):
    make_case()  # a mining plan, not in the filter
    with time_machine.travel(TODAY, tick=False):
        response = APIClient().get("/api/v1/public/clearances.csv?kind=water_consent")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert (row["licence"], row["kind"], row["authority"], row["clock_stopped"], row["days_used"]) == (
        "ML/2027/0042", "water_consent", "spcb-odisha", "true", "39"
    )  # fmt: skip
    assert row["portal_url"].endswith(f"/clearances/{water_case.pk}/")


CSV_COLUMNS = [
    "id", "licence", "holder", "state", "kind", "authority", "status", "outcome", "filed_on", "decided_on",
    "fast_track", "fast_track_minerals", "external_reference", "stage", "days_used", "days_allowed", "days_left",
    "target_date", "overdue", "clock_stopped", "escalated_on", "portal_url",
]  # fmt: skip


def csv_rows(url: str) -> list[dict]:
    response = APIClient().get(url)
    assert response.status_code == 200, response.content if not response.streaming else url
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_has_the_documented_columns_and_the_filters_of_the_list():
    for n in range(3):
        make_case(filed_on=date(2027, 3, 1 + n))
    odisha = make_case(kind="water_consent", licence=make_licence(status="loi_issued", state="Odisha"), fast_track=True)
    with time_machine.travel(TODAY, tick=False):
        response = APIClient().get("/api/v1/public/clearances.csv")
        header = next(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert header == CSV_COLUMNS
        for query, expected in (
            ("", 4),
            ("kind=mining_plan", 3),
            ("state=Odisha", 1),
            ("authority=spcb-odisha", 1),
            ("fast_track=true", 1),
            ("fast_track=false", 3),
            ("overdue=true", 3),
            (f"licence={odisha.licence_id}", 1),
            ("status=withdrawn", 0),
        ):
            assert len(csv_rows(f"/api/v1/public/clearances.csv?{query}")) == expected, query
        ordered = csv_rows("/api/v1/public/clearances.csv?kind=mining_plan&ordering=-filed_on")
        assert [r["filed_on"] for r in ordered] == ["2027-03-03", "2027-03-02", "2027-03-01"]
        bad = APIClient().get("/api/v1/public/clearances.csv?state=Atlantis")
    assert bad.status_code == 400 and "state" in bad.json()["error"]["fields"]


def test_the_full_dumps_hold_every_case_as_the_unfiltered_download(water_case, settings, tmp_path, client):
    from licences.dumps import build_dumps

    settings.OPEN_DATA_DIR, settings.SITE_URL = tmp_path, "http://testserver"
    make_case()
    with time_machine.travel(TODAY, tick=False):
        manifest = build_dumps()
        download = b"".join(APIClient().get("/api/v1/public/clearances.csv").streaming_content).decode()
        listed = {f["name"]: f for f in client.get("/api/v1/public/").json()["files"]}
    [entry] = [f for f in manifest["files"] if f["name"] == "clearances.csv"]
    assert entry["rows"] == 2 and entry["format"] == "csv" and entry["title"] == "Clearance cases"
    assert (tmp_path / "clearances.csv").read_bytes().decode() == download
    assert listed["clearances.csv"]["sha256"] == entry["sha256"]


def test_the_public_list_and_statistics_cost_the_same_queries_for_two_cases_or_twenty():
    client = APIClient()

    def count(url):
        with time_machine.travel(TODAY, tick=False), CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def add(n):
        for i in range(n):
            make_case(filed_on=date(2027, 3, 1 + i), outcome="granted" if i % 2 else "", decided_on=date(2027, 5, 1))
            make_case(kind="water_consent", queries=[(date(2027, 5, 3), None)])

    urls = ["/api/v1/public/clearances", "/api/v1/public/clearances/statistics", "/clearances/statistics/"]
    add(1)
    few = [count(u) for u in urls]
    add(10)
    assert [count(u) for u in urls] == few


# --- The signed-in reads ---------------------------------------------------------------------------------------------

SEES = {"anonymous": 401, "applicant": 1, "other_firm": 0, "officer": 1, "other_officer": 0, "desk": 1, "regulator": 1}
FULL = {"anonymous": 401, "applicant": 200, "other_firm": 403, "officer": 200, "other_officer": 403, "desk": 200,
        "regulator": 200}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_cases_it_may_see(role, people, water_case):
    response = call(people, role, "get", "/api/v1/clearances")
    if SEES[role] == 401:
        assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"
        return
    assert len(response.json()["results"]) == SEES[role]


@pytest.mark.parametrize("role", ROLES)
def test_the_queries_and_documents_are_for_the_case_s_own_people(role, people, water_case):
    response = call(people, role, "get", f"/api/v1/clearances/{water_case.pk}")
    assert response.status_code == FULL[role]
    if response.status_code == 200:
        body = response.json()
        assert [q["text"] for q in body["queries"]] == [QUERY_TEXT]
        assert {d["name"] for d in body["documents"]} == {"consent-application.pdf", "site-plan-public.pdf"}
        assert body["role"] == {"applicant": "applicant", "officer": "officer", "desk": "facilitation desk",
                                "regulator": "regulator"}[role]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_the_overdue_board_shows_each_role_its_overdue_stages(role, people, water_case):
    overdue = make_case(licence=water_case.licence, kind="mining_plan", filed_on=date(2027, 3, 1))  # IBM's
    response = call(people, role, "get", "/api/v1/clearances/overdue")
    if role == "anonymous":
        assert response.status_code == 401
        return
    cases = [s["case"] for s in response.json()["results"]]
    assert cases == ([overdue.pk] if role in ("applicant", "desk", "regulator") else [])


# --- The acts ------------------------------------------------------------------------------------------------------

QUERY = {"text": "Send the effluent treatment plan."}
RAISES = {"anonymous": 401, "applicant": 403, "other_firm": 403, "officer": 201, "other_officer": 403, "desk": 403,
          "regulator": 400}  # fmt: skip


def _answered(case):
    Query.objects.filter(stage__case=case).update(answered_on=date(2027, 6, 20), answer="Sent.")
    case.stages.update(paused_since=None, days_paused=10)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_authority_raises_a_query(role, people, water_case):
    _answered(water_case)
    response = call(people, role, "post", f"/api/v1/clearances/{water_case.pk}/queries", QUERY, format="json")
    assert response.status_code == RAISES[role], response.content
    raised = Query.objects.filter(stage__case=water_case, text=QUERY["text"]).exists()
    assert raised is (RAISES[role] == 201)
    if role == "regulator":  # the board does not use Khanij: the regulator records its act with date and reference
        assert set(response.json()["error"]["fields"]) == {"acted_on", "reference"}
        recorded = call(people, role, "post", f"/api/v1/clearances/{water_case.pk}/queries",
                        {**QUERY, "acted_on": "2027-08-25", "reference": "OSPCB/Q/17"}, format="json")  # fmt: skip
        assert recorded.status_code == 201 and recorded.json()["raised_on"] == "2027-08-25"


ANSWERS = {"anonymous": 401, "applicant": 200, "other_firm": 403, "officer": 403, "other_officer": 403, "desk": 403,
           "regulator": 403}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_only_the_applicant_answers(role, people, water_case):
    response = call(people, role, "post", f"/api/v1/clearances/{water_case.pk}/answer",
                    {"answer": "Attached."}, format="json")  # fmt: skip
    assert response.status_code == ANSWERS[role], response.content
    assert (Query.objects.get(stage__case=water_case).answered_on is not None) is (ANSWERS[role] == 200)


# A regulator records a case filed in the system of a body that does not use Khanij, with its date and reference.
FILES = {"anonymous": 401, "applicant": 201, "other_firm": 403, "officer": 403, "other_officer": 403, "desk": 403,
         "regulator": 400}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_only_the_holder_files_a_case(role, people, water_case):
    response = call(people, role, "post", f"/api/v1/licences/{water_case.licence_id}/clearances",
                    {"kind": "mining_plan"}, format="json")  # fmt: skip
    assert response.status_code == FILES[role], response.content
    assert Case.objects.filter(licence=water_case.licence, kind="mining_plan").exists() is (FILES[role] == 201)
    if FILES[role] == 201:
        body = response.json()
        assert (body["authority"]["code"], body["fast_track"], body["days_used"]) == ("ibm", True, 0)


UPLOADS = {"anonymous": 401, "applicant": 201, "other_firm": 403, "officer": 201, "other_officer": 403, "desk": 403,
           "regulator": 201}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_the_case_s_parties_add_documents(role, people, water_case):
    upload = SimpleUploadedFile("answer.pdf", PDF, content_type="application/pdf")
    response = call(people, role, "post", f"/api/v1/clearances/{water_case.pk}/documents",
                    {"file": upload, "description": "The answer"}, format="multipart")  # fmt: skip
    assert response.status_code == UPLOADS[role], response.content
    assert Document.objects.filter(case=water_case, name="answer.pdf").exists() is (UPLOADS[role] == 201)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 a spreadsheet renamed .pdf", "report.pdf is not a PDF (its content is not"),
        (b"%PDF-1.7\n a header and nothing else", "report.pdf is damaged or not a complete PDF"),
        (pdf_bytes(password="secret"), "report.pdf is protected by a password"),
        (PDF + b"0" * 1024 * 1024, "report.pdf is 1.0\xa0MB; the limit is 1.0\xa0MB. Reduce its resolution"),
    ],
)
def test_a_file_that_is_not_a_readable_pdf_within_the_limit_is_refused_naming_the_field(
    content, message, people, water_case, settings
):
    settings.CLEARANCE_DOCUMENT_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("report.pdf", content, content_type="application/pdf")
    response = call(people, "applicant", "post", f"/api/v1/clearances/{water_case.pk}/documents", {"file": upload},
                    format="multipart")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["file"][0].startswith(message)
    assert water_case.documents.count() == 2


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        ("decide", {"outcome": "granted"}, "reasons"),
        ("decide", {"outcome": "approved", "reasons": "Fine."}, "outcome"),
        ("queries", {"text": ""}, "text"),
        ("queries", {"text": "More.", "acted_on": "2031-01-01", "reference": "R/1"}, "acted_on"),
        ("queries", {"text": "More.", "acted_on": "2027-04-01", "reference": "R/1"}, "acted_on"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_changes(url, data, field, people, water_case):
    _answered(water_case)
    before = (Query.objects.count(), water_case.decisions.count())
    response = call(people, "officer", "post", f"/api/v1/clearances/{water_case.pk}/{url}", data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert (Query.objects.count(), water_case.decisions.count()) == before


def test_a_retry_with_the_same_key_gets_the_first_answer_and_raises_one_query(people, water_case):
    _answered(water_case)
    url = f"/api/v1/clearances/{water_case.pk}/queries"
    first = call(people, "officer", "post", url, QUERY, format="json", HTTP_IDEMPOTENCY_KEY="q-1")
    again = call(people, "officer", "post", url, QUERY, format="json", HTTP_IDEMPOTENCY_KEY="q-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    other = call(people, "officer", "post", url, {"text": "Another."}, format="json", HTTP_IDEMPOTENCY_KEY="q-1")
    assert other.status_code == 409
    assert Query.objects.filter(stage__case=water_case, text=QUERY["text"]).count() == 1


REVOKES = {"anonymous": 401, "applicant": 403, "other_firm": 403, "officer": 403, "other_officer": 403, "desk": 403,
           "regulator": 201}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_a_forest_stage_1_past_its_validity_is_revoked_by_its_authority_only(role, people):
    case = make_case(kind="forest_stage_1", filed_on=date(2021, 1, 1), at=1, outcome="granted",
                     decided_on=date(2021, 6, 1), valid_until=date(2026, 6, 1))  # fmt: skip
    data = {"reasons": "No compliance report within the validity."}
    if role == "regulator":  # MoEFCC does not use Khanij here: the regulator records its revocation
        data |= {"acted_on": "2027-08-01", "reference": "MoEFCC/FC/2027/9"}
    response = call(people, role, "post", f"/api/v1/clearances/{case.pk}/revoke", data, format="json")
    assert response.status_code == REVOKES[role], response.content
    case.refresh_from_db()
    assert (case.outcome == "revoked") is (REVOKES[role] == 201)
