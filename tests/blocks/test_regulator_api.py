"""The regulators' write API for blocks: /api/v1/blocks and /api/v1/blocks/{code}: roles, what it answers, every
refusal in the one error shape, and idempotent creation with the Idempotency-Key header."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from blocks.models import Block
from core.models import IdempotencyRecord
from tests.factories import BlockFactory, BlockResourceFactory, UserFactory, square_boundary

pytestmark = pytest.mark.django_db

LIST = "/api/v1/blocks"


def detail(code):
    return f"/api/v1/blocks/{code}"


def body(**overrides):
    values = {
        "code": "CG-LI-01",
        "name": "Katghora Lithium",
        "state": "Chhattisgarh",
        "district": "Korba",
        "minerals": ["lithium", "rare-earth-elements"],
        "exploration_stage": "G4",
        "boundary": square_boundary(82.0, 21.0),
        "forest_land_ha": "10.5",
        "resources": [
            {"mineral": "lithium", "quantity_tonnes": "120000", "price_per_tonne": "5200.50", "grade": "0.8% Li2O"},
            {
                "mineral": "rare-earth-elements",
                "quantity_tonnes": "8000",
                "price_per_tonne": "90000",
                "price_basis": "pan_india",
            },
        ],
        "reserve_price_pct": "0.50",
        "tender_fee": "300000.00",
        "illustrative_fields": ["boundary"],
    }
    values.update(overrides)
    return values


@pytest.fixture
def reg_api(api_as, regulator):
    return api_as(regulator)


def post(client, data, key=None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(LIST, data, format="json", headers=headers)


# --- Roles -----------------------------------------------------------------------------------------------------------


ROLES = ["anonymous", "plain_user", "firm_user", "other_firm_user"]


@pytest.fixture
def client_for(request, api, api_as):
    def make(role):
        return api if role == "anonymous" else api_as(request.getfixturevalue(role))

    return make


@pytest.mark.parametrize("role", ROLES)
def test_only_regulators_may_use_the_registry_api(client_for, role):
    BlockFactory(code="PERM-01", name="Untouched")
    client = client_for(role)
    responses = {
        "list": client.get(LIST),
        "create": client.post(LIST, body(), format="json", headers={"Idempotency-Key": "k1"}),
        "read": client.get(detail("PERM-01")),
        "change": client.patch(detail("PERM-01"), {"name": "Changed"}, format="json"),
        "read-missing": client.get(detail("NOPE")),
    }
    for name, response in responses.items():
        assert response.status_code in ((401, 403) if role == "anonymous" else (403,)), name
        error = response.json()["error"]
        if role == "anonymous":
            assert error["code"] == "not_authenticated"
            assert error["message"] == "Authentication credentials were not provided."
        else:
            assert error == {
                "code": "permission_denied",
                "message": "Only regulators may do this. Sign in with a regulator account.",
                "fields": {},
            }
    assert list(Block.objects.values_list("code", "name")) == [("PERM-01", "Untouched")]
    assert not IdempotencyRecord.objects.exists()


def test_a_regulator_may_use_every_endpoint(reg_api):
    assert post(reg_api, body()).status_code == 201
    assert reg_api.get(LIST).status_code == 200
    assert reg_api.get(detail("CG-LI-01")).status_code == 200
    assert reg_api.patch(detail("CG-LI-01"), {"name": "Renamed"}, format="json").status_code == 200


def test_a_token_authenticates_a_regulator_program(api, regulator):
    from core.models import ApiToken

    _, token = ApiToken.objects.create(user=regulator, name="registry-sync")
    assert api.get(LIST, headers={"Authorization": f"Token {token}"}).status_code == 200


# --- What the API answers ------------------------------------------------------------------------------------------


def test_creating_a_block_answers_with_the_derived_routing_area_and_ver(reg_api):
    response = post(reg_api, body())
    assert response.status_code == 201
    data = response.json()
    assert {k: data[k] for k in ("auction_authority", "lease_kind", "el_eligible")} == {
        "auction_authority": "central",
        "lease_kind": "CL",
        "el_eligible": True,
    }
    assert (data["area_hectares"], data["area_km2"]) == ("115.1092", "1.1511")
    assert data["value_of_estimated_resources"] == "1344060000.00"
    assert [(r["mineral"], r["value"], r["price_basis"]) for r in data["resources"]] == [
        ("lithium", "624060000.00", "state"),
        ("rare-earth-elements", "720000000.00", "pan_india"),
    ]
    assert [m["slug"] for m in data["minerals"]] == ["lithium", "rare-earth-elements"]
    assert data["minerals"][0] == {
        "slug": "lithium",
        "name": "Lithium",
        "part_d": True,
        "part_b": False,
        "seventh_schedule": True,
    }
    assert (data["forest_land_ha"], data["reserve_price_pct"], data["tender_fee"]) == ("10.5000", "0.50", "300000.00")
    assert data["status"] == "identified"
    assert data["boundary"]["type"] == "Polygon"
    assert Block.objects.get(code="CG-LI-01").value_of_estimated_resources == 1344060000


def test_json_numbers_are_read_as_exact_decimals(reg_api):
    data = body(resources=[{"mineral": "lithium", "quantity_tonnes": 0.1, "price_per_tonne": 0.3}], tender_fee=300000)
    response = post(reg_api, data)
    assert response.status_code == 201
    assert response.json()["resources"][0]["value"] == "0.03"
    assert response.json()["tender_fee"] == "300000.00"


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"state": "Atlantis"}, "state", '"Atlantis" is not a State or Union Territory of India; e.g. Odisha.'),
        ({"exploration_stage": "G5"}, "exploration_stage", '"G5" is not a UNFC stage; e.g. G3.'),
        (
            {"minerals": ["lithium", "unobtainium"]},
            "minerals",
            "Unknown mineral(s): unobtainium. Use the slugs listed at /api/v1/public/minerals.",
        ),
        ({"minerals": []}, "minerals", "Name at least one mineral of the block."),
        ({"code": ""}, "code", "This field may not be blank."),
        ({"boundary": {"type": "Point", "coordinates": [82, 21]}}, "boundary", "must be a Polygon or MultiPolygon"),
        ({"tender_fee": "3.001"}, "tender_fee", "Ensure that there are no more than 2 decimal places."),
        ({"forest_land_ha": "-1"}, "forest_land_ha", "Ensure this value is greater than or equal to 0."),
        ({"other_land_ha": "500"}, "land", "more than the block's area of 115.1092 ha"),
        (
            {"illustrative_fields": ["boundary", "colour"]},
            "illustrative_fields[2]",
            '"colour" is not a valid choice.',
        ),
        (
            {
                "resources": [
                    {"mineral": "lithium", "quantity_tonnes": "1", "price_per_tonne": "1"},
                    {"mineral": "gold"},
                ]
            },
            "resources[2].quantity_tonnes",
            "This field is required.",
        ),
    ],
)
def test_refusals_say_what_to_correct_in_the_one_error_shape(reg_api, overrides, field, message):
    response = post(reg_api, body(**overrides))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] in ("invalid", "boundary_overlap")
    assert any(message in m for m in error["fields"][field]), error["fields"]
    assert message in error["message"]
    assert not Block.objects.exists()


def test_a_bad_resource_is_reported_by_its_position(reg_api):
    data = body(resources=[{"mineral": "gold", "quantity_tonnes": "1", "price_per_tonne": "1"}])
    error = post(reg_api, data).json()["error"]
    assert error["fields"] == {"resources[1]": ["Resource 1 is for gold, which is not among the block's minerals."]}


def test_an_overlapping_boundary_is_refused_naming_the_other_block(reg_api):
    post(reg_api, body())
    response = post(reg_api, body(code="CG-LI-02", boundary=square_boundary(82.005, 21.005)))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "boundary_overlap"
    assert error["fields"] == {"boundary": ["Overlaps block CG-LI-01 (Katghora Lithium)."]}


def test_a_duplicate_code_is_refused(reg_api):
    post(reg_api, body())
    response = post(reg_api, body(boundary=square_boundary(83.0, 21.0)))
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"code": ["Block code CG-LI-01 is already registered."]}


def test_a_malformed_json_body_is_a_400(reg_api):
    response = reg_api.post(LIST, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_patch_changes_only_what_is_sent_and_recomputes(reg_api):
    post(reg_api, body())
    response = reg_api.patch(
        detail("CG-LI-01"),
        {
            "minerals": ["gold"],
            "exploration_stage": "G2",
            "resources": [{"mineral": "gold", "quantity_tonnes": "1000", "price_per_tonne": "6800"}],
        },
        format="json",
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["name"], data["district"], data["area_hectares"]) == ("Katghora Lithium", "Korba", "115.1092")
    assert (data["auction_authority"], data["lease_kind"], data["el_eligible"]) == ("state", "ML", True)
    assert data["value_of_estimated_resources"] == "6800000.00"


def test_patch_refusals_leave_the_block_as_it_was(reg_api):
    post(reg_api, body())
    response = reg_api.patch(detail("CG-LI-01"), {"state": "Mars", "name": "New"}, format="json")
    assert response.status_code == 400
    assert Block.objects.get().name == "Katghora Lithium"


def test_an_unknown_code_is_a_404_naming_it(reg_api):
    for response in (reg_api.get(detail("XX-99")), reg_api.patch(detail("XX-99"), {"name": "x"}, format="json")):
        assert response.status_code == 404
        assert response.json()["error"] == {
            "code": "not_found",
            "message": "No block has the code XX-99. Check the code, or list the blocks.",
            "fields": {},
        }


def test_the_list_shows_every_status_filters_and_pages(reg_api):
    BlockFactory(code="A-1", name="Alpha", status=Block.Status.WITHDRAWN)
    BlockFactory(code="B-2", name="Beta", district="Raichur")
    BlockFactory(code="C-3", name="Gamma")
    data = reg_api.get(LIST).json()
    assert data["count"] == 3
    assert [b["code"] for b in data["results"]] == ["A-1", "B-2", "C-3"]
    assert [b["code"] for b in reg_api.get(LIST, {"status": "withdrawn"}).json()["results"]] == ["A-1"]
    assert [b["code"] for b in reg_api.get(LIST, {"search": "raich"}).json()["results"]] == ["B-2"]
    page = reg_api.get(LIST, {"page_size": 2, "page": 2}).json()
    assert [b["code"] for b in page["results"]] == ["C-3"] and page["previous"]


def test_the_list_query_count_does_not_grow_with_rows(reg_api, django_assert_max_num_queries):
    def make(n):
        for _ in range(n):
            BlockResourceFactory(block=BlockFactory())

    make(2)
    with django_assert_max_num_queries(10) as few:
        reg_api.get(LIST)
    make(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert reg_api.get(LIST).json()["count"] == 22


# --- Idempotency-Key ---------------------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_gets_the_first_answer_and_creates_nothing_twice(reg_api):
    first = post(reg_api, body(), key="create-cg-li-01")
    again = post(reg_api, body(), key="create-cg-li-01")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Block.objects.count() == 1


def test_the_same_body_in_another_key_order_and_spacing_is_the_same_request(reg_api):
    post(reg_api, body(), key="k")
    reordered = json.dumps(dict(reversed(list(body().items()))), indent=3)
    response = reg_api.post(LIST, reordered, content_type="application/json", headers={"Idempotency-Key": "k"})
    assert response.status_code == 201 and response["Idempotent-Replayed"] == "true"


def test_the_same_key_with_another_body_is_refused(reg_api):
    post(reg_api, body(), key="k")
    response = post(reg_api, body(name="Another name"), key="k")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "idempotency_key_reused",
        "message": "This Idempotency-Key was already used for a different request. Send a new key for a new "
        "request, or resend exactly the first request to get its answer again.",
        "fields": {"Idempotency-Key": ["Already used with a different request body."]},
    }
    assert Block.objects.get().name == "Katghora Lithium"


def test_a_refusal_is_replayed_too_status_included(reg_api):
    first = post(reg_api, body(state="Atlantis"), key="k")
    again = post(reg_api, body(state="Atlantis"), key="k")
    assert (first.status_code, again.status_code) == (400, 400)
    assert again.json() == first.json()


def test_without_a_key_a_second_post_is_a_new_request(reg_api):
    post(reg_api, body())
    assert post(reg_api, body()).json()["error"]["fields"]["code"] == ["Block code CG-LI-01 is already registered."]


def test_keys_belong_to_their_user(api_as, regulator):
    other_regulator = UserFactory(username="regulator2")
    other_regulator.groups.set(regulator.groups.all())
    assert post(api_as(regulator), body(), key="shared").status_code == 201
    second = post(api_as(other_regulator), body(code="CG-LI-02", boundary=square_boundary(83, 21)), key="shared")
    assert second.status_code == 201 and "Idempotent-Replayed" not in second
    assert Block.objects.count() == 2


def test_a_request_still_in_progress_is_not_run_twice(reg_api, regulator):
    """A key committed without its answer (as a worker before the key and the act shared one transaction wrote
    it, during a rolling deployment) is not run again."""
    from core.idempotency import fingerprint

    IdempotencyRecord.objects.create(
        owner=f"user:{regulator.pk}",
        scope="blocks.create",
        key="k",
        request_fingerprint=fingerprint("POST", LIST, body()),
    )
    response = post(reg_api, body(), key="k")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_in_progress"
    assert not Block.objects.exists()


def test_a_key_expires_after_a_day(reg_api):
    post(reg_api, body(), key="k")
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        response = post(reg_api, body(), key="k")
    assert response.status_code == 400  # processed afresh: the code is now taken
    assert "Idempotent-Replayed" not in response


@pytest.mark.parametrize("key", ["", "   ", "x" * 256])
def test_a_blank_or_overlong_key_is_refused(reg_api, key):
    response = post(reg_api, body(), key=key)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert not Block.objects.exists()


def test_the_schema_documents_the_endpoints_and_the_idempotency_header():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    create = schema["paths"]["/api/v1/blocks"]["post"]
    assert {"in": "header", "name": "Idempotency-Key"}.items() <= create["parameters"][0].items()
    assert set(create["responses"]) == {"201", "400", "403", "409"}
    assert set(schema["paths"]["/api/v1/blocks/{code}"]) >= {"get", "patch"}
    block = schema["components"]["schemas"]["RegulatorBlock"]["properties"]
    assert block["value_of_estimated_resources"]["type"] == "string"
    assert block["value_of_estimated_resources"]["format"] == "decimal"
