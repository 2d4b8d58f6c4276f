"""The block's boundary map: an inline SVG drawn on the server from its GeoJSON."""

import math
import re
import xml.etree.ElementTree as ET

import pytest

from blocks.templatetags.block_map import HEIGHT, WIDTH, boundary_svg

SVG = "{http://www.w3.org/2000/svg}"


def square(lon, lat, size):
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def parse(svg: str):
    return ET.fromstring(svg)


def block_paths(root):
    return [p for p in root.iter(f"{SVG}path") if p.get("class") == "block-boundary"]


def points(d: str):
    return [(float(x), float(y)) for x, y in re.findall(r"[ML](-?[\d.]+),(-?[\d.]+)", d)]


def test_a_square_renders_as_a_closed_path_inside_the_viewbox():
    root = parse(boundary_svg({"type": "Polygon", "coordinates": [square(82.5, 22.5, 0.02)]}))
    assert root.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}"
    [path] = block_paths(root)
    d = path.get("d")
    assert d.startswith("M") and d.rstrip().endswith("Z")
    corners = points(d)
    assert len(corners) == 4  # the repeated first position is closed by Z, not drawn twice
    assert all(0 <= x <= WIDTH and 0 <= y <= HEIGHT for x, y in corners)


def test_north_is_up_and_east_is_right():
    root = parse(boundary_svg({"type": "Polygon", "coordinates": [square(82.5, 22.5, 0.02)]}))
    sw, se, ne, _nw = points(block_paths(root)[0].get("d"))
    assert se[0] > sw[0]  # east of it: further right
    assert ne[1] < se[1]  # north of it: higher up (smaller y)


def test_longitude_is_shrunk_by_cos_latitude_so_a_square_in_km_is_square_on_the_map():
    lat = 30.0
    width_deg = 0.02 / math.cos(math.radians(lat + 0.01))  # as many km east-west as north-south
    ring = [[77.0, lat], [77.0 + width_deg, lat], [77.0 + width_deg, lat + 0.02], [77.0, lat + 0.02], [77.0, lat]]
    corners = points(block_paths(parse(boundary_svg({"type": "Polygon", "coordinates": [ring]})))[0].get("d"))
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    assert max(xs) - min(xs) == pytest.approx(max(ys) - min(ys), rel=0.01)


def test_a_multipolygon_renders_both_parts():
    geojson = {"type": "MultiPolygon", "coordinates": [[square(74.30, 23.40, 0.02)], [square(74.34, 23.42, 0.01)]]}
    paths = block_paths(parse(boundary_svg(geojson)))
    assert len(paths) == 2
    first, second = (points(p.get("d")) for p in paths)
    assert max(x for x, _ in first) < min(x for x, _ in second)  # the second part lies east of the first


def test_a_hole_is_a_second_subpath_filled_evenodd():
    hole = [[85.015, 21.01], [85.015, 21.03], [85.035, 21.03], [85.035, 21.01], [85.015, 21.01]]
    [path] = block_paths(parse(boundary_svg({"type": "Polygon", "coordinates": [square(85.0, 21.0, 0.05), hole]})))
    assert path.get("fill-rule") == "evenodd"
    assert path.get("d").count("M") == 2 and path.get("d").count("Z") == 2


def test_the_scale_bar_is_as_long_as_its_label_says():
    # A block 0.1 degree of latitude tall: 11.12 km on the mean Earth sphere.
    root = parse(boundary_svg({"type": "Polygon", "coordinates": [square(80.0, 10.0, 0.1)]}))
    ys = [y for _, y in points(block_paths(root)[0].get("d"))]
    units_per_km = (max(ys) - min(ys)) / 11.1195
    bar = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "scale-bar")
    value, unit = bar.find(f"{SVG}text").text.split()
    km = float(value) / (1000 if unit == "m" else 1)
    xs = [x for x, _ in points(bar.find(f"{SVG}path").get("d"))]
    assert max(xs) - min(xs) == pytest.approx(km * units_per_km, rel=0.01)
    assert 0 < max(xs) - min(xs) <= WIDTH / 3


def test_a_north_arrow_is_drawn():
    root = parse(boundary_svg({"type": "Polygon", "coordinates": [square(82.5, 22.5, 0.02)]}))
    arrow = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "north-arrow")
    assert arrow.find(f"{SVG}text").text == "N"


def test_neighbours_are_outlined_lighter_and_labelled():
    neighbour = ("CG-GR-02", "Graphite <b>", {"type": "Polygon", "coordinates": [square(82.52, 22.5, 0.02)]})
    svg = boundary_svg({"type": "Polygon", "coordinates": [square(82.5, 22.5, 0.02)]}, neighbours=[neighbour])
    root = parse(svg)  # well-formed: the neighbour's name was escaped
    outlines = [p for p in root.iter(f"{SVG}path") if p.get("class") == "neighbour"]
    assert len(outlines) == 1
    assert outlines[0].get("stroke") != block_paths(root)[0].get("stroke")
    assert "Graphite &lt;b&gt;" in svg


def test_no_boundary_draws_nothing():
    assert boundary_svg(None) == ""
    assert boundary_svg({"type": "Point", "coordinates": [80, 20]}) == ""


def test_a_feature_is_drawn_from_its_geometry():
    feature = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [square(82.5, 22.5, 0.02)]}}
    assert len(block_paths(parse(boundary_svg(feature)))) == 1
