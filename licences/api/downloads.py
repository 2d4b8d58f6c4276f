"""The obligations of every licence as a streamed CSV download (EITI 2.3; RULES.md s.6).

What is published is what each licence's public page shows: what is due, by when, how much, its status, whether it
is overdue, the penalty, and how each was computed. Payments (references, amounts paid, who paid) are not public.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view

from core.public_api import BAD_FILTER, CSV_CHUNK, CSVDownloadView, csv_text, csv_value, url_maker
from licences.filters import ObligationFilter
from licences.models import Obligation
from licences.selectors import common

OBLIGATION_CSV_COLUMNS = (
    "id", "licence", "licence_kind", "holder_name", "state", "kind", "title", "due_on", "amount", "status",
    "overdue", "met_on", "penalty", "period", "basis", "penalty_basis", "licence_url",
)  # fmt: skip


OBLIGATION_FIELDS = (
    "id", "licence_id", "kind", "title", "due_on", "amount", "status", "met_on", "penalty", "period", "basis",
    "penalty_basis",
)  # fmt: skip


def obligation_queryset():
    """Every obligation with its licence and holder: one query a chunk, whatever the number of rows."""
    return (
        Obligation.objects.select_related("licence__holder")
        .only(
            *OBLIGATION_FIELDS,
            "licence__number",
            "licence__kind",
            "licence__state",
            "licence__holder__legal_name",
        )
        .order_by("licence__number", "due_on", "id")
    )


def obligation_csv_rows(queryset, site: str):
    on = common.today()
    licence_url = url_maker("licence_detail", site)
    for o in queryset.iterator(chunk_size=CSV_CHUNK):
        yield [
            o.pk,
            csv_text(o.licence.number),
            o.licence.kind,
            csv_text(o.licence.holder.legal_name),
            o.licence.state,
            o.kind,
            csv_text(o.title),
            csv_value(o.due_on),
            csv_value(o.amount),
            o.status,
            csv_value(common.is_overdue(o, on)),
            csv_value(o.met_on),
            csv_value(o.penalty),
            csv_value(o.period),
            csv_text(o.basis),
            csv_text(o.penalty_basis),
            licence_url(o.licence_id),
        ]


@extend_schema_view(
    get=extend_schema(
        tags=["public"],
        summary="Obligations of every licence as CSV",
        operation_id="public_obligations_csv",
        description=(
            "What every licence holder must do or pay, as a CSV file (UTF-8, header row first), streamed, by licence "
            "and due date: the due date, the amount (INR, if money), the status, whether it is overdue (still pending "
            "after its due date, India's date today), the penalty, and how each was computed. Payments are not "
            "public. Every matching row up to the cap (header X-Row-Cap; a cut file ends with a line saying so). "
            "Columns: " + ", ".join(OBLIGATION_CSV_COLUMNS) + "."
        ),
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: BAD_FILTER},
    )
)
class ObligationCSVView(CSVDownloadView):
    filterset_class = ObligationFilter
    csv_columns = OBLIGATION_CSV_COLUMNS
    csv_filename = "khanij-obligations.csv"

    def get_queryset(self):
        return obligation_queryset()

    def csv_rows(self, queryset, site):
        return obligation_csv_rows(queryset, site)
