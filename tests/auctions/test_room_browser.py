"""Two firms bid against each other in the live e-auction room, in real Chromium, each in its own browser.

The auction is built through the services with time moved while setting up, on a schedule around the real
clock: the e-auction started a minute ago and closes in an hour, so the live server (another thread, the real
clock) takes the offers.
"""

import re
import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from auctions import services as svc
from tests.browser import log_in
from tests.factories.auction_flow import bidder, live_auction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_firms_outbid_each_other_and_each_sees_the_other_within_a_second(page, browse, regulator):
    asha, bharat, chitra = bidder("Asha"), bidder("Bharat"), bidder("Chitra")
    auction = live_auction(regulator, {asha: Decimal("12"), bharat: Decimal("13"), chitra: Decimal("14")})
    room = f"/auctions/{auction.pk}/room/"

    with browse() as page_b:
        requests = []  # what the rooms ask the server for once drawn: events, not polls
        for p in (page, page_b):
            p.on("request", lambda r: requests.append(r.url.split("/auctions/")[-1]) if "/room/" in r.url else None)
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
        # Each room followed the server's events (auctions/room/stream.py) and never had to poll the state.
        assert requests.count(f"{auction.pk}/room/events") >= 2
        assert not [r for r in requests if r.startswith(f"{auction.pk}/room/state")]
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
