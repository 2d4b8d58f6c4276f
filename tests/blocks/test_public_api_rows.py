"""The public block list and detail written from plain values (issue 15, "Speed"): the same JSON, field by field and
in the same order, as DRF's serializers of the documented schema write from model instances, and a number of SQL
queries that does not grow with the number of blocks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.seed import seed_blocks
from blocks.api.serializers import BlockDetailSerializer, BlockSerializer
from blocks.list_rows import blocks_without_list_rows
from blocks.models import Block, BlockListRow
from blocks.public_cache import new_data_version
from blocks.selectors import block_detail, block_list_queryset
from tests.factories.registry import registered_block

pytestmark = pytest.mark.django_db

BLOCKS = "/api/v1/public/blocks"


@pytest.fixture
def varied_registry():
    """Sixty blocks of the benchmark's seeder (1-3 minerals, both authorities, ML and CL, every stage, resources
    priced, VER) and a few made by the service for the edges: no boundary (null areas, no bbox), no resources, a
    code that needs quoting in a URL, no source, no reserve price, a State block of a mineral in no schedule."""
    seed_blocks(60)
    registered_block(code="RJ-AU-2024-01", state="Rajasthan", minerals=["gold", "copper"], boundary=None)
    registered_block(
        code="OD-GR 2025#1", name="Graphite & Co", state="Odisha", minerals=["graphite"], status="identified"
    )
    registered_block(code="KA-LS-01", state="Karnataka", minerals=["limestone"], exploration_stage="G1")
    new_data_version()
    assert not blocks_without_list_rows().exists()  # the list answers from the rows stored by the writes
    return Block.objects.count()


def walk(api, url):
    rows = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        page = response.json()
        rows += page["results"]
        url = page["next"]
    return rows


def same_fields(actual: dict, expected: dict):
    assert list(actual) == list(expected)  # the same keys in the same order: the same bytes on the wire
    for name, value in expected.items():
        assert actual[name] == value, f"{actual.get('code')}: {name}"


@pytest.mark.parametrize("query", ["", "?page_size=7", "?ordering=-area_hectares", "?ordering=name&page_size=13"])
def test_every_list_row_is_what_the_schema_serializer_writes(api, varied_registry, query):
    rows = walk(api, BLOCKS + query)
    assert len(rows) == varied_registry
    request = api.get(BLOCKS).wsgi_request
    by_code = {
        row["code"]: dict(row)
        for row in BlockSerializer(block_list_queryset(), many=True, context={"request": request}).data
    }
    for row in rows:
        same_fields(row, by_code[row["code"]])
    assert {row["code"] for row in rows} == set(by_code)


def test_rows_not_stored_are_rendered_as_the_schema_serializer_writes(api, varied_registry):
    BlockListRow.objects.filter(block__code__in=["BX-000002", "OD-GR 2025#1", "KA-LS-01"]).delete()
    new_data_version()
    test_every_list_row_is_what_the_schema_serializer_writes(api, varied_registry, "?page_size=9")


def test_the_filtered_list_is_what_the_schema_serializer_writes(api, varied_registry):
    rows = walk(api, f"{BLOCKS}?mineral=lithium&mineral=graphite&state=Odisha&state=Chhattisgarh&page_size=5")
    expected = block_list_queryset().filter(
        minerals__slug__in=["lithium", "graphite"], state__in=["Odisha", "Chhattisgarh"]
    )
    request = api.get(BLOCKS).wsgi_request
    expected = BlockSerializer(expected.distinct(), many=True, context={"request": request}).data
    assert [row["code"] for row in rows] == [row["code"] for row in expected]
    assert rows
    for row, want in zip(rows, expected, strict=True):
        same_fields(row, dict(want))


def test_every_detail_is_what_the_schema_serializer_writes(api, varied_registry):
    request = api.get(BLOCKS).wsgi_request
    for code in Block.objects.order_by("code").values_list("code", flat=True):
        block = block_detail(code=code)
        response = api.get(BlockSerializer(block, context={"request": request}).data["url"])
        assert response.status_code == 200, response.content
        expected = BlockDetailSerializer(block, context={"request": request}).data
        same_fields(response.json(), dict(expected))


def test_a_row_reads_as_a_person_expects(api):
    # Written by hand from the block below, not by any serializer.
    registered_block(
        code="OD-GR 2025#1",
        name="Graphite & Co",
        state="Odisha",
        district="Koraput",
        minerals=["graphite", "lithium"],
        exploration_stage="G2",
        boundary=None,
        status="identified",
    )
    row = api.get(BLOCKS).json()["results"][0]
    assert row["code"] == "OD-GR 2025#1"
    assert row["minerals"] == ["graphite", "lithium"]
    assert row["url"] == "http://testserver/api/v1/public/blocks/OD-GR%202025%231"
    assert row["portal_url"] == "http://testserver/blocks/OD-GR%202025%231/"
    assert row["area_hectares"] is None and row["area_km2"] is None
    assert row["value_of_estimated_resources"] == "0.00"
    assert row["routing"]["auction_authority"] == "central"
    assert row["routing"]["lease_kind"] == "ML"
    assert row["routing"]["explanation"][0] == (
        "Auctioned by the Central Government because graphite and lithium are Part D minerals (MMDR Act s.11D); "
        "the revenue goes to the State of Odisha."
    )
    assert row["routing"]["explanation"][1] == (
        "Offered as a mining lease (ML) because exploration has reached G2 (general exploration); an ML needs G2 or "
        "better."
    )
    assert row["updated_at"].endswith("+05:30")


def count(api, url):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def test_the_queries_of_a_page_and_a_detail_do_not_grow_with_ten_times_the_blocks(api):
    urls = [BLOCKS, f"{BLOCKS}?mineral=lithium&state=Chhattisgarh", f"{BLOCKS}?search=block&ordering=-updated_at"]
    registered_block(code="CG-LI-01", state="Chhattisgarh", minerals=["lithium"])  # the filter matches a row
    seed_blocks(8)
    new_data_version()
    few = [count(api, url) for url in urls] + [count(api, f"{BLOCKS}/BX-000003")]
    seed_blocks(90)  # 91 blocks against 9
    new_data_version()
    many = [count(api, url) for url in urls] + [count(api, f"{BLOCKS}/BX-000077")]
    assert many == few
    # The page's keys with their stored rows (blocks.list_rows): one query. Filtered, the page's keys first (from the
    # indexes), then its stored rows by key, and with a mineral filter, before all, the mineral by its slug. The
    # detail: the block with its stored list row, then its resources.
    assert few == [1, 3, 2, 2]
