"""The public portal's pages: home, block list with filters, block detail with its map, the friendly 404."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.registry import registered_block

pytestmark = pytest.mark.django_db


def text(response):
    return html.unescape(response.content.decode())


def listed_codes(response):
    return re.findall(r'<td><a href="/blocks/([^/"]+)/">', response.content.decode())


@pytest.fixture
def registry():
    lithium = registered_block(
        code="CG-LI-2023-01", name="Katghora Lithium & REE Block", state="Chhattisgarh", district="Korba",
        minerals=["lithium", "rare-earth-elements"], exploration_stage="G4", status="notified",
        forest_land_ha="12.5", government_land_ha="20", other_land_ha="1",
        resources=[{"mineral": "lithium", "quantity_tonnes": "1200", "price_per_tonne": "850000", "grade": "0.4% Li2O",
                    "price_basis": "pan_india"}],
        tender_fee="300000", reserve_price_pct="5.00",
        illustrative_fields=["boundary", "resources"], source_url="https://example.org/tranche-1",
    )  # fmt: skip
    gold = registered_block(
        code="RJ-AU-2024-01", name="Bhukia Gold Block", state="Rajasthan", district="Banswara",
        minerals=["gold"], exploration_stage="G2", status="under_auction",
    )  # fmt: skip
    limestone = registered_block(
        code="OD-LS-2024-03", name="Sundargarh Limestone", state="Odisha", minerals=["limestone"],
        exploration_stage="G1", status="auctioned", boundary=None,
    )  # fmt: skip
    return lithium, gold, limestone


# Home


def test_home_shows_what_is_open_and_the_key_figures(client, registry):
    response = client.get("/")
    assert response.status_code == 200
    page = text(response)
    assert '3</div><div class="label">blocks in the registry' in page
    assert '2</a></div><div class="label">open for auction now' in page
    assert "Rs 102.00 crore" in page  # total VER: 1200 t x Rs 8,50,000
    assert "Katghora Lithium &amp; REE Block" in response.content.decode()
    assert "Bhukia Gold Block" in page and "Sundargarh Limestone" not in page.split("Blocks by status")[0]
    assert '/blocks/?mineral=lithium">Lithium' in page
    assert '/blocks/?authority=central">Central Government' in page
    assert "Part D" in page and "Central Government" in page  # the citizen's explanation


def test_home_of_an_empty_registry_says_so(client):
    page = text(client.get("/"))
    assert "No block is open for auction at the moment" in page


# Block list


def test_block_list_shows_every_block_with_its_columns(client, registry):
    response = client.get("/blocks/")
    assert response.status_code == 200
    assert sorted(listed_codes(response)) == ["CG-LI-2023-01", "OD-LS-2024-03", "RJ-AU-2024-01"]
    page = text(response)
    for column in ("Code", "Name", "State", "District", "Minerals", "Stage", "Lease", "Area", "Auctioned by", "Status"):
        assert f">{column}<" in page
    area = registry[0].area_hectares
    assert f"{area:,.2f} ha" in page


def test_filtering_by_mineral_shows_only_those_blocks(client, registry):
    response = client.get("/blocks/", {"mineral": "lithium"})
    assert listed_codes(response) == ["CG-LI-2023-01"]
    assert '<option value="lithium" selected>' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "Rajasthan"}, ["RJ-AU-2024-01"]),
        ({"stage": "G1"}, ["OD-LS-2024-03"]),
        ({"status": "notified"}, ["CG-LI-2023-01"]),
        ({"authority": "central"}, ["CG-LI-2023-01"]),
        ({"lease_kind": "CL"}, ["CG-LI-2023-01"]),
        ({"search": "banswara"}, ["RJ-AU-2024-01"]),
    ],
)
def test_each_filter_of_the_form_narrows_the_table(client, registry, query, expected):
    assert listed_codes(client.get("/blocks/", query)) == expected


def test_download_csv_link_carries_the_same_filters(client, registry):
    page = client.get("/blocks/", {"mineral": "gold", "state": "Rajasthan", "page": "1"}).content.decode()
    href = html.unescape(re.search(r'<a href="([^"]+)" download>Download CSV</a>', page).group(1))
    assert href == "/api/v1/public/blocks.csv?mineral=gold&state=Rajasthan"
    rows = b"".join(client.get(href).streaming_content).decode().splitlines()
    assert len(rows) == 2 and rows[1].startswith("RJ-AU-2024-01,")


def test_no_match_shows_an_empty_state_message(client, registry):
    page = text(client.get("/blocks/", {"search": "nothing-like-this"}))
    assert "No block matches these filters." in page and "Clear filters" in page


def test_an_unknown_filter_value_is_explained_on_the_page(client, registry):
    response = client.get("/blocks/", {"stage": "G9"})
    assert response.status_code == 400
    assert "G9 is not a known exploration stage. Allowed values: G4, G3, G2, G1." in text(response)
    assert listed_codes(response) == []


def test_the_list_is_paginated_and_pages_keep_the_filters(client):
    for n in range(55):
        registered_block(code=f"PG-{n:03d}", minerals=["gold"])
    registered_block(code="ZZ-LI", minerals=["lithium"])
    first = client.get("/blocks/", {"mineral": "gold"})
    assert len(listed_codes(first)) == 50
    assert "56 blocks" not in text(first) and "55 blocks match the filters" in text(first)
    next_href = html.unescape(re.search(r'<a href="([^"]+)" rel="next">', first.content.decode()).group(1))
    assert "mineral=gold" in next_href and "page=2" in next_href
    second = client.get(f"/blocks/{next_href}")
    assert listed_codes(second) == [f"PG-{n:03d}" for n in range(50, 55)]


def test_sorting_by_a_column_keeps_the_filters(client, registry):
    page = client.get("/blocks/", {"mineral": "gold"}).content.decode()
    href = html.unescape(re.search(r'<a href="([^"]+)">Name</a>', page).group(1))
    assert "mineral=gold" in href and "ordering=name" in href


# Block detail


def test_block_detail_draws_the_boundary_as_an_svg_path(client, registry):
    response = client.get("/blocks/CG-LI-2023-01/")
    assert response.status_code == 200
    page = response.content.decode()
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    assert 'class="block-boundary" d="M' in svg and " Z" in svg
    assert "scale-bar" in svg and "north-arrow" in svg


def test_block_detail_outlines_neighbouring_blocks(client):
    square = [[80.0, 20.0], [80.02, 20.0], [80.02, 20.02], [80.0, 20.02], [80.0, 20.0]]
    east = [[80.02, 20.0], [80.04, 20.0], [80.04, 20.02], [80.02, 20.02], [80.02, 20.0]]
    registered_block(code="NB-1", boundary={"type": "Polygon", "coordinates": [square]})
    registered_block(code="NB-2", boundary={"type": "Polygon", "coordinates": [east]})
    page = client.get("/blocks/NB-1/").content.decode()
    assert 'class="neighbour"' in page and ">NB-2</text>" in page


def test_block_detail_marks_illustrative_values_and_links_the_source(client, registry):
    page = text(client.get("/blocks/CG-LI-2023-01/"))
    assert page.count('class="illustrative"') >= 4  # notice, area, VER, boundary caption, resources
    assert re.search(r"Area</dt><dd>[^<]*ha \([^<]*km²\)<span class=\"illustrative\"", page)
    assert re.search(r"District</dt><dd>Korba</dd>", page)  # a published fact carries no mark
    assert '<a href="https://example.org/tranche-1" rel="noopener external">' in page


def test_block_detail_explains_routing_and_values_in_indian_format(client, registry):
    page = text(client.get("/blocks/CG-LI-2023-01/"))
    assert "Auctioned by the Central Government because lithium and rare-earth elements are Part D minerals" in page
    assert "Rs 8,50,000.00" in page  # price per tonne
    assert "Rs 1,02,00,00,000.00" in page  # VER
    assert "IBM pan-India average" in page
    assert "Rs 3,00,000.00 + GST" in page
    assert "5.00% of the value of mineral despatched" in page
    assert "12.50" in page and "20.00" in page and "33.50" in page  # land split and its total
    assert " IST" in page


def test_block_without_boundary_says_so(client, registry):
    page = text(client.get("/blocks/OD-LS-2024-03/"))
    assert "<svg" not in page and "No surveyed boundary has been published" in page
    assert "Value of estimated resources</dt><dd>not yet estimated</dd>" in page
    assert "The split of the block's land into forest, government and other land has not been published" in page
    assert "Auctioned by the Government of Odisha because none of its minerals (limestone)" in page


def test_a_missing_code_is_a_friendly_404(client, registry):
    response = client.get("/blocks/CG-LI-2023-99/")
    assert response.status_code == 404
    page = text(response)
    assert "No block has the code “CG-LI-2023-99”" in page
    assert "Blocks with a similar code or name" in page and "/blocks/CG-LI-2023-01/" in page
    assert 'name="search" value="CG-LI-2023-99"' in page


def test_the_404_suggests_blocks_with_a_similar_name(client, registry):
    page = text(client.get("/blocks/katghora/"))
    assert "Blocks with a similar code or name" in page and "/blocks/CG-LI-2023-01/" in page


# Roles and cost


@pytest.mark.parametrize("role", ["anonymous", "plain_user", "firm_user", "other_firm_user", "regulator"])
@pytest.mark.parametrize("url", ["/", "/blocks/", "/blocks/?mineral=lithium", "/blocks/CG-LI-2023-01/"])
def test_every_role_sees_the_public_pages(request, client, registry, role, url):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.get(url)
    assert response.status_code == 200
    assert "Katghora Lithium" in text(response)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/", "/blocks/", "/blocks/?mineral=gold&search=block&ordering=-area_hectares"])
def test_page_query_count_does_not_grow_with_the_number_of_blocks(client, url):
    for n in range(3):
        registered_block(code=f"Q-{n:03d}", minerals=["gold", "copper"], status="notified")
    few = count_queries(client, url)
    for n in range(3, 30):
        registered_block(code=f"Q-{n:03d}", minerals=["gold", "copper"], status="notified")
    assert count_queries(client, url) == few


# In a real browser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_citizen_filters_by_mineral_opens_a_block_and_sees_its_map(page):
    registered_block(code="CG-LI-2023-01", name="Katghora Lithium", minerals=["lithium"])
    registered_block(code="RJ-AU-2024-01", name="Bhukia Gold", minerals=["gold"])
    page.goto("/")
    page.get_by_role("link", name="Blocks", exact=True).first.click()
    page.get_by_label("Mineral").select_option("lithium")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/blocks/?*mineral=lithium*")
    assert page.get_by_role("link", name="RJ-AU-2024-01").count() == 0
    page.get_by_role("link", name="CG-LI-2023-01").click()
    page.wait_for_url("**/blocks/CG-LI-2023-01/")
    map_ = page.locator("svg.block-map")
    assert map_.is_visible()
    box = map_.bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    assert page.locator("svg.block-map path.block-boundary").count() == 1
