"""The exploration-licence pages: an EL's own page for its holder and the regulators (term, extension, reports,
relinquishment with a drawing map, discovery), a firm's area proposals, and the regulators' queue of proposals.

Thin: forms read the input, licences.services decides and writes; a refusal comes back next to the field it is
about (and at the top), with the form as typed and the HTTP status of the refusal. Every form works without
JavaScript; static/licences/draw.js only adds drawing on the map, which fills the GeoJSON field."""

import contextlib
import math
import mimetypes
import os
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bidders.forms import apply_errors
from bidders.roles import firm_of, is_regulator
from bidders.rules import may_act
from bidders.selectors import membership_role
from blocks.templatetags.block_map import HEIGHT, KM_PER_DEGREE, PAD, WIDTH, fit, path_data, polygons_of
from core import geo
from core.errors import ApplicationError, NotFound, PermissionDenied
from licences import services as svc
from licences.forms.exploration import (
    AcceptForm,
    DiscoveryForm,
    ExtendForm,
    ExtensionRequestForm,
    MapViewForm,
    ProposalForm,
    RejectForm,
    RelinquishForm,
    ReportForm,
)
from licences.models import AreaProposal, Licence
from licences.selectors import exploration as sel
from licences.selectors import proposals as proposal_sel

# Where the proposal map looks when nothing says otherwise: central India, 100 km across.
DEFAULT_VIEW = (82.0, 22.0, 100.0)


def _forbidden(request, title: str, message: str, status=403):
    return render(request, "auctions/flow/forbidden.html", {"title": title, "message": message}, status=status)


def _refused(request, error: ApplicationError, form=None) -> int:
    if form is not None:
        apply_errors(error, form)
    messages.error(request, error.message)
    return error.status_code


# --- The drawing map ------------------------------------------------------------------------------------------------


def _view_bbox(lon: float, lat: float, km: float) -> tuple:
    half_lon = km / 2 / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    half_lat = km / 2 * (HEIGHT - 2 * PAD) / (WIDTH - 2 * PAD) / KM_PER_DEGREE
    return lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat


def drawing_map(*, base=None, bbox=None, outlines=(), title: str, dom_id: str, drawable: bool = True) -> str:
    """An inline SVG on which a person clicks the corners of a polygon (static/licences/draw.js). `base` (GeoJSON)
    is drawn filled (the original boundary of a licence); `outlines` [(code, name, GeoJSON)] dashed. The projection
    (as block_map's) is given in data attributes so the script turns a click into longitude and latitude."""
    box = bbox or sel.geojson_bbox(base)
    p = fit(box, WIDTH, HEIGHT, PAD)
    min_lon, min_lat, max_lon, max_lat = box
    width_km = (max_lon - min_lon) * p.cos_lat * KM_PER_DEGREE
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="block-map{" draw-map" if drawable else ""}" id="{dom_id}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{dom_id}-title" '
        f'data-min-lon="{p.min_lon!r}" data-max-lat="{p.max_lat!r}" data-cos-lat="{p.cos_lat!r}" '
        f'data-scale="{p.scale!r}" data-offset-x="{p.offset_x!r}" data-offset-y="{p.offset_y!r}">',
        f'<title id="{dom_id}-title">{escape(title)}</title>',
        f'<rect class="draw-surface" x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fbfcfd"/>',
    ]
    for code, name, geojson in outlines:
        for polygon in polygons_of(geojson):
            d = path_data(polygon, p)
            if d:
                out.append(
                    f'<path class="neighbour" d="{d}" fill="#eef1f5" fill-opacity="0.6" fill-rule="evenodd" '
                    f'stroke="#9aa5b1" stroke-width="1" stroke-dasharray="4 3" pointer-events="none">'
                    f"<title>{escape(code)} {escape(name)}</title></path>"
                )
    for polygon in polygons_of(base) if base else []:
        out.append(
            f'<path class="original-boundary" d="{path_data(polygon, p)}" fill="#0b5d8a" fill-opacity="0.12" '
            f'fill-rule="evenodd" stroke="#0b5d8a" stroke-width="2" pointer-events="none"/>'
        )
    out.append(
        f'<text x="12" y="{HEIGHT - 12}" font-size="12" fill="#1d2430" pointer-events="none">'
        f"{width_km:,.1f} km across · longitude {min_lon:.4f}° to {max_lon:.4f}° E</text>"
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - built from numbers and escaped text only


# --- An EL's page -----------------------------------------------------------------------------------------------------


def _el_page_guard(view):
    """Holder's members and regulators; anonymous visitors log in first; everyone else is refused (403)."""

    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            licence, role = sel.el_licence_for(user=request.user, licence_id=pk)
        except NotFound as error:
            raise Http404(error.message) from error
        except PermissionDenied as error:
            return _forbidden(request, "Holder and regulators only", error.message)
        return view(request, licence, role, *args, **kwargs)

    return wrapper


def _el_page(request, licence: Licence, role, *, bound=None, status=200):
    overview = sel.el_overview(licence, today=svc.today())
    regulator = is_regulator(request.user)
    acting = may_act(role)
    bound = bound or {}
    request_ = overview.extension_request or {}
    extend_initial = {"extended_to": request_.get("requested_to") or overview.extension_latest}
    forms_ = {
        "extend": bound.get("extend") or ExtendForm(initial=extend_initial),
        "extension_request": bound.get("extension_request")
        or ExtensionRequestForm(initial={"requested_to": overview.extension_latest}),
        "report": bound.get("report") or ReportForm(),
        "relinquish": bound.get("relinquish") or RelinquishForm(),
        "discovery": bound.get("discovery") or DiscoveryForm(),
    }
    show_map = acting and overview.relinquishment_open
    return render(
        request,
        "licences/el/exploration.html",
        {
            "licence": licence,
            "o": overview,
            "role": role,
            "is_regulator": regulator,
            "acting": acting,
            "forms": forms_,
            "map": drawing_map(
                base=licence.original_boundary,
                title=f"Original boundary of {licence.number}: click the corners of the area you keep",
                dom_id="retained-map",
            )
            if show_map
            else "",
            "current_map": drawing_map(
                base=licence.boundary, title=f"Area held now by {licence.number}", dom_id="held-map", drawable=False
            )
            if overview.relinquishment
            else "",
            "can_discover": acting and licence.status in (Licence.Status.ACTIVE, Licence.Status.EXTENDED),
            "register_url": f"/licences/{licence.pk}/",
        },
        status=status,
    )


@require_GET
@_el_page_guard
def exploration(request, licence, role):
    return _el_page(request, licence, role)


def _act(form_class, key, call, done):
    """A POST of one of the page's forms: bind, call the service, come back with what happened."""

    @require_POST
    @_el_page_guard
    def view(request, licence, role):
        form = form_class(request.POST, request.FILES) if form_class else None
        if form is not None and not form.is_valid():
            messages.error(request, "Nothing was recorded: correct the fields marked below.")
            return _el_page(request, licence, role, bound={key: form}, status=400)
        try:
            result = call(request, licence, form.cleaned_data if form is not None else {})
        except ApplicationError as error:
            status = _refused(request, error, form)
            fresh = sel.el_licence_get(licence_id=licence.pk)
            return _el_page(request, fresh, role, bound={key: form} if form else None, status=status)
        messages.success(request, done(licence, result))
        return redirect(reverse("el:exploration", kwargs={"pk": licence.pk}) + f"#{key}")

    return view


grant = _act(
    None,
    "term",
    lambda r, lic, d: svc.el_grant(actor=r.user, licence_id=lic.pk),
    lambda lic, _r: f"{lic.number} is granted; its reports, relinquishment and expiry are on the holder's deadlines.",
)
extend = _act(
    ExtendForm,
    "extend",
    lambda r, lic, d: svc.el_extend(actor=r.user, licence_id=lic.pk, **d),
    lambda lic, done: f"{lic.number} is extended to {done.extended_to:%d %b %Y}.",
)
extension_request = _act(
    ExtensionRequestForm,
    "extension_request",
    lambda r, lic, d: svc.el_extension_request(actor=r.user, licence_id=lic.pk, **d),
    lambda lic, _r: "Your request is sent to the regulators.",
)
report = _act(
    ReportForm,
    "report",
    lambda r, lic, d: svc.el_report_file(actor=r.user, licence_id=lic.pk, **d),
    lambda lic, filed: f"The work-programme report due on {filed.obligation.due_on:%d %b %Y} is filed.",
)


relinquish = _act(
    RelinquishForm,
    "relinquish",
    lambda r, lic, d: svc.el_relinquish(
        actor=r.user,
        licence_id=lic.pk,
        retained_boundary=d.get("retained_boundary"),
        summary=d["summary"],
        document=d.get("document"),
    ),
    lambda lic, kept: (
        f"The relinquishment is accepted: {lic.number} now holds {kept.retained_area_hectares} ha of "
        f"the original {lic.original_area_hectares} ha."
    ),
)
discovery = _act(
    DiscoveryForm,
    "discovery",
    lambda r, lic, d: svc.el_discovery_report(actor=r.user, licence_id=lic.pk, **d),
    lambda lic, _r: f"The geological report is recorded; block {lic.block.code} goes back to the registry for auction.",
)


@require_GET
def report_document(request, pk, report_id):
    """A report's PDF, for the holder's members and regulators; to anyone else it does not exist."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        found = sel.report_for_reader(user=request.user, licence_id=pk, report_id=report_id)
    except (NotFound, PermissionDenied) as error:
        raise Http404("There is no such report document.") from error
    name = os.path.basename(found.document.name)
    try:
        handle = found.document.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file of this report is missing.") from error
    response = FileResponse(handle, filename=name, content_type=mimetypes.guess_type(name)[0] or "application/pdf")
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- A firm's area proposals ------------------------------------------------------------------------------------------


def _map_view(request, boundary_text=None) -> tuple[MapViewForm, tuple]:
    view_form = MapViewForm(request.GET or None)
    lon, lat, km = DEFAULT_VIEW
    if view_form.is_bound and view_form.is_valid():
        lon = view_form.cleaned_data["lon"] or lon
        lat = view_form.cleaned_data["lat"] or lat
        km = view_form.cleaned_data["km"] or km
    elif boundary_text:
        box = None
        with contextlib.suppress(geo.BoundaryError):
            box = geo.parse_boundary(boundary_text).bbox
        if box:
            lon, lat = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            span = (box[2] - box[0]) * math.cos(math.radians(lat)) * KM_PER_DEGREE
            km = min(max(span * 1.6, 5.0), 500.0)
    if not view_form.is_bound:
        view_form = MapViewForm(initial={"lon": lon, "lat": lat, "km": km})
    return view_form, _view_bbox(lon, lat, km)


@require_http_methods(["GET", "POST"])
def firm_proposals(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    firm = firm_of(request.user)
    if firm is None:
        return _forbidden(
            request,
            "Firms only",
            f"You are signed in as {request.user.get_username()} but do not act for a firm. Register your firm to "
            "propose areas for exploration licence auctions; regulators decide proposals under /regulator/proposals/.",
        )
    role = membership_role(user=request.user, firm=firm)
    acting = may_act(role)
    status = 200
    form = ProposalForm()
    if request.method == "POST":
        if not acting:
            return _forbidden(
                request,
                "Administrators and bidders only",
                f"As a {role} of {firm.legal_name} you may follow its proposals but not make them.",
            )
        form = ProposalForm(request.POST, request.FILES)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("geojson_file", None)
            try:
                proposal = svc.area_proposal_create(actor=request.user, **data)
            except ApplicationError as error:
                status = _refused(request, error, form)
            else:
                messages.success(
                    request,
                    f"“{proposal.title}” ({proposal.area_hectares} ha) is in the regulators' queue; you will be told "
                    "of their decision.",
                )
                return redirect("el:firm_proposals")
        else:
            messages.error(request, "The proposal was not submitted: correct the fields marked below.")
            status = 400
    boundary_text = form.data.get("boundary") if form.is_bound else None
    view_form, box = _map_view(request, boundary_text)
    return render(
        request,
        "licences/el/firm_proposals.html",
        {
            "firm": firm,
            "acting": acting,
            "proposals": proposal_sel.firm_proposals(firm=firm),
            "form": form,
            "view_form": view_form,
            "map": drawing_map(
                bbox=box,
                outlines=sel.outlines_in_view(box),
                title="Map for drawing the proposed area: click its corners",
                dom_id="proposal-map",
            )
            if acting
            else "",
        },
        status=status,
    )


# --- The regulators' queue --------------------------------------------------------------------------------------


def _regulator_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_regulator(request.user):
            return _forbidden(
                request,
                "Regulators only",
                f"Area proposals are decided by the regulators; {request.user.get_username()} is not a regulator "
                "account. Firms follow their own proposals under /firm/proposals/.",
            )
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@_regulator_only
def regulator_proposals(request):
    wanted = request.GET.get("status", AreaProposal.Status.SUBMITTED)
    if wanted not in AreaProposal.Status.values and wanted != "all":
        wanted = AreaProposal.Status.SUBMITTED
    rows = proposal_sel.proposal_queue(status=None if wanted == "all" else wanted)
    return render(
        request,
        "licences/el/regulator_proposals.html",
        {"proposals": rows, "wanted": wanted, "statuses": AreaProposal.Status.choices},
    )


def _proposal_page(request, proposal, *, accept=None, reject=None, status=200):
    box = sel.geojson_bbox(proposal.boundary)
    lon_pad, lat_pad = (box[2] - box[0]) * 0.3, (box[3] - box[1]) * 0.3
    view = (box[0] - lon_pad, box[1] - lat_pad, box[2] + lon_pad, box[3] + lat_pad)
    return render(
        request,
        "licences/el/regulator_proposal.html",
        {
            "proposal": proposal,
            "accept_form": accept
            or AcceptForm(initial={"code": svc.suggested_block_code(proposal), "name": proposal.title}),
            "reject_form": reject or RejectForm(),
            "map": drawing_map(
                base=proposal.boundary,
                bbox=view,
                outlines=sel.outlines_in_view(view),
                title=f"Proposed area {proposal.title}",
                dom_id="proposal-view",
                drawable=False,
            ),
        },
        status=status,
    )


def _get_proposal(pk):
    try:
        return proposal_sel.proposal_get(proposal_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error


@require_GET
@_regulator_only
def regulator_proposal(request, pk):
    return _proposal_page(request, _get_proposal(pk))


def _proposal_decision(request, pk, *, form_class, act, slot: str, invalid: str, done):
    """A regulator's decision on a proposal: the form checked, the service called, the page again on a refusal."""
    proposal = _get_proposal(pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, invalid)
        return _proposal_page(request, proposal, **{slot: form}, status=400)
    try:
        decided = act(actor=request.user, proposal_id=pk, **form.cleaned_data)
    except ApplicationError as error:
        status = _refused(request, error, form)
        return _proposal_page(request, _get_proposal(pk), **{slot: form}, status=status)
    messages.success(request, done(decided))
    return redirect("el:regulator_proposals")


@require_POST
@_regulator_only
def proposal_accept(request, pk):
    return _proposal_decision(
        request,
        pk,
        form_class=AcceptForm,
        act=svc.area_proposal_accept,
        slot="accept",
        invalid="Nothing was decided: correct the fields marked below.",
        done=lambda decided: f"“{decided.title}” is accepted and registered as block {decided.block.code}.",
    )


@require_POST
@_regulator_only
def proposal_reject(request, pk):
    return _proposal_decision(
        request,
        pk,
        form_class=RejectForm,
        act=svc.area_proposal_reject,
        slot="reject",
        invalid="Nothing was decided: give the reason.",
        done=lambda decided: f"“{decided.title}” is rejected; {decided.firm.legal_name} is told why.",
    )
