"""The public block list's stored rows (blocks.list_rows): after every kind of write the list still says what
BlockSerializer (the documented schema) writes for each block, field by field and in key order, from rows stored by
the write itself (so a page stays one query); a row that is missing, of an older rendering, or outdated by a write
that went around the services is never shown: the list renders that row itself."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models.functions import Now

from bench.seed import seed_blocks
from blocks import lifecycle
from blocks.api.serializers import BlockDetailSerializer, BlockSerializer
from blocks.list_rows import ROW_VERSION, blocks_without_list_rows
from blocks.models import Block, BlockListRow, Mineral
from blocks.public_cache import new_data_version
from blocks.selectors import block_detail, block_list_queryset
from blocks.services import block_update
from tests.blocks.test_public_api_rows import count, same_fields, walk
from tests.factories.registry import registered_block

pytestmark = pytest.mark.django_db

BLOCKS = "/api/v1/public/blocks"


def listed(api) -> dict[str, dict]:
    """The whole list, each row held to what BlockSerializer writes for its block; code -> row."""
    rows = walk(api, f"{BLOCKS}?page_size=500")
    request = api.get(BLOCKS).wsgi_request
    expected = BlockSerializer(block_list_queryset(), many=True, context={"request": request}).data
    assert [row["code"] for row in rows] == [want["code"] for want in expected]
    for row, want in zip(rows, expected, strict=True):
        same_fields(row, dict(want))
    return {row["code"]: row for row in rows}


def detail(api, block) -> dict:
    """The block's detail, held to what BlockDetailSerializer writes for it."""
    request = api.get(BLOCKS).wsgi_request
    expected = BlockDetailSerializer(block_detail(code=block.code), context={"request": request}).data
    response = api.get(f"{BLOCKS}/{block.code}")
    assert response.status_code == 200, response.content
    same_fields(response.json(), dict(expected))
    return response.json()


def all_stored():
    """Every block has a stored row the list uses: the write rendered it (else the list renders it per request)."""
    return not blocks_without_list_rows().exists()


@pytest.fixture
def two_blocks():
    registered_block(code="CG-LI-01", minerals=["lithium", "graphite"], status="identified")
    registered_block(code="RJ-AU-01", state="Rajasthan", minerals=["gold"], boundary=None)
    return Block.objects.get(code="CG-LI-01")


def test_a_registered_block_is_listed_from_the_row_its_registration_stored(api, two_blocks):
    assert all_stored()
    rows = listed(api)
    assert rows["CG-LI-01"]["minerals"] == ["graphite", "lithium"]
    new_data_version()
    assert count(api, BLOCKS) == 1


@pytest.mark.parametrize(
    ("change", "field", "shown"),
    [
        ({"name": "Katghora North"}, "name", "Katghora North"),
        ({"minerals": ["gold"], "exploration_stage": "G1"}, "minerals", ["gold"]),
        (
            {"resources": [{"mineral": "lithium", "quantity_tonnes": "1000", "price_per_tonne": "5200.50"}]},
            "value_of_estimated_resources",
            "5200500.00",
        ),
        ({"illustrative_fields": ["resources"]}, "illustrative_fields", ["resources"]),
        ({"status": "withdrawn"}, "status", "withdrawn"),  # through blocks.lifecycle.block_move
    ],
    ids=["name", "minerals", "resources", "illustrative", "status"],
)
def test_an_edit_stores_the_row_again(api, two_blocks, change, field, shown):
    listed(api)
    block_update(actor=None, block=two_blocks, **change)
    assert all_stored()
    assert listed(api)["CG-LI-01"][field] == shown
    assert detail(api, two_blocks)[field] == shown


def test_a_status_move_stores_the_row_again(api, two_blocks):
    with transaction.atomic():
        lifecycle.block_move(block_id=two_blocks.pk, to=Block.Status.WITHDRAWN, reason="test")
    assert all_stored()
    assert listed(api)["CG-LI-01"]["status"] == "withdrawn"


def test_a_mineral_renamed_or_rescheduled_stores_the_rows_of_its_blocks(api, two_blocks):
    listed(api)
    graphite = Mineral.objects.get(slug="graphite")
    graphite.name, graphite.seventh_schedule = "Graphite (flake)", not graphite.seventh_schedule
    graphite.save()
    assert all_stored()
    explanation = " ".join(listed(api)["CG-LI-01"]["routing"]["explanation"])
    assert "graphite (flake)" in explanation


def test_a_mineral_deleted_stores_the_rows_of_its_blocks(api, two_blocks):
    listed(api)
    Mineral.objects.get(slug="graphite").delete()
    assert all_stored()
    assert listed(api)["CG-LI-01"]["minerals"] == ["lithium"]


def test_minerals_linked_around_the_services_are_listed(api, two_blocks):
    listed(api)
    two_blocks.minerals.add(Mineral.objects.get(slug="gold"))
    new_data_version()  # a write around the services does not bump the public cache either
    assert listed(api)["CG-LI-01"]["minerals"] == ["gold", "graphite", "lithium"]


def test_bulk_seeding_stores_every_row(api):
    seed_blocks(12)
    assert all_stored()
    listed(api)
    new_data_version()
    assert count(api, BLOCKS) == 1


def _drop(block):
    BlockListRow.objects.filter(block=block).delete()


def _older_rendering(block):
    BlockListRow.objects.filter(block=block).update(version=ROW_VERSION - 1)


def _written_around_the_services(block):
    Block.objects.filter(pk=block.pk).update(name="Renamed by hand", updated_at=Now())


def _status_set_around_the_services(block):
    Block.objects.filter(pk=block.pk).update(status=Block.Status.WITHDRAWN)


@pytest.mark.parametrize(
    "spoil", [_drop, _older_rendering, _written_around_the_services, _status_set_around_the_services]
)
def test_a_row_missing_or_outdated_is_rendered_by_the_list(api, two_blocks, spoil):
    listed(api)
    spoil(two_blocks)
    new_data_version()
    assert not all_stored()
    after = listed(api)["CG-LI-01"]  # held to the schema serializer of the block as it is now
    two_blocks.refresh_from_db()
    assert (after["name"], after["status"]) == (two_blocks.name, two_blocks.status)
    assert detail(api, two_blocks)["name"] == two_blocks.name
    # One query for the page, two more to render the rows it lacks.
    new_data_version()
    assert count(api, BLOCKS) == 3


def test_the_command_stores_the_rows_that_are_missing_or_outdated(api, two_blocks):
    BlockListRow.objects.all().delete()
    _written_around_the_services(two_blocks)
    call_command("store_list_rows", stdout=(out := io.StringIO()))
    assert out.getvalue() == "Stored the list rows of 2 blocks.\n"
    assert all_stored()
    assert listed(api)["CG-LI-01"]["name"] == "Renamed by hand"
    new_data_version()
    assert count(api, BLOCKS) == 1


def test_an_indented_answer_is_asked_for_and_given(api, two_blocks):
    compact = api.get(BLOCKS)
    indented = api.get(BLOCKS, HTTP_ACCEPT="application/json; indent=2")
    assert b"\n" not in compact.content
    assert indented.content.startswith(b'{\n  "next": null,')
    assert json.loads(indented.content) == json.loads(compact.content)
