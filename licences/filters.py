"""Filters of the public licence register: one FilterSet serves the register page, its CSV and the public API.

An unknown value is an error that names the allowed values (core.filters.FilterForm), never silently
ignored, so a typing error in a URL does not return the whole register as though it matched.
"""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django_filters import rest_framework as filters

from blocks.constants import LeaseKind
from blocks.filters import mineral_filter, state_filter
from core.filters import PublicFilterSet, TieBreakOrdering
from licences.models import Licence, Obligation

LicenceMineral = Licence.minerals.through

MINERAL_HELP = "Mineral slug, as listed at /api/v1/public/minerals; repeat for several (a licence for any of them)."

# Ordering parameter -> queryset field. `holder_name` is annotated by the selector (the holder's legal name).
LICENCE_ORDERING = (
    ("number", "number"),
    ("holder_name", "holder"),
    ("state", "state"),
    ("awarded_on", "awarded_on"),
    ("expires_on", "expires_on"),
    ("area_hectares", "area_hectares"),
    ("winning_offer_pct", "winning_offer_pct"),
    ("updated_at", "updated_at"),
)


class YearFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class LicenceFilter(PublicFilterSet):
    kind = filters.MultipleChoiceFilter(
        choices=LeaseKind.choices,
        distinct=False,
        label="kind",
        help_text="ML (mining lease), CL (composite licence) or EL (exploration licence); repeatable.",
    )
    status = filters.MultipleChoiceFilter(
        choices=Licence.Status.choices, distinct=False, label="status", help_text="Licence status; repeatable."
    )
    state = state_filter()
    mineral = mineral_filter(MINERAL_HELP, through=LicenceMineral, owner="licence", help_text=MINERAL_HELP)
    holder = filters.CharFilter(
        method="filter_holder",
        label="holder",
        help_text="Words to find in the holder's legal name or CIN (every word must match).",
    )
    year = YearFilter(
        field_name="awarded_on",
        lookup_expr="year",
        label="year of award",
        help_text="The calendar year of the award (the Letter of Intent for ML/CL, the grant for EL), e.g. 2027.",
        min_value=1950,
        max_value=2200,
        error_messages={
            "invalid": "Give the year of award as four digits, e.g. 2027.",
            "min_value": "Give a year of award from 1950 on, e.g. 2027.",
            "max_value": "Give a year of award up to 2200, e.g. 2027.",
        },
    )
    ordering = TieBreakOrdering(fields=LICENCE_ORDERING, tie_break="number", tie_break_label="the licence number")

    class Meta(PublicFilterSet.Meta):
        model = Licence

    def filter_holder(self, queryset, name, value: str):
        for term in value.split()[:8]:
            queryset = queryset.filter(Q(holder__legal_name__icontains=term) | Q(holder__cin__icontains=term))
        return queryset


class ObligationFilter(PublicFilterSet):
    """The filters of the public obligations download: what each licence holder must do or pay, and by when."""

    licence = filters.CharFilter(
        field_name="licence__number",
        lookup_expr="iexact",
        label="licence",
        help_text="Licence number, e.g. ML/2027/0001.",
    )
    licence_kind = filters.MultipleChoiceFilter(
        field_name="licence__kind",
        choices=LeaseKind.choices,
        distinct=False,
        label="licence kind",
        help_text="ML, CL or EL; repeatable.",
    )
    kind = filters.MultipleChoiceFilter(
        choices=Obligation.Kind.choices, distinct=False, label="kind", help_text="What is due; repeatable."
    )
    status = filters.MultipleChoiceFilter(
        choices=Obligation.Status.choices, distinct=False, label="status", help_text="Obligation status; repeatable."
    )
    state = state_filter(field_name="licence__state")
    mineral = mineral_filter(
        MINERAL_HELP, through=LicenceMineral, owner="licence", outer="licence_id", help_text=MINERAL_HELP
    )
    overdue = filters.BooleanFilter(
        method="filter_overdue",
        label="overdue",
        help_text="true: still pending after its due date (India's date today), as the licence pages say; false: not.",
    )

    class Meta(PublicFilterSet.Meta):
        model = Obligation

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(status=Obligation.Status.PENDING, due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)
