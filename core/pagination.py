"""Cursor pagination on a stable, unique ordering (keyset), for public lists that change while they are read; page
numbers for the regulator's registry. Both refuse a page size or a page that is not a whole number from 1 with a 400
that says so, where DRF would silently answer the first page (or a 404 for page 0); each says in `schema_errors`
what its refusals mean, and core.schema documents them on every list that uses it."""

import abc
import base64
import binascii
import datetime
import json
import operator
import re
from decimal import Decimal
from functools import reduce

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, LimitOffsetPagination, PageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

_WHOLE_NUMBER = re.compile(r"^[0-9]+$")  # ASCII digits only: int() would also take " 5", "+5", "٥" and "1_0"
_HUGE = 10**18


def _whole_number(request, name: str) -> int | None:
    """The query parameter `name` as a whole number from 1, None when absent; refused (400) otherwise."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    number = (int(raw) if len(raw) <= 18 else _HUGE) if _WHOLE_NUMBER.match(raw) else 0
    if number < 1:
        raise ValidationError({name: [f"{name} must be a whole number from 1, e.g. {name}=20; {raw[:40]!r} is not."]})
    return number


class StrictPageSize:
    """`page_size` from 1 (more than `max_page_size` gives `max_page_size`); anything else is refused."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        size = _whole_number(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = (
                    f"Number of results per page, from 1 (at most {self.max_page_size}: a larger number gives "
                    f"{self.max_page_size}; default {self.page_size})."
                )
        return parameters


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """DRF's limit and offset, each a whole number (limit from 1, at most `max_limit`; offset from 0); anything else
    is refused (400) instead of being read as the default."""

    def get_limit(self, request):
        limit = _whole_number(request, self.limit_query_param)
        return self.default_limit if limit is None else min(limit, self.max_limit or limit)

    def get_offset(self, request):
        raw = request.query_params.get(self.offset_query_param)
        if raw is None or raw == "0":
            return 0
        return _whole_number(request, self.offset_query_param)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1 if parameter["name"] == self.limit_query_param else 0
        return parameters


class NumberedPagination(StrictPageSize, PageNumberPagination):
    """DRF's page numbers, with `page` a whole number from 1 (400 otherwise) and a page past the last a 404 that
    says how many pages there are."""

    page_size = 50
    schema_errors = {
        400: "`invalid`: `page` or `page_size` is not a whole number from 1; `fields` names which.",
        404: "`not_found`: there is no such page; the message says how many pages the list has.",
    }

    def get_page_number(self, request, paginator):
        number = _whole_number(request, self.page_query_param)
        return 1 if number is None else number

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            pages = self.django_paginator_class(queryset, self.get_page_size(request)).num_pages
            counted = f"{pages} page{'' if pages == 1 else 's'}"
            raise NotFound(f"There is no page {self.get_page_number(request, None)}: the list has {counted}.") from exc

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


def _reverse(ordering):
    return tuple(item[1:] if item.startswith("-") else f"-{item}" for item in ordering)


def _nullable(model, name) -> bool:
    if name == "pk":
        return False
    try:
        return model._meta.get_field(name).null
    except FieldDoesNotExist:
        return True


def _order_by(ordering, model):
    """Order expressions in which null sorts as the smallest value, the same on PostgreSQL and SQLite.

    A column that cannot be null is ordered plainly: PostgreSQL serves `ORDER BY code` from the index on code,
    but not `ORDER BY code NULLS FIRST`, which sorts the whole table (bench/api_read.py: 115 ms at 100,000 rows).
    """
    expressions = []
    for item in ordering:
        name, descending = item.lstrip("-"), item.startswith("-")
        if not _nullable(model, name):
            expressions.append(F(name).desc() if descending else F(name).asc())
        else:
            expressions.append(F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_first=True))
    return expressions


def _after(name, descending, value):
    """Rows whose `name` comes strictly after `value` (None when no row can)."""
    if value is None:
        return None if descending else Q(**{f"{name}__isnull": False})
    if descending:
        return Q(**{f"{name}__lt": value}) | Q(**{f"{name}__isnull": True})
    return Q(**{f"{name}__gt": value})


def _equal(name, value):
    return Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class KeysetCursorPagination(StrictPageSize, CursorPagination):
    """DRF's CursorPagination with a cursor that holds the whole sort key of the row it points at.

    DRF's own cursor keeps only the first sort field and an offset among rows with an equal value, which
    breaks beyond 1,000 equal values (its offset cutoff) and on null values. Here the ordering is the
    queryset's own (the FilterSet's `ordering`, else its default), made unique by appending the primary key
    unless its last field is unique, and a page starts strictly after (going back: before) the cursor's key,
    so walking the pages yields every row once, however many rows share a value. Null sorts as the smallest
    value (first ascending, last descending) on every database.
    """

    page_size = 50
    ordering = ("pk",)
    cursor_query_description = "Opaque position in the list: follow the `next` and `previous` links as given."
    schema_errors = {
        400: "`invalid`: a `cursor` the API did not give out, or for another ordering (start again without one), "
        "or a `page_size` that is not a whole number from 1; `fields` names which.",
    }

    def get_ordering(self, request, queryset, view):
        ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering) or list(self.ordering)
        if not all(isinstance(item, str) for item in ordering):
            raise TypeError("KeysetCursorPagination needs a queryset ordered by field names, not expressions.")
        last = ordering[-1].lstrip("-")
        if not self._is_unique(queryset.model, last):
            ordering.append("pk")
        return tuple(ordering)

    def fetch(self, queryset, limit: int) -> list:
        """The first `limit` rows of the ordered, filtered queryset: one query. A subclass may read them otherwise
        (see TwoStepCursorPagination)."""
        return list(queryset[:limit])

    @staticmethod
    def _is_unique(model, name):
        if name == "pk":
            return True
        try:
            return model._meta.get_field(name).unique
        except FieldDoesNotExist:
            return False

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self.cursor = self.decode_cursor(request)
        reverse, key = self.cursor if self.cursor is not None else (False, None)

        ordering = _reverse(self.ordering) if reverse else self.ordering
        queryset = queryset.order_by(*_order_by(ordering, queryset.model))
        if key is None:
            rows = self.fetch(queryset, self.page_size + 1)
        else:
            try:
                rows = self.fetch(queryset.filter(self._beyond(ordering, key)), self.page_size + 1)
            except (ValueError, TypeError, DjangoValidationError) as exc:
                raise self._invalid("This cursor is damaged; start again without a cursor.") from exc
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if reverse:
            self.page.reverse()
            self.has_previous, self.has_next = more, True
        else:
            self.has_previous, self.has_next = key is not None, more
        self.display_page_controls = self.has_previous or self.has_next
        return self.page

    @staticmethod
    def _beyond(ordering, key):
        """Rows strictly after `key` in `ordering`: (a > x) or (a = x and b > y) or ...; null sorts as the smallest."""
        alternatives = []
        for i, item in enumerate(ordering):
            after = _after(item.lstrip("-"), item.startswith("-"), key[i])
            if after is not None:
                alternatives.append(
                    reduce(operator.and_, [_equal(o.lstrip("-"), key[j]) for j, o in enumerate(ordering[:i])], after)
                )
        return reduce(operator.or_, alternatives, Q(pk__in=[]))

    def _key(self, instance):
        """The sort key of a row: a model instance, or a dict of a `.values()` queryset that has every sort field."""
        if isinstance(instance, dict):
            return [_plain(instance[item.lstrip("-")]) for item in self.ordering]
        return [_plain(getattr(instance, item.lstrip("-"))) for item in self.ordering]

    def get_next_link(self):
        if not self.has_next:
            return None
        if not self.page:
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self.encode_cursor((False, self._key(self.page[-1])))

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if not self.page:
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self.encode_cursor((True, self._key(self.page[0])))

    def encode_cursor(self, cursor):
        reverse, key = cursor
        payload = json.dumps({"o": list(self.ordering), "k": key, "r": int(reverse)}, separators=(",", ":"))
        encoded = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
            ordering, key, reverse = payload["o"], payload["k"], bool(payload["r"])
        except (binascii.Error, ValueError, TypeError, KeyError) as exc:
            raise self._invalid("This cursor is not one the API gave out; start again without a cursor.") from exc
        if ordering != list(self.ordering):
            raise self._invalid(
                "This cursor belongs to another ordering; keep the ordering of the request that gave it, "
                "or start again without a cursor."
            )
        if not isinstance(key, list) or len(key) != len(self.ordering) or any(isinstance(v, dict | list) for v in key):
            raise self._invalid("This cursor is damaged; start again without a cursor.")
        return reverse, key

    def _invalid(self, message):
        return ValidationError({self.cursor_query_param: [message]})


class TwoStepCursorPagination(KeysetCursorPagination, abc.ABC):
    """Keyset pages read in two steps when the view says its filters are selective only together (`two_step`): the
    page's keys first (`SELECT id ... ORDER BY ... LIMIT`, which PostgreSQL can answer from indexes alone, e.g. an
    index on `(state, code) INCLUDE (id)` joined to a mineral index), then those rows by key from `rows_by_key`.
    In one step PostgreSQL reads every row of the State from the table before the mineral's join keeps a few
    (bench/api_read.py at 100,000 blocks: 3,478 rows from 2,792 pages for a page of 50). Two queries, whatever the
    number of rows."""

    two_step = False

    @abc.abstractmethod
    def rows_by_key(self, keys: list) -> dict:
        """Key -> row of the page's keys, as the one-step page would have given them (any order)."""

    def fetch(self, queryset, limit: int) -> list:
        if not self.two_step:
            return super().fetch(queryset, limit)
        keys = list(queryset.values_list("pk", flat=True)[:limit])
        rows = self.rows_by_key(keys) if keys else {}
        return [rows[key] for key in keys if key in rows]
