"""A citizen, in real Chromium, filters the licence register, opens a licence, sees its map and history, and
downloads its coordinates."""

import json

import pytest

from tests.factories import FirmFactory
from tests.factories.licence_register import el_granted, ml_with_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_citizen_filters_the_register_and_reads_a_licence(page):
    ml = ml_with_history(holder=FirmFactory(legal_name="Alice Minerals Ltd"), number="ML/2027/0007")
    el_granted(holder=FirmFactory(legal_name="Ganga Explorers Ltd"), number="EL/2027/0003")

    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Licences").click()
    table = page.locator("main table")
    assert "ML/2027/0007" in table.inner_text() and "EL/2027/0003" in table.inner_text()

    page.get_by_label("Kind").select_option("ML")
    page.get_by_label("Holder").fill("alice")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    assert "kind=ML" in page.url
    assert "1 licence matches the filters" in page.locator(".list-summary").inner_text()
    assert "EL/2027/0003" not in table.inner_text()

    with page.expect_navigation():
        page.get_by_role("link", name="ML/2027/0007").click()
    assert page.url.endswith(f"/licences/{ml.pk}/")
    assert page.locator("h1").inner_text() == "Mining lease ML/2027/0007"
    assert page.locator(".map svg path.block-boundary").count() == 1

    history = page.locator("#history table").inner_text()
    assert "Preferred bidder declared → Letter of Intent issued" in history
    assert "Lease deed executed." in history
    assert "Verified: the chain of 4 entries recomputes" in page.locator(".ledger-check").inner_text()
    obligations = page.locator("#obligations table").inner_text()
    assert "Mining plan approved" in obligations and "Penalty: 1% of the performance security" in obligations

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the coordinates (GeoJSON)").click()
    assert download.value.suggested_filename == "ML-2027-0007.geojson"
    with open(download.value.path()) as f:
        geojson = json.load(f)
    assert geojson["features"][0]["geometry"] == ml.boundary
