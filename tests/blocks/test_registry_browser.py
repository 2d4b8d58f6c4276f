"""A regulator registers a block through the pages, in real Chromium, and the public then finds it."""

import json

import pytest

from tests.browser import log_in
from tests.factories import square_boundary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_regulator_registers_a_block_through_the_page_and_the_public_finds_it(page, regulator):
    log_in(page, "regulator1")
    page.goto("/regulator/blocks/new/")
    page.fill("#id_code", "CG-LI-2027-01")
    page.fill("#id_name", "Korba North Lithium Block")
    page.select_option("#id_state", "Chhattisgarh")
    page.fill("#id_district", "Korba")
    page.get_by_label("Lithium").check()
    page.select_option("#id_exploration_stage", "G3")
    # First a boundary with latitude and longitude swapped: refused, with the reason next to the field.
    page.fill("#id_boundary", json.dumps(square_boundary(22.3, 82.6)))
    page.fill("#id_reserve_price_pct", "10.50")
    with page.expect_navigation():
        page.get_by_role("button", name="Register the block").click()
    assert "outside India" in page.locator("#id_boundary_error").inner_text()
    assert page.input_value("#id_name") == "Korba North Lithium Block"  # nothing typed is lost

    page.fill("#id_boundary", json.dumps(square_boundary(82.6, 22.3)))
    page.select_option("select[name$='0-mineral']", "lithium")
    page.fill("input[name$='0-quantity_tonnes']", "150000")
    page.fill("input[name$='0-price_per_tonne']", "20000")
    page.get_by_role("button", name="Register the block").click()

    derived = page.locator("section.derived")
    derived.wait_for()
    text = derived.inner_text()
    assert "Central Government" in text
    assert "CL" in text
    assert "Rs 3,00,00,00,000.00" in text  # VER = 150,000 t x Rs 20,000

    page.goto("/blocks/?mineral=lithium")
    assert "Korba North Lithium Block" in page.locator("main table").inner_text()
    page.get_by_role("link", name="CG-LI-2027-01").click()
    assert page.locator(".map svg path").count() >= 1
    assert "Korba" in page.locator("main").inner_text()
