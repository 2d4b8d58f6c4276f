"""What every public list's filters share (django-filter): one FilterSet serves a portal page, its API and its CSV.

An unknown value is an error that names the allowed values (never silently ignored), so a typing error in a URL
does not return the whole list as though it matched; a form's "any" option (value "") means no filter; and a sort
ends with a unique key, so that equal values keep one order on every page. A whole number (`IntegerFilter`) and
true or false (`BooleanFilter`) are read strictly too: django-filter's own would take 0.5 for a whole number, and
"null" or "yes" for no filter at all.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django_filters import rest_framework as filters


def _given_values(data, name) -> list[str]:
    if hasattr(data, "getlist"):
        values = data.getlist(name)
    else:
        raw = data.get(name)
        values = raw if isinstance(raw, list | tuple) else [raw]
    out = []
    for value in values:
        out += [v.strip() for v in str(value).split(",")] if name == "ordering" else [str(value).strip()]
    return [v for v in out if v]


class IntegerFilter(filters.NumberFilter):
    """A whole number (django-filter's NumberFilter reads a decimal)."""

    field_class = forms.IntegerField


class _TrueOrFalse(forms.Field):
    widget = forms.TextInput  # the raw text: NullBooleanField's widget turns what it does not know into "any"

    def to_python(self, value):
        text = str(value or "").strip().lower()
        if text in ("", "true", "false"):
            return {"": None, "true": True, "false": False}[text]
        raise ValidationError("Give true or false; %(value)s is neither.", code="invalid", params={"value": value})


class BooleanFilter(django_filters.BooleanFilter):
    """true or false; empty means no filter; anything else is refused. (The plain BooleanFilter: the DRF one puts
    back a widget that reads what it does not know as no filter.)"""

    field_class = _TrueOrFalse


class TieBreakOrdering(filters.OrderingFilter):
    """The `ordering` parameter: sorts by the chosen keys, then by `tie_break`, a unique key (`tie_break_label`
    names it for a person), so that equal values keep one order everywhere."""

    def __init__(self, *, fields, tie_break: str, tie_break_label: str):
        self.tie_break = tie_break
        super().__init__(
            fields=fields,
            label="ordering",
            help_text=f"Sort key; prefix with - for descending. Ties are broken by {tie_break_label}.",
        )

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        if not {self.tie_break, f"-{self.tie_break}"} & set(ordering):
            ordering.append(self.tie_break)
        return qs.order_by(*ordering)


class FilterForm(forms.Form):
    """Rewrites a refused choice into a message that names the refused and the allowed values."""

    def clean(self):
        cleaned = super().clean()
        for name in list(self.errors):
            field = self.fields.get(name)
            choices = getattr(field, "choices", None)
            if choices is None:
                continue
            allowed = [str(value) for value, _label in choices if str(value) != ""]
            refused = [v for v in _given_values(self.data, name) if v not in allowed] or _given_values(self.data, name)
            label = str(field.label or name).lower()
            # The values a person typed go in as params, never into the message itself: Django and DRF format
            # a message with %, and a typed "%" would otherwise break the answer into a server error.
            message = "%(refused)s is not a known %(label)s. Allowed values: %(allowed)s."
            params = {"refused": ", ".join(refused), "label": label, "allowed": ", ".join(allowed)}
            self.errors[name] = self.error_class([ValidationError(message, code="invalid_choice", params=params)])
        return cleaned


def _without_blanks(data):
    """The query without empty values: a form's "any" option (value "") means no filter, not an unknown value."""
    if hasattr(data, "getlist"):
        cleaned = QueryDict(mutable=True)
        for key in data:
            values = [v for v in data.getlist(key) if str(v).strip()]
            if values:
                cleaned.setlist(key, values)
        return cleaned
    return {k: v for k, v in data.items() if v not in (None, "", [], ())}


class PublicFilterSet(filters.FilterSet):
    """The base of a public list's filters: a subclass declares its filters, and its Meta, extending this one's,
    names its model."""

    class Meta:
        fields = []  # the declared filters only
        form = FilterForm

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(None if data is None else _without_blanks(data), *args, **kwargs)
