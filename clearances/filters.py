"""Filters of the public list of clearance cases: one FilterSet serves the API, its CSV and the pages.

An unknown value is an error that names the allowed values (core.filters.FilterForm), never silently ignored.
The queryset they filter comes from `clearances.selectors.public.public_cases` (annotated with the open stage's
clock: `overdue`, `clock_stopped`, `days_used`, `days_left`; and `licence_number`).
"""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from authorities.models import Authority
from blocks.filters import YES_NO, state_filter
from clearances.models import Case
from core.filters import PublicFilterSet, TieBreakOrdering

AUTHORITY_HELP = "The deciding body by its code (ibm, moefcc, spcb-odisha...); repeatable."
CASE_ORDERING = (
    ("licence_number", "licence"),
    ("kind", "kind"),
    ("filed_on", "filed_on"),
    ("decided_on", "decided_on"),
    ("days_used", "days_used"),
    ("days_left", "days_left"),
)


def _yes(value) -> bool:
    return str(value).lower() == "true"


class CaseFilter(PublicFilterSet):
    kind = filters.MultipleChoiceFilter(
        choices=Case.Kind.choices, distinct=False, label="kind", help_text="Kind of case; repeatable."
    )
    status = filters.MultipleChoiceFilter(
        choices=Case.Status.choices, distinct=False, label="status", help_text="Case status; repeatable."
    )
    outcome = filters.MultipleChoiceFilter(
        choices=Case.Outcome.choices,
        distinct=False,
        label="outcome",
        help_text="How a closed case ended; repeatable.",
    )
    state = state_filter(field_name="licence__state", help_text="The licence's State or Union Territory; repeatable.")
    authority = extend_schema_field({"type": "string", "description": AUTHORITY_HELP})(
        filters.ModelMultipleChoiceFilter(
            queryset=Authority.objects.all(),
            to_field_name="code",
            field_name="authority__code",
            label="authority",
            help_text=AUTHORITY_HELP,
        )
    )
    licence = filters.NumberFilter(field_name="licence_id", label="licence", help_text="The licence's id.")
    fast_track = filters.ChoiceFilter(
        choices=YES_NO,
        method="filter_fast_track",
        label="fast track",
        help_text="true: Part D or Part B mineral projects, taken up out of turn.",
    )
    overdue = filters.ChoiceFilter(
        choices=YES_NO,
        method="filter_overdue",
        label="overdue",
        help_text="true: open cases whose current stage has used more days than its target.",
    )
    clock_stopped = filters.ChoiceFilter(
        choices=YES_NO,
        method="filter_clock_stopped",
        label="clock stopped",
        help_text="true: open cases whose clock is stopped by a query awaiting the applicant's answer.",
    )
    ordering = TieBreakOrdering(fields=CASE_ORDERING, tie_break="id", tie_break_label="the case's id")

    class Meta(PublicFilterSet.Meta):
        model = Case

    def filter_fast_track(self, queryset, name, value):
        return queryset.filter(fast_track=_yes(value))

    def filter_overdue(self, queryset, name, value):
        if _yes(value):
            return queryset.filter(status__in=Case.OPEN_STATUSES, overdue=True)
        return queryset.exclude(status__in=Case.OPEN_STATUSES, overdue=True)

    def filter_clock_stopped(self, queryset, name, value):
        if _yes(value):
            return queryset.filter(status__in=Case.OPEN_STATUSES, clock_stopped=True)
        return queryset.exclude(status__in=Case.OPEN_STATUSES, clock_stopped=True)
