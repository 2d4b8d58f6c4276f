"""The public API: /api/v1/public/minerals, /blocks, /blocks/{code}, /blocks.csv."""

import base64
import csv
import io
import json
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.models import ApiToken
from tests.factories.registry import registered_block

pytestmark = pytest.mark.django_db

MINERALS = "/api/v1/public/minerals"
BLOCKS = "/api/v1/public/blocks"
CSV = "/api/v1/public/blocks.csv"


def detail(code):
    return f"{BLOCKS}/{code}"


def csv_rows(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def lithium_block():
    return registered_block(
        code="CG-LI-2023-01",
        name="Katghora Lithium & REE Block",
        state="Chhattisgarh",
        district="Korba",
        minerals=["lithium", "rare-earth-elements"],
        exploration_stage="G4",
        forest_land_ha="12.5",
        resources=[
            {"mineral": "lithium", "quantity_tonnes": "1200", "price_per_tonne": "850000.25", "grade": "0.4% Li2O"},
            {"mineral": "rare-earth-elements", "quantity_tonnes": "30", "price_per_tonne": "1200000",
             "price_basis": "pan_india"},
        ],
        reserve_price_pct="5.00",
        tender_fee="300000",
        illustrative_fields=["boundary", "resources"],
        source_url="https://example.org/tranche-1",
    )  # fmt: skip


@pytest.fixture
def gold_block():
    return registered_block(code="RJ-AU-2024-01", name="Bhukia Gold", state="Rajasthan", minerals=["gold"],
                            exploration_stage="G2", status="under_auction")  # fmt: skip


# Minerals


def test_minerals_list_the_catalogue_with_schedule_flags(api):
    response = api.get(MINERALS)
    assert response.status_code == 200
    by_slug = {m["slug"]: m for m in response.json()}
    assert by_slug["lithium"] == {"slug": "lithium", "name": "Lithium", "part_d": True, "seventh_schedule": True}
    assert by_slug["gold"]["part_d"] is False and by_slug["gold"]["seventh_schedule"] is True
    assert by_slug["limestone"]["part_d"] is False and by_slug["limestone"]["seventh_schedule"] is False


def test_minerals_filter_by_schedule_flags(api):
    part_d = api.get(MINERALS, {"part_d": "true"}).json()
    assert len(part_d) == 24 and all(m["part_d"] for m in part_d)
    seventh = api.get(MINERALS, {"seventh_schedule": "true"}).json()
    assert len(seventh) == 29 and all(m["seventh_schedule"] for m in seventh)
    neither = api.get(MINERALS, {"part_d": "false", "seventh_schedule": "false"}).json()
    assert "limestone" in {m["slug"] for m in neither} and "lithium" not in {m["slug"] for m in neither}


def test_minerals_unknown_flag_value_is_a_400_naming_the_allowed_values(api):
    response = api.get(MINERALS, {"part_d": "maybe"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["part_d"] == [
        "maybe is not a known part_d value. Allowed values: true, false."
    ]


# Block list


def test_block_list_row_carries_routing_area_ver_and_links(api, lithium_block):
    response = api.get(BLOCKS)
    assert response.status_code == 200
    body = response.json()
    assert body["previous"] is None and body["next"] is None
    [row] = body["results"]
    assert row["code"] == "CG-LI-2023-01"
    assert row["minerals"] == ["lithium", "rare-earth-elements"]
    assert row["routing"]["auction_authority"] == "central"
    assert row["routing"]["lease_kind"] == "CL"
    assert row["routing"]["el_eligible"] is True
    assert any("lithium and rare-earth elements are Part D minerals" in s for s in row["routing"]["explanation"])
    assert row["area_hectares"] == str(lithium_block.area_hectares)
    assert Decimal(row["area_km2"]) == (lithium_block.area_hectares / 100).quantize(Decimal("0.0001"))
    assert row["value_of_estimated_resources"] == "1056000300.00"  # strings, never floats
    assert row["illustrative_fields"] == ["boundary", "resources"]
    assert row["url"] == "http://testserver/api/v1/public/blocks/CG-LI-2023-01"
    assert row["portal_url"] == "http://testserver/blocks/CG-LI-2023-01/"
    assert "boundary" not in row  # the list stays light; the detail has it


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"mineral": "lithium"}, ["CG-LI-2023-01"]),
        ({"mineral": ["lithium", "gold"]}, ["CG-LI-2023-01", "RJ-AU-2024-01"]),
        ({"state": "Rajasthan"}, ["RJ-AU-2024-01"]),
        ({"stage": "G4"}, ["CG-LI-2023-01"]),
        ({"status": "under_auction"}, ["RJ-AU-2024-01"]),
        ({"authority": "state"}, ["RJ-AU-2024-01"]),
        ({"lease_kind": "ML"}, ["RJ-AU-2024-01"]),
        ({"el_eligible": "true"}, ["CG-LI-2023-01", "RJ-AU-2024-01"]),
        ({"search": "katghora"}, ["CG-LI-2023-01"]),
        ({"search": "rare-earth"}, ["CG-LI-2023-01"]),
        ({"mineral": "gold", "state": "Chhattisgarh"}, []),
    ],
)
def test_block_list_filters(api, lithium_block, gold_block, query, expected):
    response = api.get(f"{BLOCKS}?{urlencode(query, doseq=True)}")
    assert response.status_code == 200
    assert [b["code"] for b in response.json()["results"]] == expected


@pytest.mark.parametrize(
    ("query", "field", "names"),
    [
        ({"stage": "G9"}, "stage", ["G9", "G4, G3, G2, G1"]),
        ({"mineral": "unobtanium"}, "mineral", ["unobtanium", "lithium", "rare-earth-elements"]),
        ({"ordering": "-colour"}, "ordering", ["-colour", "value_of_estimated_resources"]),
        ({"el_eligible": "yes"}, "el_eligible", ["yes", "true, false"]),
    ],
)
def test_an_unknown_filter_value_is_a_400_in_the_error_shape(api, query, field, names):
    response = api.get(BLOCKS, query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"].startswith(f"{field}: ")
    assert all(name in error["fields"][field][0] for name in names)
    assert "Allowed values" in error["message"]


def test_unknown_code_is_a_404_in_the_error_shape(api):
    response = api.get(detail("XX-NONE-01"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "XX-NONE-01" in response.json()["error"]["message"]


def test_a_tampered_cursor_is_a_400(api, lithium_block):
    response = api.get(BLOCKS, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("ordering", "key"),
    [
        ("value_of_estimated_resources", ["lots", "A"]),
        ("area_hectares", ["not-a-number", "A"]),
        ("updated_at", ["yesterday", "A"]),
    ],
)
def test_a_cursor_with_values_of_the_wrong_type_is_a_400(api, lithium_block, ordering, key):
    payload = json.dumps({"o": [ordering, "code"], "k": key, "r": 0})
    cursor = base64.urlsafe_b64encode(payload.encode()).decode()
    response = api.get(BLOCKS, {"cursor": cursor, "ordering": ordering})
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["fields"]


def test_a_cursor_of_another_ordering_is_a_400(api):
    for n in range(3):
        registered_block(code=f"C-{n}")
    next_link = api.get(BLOCKS, {"page_size": 1}).json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]
    response = api.get(BLOCKS, {"cursor": cursor, "ordering": "-name", "page_size": 1})
    assert response.status_code == 400
    assert "another ordering" in response.json()["error"]["message"]


# Ordering and cursor pagination


@pytest.fixture
def thirty_blocks():
    """30 blocks with few distinct States and values, some without a boundary: many ties and nulls."""
    states = ["Odisha", "Rajasthan", "Odisha", "Goa", "Odisha"]
    blocks = []
    for n in range(30):
        resources = [{"mineral": "gold", "quantity_tonnes": str(n % 3), "price_per_tonne": "1000"}]
        blocks.append(
            registered_block(
                code=f"PG-{29 - n:03d}",
                name=f"Block {n % 4}",
                state=states[n % 5],
                minerals=["gold"],
                resources=resources,
                boundary=None if n % 7 == 0 else {"type": "Polygon", "coordinates": [
                    [[80 + n * 0.1, 20], [80 + n * 0.1 + 0.01 * (1 + n % 4), 20],
                     [80 + n * 0.1 + 0.01 * (1 + n % 4), 20.01], [80 + n * 0.1, 20.01], [80 + n * 0.1, 20]]
                ]},
            )
        )  # fmt: skip
    return blocks


def walk(api, query, direction="next", start=None):
    """Follow the links from the first page (or `start`) to the end; returns the pages' codes in order."""
    pages, url = [], start or f"{BLOCKS}?{urlencode(query)}"
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.json()
        body = response.json()
        pages.append([b["code"] for b in body["results"]])
        url = body[direction]
    return pages


def sort_key(block, field):
    """The order the API promises: a block without a boundary (no area) sorts as the smallest."""
    return {
        "code": block.code,
        "name": block.name,
        "state": block.state,
        "area_hectares": block.area_hectares if block.area_hectares is not None else Decimal("-Infinity"),
        "value_of_estimated_resources": block.value_of_estimated_resources,
        "updated_at": block.updated_at,
    }[field]


@pytest.mark.parametrize(
    "ordering",
    ["code", "-code", "name", "-name", "state", "-state", "area_hectares", "-area_hectares",
     "value_of_estimated_resources", "-value_of_estimated_resources", "updated_at", "-updated_at"],
)  # fmt: skip
def test_cursor_pages_walk_every_block_once_in_order(api, thirty_blocks, ordering):
    pages = walk(api, {"ordering": ordering, "page_size": 4})
    seen = [code for page in pages for code in page]
    assert len(pages) == 8 and all(len(p) == 4 for p in pages[:-1])
    assert len(seen) == len(set(seen)) == 30  # no duplicates, no gaps

    field = ordering.lstrip("-")
    by_code = {b.code: b for b in thirty_blocks}
    keys = [sort_key(by_code[c], field) for c in seen]
    assert keys == sorted(keys, reverse=ordering.startswith("-"))
    # ties are broken by the code, so the order is the same on every request and every database
    for a, b in zip(seen, seen[1:], strict=False):
        if sort_key(by_code[a], field) == sort_key(by_code[b], field):
            assert a < b


@pytest.mark.parametrize("ordering", ["-state", "area_hectares", "-area_hectares"])
def test_previous_links_walk_back_over_the_same_pages(api, thirty_blocks, ordering):
    forward = walk(api, {"ordering": ordering, "page_size": 7})
    url = f"{BLOCKS}?{urlencode({'ordering': ordering, 'page_size': 7})}"
    while (following := api.get(url).json()["next"]) is not None:
        url = following
    assert walk(api, {}, start=url, direction="previous") == list(reversed(forward))


@pytest.mark.parametrize("ordering", ["code", "-code", "area_hectares", "-value_of_estimated_resources", "-updated_at"])
def test_a_filtered_list_walks_its_matches_once_in_order_both_ways(api, thirty_blocks, ordering):
    # Filtered pages are read in two steps (their keys from the indexes, then their rows): the same promise holds.
    query = {"state": "Odisha", "mineral": "gold", "ordering": ordering, "page_size": 5}
    forward = walk(api, query)
    seen = [code for page in forward for code in page]
    odisha = sorted((b for b in thirty_blocks if b.state == "Odisha"), key=lambda b: b.code)
    # by the field, ties by the code ascending whichever way the field runs (a stable sort keeps the code order)
    expected = sorted(odisha, key=lambda b: sort_key(b, ordering.lstrip("-")), reverse=ordering.startswith("-"))
    assert len(seen) == 18 and [len(p) for p in forward] == [5, 5, 5, 3]
    assert seen == [b.code for b in expected]
    url = f"{BLOCKS}?{urlencode(query)}"
    while (following := api.get(url).json()["next"]) is not None:
        url = following
    assert walk(api, {}, start=url, direction="previous") == list(reversed(forward))


def test_default_order_is_by_code(api, thirty_blocks):
    codes = [b["code"] for b in api.get(BLOCKS).json()["results"]]
    assert codes == sorted(b.code for b in thirty_blocks)


def test_page_size_is_capped(api, thirty_blocks):
    assert len(api.get(BLOCKS, {"page_size": 10}).json()["results"]) == 10
    assert len(api.get(BLOCKS, {"page_size": 100000}).json()["results"]) == 30


def test_a_block_registered_while_walking_is_neither_repeated_nor_skipped_before_the_cursor(api, thirty_blocks):
    first = api.get(BLOCKS, {"page_size": 10}).json()
    registered_block(code="PG-000A")  # sorts inside the first page, already read
    rest = codes_from(api, first["next"])
    seen = [b["code"] for b in first["results"]] + rest
    assert len(seen) == len(set(seen)) == 30


def codes_from(api, url):
    codes = []
    while url:
        body = api.get(url).json()
        codes += [b["code"] for b in body["results"]]
        url = body["next"]
    return codes


# Detail


def test_block_detail_has_everything_published(api, lithium_block):
    response = api.get(detail("CG-LI-2023-01"))
    assert response.status_code == 200
    body = response.json()
    assert body["boundary"]["type"] == "Polygon"
    assert body["bbox"] == [lithium_block.min_lon, lithium_block.min_lat, lithium_block.max_lon, lithium_block.max_lat]
    assert body["forest_land_ha"] == "12.5000"
    assert body["reserve_price_pct"] == "5.00"
    assert body["tender_fee"] == "300000.00"
    assert body["source_url"] == "https://example.org/tranche-1"
    assert body["resources"] == [
        {"mineral": "lithium", "mineral_name": "Lithium", "quantity_tonnes": "1200.000", "grade": "0.4% Li2O",
         "price_per_tonne": "850000.25", "price_basis": "state", "value": "1020000300.00"},
        {"mineral": "rare-earth-elements", "mineral_name": "Rare-earth elements", "quantity_tonnes": "30.000",
         "grade": "", "price_per_tonne": "1200000.00", "price_basis": "pan_india", "value": "36000000.00"},
    ]  # fmt: skip
    assert body["value_of_estimated_resources"] == "1056000300.00"


def test_block_detail_publishes_nothing_internal(api, lithium_block):
    body = api.get(detail("CG-LI-2023-01")).json()
    assert not {"id", "pk", "min_lon", "max_lat"} & set(body)


# CSV


def test_csv_has_a_header_row_and_one_row_per_filtered_block(api, lithium_block, gold_block):
    response = api.get(CSV, {"mineral": "lithium"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="khanij-blocks.csv"' in response["Content-Disposition"]
    [row] = csv_rows(response)
    assert row["code"] == "CG-LI-2023-01"
    assert row["minerals"] == "lithium;rare-earth-elements"
    assert row["auction_authority"] == "central"
    assert row["value_of_estimated_resources"] == "1056000300.00"
    assert row["illustrative_fields"] == "boundary;resources"
    assert row["portal_url"] == "http://testserver/blocks/CG-LI-2023-01/"


def test_csv_header_row_names_the_columns(api):
    text = b"".join(api.get(CSV).streaming_content).decode()
    assert text.splitlines()[0].startswith("code,name,state,district,minerals,exploration_stage,")
    assert len(text.splitlines()) == 1  # an empty registry is a header alone


def test_csv_follows_the_ordering(api, thirty_blocks):
    rows = csv_rows(api.get(CSV, {"ordering": "-code"}))
    assert [r["code"] for r in rows] == sorted((b.code for b in thirty_blocks), reverse=True)


def test_csv_cells_that_look_like_formulas_are_neutralised(api):
    registered_block(code="CSV-1", name='=HYPERLINK("http://evil")')
    [row] = csv_rows(api.get(CSV))
    assert row["name"].startswith("'=")


def test_csv_with_an_unknown_filter_value_is_a_json_400(api):
    response = api.get(CSV, {"stage": "G9"}, HTTP_ACCEPT="text/csv")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["stage"]


# Caching


@pytest.mark.parametrize("url", [MINERALS, BLOCKS, detail("CG-LI-2023-01"), CSV])
def test_public_responses_may_be_cached_for_a_minute(api, lithium_block, url):
    response = api.get(url)
    assert response.status_code == 200
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=60"}


# Roles: everyone gets the same public data, and nobody can write


ROLES = ["anonymous", "plain_user", "firm_user", "other_firm_user", "regulator"]


def client_for(request, role, how):
    client = APIClient()
    if role == "anonymous":
        return client
    user = request.getfixturevalue(role)
    if how == "session":
        client.force_login(user)
    else:
        client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.objects.create(user=user, name='reader')[1]}")
    return client


ENDPOINTS = [MINERALS, BLOCKS, detail("CG-LI-2023-01"), CSV]


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("how", ["session", "token"])
def test_every_role_reads_the_same_public_data(request, api, lithium_block, url, role, how):
    expected = body_of(api.get(url))
    response = client_for(request, role, how).get(url)
    assert response.status_code == 200
    assert body_of(response) == expected


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_no_role_can_write_through_the_public_api(request, lithium_block, url, role, method):
    client = client_for(request, role, "session")
    response = getattr(client, method)(url, {"code": "CG-LI-2023-01", "name": "Renamed"}, format="json")
    assert response.status_code in (403, 405)
    assert "error" in response.json()
    assert api_name(lithium_block) == "Katghora Lithium & REE Block"


def api_name(block):
    block.refresh_from_db()
    return block.name


def test_a_bad_token_does_not_stop_a_public_read(lithium_block):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(BLOCKS).status_code == 200


# Queries do not grow with rows


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        body_of(response)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [BLOCKS, f"{BLOCKS}?mineral=gold&search=block", CSV, MINERALS])
def test_query_count_does_not_grow_with_the_number_of_blocks(api, url):
    for n in range(3):
        registered_block(code=f"Q-{n:03d}", minerals=["gold", "copper"])
    few = count_queries(api, url)
    for n in range(3, 30):
        registered_block(code=f"Q-{n:03d}", minerals=["gold", "copper"])
    assert count_queries(api, url) == few
