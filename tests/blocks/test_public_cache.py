"""The public block API's response cache on Redis (blocks/public_cache.py): a cached answer is served without the
database, and any change to blocks or minerals shows on the very next request."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from blocks import lifecycle
from blocks.models import Block, Mineral
from blocks.services import block_update
from tests.factories.registry import registered_block

pytestmark = pytest.mark.django_db

BLOCKS = "/api/v1/public/blocks"
DETAIL = f"{BLOCKS}/CG-LI-2023-01"


@pytest.fixture
def block():
    return registered_block(
        code="CG-LI-2023-01",
        name="Katghora Lithium",
        state="Chhattisgarh",
        minerals=["lithium"],
        status="identified",
    )


def get(api, url):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return response.json(), len(queries)


@pytest.mark.parametrize("url", [BLOCKS, DETAIL, f"{BLOCKS}?mineral=lithium&state=Chhattisgarh"])
def test_a_repeated_request_is_answered_from_the_cache_without_sql(api, block, url):
    first, first_queries = get(api, url)
    again, again_queries = get(api, url)
    assert again == first
    assert first_queries >= 2
    assert again_queries == 0


def test_each_query_string_has_its_own_answer(api, block):
    registered_block(code="RJ-AU-2024-01", state="Rajasthan", minerals=["gold"])
    everything, _ = get(api, BLOCKS)
    rajasthan, _ = get(api, f"{BLOCKS}?state=Rajasthan")
    assert [row["code"] for row in everything["results"]] == ["CG-LI-2023-01", "RJ-AU-2024-01"]
    assert [row["code"] for row in rajasthan["results"]] == ["RJ-AU-2024-01"]


def test_an_edit_through_the_service_shows_on_the_very_next_request(api, block):
    assert get(api, BLOCKS)[0]["results"][0]["name"] == "Katghora Lithium"
    assert get(api, DETAIL)[0]["name"] == "Katghora Lithium"
    block_update(actor=None, block=block, name="Katghora Lithium and REE", minerals=["lithium", "rare-earth-elements"])
    row = get(api, BLOCKS)[0]["results"][0]
    assert row["name"] == "Katghora Lithium and REE"
    assert row["minerals"] == ["lithium", "rare-earth-elements"]
    assert get(api, DETAIL)[0]["name"] == "Katghora Lithium and REE"


def test_a_new_block_shows_on_the_very_next_request(api, block):
    assert len(get(api, BLOCKS)[0]["results"]) == 1
    registered_block(code="CG-LI-2023-02", minerals=["lithium"])
    assert [row["code"] for row in get(api, BLOCKS)[0]["results"]] == ["CG-LI-2023-01", "CG-LI-2023-02"]


def test_a_status_move_shows_on_the_very_next_request(api, block):
    assert get(api, DETAIL)[0]["status"] == Block.Status.IDENTIFIED
    with transaction.atomic():
        lifecycle.block_move(block_id=block.pk, to=Block.Status.NOTIFIED, reason="tranche notified")
    assert get(api, DETAIL)[0]["status"] == Block.Status.NOTIFIED
    assert get(api, f"{BLOCKS}?status=notified")[0]["results"][0]["code"] == "CG-LI-2023-01"


def test_a_mineral_edited_in_the_admin_shows_on_the_very_next_request(api, block):
    before = get(api, BLOCKS)[0]["results"][0]["routing"]["explanation"]
    lithium = Mineral.objects.get(slug="lithium")
    lithium.name = "Lithium (renamed)"
    lithium.save()
    after = get(api, BLOCKS)[0]["results"][0]["routing"]["explanation"]
    assert after != before
    assert "lithium (renamed)" in " ".join(after)


def test_the_cache_committed_after_a_concurrent_read_is_not_served(api, block, django_capture_on_commit_callbacks):
    # A reader that cached the old row after the edit started but before it committed: the bump at commit hides it.
    with django_capture_on_commit_callbacks(execute=True):
        block_update(actor=None, block=block, name="Renamed")
        Block.objects.filter(pk=block.pk).update(name="Old name seen before commit")
        assert get(api, DETAIL)[0]["name"] == "Old name seen before commit"
        Block.objects.filter(pk=block.pk).update(name="Renamed")
    assert get(api, DETAIL)[0]["name"] == "Renamed"


def test_with_redis_down_the_api_answers_from_the_database(api, block, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2, "retry_after": 30},
        }
    }
    assert get(api, DETAIL)[0]["name"] == "Katghora Lithium"
    block_update(actor=None, block=block, name="Renamed while Redis is down")
    assert get(api, DETAIL)[0]["name"] == "Renamed while Redis is down"
    assert get(api, BLOCKS)[0]["results"][0]["name"] == "Renamed while Redis is down"


def test_a_list_row_is_the_block_as_the_full_serializer_writes_it(api, block):
    # The list's own row writer (BlockListSerializer) against DRF's ModelSerializer of the same documented fields,
    # on a block with no boundary (null areas) and one with a boundary and several minerals.
    from blocks.api.serializers import BlockSerializer
    from blocks.selectors import block_list_queryset

    registered_block(code="RJ-AU-2024-01", state="Rajasthan", minerals=["gold", "copper"], boundary=None)
    rows = get(api, BLOCKS)[0]["results"]
    request = api.get(BLOCKS).wsgi_request
    expected = BlockSerializer(block_list_queryset(), many=True, context={"request": request}).data
    assert rows == [dict(row) for row in expected]
    assert rows[1]["area_hectares"] is None
