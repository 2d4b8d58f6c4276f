"""The reference of bench/api_read.py: the cheapest DRF view, served by the same gunicorn as the real API.

Its throughput is what the stack (gunicorn, Django's middleware, DRF's dispatch and JSON rendering) costs with
no database and no work: the block list's figure is reported as a ratio to it.
"""

from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

BODY = {"status": "ok", "service": "khanij", "items": [1, 2, 3]}


class BareView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response(BODY, headers={"Cache-Control": "no-store, max-age=0"})
