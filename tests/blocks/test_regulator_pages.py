"""The regulator's pages: who may open them, registering and editing a block through the form, and the bulk
import from upload to imported blocks. Celery runs eagerly (the real worker is in test_import_worker.py)."""

import html
import json
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blocks.models import Block, BlockImport
from blocks.services import block_create
from tests.factories import BlockFactory, BlockResourceFactory, square_boundary
from tests.factories.block_imports import block_row, csv_text, feature, geojson_text

pytestmark = pytest.mark.django_db


def text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def field_errors(response, field: str) -> str:
    """The error list rendered next to a form field (Django links it to the field by id)."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', response.content.decode(), re.S)
    return text(match[1]) if match else ""


def page_text(response) -> str:
    return text(response.content.decode())


@pytest.fixture
def as_regulator(client, regulator):
    client.force_login(regulator)
    return client


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


def form_data(resources=(), initial_resources=0, **overrides):
    data = {
        "code": "CG-LI-01",
        "name": "Katghora Lithium",
        "state": "Chhattisgarh",
        "district": "Korba",
        "minerals": ["lithium"],
        "exploration_stage": "G4",
        "boundary": json.dumps(square_boundary(82.0, 21.0)),
        "forest_land_ha": "10",
        "government_land_ha": "",
        "other_land_ha": "",
        "reserve_price_pct": "0.50",
        "tender_fee": "300000",
        "status": "identified",
        "source_url": "",
        "published_outcome": "",
        "resources-TOTAL_FORMS": str(max(3, len(resources))),
        "resources-INITIAL_FORMS": str(initial_resources),
        "resources-MIN_NUM_FORMS": "0",
        "resources-MAX_NUM_FORMS": "40",
    }
    for i, resource in enumerate(resources):
        for key, value in resource.items():
            data[f"resources-{i}-{key}"] = value
    data.update(overrides)
    return data


LITHIUM = {"mineral": "lithium", "quantity_tonnes": "120000", "grade": "0.8% Li2O", "price_per_tonne": "5200.50"}


# --- Who may open the pages ------------------------------------------------------------------------------------------


@pytest.fixture
def job(regulator):
    return BlockImport.objects.create(uploaded_by=regulator, csv_name="a.csv", csv_text="", geojson_name="a.geojson")


def page_urls(job):
    BlockFactory(code="PERM-01")
    return [
        reverse("regulator:block_list"),
        reverse("regulator:block_create"),
        reverse("regulator:block_edit", args=["PERM-01"]),
        reverse("regulator:block_import"),
        reverse("regulator:block_import_template_csv"),
        reverse("regulator:block_import_template_geojson"),
        reverse("regulator:block_import_detail", args=[job.pk]),
        reverse("regulator:block_import_status", args=[job.pk]),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, job):
    for url in page_urls(job):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("role", ["plain_user", "firm_user", "other_firm_user"])
def test_everyone_but_regulators_is_refused(client, job, role, request):
    client.force_login(request.getfixturevalue(role))
    for url in page_urls(job):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "The block registry is kept by the regulators." in page_text(response)


def test_regulators_open_every_page(as_regulator, job):
    for url in page_urls(job):
        assert as_regulator.get(url).status_code == 200, url


@pytest.mark.parametrize("role", [None, "plain_user", "firm_user", "other_firm_user"])
def test_only_regulators_can_write(client, role, request, regulator, eager, django_capture_on_commit_callbacks):
    if role:
        client.force_login(request.getfixturevalue(role))
    block = BlockFactory(code="PERM-01", name="Untouched")
    own_job = BlockImport.objects.create(
        uploaded_by=regulator, csv_name="a.csv", csv_text="", geojson_name="b", status=BlockImport.Status.VALIDATED
    )
    responses = [
        client.post(reverse("regulator:block_create"), form_data(code="NEW-01")),
        client.post(reverse("regulator:block_edit", args=["PERM-01"]), form_data(code="PERM-01", name="Changed")),
        client.post(
            reverse("regulator:block_import"),
            {"csv_file": SimpleUploadedFile("a.csv", b"x"), "geojson_file": SimpleUploadedFile("a.geojson", b"{}")},
        ),
        client.post(reverse("regulator:block_import_detail", args=[own_job.pk]), {"action": "cancel"}),
    ]
    assert [r.status_code for r in responses] == [302 if role is None else 403] * 4
    block.refresh_from_db()
    own_job.refresh_from_db()
    assert (block.name, Block.objects.count(), BlockImport.objects.count()) == ("Untouched", 1, 1)
    assert own_job.status == BlockImport.Status.VALIDATED


def test_the_navigation_shows_the_registry_to_regulators_only(client, as_regulator, firm_user):
    assert "Registry (regulator)" in page_text(as_regulator.get(reverse("portal:home")))
    client.force_login(firm_user)
    assert "Registry (regulator)" not in page_text(client.get(reverse("portal:home")))


# --- Registering and editing a block ---------------------------------------------------------------------------------


def test_a_regulator_registers_a_block_and_sees_what_the_registry_derived(as_regulator):
    response = as_regulator.post(reverse("regulator:block_create"), form_data(resources=[LITHIUM]), follow=True)
    assert response.redirect_chain == [(reverse("regulator:block_edit", args=["CG-LI-01"]), 302)]
    shown = page_text(response)
    assert "Block CG-LI-01 registered." in shown
    assert "Auctioned by Central Government" in shown
    assert "Lease Composite licence (CL)" in shown
    assert "Exploration licence EL-eligible (Seventh Schedule mineral)" in shown
    assert "Area 115.1092 ha · 1.1511 km²" in shown
    assert "Value of estimated resources (VER) Rs 62,40,60,000.00" in shown

    block = Block.objects.get(code="CG-LI-01")
    assert (block.name, block.forest_land_ha, block.tender_fee) == ("Katghora Lithium", D("10"), D("300000"))
    listing = page_text(as_regulator.get(reverse("regulator:block_list")))
    assert "CG-LI-01 Katghora Lithium Chhattisgarh Korba Lithium G4 Central Government CL · EL 115.1092" in listing
    assert "Rs 62,40,60,000.00 Identified Edit CG-LI-01" in listing


def test_a_state_auction_gold_block_at_g2_is_a_mining_lease(as_regulator):
    response = as_regulator.post(
        reverse("regulator:block_create"),
        form_data(code="KA-AU-01", state="Karnataka", minerals=["gold", "limestone"], exploration_stage="G2"),
        follow=True,
    )
    shown = page_text(response)
    assert "Auctioned by State Government" in shown and "Lease Mining lease (ML)" in shown


def test_an_error_is_shown_next_to_its_field_and_nothing_typed_is_lost(as_regulator):
    block_create(
        actor=None,
        code="CG-LI-01",
        name="First Block",
        state="Chhattisgarh",
        minerals=["lithium"],
        exploration_stage="G3",
        boundary=square_boundary(82.0, 21.0),
    )
    typed_boundary = json.dumps(square_boundary(82.005, 21.005))
    response = as_regulator.post(
        reverse("regulator:block_create"),
        form_data(name="My New Block", boundary=typed_boundary, resources=[LITHIUM]),
    )
    assert response.status_code == 200
    assert field_errors(response, "code") == "Block code CG-LI-01 is already registered."
    assert field_errors(response, "name") == ""
    shown = page_text(response)
    assert "The block was not saved: Block code CG-LI-01 is already registered." in shown
    page = response.content.decode()
    assert 'value="My New Block"' in page
    assert html.escape(typed_boundary) in page
    assert 'value="120000"' in page and 'value="0.8% Li2O"' in page
    assert Block.objects.count() == 1

    # With a free code, the overlap is named next to the boundary.
    response = as_regulator.post(reverse("regulator:block_create"), form_data(code="CG-LI-02", boundary=typed_boundary))
    assert field_errors(response, "boundary") == "Overlaps block CG-LI-01 (First Block)."


def test_form_level_errors_are_shown_next_to_their_fields(as_regulator):
    response = as_regulator.post(
        reverse("regulator:block_create"),
        form_data(state="", minerals=[], forest_land_ha="lots", boundary='{"type": "Polygon"'),
    )
    assert field_errors(response, "state") == "This field is required."
    assert field_errors(response, "minerals") == "This field is required."
    assert field_errors(response, "forest_land_ha") == "Enter a number."
    assert not Block.objects.exists()


def test_a_bad_boundary_and_land_split_are_shown_where_they_belong(as_regulator):
    bow_tie = {"type": "Polygon", "coordinates": [[[82, 21], [82.01, 21.01], [82.01, 21], [82, 21.01], [82, 21]]]}
    response = as_regulator.post(reverse("regulator:block_create"), form_data(boundary=json.dumps(bow_tie)))
    assert "The boundary is not a valid polygon: Self-intersection" in field_errors(response, "boundary")

    response = as_regulator.post(reverse("regulator:block_create"), form_data(forest_land_ha="100", other_land_ha="20"))
    land = re.search(r'<ul class="errorlist" id="land-errors">(.*?)</ul>', response.content.decode(), re.S)
    assert text(land[1]) == (
        "Forest, government and other land add up to 120 ha, more than the block's area of 115.1092 ha."
    )


def test_a_resource_error_is_shown_on_its_row(as_regulator):
    gold = {"mineral": "gold", "quantity_tonnes": "10", "price_per_tonne": "10"}
    response = as_regulator.post(reverse("regulator:block_create"), form_data(resources=[LITHIUM, gold]))
    row_errors = re.findall(r'<tr class="row-errors">(.*?)</tr>\s*<tr>(.*?)</tr>', response.content.decode(), re.S)
    assert len(row_errors) == 1
    message, row = row_errors[0]
    assert text(message) == "Resource 2 is for gold, which is not among the block's minerals."
    assert 'value="gold" selected' in row


def test_an_incomplete_resource_row_is_refused_and_blank_rows_are_ignored(as_regulator):
    response = as_regulator.post(
        reverse("regulator:block_create"), form_data(resources=[{"mineral": "lithium", "quantity_tonnes": "5"}])
    )
    assert "Give the IBM average sale price per tonne." in page_text(response)
    response = as_regulator.post(reverse("regulator:block_create"), form_data(resources=[{}, {}, LITHIUM]))
    assert response.status_code == 302
    assert Block.objects.get().resources.count() == 1


def test_the_boundary_can_be_uploaded_as_a_geojson_file(as_regulator):
    upload = SimpleUploadedFile(
        "block.geojson",
        json.dumps({"type": "Feature", "properties": {}, "geometry": square_boundary(82.0, 21.0, 0.02)}).encode(),
        content_type="application/geo+json",
    )
    response = as_regulator.post(reverse("regulator:block_create"), {**form_data(boundary=""), "boundary_file": upload})
    assert response.status_code == 302
    assert D("460") < Block.objects.get().area_hectares < D("461")


def test_an_uploaded_boundary_that_is_refused_is_shown_in_the_text_box(as_regulator):
    content = json.dumps(square_boundary(48.85, 2.35))  # swapped: Paris, not India
    upload = SimpleUploadedFile("block.geojson", content.encode())
    response = as_regulator.post(reverse("regulator:block_create"), {**form_data(boundary=""), "boundary_file": upload})
    assert "check they are not swapped" in field_errors(response, "boundary")
    assert html.escape(content) in response.content.decode()


def test_a_regulator_edits_a_block_and_the_derived_values_follow(as_regulator):
    as_regulator.post(reverse("regulator:block_create"), form_data(resources=[LITHIUM]))
    edit_url = reverse("regulator:block_edit", args=["CG-LI-01"])
    page = as_regulator.get(edit_url).content.decode()
    assert 'value="Katghora Lithium"' in page and 'value="120000.000"' in page

    more = {"mineral": "gold", "quantity_tonnes": "1000", "price_per_tonne": "6800"}
    data = form_data(
        name="Katghora Lithium and Gold",
        minerals=["lithium", "gold"],
        exploration_stage="G2",
        resources=[LITHIUM, more],
        initial_resources=1,
    )
    response = as_regulator.post(edit_url, data, follow=True)
    shown = page_text(response)
    assert "Block CG-LI-01 saved." in shown
    assert "Lease Mining lease (ML)" in shown
    assert "Value of estimated resources (VER) Rs 63,08,60,000.00" in shown  # + Rs 68,00,000 of gold
    assert Block.objects.get().name == "Katghora Lithium and Gold"


def test_removing_a_resource_row_on_edit(as_regulator):
    as_regulator.post(reverse("regulator:block_create"), form_data(resources=[LITHIUM]))
    data = form_data(resources=[{**LITHIUM, "DELETE": "on"}], initial_resources=1)
    response = as_regulator.post(reverse("regulator:block_edit", args=["CG-LI-01"]), data, follow=True)
    assert "Value of estimated resources (VER) Rs 0.00" in page_text(response)
    assert not Block.objects.get().resources.exists()


def test_changing_the_code_moves_the_edit_page(as_regulator):
    as_regulator.post(reverse("regulator:block_create"), form_data())
    response = as_regulator.post(reverse("regulator:block_edit", args=["CG-LI-01"]), form_data(code="CG-LI-99"))
    assert response["Location"] == reverse("regulator:block_edit", args=["CG-LI-99"])


def test_an_unchanged_boundary_is_not_checked_again(as_regulator):
    """Blocks stored before the overlap rule (here written directly) can still have their other fields edited."""
    BlockFactory(
        code="OLD-1", boundary=square_boundary(82.0, 21.0), min_lon=82.0, min_lat=21.0, max_lon=82.01, max_lat=21.01
    )
    BlockFactory(
        code="OLD-2",
        status=Block.Status.IDENTIFIED,  # in no auction: a notified block is held by its auction
        boundary=square_boundary(82.005, 21.0),
        min_lon=82.005,
        min_lat=21.0,
        max_lon=82.015,
        max_lat=21.01,
    )
    edit_url = reverse("regulator:block_edit", args=["OLD-2"])
    page = as_regulator.get(edit_url).content.decode()
    shown_boundary = html.unescape(re.search(r'<textarea name="boundary"[^>]*>(.*?)</textarea>', page, re.S)[1]).strip()
    data = form_data(code="OLD-2", name="Renamed", boundary=shown_boundary, exploration_stage="G3")
    assert as_regulator.post(edit_url, data).status_code == 302
    assert Block.objects.get(code="OLD-2").name == "Renamed"
    data["boundary"] = json.dumps(square_boundary(82.006, 21.0))
    assert "Overlaps block OLD-1" in field_errors(as_regulator.post(edit_url, data), "boundary")


def test_the_registry_list_filters_by_text_and_status(as_regulator):
    BlockFactory(code="AAA-1", name="Alpha", status=Block.Status.NOTIFIED)
    BlockFactory(code="BBB-2", name="Beta", status=Block.Status.WITHDRAWN)
    url = reverse("regulator:block_list")
    assert "AAA-1" in page_text(as_regulator.get(url, {"q": "alp"}))
    assert "BBB-2" not in page_text(as_regulator.get(url, {"q": "alp"}))
    by_status = page_text(as_regulator.get(url, {"status": "withdrawn"}))
    assert "BBB-2" in by_status and "AAA-1" not in by_status
    assert "2 blocks" in page_text(as_regulator.get(url))


def test_the_edit_page_of_an_unknown_block_is_404(as_regulator):
    assert as_regulator.get(reverse("regulator:block_edit", args=["NOPE"])).status_code == 404


# --- Bulk import -----------------------------------------------------------------------------------------------------


def _after_commit(client, capture, url, data, follow):
    """POST; the tasks queued on commit run (eagerly) before the redirect is followed, as with a real worker."""
    with capture(execute=True):
        response = client.post(url, data)
    if follow and response.status_code == 302:
        followed = client.get(response["Location"])
        followed.redirect_chain = [(response["Location"], 302)]
        return followed
    return response


def upload(client, csv_data: str, geojson_data: str, capture, follow=True):
    files = {
        "csv_file": SimpleUploadedFile("blocks.csv", csv_data.encode(), content_type="text/csv"),
        "geojson_file": SimpleUploadedFile("boundaries.geojson", geojson_data.encode()),
    }
    return _after_commit(client, capture, reverse("regulator:block_import"), files, follow)


def decide(client, job, action, capture):
    url = reverse("regulator:block_import_detail", args=[job.pk])
    return _after_commit(client, capture, url, {"action": action}, follow=True)


def valid_files():
    rows = [block_row("IMP-1"), block_row("IMP-2", minerals="gold", exploration_stage="G2")]
    return csv_text(rows), geojson_text(feature("IMP-1", 82.0, 21.0), feature("IMP-2", 82.1, 21.0))


def test_importing_a_file_whose_rows_are_all_valid(as_regulator, eager, django_capture_on_commit_callbacks):
    response = upload(as_regulator, *valid_files(), django_capture_on_commit_callbacks)
    job = BlockImport.objects.get()
    assert response.redirect_chain == [(reverse("regulator:block_import_detail", args=[job.pk]), 302)]
    shown = page_text(response)
    assert "Checked: waiting for your decision" in shown
    assert "2 of 2 rows checked" in shown
    assert "All 2 rows are valid." in shown
    assert "Import 2 blocks" in shown
    assert "Rejected rows" not in shown
    assert not Block.objects.exists()

    shown = page_text(decide(as_regulator, job, "import_all", django_capture_on_commit_callbacks))
    assert "2 blocks imported." in shown
    assert "Blocks created IMP-1 IMP-2" in shown
    assert sorted(Block.objects.values_list("code", flat=True)) == ["IMP-1", "IMP-2"]


def test_a_file_with_rejected_rows_imports_nothing_until_valid_only_is_chosen(
    as_regulator, eager, django_capture_on_commit_callbacks
):
    rows = [block_row("OK-1"), block_row("BAD-2", state="Atlantis"), block_row("OK-3"), block_row("OK-1")]
    features = [feature("OK-1", 82.0, 21.0), feature("BAD-2", 82.1, 21.0), feature("OK-3", 82.2, 21.0)]
    response = upload(as_regulator, csv_text(rows), geojson_text(*features), django_capture_on_commit_callbacks)
    job = BlockImport.objects.get()
    shown = page_text(response)
    assert "2 rows of 4 were rejected. Nothing has been imported." in shown
    assert (
        "Rejected rows Row Code Reason "
        "3 BAD-2 State: Atlantis is not a State or Union Territory of India; use its full name, e.g. Odisha. "
        "5 OK-1 Code: OK-1 is already on row 2 of this file; give each block once."
    ) in shown
    assert "Import the 2 valid rows only" in shown
    assert "Import 2 blocks" not in shown

    # Asking for the whole file is refused; nothing is imported.
    shown = page_text(decide(as_regulator, job, "import_all", django_capture_on_commit_callbacks))
    assert "2 row(s) of this file were rejected, so it cannot be imported whole." in shown
    assert not Block.objects.exists()

    shown = page_text(decide(as_regulator, job, "import_valid", django_capture_on_commit_callbacks))
    assert "The import has started." in shown
    assert "2 blocks imported." in shown
    assert sorted(Block.objects.values_list("code", flat=True)) == ["OK-1", "OK-3"]


def test_cancelling_an_import(as_regulator, eager, django_capture_on_commit_callbacks):
    upload(as_regulator, *valid_files(), django_capture_on_commit_callbacks)
    shown = page_text(decide(as_regulator, BlockImport.objects.get(), "cancel", django_capture_on_commit_callbacks))
    assert "The import was cancelled: no block was imported." in shown
    assert "Import 2 blocks" not in shown
    assert not Block.objects.exists()


def test_files_of_the_wrong_shape_are_refused_next_to_the_file_field(
    as_regulator, eager, django_capture_on_commit_callbacks
):
    response = upload(
        as_regulator, "code,name\nA,B\n", geojson_text(), django_capture_on_commit_callbacks, follow=False
    )
    assert response.status_code == 200
    assert field_errors(response, "csv_file") == "Missing column(s): state, minerals, exploration_stage."
    response = upload(as_regulator, csv_text([block_row("A")]), "[]", django_capture_on_commit_callbacks, follow=False)
    assert field_errors(response, "geojson_file") == "Not a GeoJSON FeatureCollection."
    assert not BlockImport.objects.exists()


def test_the_progress_endpoint_reports_rows_checked_and_the_outcome(
    as_regulator, regulator, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    files = {
        "csv_file": SimpleUploadedFile(
            "blocks.csv", csv_text([block_row("P-1"), block_row("P-2", state="Mars")]).encode()
        ),
        "geojson_file": SimpleUploadedFile("b.geojson", geojson_text(feature("P-1", 82.0, 21.0)).encode()),
    }
    with django_capture_on_commit_callbacks(execute=False) as queued:
        as_regulator.post(reverse("regulator:block_import"), files)
    job = BlockImport.objects.get()
    status_url = reverse("regulator:block_import_status", args=[job.pk])

    status = as_regulator.get(status_url).json()
    assert {k: status[k] for k in ("status", "phase", "done", "total", "percent", "running")} == {
        "status": "queued",
        "phase": "check",
        "done": 0,
        "total": 2,
        "percent": 0,
        "running": True,
    }
    detail = as_regulator.get(reverse("regulator:block_import_detail", args=[job.pk])).content.decode()
    assert 'data-running="true"' in detail and f'data-status-url="{status_url}"' in detail
    assert 'src="/static/js/block_import.js"' in detail
    assert "fetch(box.dataset.statusUrl" in Path(finders.find("js/block_import.js")).read_text()

    BlockImport.objects.filter(pk=job.pk).update(status=BlockImport.Status.VALIDATING, validated_rows=1)
    assert as_regulator.get(status_url).json()["percent"] == 50

    BlockImport.objects.filter(pk=job.pk).update(status=BlockImport.Status.QUEUED, validated_rows=0)
    queued[0]()  # the upload's commit: the check runs
    status = as_regulator.get(status_url).json()
    assert (status["status"], status["running"], status["done"], status["rejected"], status["valid"]) == (
        "validated",
        False,
        2,
        1,
        1,
    )
    assert (
        'data-running="false"'
        in as_regulator.get(reverse("regulator:block_import_detail", args=[job.pk])).content.decode()
    )


def test_the_import_page_documents_the_columns_and_lists_past_imports(as_regulator, regulator, job):
    shown = page_text(as_regulator.get(reverse("regulator:block_import")))
    assert "code yes Block code, unique in the registry and in the file" in shown
    assert "resource_1_price_basis no" in shown
    assert "Download the template CSV" in shown
    assert f"{job.pk} " in shown and "regulator1 a.csv a.geojson" in shown


def test_the_template_csv_downloads_with_every_column(as_regulator):
    response = as_regulator.get(reverse("regulator:block_import_template_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="khanij-blocks-template.csv"' in response["Content-Disposition"]
    header = response.content.decode().splitlines()[0].split(",")
    assert header[:6] == ["code", "name", "state", "district", "minerals", "exploration_stage"]
    assert "resource_2_price_basis" in header
    geojson = json.loads(as_regulator.get(reverse("regulator:block_import_template_geojson")).content)
    assert [f["properties"]["code"] for f in geojson["features"]] == ["EX-LI-01", "EX-AU-02"]


# --- Back office (Django admin) -------------------------------------------------------------------------------------


def test_the_back_office_lists_blocks_and_imports_read_only(admin_client, regulator):
    block = BlockFactory(code="ADM-01", name="Admin Block")
    BlockResourceFactory(block=block)
    job = BlockImport.objects.create(uploaded_by=regulator, csv_name="adm.csv", csv_text="", geojson_name="adm.geojson")
    listing = page_text(admin_client.get("/admin/blocks/block/", {"q": "ADM"}))
    assert "ADM-01" in listing and "Admin Block" in listing and "Rs 10,00,000.00" in listing
    change = admin_client.get(f"/admin/blocks/block/{block.pk}/change/")
    assert change.status_code == 200
    assert "Edit on the registry page" in page_text(change) and 'name="code"' not in change.content.decode()
    assert admin_client.get("/admin/blocks/block/add/").status_code == 403
    assert "adm.csv" in page_text(admin_client.get("/admin/blocks/blockimport/"))
    assert admin_client.get(f"/admin/blocks/blockimport/{job.pk}/change/").status_code == 200
    minerals = page_text(admin_client.get("/admin/blocks/mineral/", {"part_d__exact": "1"}))
    assert "Lithium" in minerals and "Limestone" not in minerals
