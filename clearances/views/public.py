"""Public pages of the clearances (anyone, signed in or not): the statistics; and the download of a case's document,
which anyone may fetch when it is marked public and only the case's own people otherwise.

Documents live in the private storage (`clearances/storage.py`, outside MEDIA_ROOT): no static or media route
serves them; this view opens each file through the storage API after checking who asks, and sends it as an
attachment that a browser does not try to render in the site's origin.
"""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from clearances.models import Document
from clearances.selectors import stats as stats_sel
from clearances.selectors.viewer import case_access
from clearances.views.common import today
from core.errors import NotFound
from core.public_api import CACHE_SECONDS


@require_GET
def statistics(request):
    stats = stats_sel.clearance_statistics(on=today())
    context = {
        "stats": stats,
        "kinds": dict(stats_sel.KIND_LABELS),
        "tracks": stats_sel.by_kind_and_track(stats),
        "api_url": reverse("public-clearance-statistics"),
        "list_api_url": reverse("public-clearance-list"),
        "csv_url": reverse("public-clearance-csv"),
    }
    response = render(request, "clearances/statistics.html", context)
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


@require_GET
def document(request, pk, document_id):
    """The file of a case's document: public ones to anyone, others to the case's own people (404 to anyone else, so
    that a private document's existence is not confirmed)."""
    try:
        access = case_access(user=request.user, case_id=pk)
    except NotFound:
        raise Http404(f"There is no clearance case {pk}.") from None
    doc = Document.objects.filter(pk=document_id, case_id=access.case.pk).first()
    if doc is None or not (doc.public or access.full):
        raise Http404("No such document of this case.")
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this document is missing from the store; tell the administrator.") from None
    response = FileResponse(handle, as_attachment=True, filename=doc.name, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    if doc.public:
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response
