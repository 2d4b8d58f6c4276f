"""The bulk import (blocks.imports): the files' shape, every row checked as block_create would, the checks
across the file, the regulator's decision, and tasks that do their work once. Celery runs eagerly here; the
real worker is in test_import_worker.py."""

from decimal import Decimal as D

import pytest

from blocks import imports, tasks
from blocks.models import Block, BlockImport
from blocks.services import block_create
from core.errors import ApplicationError, Conflict
from tests.factories import square_boundary
from tests.factories.block_imports import block_row, csv_text, feature, geojson_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def start(settings, regulator, django_capture_on_commit_callbacks):
    """Upload files as the regulator; the check runs (eagerly) when the upload commits."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True

    def upload(csv_data, geojson_data) -> BlockImport:
        with django_capture_on_commit_callbacks(execute=True):
            job = imports.block_import_start(
                actor=regulator,
                csv_name="blocks.csv",
                csv_data=csv_data.encode() if isinstance(csv_data, str) else csv_data,
                geojson_name="boundaries.geojson",
                geojson_data=geojson_data.encode() if isinstance(geojson_data, str) else geojson_data,
            )
        job.refresh_from_db()
        return job

    return upload


@pytest.fixture
def confirm(regulator, django_capture_on_commit_callbacks):
    def decide(job, *, valid_only=False) -> BlockImport:
        with django_capture_on_commit_callbacks(execute=True):
            imports.block_import_confirm(actor=regulator, job=job, valid_only=valid_only)
        job.refresh_from_db()
        return job

    return decide


def rejections(job):
    return {r["row"]: (r["code"], r["reason"]) for r in job.rejected_rows}


def two_valid_rows():
    rows = [
        block_row(
            "IMP-LI-01",
            minerals="Lithium; rare-earth-elements",
            exploration_stage="G4",
            forest_land_ha="10",
            resource_1_mineral="lithium",
            resource_1_quantity_tonnes="120000",
            resource_1_grade="0.8% Li2O",
            resource_1_price_per_tonne="5200.50",
            resource_2_mineral="Rare-earth elements",
            resource_2_quantity_tonnes="8000",
            resource_2_price_per_tonne="90000",
            resource_2_price_basis="pan_india",
            illustrative_fields="boundary; resources",
        ),
        block_row("IMP-AU-02", name="Gold Hill", state="Karnataka", minerals="GOLD", exploration_stage="G2"),
    ]
    return csv_text(rows), geojson_text(feature("IMP-LI-01", 82.0, 21.0), feature("imp-au-02", 76.6, 16.2))


# --- The files' shape: refused at once, no job stored --------------------------------------------------------------


@pytest.mark.parametrize(
    "csv_data, field, message",
    [
        ("code,name,state\nA,B,Odisha\n", "csv_file", "Missing column(s): minerals, exploration_stage."),
        (csv_text([block_row("A", colour="red")]), "csv_file", "Unknown column(s): colour."),
        ("code,code,name,state,minerals,exploration_stage\n", "csv_file", "Column(s) named twice: code."),
        ("", "csv_file", "The file is empty."),
        ("code,name,state,minerals,exploration_stage\n", "csv_file", "No rows below the header."),
        ("code,name,state,minerals,exploration_stage\nA,B,Odisha,Gold,G2,extra\n", "csv_file", "Row 2 has more cells"),
        ("code,name\n".encode("utf-16"), "csv_file", "Not UTF-8 text."),
    ],
    ids=["missing", "unknown", "twice", "empty", "no-rows", "extra-cell", "utf-16"],
)
def test_a_csv_of_the_wrong_shape_is_refused_at_once(start, csv_data, field, message):
    with pytest.raises(ApplicationError) as excinfo:
        start(csv_data, geojson_text())
    assert excinfo.value.fields[field] == [message] or message in excinfo.value.fields[field][0]
    assert not BlockImport.objects.exists()


@pytest.mark.parametrize(
    "geojson_data, message",
    [
        ("{nope", "Not valid JSON."),
        ('{"type": "Polygon", "coordinates": []}', "Not a GeoJSON FeatureCollection."),
        ('{"type": "FeatureCollection", "features": [{"x": NaN}]}', "Not valid JSON."),
    ],
)
def test_a_boundaries_file_that_is_not_a_feature_collection_is_refused_at_once(start, geojson_data, message):
    with pytest.raises(ApplicationError) as excinfo:
        start(csv_text([block_row("A")]), geojson_data)
    assert excinfo.value.fields["geojson_file"] == [message]
    assert not BlockImport.objects.exists()


def test_too_many_rows_are_refused(start, monkeypatch):
    monkeypatch.setattr(imports.files, "MAX_ROWS", 3)
    with pytest.raises(ApplicationError, match="more than 3 rows"):
        start(csv_text([block_row(f"R{i}") for i in range(4)]), geojson_text())


def test_a_spreadsheet_byte_order_mark_and_column_case_are_accepted(start):
    data = "\ufeff" + csv_text([block_row("BOM-01")]).replace("code,name", "Code,NAME", 1)
    job = start(data.encode("utf-8"), geojson_text(feature("BOM-01", 82.0, 21.0)))
    assert job.status == BlockImport.Status.VALIDATED
    assert job.rejected_rows == []


# --- Checking every row ----------------------------------------------------------------------------------------------


def test_a_valid_file_is_checked_then_imported_only_when_confirmed(start, confirm, regulator):
    job = start(*two_valid_rows())
    assert (job.status, job.total_rows, job.validated_rows, job.rejected_rows) == (
        BlockImport.Status.VALIDATED,
        2,
        2,
        [],
    )
    assert job.uploaded_by == regulator
    assert not Block.objects.exists()

    job = confirm(job)
    assert job.status == BlockImport.Status.IMPORTED
    assert (job.rows_to_import, job.imported_rows, job.created_codes) == (2, 2, ["IMP-LI-01", "IMP-AU-02"])
    assert job.decided_by == regulator and job.finished_at is not None

    lithium = Block.objects.get(code="IMP-LI-01")
    assert (lithium.auction_authority, lithium.lease_kind, lithium.el_eligible) == ("central", "CL", True)
    assert lithium.area_hectares == D("115.1092")
    assert lithium.value_of_estimated_resources == D("1344060000.00")
    assert lithium.illustrative_fields == ["boundary", "resources"]
    assert sorted(lithium.minerals.values_list("slug", flat=True)) == ["lithium", "rare-earth-elements"]
    assert lithium.resources.get(mineral__slug="rare-earth-elements").price_basis == "pan_india"
    gold = Block.objects.get(code="IMP-AU-02")
    assert (gold.state, gold.auction_authority, gold.lease_kind, gold.el_eligible) == ("Karnataka", "state", "ML", True)


def test_the_template_files_on_the_page_import_cleanly(start, confirm):
    job = start(imports.template_csv(), imports.template_geojson())
    assert job.rejected_rows == [] and job.total_rows == 2
    confirm(job)
    routing = {b.code: (b.auction_authority, b.lease_kind) for b in Block.objects.all()}
    assert routing == {"EX-LI-01": ("central", "CL"), "EX-AU-02": ("state", "ML")}


def test_every_rejected_row_is_reported_with_its_number_code_and_reason(start):
    block_create(
        actor=None,
        code="REG-01",
        name="Registered Block",
        state="Odisha",
        minerals=["graphite"],
        exploration_stage="G3",
        boundary=square_boundary(84.0, 20.0),
    )
    rows = [
        block_row("OK-01"),  # row 2
        block_row("BAD-STATE", state="Atlantis"),  # row 3
        block_row("BAD-MIN", minerals="Lithium; Kryptonite"),  # row 4
        block_row("OK-01", name="Same code again"),  # row 5
        block_row("OVL-ROW", name="Overlaps row 2"),  # row 6
        block_row("OVL-REG"),  # row 7
        block_row("NO-FEATURE"),  # row 8
        block_row("TWO-FEATURES"),  # row 9
        block_row("LAND", other_land_ha="500"),  # row 10
        block_row(
            "RES", resource_1_mineral="lithium", resource_1_quantity_tonnes="lots", resource_1_price_per_tonne="1"
        ),
        block_row("OK-02", state="Odisha", minerals="graphite"),  # row 12
    ]
    features = [
        feature("OK-01", 82.0, 21.0),
        feature("BAD-STATE", 82.1, 21.0),
        feature("BAD-MIN", 82.2, 21.0),
        feature("OVL-ROW", 82.005, 21.005),
        feature("OVL-REG", 84.005, 20.0),
        feature("TWO-FEATURES", 82.4, 21.0),
        feature("TWO-FEATURES", 82.5, 21.0),
        feature("LAND", 82.6, 21.0),
        feature("RES", 82.7, 21.0),
        feature("OK-02", 84.1, 20.0),
    ]
    job = start(csv_text(rows), geojson_text(*features))
    assert job.status == BlockImport.Status.VALIDATED
    assert (job.total_rows, job.rejected_count, job.valid_count) == (11, 9, 2)
    assert rejections(job) == {
        3: ("BAD-STATE", "State: Atlantis is not a State or Union Territory of India; use its full name, e.g. Odisha."),
        4: (
            "BAD-MIN",
            "Minerals: Unknown mineral(s): kryptonite. Use the slugs listed at /api/v1/public/minerals.",
        ),
        5: ("OK-01", "Code: OK-01 is already on row 2 of this file; give each block once."),
        6: ("OVL-ROW", "Boundary: Overlaps the boundary of row 2 (OK-01) of this file."),
        7: ("OVL-REG", "Boundary: Overlaps block REG-01 (Registered Block)."),
        8: ("NO-FEATURE", "Boundary: The GeoJSON file has no feature with properties.code NO-FEATURE."),
        9: ("TWO-FEATURES", "Boundary: The GeoJSON file has 2 features with properties.code TWO-FEATURES; keep one."),
        10: (
            "LAND",
            "Land split: Forest, government and other land add up to 500 ha, more than the block's area of "
            "115.1092 ha.",
        ),
        11: (
            "RES",
            "Resource 1: Quantity (t): 'lots' is not a number. Resource 1 needs a quantity in tonnes and an IBM "
            "price per tonne.",
        ),
    }
    assert Block.objects.count() == 1  # the registered one: nothing imported yet


def test_a_later_row_overlapping_a_rejected_row_is_not_rejected_for_it(start):
    """A rejected row will not be imported, so its ground does not count against the rows after it."""
    rows = [block_row("BAD", state="Atlantis"), block_row("GOOD")]
    job = start(csv_text(rows), geojson_text(feature("BAD", 82.0, 21.0), feature("GOOD", 82.005, 21.0)))
    assert list(rejections(job)) == [2]


def test_touching_rows_are_not_an_overlap(start):
    rows = [block_row("W"), block_row("E"), block_row("N")]
    features = [feature("W", 82.0, 21.0), feature("E", 82.01, 21.0), feature("N", 82.0, 21.01)]
    assert start(csv_text(rows), geojson_text(*features)).rejected_rows == []


def test_overlaps_are_found_across_grid_cells_and_for_large_blocks(start):
    rows = [block_row("BIG"), block_row("SMALL"), block_row("FAR")]
    features = [feature("BIG", 82.1, 21.1, size=0.6), feature("SMALL", 82.6, 21.6), feature("FAR", 85.0, 21.0)]
    job = start(csv_text(rows), geojson_text(*features))
    assert rejections(job) == {3: ("SMALL", "Boundary: Overlaps the boundary of row 2 (BIG) of this file.")}


def test_notes_list_features_that_match_no_row_and_features_without_a_code(start):
    uncoded = {"type": "Feature", "properties": {}, "geometry": square_boundary(83.0, 21.0)}
    job = start(
        csv_text([block_row("A-1")]), geojson_text(feature("A-1", 82.0, 21.0), feature("Z-9", 83.5, 21.0), uncoded)
    )
    assert job.notes == [
        "1 feature(s) of the GeoJSON file have no properties.code and were ignored.",
        "1 feature(s) of the GeoJSON file match no row of the CSV and were ignored: z-9.",
    ]
    assert job.rejected_rows == []


def test_row_numbers_are_those_a_spreadsheet_shows_even_after_blank_lines(start):
    data = csv_text([block_row("A-1")]) + "\n,,,,,\n" + csv_text([block_row("B-2", state="Mars")]).split("\n", 1)[1]
    job = start(data, geojson_text(feature("A-1", 82.0, 21.0), feature("B-2", 83.0, 21.0)))
    assert list(rejections(job)) == [5]
    assert job.total_rows == 2


def test_progress_is_reported_row_by_row():
    files = imports.read_files(
        csv_text([block_row(f"P-{i}") for i in range(3)]),
        geojson_text(*(feature(f"P-{i}", 82.0 + i * 0.1, 21.0) for i in range(3))),
    )
    seen = []
    assert imports.check_rows(files, progress=seen.append) == []
    assert seen == [1, 2, 3]


# --- The regulator's decision ---------------------------------------------------------------------------------------


def bad_and_good():
    rows = [block_row("GOOD-1"), block_row("BAD-2", exploration_stage="G9"), block_row("GOOD-3", minerals="Gold")]
    features = [feature("GOOD-1", 82.0, 21.0), feature("BAD-2", 82.1, 21.0), feature("GOOD-3", 82.2, 21.0)]
    return csv_text(rows), geojson_text(*features)


def test_a_file_with_rejected_rows_cannot_be_imported_whole(start, confirm):
    job = start(*bad_and_good())
    with pytest.raises(ApplicationError) as excinfo:
        confirm(job)
    assert excinfo.value.message == (
        "1 row(s) of this file were rejected, so it cannot be imported whole. Import the 2 valid row(s) only, "
        "or cancel and upload corrected files."
    )
    job.refresh_from_db()
    assert job.status == BlockImport.Status.VALIDATED
    assert not Block.objects.exists()


def test_the_valid_rows_only_are_imported_when_the_regulator_chooses_so(start, confirm):
    job = confirm(start(*bad_and_good()), valid_only=True)
    assert (job.status, job.valid_only, job.rows_to_import) == (BlockImport.Status.IMPORTED, True, 2)
    assert sorted(Block.objects.values_list("code", flat=True)) == ["GOOD-1", "GOOD-3"]
    assert job.created_codes == ["GOOD-1", "GOOD-3"]


def test_a_cancelled_import_imports_nothing_and_cannot_be_confirmed_later(start, confirm, regulator):
    job = start(*bad_and_good())
    imports.block_import_cancel(actor=regulator, job=job)
    job.refresh_from_db()
    assert job.status == BlockImport.Status.CANCELLED
    with pytest.raises(Conflict, match="This import is cancelled, not waiting for a decision"):
        confirm(job, valid_only=True)
    with pytest.raises(Conflict, match="can no longer be cancelled"):
        imports.block_import_cancel(actor=regulator, job=job)
    assert not Block.objects.exists()


def test_a_file_with_no_valid_row_has_nothing_to_import(start, confirm):
    job = start(csv_text([block_row("X", state="Mars")]), geojson_text(feature("X", 82.0, 21.0)))
    with pytest.raises(ApplicationError, match="No row of this file is valid"):
        confirm(job, valid_only=True)


def test_a_row_refused_at_import_time_is_reported_and_the_others_are_imported(start, confirm):
    job = start(*two_valid_rows())
    # Between the check and the import, someone registers a block on the first row's ground.
    block_create(
        actor=None,
        code="LATE-01",
        name="Late Comer",
        state="Chhattisgarh",
        minerals=["lithium"],
        exploration_stage="G3",
        boundary=square_boundary(82.005, 21.005),
    )
    job = confirm(job)
    assert job.status == BlockImport.Status.IMPORTED
    assert job.created_codes == ["IMP-AU-02"]
    assert [(f["row"], f["code"], f["reason"]) for f in job.import_failures] == [
        (2, "IMP-LI-01", "Boundary: Overlaps block LATE-01 (Late Comer).")
    ]


# --- Tasks do their work once ------------------------------------------------------------------------------------


def test_a_redelivered_check_does_nothing(start):
    job = start(*bad_and_good())
    BlockImport.objects.filter(pk=job.pk).update(rejected_rows=[{"row": 99, "code": "kept", "reason": "x"}])
    tasks.block_import_validate.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.rejected_rows == [{"row": 99, "code": "kept", "reason": "x"}]


def test_a_redelivered_import_does_not_import_twice(start, confirm):
    job = confirm(start(*two_valid_rows()))
    tasks.block_import_run.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.created_codes == ["IMP-LI-01", "IMP-AU-02"]
    assert job.import_failures == []
    assert Block.objects.count() == 2


def test_an_import_is_not_run_before_the_regulator_decides(start):
    job = start(*two_valid_rows())
    tasks.block_import_run.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == BlockImport.Status.VALIDATED
    assert not Block.objects.exists()


def test_a_task_for_a_job_that_does_not_exist_does_nothing():
    tasks.block_import_validate.apply(args=[987654])
    tasks.block_import_run.apply(args=[987654])
    assert not BlockImport.objects.exists()


def test_a_job_is_queued_only_when_the_upload_commits(regulator, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = imports.block_import_start(
            actor=regulator,
            csv_name="a.csv",
            csv_data=csv_text([block_row("Q-1")]).encode(),
            geojson_name="a.geojson",
            geojson_data=geojson_text(feature("Q-1", 82.0, 21.0)).encode(),
        )
    job.refresh_from_db()
    assert job.status == BlockImport.Status.QUEUED  # nothing ran inside the transaction
    assert len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == BlockImport.Status.VALIDATED
