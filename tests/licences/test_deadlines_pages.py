"""A firm's deadlines and licences: the dashboard section, /firm/deadlines/, /firm/licences/ and
/api/v1/firms/me/deadlines; overdue first with the days counted as time moves; only the firm's own."""

import datetime
import html
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from licences.models import Obligation
from licences.services import obligation_add, obligation_settle
from tests.factories import MembershipFactory, UserFactory
from tests.factories.licence_register import at, el_granted
from tests.factories.licences import make_licence

pytestmark = pytest.mark.django_db

D = datetime.date
PAGE = "/firm/deadlines/"
LICENCES = "/firm/licences/"
API = "/api/v1/firms/me/deadlines"


def text(response) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def firm_of(user):
    return user.memberships.get().firm


def add(licence, kind, title, due_on, amount=None):
    with transaction.atomic():
        return obligation_add(licence=licence, kind=kind, title=title, due_on=due_on, amount=amount)


@pytest.fixture
def alices(firm_user):
    """Alice's ML with four obligations and her EL with a work report; one obligation already met."""
    ml = make_licence(kind="ML", holder=firm_of(firm_user), number="ML/2027/0001", status="loi_issued")
    el = el_granted(holder=firm_of(firm_user), number="EL/2027/0001")
    met = add(ml, Obligation.Kind.UPFRONT_1, "First instalment", D(2027, 4, 15), Decimal("1000000.00"))
    with transaction.atomic():
        obligation_settle(obligation=met, status=Obligation.Status.MET, met_on=D(2027, 4, 14))
    return {
        "ml": ml,
        "el": el,
        "security": add(ml, Obligation.Kind.PERFORMANCE_SECURITY, "Performance security", D(2027, 5, 10)),
        "plan": add(ml, Obligation.Kind.MINING_PLAN, "Mining plan approved", D(2027, 10, 1)),
        "clearance": add(ml, Obligation.Kind.ENVIRONMENT_CLEARANCE, "Environment clearance", D(2029, 4, 1)),
        "upfront_2": add(ml, Obligation.Kind.UPFRONT_2, "Second instalment", D(2027, 5, 20)),
        "report": add(el, Obligation.Kind.WORK_REPORT, "Annual work-programme report", D(2027, 7, 1)),
    }


@pytest.fixture
def bobs(other_firm_user):
    ml = make_licence(kind="ML", holder=firm_of(other_firm_user), number="ML/2027/0002", status="loi_issued")
    add(ml, Obligation.Kind.PERFORMANCE_SECURITY, "Bob's performance security", D(2027, 5, 1))
    return ml


def get_on(client, user, day, url):
    """GET `url` as `user` at 11:00 IST on `day` (signed in then: a session does not outlive a jump in time)."""
    with time_machine.travel(at(day), tick=False):
        client.force_login(user)
        return client.get(url)


def rows(response):
    """(title, when) of each row of the deadlines table, in order."""
    body = response.content.decode()
    found = []
    for row in re.findall(r'<tr class="deadline[^"]*">(.*?)</tr>', body, flags=re.S):
        cells = [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c))).strip()
                 for c in re.findall(r"<td>(.*?)</td>", row, re.S)]  # fmt: skip
        found.append((cells[2].split(":")[0], cells[1]))
    return found


def test_deadlines_are_listed_overdue_first_with_the_days_counted(client, firm_user, alices, bobs):
    response = get_on(client, firm_user, D(2027, 6, 15), PAGE)
    assert response.status_code == 200
    assert rows(response) == [
        ("Performance security", "overdue by 36 days"),  # 10 May -> 15 Jun: 21 + 15
        ("Second instalment", "overdue by 26 days"),  # 20 May -> 15 Jun: 11 + 15
        ("Annual work-programme report", "in 16 days"),  # 15 Jun -> 1 Jul
        ("Mining plan approved", "in 108 days"),  # 15 Jun -> 1 Oct: 16 + 31 + 31 + 30
        # 15 Jun 2027 -> 15 Jun 2028: 366 (29 Feb 2028); -> 15 Mar 2029: 273; -> 1 Apr 2029: 17
        ("Environment clearance", "in 656 days"),
    ]


def test_as_time_passes_a_deadline_becomes_due_then_overdue(client, firm_user, alices):
    assert ("Annual work-programme report", "due today") in rows(get_on(client, firm_user, D(2027, 7, 1), PAGE))
    listed = rows(get_on(client, firm_user, D(2027, 7, 2), PAGE))
    assert listed[:3] == [
        ("Performance security", "overdue by 53 days"),  # 10 May -> 2 Jul: 21 + 30 + 2
        ("Second instalment", "overdue by 43 days"),  # 20 May -> 2 Jul: 11 + 30 + 2
        ("Annual work-programme report", "overdue by 1 day"),
    ]


def test_a_met_obligation_leaves_the_list(client, firm_user, alices):
    with transaction.atomic():
        obligation_settle(obligation=alices["security"], status=Obligation.Status.MET, met_on=D(2027, 6, 1))
    titles = [title for title, _when in rows(get_on(client, firm_user, D(2027, 6, 15), PAGE))]
    assert "Performance security" not in titles and "First instalment" not in titles
    assert titles[0] == "Second instalment"


def test_each_deadline_links_to_its_licence(client, firm_user, alices):
    client.force_login(firm_user)
    body = client.get(PAGE).content.decode()
    assert f'<a href="/licences/{alices["ml"].pk}/">Performance security: ML/2027/0001</a>' in body
    assert f'<a href="/licences/{alices["el"].pk}/">Annual work-programme report: EL/2027/0001</a>' in body


def test_another_firm_sees_only_its_own_deadlines(client, other_firm_user, alices, bobs):
    response = get_on(client, other_firm_user, D(2027, 6, 15), PAGE)
    assert rows(response) == [("Bob's performance security", "overdue by 45 days")]  # 1 May -> 15 Jun


def test_a_firm_without_deadlines_is_told_nothing_is_due(client, other_firm_user):
    client.force_login(other_firm_user)
    assert "No open deadline: nothing is due." in text(client.get(PAGE))


# --- The dashboard ------------------------------------------------------------------------------------------


def test_the_dashboard_shows_the_deadlines_overdue_first(client, firm_user, alices):
    response = get_on(client, firm_user, D(2027, 6, 15), "/firm/")
    assert response.status_code == 200
    words = text(response)
    assert "Deadlines 5 open, 2 overdue" in words
    assert rows(response)[0] == ("Performance security", "overdue by 36 days")
    assert 'href="/firm/deadlines/"' in response.content.decode()
    assert 'href="/firm/licences/"' in response.content.decode()


def test_the_deadlines_are_read_only_where_a_page_shows_them(client, firm_user, alices):
    client.force_login(firm_user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/blocks/").status_code == 200
    assert not [q for q in ctx.captured_queries if "notifications_duedate" in q["sql"]]
    with CaptureQueriesContext(connection) as ctx:
        client.get("/firm/")
    assert [q for q in ctx.captured_queries if "notifications_duedate" in q["sql"]]


# --- The firm's licences ---------------------------------------------------------------------------------


def test_the_firm_lists_its_own_licences_with_open_and_overdue_obligations(client, firm_user, alices, bobs):
    response = get_on(client, firm_user, D(2027, 6, 15), LICENCES)
    assert response.status_code == 200
    words = text(response)
    assert "ML/2027/0001" in words and "EL/2027/0001" in words and "ML/2027/0002" not in words
    # ML: security and second instalment overdue, plan and clearance not yet due; the first instalment met
    assert re.search(r"ML/2027/0001 .*? 4 \(2 overdue\)", words)
    body = response.content.decode()
    for tail in ("payments/", "milestones/", "premium/"):
        assert f'href="/licences/{alices["ml"].pk}/{tail}"' in body
    assert f'href="/licences/{alices["el"].pk}/exploration/"' in body


# --- Who may open them -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PAGE, LICENCES])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("url", [PAGE, LICENCES])
@pytest.mark.parametrize("who", ["plain_user", "regulator"])
def test_who_does_not_act_for_a_firm_is_refused(client, request, url, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url)
    assert response.status_code == 403
    assert "you do not act for a firm" in text(response)


def test_the_nav_shows_deadlines_to_firm_members_only(client, firm_user, plain_user):
    assert 'href="/firm/deadlines/"' not in client.get("/").content.decode()
    client.force_login(plain_user)
    assert 'href="/firm/deadlines/"' not in client.get("/").content.decode()
    client.force_login(firm_user)
    assert 'href="/firm/deadlines/"' in client.get("/").content.decode()


# --- The API -------------------------------------------------------------------------------------------------


def test_the_api_lists_the_firms_deadlines_overdue_first(api_as, firm_user, alices, bobs):
    with time_machine.travel(at(D(2027, 6, 15)), tick=False):
        response = api_as(firm_user).get(API)
    assert response.status_code == 200
    data = response.json()
    assert [(d["title"], d["overdue"], d["days"], d["when"]) for d in data] == [
        ("Performance security: ML/2027/0001", True, -36, "overdue by 36 days"),
        ("Second instalment: ML/2027/0001", True, -26, "overdue by 26 days"),
        ("Annual work-programme report: EL/2027/0001", False, 16, "in 16 days"),
        ("Mining plan approved: ML/2027/0001", False, 108, "in 108 days"),
        ("Environment clearance: ML/2027/0001", False, 656, "in 656 days"),  # as on the page
    ]
    first = data[0]
    assert first["kind"] == "performance_security" and first["due_on"] == "2027-05-10" and first["status"] == "open"
    assert first["url"] == f"http://testserver/licences/{alices['ml'].pk}/"
    assert first["subject_type"] == "licences.licence" and first["subject_id"] == alices["ml"].pk
    assert first["key"] == f"obligation:{alices['security'].pk}" and first["due_at"] is None


def test_the_api_gives_another_firm_only_its_own(api_as, other_firm_user, alices, bobs):
    data = api_as(other_firm_user).get(API).json()
    assert [d["title"] for d in data] == ["Bob's performance security: ML/2027/0002"]


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("plain_user", 403), ("regulator", 403)])
def test_the_api_is_for_firm_members_only(api_as, request, alices, who, status):
    user = request.getfixturevalue(who) if who else None
    response = api_as(user).get(API)
    assert response.status_code == status
    assert response.json()["error"]["message"]


def test_a_viewer_of_the_firm_follows_its_deadlines_too(client, api_as, firm_user, alices):
    viewer = MembershipFactory(user=UserFactory(username="vera"), firm=firm_of(firm_user), role="viewer").user
    assert rows(get_on(client, viewer, D(2027, 6, 15), PAGE))[0] == ("Performance security", "overdue by 36 days")
    assert len(api_as(viewer).get(API).json()) == 5
