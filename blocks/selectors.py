"""Reads of the block registry for the public portal and API: querysets shaped for their screen.

RULES.md section 6: a block is public from its registration (this issue has no tenders or bids yet); the
public sees the block's published data and nothing else, so these querysets feed serializers and templates
that name every field they show.
"""

import functools
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, FilteredRelation, Prefetch, Q, QuerySet, Sum

from blocks.constants import AuctionAuthority, ExplorationStage, LeaseKind
from blocks.filters import BlockFilter, BlockMineral, MineralFilter
from blocks.models import Block, BlockResource, Mineral
from core.errors import ApplicationError, NotFound

# Statuses a citizen reads as "open now": the block is notified for auction or being auctioned.
OPEN_STATUSES = (Block.Status.NOTIFIED, Block.Status.UNDER_AUCTION)


def _minerals_prefetch() -> Prefetch:
    return Prefetch("minerals", queryset=Mineral.objects.order_by("name"))


def block_list_queryset() -> QuerySet[Block]:
    """Every registered block with what a row of the list shows: two queries whatever the number of rows."""
    return Block.objects.defer("boundary").prefetch_related(_minerals_prefetch()).order_by("code")


# The columns a row of the public API's block list shows or sorts by (blocks.api.serializers.block_list_rows).
LIST_ROW_FIELDS = (
    "code", "name", "state", "district", "exploration_stage", "auction_authority", "lease_kind", "el_eligible",
    "area_hectares", "value_of_estimated_resources", "status", "illustrative_fields", "updated_at",
)  # fmt: skip


def block_api_list_queryset() -> QuerySet:
    """The public API's block list as plain rows (dicts of the shown columns and "pk"), no model instances: their
    minerals come from `block_page_minerals` once a page (two queries whatever the number of rows)."""
    return Block.objects.values("pk", *LIST_ROW_FIELDS).order_by("code")


@functools.cache
def block_api_page_queryset(version: int) -> QuerySet[Block]:
    """The public API's block list able to read the blocks' stored rows (blocks.models.BlockListRow) of this rendering
    `version` that still match their block (its updated_at and status), in code order; `block_api_page_rows` reads
    them. Built once, then only cloned (filtered, ordered, sliced), never evaluated itself: building the join anew was
    a third of a page's Python time (cProfile, bench/api_inprocess.py)."""
    usable = Q(list_row__version=version, list_row__updated_at=F("updated_at"), list_row__status=F("status"))
    return Block.objects.annotate(stored=FilteredRelation("list_row", condition=usable)).order_by("code")


@functools.cache
def block_api_page_rows(version: int, fields: tuple[str, ...]) -> QuerySet:
    """block_api_page_queryset as dicts of "pk", `fields` and "body": the stored row, None when the block has none
    that is usable; a page is one query of keys and rows. Built once for each tuple of fields (the list's orderings,
    the detail), then only cloned."""
    return block_api_page_queryset(version).values("pk", *fields, body=F("stored__body"))


# A mineral as a row of the list shows and explains it: slug, name, Part D, Seventh Schedule.
PageMineral = tuple[str, str, bool, bool]


def block_page_minerals(block_ids: list[int]) -> dict[int, list[PageMineral]]:
    """Block id -> its minerals in name order, for a page of the list: one query (none for an empty page)."""
    minerals: dict[int, list[PageMineral]] = {}
    if not block_ids:
        return minerals
    rows = (
        BlockMineral.objects.filter(block_id__in=block_ids)
        .order_by("mineral__name")
        .values_list("block_id", "mineral__slug", "mineral__name", "mineral__part_d", "mineral__seventh_schedule")
    )
    for block_id, *mineral in rows:
        minerals.setdefault(block_id, []).append(tuple(mineral))
    return minerals


def _invalid_filters(filterset) -> ApplicationError:
    fields = {name: [str(m) for m in messages] for name, messages in filterset.errors.items()}
    first_field, first_messages = next(iter(fields.items()))
    return ApplicationError(f"{first_field}: {first_messages[0]}", fields=fields)


def block_list(*, filters=None) -> QuerySet[Block]:
    """The public block list narrowed by the filters of blocks.filters.BlockFilter (a QueryDict or dict).

    Raises ApplicationError naming the allowed values when a filter value is unknown.
    """
    filterset = BlockFilter(filters if filters is not None else {}, queryset=block_list_queryset())
    if not filterset.is_valid():
        raise _invalid_filters(filterset)
    return filterset.qs


def _no_such_block(code: str) -> NotFound:
    return NotFound(
        f"No block has the code {code}. Check the code, or find the block at /api/v1/public/blocks?search=...",
        fields={"code": [f"No block has the code {code}."]},
    )


def block_detail(*, code: str) -> Block:
    """One block with its minerals and resources, for the detail page."""
    block = (
        Block.objects.prefetch_related(
            _minerals_prefetch(),
            Prefetch("resources", queryset=BlockResource.objects.select_related("mineral").order_by("mineral__name")),
        )
        .filter(code=code)
        .first()
    )
    if block is None:
        raise _no_such_block(code)
    return block


# The columns the public API's block detail shows beyond a row of the list (blocks.api.serializers.block_detail_fields).
DETAIL_FIELDS = (
    "boundary", "min_lon", "min_lat", "max_lon", "max_lat", "forest_land_ha", "government_land_ha", "other_land_ha",
    "reserve_price_pct", "tender_fee", "source_url", "published_outcome", "created_at",
)  # fmt: skip
RESOURCE_FIELDS = (
    "mineral__slug",
    "mineral__name",
    "quantity_tonnes",
    "grade",
    "price_per_tonne",
    "price_basis",
    "value",
)


def block_api_detail(*, code: str, version: int) -> tuple[dict, list[PageMineral], list[dict]]:
    """One block for the public API as plain values: its row (the list's columns, DETAIL_FIELDS and "body", its stored
    list row of this rendering `version` when usable, as block_api_page_queryset), its minerals (only when there is no
    usable stored row: else []) and its resources in mineral name order; two queries (three without a stored row), no
    model instance. Raises NotFound for an unknown code."""
    row = next(iter(block_api_page_rows(version, (*LIST_ROW_FIELDS, *DETAIL_FIELDS)).filter(code=code)), None)
    if row is None:
        raise _no_such_block(code)
    minerals = [] if row["body"] is not None else block_page_minerals([row["pk"]]).get(row["pk"], [])
    resources = list(
        BlockResource.objects.filter(block_id=row["pk"]).order_by("mineral__name").values(*RESOURCE_FIELDS)
    )
    return row, minerals, resources


def block_code_suggestions(*, code: str, limit: int = 5) -> list[Block]:
    """Blocks resembling a code that was not found, for the friendly 404 page: the code itself is searched,
    then the code without its last segments (CG-LI-2023-99, then CG-LI-2023, then CG-LI)."""
    term = code.strip()[:40]
    while len(term) >= 2:
        found = list(block_list(filters={"search": term})[:limit])
        if found:
            return found
        term = term.rpartition("-")[0]
    return []


def block_neighbours(*, block: Block, margin: float = 0.5) -> list[Block]:
    """Other blocks with a boundary whose bounding box meets the block's box widened by `margin` of its size."""
    if block.min_lon is None:
        return []
    pad_lon = (block.max_lon - block.min_lon) * margin
    pad_lat = (block.max_lat - block.min_lat) * margin
    return list(
        Block.objects.filter(
            boundary__isnull=False,
            min_lon__lte=block.max_lon + pad_lon,
            max_lon__gte=block.min_lon - pad_lon,
            min_lat__lte=block.max_lat + pad_lat,
            max_lat__gte=block.min_lat - pad_lat,
        )
        .exclude(pk=block.pk)
        .only("code", "name", "boundary")
        .order_by("code")[:50]
    )


def mineral_list(*, filters=None) -> QuerySet[Mineral]:
    filterset = MineralFilter(filters if filters is not None else {}, queryset=Mineral.objects.order_by("name"))
    if not filterset.is_valid():
        raise _invalid_filters(filterset)
    return filterset.qs


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def block_routing_explanation(block: Block, minerals: list[Mineral] | None = None) -> list[str]:
    """Who auctions the block, which lease it offers and whether an EL may be granted, in words (RULES.md s.1).

    Uses the block's prefetched minerals (or `minerals`, when the caller already listed them); the decision itself
    was taken by auctions.rules when it was saved.
    """
    minerals = list(block.minerals.all()) if minerals is None else minerals
    return list(
        routing_explanation(
            auction_authority=block.auction_authority,
            state=block.state,
            exploration_stage=block.exploration_stage,
            lease_kind=block.lease_kind,
            el_eligible=block.el_eligible,
            minerals=tuple((m.name, m.part_d, m.seventh_schedule) for m in minerals),
        )
    )


_STAGE_LABELS = dict(ExplorationStage.choices)


@functools.lru_cache(maxsize=4096)
def routing_explanation(
    *,
    auction_authority: str,
    state: str,
    exploration_stage: str,
    lease_kind: str,
    el_eligible: bool,
    minerals: tuple[tuple[str, bool, bool], ...],
) -> tuple[str, ...]:
    """The routing in words from plain values: `minerals` as (name, Part D, Seventh Schedule) in name order. A pure
    function of its arguments, so remembered: a page of the list repeats the same few combinations."""
    part_d = [name.lower() for name, in_part_d, _ in minerals if in_part_d]
    seventh = [name.lower() for name, _, in_seventh in minerals if in_seventh]
    sentences = []
    if auction_authority == AuctionAuthority.CENTRAL:
        if part_d:
            verb = "is a Part D mineral" if len(part_d) == 1 else "are Part D minerals"
            sentences.append(
                f"Auctioned by the Central Government because {_join(part_d)} {verb} (MMDR Act s.11D); "
                f"the revenue goes to the State of {state}."
            )
        else:
            sentences.append("Auctioned by the Central Government.")
    else:
        listed = _join([name.lower() for name, _, _ in minerals])
        reason = f"none of its minerals ({listed}) is a Part D mineral" if listed else "it has no Part D mineral"
        sentences.append(f"Auctioned by the Government of {state} because {reason}.")
    code, _, name = _STAGE_LABELS.get(exploration_stage, exploration_stage).partition(" ")
    stage = f"{code} ({name.lower()})" if name else code
    if lease_kind == LeaseKind.ML:
        sentences.append(
            f"Offered as a mining lease (ML) because exploration has reached {stage}; an ML needs G2 or better."
        )
    elif lease_kind == LeaseKind.CL:
        sentences.append(
            f"Offered as a composite licence (CL, prospecting licence-cum-mining lease) because exploration has "
            f"reached only {stage}; the holder must explore to G2 before mining."
        )
    if el_eligible and seventh:
        verb = "is a Seventh Schedule mineral" if len(seventh) == 1 else "are Seventh Schedule minerals"
        sentences.append(
            f"An exploration licence (EL) may be granted for it because {_join(seventh)} {verb} (Act s.10BA)."
        )
    elif not el_eligible:
        sentences.append("No exploration licence can be granted: none of its minerals is in the Seventh Schedule.")
    return tuple(sentences)


@dataclass(frozen=True)
class PortalFigures:
    total_blocks: int
    total_ver: Decimal
    total_area_hectares: Decimal
    by_status: list  # (value, label, count), every status in order
    by_authority: list  # (value, label, count)
    by_mineral: list  # Mineral with .block_count
    open_now: list  # Block
    open_count: int


def portal_figures(*, top_minerals: int = 12, open_limit: int = 10) -> PortalFigures:
    """Key figures of the registry for the portal's home page: six queries whatever its size."""
    blocks = Block.objects.order_by()
    totals = blocks.aggregate(n=Count("pk"), ver=Sum("value_of_estimated_resources"), area=Sum("area_hectares"))
    status_counts = dict(blocks.values_list("status").annotate(n=Count("pk")))
    authority_counts = dict(blocks.values_list("auction_authority").annotate(n=Count("pk")))
    by_mineral = list(
        Mineral.objects.annotate(block_count=Count("blocks"))
        .filter(block_count__gt=0)
        .order_by("-block_count", "name")[:top_minerals]
    )
    open_qs = block_list_queryset().filter(status__in=OPEN_STATUSES)
    open_now = list(open_qs.order_by("-updated_at", "code")[:open_limit])
    return PortalFigures(
        total_blocks=totals["n"],
        total_ver=totals["ver"] or Decimal("0"),
        total_area_hectares=totals["area"] or Decimal("0"),
        by_status=[(value, label, status_counts.get(value, 0)) for value, label in Block.Status.choices],
        by_authority=[(value, label, authority_counts.get(value, 0)) for value, label in AuctionAuthority.choices],
        by_mineral=by_mineral,
        open_now=open_now,
        open_count=sum(status_counts.get(s, 0) for s in OPEN_STATUSES),
    )
