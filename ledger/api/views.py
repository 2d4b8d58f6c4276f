from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer
from ledger.models import Entry
from ledger.services import ledger_verify


class EntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Entry
        fields = ["seq", "at", "kind", "payload", "prev_hash", "hash"]


class VerificationSerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="true when every hash recomputes and the chain is unbroken")
    entries = serializers.IntegerField()
    head_hash = serializers.CharField()
    first_bad_seq = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)


class StreamSerializer(serializers.Serializer):
    stream = serializers.CharField()
    verification = VerificationSerializer()
    entries = EntrySerializer(many=True)


class StreamView(APIView):
    """A stream of the public ledger with every entry and the result of recomputing its chain."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="public_ledger_stream",
        responses={200: StreamSerializer, 404: ErrorSerializer},
        tags=["public"],
    )
    def get(self, request, stream):
        result = ledger_verify(stream=stream)
        entries = Entry.objects.filter(stream=stream).order_by("seq")
        return Response(
            {
                "stream": stream,
                "verification": {
                    "ok": result.ok,
                    "entries": result.entries,
                    "head_hash": result.head_hash,
                    "first_bad_seq": result.first_bad_seq,
                    "reason": result.reason,
                },
                "entries": EntrySerializer(entries, many=True).data,
            }
        )
