"""Calendars: a person's secret iCalendar address (shown once, stored hashed, replaceable) with their due dates, and the
public feed of the auction calendar; both parsed back with the `icalendar` library."""

import hashlib
import re
from datetime import date, datetime, timedelta

import icalendar
import pytest
import time_machine
from django.db import transaction

from auctions import services as svc
from notifications.models import CalendarFeed
from notifications.services import due_date_register
from tests.factories import FirmFactory, MembershipFactory, UserFactory
from tests.factories.auction_flow import T0, bidder, notified_auction

pytestmark = pytest.mark.django_db


@pytest.fixture
def asha(db):
    user = UserFactory(username="asha")
    MembershipFactory(user=user, firm=FirmFactory(legal_name="Asha Minerals Ltd"))
    return user


def due(audience: str, key: str, title: str, due_on: date, **extra):
    with transaction.atomic():
        return due_date_register(
            subject="licences.licence:1", key=key, kind="upfront_1", audience=audience, title=title, due_on=due_on,
            url="/licences/1/", **extra,
        )  # fmt: skip


def feed_url(response) -> str:
    found = re.search(r'value="(http://[^"]+/calendar/feed/[^"]+\.ics)"', response.content.decode())
    assert found, "the page should show the calendar address once"
    return found.group(1).replace("http://127.0.0.1:8000", "")


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    lines = body.split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) <= 75 for line in lines)  # CRLF, folded at 75 octets (RFC 5545 3.1)
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"].startswith("-//Khanij//")
    for event in calendar.walk("VEVENT"):
        assert event["UID"] and event["DTSTAMP"] and event["DTSTART"]  # required of every event
    return calendar


def test_a_person_gets_a_secret_calendar_address_once_and_it_lists_their_firms_due_dates(client, asha):
    firm = asha.memberships.get().firm
    due(f"firm:{firm.pk}", "obligation:1", "First instalment: ML/2027/0001", date(2027, 6, 10))
    due(f"user:{asha.pk}", "personal", "Her own reminder", date(2027, 7, 1))
    due("firm:999999", "obligation:2", "Another firm's security", date(2027, 6, 1))
    client.force_login(asha)
    page = client.get("/calendar/mine/")
    assert "Create my calendar address" in page.content.decode() and "/calendar/feed/" not in page.content.decode()
    url = feed_url(client.post("/calendar/mine/"))
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert CalendarFeed.objects.get(user=asha).token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert "/calendar/feed/" not in client.get("/calendar/mine/").content.decode()  # shown once only

    client.logout()  # a calendar application has no session: the address alone opens the feed
    calendar = parse(client.get(url))
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Due: First instalment: ML/2027/0001", "Due: Her own reminder"}
    first = events["Due: First instalment: ML/2027/0001"]
    assert first.decoded("DTSTART") == date(2027, 6, 10) and first.decoded("DTEND") == date(2027, 6, 11)
    assert str(first["URL"]) == "http://127.0.0.1:8000/licences/1/" and str(first["UID"]).startswith("due-date-")
    assert client.get(url)["Cache-Control"] == "private, max-age=300"


def test_a_replaced_address_and_a_wrong_one_answer_404(client, asha):
    client.force_login(asha)
    old = feed_url(client.post("/calendar/mine/"))
    assert "Replace my calendar address" in client.get("/calendar/mine/").content.decode()
    new = feed_url(client.post("/calendar/mine/"))
    assert old != new
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.get("/calendar/feed/not-a-token.ics").status_code == 404
    assert client.get(new.replace(new[-8:-4], "AAAA")).status_code == 404


def test_a_moved_due_date_keeps_its_uid_and_raises_its_sequence(client, asha):
    firm = asha.memberships.get().firm
    due(f"firm:{firm.pk}", "obligation:1", "Mining plan approved", date(2027, 10, 1))
    client.force_login(asha)
    url = feed_url(client.post("/calendar/mine/"))
    [before] = parse(client.get(url)).walk("VEVENT")
    due(f"firm:{firm.pk}", "obligation:1", "Mining plan approved", date(2027, 11, 1))
    [after] = parse(client.get(url)).walk("VEVENT")
    assert before["UID"] == after["UID"] and (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)
    assert after.decoded("DTSTART") == date(2027, 11, 1)


def test_the_calendar_page_needs_an_account(client):
    assert client.get("/calendar/mine/").status_code == 302
    assert client.post("/calendar/mine/").status_code == 302


def test_the_auction_dates_of_a_firm_taking_part_are_in_its_calendar_as_moments(client, regulator):
    """Stored once per auction, shown to each firm taking part as it stands: the bid due date until it has bid, the
    e-auction once it has."""
    auction = notified_auction(regulator).get()
    ravi = bidder("Ravi")
    with time_machine.travel(auction.document_sale_starts_at + timedelta(hours=1), tick=False):
        client.force_login(ravi)
        url = feed_url(client.post("/calendar/mine/"))
        assert list(parse(client.get(url)).walk("VEVENT")) == []  # not taking part yet
        svc.participation_buy_document(actor=ravi, auction_id=auction.pk, payment_reference="UTR-1")
        events = {str(e["SUMMARY"]): e for e in parse(client.get(url)).walk("VEVENT")}
        assert set(events) == {"Due: Tender-document sale closes: block CG-LI-01", "Due: Bid due: block CG-LI-01"}
        assert events["Due: Bid due: block CG-LI-01"].decoded("DTSTART") == auction.bid_due_at  # a moment, in UTC
        svc.participation_submit(
            actor=ravi, auction_id=auction.pk, initial_price_offer="12.00", net_worth="2500000000",
            bid_security_reference="BG-1",
        )  # fmt: skip
        events = {str(e["SUMMARY"]) for e in parse(client.get(url)).walk("VEVENT")}
    assert events == {"Due: Tender-document sale closes: block CG-LI-01", "Due: E-auction starts: block CG-LI-01"}


def test_the_public_auction_calendar_is_a_feed_anyone_can_subscribe_to(client, regulator):
    auction = notified_auction(regulator).get()
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        page = client.get("/calendar/").content.decode()
        calendar = parse(client.get("/calendar.ics"))
    assert 'href="/calendar.ics"' in page and "Subscribe from web" in page
    events = list(calendar.walk("VEVENT"))
    summaries = [str(e["SUMMARY"]) for e in events]
    assert "Bid due date: block CG-LI-01" in summaries and "E-auction starts: block CG-LI-01" in summaries
    bid_due = next(e for e in events if str(e["SUMMARY"]) == "Bid due date: block CG-LI-01")
    assert bid_due.decoded("DTSTART") == auction.bid_due_at and isinstance(bid_due.decoded("DTSTART"), datetime)
    assert str(bid_due["UID"]) == f"auction-{auction.pk}-bid_due@khanij.local"
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_the_deadlines_page_links_to_the_calendar_with_how_to_subscribe(client, asha):
    client.force_login(asha)
    page = client.get("/firm/deadlines/").content.decode()
    assert 'href="/calendar/mine/"' in page and "Add these dates to your calendar" in page


@pytest.mark.parametrize("role", ["firm_user", "regulator", "plain_user"])
def test_every_signed_in_person_may_have_a_calendar_address_of_their_own(client, role, request):
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.get("/calendar/mine/").status_code == 200
    url = feed_url(client.post("/calendar/mine/"))
    assert CalendarFeed.objects.get().user == user
    client.logout()
    assert client.get(url).status_code == 200
