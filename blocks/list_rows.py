"""The public block list's rows: rendered from plain values (`block_list_rows`, held field by field to BlockSerializer,
the documented schema), and stored pre-rendered, one BlockListRow a block, so that a page of the list is one query of
keys and stored rows joined as bytes, with no row built or JSON-encoded per request (issue 15: the uncached list at
0.20 of a bare DRF view, limited by two SQL round trips and encoding 50 rows of about 1 KB).

A stored row is the JSON the list writes for the block, except that its two links start with SITE (a character JSON
never writes unescaped) where the answer has the request's scheme and host: a page replaces it once, over the joined
bytes. It is rendered again by every writer of what the row shows (`store_list_rows`: blocks.services and
blocks.lifecycle for the block, its minerals and its status; a mineral's save for every block of that mineral; the
seeders for bulk writes). A row is used only while it matches its block: rendered by this ROW_VERSION, from the
block's current `updated_at` and `status` (which a write around the services moves too); a row missing or not usable is
rendered on the fly by the page that shows it (`page_bodies`), so the list is right even when a row is not there yet.
The block detail starts with the same row. The rows bake the TIME_ZONE setting in (`updated_at`): after changing it,
run `manage.py store_list_rows --all`.
"""

import json
from decimal import Decimal
from urllib.parse import quote

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from blocks.models import Block, BlockListRow
from blocks.selectors import block_api_list_queryset, block_page_minerals, routing_explanation
from core.public_api import url_maker

# Bump when the rendering below changes: stored rows of an older version are then rendered on the fly until
# `manage.py store_list_rows` (or the next write of each block) replaces them.
ROW_VERSION = 1
# Where a stored row's links put the request's scheme and host: a raw control character, which JSON always escapes
# inside strings, so it stands nowhere else in a stored row.
SITE = "\x01"

_KM2 = Decimal("0.0001")
_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)
_JSON = JSONRenderer()  # the project's JSON, as DRF writes an answer (compact, UTF-8, U+2028/9 escaped)


def utc_z(text: str) -> str:
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def block_list_rows(rows, minerals_by_block, site: str) -> list[dict]:
    """The rows of the public block list, exactly as BlockSerializer writes them (the documented schema), from plain
    values: `rows` the dicts of selectors.block_api_list_queryset, `minerals_by_block` the page's minerals from
    selectors.block_page_minerals, `site` the scheme and host the links start with. No model instance, no DRF field,
    both links from one prefix reversed once a page (issue 15: the list answered at 0.05 of a bare DRF view)."""
    api_url = url_maker("public_api:block-detail", site, key="code")
    portal_url = url_maker("portal:block_detail", site, key="code")
    tz = timezone.get_current_timezone()
    out = []
    for row in rows:
        code = row["code"]
        quoted = quote(code, safe="!$&'()*+,;=/~:@")  # as reverse() quotes
        minerals = minerals_by_block.get(row["pk"], ())
        area_ha = row["area_hectares"]
        out.append(
            {
                "code": code,
                "name": row["name"],
                "state": row["state"],
                "district": row["district"],
                "minerals": [slug for slug, _, _, _ in minerals],
                "exploration_stage": row["exploration_stage"],
                "routing": {
                    "auction_authority": row["auction_authority"],
                    "lease_kind": row["lease_kind"],
                    "el_eligible": row["el_eligible"],
                    "explanation": list(
                        routing_explanation(
                            auction_authority=row["auction_authority"],
                            state=row["state"],
                            exploration_stage=row["exploration_stage"],
                            lease_kind=row["lease_kind"],
                            el_eligible=row["el_eligible"],
                            minerals=tuple((name, part_d, seventh) for _, name, part_d, seventh in minerals),
                        )
                    ),
                },
                # Quantized to the columns' scale, as DRF's DecimalField writes them.
                "area_hectares": None if area_ha is None else f"{area_ha.quantize(_KM2):f}",
                "area_km2": None if area_ha is None else f"{(area_ha / _HUNDRED).quantize(_KM2):f}",
                "value_of_estimated_resources": f"{row['value_of_estimated_resources'].quantize(_CENT):f}",
                "status": row["status"],
                "illustrative_fields": list(row["illustrative_fields"] or []),
                "updated_at": utc_z(row["updated_at"].astimezone(tz).isoformat()),
                "url": api_url(quoted),
                "portal_url": portal_url(quoted),
            }
        )
    return out


def _stored(row: dict) -> str:
    """A row of block_list_rows (written with no site: its links are paths) as stored: its JSON as the list writes it,
    each link's path behind SITE. The links are the row's last two members; `row` loses them."""
    paths = [_JSON.render(row.pop(name)).decode()[1:] for name in ("url", "portal_url")]  # "/path/" less its 1st quote
    head = _JSON.render(row).decode()[:-1]
    return f'{head},"url":"{SITE}{paths[0]},"portal_url":"{SITE}{paths[1]}}}'


def render_bodies(block_ids) -> dict[int, BlockListRow]:
    """Block id -> its row as stored (JSON, links starting with SITE), read fresh: two queries."""
    rows = list(block_api_list_queryset().order_by().filter(pk__in=list(block_ids)))
    minerals = block_page_minerals([row["pk"] for row in rows])
    return {
        row["pk"]: BlockListRow(
            block_id=row["pk"],
            version=ROW_VERSION,
            updated_at=row["updated_at"],
            status=row["status"],
            body=_stored(rendered),
        )
        for row, rendered in zip(rows, block_list_rows(rows, minerals, ""), strict=True)
    }


_CHUNK = 2000


def store_list_rows(block_ids) -> int:
    """Render and store the list rows of these blocks (a block deleted meanwhile is skipped), in the caller's
    transaction; returns how many were stored. Call it after every write of what a row shows."""
    block_ids = list(block_ids)
    stored = 0
    for start in range(0, len(block_ids), _CHUNK):
        rows = render_bodies(block_ids[start : start + _CHUNK])
        BlockListRow.objects.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=["block"],
            update_fields=["version", "updated_at", "status", "body"],
        )
        stored += len(rows)
    return stored


def blocks_without_list_rows() -> QuerySet:
    """Ids of the blocks whose stored row is missing or would not be used (older rendering, block changed since)."""
    usable = BlockListRow.objects.filter(
        block_id=OuterRef("pk"), version=ROW_VERSION, updated_at=OuterRef("updated_at"), status=OuterRef("status")
    )
    return Block.objects.filter(~Exists(usable)).order_by("pk").values_list("pk", flat=True)


def store_missing_list_rows(batch: int = _CHUNK) -> int:
    """Store the rows of every block without a usable one, a transaction a batch; returns how many."""
    ids = list(blocks_without_list_rows())
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            store_list_rows(ids[start : start + batch])
    return len(ids)


def _locked_blocks_of(mineral) -> list[int]:
    """The mineral's blocks, locked until the caller's transaction ends (in pk order): an edit of one of them already
    holding its lock is waited for, then the row is rendered with both changes; an edit starting later waits for
    this transaction. Either way the last row stored has the mineral as now written."""
    blocks = Block.objects.filter(minerals=mineral).order_by("pk").select_for_update(of=("self",))
    return list(blocks.values_list("pk", flat=True))


def mineral_saved(sender, instance, raw=False, **kwargs) -> None:
    """A mineral's name or schedules show in the row of each of its blocks (its slug, the routing in words)."""
    if not raw:
        with transaction.atomic():
            store_list_rows(_locked_blocks_of(instance))


def mineral_deleting(sender, instance, **kwargs) -> None:
    """Before a mineral is deleted (its links to blocks go with it, in the same transaction): which blocks' rows to
    store again after."""
    instance._list_row_blocks = _locked_blocks_of(instance)


def mineral_deleted(sender, instance, **kwargs) -> None:
    store_list_rows(getattr(instance, "_list_row_blocks", ()))


def minerals_linked(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Minerals added to or removed from blocks outside the services (which store the row after their write): the
    blocks' rows are dropped, so the list renders them until their next write."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        BlockListRow.objects.filter(block_id=instance.pk).delete()
    elif action == "pre_clear":
        BlockListRow.objects.filter(block__minerals=instance).delete()
    elif pk_set:
        BlockListRow.objects.filter(block_id__in=pk_set).delete()


def page_bodies(rows: list[dict]) -> list[str]:
    """The stored rows of a page (dicts with "pk" and "body", None when missing or not usable), the missing ones
    rendered now (two more queries, only when some are missing)."""
    missing = [row["pk"] for row in rows if row["body"] is None]
    fresh = {pk: stored.body for pk, stored in render_bodies(missing).items()} if missing else {}
    bodies = (row["body"] if row["body"] is not None else fresh.get(row["pk"]) for row in rows)
    return [body for body in bodies if body is not None]  # a block deleted since the page was read is left out


def detail_json(row: dict, minerals, fields: dict, site: str) -> bytes:
    """A block's detail as DRF would write it: its list row (the stored one, `row["body"]`, else rendered from `row`
    and `minerals`), then the detail's own `fields`, links completed with `site`."""
    body = row["body"] or _stored(block_list_rows([row], {row["pk"]: minerals}, "")[0])
    return f"{body[:-1]},{_JSON.render(fields).decode()[1:]}".replace(SITE, _JSON.render(site).decode()[1:-1]).encode()


def page_json(bodies: list[str], site: str, **envelope) -> bytes:
    """A page's answer as DRF would write it: the `envelope` members (the pagination's links, in order), then
    "results": the rows, their links completed with `site`."""
    head = "".join(f"{json.dumps(name)}:{_JSON.render(value).decode() or 'null'}," for name, value in envelope.items())
    site_json = _JSON.render(site).decode()[1:-1]
    return f'{{{head}"results":[{",".join(bodies)}]}}'.replace(SITE, site_json).encode()
