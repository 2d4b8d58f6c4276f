"""The OpenAPI schema's generator (drf-spectacular's AutoSchema, the project's DEFAULT_SCHEMA_CLASS), with what every
operation shares and no view should have to repeat:

- a paginated list documents the refusals of its paginator (a damaged cursor, a page size or page that is not a
  whole number from 1, a page past the last), from the paginator's own `schema_errors` (core.pagination);
- an operation that reads a body documents what DRF answers to a body it cannot read: 400 (`parse_error`, e.g.
  malformed JSON) and 415 (another media type);
- a query parameter that may be sent empty says so (`allowEmptyValue`): django-filter, and DRF's search, ordering
  and format override, read an empty value as no filter, which is what a form's "any" option sends (core.filters);
  so do the views' own parameters declared with `allow_blank` (OpenApiParameter's default; core.api.query_choice).
"""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from core.api import ErrorSerializer

UNREADABLE_BODY = "`parse_error`: the body cannot be read as its Content-Type says (malformed JSON or form)."
UNSUPPORTED_MEDIA_TYPE = (
    "`unsupported_media_type`: the body is not of a media type this operation reads (see its request body)."
)


def _may_be_empty(parameters):
    for parameter in parameters:
        if parameter.get("in") == OpenApiParameter.QUERY:
            parameter["allowEmptyValue"] = True
    return parameters


class AutoSchema(openapi.AutoSchema):
    def _get_filter_parameters(self):
        return _may_be_empty(super()._get_filter_parameters())

    def _get_format_parameters(self):
        return _may_be_empty(super()._get_format_parameters())

    def _process_override_parameters(self, direction="request"):
        parameters = super()._process_override_parameters(direction)
        for declared in self.get_override_parameters():
            built = parameters.get((getattr(declared, "name", None), getattr(declared, "location", None)))
            if built and declared.location == OpenApiParameter.QUERY and declared.allow_blank:
                built["allowEmptyValue"] = True
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {}
        if self._get_pagination_parameters():
            errors.update(getattr(self._get_paginator(), "schema_errors", {}))
        if self.method in ("POST", "PUT", "PATCH") and self._get_request_body() is not None:
            errors[400] = UNREADABLE_BODY
            errors[415] = UNSUPPORTED_MEDIA_TYPE
        for code, text in errors.items():
            code = str(code)
            if code in responses:
                responses[code]["description"] = f"{responses[code]['description']} {text}".strip()
            else:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=text), code, direction=direction
                )
        return responses
