"""core/geo.py: what a regulator typing a boundary is told, the geodesic area, and what counts as an overlap."""

import json
import math
from decimal import Decimal

import pytest
from shapely.geometry import shape

from core import geo
from core.geo import BoundaryError, parse_boundary

# WGS 84, for the independent area formula below.
A = 6378137.0
F = 1 / 298.257223563
B = A * (1 - F)
E = math.sqrt(F * (2 - F))


def quadrangle_area_m2(lon1, lat1, lon2, lat2):
    """Area on the WGS 84 ellipsoid between two meridians and two parallels (the authalic-latitude formula,
    e.g. Snyder, Map Projections: A Working Manual, p. 16), written here without pyproj."""

    def q(lat):
        s = math.sin(math.radians(lat))
        return s / (1 - E**2 * s**2) + math.log((1 + E * s) / (1 - E * s)) / (2 * E)

    return B**2 * math.radians(lon2 - lon1) / 2 * (q(lat2) - q(lat1))


def ring(lon, lat, size=0.01):
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def polygon(lon, lat, size=0.01):
    return {"type": "Polygon", "coordinates": [ring(lon, lat, size)]}


def test_the_area_of_a_small_square_matches_an_independent_ellipsoid_formula():
    boundary = parse_boundary(polygon(82.0, 21.0))
    expected_ha = quadrangle_area_m2(82.0, 21.0, 82.01, 21.01) / 10_000
    # About 1.15 km²: 0.01° of latitude is ~1.107 km and 0.01° of longitude at 21° N ~1.040 km.
    assert 114.8 < expected_ha < 115.4
    # The polygon's east-west edges are geodesics, not parallels: over 1 km they differ by far less than 0.01%.
    assert float(boundary.area_hectares) == pytest.approx(expected_ha, rel=1e-4)
    assert boundary.area_km2 == (boundary.area_hectares / 100).quantize(Decimal("0.0001"))
    assert boundary.area_km2 == Decimal("1.1511")


def test_a_square_degree_near_the_equator_and_further_north():
    for lat in (8.0, 30.0):
        boundary = parse_boundary(polygon(77.0, lat, size=0.5))
        expected_ha = quadrangle_area_m2(77.0, lat, 77.5, lat + 0.5) / 10_000
        assert float(boundary.area_hectares) == pytest.approx(expected_ha, rel=1e-4)
    # The same square of degrees covers less ground further from the equator.
    assert (
        parse_boundary(polygon(77.0, 30.0, 0.5)).area_hectares < parse_boundary(polygon(77.0, 8.0, 0.5)).area_hectares
    )


def test_the_area_is_a_decimal_in_hectares_to_four_places_and_the_bbox_is_the_extent():
    boundary = parse_boundary(polygon(82.0, 21.0))
    assert isinstance(boundary.area_hectares, Decimal)
    assert boundary.area_hectares.as_tuple().exponent == -4
    assert boundary.bbox == pytest.approx((82.0, 21.0, 82.01, 21.01))


def test_a_clockwise_ring_has_the_same_positive_area():
    clockwise = {"type": "Polygon", "coordinates": [list(reversed(ring(82.0, 21.0)))]}
    assert parse_boundary(clockwise).area_hectares == parse_boundary(polygon(82.0, 21.0)).area_hectares


def test_a_hole_is_not_counted():
    outer = ring(82.0, 21.0, 0.02)
    hole = list(reversed(ring(82.005, 21.005, 0.01)))
    with_hole = parse_boundary({"type": "Polygon", "coordinates": [outer, hole]})
    full = parse_boundary({"type": "Polygon", "coordinates": [outer]})
    expected_hole = Decimal(repr(quadrangle_area_m2(82.005, 21.005, 82.015, 21.015) / 10_000))
    assert full.area_hectares - with_hole.area_hectares == pytest.approx(expected_hole, rel=Decimal("0.001"))


def test_a_multipolygon_area_is_the_sum_of_its_parts():
    multi = {"type": "MultiPolygon", "coordinates": [[ring(82.0, 21.0)], [ring(82.1, 21.0)]]}
    boundary = parse_boundary(multi)
    expected_ha = (quadrangle_area_m2(82.0, 21.0, 82.01, 21.01) + quadrangle_area_m2(82.1, 21.0, 82.11, 21.01)) / 1e4
    assert float(boundary.area_hectares) == pytest.approx(expected_ha, rel=1e-4)
    assert boundary.bbox == pytest.approx((82.0, 21.0, 82.11, 21.01))
    assert boundary.geojson["type"] == "MultiPolygon"


def test_feature_and_single_feature_collection_wrappers_are_unwrapped():
    bare = parse_boundary(polygon(82.0, 21.0))
    feature = {"type": "Feature", "properties": {"code": "X"}, "geometry": polygon(82.0, 21.0)}
    collection = {"type": "FeatureCollection", "features": [feature]}
    assert parse_boundary(feature).area_hectares == bare.area_hectares
    assert parse_boundary(collection).area_hectares == bare.area_hectares
    assert parse_boundary(json.dumps(collection)).area_hectares == bare.area_hectares


def test_a_feature_collection_of_two_features_is_refused():
    feature = {"type": "Feature", "properties": {}, "geometry": polygon(82.0, 21.0)}
    with pytest.raises(BoundaryError, match="exactly one feature; this one holds 2"):
        parse_boundary({"type": "FeatureCollection", "features": [feature, feature]})


def test_the_geojson_is_normalised_to_lists():
    geojson = parse_boundary(polygon(82.0, 21.0)).geojson
    assert geojson == {"type": "Polygon", "coordinates": [ring(82.0, 21.0)]}
    assert json.loads(json.dumps(geojson)) == geojson


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"type": "Polygon", "coordinates": [ring(82.0, 21.0)[:-1]]},
            "ring 1 is not closed: its last position [82.0, 21.01] must repeat its first [82.0, 21.0]",
        ),
        ({"type": "Polygon", "coordinates": [[[82.0, 21.0], [82.01, 21.0], [82.0, 21.0]]]}, "at least 4 positions"),
        ({"type": "Polygon", "coordinates": []}, "Polygon 1 has no rings"),
        ({"type": "MultiPolygon", "coordinates": []}, "The MultiPolygon has no coordinates"),
        (
            {"type": "Polygon", "coordinates": [[[82.0, 21.0], "x", [82.0, 21.01], [82.0, 21.0]]]},
            "[longitude, latitude]",
        ),
        ({"type": "Polygon", "coordinates": [[[82.0, True], [82.01, 21.0], [82.0, 21.01], [82.0, True]]]}, "longitude"),
        ({"type": "Point", "coordinates": [82.0, 21.0]}, "must be a Polygon or MultiPolygon, not Point"),
        ({"type": "Feature", "geometry": None}, "not nothing"),
        ("{not json", "not valid JSON"),
        ([1, 2], "must be a GeoJSON object"),
        (
            {"type": "MultiPolygon", "coordinates": [[ring(82.0, 21.0)], [ring(82.1, 21.0)[:3]]]},
            "ring 1 of polygon 2 needs at least 4 positions",
        ),
    ],
)
def test_malformed_boundaries_are_refused_saying_what_to_fix(data, message):
    with pytest.raises(BoundaryError) as excinfo:
        parse_boundary(data)
    assert message in str(excinfo.value)


def test_a_self_intersecting_bow_tie_is_refused():
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[82.0, 21.0], [82.01, 21.01], [82.01, 21.0], [82.0, 21.01], [82.0, 21.0]]],
    }
    with pytest.raises(BoundaryError, match="not a valid polygon: Self-intersection.*edges do not cross"):
        parse_boundary(bow_tie)


def test_a_flat_ring_encloses_no_area():
    flat = {"type": "Polygon", "coordinates": [[[82.0, 21.0], [82.01, 21.0], [82.02, 21.0], [82.0, 21.0]]]}
    with pytest.raises(BoundaryError):
        parse_boundary(flat)


def test_a_boundary_outside_india_is_refused():
    with pytest.raises(BoundaryError, match="lies outside India") as excinfo:
        parse_boundary(polygon(2.35, 48.85))  # Paris
    assert "longitude 2.35 to 2.36" in str(excinfo.value)


def test_swapped_latitude_and_longitude_are_pointed_out():
    swapped = {"type": "Polygon", "coordinates": [[[lat, lon] for lon, lat in ring(82.0, 21.0)]]}
    with pytest.raises(BoundaryError, match="check they are not swapped"):
        parse_boundary(swapped)


@pytest.mark.parametrize(
    "other, overlaps",
    [
        (polygon(82.005, 21.005), True),  # a quarter in common
        (polygon(82.002, 21.002, 0.005), True),  # wholly inside
        (polygon(82.0, 21.0), True),  # the same ground
        (polygon(82.01, 21.0), False),  # shares the east edge
        (polygon(82.0, 21.01), False),  # shares the north edge
        (polygon(82.01, 21.01), False),  # touches at the north-east corner only
        (polygon(82.02, 21.0), False),  # apart
    ],
    ids=["partial", "inside", "same", "edge-east", "edge-north", "corner", "apart"],
)
def test_blocks_overlap_only_when_they_share_ground(other, overlaps):
    block = shape(polygon(82.0, 21.0))
    assert geo.interiors_overlap(block, shape(other)) is overlaps
    assert geo.interiors_overlap(shape(other), block) is overlaps


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ((0, 0, 1, 1), (1, 1, 2, 2), True),  # touching boxes intersect
        ((0, 0, 1, 1), (0.5, 0.5, 3, 3), True),
        ((0, 0, 1, 1), (1.1, 0, 2, 1), False),
        ((0, 0, 1, 1), (0, 1.1, 1, 2), False),
    ],
)
def test_bbox_intersects(a, b, expected):
    assert geo.bbox_intersects(a, b) is expected
