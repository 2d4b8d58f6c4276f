"""The OpenAPI schema's generator (drf-spectacular's AutoSchema, the project's DEFAULT_SCHEMA_CLASS), with what every
operation shares and no view should have to repeat:

- a paginated list documents the refusals of its paginator (a damaged cursor, a page size or page that is not a
  whole number from 1, a page past the last), from the paginator's own `schema_errors` (core.pagination);
- a filter parameter may be sent empty (`allowEmptyValue`): django-filter, and DRF's search and ordering, read an
  empty value as no filter, which is what a form's "any" option sends (core.filters)."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse

from core.api import ErrorSerializer


class AutoSchema(openapi.AutoSchema):
    def _get_filter_parameters(self):
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            if parameter.get("in") == "query":
                parameter["allowEmptyValue"] = True
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if not self._get_pagination_parameters():
            return responses
        for code, text in getattr(self._get_paginator(), "schema_errors", {}).items():
            code = str(code)
            if code in responses:
                responses[code]["description"] = f"{responses[code]['description']} {text}".strip()
            else:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=text), code, direction=direction
                )
        return responses
