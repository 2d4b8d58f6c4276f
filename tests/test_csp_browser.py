"""In real Chromium, the main pages under the strict Content Security Policy (no 'unsafe-inline' for scripts or
styles): the browser reports no violation (neither a `securitypolicyviolation` event nor a console message), and
the styles that moved from the templates into static files still apply."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from core.models import ApiToken
from tests.browser import log_in
from tests.factories.auction_flow import bidder, live_auction
from tests.factories.licence_register import ml_with_history
from tests.factories.registry import registered_block

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Runs before any script of each page: every violation the browser reports is kept in window.__csp.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}: ${e.sample}`);
});
"""


class Watched:
    """A page whose policy violations (events and console messages) are collected on every page it opens."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", lambda m: self.console.append(m.text) if "Content Security Policy" in m.text else None)

    def open(self, path: str):
        response = self.page.goto(path)
        assert response.status == 200, path
        assert "style-src 'self'" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("networkidle")
        return self

    def assert_no_violation(self):
        assert self.page.evaluate("window.__csp") == [], self.page.url
        assert self.console == [], self.page.url

    def style(self, selector: str, prop: str) -> str:
        return self.page.locator(selector).first.evaluate(f"e => getComputedStyle(e).getPropertyValue('{prop}')")


def test_public_pages_report_no_violation_and_keep_their_styles(page):
    block = registered_block(code="CG-LI-77")
    licence = ml_with_history(holder=bidder("Asha").memberships.get().firm, number="ML/2027/0077")
    watched = Watched(page)

    watched.open("/").assert_no_violation()
    assert watched.style(".site-header", "display") == "flex"  # static/css/khanij.css
    assert watched.style(".site-header", "border-bottom-color") == "rgb(11, 93, 138)"  # --accent

    watched.open(f"/blocks/{block.code}/").assert_no_violation()
    expect(page.locator(".map svg path.block-boundary")).to_have_count(1)

    watched.open(f"/licences/{licence.pk}/").assert_no_violation()
    # The licence page's own rules, once a <style> block in its template, now static/licences/register.css.
    assert watched.style("td.basis", "color") == "rgb(62, 76, 89)"
    assert watched.style("td.basis", "max-width") == "544px"  # 34rem

    watched.open("/api/docs/").assert_no_violation()
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15_000)
    assert watched.style("body", "background-color") == "rgb(250, 250, 250)"  # static/css/swagger.css
    watched.assert_no_violation()


def test_a_holders_licence_page_and_token_page_report_no_violation_and_keep_their_styles(page):
    asha = bidder("Asha")
    licence = ml_with_history(holder=asha.memberships.get().firm, number="ML/2027/0077")
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        ApiToken.objects.create(user=asha, name="old-robot")
    watched = Watched(page)
    log_in(page, "asha")

    watched.open(f"/licences/{licence.pk}/").assert_no_violation()
    assert watched.style(".licence-links", "display") == "flex"

    watched.open("/account/tokens/").assert_no_violation()
    expect(page.locator(".overdue")).to_contain_text("expired on")
    assert watched.style(".overdue", "color") == "rgb(166, 27, 27)"  # static/css/khanij.css


def test_the_live_room_reports_no_violation_while_offers_flow(page, regulator):
    asha, bharat, chitra = bidder("Asha"), bidder("Bharat"), bidder("Chitra")
    auction = live_auction(regulator, {asha: Decimal("12"), bharat: Decimal("13"), chitra: Decimal("14")})
    watched = Watched(page)
    log_in(page, "asha")

    watched.open(f"/auctions/{auction.pk}/room/")
    expect(page.locator("#room-phase")).to_have_text("E-auction live")
    page.get_by_role("button", name="Place offer").click()
    expect(page.locator("#offer-message")).to_contain_text("was accepted")
    expect(page.locator("#room-standing")).to_have_text("Highest")
    assert watched.style("#room-standing", "color") == "rgb(31, 122, 58)"  # --ok, for data-standing=highest
    assert watched.style(".room-phase", "display") == "flex"
    watched.assert_no_violation()
