"""The shared base of the public API: anonymous, read-only, cacheable (ARCHITECTURE.md "APIs"; RULES.md
section 6), and the pieces of its streamed CSV files.

Nobody authenticates here: a signed-in regulator gets exactly what an anonymous citizen gets.
"""

import abc
import csv
import datetime
import json
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings

from core.api import ErrorSerializer
from core.schema import AutoSchema

CACHE_SECONDS = 60
BAD_FILTER = OpenApiResponse(
    ErrorSerializer, description="An unknown filter value; the message names the allowed ones."
)


class PublicAPIView(generics.GenericAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        return response


class RawJSON:
    """An answer's data already written as JSON bytes (e.g. joined from stored rows), for RawJSONRenderer."""

    def __init__(self, content: bytes):
        self.content = content


class RawJSONRenderer(JSONRenderer):
    """DRF's JSON renderer that sends a RawJSON's bytes as they are; pretty-printed when the client asks for an
    indent (`Accept: application/json; indent=4`, the browsable API), as JSONRenderer would."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, RawJSON):
            if self.get_indent(accepted_media_type, renderer_context or {}) is None:
                return data.content
            data = json.loads(data.content)
        return super().render(data, accepted_media_type, renderer_context)


# The project's renderers (settings REST_FRAMEWORK) with RawJSONRenderer in JSONRenderer's place.
RAW_JSON_RENDERERS = [
    RawJSONRenderer if renderer is JSONRenderer else renderer for renderer in api_settings.DEFAULT_RENDERER_CLASSES
]


class FilteredSchema(AutoSchema):
    """Documents the filters of a GET that answers with a file rather than a list of objects."""

    def get_filter_backends(self):
        return getattr(self.view, "filter_backends", [])


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Echo:
    """A file-like object for csv.writer whose write returns the line (for streaming CSV responses)."""

    def write(self, value):
        return value


def csv_text(value):
    """A text cell that a spreadsheet will not run as a formula."""
    value = "" if value is None else str(value)
    return f"'{value}" if value.startswith(_FORMULA_START) else value


# Rows read from the database at a time by a download: memory stays constant whatever the number of rows.
CSV_CHUNK = 2000
CSV_CAP_HEADER = "X-Row-Cap"


def csv_cap() -> int:
    """The most rows one streamed download gives (settings.PUBLIC_CSV_MAX_ROWS); the full dumps have them all."""
    return settings.PUBLIC_CSV_MAX_ROWS


def capped(queryset, cap: int | None = None):
    """The queryset cut at the cap plus one row (the one that tells csv_lines the download was cut)."""
    cap = csv_cap() if cap is None else cap
    return queryset[: cap + 1]


def truncation_line(cap: int) -> str:
    return f"# truncated: a download stops at {cap} rows; narrow the filters or take the full dump listed at /data/"


def csv_lines(columns: Iterable[str], rows: Iterable[list], *, cap: int | None = None) -> Iterator[str]:
    """CSV lines, header first, then one line a row, streamed; after `cap` rows, one last line saying the file was
    cut there (so a cut file never passes for a whole one)."""
    cap = csv_cap() if cap is None else cap
    writer = csv.writer(Echo())
    yield writer.writerow(columns)
    for n, row in enumerate(rows):
        if n >= cap:
            yield truncation_line(cap) + "\r\n"  # as written, unquoted: a person reads it
            return
        yield writer.writerow(row)


def csv_response(columns, rows, *, filename: str) -> StreamingHttpResponse:
    """A streamed CSV download of `rows` (an iterator: build it over `queryset.iterator(chunk_size=CSV_CHUNK)`),
    cut at the cap, which the header X-Row-Cap states."""
    cap = csv_cap()
    response = StreamingHttpResponse(csv_lines(columns, rows, cap=cap), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response[CSV_CAP_HEADER] = str(cap)
    return response


class CSVDownloadView(PublicAPIView, abc.ABC):
    """A public list as a streamed CSV file, with the filters of its list (`filterset_class`). A subclass names
    `csv_columns`, `csv_filename`, `get_queryset()` and `csv_rows(queryset, site)`, which yields one list a row
    and reads the queryset with `.iterator(chunk_size=CSV_CHUNK)` (prefetches run once a chunk, never a row)."""

    filter_backends = [DjangoFilterBackend]
    schema = FilteredSchema()
    csv_columns: tuple[str, ...] = ()
    csv_filename = ""

    def perform_content_negotiation(self, request, force=False):
        # The body is CSV whatever the client accepts; errors before it are JSON.
        return super().perform_content_negotiation(request, force=True)

    @abc.abstractmethod
    def csv_rows(self, queryset, site: str) -> Iterator[list]:
        """One list of cells a row of the filtered, capped queryset."""

    def get(self, request, *args, **kwargs):
        queryset = capped(self.filter_queryset(self.get_queryset()))
        site = request.build_absolute_uri("/").rstrip("/")
        return csv_response(self.csv_columns, self.csv_rows(queryset, site), filename=self.csv_filename)


def csv_date(value) -> str:
    return value.isoformat() if value else ""


def csv_value(value) -> str:
    """A number, date or flag as a cell: empty for null, true/false for a flag."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


_MARKER = 987654321


def url_maker(name: str, site: str = "", *, key: str = ""):
    """pk -> the absolute URL of the route `name` (one integer argument; `key`: one keyword argument of a string
    route, such as a block's code), reversed once rather than once a row."""
    path = reverse(name, kwargs={key: str(_MARKER)}) if key else reverse(name, args=[_MARKER])
    head, tail = path.split(str(_MARKER))
    return lambda pk: f"{site}{head}{pk}{tail}"
