"""`manage.py seed_clearances` (make run): a demo lease's cases in the four states worth trying, written through the
services and marked as demo data, demo officers who can sign in; twice creates nothing twice."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from authorities.selectors import authorities_of
from clearances import demo
from clearances.models import Case, Decision, Query, Stage
from ledger.models import Entry
from notifications.models import DueDate
from tests.test_seed_licences import accounts

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    accounts()
    return demo.seed_clearances()


def cases():
    return {c.kind: c for c in Case.objects.filter(licence__block__code=demo.LEASE.code)}


def test_the_four_cases_worth_trying_are_there(seeded):
    found = cases()
    assert set(found) == {"environment", "mining_plan", "wildlife", "water_consent"}
    assert all(c.fast_track and c.fast_track_minerals == ["Graphite", "Vanadium"] for c in found.values())
    assert all(c.details["demo"] and c.external_reference.startswith("DEMO-") for c in found.values())
    ec = found["environment"]
    assert ec.stages.get(status="open").code == "appraisal"
    assert ec.stages.get(code="public_consultation").status == "skipped"
    assert Query.objects.get(stage__case=found["mining_plan"]).is_open
    wildlife = found["wildlife"].stages.get()
    assert wildlife.escalated_on is not None and wildlife.status == "open"
    assert found["water_consent"].outcome == "deemed"
    assert Decision.objects.get(case=found["water_consent"]).recorded_by is None


def test_seeding_twice_creates_nothing_twice(seeded):
    counts = [m.objects.count() for m in (Case, Stage, Query, Decision, Entry)]
    again = demo.seed_clearances()
    assert [m.objects.count() for m in (Case, Stage, Query, Decision, Entry)] == counts
    assert sorted(again.present) == ["environment", "mining_plan", "water_consent", "wildlife"]


def test_the_demo_officers_sign_in_as_officers_of_their_bodies(seeded, client):
    for officer in demo.OFFICERS:
        response = client.post(reverse("login"), {"username": officer.username, "password": officer.password})
        assert response.status_code == 302, officer.username
        user = response.wsgi_request.user
        assert list(authorities_of(user).values_list("code", flat=True)) == [officer.authority]
        client.logout()


def test_the_command_says_what_to_try(settings):
    accounts()
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_clearances", stdout=out)
    text = out.getvalue()
    assert "Environment clearance (MoEFCC, fast track, at: Appraisal by the expert committee)" in text
    assert re.search(r"Wildlife clearance \(NBWL, fast track, at: .* \(overdue since .*, escalated\)\)", text)
    assert "desk-officer / khanij-desk-officer" in text


def test_the_seeded_stages_are_in_the_firms_and_the_officers_calendars(seeded, client):
    found = cases()
    licence = found["environment"].licence
    number = licence.number
    open_dates = DueDate.objects.filter(subject=f"licences.licence:{licence.pk}", key__startswith="clearance-stage:",
                                        status="open")  # fmt: skip
    by_case = {(d.audience.split(":")[0], d.url) for d in open_dates}
    expected = {kind: f"/clearances/{found[kind].pk}/" for kind in ("environment", "mining_plan", "wildlife")}
    assert by_case == {(side, url) for url in expected.values() for side in ("authority", "firm")}  # water: deemed
    held = open_dates.filter(url=expected["mining_plan"])
    assert [d.next_remind_on for d in held] == [None, None]  # its query is open: the clock is stopped
    pages = {}
    for username in ("meera", "moef-officer", "ibm-officer", "desk-officer"):
        client.force_login(get_user_model().objects.get(username=username))
        pages[username] = client.get(reverse("notifications:my_calendar")).content.decode()
    assert all(url in pages["meera"] for url in expected.values())
    assert expected["environment"] in pages["moef-officer"] and expected["mining_plan"] not in pages["moef-officer"]
    assert expected["mining_plan"] in pages["ibm-officer"] and number in pages["ibm-officer"]
    assert not any(url in pages["desk-officer"] for url in expected.values())  # the desk decides none


def test_a_second_seed_registers_no_date_twice(seeded):
    before = list(DueDate.objects.order_by("pk").values_list("pk", "status", "due_on", "next_remind_on", "revision"))
    demo.seed_clearances()
    assert (
        list(DueDate.objects.order_by("pk").values_list("pk", "status", "due_on", "next_remind_on", "revision"))
        == before
    )
