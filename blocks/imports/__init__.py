"""Bulk import of blocks: a CSV of block data plus a GeoJSON FeatureCollection of their boundaries.

The flow (each step one service; the slow ones run in Celery tasks, see blocks.tasks):
1. block_import_start: the files are read and their shape checked at once (columns, JSON); a BlockImport job
   is stored with the files, and the check is queued.
2. block_import_validate (task): every row goes through the same validation as block_create
   (services.block_validate), plus two checks across the file: a code given twice and boundaries that overlap
   each other. Progress is written to the job as rows are checked.
3. block_import_confirm: the regulator imports all rows (only when none was rejected) or the valid rows only;
   block_import_cancel abandons the job. Nothing is written to the registry before this step.
4. block_import_run (task): each row is registered through block_create, with progress.

Tasks claim their job with a conditional UPDATE of its status, so a redelivered task does nothing twice.
"""

from blocks.imports.files import (
    COLUMNS,
    MAX_CSV_BYTES,
    MAX_GEOJSON_BYTES,
    check_rows,
    field_label,
    read_files,
    template_csv,
    template_geojson,
)
from blocks.imports.jobs import (
    block_import_cancel,
    block_import_confirm,
    block_import_list,
    block_import_run,
    block_import_start,
    block_import_sweep,
    block_import_validate,
)

__all__ = [
    "COLUMNS",
    "MAX_CSV_BYTES",
    "MAX_GEOJSON_BYTES",
    "block_import_cancel",
    "block_import_confirm",
    "block_import_list",
    "block_import_run",
    "block_import_start",
    "block_import_sweep",
    "block_import_validate",
    "check_rows",
    "field_label",
    "read_files",
    "template_csv",
    "template_geojson",
]
