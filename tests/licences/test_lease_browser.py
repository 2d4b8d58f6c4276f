"""From the preferred bidder to the lease in real Chromium, through the pages: the preferred bidder pays the first
instalment and furnishes the security, the regulator confirms both and issues the Letter of Intent; later the
regulator records the deed executed; the public finds the licence in the register.

The auction is settled with the services (tests/factories/licence_post.py); the clock is moved with time-machine,
which moves the live server's thread too. Figures: first instalment Rs 10,00,000, security Rs 1,00,00,000."""

from datetime import date

import pytest
import time_machine
from playwright.sync_api import expect

from licences.models import Licence, Obligation
from tests.browser import submit
from tests.factories.licence_post import at, pay, settled_lease

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def fill_payment(page, due: str, amount: str, reference: str):
    page.get_by_label("For").select_option(label=due)
    page.get_by_label("Amount paid (INR)").fill(amount)
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Paid on").fill("2027-03-15")
    submit(page, "Record the payment")


def test_a_preferred_bidder_pays_gets_its_loi_and_later_its_lease_which_the_public_finds(browse, regulator):
    licence, firms = settled_lease(regulator, kind="CL")
    holder = firms[1]
    payments = f"/licences/{licence.pk}/payments/"
    milestones = f"/licences/{licence.pk}/milestones/"

    with time_machine.travel(at(date(2027, 3, 15)), tick=True), browse("bharat") as page:
        page.goto(payments)
        first_due = licence.obligations.get(kind="upfront_1")
        expect(page.locator(f"#obligation-{first_due.pk}")).to_contain_text(
            "10% of the upfront payment Rs 1,00,00,000.00 = Rs 10,00,000.00"
        )
        first, security = (
            "Upfront payment: first instalment, due 09 Apr 2027",
            "Performance security, due 09 Apr 2027",
        )
        # A wrong amount comes back next to the field, with the amount due.
        fill_payment(page, first, "100000", "UTR-501")
        expect(page.locator("#id_amount_error")).to_have_text("The amount due is Rs 10,00,000.00.")
        fill_payment(page, first, "1000000.00", "UTR-501")
        expect(page.locator(".messages")).to_contain_text("(reference UTR-501)")
        fill_payment(page, security, "10000000.00", "BG-502")
        expect(page.locator(".messages")).to_contain_text("(reference BG-502)")

    with time_machine.travel(at(date(2027, 3, 20)), tick=True), browse("regulator1") as page:
        page.goto("/regulator/licences/")
        expect(page.locator("#payments")).to_contain_text("UTR-501")
        page.goto(payments)
        for _ in range(2):
            submit(page, "Confirm", within=page.locator("#awaiting tbody tr").first)
        expect(page.locator(".messages")).to_contain_text("The Letter of Intent can now be issued.")
        page.goto(milestones)
        submit(page, "Issue the Letter of Intent")
        expect(page.locator(".messages")).to_contain_text("The Letter of Intent is issued on 20 Mar 2027")
        expect(page.locator("#milestones")).to_contain_text("LoI 20 Mar 2027 + 12 months = 20 Mar 2028")

    pay(licence, holder, regulator, Obligation.Kind.UPFRONT_2, on=date(2027, 6, 1))
    pay(licence, holder, regulator, Obligation.Kind.UPFRONT_3, on=date(2027, 6, 1))

    with time_machine.travel(at(date(2027, 7, 1)), tick=True):
        with browse("regulator1") as page:
            page.goto(milestones)
            page.get_by_label("Signed on").fill("2027-06-15")
            submit(page, "Record the agreement signed")
            expect(page.locator(".messages")).to_contain_text("is the successful bidder")
            page.get_by_label("Executed on").fill("2027-07-01")
            submit(page, "Record the deed executed")
            expect(page.locator(".messages")).to_contain_text("in force from 01 Jul 2027 to 01 Jul 2077")
        with browse() as page:
            page.goto("/licences/")
            expect(page.get_by_text(licence.number)).to_be_visible()
            page.goto(f"/licences/{licence.pk}/")
            expect(page.locator("main")).to_contain_text("Bharat Ltd")
    licence.refresh_from_db()
    assert (licence.status, licence.starts_on) == (Licence.Status.ACTIVE, date(2027, 7, 1))
