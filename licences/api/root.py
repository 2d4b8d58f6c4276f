"""The root of the public API, /api/v1/public/: every public endpoint and dump file, with its licence and update
time (licences/catalogue.py, the same list as the /data/ page)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from core.public_api import PublicAPIView
from licences.catalogue import catalogue


class PublicRootView(PublicAPIView):
    @extend_schema(
        tags=["public"],
        summary="Everything public: endpoints and files",
        operation_id="public_root",
        description=(
            "Every public endpoint (URL, title, format, filters, licence, `updated`: live) and every file of the full "
            "dumps (URL, rows, bytes, sha256, licence, `updated`: when it was built), and the manifest's URL."
        ),
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return Response(catalogue(request.build_absolute_uri("/").rstrip("/")))
