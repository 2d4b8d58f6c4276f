"""API plumbing shared by every app: the one error shape and the exception handler."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorBody",
            fields={
                "code": serializers.CharField(help_text="machine-readable reason, e.g. invalid, not_found"),
                "message": serializers.CharField(help_text="what was wrong and what to do, for a person"),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField()),
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
        super().__init__(detail=app_error.message, code=app_error.code)
