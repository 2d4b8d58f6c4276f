"""Filters of the public block and mineral lists (core.filters: one FilterSet serves the portal page, the API and
the CSV), and the mineral and State filters that other public lists share.
"""

from django.db.models import Exists, OuterRef, Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from blocks.constants import STATE_CHOICES, AuctionAuthority, ExplorationStage, LeaseKind
from blocks.models import Block, Mineral
from core.filters import PublicFilterSet, TieBreakOrdering

BlockMineral = Block.minerals.through

MINERAL_HELP = "Mineral slug, as listed at /api/v1/public/minerals; repeat for several (a block with any of them)."
YES_NO = [("true", "Yes"), ("false", "No")]

# Queryset field -> ordering parameter. A block with no boundary has no area: it sorts as the smallest.
BLOCK_ORDERING = (
    ("code", "code"),
    ("name", "name"),
    ("state", "state"),
    ("area_hectares", "area_hectares"),
    ("value_of_estimated_resources", "value_of_estimated_resources"),
    ("updated_at", "updated_at"),
)


def mineral_filter(description: str, *, through, owner: str, outer: str = "pk", **kwargs):
    """The repeatable `mineral` parameter (slugs) of a list: the rows with any of the minerals, through the
    many-to-many table `through` whose `<owner>_id` is the row's `outer`."""

    def any_of(queryset, name, value):
        if not value:
            return queryset
        minerals = [m.pk for m in value]
        return queryset.filter(Exists(through.objects.filter(**{f"{owner}_id": OuterRef(outer)}, mineral__in=minerals)))

    return extend_schema_field({"type": "string", "description": description})(
        filters.ModelMultipleChoiceFilter(
            queryset=Mineral.objects.all(), to_field_name="slug", method=any_of, label="mineral", **kwargs
        )
    )


def state_filter(*, help_text="State or Union Territory by its full name; repeatable.", **kwargs):
    """The repeatable `state` parameter of a list."""
    return filters.MultipleChoiceFilter(
        choices=STATE_CHOICES, distinct=False, label="State", help_text=help_text, **kwargs
    )


class BlockFilter(PublicFilterSet):
    mineral = mineral_filter(MINERAL_HELP, through=BlockMineral, owner="block", help_text=MINERAL_HELP)
    state = state_filter()
    stage = filters.MultipleChoiceFilter(
        field_name="exploration_stage",
        choices=ExplorationStage.choices,
        distinct=False,
        label="exploration stage",
        help_text="UNFC exploration stage; repeatable.",
    )
    status = filters.MultipleChoiceFilter(
        choices=Block.Status.choices, distinct=False, label="status", help_text="Block status; repeatable."
    )
    authority = filters.ChoiceFilter(
        field_name="auction_authority",
        choices=AuctionAuthority.choices,
        label="authority",
        help_text="Who auctions the block: the Central Government (a Part D mineral) or the State.",
    )
    lease_kind = filters.ChoiceFilter(
        choices=LeaseKind.choices, label="lease kind", help_text="ML (explored to G2 or better) or CL (G3, G4)."
    )
    el_eligible = filters.ChoiceFilter(
        choices=YES_NO,
        method="filter_el_eligible",
        label="EL-eligible value",
        help_text="true: blocks with a Seventh Schedule mineral, for which an exploration licence may be granted.",
    )
    search = filters.CharFilter(
        method="filter_search",
        label="search",
        help_text="Words to find in the block code, name, district, State or mineral names (every word must match).",
    )
    ordering = TieBreakOrdering(fields=BLOCK_ORDERING, tie_break="code", tie_break_label="the block code")

    class Meta(PublicFilterSet.Meta):
        model = Block

    def filter_el_eligible(self, queryset, name, value: str):
        return queryset.filter(el_eligible=(value == "true"))

    def filter_search(self, queryset, name, value: str):
        for term in value.split()[:8]:
            mineral_named = BlockMineral.objects.filter(block_id=OuterRef("pk"), mineral__name__icontains=term)
            queryset = queryset.filter(
                Q(code__icontains=term)
                | Q(name__icontains=term)
                | Q(district__icontains=term)
                | Q(state__icontains=term)
                | Exists(mineral_named)
            )
        return queryset


class MineralFilter(PublicFilterSet):
    part_d = filters.ChoiceFilter(
        choices=YES_NO,
        method="filter_flag",
        label="part_d value",
        help_text="true: the Part D minerals, whose blocks the Central Government auctions.",
    )
    seventh_schedule = filters.ChoiceFilter(
        choices=YES_NO,
        method="filter_flag",
        label="seventh_schedule value",
        help_text="true: the Seventh Schedule minerals, for which an exploration licence may be granted.",
    )

    class Meta(PublicFilterSet.Meta):
        model = Mineral

    def filter_flag(self, queryset, name, value: str):
        return queryset.filter(**{name: value == "true"})
