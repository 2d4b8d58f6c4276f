"""Every write to blocks: one function per use case, one short transaction each (HackSoft style).

Each registration and each edit is recorded on the block's stream of the public ledger (`block:<pk>`), with the
fields it set; a status a regulator changes by hand goes through the block's table (blocks.lifecycle).
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction

from blocks import lifecycle, rules
from blocks.constants import INDIAN_STATES, ExplorationStage
from blocks.list_rows import store_list_rows
from blocks.models import Block, BlockResource, Mineral
from blocks.public_cache import bump_data_version
from core import geo
from core.errors import ApplicationError, Conflict, NotFound
from ledger.chain import canonical_json, normalise_payload
from ledger.services import ledger_append

# A constant key for the advisory lock that serialises boundary writers on PostgreSQL, so two
# overlapping blocks cannot both pass the overlap check at once. SQLite's IMMEDIATE transactions
# already serialise writers.
_BOUNDARY_LOCK_KEY = 7_301_001
# Block.value_of_estimated_resources holds 20 digits, 2 of them after the point.
_MAX_VER = Decimal(10) ** 18


@dataclass(frozen=True)
class ResourceInput:
    mineral: str  # slug
    quantity_tonnes: Decimal
    price_per_tonne: Decimal
    price_basis: str = BlockResource.PriceBasis.STATE
    grade: str = ""


# The fields of a block the ledger records (with its minerals, resources and the boundary's hash).
_LEDGER_FIELDS = (
    "code", "name", "state", "district", "exploration_stage", "area_hectares", "forest_land_ha", "government_land_ha",
    "other_land_ha", "auction_authority", "lease_kind", "el_eligible", "value_of_estimated_resources",
    "reserve_price_pct", "tender_fee", "status", "illustrative_fields", "source_url", "published_outcome",
    "protected_area_distance_km", "eco_sensitive_zone",
)  # fmt: skip
BLOCK_FIELDS = (
    "code", "name", "state", "district", "minerals", "exploration_stage", "boundary", "forest_land_ha",
    "government_land_ha", "other_land_ha", "resources", "reserve_price_pct", "tender_fee", "status",
    "illustrative_fields", "source_url", "published_outcome", "protected_area_distance_km", "eco_sensitive_zone",
)  # fmt: skip
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}


def _decimal(value, field, errors, *, minimum=Decimal("0"), places=None, digits=None, what=None):
    """A Decimal from the input, or None with a message in errors. `places` and `digits` are those of the
    model field that stores it, so that a value the database would round or refuse is refused here."""
    prefix = f"{what}: " if what else ""
    if value in (None, ""):
        return None
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(f"{prefix}{value!r} is not a number.")
        return None
    if not result.is_finite():
        errors.setdefault(field, []).append(f"{prefix}{value!r} is not a number.")
        return None
    if minimum is not None and result < minimum:
        errors.setdefault(field, []).append(f"{prefix}Must be at least {minimum}; got {result}.")
    if digits is not None and abs(result) >= Decimal(10) ** (digits - (places or 0)):
        errors.setdefault(field, []).append(
            f"{prefix}Must be less than {Decimal(10) ** (digits - (places or 0)):,f}; got {result}."
        )
        return None
    if places is not None and result != result.quantize(Decimal(1).scaleb(-places)):
        errors.setdefault(field, []).append(f"{prefix}Give at most {places} decimal places; got {result}.")
    return result


def _minerals(slugs, errors):
    slugs = list(dict.fromkeys(s.strip().lower() for s in (slugs or []) if str(s).strip()))
    if not slugs:
        errors.setdefault("minerals", []).append("Name at least one mineral of the block.")
        return []
    found = {m.slug: m for m in Mineral.objects.filter(slug__in=slugs)}
    unknown = [s for s in slugs if s not in found]
    if unknown:
        errors.setdefault("minerals", []).append(
            f"Unknown mineral(s): {', '.join(unknown)}. Use the slugs listed at /api/v1/public/minerals."
        )
    return [found[s] for s in slugs if s in found]


def _resources(items, minerals_by_slug, errors):
    parsed = []
    for i, item in enumerate(items or [], start=1):
        if isinstance(item, dict):
            item = ResourceInput(
                mineral=str(item.get("mineral", "")).strip().lower(),
                quantity_tonnes=item.get("quantity_tonnes"),
                price_per_tonne=item.get("price_per_tonne"),
                price_basis=item.get("price_basis") or BlockResource.PriceBasis.STATE,
                grade=item.get("grade") or "",
            )
        field = f"resources[{i}]"
        if item.mineral not in minerals_by_slug:
            errors.setdefault(field, []).append(
                f"Resource {i} is for {item.mineral or 'no mineral'}, which is not among the block's minerals."
            )
            continue
        if item.price_basis not in BlockResource.PriceBasis.values:
            errors.setdefault(field, []).append(
                f"Price basis must be one of {', '.join(BlockResource.PriceBasis.values)}; got {item.price_basis!r}."
            )
        quantity = _decimal(item.quantity_tonnes, field, errors, places=3, digits=18, what="Quantity (t)")
        price = _decimal(item.price_per_tonne, field, errors, places=2, digits=14, what="IBM price per tonne")
        if quantity is None or price is None:
            errors.setdefault(field, []).append(f"Resource {i} needs a quantity in tonnes and an IBM price per tonne.")
            continue
        parsed.append((minerals_by_slug[item.mineral], quantity, price, item.price_basis, item.grade[:60]))
    if len({p[0].slug for p in parsed}) != len(parsed):
        errors.setdefault("resources", []).append("Give each mineral's resources once.")
    if sum((q * p for _m, q, p, _b, _g in parsed), Decimal("0")) >= _MAX_VER:
        errors.setdefault("resources", []).append(
            "The value of these resources is beyond what the registry can hold; check the quantities and prices "
            "(tonnes, and rupees per tonne)."
        )
    return parsed


def check_overlap(boundary: geo.Boundary, *, exclude_id=None):
    min_lon, min_lat, max_lon, max_lat = boundary.bbox
    candidates = Block.objects.filter(
        status__in=Block.ACTIVE_STATUSES,
        min_lon__lte=max_lon,
        max_lon__gte=min_lon,
        min_lat__lte=max_lat,
        max_lat__gte=min_lat,
    ).only("code", "name", "boundary")
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    for other in candidates:
        if other.boundary and geo.interiors_overlap(boundary.geometry, geo.as_shape(other.boundary)):
            raise ApplicationError(
                f"The boundary overlaps block {other.code} ({other.name}). Adjust the boundary so that the blocks "
                "share no ground, or withdraw the other block first.",
                fields={"boundary": [f"Overlaps block {other.code} ({other.name})."]},
                code="boundary_overlap",
            )


def _lock_boundaries():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_BOUNDARY_LOCK_KEY])


def _validated(data: dict, *, instance: Block | None = None) -> dict:
    """Check every field, collecting all problems, and return the values to store."""
    errors: dict[str, list[str]] = {}
    out: dict = {}
    unknown = set(data) - set(BLOCK_FIELDS)
    if unknown:
        errors["non_field_errors"] = [f"Unknown field(s): {', '.join(sorted(unknown))}."]

    def given(name):
        return name in data or instance is None

    if given("code"):
        code = str(data.get("code") or "").strip()
        if not code:
            errors.setdefault("code", []).append("Give the block code, e.g. CG-LI-2023-01.")
        elif len(code) > 40:
            errors.setdefault("code", []).append("A block code has at most 40 characters.")
        elif Block.objects.filter(code__iexact=code).exclude(pk=getattr(instance, "pk", None)).exists():
            errors.setdefault("code", []).append(f"Block code {code} is already registered.")
        out["code"] = code
    if given("name"):
        name = str(data.get("name") or "").strip()
        if not name:
            errors.setdefault("name", []).append("Give the block's name.")
        out["name"] = name[:200]
    if given("state"):
        state = str(data.get("state") or "").strip()
        if state not in INDIAN_STATES:
            errors.setdefault("state", []).append(
                f"{state or 'Nothing'} is not a State or Union Territory of India; use its full name, e.g. Odisha."
            )
        out["state"] = state
    if "district" in data:
        out["district"] = str(data.get("district") or "").strip()[:100]
    if given("exploration_stage"):
        stage = str(data.get("exploration_stage") or "").strip().upper()
        if stage not in ExplorationStage.values:
            errors.setdefault("exploration_stage", []).append(
                f"Exploration stage must be G1, G2, G3 or G4 (UNFC); got {stage or 'nothing'}."
            )
        out["exploration_stage"] = stage
    if given("minerals"):
        out["minerals"] = _minerals(data.get("minerals"), errors)
    if "boundary" in data:
        raw = data.get("boundary")
        if raw in (None, "", {}):
            out["boundary"] = None
        else:
            try:
                out["boundary"] = geo.parse_boundary(raw)
            except geo.BoundaryError as exc:
                errors.setdefault("boundary", []).append(str(exc))
    for field in ("forest_land_ha", "government_land_ha", "other_land_ha"):
        if field in data:
            out[field] = _decimal(data.get(field), field, errors, places=4, digits=14) or Decimal("0")
    for field, digits in (("reserve_price_pct", 6), ("tender_fee", 14)):
        if field in data:
            out[field] = _decimal(data.get(field), field, errors, places=2, digits=digits)
    if "protected_area_distance_km" in data:
        distance = _decimal(data.get("protected_area_distance_km"), "protected_area_distance_km", errors, places=3,
                            digits=8)  # fmt: skip
        barred = None
        if distance is not None and distance >= 0:
            barred = rules.protected_area_error(distance, barred_km=settings.PROTECTED_AREA_BARRED_KM)
        if barred:
            errors.setdefault("protected_area_distance_km", []).append(barred)
        out["protected_area_distance_km"] = distance
    if "eco_sensitive_zone" in data:
        value = data.get("eco_sensitive_zone")
        flag = str(value).strip().lower() if not isinstance(value, bool) else value
        if isinstance(flag, bool):
            out["eco_sensitive_zone"] = flag
        elif flag in _TRUE or flag in _FALSE:
            out["eco_sensitive_zone"] = flag in _TRUE
        else:
            errors.setdefault("eco_sensitive_zone", []).append(f"Say yes or no; got {value!r}.")
    if "status" in data:
        status = data.get("status") or Block.Status.IDENTIFIED
        if status not in Block.Status.values:
            errors.setdefault("status", []).append(f"Status must be one of {', '.join(Block.Status.values)}.")
        out["status"] = status
    if "illustrative_fields" in data:
        out["illustrative_fields"] = sorted(set(data.get("illustrative_fields") or []))
    for field, limit in (("source_url", 500), ("published_outcome", 200)):
        if field in data:
            out[field] = str(data.get(field) or "").strip()
            if len(out[field]) > limit:
                errors.setdefault(field, []).append(f"At most {limit} characters; this has {len(out[field])}.")
    if out.get("source_url"):
        try:
            URLValidator(schemes=["http", "https"])(out["source_url"])
        except DjangoValidationError:
            errors.setdefault("source_url", []).append("Give a web address starting with https:// or http://.")
    if "resources" in data:
        minerals = out.get("minerals") if "minerals" in out else (list(instance.minerals.all()) if instance else [])
        out["resources"] = _resources(data.get("resources"), {m.slug: m for m in minerals}, errors)
    elif instance is not None and out.get("minerals"):
        # The stored resources must still be of the block's minerals, or the VER would count a mineral it lacks.
        kept = {m.slug for m in out["minerals"]}
        stored = instance.resources.select_related("mineral")
        orphans = sorted({r.mineral.name for r in stored if r.mineral.slug not in kept})
        if orphans:
            errors.setdefault("resources", []).append(
                f"The block has estimated resources of {', '.join(orphans)}, which would no longer be among its "
                "minerals. Remove those resources too, or keep the mineral."
            )

    # The land split cannot exceed the surveyed area.
    boundary = out.get("boundary") if "boundary" in out else None
    if "boundary" in out:
        area = boundary.area_hectares if boundary else None
    else:
        area = instance.area_hectares if instance else None
    land = [
        out.get(f, getattr(instance, f, Decimal("0")) if instance else Decimal("0")) or Decimal("0")
        for f in ("forest_land_ha", "government_land_ha", "other_land_ha")
    ]
    if area is not None and sum(land) > area + Decimal("0.01"):
        errors.setdefault("land", []).append(
            f"Forest, government and other land add up to {sum(land)} ha, more than the block's area of {area} ha."
        )
    if errors:
        first_field, first_messages = next(iter(errors.items()))
        raise ApplicationError(
            f"The block was not saved: {first_messages[0]}" + (" (and more below)" if len(errors) > 1 else ""),
            fields=errors,
        )
    return out


def _apply(block: Block, values: dict) -> None:
    for field in ("code", "name", "state", "district", "exploration_stage", "forest_land_ha", "government_land_ha",
                  "other_land_ha", "reserve_price_pct", "tender_fee", "status", "illustrative_fields", "source_url",
                  "published_outcome", "protected_area_distance_km", "eco_sensitive_zone"):  # fmt: skip
        if field in values:
            setattr(block, field, values[field])
    if "boundary" in values:
        boundary = values["boundary"]
        block.boundary = boundary.geojson if boundary else None
        block.area_hectares = boundary.area_hectares if boundary else None
        block.min_lon, block.min_lat, block.max_lon, block.max_lat = boundary.bbox if boundary else (None,) * 4


def _derive(block: Block, minerals: list[Mineral]) -> None:
    facts = [rules.MineralFacts(m.name, m.part_d, m.seventh_schedule, m.part_b) for m in minerals]
    block.auction_authority = rules.auction_authority(facts)
    block.el_eligible = rules.el_eligible(facts)
    block.lease_kind = rules.lease_kind(block.exploration_stage)


def _store_resources(block: Block, resources) -> None:
    block.resources.all().delete()
    rows = [
        BlockResource(
            block=block, mineral=mineral, quantity_tonnes=quantity, price_per_tonne=price, price_basis=basis,
            grade=grade, value=rules.resource_value(quantity, price),
        )
        for mineral, quantity, price, basis, grade in resources
    ]  # fmt: skip
    BlockResource.objects.bulk_create(rows)
    block.value_of_estimated_resources = rules.value_of_estimated_resources((q, p) for _m, q, p, _b, _g in resources)


def _duplicate_code(code) -> ApplicationError:
    return ApplicationError(
        f"The block was not saved: block code {code} is already registered.",
        fields={"code": [f"Block code {code} is already registered."]},
        code="duplicate_code",
    )


def block_validate(**data) -> dict:
    """Check a new block as block_create would, without saving it (used by the bulk import's check).

    Returns the validated values; `values["boundary"]` is a core.geo.Boundary (or absent). Raises
    ApplicationError with per-field messages, including an overlap with an active block.
    """
    values = _validated(data)
    if values.get("boundary"):
        check_overlap(values["boundary"])
    return values


def block_create(*, actor, import_job=None, **data) -> Block:
    """Register a block. Every field is validated; the boundary must not overlap an active block.

    `import_job`: the bulk import registering it (blocks.imports), so that a resumed import knows it is done."""
    values = _validated(data)
    try:
        with transaction.atomic():
            if values.get("boundary"):
                _lock_boundaries()
                check_overlap(values["boundary"])
            block = Block(status=Block.Status.IDENTIFIED, import_job=import_job)
            _apply(block, values)
            _derive(block, values["minerals"])
            block.save()
            block.minerals.set(values["minerals"])
            if "resources" in values:
                _store_resources(block, values["resources"])
                block.save(update_fields=["value_of_estimated_resources"])
            ledger_append(stream=lifecycle.stream(block.pk), kind="registered", payload=_snapshot(block))
            store_list_rows([block.pk])
            bump_data_version()
    except IntegrityError as exc:
        # Two requests registering the same code at once: the unique index decides, the loser is told why.
        if Block.objects.filter(code=values["code"]).exists():
            raise _duplicate_code(values["code"]) from exc
        raise
    return block


def block_update(*, actor, block: Block, **data) -> Block:
    """Change a block's data; routing and VER are recomputed, a new boundary is checked for overlap."""
    values = _validated(data, instance=block)
    try:
        with transaction.atomic():
            block = Block.objects.select_for_update().get(pk=block.pk)
            before = _snapshot(block)
            to = values.pop("status", block.status)
            if block.status in lifecycle.LIVE:
                problem = lifecycle.move_error(block.status, lifecycle.WITHDRAWN, by_hand=True)
                raise Conflict(f"Block {block.code} was not changed. {problem}", code="block_in_auction")
            problem = lifecycle.move_error(block.status, to, by_hand=True)
            if problem:
                raise ApplicationError(f"The block was not saved: {problem}", fields={"status": [problem]})
            if values.get("boundary"):
                _lock_boundaries()
                check_overlap(values["boundary"], exclude_id=block.pk)
            elif (
                "boundary" not in values
                and block.boundary
                and block.status not in Block.ACTIVE_STATUSES
                and to in Block.ACTIVE_STATUSES
            ):
                # A withdrawn block's ground may have been given to another block since: reactivating it must not
                # create an overlap that no new boundary would be allowed to.
                _lock_boundaries()
                check_overlap(geo.parse_boundary(block.boundary), exclude_id=block.pk)
            _apply(block, values)
            minerals = values.get("minerals") or list(block.minerals.all())
            _derive(block, minerals)
            block.save()
            if "minerals" in values:
                block.minerals.set(values["minerals"])
            if "resources" in values:
                _store_resources(block, values["resources"])
                block.save(update_fields=["value_of_estimated_resources"])
            _record_edit(block, before)
            store_list_rows([block.pk])
            bump_data_version()
            if lifecycle.block_move(block_id=block.pk, to=to, reason="edited by a regulator"):
                block.refresh_from_db(fields=["status"])
    except IntegrityError as exc:
        if "code" in values and Block.objects.filter(code=values["code"]).exclude(pk=block.pk).exists():
            raise _duplicate_code(values["code"]) from exc
        raise
    return block


def _snapshot(block: Block) -> dict:
    """What the ledger records of a block: its registry fields as stored (the boundary by its hash, so that the
    chain stays small and anyone holding the GeoJSON can check it)."""
    boundary = hashlib.sha256(canonical_json(block.boundary).encode()).hexdigest() if block.boundary else None
    resources = [
        {"mineral": r.mineral.slug, "quantity_tonnes": r.quantity_tonnes, "grade": r.grade,
         "price_per_tonne": r.price_per_tonne, "price_basis": r.price_basis, "value": r.value}
        for r in block.resources.select_related("mineral").order_by("mineral__slug")
    ]  # fmt: skip
    fields = {name: getattr(block, name) for name in _LEDGER_FIELDS}
    fields.update(minerals=sorted(m.slug for m in block.minerals.all()), resources=resources, boundary_sha256=boundary)
    return normalise_payload(fields)


def _record_edit(block: Block, before: dict) -> None:
    """One ledger entry naming the fields an edit changed, with their old and new values; none if nothing did."""
    after = _snapshot(block)
    changed = {name: {"from": before.get(name), "to": new} for name, new in after.items() if before.get(name) != new}
    if changed:
        payload = {"code": block.code, "changed": changed}
        ledger_append(stream=lifecycle.stream(block.pk), kind="edited", payload=payload)


def block_get(*, code: str) -> Block:
    try:
        return Block.objects.get(code=code)
    except Block.DoesNotExist as exc:
        raise NotFound(f"No block has the code {code}.") from exc
