"""Files for the bulk import of blocks: a CSV of rows and a GeoJSON FeatureCollection of boundaries."""

import csv
import io
import json

from tests.factories.auctions import square_boundary

BASE_COLUMNS = ["code", "name", "state", "district", "minerals", "exploration_stage"]


def block_row(code: str, **values) -> dict:
    row = {
        "code": code,
        "name": f"Block {code}",
        "state": "Chhattisgarh",
        "district": "Korba",
        "minerals": "Lithium",
        "exploration_stage": "G3",
    }
    row.update(values)
    return row


def csv_text(rows: list, columns: list | None = None) -> str:
    columns = columns or list(dict.fromkeys(BASE_COLUMNS + [key for row in rows for key in row]))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def feature(code: str, lon: float, lat: float, size: float = 0.01) -> dict:
    return {"type": "Feature", "properties": {"code": code}, "geometry": square_boundary(lon, lat, size)}


def geojson_text(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})
