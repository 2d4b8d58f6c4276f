"""A block's boundary drawn as an inline SVG on the server, from its GeoJSON (no tile server is reachable).

Longitude/latitude are projected equirectangularly, x scaled by cos(latitude of the map's centre) so that
a kilometre is as long east-west as north-south, and fitted to a fixed viewBox. Each polygon is one path
with `fill-rule="evenodd"`, so a hole (an interior ring) is drawn as a hole. A scale bar in km (or m) and a
north arrow are drawn; neighbouring blocks in view are outlined in a lighter colour.
"""

import math
from dataclasses import dataclass

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

WIDTH, HEIGHT, PAD = 600, 450, 40
KM_PER_DEGREE = 6371.0088 * math.pi / 180  # a degree of latitude on the mean Earth sphere, in km
NICE_KM = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
BLOCK_FILL, BLOCK_STROKE = "#0b5d8a", "#0b5d8a"
NEIGHBOUR_STROKE, NEIGHBOUR_TEXT = "#9aa5b1", "#7b8794"


def polygons_of(geojson) -> list[list[list]]:
    """The polygons (each a list of rings of [lon, lat]) of a GeoJSON Polygon, MultiPolygon or Feature."""
    if not isinstance(geojson, dict):
        return []
    if geojson.get("type") == "Feature":
        return polygons_of(geojson.get("geometry"))
    coordinates = geojson.get("coordinates") or []
    if geojson.get("type") == "Polygon":
        return [coordinates]
    if geojson.get("type") == "MultiPolygon":
        return list(coordinates)
    return []


def _bbox(polygons):
    points = [p for polygon in polygons for ring in polygon for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


@dataclass(frozen=True)
class Projection:
    min_lon: float
    max_lat: float
    cos_lat: float
    scale: float  # viewBox units per degree of latitude
    offset_x: float
    offset_y: float

    def __call__(self, lon, lat):
        x = self.offset_x + (lon - self.min_lon) * self.cos_lat * self.scale
        y = self.offset_y + (self.max_lat - lat) * self.scale
        return x, y

    @property
    def units_per_km(self):
        return self.scale / KM_PER_DEGREE


def fit(bbox, width=WIDTH, height=HEIGHT, pad=PAD) -> Projection:
    """The projection that fits `bbox` (min_lon, min_lat, max_lon, max_lat) centred inside the viewBox."""
    min_lon, min_lat, max_lon, max_lat = bbox
    cos_lat = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x, span_y = (max_lon - min_lon) * cos_lat, max_lat - min_lat
    candidates = [(width - 2 * pad) / span_x if span_x > 0 else None, (height - 2 * pad) / span_y if span_y else None]
    scale = min((c for c in candidates if c), default=1.0)
    return Projection(
        min_lon=min_lon,
        max_lat=max_lat,
        cos_lat=cos_lat,
        scale=scale,
        offset_x=(width - span_x * scale) / 2,
        offset_y=(height - span_y * scale) / 2,
    )


def path_data(polygon, project) -> str:
    """SVG path data for one polygon: a closed subpath per ring (exterior first, then holes)."""
    parts = []
    for ring in polygon:
        points = [project(p[0], p[1]) for p in ring]
        if len(points) > 1 and points[0] == points[-1]:
            points = points[:-1]
        if len(points) < 3:
            continue
        head, *tail = points
        parts.append(f"M{head[0]:.1f},{head[1]:.1f} " + " ".join(f"L{x:.1f},{y:.1f}" for x, y in tail) + " Z")
    return " ".join(parts)


def _scale_bar(projection, width, height, pad):
    longest = (width - 2 * pad) / 3
    km = max((k for k in NICE_KM if k * projection.units_per_km <= longest), default=NICE_KM[0])
    length = km * projection.units_per_km
    label = f"{round(km * 1000)} m" if km < 1 else f"{km:g} km"
    x0, y = 14.0, height - 14.0
    x1 = x0 + length
    return (
        f'<g class="scale-bar" aria-label="scale bar {label}">'
        f'<path d="M{x0:.1f},{y - 5:.1f} L{x0:.1f},{y:.1f} L{x1:.1f},{y:.1f} L{x1:.1f},{y - 5:.1f}" '
        f'fill="none" stroke="#1d2430" stroke-width="2"/>'
        f'<text x="{(x0 + x1) / 2:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="12" fill="#1d2430">'
        f"{label}</text></g>"
    )


def _north_arrow(width):
    x, y = width - 22, 14
    return (
        f'<g class="north-arrow" aria-label="north">'
        f'<path d="M{x},{y} L{x + 7},{y + 22} L{x},{y + 17} L{x - 7},{y + 22} Z" fill="#1d2430"/>'
        f'<text x="{x}" y="{y + 36}" text-anchor="middle" font-size="12" font-weight="bold" fill="#1d2430">N</text>'
        f"</g>"
    )


def _visible_centre(polygons, projection, width, height):
    """The centre of the part of the polygons' box inside the view, where a label can be read; None if none."""
    if not polygons:
        return None
    min_lon, min_lat, max_lon, max_lat = _bbox(polygons)
    x0, y0 = projection(min_lon, max_lat)
    x1, y1 = projection(max_lon, min_lat)
    x0, x1 = max(x0, 0), min(x1, width)
    y0, y1 = max(y0, 0), min(y1, height)
    if x0 >= x1 or y0 >= y1:
        return None
    return (x0 + x1) / 2, (y0 + y1) / 2


def boundary_svg(boundary, *, neighbours=(), title="", width=WIDTH, height=HEIGHT, pad=PAD, dom_id="block-map"):
    """The SVG of a boundary (GeoJSON), with the outlines of `neighbours` [(code, name, GeoJSON), ...] in view.

    Returns "" when the boundary holds no polygon.
    """
    polygons = [p for p in polygons_of(boundary) if p and p[0]]
    if not polygons:
        return ""
    projection = fit(_bbox(polygons), width, height, pad)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="block-map" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{dom_id}-title">',
        f'<title id="{dom_id}-title">{escape(title or "Block boundary")}</title>',
        f'<defs><clipPath id="{dom_id}-clip"><rect x="0" y="0" width="{width}" height="{height}"/></clipPath></defs>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fbfcfd"/>',
        f'<g clip-path="url(#{dom_id}-clip)">',
    ]
    for code, name, geojson in neighbours:
        for polygon in polygons_of(geojson):
            d = path_data(polygon, projection)
            if d:
                out.append(
                    f'<path class="neighbour" d="{d}" fill="#eef1f5" fill-opacity="0.6" fill-rule="evenodd" '
                    f'stroke="{NEIGHBOUR_STROKE}" stroke-width="1" stroke-dasharray="4 3">'
                    f"<title>{escape(code)} {escape(name)}</title></path>"
                )
        label_at = _visible_centre(polygons_of(geojson), projection, width, height)
        if label_at:
            out.append(
                f'<text class="neighbour-label" x="{label_at[0]:.1f}" y="{label_at[1]:.1f}" text-anchor="middle" '
                f'font-size="11" fill="{NEIGHBOUR_TEXT}">{escape(code)}</text>'
            )
    for polygon in polygons:
        out.append(
            f'<path class="block-boundary" d="{path_data(polygon, projection)}" fill="{BLOCK_FILL}" '
            f'fill-opacity="0.25" fill-rule="evenodd" stroke="{BLOCK_STROKE}" stroke-width="2" '
            f'stroke-linejoin="round"/>'
        )
    out.append("</g>")
    out.append(_scale_bar(projection, width, height, pad))
    out.append(_north_arrow(width))
    out.append("</svg>")
    return "".join(out)


@register.simple_tag
def block_map(block, neighbours=()):
    """{% block_map block neighbours %}: the block's boundary map, or nothing when it has no boundary."""
    svg = boundary_svg(
        block.boundary,
        neighbours=[(n.code, n.name, n.boundary) for n in neighbours],
        title=f"Boundary of block {block.code} {block.name}",
    )
    return mark_safe(svg)  # noqa: S308 - built from numbers and escaped text only
