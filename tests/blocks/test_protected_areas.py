"""RULES.md s.5, "Where no case can help": a block within 1 km (PROTECTED_AREA_BARRED_KM) of a national park or
wildlife sanctuary is refused at registration and on edit, by the service, the API, the page and the bulk import,
with the message on the distance field; the distance and the eco-sensitive-zone flag are stored and ledgered."""

import json
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from blocks import imports
from blocks.models import Block
from blocks.rules import protected_area_error
from blocks.services import block_create, block_update
from core.errors import ApplicationError
from ledger.models import Entry
from tests.blocks.test_regulator_pages import form_data
from tests.factories import square_boundary
from tests.factories.block_imports import block_row, csv_text, feature, geojson_text


@pytest.mark.parametrize(
    ("distance", "barred_km", "barred"),
    [
        (None, D("1"), False),  # not assessed: nothing to refuse here
        (D("0"), D("1"), True),  # inside the park
        (D("0.400"), D("1"), True),
        (D("0.999"), D("1"), True),
        (D("1.000"), D("1"), True),  # "within 1 km" includes 1 km
        (D("1.001"), D("1"), False),
        (D("9.5"), D("1"), False),
        ("2", D("1"), False),  # text as the import reads it
        (D("1.5"), D("2"), True),  # the parameter decides, not a literal
        (D("2.001"), D("2"), False),
    ],
)
def test_the_barred_distance_table(distance, barred_km, barred):
    assert (protected_area_error(distance, barred_km=barred_km) is not None) is barred


def test_the_refusal_names_the_distance_and_the_rule():
    assert protected_area_error(D("0.6")) == (
        "Mining within 1 km of a national park or wildlife sanctuary is barred by the Supreme Court's orders "
        "(T. N. Godavarman Thirumulpad), and no clearance can lift the bar: this block lies 0.6 km from one. "
        "Register it only with a boundary more than 1 km from the protected area."
    )
    assert "lies inside a national park or wildlife sanctuary" in protected_area_error(D("0"))
    with pytest.raises(ValueError):
        protected_area_error(D("-1"))


def data(**overrides):
    values = {
        "code": "OD-GR-01",
        "name": "Graphite block",
        "state": "Odisha",
        "minerals": ["graphite"],
        "exploration_stage": "G2",
        "boundary": square_boundary(83.0, 19.0),
    }
    values.update(overrides)
    return values


@pytest.mark.django_db
def test_a_block_too_near_a_park_is_refused_at_registration_naming_the_field():
    with pytest.raises(ApplicationError) as refused:
        block_create(actor=None, **data(protected_area_distance_km="0.75"))
    assert "this block lies 0.75 km from one" in refused.value.fields["protected_area_distance_km"][0]
    assert refused.value.message.startswith("The block was not saved: Mining within 1 km")
    assert not Block.objects.exists()


@pytest.mark.django_db
def test_the_distance_and_the_zone_are_stored_and_in_the_ledger():
    block = block_create(actor=None, **data(protected_area_distance_km="7.250", eco_sensitive_zone=True))
    block.refresh_from_db()
    assert (block.protected_area_distance_km, block.eco_sensitive_zone) == (D("7.250"), True)
    registered = Entry.objects.get(stream=f"block:{block.pk}", kind="registered").payload
    assert (registered["protected_area_distance_km"], registered["eco_sensitive_zone"]) == ("7.250", True)


@pytest.mark.django_db
def test_an_edit_bringing_the_distance_within_the_bar_is_refused_and_changes_nothing(settings):
    block = block_create(actor=None, **data(protected_area_distance_km="3"))
    with pytest.raises(ApplicationError) as refused:
        block_update(actor=None, block=block, protected_area_distance_km="1")
    assert "protected_area_distance_km" in refused.value.fields
    block.refresh_from_db()
    assert block.protected_area_distance_km == D("3.000")
    settings.PROTECTED_AREA_BARRED_KM = D("0.5")  # the parameter, changed: 1 km is no longer within the bar
    block_update(actor=None, block=block, protected_area_distance_km="1")
    block.refresh_from_db()
    assert block.protected_area_distance_km == D("1.000")


@pytest.mark.django_db
def test_the_api_refuses_it_in_the_one_error_shape(api_as, regulator):
    body = {**data(protected_area_distance_km="0.200"), "boundary": square_boundary(83.0, 19.0)}
    response = api_as(regulator).post("/api/v1/blocks", body, format="json")
    assert response.status_code == 400
    assert "0.2 km from one" in response.json()["error"]["fields"]["protected_area_distance_km"][0]
    ok = api_as(regulator).post(
        "/api/v1/blocks", {**body, "protected_area_distance_km": "12.5", "eco_sensitive_zone": True}, format="json"
    )
    assert ok.status_code == 201
    assert (ok.json()["protected_area_distance_km"], ok.json()["eco_sensitive_zone"]) == ("12.500", True)


@pytest.mark.django_db
def test_the_page_shows_the_refusal_next_to_the_distance(client, regulator):
    client.force_login(regulator)
    response = client.post(reverse("regulator:block_create"), form_data(protected_area_distance_km="0.9"))
    errors = re.search(r'id="id_protected_area_distance_km_error"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    assert "this block lies 0.9 km from one" in errors[1]
    assert not Block.objects.exists()
    response = client.post(
        reverse("regulator:block_create"), form_data(protected_area_distance_km="4", eco_sensitive_zone="on")
    )
    assert response.status_code == 302
    block = Block.objects.get()
    assert (block.protected_area_distance_km, block.eco_sensitive_zone) == (D("4.000"), True)


@pytest.mark.django_db
def test_the_import_rejects_the_row_and_keeps_the_others(regulator, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    rows = [
        block_row("IMP-01", protected_area_distance_km="0.5"),
        block_row("IMP-02", protected_area_distance_km="15", eco_sensitive_zone="yes"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.block_import_start(
            actor=regulator,
            csv_name="blocks.csv",
            csv_data=csv_text(rows).encode(),
            geojson_name="b.geojson",
            geojson_data=geojson_text(feature("IMP-01", 80.0, 20.0), feature("IMP-02", 80.1, 20.0)).encode(),
        )
    job.refresh_from_db()
    assert [(r["row"], r["code"]) for r in job.rejected_rows] == [(2, "IMP-01")]
    assert "Distance to a protected area: Mining within 1 km" in job.rejected_rows[0]["reason"]
    assert json.loads(json.dumps(job.total_rows)) == 2
