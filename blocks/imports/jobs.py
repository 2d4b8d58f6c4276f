"""The import job, step by step: start, validate (task), confirm or cancel, run (task). Each task claims its
job with a conditional UPDATE of its status, so a redelivered task does nothing twice.

A worker that dies leaves its job without a heartbeat: after BLOCK_IMPORT_STALE_AFTER seconds the sweeper
(`block_import_sweep`, a beat task) sends the task again, which takes the job over and resumes it; each block
records the import that registered it, so no row is registered twice."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from blocks import services
from blocks.imports.files import (
    MAX_CSV_BYTES,
    MAX_GEOJSON_BYTES,
    check_rows,
    decode,
    mineral_slugs_by_name,
    read_files,
    rejection,
    row_to_block_data,
)
from blocks.models import Block, BlockImport
from core.errors import ApplicationError, Conflict
from core.outbox import outbox_enqueue

# How often (in rows) a task writes its progress: about 50 updates per job, at least every row for small files.
PROGRESS_STEPS = 50


def _progress_writer(job_id: int, field: str, total: int):
    step = max(1, total // PROGRESS_STEPS)

    def write(done: int):
        if done % step == 0 or done == total:
            BlockImport.objects.filter(pk=job_id).update(**{field: done, "heartbeat_at": timezone.now()})

    return write


def _stale_before():
    """A job whose worker gave no sign of life since this moment is taken to be abandoned (the worker died)."""
    return timezone.now() - timedelta(seconds=settings.BLOCK_IMPORT_STALE_AFTER)


def _claim(job_id: int, *, from_status: str, to_status: str) -> bool:
    """Take the job: move it from `from_status` to `to_status`, or take over a job left in `to_status` by a worker
    that stopped giving signs of life. True only for the one caller that changed the row."""
    waiting = Q(status=from_status)
    abandoned = Q(status=to_status) & (Q(heartbeat_at__lt=_stale_before()) | Q(heartbeat_at__isnull=True))
    taken = BlockImport.objects.filter(Q(pk=job_id) & (waiting | abandoned))
    return taken.update(status=to_status, heartbeat_at=timezone.now()) == 1


def _fail(job_id: int, exc: BaseException) -> None:
    BlockImport.objects.filter(pk=job_id).update(
        status=BlockImport.Status.FAILED,
        error=f"An unexpected error stopped the job ({exc.__class__.__name__}: {exc}). Upload the files again; "
        "if it happens again, tell the administrators.",
        finished_at=timezone.now(),
    )


def block_import_start(*, actor, csv_name: str, csv_data, geojson_name: str, geojson_data) -> BlockImport:
    """Check the files' shape, store the job and queue the check of every row."""
    errors, texts, message = {}, {}, None
    for field, what, data, limit in (
        ("csv_file", "CSV file", csv_data, MAX_CSV_BYTES),
        ("geojson_file", "GeoJSON file", geojson_data, MAX_GEOJSON_BYTES),
    ):
        if len(data) > limit:
            errors[field] = [f"The {what} is larger than {limit // (1024 * 1024)} MB; split it into smaller files."]
            continue
        try:
            texts[field] = decode(data, what, field)
        except ApplicationError as exc:
            errors.update(exc.fields)
            message = message or exc.message
    if not errors:
        try:
            files = read_files(texts["csv_file"], texts["geojson_file"])
        except ApplicationError as exc:
            errors.update(exc.fields)
            message = exc.message
    if errors:
        raise ApplicationError(
            message or f"The files were not accepted: {next(iter(errors.values()))[0]}", fields=errors
        )
    with transaction.atomic():
        job = BlockImport.objects.create(
            uploaded_by=actor,
            csv_name=csv_name[:255],
            csv_text=texts["csv_file"],
            geojson_name=geojson_name[:255],
            geojson_text=texts["geojson_file"],
            total_rows=len(files.rows),
            notes=files.notes,
        )
        outbox_enqueue("auctions.block_import_validate", args=[job.pk])
    return job


def block_import_validate(*, job_id: int) -> None:
    """Check every row of a queued job (the Celery task's body). Does nothing unless it claims the job."""
    if not _claim(job_id, from_status=BlockImport.Status.QUEUED, to_status=BlockImport.Status.VALIDATING):
        return
    try:
        job = BlockImport.objects.get(pk=job_id)
        files = read_files(job.csv_text, job.geojson_text)
        rejections = check_rows(files, progress=_progress_writer(job_id, "validated_rows", len(files.rows)))
        BlockImport.objects.filter(pk=job_id, status=BlockImport.Status.VALIDATING).update(
            status=BlockImport.Status.VALIDATED,
            total_rows=len(files.rows),
            validated_rows=len(files.rows),
            rejected_rows=rejections,
        )
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the job for the regulator to see
        _fail(job_id, exc)
        raise


def block_import_confirm(*, actor, job: BlockImport, valid_only: bool) -> BlockImport:
    """The regulator's decision: import every row (none rejected) or, when asked, the valid rows only."""
    job.refresh_from_db()
    if job.status != BlockImport.Status.VALIDATED:
        raise Conflict(
            f"This import is {job.get_status_display().lower()}, not waiting for a decision; nothing was changed."
        )
    if job.rejected_count and not valid_only:
        raise ApplicationError(
            f"{job.rejected_count} row(s) of this file were rejected, so it cannot be imported whole. Import the "
            f"{job.valid_count} valid row(s) only, or cancel and upload corrected files."
        )
    if not job.valid_count:
        raise ApplicationError("No row of this file is valid: there is nothing to import. Correct the files and "
                               "upload them again.")  # fmt: skip
    with transaction.atomic():
        claimed = BlockImport.objects.filter(pk=job.pk, status=BlockImport.Status.VALIDATED).update(
            status=BlockImport.Status.IMPORT_QUEUED,
            valid_only=valid_only,
            decided_by=actor,
            decided_at=timezone.now(),
            rows_to_import=job.valid_count,
        )
        if claimed != 1:
            raise Conflict("Someone else has just decided on this import; nothing was changed.")
        outbox_enqueue("auctions.block_import_run", args=[job.pk])
    job.refresh_from_db()
    return job


def block_import_cancel(*, actor, job: BlockImport) -> BlockImport:
    """Abandon a checked import: nothing is imported."""
    cancelled = BlockImport.objects.filter(
        pk=job.pk, status__in=(BlockImport.Status.QUEUED, BlockImport.Status.VALIDATED)
    ).update(
        status=BlockImport.Status.CANCELLED, decided_by=actor, decided_at=timezone.now(), finished_at=timezone.now()
    )
    job.refresh_from_db()
    if cancelled != 1:
        raise Conflict(f"This import is {job.get_status_display().lower()}; it can no longer be cancelled.")
    return job


def block_import_run(*, job_id: int) -> None:
    """Register the chosen rows through block_create (the Celery task's body). Does nothing unless it claims."""
    if not _claim(job_id, from_status=BlockImport.Status.IMPORT_QUEUED, to_status=BlockImport.Status.IMPORTING):
        return
    try:
        job = BlockImport.objects.get(pk=job_id)
        files = read_files(job.csv_text, job.geojson_text)
        rejected = {r["row"] for r in job.rejected_rows}
        chosen = [(number, row) for number, row in files.rows if number not in rejected]
        lookup = mineral_slugs_by_name()
        step = max(1, len(chosen) // PROGRESS_STEPS)
        # A job taken over from a worker that died resumes: each block records the import that made it, so the
        # rows already registered are skipped (never registered twice), and the refusals recorded are kept.
        made = set(Block.objects.filter(import_job_id=job_id).values_list("code", flat=True))
        failures = {f["row"]: f for f in job.import_failures}
        for done, (number, row) in enumerate(chosen, start=1):
            data, fields = row_to_block_data(row, files, lookup)
            if number not in failures and data.get("code") not in made:
                if not fields:
                    try:
                        made.add(services.block_create(actor=job.decided_by, import_job=job, **data).code)
                    except ApplicationError as exc:
                        fields = exc.fields or {"non_field_errors": [exc.message]}
                if fields:
                    # Valid when checked, refused now: the registry changed in between (e.g. an overlapping block).
                    failures[number] = rejection(number, data["code"], fields)
            if done % step == 0 or done == len(chosen):
                BlockImport.objects.filter(pk=job_id).update(
                    imported_rows=done,
                    created_codes=_in_file_order(made, files),
                    import_failures=sorted(failures.values(), key=lambda f: f["row"]),
                    heartbeat_at=timezone.now(),
                )
        BlockImport.objects.filter(pk=job_id, status=BlockImport.Status.IMPORTING).update(
            status=BlockImport.Status.IMPORTED, finished_at=timezone.now()
        )
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the job for the regulator to see
        _fail(job_id, exc)
        raise


def _in_file_order(codes: set, files) -> list:
    order = {row.get("code", "").strip(): number for number, row in files.rows}
    return sorted(codes, key=lambda code: (order.get(code, 0), code))


def block_import_sweep() -> int:
    """Send again the jobs whose worker died or whose task was lost (the beat task's body); returns how many.

    A job waiting for its task, or being worked on without a sign of life, for longer than
    BLOCK_IMPORT_STALE_AFTER seconds gets its task again; the task takes the job over (`_claim`) and resumes."""
    stale = _stale_before()
    S = BlockImport.Status
    tasks = {S.QUEUED: "auctions.block_import_validate", S.VALIDATING: "auctions.block_import_validate",
             S.IMPORT_QUEUED: "auctions.block_import_run", S.IMPORTING: "auctions.block_import_run"}  # fmt: skip
    waiting = Q(status__in=[S.QUEUED, S.IMPORT_QUEUED]) & Q(Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True))
    waiting &= Q(Q(decided_at__lt=stale) | Q(decided_at__isnull=True, uploaded_at__lt=stale))
    working = Q(status__in=[S.VALIDATING, S.IMPORTING]) & Q(Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True))
    jobs = list(BlockImport.objects.filter(waiting | working).values_list("pk", "status"))
    with transaction.atomic():
        for pk, status in jobs:
            outbox_enqueue(tasks[status], args=[pk])
    return len(jobs)


def block_import_list(*, limit: int = 20):
    """Past imports, newest first, for the import page."""
    return BlockImport.objects.select_related("uploaded_by", "decided_by").defer("csv_text", "geojson_text")[:limit]
