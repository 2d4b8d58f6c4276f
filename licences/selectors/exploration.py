"""Shaped reads of exploration licences for the EL pages and the EL API, and the licences in force a boundary meets."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from auctions.rules import AuctionParams
from bidders.roles import is_regulator
from blocks.models import Block
from core import geo
from core.errors import NotFound, PermissionDenied
from licences import lifecycle, rules
from licences.models import Licence, Obligation, Report
from licences.selectors.common import holder_role

Kind = Obligation.Kind


def geojson_bbox(geojson) -> tuple | None:
    """(min_lon, min_lat, max_lon, max_lat) of a GeoJSON Polygon, MultiPolygon or Feature, from its coordinates."""
    if not isinstance(geojson, dict):
        return None
    if geojson.get("type") == "Feature":
        return geojson_bbox(geojson.get("geometry"))
    coordinates = geojson.get("coordinates") or []
    polygons = [coordinates] if geojson.get("type") == "Polygon" else coordinates
    points = [p for polygon in polygons for ring in polygon or [] for p in ring or [] if len(p) >= 2]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def licences_in_force_overlapping(boundary: geo.Boundary, *, exclude_id=None) -> list[Licence]:
    """Licences in force whose ground the boundary shares (touching is not sharing): a box test first, then the
    exact test with shapely on the few whose boxes meet."""
    rows = (
        Licence.objects.filter(status__in=lifecycle.IN_FORCE)
        .select_related("holder")
        .only("number", "kind", "boundary", "holder__legal_name")
    )
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    found = []
    for licence in rows.order_by("number"):
        box = geojson_bbox(licence.boundary)
        if box is None or not geo.bbox_intersects(boundary.bbox, box):
            continue
        if geo.interiors_overlap(boundary.geometry, geo.as_shape(licence.boundary)):
            found.append(licence)
    return found


def outlines_in_view(bbox: tuple, *, exclude_block_id=None, limit: int = 60) -> list[tuple[str, str, dict]]:
    """Registered blocks and licences in force inside a map's box, as (code, name, GeoJSON), for a drawing map."""
    min_lon, min_lat, max_lon, max_lat = bbox
    blocks = (
        Block.objects.filter(
            status__in=Block.ACTIVE_STATUSES,
            boundary__isnull=False,
            min_lon__lte=max_lon,
            max_lon__gte=min_lon,
            min_lat__lte=max_lat,
            max_lat__gte=min_lat,
        )
        .only("code", "name", "boundary")
        .order_by("code")
    )
    if exclude_block_id is not None:
        blocks = blocks.exclude(pk=exclude_block_id)
    out = [(b.code, b.name, b.boundary) for b in blocks[:limit]]
    codes = {code for code, _name, _geo in out}
    for licence in (
        Licence.objects.filter(status__in=lifecycle.IN_FORCE)
        .select_related("block")
        .only("number", "boundary", "original_boundary", "block__code", "block_id")
    ):
        box = geojson_bbox(licence.boundary)
        if licence.block_id == exclude_block_id or box is None or not geo.bbox_intersects(bbox, box):
            continue
        if licence.block.code in codes and licence.boundary == licence.original_boundary:
            continue
        out.append((licence.number, "licence in force", licence.boundary))
    return out


# --- Who may see an EL's page -------------------------------------------------------------------------------------


def el_licence_get(*, licence_id) -> Licence:
    try:
        licence = (
            Licence.objects.select_related("holder", "block").prefetch_related("minerals").get(pk=licence_id, kind="EL")
        )
    except (Licence.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no exploration licence {licence_id}.") from None
    return licence


def el_licence_for(*, user, licence_id) -> tuple[Licence, str | None]:
    """The EL and the user's role in its holder, for the holder's members and the regulators; others are refused."""
    licence = el_licence_get(licence_id=licence_id)
    role = holder_role(user=user, licence=licence)
    if role is None and not is_regulator(user):
        raise PermissionDenied(
            f"The exploration page of {licence.number} is for {licence.holder.legal_name} and the regulators. The "
            "public register shows the licence."
        )
    return licence, role


# --- The EL's state, as the page and the API show it --------------------------------------------------------------


@dataclass
class ELOverview:
    licence: Licence
    params: AuctionParams
    today: datetime.date
    granted_on: datetime.date | None
    expires_on: datetime.date | None
    extended_to: datetime.date | None
    ends_on: datetime.date | None
    extension_latest: datetime.date | None
    extension_request: dict | None
    can_extend: bool
    relinquishment_opens: datetime.date | None
    relinquishment_open: bool
    relinquishment: Report | None
    retained_max_hectares: object
    discovery: Report | None
    in_force: bool
    reports: list[Report] = field(default_factory=list)
    report_obligations: list[Obligation] = field(default_factory=list)
    obligations: list[Obligation] = field(default_factory=list)

    @property
    def next_report(self) -> Obligation | None:
        return next(
            (o for o in self.report_obligations if o.status in (Obligation.Status.PENDING, Obligation.Status.MISSED)),
            None,
        )

    @property
    def days_left(self) -> int | None:
        return (self.ends_on - self.today).days if self.ends_on else None


def el_overview(licence: Licence, *, today: datetime.date) -> ELOverview:
    params = AuctionParams.from_json(licence.params)
    granted = licence.starts_on or licence.awarded_on
    if licence.status == Licence.Status.PREFERRED_BIDDER:
        granted = None
    ends = lifecycle.term_ends(licence)
    reports = list(
        Report.objects.filter(licence=licence)
        .select_related("obligation", "submitted_by")
        .order_by("submitted_at", "id")
    )
    obligations = list(licence.obligations.order_by("due_on", "id"))
    original = granted and rules.el_expiry(granted, params)
    in_force = lifecycle.is_in_force(licence.status)
    opens = rules.el_relinquishment_due(granted, params) if granted else None
    relinquishment = next((r for r in reversed(reports) if r.kind == Report.Kind.RELINQUISHMENT), None)
    return ELOverview(
        licence=licence,
        params=params,
        today=today,
        granted_on=granted,
        expires_on=licence.expires_on,
        extended_to=licence.extended_to,
        ends_on=ends,
        extension_latest=rules.el_extension_latest(granted, params) if original else None,
        extension_request=(licence.details or {}).get("extension_request"),
        can_extend=licence.status == Licence.Status.ACTIVE and licence.extended_to is None,
        relinquishment_opens=opens,
        relinquishment_open=bool(in_force and opens and today >= opens and relinquishment is None),
        relinquishment=relinquishment,
        retained_max_hectares=(licence.original_area_hectares * params.el_retained_max_pct / 100).quantize(
            Decimal("0.0001")
        ),
        discovery=next((r for r in reversed(reports) if r.kind == Report.Kind.GEOLOGICAL), None),
        in_force=in_force,
        reports=reports,
        report_obligations=[o for o in obligations if o.kind == Kind.WORK_REPORT],
        obligations=obligations,
    )


def report_for_reader(*, user, licence_id, report_id) -> Report:
    """A report with its document, for the holder's members and the regulators; to anyone else it does not exist."""
    licence, _role = el_licence_for(user=user, licence_id=licence_id)
    report = Report.objects.filter(licence=licence, pk=report_id).exclude(document="").first()
    if report is None:
        raise NotFound("There is no such report document.")
    return report
