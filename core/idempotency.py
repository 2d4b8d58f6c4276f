"""Idempotent POSTs: a retry with the same `Idempotency-Key` gets the first answer again.

Use it on a DRF APIView method, and document the header with IDEMPOTENCY_KEY_PARAMETER:

    @extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER], responses={201: ..., 409: ErrorSerializer})
    @idempotent(scope="blocks.create")
    def post(self, request): ...

- No header: the request runs as usual.
- A new key: the request runs in one transaction that reserves the key first (one INSERT), then acts, then stores
  the response (one UPDATE): status and body, refusals (4xx) included, so the act and its stored answer commit
  together or not at all. A server error (5xx), an unexpected exception or a dead worker rolls the whole
  transaction back: nothing was done, and the key is free for a retry.
- The same key and the same body again: the stored response, status included, with `Idempotent-Replayed: true`.
- The same key with another body: 409 and nothing runs.
- The same key while the first request is still running: the retry waits on the first's uncommitted key (the
  unique index), then gets its answer, or runs afresh if the first was rolled back.
- `precheck` (optional): a check that may only refuse, never change anything, run after the key is looked up
  (a known key is answered from its record as above) and before it is reserved. A refusal it raises is answered
  and not stored: the request changed nothing, so a retry is judged afresh. The e-auction's offers use it: most
  offers in a busy room are already below the best and are refused without a write.

Keys are scoped to the user and the operation and expire after TTL; `idempotency_purge` (an hourly beat task,
`core.idempotency_purge`) deletes the expired records, so the table holds about a day of keys. The body is
compared as parsed data, so the order of keys and the spacing of the JSON do not make two requests different.
"""

import functools
import hashlib
import hmac
import json
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from core.errors import ApplicationError, Conflict
from core.models import IdempotencyRecord
from core.sql import ModelRow, quote

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
TTL = timedelta(hours=24)

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique key (a fresh UUID) per new request, at most 255 characters. Sending the same key with the same "
        "body again (a retry) returns the first response, status included, with the header "
        "`Idempotent-Replayed: true`, and does nothing twice; a retry sent while the first request is still "
        "running waits for it and gets its answer. The same key with a different body is refused with 409. A "
        "request that fails with a server error did nothing: its retry runs afresh. Keys are kept for 24 hours."
    ),
)


class _Encoder(JSONEncoder):
    def default(self, obj):
        if hasattr(obj, "read") and hasattr(obj, "name"):  # an uploaded file: compare by name and size
            return {"file": obj.name, "size": getattr(obj, "size", None)}
        return super().default(obj)


def _jsonable(data):
    if hasattr(data, "lists"):  # QueryDict from a form or multipart body
        data = dict(data.lists())
    return data


def fingerprint(method: str, path: str, data) -> str:
    """An HMAC (keyed with SECRET_KEY), not a bare hash: a body can hold a sealed offer, which a reader of the
    database must not recover by hashing the few hundred thousand possible percentages."""
    body = json.dumps(_jsonable(data), sort_keys=True, separators=(",", ":"), cls=_Encoder, ensure_ascii=False)
    message = f"{method} {path}\n{body}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _owner(user) -> str:
    return f"user:{user.pk}" if getattr(user, "is_authenticated", False) else "anonymous"


@cache
def _statements() -> dict:
    """The two statements of a fresh key, written once from the model (as the ORM would, without building them
    again on every request: they run on every idempotent POST, the e-auction's offers among them)."""
    meta = IdempotencyRecord._meta
    table = quote(meta.db_table)
    column = {f.name: quote(f.column) for f in meta.concrete_fields}
    owner, scope, key = column["owner"], column["scope"], column["key"]
    return {
        "find": (
            f"SELECT {', '.join(_RECORD.columns('r'))} FROM {table} r "
            f"WHERE r.{owner} = %s AND r.{scope} = %s AND r.{key} = %s"
        ),
        "reserve": (
            f"INSERT INTO {table} ({owner}, {scope}, {key}, {column['request_fingerprint']}, {column['created_at']}) "
            f"VALUES (%s, %s, %s, %s, %s) ON CONFLICT ({owner}, {scope}, {key}) DO NOTHING"
        ),
        # The body goes as the JSON text it was encoded to once (see _store), cast where the column is jsonb.
        "store": (
            f"UPDATE {table} SET {column['response_status']} = %s, {column['response_body']} = "
            f"{'CAST(%s AS jsonb)' if connection.vendor == 'postgresql' else '%s'}, "
            f"{column['completed_at']} = %s WHERE {owner} = %s AND {scope} = %s AND {key} = %s"
        ),
    }


_RECORD = ModelRow(IdempotencyRecord, ["request_fingerprint", "response_status", "response_body", "created_at"])


def _holder(*, owner: str, scope: str, key: str) -> IdempotencyRecord | None:
    """The record holding the key, expired or not (one read)."""
    with connection.cursor() as cursor:
        cursor.execute(_statements()["find"], [owner, scope, key])
        found = cursor.fetchone()
    return _RECORD.build(found) if found else None


def _expired(record: IdempotencyRecord) -> bool:
    return record.created_at < timezone.now() - TTL


def _find(*, owner: str, scope: str, key: str) -> IdempotencyRecord | None:
    """The record holding the key, if it has not expired (one read, no write)."""
    record = _holder(owner=owner, scope=scope, key=key)
    return None if record is None or _expired(record) else record


def _db_value(field: str, value):
    return IdempotencyRecord._meta.get_field(field).get_db_prep_value(value, connection)


def _reserve(*, owner: str, scope: str, key: str, request_fingerprint: str) -> IdempotencyRecord | None:
    """Reserve the key (one INSERT, in the request's transaction) and return None; or return the record that
    already holds it. A request holding the key uncommitted makes the INSERT wait for its end. A record past its
    TTL is removed and the key reserved afresh."""
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(
                _statements()["reserve"],
                [owner, scope, key, request_fingerprint, _db_value("created_at", timezone.now())],
            )
            if cursor.rowcount == 1:
                return None
            record = _holder(owner=owner, scope=scope, key=key)
            if record is None:  # released (a server error) or expired and removed since the INSERT: try again
                continue
            if not _expired(record):
                return record
            IdempotencyRecord.objects.filter(pk=record.pk, created_at=record.created_at).delete()
    raise Conflict(
        f"A request with this {HEADER} is being processed and released at this moment. Send it again.",
        fields={HEADER: ["Send the request again."]},
        code="idempotency_in_progress",
    )


def _store(*, owner: str, scope: str, key: str, response) -> None:
    # Encoded once, as the JSON text the column stores (what JSONField would have written): the e-auction's
    # accepted offers store theirs under the auction's row lock.
    body = json.dumps(response.data, cls=_Encoder, ensure_ascii=False)
    with connection.cursor() as cursor:
        cursor.execute(
            _statements()["store"],
            [
                response.status_code,
                body,
                _db_value("completed_at", timezone.now()),
                owner,
                scope,
                key,
            ],
        )


def _replay(record: IdempotencyRecord, request_fingerprint: str) -> Response:
    if record.request_fingerprint != request_fingerprint:
        raise Conflict(
            f"This {HEADER} was already used for a different request. Send a new key for a new request, or resend "
            "exactly the first request to get its answer again.",
            fields={HEADER: ["Already used with a different request body."]},
            code="idempotency_key_reused",
        )
    if record.response_status is None:  # reserved and committed apart from its answer (before the act and its
        # answer shared one transaction): still running, or its worker died; the key is free at its TTL
        raise Conflict(
            f"A request with this {HEADER} is still being processed. Wait a moment, then send it again to get "
            "its answer.",
            fields={HEADER: ["The first request with this key has not finished yet."]},
            code="idempotency_in_progress",
        )
    return Response(record.response_body, status=record.response_status, headers={REPLAYED_HEADER: "true"})


def idempotent(*, scope: str, precheck=None):
    """Decorate an APIView method so that it honours the Idempotency-Key header (see the module docstring).
    `precheck(view, request, *args, **kwargs)`, if given, may refuse by raising; it must not write."""

    def decorator(method):
        @functools.wraps(method)
        def wrapper(view, request, *args, **kwargs):
            key = request.headers.get(HEADER)
            if key is None:
                return method(view, request, *args, **kwargs)
            key = key.strip()
            if not key or len(key) > MAX_KEY_LENGTH:
                raise ApplicationError(
                    f"The {HEADER} header must hold 1 to {MAX_KEY_LENGTH} characters; send a fresh UUID with each "
                    "new request.",
                    fields={HEADER: [f"Give 1 to {MAX_KEY_LENGTH} characters."]},
                    code="invalid_idempotency_key",
                )
            request_fingerprint = fingerprint(request.method, request.path, request.data)
            names = {"owner": _owner(request.user), "scope": scope, "key": key}
            if precheck is not None:
                record = _find(**names)
                if record is not None:
                    return _replay(record, request_fingerprint)
                try:
                    precheck(view, request, *args, **kwargs)
                except Exception as exc:  # noqa: BLE001 - answered as dispatch() would; nothing was done to store
                    return view.handle_exception(exc)
            with transaction.atomic():
                record = _reserve(**names, request_fingerprint=request_fingerprint)
                if record is None:
                    try:
                        response = method(view, request, *args, **kwargs)
                    except Exception as exc:  # noqa: BLE001 - turned into a response by DRF, as dispatch() would
                        response = view.handle_exception(exc)
                    if response.status_code >= 500 or connection.needs_rollback:
                        transaction.set_rollback(True)  # nothing done, nothing stored: a retry runs afresh
                    else:
                        _store(**names, response=response)
            if record is not None:
                return _replay(record, request_fingerprint)
            return response

        return wrapper

    return decorator


PURGE_BATCH = 10_000


def idempotency_purge() -> int:
    """Delete the records past their TTL (no retry can use them any more), in batches so that no statement holds
    many rows at once; return how many went."""
    cutoff = timezone.now() - TTL
    expired = IdempotencyRecord.objects.filter(created_at__lt=cutoff)
    purged = 0
    while batch := list(expired.values_list("pk", flat=True)[:PURGE_BATCH]):
        purged += IdempotencyRecord.objects.filter(pk__in=batch, created_at__lt=cutoff).delete()[0]
    return purged
