"""The public licence register (pages anyone can read) and a firm's own licences and deadlines.

Thin: licences.selectors.register decides what is read; the templates name every field they show. Public
pages never read a Payment (see licences.selectors.register for what is judged public).
"""

import json
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from bidders.roles import firm_of
from blocks.constants import INDIAN_STATES, LeaseKind
from blocks.models import Mineral
from blocks.templatetags.block_map import boundary_svg
from core.errors import ApplicationError, NotFound
from core.public_api import CACHE_SECONDS
from ledger.services import ledger_verify
from licences.api.register import licence_csv_response
from licences.models import Licence
from licences.selectors import register as sel

PAGE_SIZE = 50
FILTER_PARAMS = ("kind", "status", "state", "mineral", "holder", "year", "ordering")
STATUS_LABELS = dict(Licence.Status.choices)


def _query(request, *, without=("page",)) -> str:
    params = request.GET.copy()
    for name in without:
        params.pop(name, None)
    return f"?{params.urlencode()}" if params else ""


@require_GET
def licence_register(request):
    errors = {}
    try:
        licences = sel.licence_list(filters=request.GET)
    except ApplicationError as exc:
        errors, licences = exc.fields, Licence.objects.none()
    page = Paginator(licences, PAGE_SIZE).get_page(request.GET.get("page"))
    selected = {name: request.GET.getlist(name) for name in FILTER_PARAMS}
    query = _query(request)
    context = {
        "page": page,
        "licences": page.object_list,
        "errors": errors,
        "filtered": any(selected[name] for name in FILTER_PARAMS if name != "ordering"),
        "selected": selected,
        "holder": request.GET.get("holder", ""),
        "kinds": LeaseKind.choices,
        "statuses": Licence.Status.choices,
        "states": INDIAN_STATES,
        "minerals": Mineral.objects.filter(licences__isnull=False).distinct().order_by("name").only("slug", "name"),
        "years": sel.award_years(),
        "csv_url": reverse("licence_csv") + query,
        "api_url": reverse("public-licence-list") + query,
    }
    return render(request, "licences/register/list.html", context, status=400 if errors else 200)


@require_GET
def licence_csv(request):
    """The filtered register as CSV (the columns of /api/v1/public/licences.csv)."""
    try:
        licences = sel.licence_list(filters=request.GET, with_boundary=True)
    except ApplicationError as exc:
        return HttpResponse(f"{exc.message}\n", status=400, content_type="text/plain; charset=utf-8")
    response = licence_csv_response(licences, request)
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


def _not_found(request, exc: NotFound):
    return render(request, "licences/register/not_found.html", {"message": exc.message}, status=404)


def _follow_links(licence: Licence) -> list[tuple[str, str]]:
    """The holder's and the regulators' pages of a licence (licences.urls.lease and licences.urls.exploration)."""
    base = f"/licences/{licence.pk}/"
    if licence.kind == LeaseKind.EL:
        return [("Exploration: reports, relinquishment, discovery", f"{base}exploration/")]
    return [
        ("Payments", f"{base}payments/"),
        ("Milestones", f"{base}milestones/"),
        ("Monthly premium", f"{base}premium/"),
    ]


def _map(licence: Licence) -> str:
    """The licence's boundary, with the original area outlined when part of it was relinquished."""
    original = []
    if licence.original_boundary and licence.original_boundary != licence.boundary:
        original = [("original area", "granted before relinquishment", licence.original_boundary)]
    svg = boundary_svg(
        licence.boundary, neighbours=original, title=f"Boundary of licence {licence.number}", dom_id="licence-map"
    )
    return mark_safe(svg)  # noqa: S308 - built from numbers and escaped text only


@require_GET
def licence_detail(request, pk):
    try:
        licence = sel.licence_detail(licence_id=pk)
    except NotFound as exc:
        return _not_found(request, exc)
    events = [
        {
            "at": e.at,
            "label": sel.event_label(e.kind),
            "from_status": STATUS_LABELS.get(e.from_status, e.from_status),
            "to_status": STATUS_LABELS.get(e.to_status, e.to_status),
            "note": e.note,
            "ledger_seq": e.ledger_seq,
        }
        for e in licence.events.all()
    ]
    shares_earned = list(licence.premium_shares_earned.all())
    shares_paid = list(licence.premium_shares_paid.all())
    may_follow = sel.may_follow_licence(request.user, licence)
    context = {
        "lic": licence,
        "minerals": list(licence.minerals.all()),
        "events": events,
        "obligations": list(licence.obligations.all()),
        "leases": list(licence.leases.all()),
        "shares_earned": shares_earned,
        "shares_earned_total": sum((s.amount for s in shares_earned), Decimal("0")),
        "shares_paid": shares_paid,
        "shares_paid_total": sum((s.amount for s in shares_paid), Decimal("0")),
        "duration": sel.licence_duration(licence),
        "term_ends_on": sel.term_ends_on(licence),
        "winning_offer_meaning": sel.winning_offer_meaning(licence.kind),
        "relinquished": licence.area_hectares != licence.original_area_hectares,
        "map": _map(licence),
        "ledger": licence_ledger_check(licence),
        "ledger_url": reverse("public-ledger-stream", kwargs={"stream": licence.stream}),
        "api_url": reverse("public-licence-detail", args=[licence.pk]),
        "geojson_url": reverse("licence_geojson", args=[licence.pk]),
        "may_follow": may_follow,
        "follow_links": _follow_links(licence) if may_follow else [],
    }
    return render(request, "licences/register/detail.html", context)


@dataclass(frozen=True)
class LedgerCheck:
    stream: str
    ok: bool | None  # None: the stream has no entry yet
    entries: int
    head_hash: str
    reason: str


def licence_ledger_check(licence: Licence) -> LedgerCheck:
    """Recompute the licence's ledger chain, as /api/v1/public/ledger/licence:<pk> does (the ledger's own check,
    so here on the page's side: no selector calls a service)."""
    try:
        result = ledger_verify(stream=licence.stream)
    except NotFound:
        return LedgerCheck(licence.stream, None, 0, "", "The ledger has no entry for this licence yet.")
    return LedgerCheck(licence.stream, result.ok, result.entries, result.head_hash, result.reason)


def _iso(value):
    return value.isoformat() if value else None


def _feature(licence: Licence, geometry, area, role: str, site: str) -> dict:
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "licence": licence.number,
            "area": role,
            "kind": licence.kind,
            "status": licence.status,
            "holder": licence.holder.legal_name,
            "holder_cin": licence.holder.cin,
            "minerals": [m.slug for m in licence.minerals.all()],
            "state": licence.state,
            "district": licence.district,
            "area_hectares": str(area),
            "awarded_on": _iso(licence.awarded_on),
            "starts_on": _iso(licence.starts_on),
            "expires_on": _iso(sel.term_ends_on(licence)),
            "url": site + reverse("licence_detail", args=[licence.pk]),
        },
    }


@require_GET
def licence_geojson(request, pk):
    """The licence's boundary as a GeoJSON FeatureCollection (WGS 84): the area held now, then, if part of it
    was relinquished, the area granted."""
    try:
        licence = sel.licence_detail(licence_id=pk)
    except NotFound as exc:
        return _not_found(request, exc)
    site = request.build_absolute_uri("/").rstrip("/")
    features = [_feature(licence, licence.boundary, licence.area_hectares, "held", site)]
    if licence.original_boundary and licence.original_boundary != licence.boundary:
        features.append(_feature(licence, licence.original_boundary, licence.original_area_hectares, "granted", site))
    body = json.dumps({"type": "FeatureCollection", "features": features}, indent=1)
    response = HttpResponse(body, content_type="application/geo+json")
    filename = licence.number.replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="{filename}.geojson"'
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


# --- The firm's own ------------------------------------------------------------------------------------------


def _firm_only(view):
    """Signed in (else to the log-in page) and acting for a firm (else 403 with what to do)."""

    @login_required
    @require_GET
    def wrapper(request, *args, **kwargs):
        firm = firm_of(request.user)
        if firm is None:
            return render(request, "licences/register/firm_only.html", status=403)
        return view(request, firm, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@_firm_only
def firm_deadlines(request, firm):
    """The firm's open deadlines: overdue first (the longest overdue first), then by due date."""
    rows = sel.firm_deadline_rows(user=request.user, today=timezone.localdate())
    context = {"firm": firm, "rows": rows, "overdue": sum(1 for r in rows if r.overdue)}
    return render(request, "licences/register/firm_deadlines.html", context)


@_firm_only
def firm_licences(request, firm):
    """The firm's own licences, with their open and overdue obligations."""
    licences = list(sel.firm_licences(firm=firm, today=timezone.localdate()))
    rows = [{"lic": lic, "links": _follow_links(lic)} for lic in licences]
    return render(request, "licences/register/firm_licences.html", {"firm": firm, "rows": rows})
