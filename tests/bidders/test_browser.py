"""In real Chromium: a firm signs up, lands on its dashboard and declares a beneficial owner."""

import pytest

from bidders.models import BeneficialOwner, Membership


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_firm_signs_up_and_declares_an_owner(page):
    page.goto("/signup/")
    page.fill("#id_username", "dora")
    page.fill("#id_email", "dora@deccan.in")
    page.fill("#id_password", "lithium-brine-2026")
    page.fill("#id_password_confirm", "lithium-brine-2026")
    page.fill("#id_legal_name", "Deccan Lithium Pvt Ltd")
    page.fill("#id_cin", "u13100ka2021ptc654321")
    page.fill("#id_pan", "AABCD1234E")
    page.fill("#id_registered_address", "12 MG Road, Bengaluru 560001")
    page.fill("#id_net_worth", "25,00,00,000")
    page.fill("#id_net_worth_as_of", "2026-03-31")
    page.click("button[type=submit]:has-text('register the firm')")

    page.wait_for_url("**/firm/")
    assert page.locator("h1").inner_text().startswith("Deccan Lithium Pvt Ltd")
    assert "U13100KA2021PTC654321" in page.locator("#firm").inner_text()

    page.click("summary:has-text('Declare a beneficial owner')")
    page.fill("#id_owner-name", "Asha Rao")
    page.fill("#id_owner-pan", "ABCPR1234K")
    page.fill("#id_owner-share", "120")
    page.click("#owners button[type=submit]:has-text('Declare')")
    assert "between 0 and 100" in page.locator("#owners").inner_text()  # refused, the form stays open

    page.fill("#id_owner-share", "51")
    page.click("#owners button[type=submit]:has-text('Declare')")
    assert "without that consent the owner cannot be declared" in page.locator("#owners").inner_text()
    assert not BeneficialOwner.objects.exists()  # no consent: refused
    assert "EITI Standard (Requirement 2.5)" in page.locator("#owner-notice").inner_text()
    page.check("#id_owner-publication_consent")
    page.click("#owners button[type=submit]:has-text('Declare')")
    page.wait_for_url("**/firm/#owners")
    assert "Asha Rao" in page.locator("#owners table").inner_text()
    assert BeneficialOwner.objects.get().share == 51
    assert Membership.objects.get(user__username="dora").role == Membership.Role.ADMIN
