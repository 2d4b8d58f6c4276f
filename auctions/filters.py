"""Filters of the public block and mineral lists: one FilterSet serves the portal page, the API and the CSV.

An unknown value is an error that names the allowed values (never silently ignored), so a typing error in a
URL does not return the whole registry as though it matched.
"""

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from auctions.constants import STATE_CHOICES, AuctionAuthority, ExplorationStage, LeaseKind
from auctions.models import Block, Mineral

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


def _given_values(data, name) -> list[str]:
    if hasattr(data, "getlist"):
        values = data.getlist(name)
    else:
        raw = data.get(name)
        values = raw if isinstance(raw, list | tuple) else [raw]
    out = []
    for value in values:
        out += [v.strip() for v in str(value).split(",")] if name == "ordering" else [str(value).strip()]
    return [v for v in out if v]


class StableOrderingFilter(filters.OrderingFilter):
    """Sorts by the chosen keys, then by the unique block code: equal values keep one order everywhere."""

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        if not {"code", "-code"} & set(ordering):
            ordering.append("code")
        return qs.order_by(*ordering)


class FilterForm(forms.Form):
    """Rewrites a refused choice into a message that names the refused and the allowed values."""

    def clean(self):
        cleaned = super().clean()
        for name in list(self.errors):
            field = self.fields.get(name)
            choices = getattr(field, "choices", None)
            if choices is None:
                continue
            allowed = [str(value) for value, _label in choices if str(value) != ""]
            refused = [v for v in _given_values(self.data, name) if v not in allowed] or _given_values(self.data, name)
            label = str(field.label or name).lower()
            self.errors[name] = self.error_class(
                [f"{', '.join(refused)} is not a known {label}. Allowed values: {', '.join(allowed)}."]
            )
        return cleaned


def _without_blanks(data):
    """The query without empty values: a form's "any" option (value "") means no filter, not an unknown value."""
    if hasattr(data, "getlist"):
        cleaned = QueryDict(mutable=True)
        for key in data:
            values = [v for v in data.getlist(key) if str(v).strip()]
            if values:
                cleaned.setlist(key, values)
        return cleaned
    return {k: v for k, v in data.items() if v not in (None, "", [], ())}


class PublicFilterSet(filters.FilterSet):
    def __init__(self, data=None, *args, **kwargs):
        super().__init__(None if data is None else _without_blanks(data), *args, **kwargs)


class BlockFilter(PublicFilterSet):
    mineral = extend_schema_field({"type": "string", "description": MINERAL_HELP})(
        filters.ModelMultipleChoiceFilter(
            queryset=Mineral.objects.all(),
            to_field_name="slug",
            method="filter_mineral",
            label="mineral",
            help_text=MINERAL_HELP,
        )
    )
    state = filters.MultipleChoiceFilter(
        choices=STATE_CHOICES,
        distinct=False,
        label="State",
        help_text="State or Union Territory by its full name; repeatable.",
    )
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
    ordering = StableOrderingFilter(
        fields=BLOCK_ORDERING,
        label="ordering",
        help_text="Sort key; prefix with - for descending. Ties are broken by the block code.",
    )

    class Meta:
        model = Block
        fields = []
        form = FilterForm

    def filter_mineral(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Exists(BlockMineral.objects.filter(block_id=OuterRef("pk"), mineral__in=[m.pk for m in value]))
        )

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

    class Meta:
        model = Mineral
        fields = []
        form = FilterForm

    def filter_flag(self, queryset, name, value: str):
        return queryset.filter(**{name: value == "true"})
