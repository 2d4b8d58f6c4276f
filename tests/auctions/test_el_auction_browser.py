"""Two firms undercut each other in the live room of an exploration-licence auction, in real Chromium: the room's
script redraws the standing, the hint and the refusal in the EL auction's words (lowest, at most, largest valid).

The auction is built through the services with time moved while setting up, on a schedule around the real clock:
the e-auction started a minute ago and closes in an hour, so the live server (another thread) takes the offers.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from auctions.models import Auction
from tests.browser import log_in
from tests.factories.auction_flow import live_auction
from tests.factories.el_auction import el_bidder, el_block, el_tranche

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def live_el_auction(regulator, offers: dict) -> Auction:
    """Notified 60 days ago; the e-auction started a minute ago and closes in 59 minutes."""
    el_block("RJ-AU-01")
    return live_auction(
        regulator, offers, draft=lambda schedule: el_tranche(regulator, ["RJ-AU-01"], schedule=schedule)
    )


def test_two_firms_undercut_each_other_in_the_words_of_an_el_auction(page, browse, regulator):
    asha, bharat, chitra = el_bidder("Asha"), el_bidder("Bharat"), el_bidder("Chitra")
    auction = live_el_auction(regulator, {asha: Decimal("12"), bharat: Decimal("13"), chitra: Decimal("14")})
    room = f"/auctions/{auction.pk}/room/"
    with browse() as page_b:
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
    auction.refresh_from_db()
    assert auction.offer_count == 2 and auction.best_offer == Decimal("11.90")
