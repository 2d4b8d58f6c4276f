"""The obligations download (/api/v1/public/obligations.csv) and the licence register's CSV on the shared streamed
helper: columns, filters, overdue as the licence pages say it, payments never in it, the cap, constant queries."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from licences.models import Payment
from tests.factories.licence_post import at
from tests.factories.licence_register import ml_with_history
from tests.factories.licences import make_licence

pytestmark = pytest.mark.django_db

URL = "/api/v1/public/obligations.csv"
COLUMNS = [
    "id", "licence", "licence_kind", "holder_name", "state", "kind", "title", "due_on", "amount", "status",
    "overdue", "met_on", "penalty", "period", "basis", "penalty_basis", "licence_url",
]  # fmt: skip
DUE = datetime.date(2030, 4, 1)  # the second instalment of ml_with_history, pending


def rows(response) -> list[dict]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def lease(firm_user, regulator):
    return ml_with_history(holder=firm_user.memberships.get().firm, regulator=regulator, number="ML/2027/0007")


def test_every_obligation_with_the_documented_columns(client, lease):
    with time_machine.travel(at(DUE + datetime.timedelta(days=1)), tick=False):
        response = client.get(URL)
        text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[0].split(",") == COLUMNS
    assert 'filename="khanij-obligations.csv"' in response["Content-Disposition"]
    by_kind = {r["kind"]: r for r in csv.DictReader(io.StringIO(text))}
    assert list(by_kind) == ["upfront_1", "mining_plan", "upfront_2"]  # by due date, as on the licence page
    first = by_kind["upfront_1"]
    assert (first["licence"], first["licence_kind"], first["holder_name"]) == (
        "ML/2027/0007",
        "ML",
        "Alice Minerals Ltd",
    )
    assert (first["status"], first["met_on"], first["amount"]) == ("met", "2027-04-10", "1000000.00")
    assert "45 days after 1 Mar 2027" in first["basis"]
    assert by_kind["mining_plan"]["penalty"] == "300000.00" and by_kind["mining_plan"]["amount"] == ""
    assert by_kind["upfront_2"]["due_on"] == DUE.isoformat()
    assert first["licence_url"] == f"http://testserver/licences/{lease.pk}/"


@pytest.mark.parametrize(("day", "overdue"), [(DUE, "false"), (DUE + datetime.timedelta(days=1), "true")])
def test_overdue_as_the_licence_pages_say_it_and_its_filter(client, lease, day, overdue):
    with time_machine.travel(at(day), tick=False):
        second = next(r for r in rows(client.get(URL)) if r["kind"] == "upfront_2")
        late = [r["kind"] for r in rows(client.get(URL, {"overdue": "true"}))]
    assert second["status"] == "pending" and second["overdue"] == overdue
    assert late == (["upfront_2"] if overdue == "true" else [])


def test_the_filters(client, lease, other_firm_user):
    ml_with_history(holder=other_firm_user.memberships.get().firm, number="ML/2027/0009", minerals=("graphite",))
    assert rows(client.get(URL, {"licence_kind": "EL"})) == []
    assert len(rows(client.get(URL, {"licence_kind": ["ML", "CL"]}))) == 6
    assert {r["licence"] for r in rows(client.get(URL, {"licence": "ml/2027/0007"}))} == {"ML/2027/0007"}
    plans = rows(client.get(URL, {"kind": "mining_plan"}))
    assert [(r["licence"], r["kind"]) for r in plans] == [
        ("ML/2027/0007", "mining_plan"),
        ("ML/2027/0009", "mining_plan"),
    ]
    assert {r["status"] for r in rows(client.get(URL, {"status": "met"}))} == {"met"}
    assert {r["licence"] for r in rows(client.get(URL, {"mineral": "lithium"}))} == {"ML/2027/0007"}
    assert rows(client.get(URL, {"state": "Bihar"})) == []
    assert len(rows(client.get(URL, {"state": lease.state}))) == 6
    refused = client.get(URL, {"kind": "bribe"})
    assert refused.status_code == 400 and "bribe is not a known kind" in refused.json()["error"]["message"]


def test_payments_are_never_in_the_download(client, lease, firm_user):
    Payment.objects.create(
        licence=lease,
        obligation=lease.obligations.get(kind="upfront_1"),
        amount=Decimal("1000000.00"),
        reference="UTR-SECRET-4711",
        paid_on=datetime.date(2027, 4, 10),
        recorded_by=firm_user,
    )
    assert "UTR-SECRET-4711" not in b"".join(client.get(URL).streaming_content).decode()


def test_the_cap_is_stated_and_a_cut_file_says_so(client, lease, settings):
    settings.PUBLIC_CSV_MAX_ROWS = 1
    for url, lines_expected in ((URL, 3), ("/api/v1/public/licences.csv", 2), ("/licences.csv", 2)):
        response = client.get(url)
        assert response["X-Row-Cap"] == "1", url
        lines = b"".join(response.streaming_content).decode().splitlines()
        assert len(lines) == lines_expected, url  # header, one row, and for a cut file the line saying so
        assert lines[-1].startswith("# truncated") is (lines_expected == 3), url


def test_queries_do_not_grow_with_the_rows(client, lease):
    with CaptureQueriesContext(connection) as few:
        assert rows(client.get(URL))
    for i in range(10):
        make_licence(kind="ML", number=f"ML/2031/{i:04d}")
    ml_with_history(holder=lease.holder, number="ML/2027/0008")
    with CaptureQueriesContext(connection) as many:
        assert len(rows(client.get(URL))) >= 6
    assert len(many) == len(few)
