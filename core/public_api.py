"""The shared base of the public API: anonymous, read-only, cacheable (ARCHITECTURE.md "APIs"; RULES.md
section 6), and the pieces of its streamed CSV files.

Nobody authenticates here: a signed-in regulator gets exactly what an anonymous citizen gets.
"""

from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiResponse
from rest_framework import generics
from rest_framework.permissions import AllowAny

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
