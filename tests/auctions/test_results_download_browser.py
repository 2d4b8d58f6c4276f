"""A citizen opens Results, filters by mineral, and downloads the CSV of what is shown and the OCDS release package of
a tranche: the files hold the filtered results and the tranche's releases (issue 15)."""

import csv
import json

import pytest

from tests.auctions.test_downloads import historic
from tests.standards import ocds_package_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_citizen_filters_results_by_mineral_and_downloads_the_csv_and_a_tranche_package(page):
    lithium = historic(2, tranche_name="Tranche 1", mineral="lithium", state="Odisha")
    graphite = historic(1, tranche_name="Tranche 2", mineral="graphite", state="Bihar")

    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Results").click()
    assert page.locator("table.results tbody tr").count() == 3

    page.get_by_label("Mineral").select_option("lithium")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    assert "mineral=lithium" in page.url
    shown = page.locator("table.results tbody").inner_text()
    assert all(a.block.code in shown for a in lithium) and graphite[0].block.code not in shown

    with page.expect_download() as download:
        page.get_by_role("link", name="these results as CSV").click()
    assert download.value.suggested_filename == "khanij-results.csv"
    with open(download.value.path(), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["block_code"] for r in rows) == sorted(a.block.code for a in lithium)
    assert {r["minerals"] for r in rows} == {"lithium"} and {r["preferred_bidder"] for r in rows} == {
        "Firm 0 Ltd",
        "Firm 1 Ltd",
    }

    assert page.locator("a.download-ocds").all_inner_texts() == ["Tranche 1"]  # only the tranches shown
    with page.expect_download() as download:
        page.get_by_role("link", name="Tranche 1", exact=True).and_(page.locator("a.download-ocds")).click()
    assert download.value.suggested_filename == f"khanij-ocds-tranche-{lithium[0].tranche_id}.json"
    with open(download.value.path(), encoding="utf-8") as f:
        package = json.load(f)
    assert not ocds_package_errors(package)
    assert {r["ocid"] for r in package["releases"]} == {a.ocid for a in lithium}
    awards = [r for r in package["releases"] if "award" in r["tag"]]
    assert sorted(s["name"] for r in awards for s in r["parties"] if "supplier" in s["roles"]) == [
        "Firm 0 Ltd",
        "Firm 1 Ltd",
    ]
