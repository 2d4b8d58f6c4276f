"""The regulator's pages: the block registry, its create and edit forms, and the bulk import. Thin: the forms
shape input, blocks.services and blocks.imports validate and write."""

import contextlib
import json
import re
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from bidders.roles import is_regulator
from blocks import imports, services
from blocks.forms import (
    LAND_FIELDS,
    MAX_BOUNDARY_FILE_BYTES,
    BlockForm,
    BlockImportForm,
    block_initial,
    resource_formset,
)
from blocks.models import Block, BlockImport
from core.errors import ApplicationError
from core.money import format_inr

_RESOURCE_KEY = re.compile(r"resources\[(\d+)\]")


def regulator_required(view):
    """Anonymous visitors are sent to log in; signed-in users who are not regulators get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_regulator(request.user):
            return render(request, "blocks/regulator/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


# --- Registry ----------------------------------------------------------------------------------------------------


@require_GET
@regulator_required
def block_list(request):
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    blocks = Block.objects.prefetch_related("minerals").order_by("code")
    if query:
        blocks = blocks.filter(Q(code__icontains=query) | Q(name__icontains=query) | Q(district__icontains=query))
    if status in Block.Status.values:
        blocks = blocks.filter(status=status)
    page = Paginator(blocks, 50).get_page(request.GET.get("page"))
    rows = [{"block": b, "ver": format_inr(b.value_of_estimated_resources)} for b in page]
    return render(
        request,
        "blocks/regulator/block_list.html",
        {"page": page, "rows": rows, "query": query, "status": status, "statuses": Block.Status.choices},
    )


def _bind(request, *, initial=None, resources=None):
    """Bind the form and the resources formset; an uploaded boundary file's text goes into the boundary box,
    so that it is shown (and kept) when the page comes back with an error."""
    data = request.POST.copy()
    upload = request.FILES.get("boundary_file")
    if upload and upload.size <= MAX_BOUNDARY_FILE_BYTES:
        with contextlib.suppress(UnicodeDecodeError):  # the form reports it next to the file field
            data["boundary"] = upload.read().decode("utf-8-sig")
        upload.seek(0)
    return BlockForm(data, request.FILES, initial=initial), resource_formset(data, initial=resources)


def _unchanged_boundary(text, block) -> bool:
    try:
        return block.boundary is not None and json.loads(text) == block.boundary
    except (TypeError, ValueError):
        return False


def _show_errors(exc: ApplicationError, form, formset, origins) -> None:
    """Put every message of the service's refusal next to the field it is about."""
    for key, field_messages in (exc.fields or {}).items():
        for message in field_messages:
            match = _RESOURCE_KEY.fullmatch(key)
            if match and 0 < int(match[1]) <= len(origins):
                formset.forms[origins[int(match[1]) - 1]].add_error(None, message)
            elif key == "resources":
                formset.non_form_errors().append(message)
            elif key == "land":
                form.land_errors.append(message)
            elif key in form.fields:
                form.add_error(key, message)
            else:
                form.add_error(None, message if key == "non_field_errors" else f"{key}: {message}")
    if not exc.fields:
        form.add_error(None, exc.message)


def _save(request, form, formset, *, block=None):
    """Call the service; on refusal put the messages on the forms and return None."""
    form.land_errors = []
    form_ok, formset_ok = form.is_valid(), formset.is_valid()
    if not (form_ok and formset_ok):
        return None
    fields = form.block_fields()
    fields["resources"], origins = formset.resources()
    if block is not None and fields["boundary"] and _unchanged_boundary(fields["boundary"], block):
        del fields["boundary"]  # not re-checked: only a changed boundary is
    try:
        if block is None:
            return services.block_create(actor=request.user, **fields)
        return services.block_update(actor=request.user, block=block, **fields)
    except ApplicationError as exc:
        form.error_message = exc.message
        _show_errors(exc, form, formset, origins)
        return None


def _derived(block: Block) -> dict:
    """What the registry computes from the data: routing, area and VER."""
    return {
        "authority": block.get_auction_authority_display(),
        "authority_code": block.auction_authority,
        "lease_kind": block.get_lease_kind_display(),
        "lease_kind_code": block.lease_kind,
        "el_eligible": block.el_eligible,
        "area_ha": block.area_hectares,
        "area_km2": block.area_km2,
        "ver": format_inr(block.value_of_estimated_resources),
        "resources": [
            {"resource": r, "value": format_inr(r.value), "price": format_inr(r.price_per_tonne)}
            for r in block.resources.select_related("mineral").order_by("mineral__name")
        ],
    }


def _form_page(request, form, formset, *, block=None):
    return render(
        request,
        "blocks/regulator/block_form.html",
        {
            "form": form,
            "formset": formset,
            "registry_block": block,
            "derived": _derived(block) if block else None,
            "land_fields": [form[f] for f in LAND_FIELDS],
        },
    )


@require_http_methods(["GET", "POST"])
@regulator_required
def block_create(request):
    if request.method == "POST":
        form, formset = _bind(request)
        block = _save(request, form, formset)
        if block is not None:
            messages.success(request, f"Block {block.code} registered.")
            return redirect("regulator:block_edit", code=block.code)
    else:
        form, formset = BlockForm(), resource_formset()
        form.land_errors = []
    return _form_page(request, form, formset)


@require_http_methods(["GET", "POST"])
@regulator_required
def block_edit(request, code):
    block = get_object_or_404(Block, code=code)
    initial, resources = block_initial(block)
    if request.method == "POST":
        form, formset = _bind(request, initial=initial, resources=resources)
        saved = _save(request, form, formset, block=block)
        if saved is not None:
            messages.success(request, f"Block {saved.code} saved.")
            return redirect("regulator:block_edit", code=saved.code)
    else:
        form, formset = BlockForm(initial=initial), resource_formset(initial=resources)
        form.land_errors = []
    return _form_page(request, form, formset, block=block)


# --- Bulk import -------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@regulator_required
def block_import(request):
    if request.method == "POST":
        form = BlockImportForm(request.POST, request.FILES)
        if form.is_valid():
            csv_file, geojson_file = form.cleaned_data["csv_file"], form.cleaned_data["geojson_file"]
            try:
                job = imports.block_import_start(
                    actor=request.user,
                    csv_name=csv_file.name,
                    csv_data=csv_file.read(),
                    geojson_name=geojson_file.name,
                    geojson_data=geojson_file.read(),
                )
                return redirect("regulator:block_import_detail", pk=job.pk)
            except ApplicationError as exc:
                for field, field_messages in exc.fields.items():
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, message)
                form.error_message = exc.message
    else:
        form = BlockImportForm()
    return render(
        request,
        "blocks/regulator/block_import.html",
        {"form": form, "columns": imports.COLUMNS, "jobs": imports.block_import_list()},
    )


@require_GET
@regulator_required
def block_import_template(request, kind):
    if kind == "csv":
        response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="khanij-blocks-template.csv"'
    else:
        response = HttpResponse(imports.template_geojson(), content_type="application/geo+json")
        response["Content-Disposition"] = 'attachment; filename="khanij-boundaries-template.geojson"'
    return response


def _progress(job: BlockImport) -> dict:
    S = BlockImport.Status
    if job.status in (S.IMPORT_QUEUED, S.IMPORTING, S.IMPORTED) or (job.status == S.FAILED and job.decided_at):
        phase, done, total = "import", job.imported_rows, job.rows_to_import
    else:
        phase, done, total = "check", job.validated_rows, job.total_rows
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "phase": phase,
        "done": done,
        "total": total,
        "percent": int(done * 100 / total) if total else 100,
        "running": job.status in BlockImport.RUNNING_STATUSES,
        "total_rows": job.total_rows,
        "rejected": job.rejected_count,
        "valid": job.valid_count,
        "created": job.created_count,
        "failed": len(job.import_failures or []),
        "page_url": reverse("regulator:block_import_detail", kwargs={"pk": job.pk}),
    }


def _job(pk):
    return get_object_or_404(
        BlockImport.objects.select_related("uploaded_by", "decided_by").defer("csv_text", "geojson_text"), pk=pk
    )


@require_http_methods(["GET", "POST"])
@regulator_required
def block_import_detail(request, pk):
    job = _job(pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("import_all", "import_valid"):
                imports.block_import_confirm(actor=request.user, job=job, valid_only=action == "import_valid")
                messages.success(request, "The import has started.")
            elif action == "cancel":
                imports.block_import_cancel(actor=request.user, job=job)
                messages.success(request, "The import was cancelled: no block was imported.")
            else:
                messages.error(request, "Choose one of the buttons: import, import the valid rows only, or cancel.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("regulator:block_import_detail", pk=job.pk)
    return render(
        request,
        "blocks/regulator/block_import_detail.html",
        {"job": job, "progress": _progress(job), "S": BlockImport.Status},
    )


@require_GET
@regulator_required
def block_import_status(request, pk):
    return JsonResponse(_progress(_job(pk)))
