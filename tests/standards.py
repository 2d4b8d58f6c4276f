"""Validation against the open-data standards kept in tests/standards/ (OCDS 1.1.5, BODS 0.4), offline.

OCDS: a JSON Schema draft-4 validator (jsonschema) with the package schema's reference to the release schema resolved
to the local file through a `referencing` registry (never fetched), formats checked (date-time, uri); and every value
of a field the schema ties to a codelist checked against that codelist's CSV: a closed codelist must contain it; an
open one must contain it or list it among the extensions this project documents (docs/open-data.md).

BODS: a draft 2020-12 validator over a registry of its five schemas, referred to by `$id` (urn:statement, ...), and the
codelist values its enums name.
"""

import csv
import json
from functools import cache
from pathlib import Path

from jsonschema import Draft4Validator, Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

STANDARDS = Path(__file__).resolve().parent / "standards"
OCDS = STANDARDS / "ocds-1.1.5"
BODS = STANDARDS / "bods-0.4"

# Values of open OCDS codelists that Khanij uses and documents (docs/open-data.md): the mineral catalogue as an item
# classification scheme.
OCDS_OPEN_CODELIST_EXTENSIONS = {"itemClassificationScheme.csv": {"KHANIJ-MINERAL"}}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def codelist(directory: Path, name: str) -> frozenset[str]:
    with open(directory / "codelists" / name, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    column = "Code" if "Code" in rows[0] else "code"
    return frozenset(row[column] for row in rows)


@cache
def _ocds() -> tuple[dict, Draft4Validator]:
    release = _load(OCDS / "release-schema.json")
    package = _load(OCDS / "release-package-schema.json")
    registry = Registry().with_resources(
        [(schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)) for schema in (release, package)]
    )
    validator = Draft4Validator(package, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)
    return release, validator


def _messages(validator, instance) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    ]


def ocds_package_errors(package: dict) -> list[str]:
    """Every way `package` (a release package) breaks the OCDS 1.1.5 schema or a codelist; [] when valid."""
    release_schema, validator = _ocds()
    errors = _messages(validator, package)
    for i, release in enumerate(package.get("releases", [])):
        errors += [f"releases/{i}/{e}" for e in _codelist_errors(release, release_schema, release_schema, "")]
    return errors


def _resolve(schema: dict, root: dict) -> dict:
    while "$ref" in schema:
        path = schema["$ref"].removeprefix("#/").split("/")
        node = root
        for part in path:
            node = node[part]
        schema = node
    return schema


def _codelist_errors(value, schema: dict, root: dict, where: str) -> list[str]:
    schema = _resolve(schema, root)
    errors = []
    if "codelist" in schema:
        values = value if isinstance(value, list) else [value]
        name = schema["codelist"]
        allowed = codelist(OCDS, name)
        if schema["openCodelist"]:
            allowed = allowed | OCDS_OPEN_CODELIST_EXTENSIONS.get(name, set())
        errors += [f"{where or '(root)'}: {v!r} is not in {name}" for v in values if v is not None and v not in allowed]
    if isinstance(value, dict):
        for key, item in value.items():
            child = schema.get("properties", {}).get(key)
            if child is not None:
                errors += _codelist_errors(item, child, root, f"{where}/{key}" if where else key)
    elif isinstance(value, list) and "items" in schema and isinstance(schema["items"], dict):
        for i, item in enumerate(value):
            errors += _codelist_errors(item, schema["items"], root, f"{where}/{i}")
    return errors


def ocds_codelist_values(package: dict) -> dict[str, set]:
    """The codelist values the package uses, by codelist (for tests that want to see them)."""
    release_schema, _ = _ocds()
    found: dict[str, set] = {}

    def walk(value, schema):
        schema = _resolve(schema, release_schema)
        if "codelist" in schema:
            found.setdefault(schema["codelist"], set()).update(value if isinstance(value, list) else [value])
        if isinstance(value, dict):
            for key, item in value.items():
                if key in schema.get("properties", {}):
                    walk(item, schema["properties"][key])
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            for item in value:
                walk(item, schema["items"])

    for release in package.get("releases", []):
        walk(release, release_schema)
    return found


@cache
def _bods() -> Draft202012Validator:
    names = ("statement", "components", "entity-record", "person-record", "relationship-record")
    schemas = [_load(BODS / f"{name}.json") for name in names]
    registry = Registry().with_resources(
        [(schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012)) for schema in schemas]
    )
    return Draft202012Validator(schemas[0], registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def bods_errors(statements: list) -> list[str]:
    """Every way `statements` (a BODS 0.4 array of statements) breaks its schema; [] when valid. The schema's enums
    carry its closed codelists, so a value outside one is an error here too."""
    return _messages(_bods(), statements)
