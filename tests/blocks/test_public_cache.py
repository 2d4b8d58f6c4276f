"""The public block API's response cache on Redis (blocks/public_cache.py): a cached answer is served without the
database, and any change to blocks or minerals shows on the very next request."""

import pytest
from django.db import connection, transaction
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext

from blocks import lifecycle
from blocks.models import Block, Mineral
from blocks.services import block_update
from tests.conftest import require_service
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
    assert first_queries >= 1  # the list: one query of keys and stored rows (blocks.list_rows)
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
    # (The old row is played by writes around the services that move updated_at, as save() does: the block's stored
    # list row, rendered by the edit, is then not used, blocks.list_rows.)
    with django_capture_on_commit_callbacks(execute=True):
        block_update(actor=None, block=block, name="Renamed")
        Block.objects.filter(pk=block.pk).update(name="Old name seen before commit", updated_at=Now())
        assert get(api, DETAIL)[0]["name"] == "Old name seen before commit"
        Block.objects.filter(pk=block.pk).update(name="Renamed", updated_at=Now())
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


# A cached answer costs one Redis round trip and no SQL, before DRF's machinery


class RedisCommands:
    """Counts the commands this process sends to Redis through the cache's client (the real Redis answers them)."""

    def __init__(self, monkeypatch):
        from django.core.cache import cache

        self.sent = []
        client = cache._cache.get_client()
        send = client.execute_command

        def counted(*args, **options):
            self.sent.append(args[0])
            return send(*args, **options)

        monkeypatch.setattr(client, "execute_command", counted)


def requires_redis():
    from django.core.cache import caches

    from core.cache import RedisCache

    require_service(isinstance(caches["default"], RedisCache), "needs Redis: set REDIS_URL (CI does)")


@pytest.mark.parametrize("url", [BLOCKS, DETAIL, f"{BLOCKS}?mineral=lithium&state=Chhattisgarh"])
def test_a_cached_answer_is_one_redis_round_trip_and_no_sql(api, block, url, monkeypatch):
    requires_redis()
    first = api.get(url)
    commands = RedisCommands(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        again = api.get(url)
    assert commands.sent == ["MGET"]
    assert len(queries) == 0
    assert again.status_code == 200
    assert again.content == first.content
    # Everything the API promises on an answer, the middleware's headers included.
    for header in ("Content-Type", "Cache-Control", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
                   "Content-Security-Policy", "Vary", "Allow"):  # fmt: skip
        assert again.get(header) == first.get(header), header
    assert again["Content-Type"] == "application/json"
    assert set(again["Cache-Control"].split(", ")) == {"public", "max-age=60"}


def test_after_an_edit_the_one_round_trip_path_answers_the_change_on_the_very_next_request(api, block, monkeypatch):
    requires_redis()
    assert get(api, DETAIL)[0]["name"] == "Katghora Lithium"
    assert get(api, DETAIL)[1] == 0  # from the cache
    block_update(actor=None, block=block, name="Katghora Lithium II")
    commands = RedisCommands(monkeypatch)
    body, queries = get(api, DETAIL)
    assert body["name"] == "Katghora Lithium II"
    assert queries > 0 and commands.sent[0] == "MGET"  # the entry was of the old version: the view answered
    assert get(api, DETAIL)[0]["name"] == "Katghora Lithium II"
    commands.sent.clear()
    assert get(api, DETAIL)[1] == 0 and commands.sent == ["MGET"]


@pytest.mark.parametrize(
    "url, status", [(f"{BLOCKS}?stage=G9", 400), (f"{BLOCKS}/NO-SUCH-CODE", 404), (f"{BLOCKS}?page_size=0", 400)]
)
def test_errors_are_never_cached_and_keep_the_error_shape(api, block, url, status):
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url)
        assert response.status_code == status
        assert set(response.json()["error"]) >= {"code", "message", "fields"}
        assert len(queries) >= 1 or status == 400  # answered by the view each time, never from the cache
        assert "max-age" not in response.get("Cache-Control", "")


def test_an_answer_in_another_format_is_not_served_for_json(api, block):
    # The entry is per Accept header: a client that asks for what the API does not give gets its 406 every time,
    # and a JSON client still gets JSON.
    assert api.get(BLOCKS, HTTP_ACCEPT="application/xml").status_code == 406
    assert api.get(BLOCKS, HTTP_ACCEPT="application/xml").status_code == 406
    response = api.get(BLOCKS, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


def test_with_redis_down_the_cached_endpoints_answer_with_their_headers(api, block, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2, "retry_after": 30},
        }
    }
    for url in (BLOCKS, DETAIL):
        response = api.get(url)
        assert response.status_code == 200
        assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=60"}
