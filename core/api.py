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


def _flatten(detail):
    if isinstance(detail, dict):
        return {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {}


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
