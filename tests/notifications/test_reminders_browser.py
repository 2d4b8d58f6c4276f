"""In Chromium: a firm's member finds the calendar link on the deadlines page, gets her calendar address (which serves
her due dates), and, once the clock has moved on to 30 days before a due date and the sweeper has run (the
management command, with that day), finds the reminder in her inbox."""

from datetime import timedelta

import icalendar
import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from licences.models import Obligation
from licences.services import obligation_add
from tests.browser import log_in
from tests.factories import FirmFactory, MembershipFactory, UserFactory
from tests.factories.licences import make_licence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_firm_finds_its_calendar_link_and_later_a_reminder_in_its_inbox(page, live_server, settings):
    settings.SITE_URL = live_server.url
    firm = FirmFactory(legal_name="Asha Minerals Ltd")
    MembershipFactory(user=UserFactory(username="asha"), firm=firm)
    licence = make_licence(kind="ML", holder=firm, number="ML/2027/0042", status="loi_issued")
    due_on = timezone.localdate() + timedelta(days=45)
    with transaction.atomic():
        obligation_add(licence=licence, kind=Obligation.Kind.MINING_PLAN, title="Mining plan approved", due_on=due_on)

    log_in(page, "asha")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Deadlines").click()
    expect(page.locator("table.deadlines")).to_contain_text("Mining plan approved: ML/2027/0042")
    page.get_by_role("link", name="Add these dates to your calendar").click()
    expect(page.get_by_role("heading", name="How to subscribe")).to_be_visible()
    page.get_by_role("button", name="Create my calendar address").click()
    address = page.get_by_label("Your calendar address").input_value()
    assert address.startswith(f"{live_server.url}/calendar/feed/") and address.endswith(".ics")

    feed = page.request.get(address)  # what a calendar application fetches, with no session
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    [event] = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Due: Mining plan approved: ML/2027/0042"
    assert event.decoded("DTSTART") == due_on

    page.goto("/calendar/mine/")  # shown once: coming back, the address is no longer on the page
    expect(page.get_by_label("Your calendar address")).to_have_count(0)
    expect(page.get_by_role("button", name="Replace my calendar address")).to_be_visible()

    # The clock moves on: the sweeper runs on the day 30 days before the due date.
    call_command("send_reminders", "--date", (due_on - timedelta(days=30)).isoformat())
    page.goto("/")
    expect(page.locator(".account .badge")).to_have_text("1")
    page.get_by_role("link", name="Inbox").click()
    expect(page.locator("tr.notice.unread")).to_contain_text(
        "Reminder: Mining plan approved: ML/2027/0042, due in 30 days"
    )
    page.get_by_role("link", name="Open").click()
    expect(page).to_have_url(f"{live_server.url}/licences/{licence.pk}/")
