"""Filters of the regulators' firm list (django-filter), shared by the API and any page that lists firms."""

import django_filters
from django.db.models import Q

from bidders.models import Firm
from bidders.validators import normalise_identifier
from core.filters import BooleanFilter


class FirmFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", help_text="Part of the legal name, CIN or PAN.")
    cin = django_filters.CharFilter(method="filter_identifier", help_text="The exact CIN.")
    pan = django_filters.CharFilter(method="filter_identifier", help_text="The exact PAN of the firm.")
    incorporated_in_india = BooleanFilter(help_text="Registered in India under the Companies Act: true or false.")
    net_worth_min = django_filters.NumberFilter(
        field_name="net_worth", lookup_expr="gte", help_text="Net worth at least this many rupees."
    )
    net_worth_max = django_filters.NumberFilter(
        field_name="net_worth", lookup_expr="lte", help_text="Net worth at most this many rupees."
    )
    owner_pan = django_filters.CharFilter(
        method="filter_owner_pan", help_text="Firms that declared a beneficial owner with this PAN."
    )

    class Meta:
        model = Firm
        fields = ["q", "cin", "pan", "incorporated_in_india", "net_worth_min", "net_worth_max", "owner_pan"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(legal_name__icontains=value)
            | Q(cin__icontains=normalise_identifier(value))
            | Q(pan__icontains=normalise_identifier(value))
        )

    def filter_identifier(self, queryset, name, value):
        return queryset.filter(**{name: normalise_identifier(value)})

    def filter_owner_pan(self, queryset, name, value):
        pan = normalise_identifier(value)
        return queryset.filter(pk__in=Firm.objects.filter(beneficial_owners__pan=pan).values("pk"))
