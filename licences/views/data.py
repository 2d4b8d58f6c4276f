"""The open data's own page, /data/: every public endpoint and dump file with its licence and update time, and the
dump files themselves at /data/<name> (licences/dumps.py; docs/open-data.md)."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from core.public_api import CACHE_SECONDS
from licences.catalogue import catalogue
from licences.dumps import MANIFEST, data_dir, read_manifest

CONTENT_TYPES = {".csv": "text/csv; charset=utf-8", ".json": "application/json"}


@require_GET
def data_page(request):
    site = request.build_absolute_uri("/").rstrip("/")
    response = render(request, "licences/data.html", {"catalogue": catalogue(site)})
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


@require_GET
def data_file(request, name: str):
    """A file of the last build, by the name the manifest gives it (nothing else in the directory is served)."""
    manifest = read_manifest()
    names = {f["name"] for f in manifest["files"]} | {MANIFEST} if manifest else set()
    if name not in names:
        raise Http404(f"No open-data file is named {name}. The list is at /data/.")
    path = data_dir() / name
    suffix = path.suffix
    response = FileResponse(path.open("rb"), content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"))
    if suffix == ".csv":
        response["Content-Disposition"] = f'attachment; filename="khanij-{path.name}"'
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response
