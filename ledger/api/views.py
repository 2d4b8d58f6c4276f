from django.db.models import Max, Min
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ErrorSerializer
from core.fields import StrictCharField
from core.pagination import KeysetCursorPagination
from core.serializers import ModelSerializer
from ledger import signing
from ledger.models import Checkpoint, Entry
from ledger.services import checkpoint_as_dict, ledger_verify


class EntrySerializer(ModelSerializer):
    class Meta:
        model = Entry
        fields = ["seq", "at", "kind", "payload", "prev_hash", "hash"]


class VerificationSerializer(serializers.Serializer):
    ok = serializers.BooleanField(
        help_text="true when every hash recomputes, the chain is unbroken, and the newest signed checkpoint's head "
        "for this stream is on it"
    )
    entries = serializers.IntegerField()
    head_hash = StrictCharField()
    first_bad_seq = serializers.IntegerField(allow_null=True)
    reason = StrictCharField(allow_blank=True)
    checkpoint = serializers.IntegerField(
        allow_null=True, help_text="id of the signed checkpoint the chain was checked against (null: none yet)"
    )


class StreamSerializer(serializers.Serializer):
    stream = StrictCharField()
    verification = VerificationSerializer()
    entries = EntrySerializer(many=True)


class PublicLedgerView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]


class StreamView(PublicLedgerView):
    """A stream of the public ledger with every entry and the result of recomputing its chain."""

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
                    "checkpoint": result.checkpoint,
                },
                "entries": EntrySerializer(entries, many=True).data,
            }
        )


class HeadSerializer(serializers.Serializer):
    stream = StrictCharField()
    seq = serializers.IntegerField(help_text="the stream's last entry when the checkpoint was written")
    hash = StrictCharField(help_text="that entry's hash")


class CheckpointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = StrictCharField(help_text="UTC ISO 8601 time, exactly as signed")
    streams = serializers.IntegerField(help_text="number of streams (heads)")
    heads_hash = StrictCharField(help_text="sha256 of the canonical JSON of the sorted [stream, seq, hash] heads")
    heads = HeadSerializer(many=True)
    key_id = StrictCharField(help_text="id of the public key that verifies the signature (blank: unsigned)")
    signature = StrictCharField(help_text="Ed25519 signature of signed_message, base64 (blank: unsigned)")
    signed_message = StrictCharField(
        help_text='the signed bytes (UTF-8): canonical JSON of {"version", "at", "streams", "heads_hash"}'
    )

    def to_representation(self, instance):
        return super().to_representation(checkpoint_as_dict(instance))


class CheckpointPagination(KeysetCursorPagination):
    page_size = 20
    max_page_size = 100


@extend_schema_view(
    get=extend_schema(
        operation_id="public_ledger_checkpoints",
        summary="Signed checkpoints",
        description=(
            "Every checkpoint of the ledger, newest first: once a minute, a hash over the head (last seq and hash) of "
            "every stream, signed with Ed25519. Save them: a stream rewritten later no longer contains the head a "
            "saved checkpoint recorded (`manage.py verify_ledger --checkpoint FILE`). Public keys: "
            "`/api/v1/public/ledger/keys`."
        ),
        tags=["public"],
    )
)
class CheckpointListView(PublicLedgerView, generics.ListAPIView):
    serializer_class = CheckpointSerializer
    pagination_class = CheckpointPagination
    filter_backends = []
    queryset = Checkpoint.objects.order_by("-at", "-pk")


@extend_schema_view(
    get=extend_schema(
        operation_id="public_ledger_checkpoint",
        summary="One signed checkpoint",
        responses={200: CheckpointSerializer, 404: ErrorSerializer},
        tags=["public"],
    )
)
class CheckpointView(PublicLedgerView, generics.RetrieveAPIView):
    serializer_class = CheckpointSerializer
    queryset = Checkpoint.objects.all()


class PublicKeySerializer(serializers.Serializer):
    key_id = StrictCharField(help_text="first 16 hex digits of sha256 over the 32 raw bytes of the public key")
    public_key = StrictCharField(help_text="Ed25519 public key, base64 of its 32 raw bytes")
    public_key_pem = StrictCharField(help_text="the same key as PEM (SubjectPublicKeyInfo)")
    current = serializers.BooleanField(help_text="true for the key that signs new checkpoints; false: retired")
    first_signed = serializers.DateTimeField(allow_null=True, help_text="its first checkpoint (null: none yet)")
    last_signed = serializers.DateTimeField(allow_null=True, help_text="its last checkpoint (null: none yet)")


class PublicKeyListView(PublicLedgerView):
    @extend_schema(
        operation_id="public_ledger_keys",
        summary="Checkpoint signing keys",
        description=(
            "The Ed25519 public keys that verify checkpoints: the current one first, then the retired ones, each "
            "valid from its first to its last signed checkpoint."
        ),
        responses={200: PublicKeySerializer(many=True)},
        tags=["public"],
    )
    def get(self, request):
        keys = signing.published_keys()
        used = {
            row["key_id"]: row
            for row in Checkpoint.objects.filter(key_id__in=[k.key_id for k in keys])
            .values("key_id")
            .annotate(first_signed=Min("at"), last_signed=Max("at"))
        }
        rows = [
            {
                "key_id": key.key_id,
                "public_key": key.base64,
                "public_key_pem": key.pem,
                "current": key.current,
                "first_signed": used.get(key.key_id, {}).get("first_signed"),
                "last_signed": used.get(key.key_id, {}).get("last_signed"),
            }
            for key in keys
        ]
        return Response(PublicKeySerializer(rows, many=True).data)
