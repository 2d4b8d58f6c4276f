"""API plumbing shared by every app: the one error shape and the exception handler, and `ActApi`, the base of a
POST that is one service call."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError
from core.fields import StrictCharField
from core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorBody",
            fields={
                "code": StrictCharField(help_text="machine-readable reason, e.g. invalid, not_found"),
                "message": StrictCharField(help_text="what was wrong and what to do, for a person"),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=StrictCharField()),
                    help_text="per-field messages, keyed by field name",
                ),
            },
        )
    },
)


def _child_name(prefix, key) -> str:
    if isinstance(key, int):  # a ListField's child errors are keyed by index
        return f"{prefix}[{key + 1}]"
    return f"{prefix}.{key}" if prefix else str(key)


def _flatten(detail, prefix=""):
    """DRF's error detail as {field: [messages]}. Nested errors get dotted keys with 1-based positions, as the
    services name them: {"resources": [{}, {"quantity_tonnes": [...]}]} -> {"resources[2].quantity_tonnes": [...]}."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            for field, messages in _flatten(value, _child_name(prefix, key)).items():
                fields.setdefault(field, []).extend(messages)
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for position, item in enumerate(detail, start=1):  # a nested serializer with many=True
            for field, messages in _flatten(item, f"{prefix}[{position}]").items():
                fields.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        fields[prefix or "non_field_errors"] = [str(m) for m in detail]
    elif detail:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        exc = _ApplicationAPIException(exc)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, _ApplicationAPIException):
        body = {"code": exc.app_error.code, "message": exc.app_error.message, "fields": exc.app_error.fields}
    elif isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.items()), ("", ["Invalid input."]))
        label = "" if first[0] in ("non_field_errors", "") else f"{first[0]}: "
        body = {"code": "invalid", "message": f"{label}{first[1][0]}", "fields": fields}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {
            "code": code if isinstance(code, str) else "error",
            "message": str(detail),
            "fields": {},
        }
    response.data = {"error": body}
    return response


class _ApplicationAPIException(exceptions.APIException):
    def __init__(self, app_error: ApplicationError):
        self.app_error = app_error
        self.status_code = app_error.status_code
        self.wait = app_error.retry_after  # DRF's handler turns `wait` into the Retry-After header
        super().__init__(detail=app_error.message, code=app_error.code)


def query_choice(request, name: str, choices) -> str | None:
    """The query parameter `name`, one of `choices`; None when absent or empty (a form's "any"); refused with a 400
    that names the allowed values otherwise, rather than read as no filter."""
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    if value not in choices:
        allowed = ", ".join(str(choice) for choice in choices)
        raise exceptions.ValidationError({name: [f"{value[:40]} is not a known {name}. Allowed values: {allowed}."]})
    return value


def query_text(request, name: str, *, max_length: int = 200) -> str:
    """The query parameter `name` as text, stripped ("" when absent); refused (400) when longer than `max_length` or
    holding a NUL character, which PostgreSQL cannot compare (it was a 500)."""
    value = request.query_params.get(name, "").strip()
    if "\x00" in value:
        raise exceptions.ValidationError({name: ["Remove the NUL character (%00) from the text."]})
    if len(value) > max_length:
        raise exceptions.ValidationError({name: [f"At most {max_length} characters; this has {len(value)}."]})
    return value


# --- Acts: a POST that is one service call ------------------------------------------------------------------------


def error_response(description: str) -> OpenApiResponse:
    """An answer of the one error shape, documented by what its codes mean."""
    return OpenApiResponse(ErrorSerializer, description=description)


UNAUTHENTICATED = error_response(
    "`not_authenticated`: not signed in; send `Authorization: Token <token>` or a session cookie. `token_invalid`: the "
    "token was revoked or never issued; `token_expired`: it is past its expiry; `account_inactive`: its account is "
    "deactivated. Each message says what to do (a new token: `POST /api/v1/auth/token`)."
)
IDEMPOTENCY_INVALID = "`invalid_idempotency_key`: the Idempotency-Key is empty or over 255 characters."
IDEMPOTENCY_CONFLICT = (
    "`idempotency_key_reused`: the Idempotency-Key was used with another body; `idempotency_in_progress`: the "
    "first request with this key has not finished."
)


@dataclass(frozen=True)
class ActDoc:
    """What the OpenAPI schema says of one act that its bases do not: its texts, and what its 400 and 409 mean
    (the 400 and the 409 gain the Idempotency-Key's refusals when the act is idempotent)."""

    operation_id: str
    summary: str
    conflict: str
    description: str | None = None
    bad: str | None = None

    def schema(self, view) -> dict:
        """The arguments of `extend_schema` for the act `view` (a subclass of ActApi)."""
        request = view.InputSerializer
        if view.request_media:
            request = dict.fromkeys(view.request_media, view.InputSerializer)
        conflict = f"{self.conflict} {IDEMPOTENCY_CONFLICT}" if view.idempotency_scope else self.conflict
        bad = [text for text in (self.bad, view.idempotency_scope and IDEMPOTENCY_INVALID) if text]
        parameters = [IDEMPOTENCY_KEY_PARAMETER] if view.idempotency_scope else []
        if view.answer_location:
            parameters.append(
                OpenApiParameter(
                    "Location",
                    {"type": "string", "format": "uri-reference"},  # a path on this site, e.g. /api/v1/...
                    location=OpenApiParameter.HEADER,
                    required=True,
                    response=[view.answer_status],
                    description=view.answer_location_text,
                )
            )
        return {
            "operation_id": self.operation_id,
            "tags": view.doc_tags,
            "summary": self.summary,
            "description": self.description,
            "parameters": parameters or None,
            "request": request,
            "responses": {
                view.answer_status: view.serializer_class,
                **({400: error_response(" ".join(bad))} if bad else {}),
                401: UNAUTHENTICATED,
                403: view.forbidden,
                404: view.missing,
                409: error_response(conflict),
            },
        }


def reason_input(ref_name: str, *, max_length: int, help_text: str) -> type[serializers.Serializer]:
    """The body of an act that takes only a reason (a rejection, a revocation): `{"reason": "..."}`."""
    meta = type("Meta", (), {"ref_name": ref_name})
    field = StrictCharField(max_length=max_length, help_text=help_text)
    return type(f"{ref_name}Serializer", (serializers.Serializer,), {"reason": field, "Meta": meta})


# The base of an act: a POST on the object its path names (`pk`) that is one service call. A subclass states what
# differs, a base of acts what its acts share:
#
# - `act`: the service, `staticmethod(svc.<noun>_<verb>)`; called with `actor`, the `pk` by the service's name for
#   it (`act_on`, e.g. "licence_id") and the validated `InputSerializer` (None: the act reads no body);
# - `answer(pk, result)`: the response's body (by default the service's result in `serializer_class`), with the
#   status `answer_status`;
# - `idempotency_scope`: when set, a retry with the same Idempotency-Key gets the first answer again
#   (core.idempotency);
# - `doc`: the act's own schema texts (ActDoc); the rest of its schema comes from `doc_tags`, `forbidden` (its
#   403), `missing` (its 404), `request_media` (the body's media types in their order, when not the parsers');
# - `answer_location`: the URL name of where the answer points (e.g. an opening's progress, for a 202), sent as the
#   `Location` header of the `answer_status` answer (a replay's too) and declared in the schema with
#   `answer_location_text`.
#
# (A comment, not a docstring: drf-spectacular would describe every act without a description of its own with the
# docstring of a base class.)
class ActApi(generics.GenericAPIView):
    act = None
    act_on = "pk"
    InputSerializer = None
    idempotency_scope = None
    answer_status = status.HTTP_200_OK
    doc: ActDoc | None = None
    doc_tags: list[str] = []
    forbidden: OpenApiResponse
    missing: OpenApiResponse
    request_media: tuple[str, ...] = ()
    answer_location: str | None = None
    answer_location_text: str = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "doc" not in cls.__dict__:
            return  # a base of acts
        if cls.idempotency_scope:
            cls.post = idempotent(scope=cls.idempotency_scope)(cls.post)
        extend_schema_view(post=extend_schema(**cls.doc.schema(cls)))(cls)

    def post(self, request, pk):
        data = {}
        if self.InputSerializer is not None:
            serializer = self.InputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        result = self.act(actor=request.user, **{self.act_on: pk}, **data)
        return Response(self.answer(pk, result), status=self.answer_status)

    def answer(self, pk, result):
        return self.serializer_class(result).data

    def finalize_response(self, request, response, *args, **kwargs):
        """The answer's `Location` (the URL named `answer_location`, of the same `pk`), a replayed answer's too."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.answer_location and response.status_code == self.answer_status:
            response["Location"] = reverse(self.answer_location, args=[kwargs["pk"]])
        return response
