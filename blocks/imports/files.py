"""Reading an import's files: the CSV's columns, the GeoJSON's boundaries, each row turned into a block's data
and checked as block_create would check it, plus the checks across the file (a code twice, overlapping
boundaries), and the templates a regulator downloads."""

import csv
import io
import json
from dataclasses import dataclass

from blocks import services
from blocks.constants import ExplorationStage
from blocks.models import Block, BlockResource, Mineral
from core import geo
from core.errors import ApplicationError

MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_GEOJSON_BYTES = 20 * 1024 * 1024
MAX_ROWS = 5000
RESOURCE_PARTS = ("mineral", "quantity_tonnes", "grade", "price_per_tonne", "price_basis")
# Cell size in degrees of the grid that pre-filters overlaps between rows of one file.
_GRID = 0.25


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str
    example: str


COLUMNS = (
    Column("code", True, "Block code, unique in the registry and in the file (at most 40 characters).", "EX-LI-01"),
    Column("name", True, "The block's name as the tender notice gives it.", "Example Lithium Block"),
    Column("state", True, "State or Union Territory, full name as in the registry.", "Chhattisgarh"),
    Column("district", False, "District.", "Korba"),
    Column(
        "minerals",
        True,
        "Minerals of the block, separated by semicolons: catalogue names or slugs.",
        "Lithium; Rare-earth elements",
    ),
    Column("exploration_stage", True, "UNFC stage reached: G1, G2, G3 or G4.", "G4"),
    Column("forest_land_ha", False, "Forest land in hectares (empty = 0).", "10"),
    Column("government_land_ha", False, "Government land in hectares (empty = 0).", "20"),
    Column("other_land_ha", False, "Other land in hectares (empty = 0).", "5"),
    Column(
        "protected_area_distance_km",
        False,
        "Distance to the nearest national park or wildlife sanctuary in km (empty = not assessed); within 1 km the "
        "row is refused.",
        "14.5",
    ),
    Column("eco_sensitive_zone", False, "yes if any part lies in a notified eco-sensitive zone (empty = no).", "no"),
    Column("reserve_price_pct", False, "Reserve price, % of the value of mineral despatched.", "0.50"),
    Column("tender_fee", False, "Tender fee in rupees before GST.", "300000"),
    Column(
        "status",
        False,
        f"Registry status (empty = identified): {', '.join(Block.Status.values)}.",
        "identified",
    ),
    Column(
        "illustrative_fields",
        False,
        "Fields filled with illustrative values, not published figures, separated by semicolons.",
        "boundary; resources",
    ),
    Column("source_url", False, "Where the published facts come from.", "https://mines.gov.in/"),
    Column("published_outcome", False, "The published outcome, when there is one.", ""),
    Column(
        "resource_1_mineral",
        False,
        "Estimated resources, one group of five columns per mineral: resource_1_..., resource_2_..., and so on "
        "(add as many groups as you need). The mineral must be one of the block's minerals.",
        "Lithium",
    ),
    Column("resource_1_quantity_tonnes", False, "Estimated quantity in tonnes.", "120000"),
    Column("resource_1_grade", False, "Grade, free text.", "0.8% Li2O"),
    Column("resource_1_price_per_tonne", False, "IBM average sale price per tonne, in rupees.", "5200"),
    Column(
        "resource_1_price_basis",
        False,
        "state (the State's IBM average) or pan_india (the pan-India average, where the State has none); "
        "empty = state.",
        "state",
    ),
)
REQUIRED_COLUMNS = tuple(c.name for c in COLUMNS if c.required)
_FIXED_COLUMNS = {c.name for c in COLUMNS if not c.name.startswith("resource_")}
FIELD_LABELS = {
    "code": "Code",
    "name": "Name",
    "state": "State",
    "district": "District",
    "minerals": "Minerals",
    "exploration_stage": "Exploration stage",
    "boundary": "Boundary",
    "forest_land_ha": "Forest land",
    "government_land_ha": "Government land",
    "other_land_ha": "Other land",
    "land": "Land split",
    "protected_area_distance_km": "Distance to a protected area",
    "eco_sensitive_zone": "Eco-sensitive zone",
    "reserve_price_pct": "Reserve price",
    "tender_fee": "Tender fee",
    "status": "Status",
    "illustrative_fields": "Illustrative fields",
    "source_url": "Source URL",
    "published_outcome": "Published outcome",
    "resources": "Resources",
    "non_field_errors": "Row",
}


def field_label(name: str) -> str:
    if name.startswith("resources["):
        return f"Resource {name[len('resources[') : -1]}"
    return FIELD_LABELS.get(name, name)


# --- Reading the files -------------------------------------------------------------------------------------------


@dataclass
class ParsedFiles:
    header: list
    rows: list  # [(row number as a spreadsheet shows it, {column: value})]
    resource_groups: list  # the N of every resource_N_... group present
    features: dict  # code (lower case) -> [feature dict]
    notes: list


def decode(data: bytes | str, what: str, field: str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApplicationError(
            f"The {what} is not UTF-8 text. Save it as UTF-8 (in a spreadsheet: CSV UTF-8) and upload it again.",
            fields={field: ["Not UTF-8 text."]},
        ) from exc


def _resource_groups(header: list) -> tuple[list, list]:
    groups, unknown = set(), []
    for name in header:
        if name in _FIXED_COLUMNS:
            continue
        parts = name.split("_", 2)
        if len(parts) == 3 and parts[0] == "resource" and parts[1].isdigit() and parts[2] in RESOURCE_PARTS:
            groups.add(int(parts[1]))
        else:
            unknown.append(name)
    return sorted(groups), unknown


def read_csv(text: str) -> tuple[list, list, list]:
    """Check the CSV's shape and return (header, [(row number, row)], resource groups)."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        raise ApplicationError(f"The CSV file cannot be read: {exc}.", fields={"csv_file": [str(exc)]}) from exc
    if not any(header):
        raise ApplicationError(
            "The CSV file is empty. Its first row must name the columns; download the template to start from.",
            fields={"csv_file": ["The file is empty."]},
        )
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        problems.append(f"Missing column(s): {', '.join(missing)}.")
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        problems.append(f"Column(s) named twice: {', '.join(duplicated)}.")
    groups, unknown = _resource_groups(header)
    if unknown:
        problems.append(f"Unknown column(s): {', '.join(unknown)}. The columns are listed on this page.")
    if problems:
        raise ApplicationError(
            "The CSV file's columns are not the expected ones: " + " ".join(problems),
            fields={"csv_file": problems},
        )
    rows = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                raise ApplicationError(
                    f"Row {number} of the CSV file has {len(values)} cells but the header names {len(header)} "
                    "columns. Check for a stray comma or an unquoted value containing a comma.",
                    fields={"csv_file": [f"Row {number} has more cells than the header."]},
                )
            values = values + [""] * (len(header) - len(values))
            rows.append((number, {h: v.strip() for h, v in zip(header, values, strict=True)}))
            if len(rows) > MAX_ROWS:
                raise ApplicationError(
                    f"The CSV file has more than {MAX_ROWS} rows. Split it into files of at most {MAX_ROWS} rows.",
                    fields={"csv_file": [f"More than {MAX_ROWS} rows."]},
                )
    except csv.Error as exc:
        raise ApplicationError(
            f"The CSV file cannot be read after row {len(rows) + 1}: {exc}.", fields={"csv_file": [str(exc)]}
        ) from exc
    if not rows:
        raise ApplicationError(
            "The CSV file has a header but no block rows.", fields={"csv_file": ["No rows below the header."]}
        )
    return header, rows, groups


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def read_boundaries(text: str) -> tuple[dict, list]:
    """Check the GeoJSON FeatureCollection and return ({code in lower case: [features]}, notes)."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except (json.JSONDecodeError, ValueError) as exc:
        raise ApplicationError(
            f"The GeoJSON file is not valid JSON ({exc}).", fields={"geojson_file": ["Not valid JSON."]}
        ) from exc
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise ApplicationError(
            "The GeoJSON file must be a FeatureCollection: one Feature per block, with the block's code in "
            'properties.code, e.g. {"type": "FeatureCollection", "features": [...]}.',
            fields={"geojson_file": ["Not a GeoJSON FeatureCollection."]},
        )
    by_code, uncoded = {}, 0
    for feature in data["features"]:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        code = str((properties or {}).get("code") or "").strip()
        if not code:
            uncoded += 1
            continue
        by_code.setdefault(code.lower(), []).append(feature)
    notes = []
    if uncoded:
        notes.append(f"{uncoded} feature(s) of the GeoJSON file have no properties.code and were ignored.")
    return by_code, notes


def read_files(csv_text: str, geojson_text: str) -> ParsedFiles:
    header, rows, groups = read_csv(csv_text)
    features, notes = read_boundaries(geojson_text)
    codes = {row["code"].lower() for _n, row in rows if row.get("code")}
    unused = sorted(code for code in features if code not in codes)
    if unused:
        shown = ", ".join(unused[:10]) + (f" and {len(unused) - 10} more" if len(unused) > 10 else "")
        notes.append(f"{len(unused)} feature(s) of the GeoJSON file match no row of the CSV and were ignored: {shown}.")
    return ParsedFiles(header=header, rows=rows, resource_groups=groups, features=features, notes=notes)


# --- From a row to block_create's fields -------------------------------------------------------------------------


def _split(value: str) -> list:
    return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]


def mineral_slugs_by_name() -> dict:
    """Catalogue names and slugs, in lower case, to slugs."""
    lookup = {}
    for slug, name in Mineral.objects.values_list("slug", "name"):
        lookup[slug.lower()] = slug
        lookup[name.lower()] = slug
    return lookup


def _mineral(value: str, lookup: dict) -> str:
    return lookup.get(value.strip().lower(), value.strip())


def row_to_block_data(row: dict, files: ParsedFiles, lookup: dict) -> tuple[dict, dict]:
    """The fields block_create takes for this row, and the problems found before validation (boundary lookup)."""
    problems = {}
    data = {
        "code": row.get("code", ""),
        "name": row.get("name", ""),
        "state": row.get("state", ""),
        "district": row.get("district", ""),
        "minerals": [_mineral(m, lookup) for m in _split(row.get("minerals", ""))],
        "exploration_stage": row.get("exploration_stage", ""),
    }
    for field in ("forest_land_ha", "government_land_ha", "other_land_ha", "reserve_price_pct", "tender_fee",
                  "protected_area_distance_km", "eco_sensitive_zone"):  # fmt: skip
        if row.get(field):
            data[field] = row[field]
    for field in ("status", "source_url", "published_outcome"):
        if row.get(field):
            data[field] = row[field]
    if row.get("illustrative_fields"):
        data["illustrative_fields"] = _split(row["illustrative_fields"])
    resources = []
    for n in files.resource_groups:
        part = {p: row.get(f"resource_{n}_{p}", "") for p in RESOURCE_PARTS}
        if not any(part.values()):
            continue
        resources.append(
            {
                "mineral": _mineral(part["mineral"], lookup),
                "quantity_tonnes": part["quantity_tonnes"] or None,
                "price_per_tonne": part["price_per_tonne"] or None,
                "price_basis": part["price_basis"] or BlockResource.PriceBasis.STATE,
                "grade": part["grade"],
            }
        )
    if resources:
        data["resources"] = resources
    code = data["code"].strip().lower()
    features = files.features.get(code, []) if code else []
    if len(features) == 1:
        data["boundary"] = features[0]
    elif len(features) > 1:
        problems["boundary"] = [
            f"The GeoJSON file has {len(features)} features with properties.code {data['code']}; keep one."
        ]
    elif code:
        problems["boundary"] = [f"The GeoJSON file has no feature with properties.code {data['code']}."]
    return data, problems


def _reason(fields: dict) -> str:
    return "; ".join(f"{field_label(f)}: {' '.join(messages)}" for f, messages in fields.items())


def rejection(number: int, code: str, fields: dict) -> dict:
    return {"row": number, "code": code, "reason": _reason(fields), "fields": fields}


class _Grid:
    """Boundaries of the rows accepted so far, indexed by grid cell, to find overlaps within a file quickly."""

    def __init__(self):
        self.cells: dict = {}

    @staticmethod
    def _cells(bbox):
        min_lon, min_lat, max_lon, max_lat = bbox
        for x in range(int(min_lon // _GRID), int(max_lon // _GRID) + 1):
            for y in range(int(min_lat // _GRID), int(max_lat // _GRID) + 1):
                yield x, y

    def overlapping(self, boundary: geo.Boundary):
        seen = set()
        for cell in self._cells(boundary.bbox):
            for number, code, other in self.cells.get(cell, ()):
                if number in seen:
                    continue
                seen.add(number)
                if geo.bbox_intersects(boundary.bbox, other.bbox) and geo.interiors_overlap(
                    boundary.geometry, other.geometry
                ):
                    return number, code
        return None

    def add(self, number: int, code: str, boundary: geo.Boundary):
        for cell in self._cells(boundary.bbox):
            self.cells.setdefault(cell, []).append((number, code, boundary))


def check_rows(files: ParsedFiles, *, progress=None) -> list:
    """Validate every row as block_create would, plus duplicate codes and overlaps within the file.

    Returns the rejections, [{row, code, reason, fields}] in row order. `progress(done)` is called as rows are
    checked.
    """
    lookup = mineral_slugs_by_name()
    first_row_of_code: dict = {}
    grid = _Grid()
    rejections = []
    for done, (number, row) in enumerate(files.rows, start=1):
        data, fields = row_to_block_data(row, files, lookup)
        code = data["code"].strip()
        boundary = None
        try:
            values = services.block_validate(**data)
            boundary = values.get("boundary")
        except ApplicationError as exc:
            for field, messages in (exc.fields or {"non_field_errors": [exc.message]}).items():
                fields.setdefault(field, []).extend(messages)
        if code:
            first = first_row_of_code.setdefault(code.lower(), number)
            if first != number:
                message = f"{code} is already on row {first} of this file; give each block once."
                fields.setdefault("code", []).append(message)
        if boundary is not None and not fields:
            clash = grid.overlapping(boundary)
            if clash:
                fields.setdefault("boundary", []).append(
                    f"Overlaps the boundary of row {clash[0]} ({clash[1]}) of this file."
                )
            else:
                grid.add(number, code, boundary)
        if fields:
            rejections.append(rejection(number, code, fields))
        if progress:
            progress(done)
    return rejections


def template_csv() -> str:
    """A CSV with every column and two example rows (their boundaries are in template_geojson)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = [c.name for c in COLUMNS] + [f"resource_2_{p}" for p in RESOURCE_PARTS]
    writer.writerow(header)
    first = {c.name: c.example for c in COLUMNS}
    first.update(
        {
            "resource_2_mineral": "Rare-earth elements",
            "resource_2_quantity_tonnes": "8000",
            "resource_2_grade": "0.1% TREO",
            "resource_2_price_per_tonne": "90000",
            "resource_2_price_basis": "pan_india",
        }
    )
    second = {
        "code": "EX-AU-02",
        "name": "Example Gold Block",
        "state": "Karnataka",
        "district": "Raichur",
        "minerals": "Gold",
        "exploration_stage": ExplorationStage.G2.value,
        "government_land_ha": "40",
        "reserve_price_pct": "4.00",
        "tender_fee": "500000",
        "illustrative_fields": "boundary",
        "resource_1_mineral": "gold",
        "resource_1_quantity_tonnes": "1500000",
        "resource_1_grade": "2.1 g/t",
        "resource_1_price_per_tonne": "6800",
    }
    for example in (first, second):
        writer.writerow([example.get(name, "") for name in header])
    return out.getvalue()


def template_geojson() -> str:
    """Boundaries for the two rows of template_csv."""

    def square(code, lon, lat, size):
        ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        return {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}

    features = [square("EX-LI-01", 82.68, 22.35, 0.01), square("EX-AU-02", 76.60, 16.20, 0.008)]
    return json.dumps({"type": "FeatureCollection", "features": features}, indent=2) + "\n"
