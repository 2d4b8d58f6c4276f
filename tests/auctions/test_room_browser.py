"""Two firms bid against each other in the live e-auction room, in real Chromium, each in its own browser.

The auction is built through the services with time moved while setting up, on a schedule around the real
clock: the e-auction started a minute ago and closes in an hour, so the live server (another thread, the real
clock) takes the offers.
"""

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from auctions import auction_services as svc
from auctions.models import Auction
from tests.factories.auction_flow import bidder, close_and_evaluate, make_block, submit_bids

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def live_auction(regulator, offers: dict) -> Auction:
    """Notified 60 days ago; the e-auction started a minute ago and closes in 59 minutes."""
    now = timezone.now()
    base = now - timedelta(days=60)
    schedule = {
        "document_sale_starts_at": base + timedelta(days=1),
        "document_sale_ends_at": base + timedelta(days=20),
        "bid_due_at": base + timedelta(days=30),
        "technical_evaluation_at": base + timedelta(days=40),
        "opening_at": base + timedelta(days=45),
        "e_auction_starts_at": now - timedelta(minutes=1),
    }
    make_block()
    with time_machine.travel(base, tick=False):
        tranche = svc.tranche_create(
            actor=regulator, name="Tranche live", blocks=["CG-LI-01"], net_worth_threshold="1000000000", **schedule
        )
        svc.tranche_notify(actor=regulator, tranche_id=tranche.pk)
    auction = Auction.objects.get(tranche=tranche)
    submit_bids(auction, offers)
    close_and_evaluate(auction, regulator)
    with time_machine.travel(auction.opening_at, tick=False):
        svc.auction_open(actor=regulator, auction_id=auction.pk)
    auction.refresh_from_db()
    assert auction.starts_at < timezone.now() < auction.closes_at
    return auction


def log_in(page, username, password="correct-horse-battery"):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/accounts/login/" not in page.url, "log-in failed"


def test_two_firms_outbid_each_other_and_each_sees_the_other_within_a_second(
    page, chromium_browser, live_server, regulator
):
    asha, bharat, chitra = bidder("Asha"), bidder("Bharat"), bidder("Chitra")
    auction = live_auction(regulator, {asha: Decimal("12"), bharat: Decimal("13"), chitra: Decimal("14")})
    room = f"/auctions/{auction.pk}/room/"

    context_b = chromium_browser.new_context(base_url=live_server.url, locale="en-IN", timezone_id="Asia/Kolkata")
    page_b = context_b.new_page()
    page_b.set_default_timeout(10_000)
    requests = []  # what the rooms ask the server for once drawn: events, not polls
    for p in (page, page_b):
        p.on("request", lambda r: requests.append(r.url.split("/auctions/")[-1]) if "/room/" in r.url else None)
    try:
        log_in(page, "asha")
        log_in(page_b, "bharat")
        page.goto(room)
        page_b.goto(room)
        expect(page.locator("#room-phase")).to_have_text("E-auction live")
        expect(page.locator("#room-countdown-label")).to_have_text("Closes in")
        expect(page.locator("#room-countdown")).to_have_text(re.compile(r"^5\d:\d\d$"))
        expect(page.locator("#offer-value")).to_have_value("14.05")  # the next valid offer, pre-filled

        # Asha offers the pre-filled 14.05%; Bharat's room shows it within a second, without reloading.
        page.get_by_role("button", name="Place offer").click()
        expect(page.locator("#offer-message")).to_contain_text("Your offer of 14.05% was accepted")
        accepted = time.monotonic()
        expect(page_b.locator("#room-best")).to_have_text("14.05%", timeout=1_000)
        assert time.monotonic() - accepted <= 1.0
        expect(page_b.locator("#room-history tbody tr")).to_have_count(1)
        assert "Bidder 1" in page_b.locator("#room-history tbody").inner_text()
        assert "Asha" not in page_b.locator("main").inner_text()  # never another bidder's identity
        expect(page.locator("#room-standing")).to_have_text("Highest")

        # Bharat outbids with his pre-filled next valid offer; Asha sees it and learns she is outbid.
        expect(page_b.locator("#offer-value")).to_have_value("14.10")
        page_b.get_by_role("button", name="Place offer").click()
        expect(page_b.locator("#offer-message")).to_contain_text("Your offer of 14.10% was accepted")
        accepted = time.monotonic()
        expect(page.locator("#room-best")).to_have_text("14.10%", timeout=1_000)
        assert time.monotonic() - accepted <= 1.0
        expect(page.locator("#room-standing")).to_have_text("Outbid")
        expect(page_b.locator("#room-standing")).to_have_text("Highest")
        assert "Bharat" not in page.locator("main").inner_text()

        # A too-low offer is refused with the smallest valid offer, which is then pre-filled.
        page.fill("#offer-value", "14.12")
        page.get_by_role("button", name="Place offer").click()
        expect(page.locator("#offer-message")).to_contain_text("the smallest valid offer is 14.15%")
        expect(page.locator("#offer-value")).to_have_value("14.15")
        expect(page_b.locator("#room-count")).to_have_text("2")
        # Each room followed the server's events (auctions/room_stream.py) and never had to poll the state.
        assert requests.count(f"{auction.pk}/room/events") >= 2
        assert not [r for r in requests if r.startswith(f"{auction.pk}/room/state")]
    finally:
        context_b.close()
    auction.refresh_from_db()
    assert auction.offer_count == 2 and auction.best_offer == Decimal("14.10")


@pytest.mark.parametrize("streams", ["auto", "off"])
def test_a_regulator_watches_the_room_read_only_with_the_identities(page, regulator, settings, streams):
    """With the server's events, and on a server that keeps no stream open (the room then polls)."""
    settings.ROOM_STREAMS = streams
    asha, bharat, chitra = bidder("Asha"), bidder("Bharat"), bidder("Chitra")
    auction = live_auction(regulator, {asha: Decimal("12"), bharat: Decimal("13"), chitra: Decimal("14")})
    log_in(page, "regulator1")
    page.goto(f"/auctions/{auction.pk}/room/")
    expect(page.locator(".room-monitor")).to_contain_text("Monitor, read-only")
    assert page.locator("#offer-form").count() == 0
    svc.offer_place(actor=chitra, auction_id=auction.pk, value=Decimal("14.05"))
    expect(page.locator("#room-history tbody tr").first).to_contain_text("Chitra Ltd", timeout=1_000)
    expect(page.locator("#room-bidders")).to_contain_text("Highest")
