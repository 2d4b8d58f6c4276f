"""Two firms undercut each other in the live room of an exploration-licence auction, in real Chromium: the room's
script redraws the standing, the hint and the refusal in the EL auction's words (lowest, at most, largest valid).

The auction is built through the services with time moved while setting up, on a schedule around the real clock:
the e-auction started a minute ago and closes in an hour, so the live server (another thread) takes the offers.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from auctions import auction_services as svc
from auctions.models import Auction
from tests.factories.auction_flow import close_and_evaluate, submit_bids
from tests.factories.el_auction import el_bidder, el_block, el_tranche

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def live_el_auction(regulator, offers: dict) -> Auction:
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
    el_block("RJ-AU-01")
    with time_machine.travel(base, tick=False):
        tranche = el_tranche(regulator, ["RJ-AU-01"], schedule=schedule)
    with time_machine.travel(base, tick=False):
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


def test_two_firms_undercut_each_other_in_the_words_of_an_el_auction(page, chromium_browser, live_server, regulator):
    asha, bharat, chitra = el_bidder("Asha"), el_bidder("Bharat"), el_bidder("Chitra")
    auction = live_el_auction(regulator, {asha: Decimal("12"), bharat: Decimal("13"), chitra: Decimal("14")})
    room = f"/auctions/{auction.pk}/room/"
    context_b = chromium_browser.new_context(base_url=live_server.url, locale="en-IN", timezone_id="Asia/Kolkata")
    page_b = context_b.new_page()
    page_b.set_default_timeout(10_000)
    try:
        log_in(page, "asha")
        log_in(page_b, "bharat")
        page.goto(room)
        page_b.goto(room)
        expect(page.locator("#room-phase")).to_have_text("E-auction live")
        # The cap is the lowest IPO of the qualified, 12.00%; the largest valid first offer 12.00 - 0.05 = 11.95%.
        expect(page.locator("#offer-hint")).to_have_text("Your offer must be at most 11.95%.")
        expect(page.locator("#offer-value")).to_have_value("11.95")

        page.get_by_role("button", name="Place offer").click()
        expect(page.locator("#offer-message")).to_contain_text("Your offer of 11.95% was accepted")
        expect(page_b.locator("#room-best")).to_have_text("11.95%")
        expect(page.locator("#room-standing")).to_have_text("Lowest")
        expect(page_b.locator("#offer-hint")).to_have_text("Your offer must be at most 11.90%.")

        # Bharat undercuts with the pre-filled 11.90%; Asha's room shows she is undercut.
        page_b.get_by_role("button", name="Place offer").click()
        expect(page_b.locator("#offer-message")).to_contain_text("Your offer of 11.90% was accepted")
        expect(page.locator("#room-best")).to_have_text("11.90%")
        expect(page.locator("#room-standing")).to_have_text("Undercut")
        expect(page_b.locator("#room-standing")).to_have_text("Lowest")

        # An offer not below the current lowest by the decrement is refused naming the largest valid offer.
        page.fill("#offer-value", "11.88")
        page.get_by_role("button", name="Place offer").click()
        expect(page.locator("#offer-message")).to_contain_text("the largest valid offer is 11.85%")
        expect(page.locator("#offer-value")).to_have_value("11.85")
        assert "highest" not in page.locator("main").inner_text().lower()
        assert "value of mineral despatched" not in page.locator("main").inner_text()
    finally:
        context_b.close()
    auction.refresh_from_db()
    assert auction.offer_count == 2 and auction.best_offer == Decimal("11.90")
