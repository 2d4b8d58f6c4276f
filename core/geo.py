"""Block and licence boundaries: GeoJSON validation, geodesic area and overlap (pure; no ORM).

Coordinates are WGS 84 longitude/latitude, as GeoJSON requires. Areas are geodesic (pyproj on the
WGS 84 ellipsoid), not planar, so a block's area does not depend on a map projection.
"""

import json
from dataclasses import dataclass
from decimal import Decimal

from pyproj import Geod
from shapely import validation
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

# India's extent (mainland, islands and territories), with a small margin. A boundary outside this box
# is a typing error (swapped latitude and longitude is the common one).
INDIA_EXTENT = (68.0, 6.0, 97.5, 37.5)  # min_lon, min_lat, max_lon, max_lat
_GEOD = Geod(ellps="WGS84")
HECTARE_M2 = Decimal(10000)


class BoundaryError(ValueError):
    """A boundary that cannot be accepted; the message says what to fix."""


@dataclass(frozen=True)
class Boundary:
    geometry: object  # shapely Polygon or MultiPolygon
    area_hectares: Decimal
    bbox: tuple  # min_lon, min_lat, max_lon, max_lat

    @property
    def geojson(self) -> dict:
        return json.loads(json.dumps(mapping(self.geometry)))

    @property
    def area_km2(self) -> Decimal:
        return (self.area_hectares / 100).quantize(Decimal("0.0001"))


def _unwrap(data):
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise BoundaryError(f"The boundary is not valid JSON ({exc.msg} at line {exc.lineno}).") from exc
    if not isinstance(data, dict):
        raise BoundaryError("The boundary must be a GeoJSON object with a 'type' and 'coordinates'.")
    if data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise BoundaryError(
                f"A FeatureCollection boundary must hold exactly one feature; this one holds {len(features)}."
            )
        data = features[0]
    if data.get("type") == "Feature":
        data = data.get("geometry") or {}
    return data


def _check_rings(kind, coordinates):
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise BoundaryError(f"The {kind} has no coordinates.")
    for p, rings in enumerate(polygons, start=1):
        if not isinstance(rings, list) or not rings:
            raise BoundaryError(f"Polygon {p} has no rings.")
        for r, ring in enumerate(rings, start=1):
            where = f"ring {r} of polygon {p}" if kind == "MultiPolygon" else f"ring {r}"
            if not isinstance(ring, list) or len(ring) < 4:
                raise BoundaryError(f"The {where} needs at least 4 positions (3 corners and the first repeated).")
            for position in ring:
                if (
                    not isinstance(position, list | tuple)
                    or len(position) < 2
                    or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in position[:2])
                ):
                    raise BoundaryError(f"The {where} has a position that is not [longitude, latitude]: {position!r}.")
            if list(ring[0][:2]) != list(ring[-1][:2]):
                raise BoundaryError(
                    f"The {where} is not closed: its last position {ring[-1]} must repeat its first {ring[0]}."
                )


def parse_boundary(data) -> Boundary:
    """Validate a GeoJSON Polygon or MultiPolygon (or a Feature holding one) inside India."""
    data = _unwrap(data)
    kind = data.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise BoundaryError(f"The boundary must be a Polygon or MultiPolygon, not {kind or 'nothing'}.")
    _check_rings(kind, data.get("coordinates"))
    geometry = shape(data)
    if not geometry.is_valid:
        reason = validation.explain_validity(geometry)
        raise BoundaryError(f"The boundary is not a valid polygon: {reason}. Check that its edges do not cross.")
    if geometry.is_empty or geometry.area == 0:
        raise BoundaryError("The boundary encloses no area.")
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    e_min_lon, e_min_lat, e_max_lon, e_max_lat = INDIA_EXTENT
    if min_lon < e_min_lon or max_lon > e_max_lon or min_lat < e_min_lat or max_lat > e_max_lat:
        raise BoundaryError(
            f"The boundary lies outside India (longitude {e_min_lon} to {e_max_lon}, latitude {e_min_lat} to "
            f"{e_max_lat}); its extent is longitude {min_lon} to {max_lon}, latitude {min_lat} to {max_lat}. "
            "Positions are [longitude, latitude]: check they are not swapped."
        )
    return Boundary(geometry=geometry, area_hectares=geodesic_area_hectares(geometry), bbox=geometry.bounds)


def geodesic_area_hectares(geometry) -> Decimal:
    area_m2, _perimeter = _GEOD.geometry_area_perimeter(geometry)
    return (Decimal(repr(abs(area_m2))) / HECTARE_M2).quantize(Decimal("0.0001"))


def interiors_overlap(a, b) -> bool:
    """True when two boundaries share ground; touching along an edge or at a corner is not an overlap."""
    return a.relate_pattern(b, "T********")


def bbox_intersects(a: tuple, b: tuple) -> bool:
    return not (a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1])


def as_shape(geojson: dict):
    return shape(geojson)


def is_polygonal(geometry) -> bool:
    return isinstance(geometry, Polygon | MultiPolygon)
