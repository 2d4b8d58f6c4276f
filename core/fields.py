"""Reading numbers and dates from the JSON API exactly as a person wrote them (issue 12).

- A JSON number is kept with its text (`JSONNumber`, a float that remembers what was sent), so a money or
  percentage field reads `37.65000000000000000001` as written and refuses its extra places, instead of reading
  it through a float as 37.65. Everything else (GeoJSON coordinates) still sees a float.
- A number is written with the ASCII digits 0-9, an optional sign, decimal point and exponent (`25e8` is exact):
  `1_000` (which Python's Decimal accepts), `1,000` or digits of another script are refused with a message saying
  how to write it.
  The pages convert Devanagari digits a Hindi reader types before they reach the services.
- A date is a real day of this era: a year before 1900 or after 2199 (`0639-04-01` for `2039-04-01`) is refused.
- Text is text: DRF's CharField (and every field built on it: email, slug, URL, regex, IP address) and its
  ChoiceField read a JSON number as its digits (`{"reason": 251}` became the reason "251"), where the OpenAPI
  document says string. The `Strict*` fields below refuse a number, true/false, a list or an object with "Send
  text, not a number." (the usual error shape, the field named). Every serializer uses them: explicitly, and
  through `core.serializers.ModelSerializer` for model fields; tests/test_architecture.py forbids DRF's own.
"""

import codecs
import decimal
import json
import re

from django.conf import settings
from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError
from rest_framework.fields import empty
from rest_framework.utils import html

_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
FIRST_YEAR, LAST_YEAR = 1900, 2199


class JSONNumber(float):
    """A JSON number with a fraction or exponent: a float, that keeps the text it was read from."""

    __slots__ = ("text",)

    def __new__(cls, text: str):
        number = super().__new__(cls, text)
        number.text = text
        return number


def _no_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


class ExactJSONParser(parsers.JSONParser):
    """DRF's JSON parser, with numbers that keep their text (NaN and Infinity refused, as with STRICT_JSON)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.load(codecs.getreader(encoding)(stream), parse_float=JSONNumber, parse_constant=_no_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc


class ExactDecimalField(serializers.DecimalField):
    """A DecimalField that reads exactly what was sent: the JSON number's own text, in ASCII digits only."""

    default_error_messages = {
        "not_plain": "Write the number with the digits 0-9 and an optional decimal point, e.g. 12.50; "
        "not {given} (no thousands separators, underscores or other scripts' digits).",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, JSONNumber):
            data = data.text
        elif isinstance(data, float):  # a float from elsewhere than the JSON body: its text is all there is
            data = repr(data)
        elif isinstance(data, str):
            text = data.strip()
            if text and not _PLAIN_NUMBER.match(text):
                self.fail("not_plain", given=text[:40])
            data = text
        return super().to_internal_value(data)

    def quantize(self, value):
        """DRF rounds to `decimal_places` before it checks `min_value` and `max_value`; without `max_digits` a huge
        number (-2.19e+56) cannot be rounded at the context's precision and raised InvalidOperation, a 500."""
        try:
            return super().quantize(value)
        except decimal.InvalidOperation:
            if self.max_value is not None and value > self.max_value:
                self.fail("max_value", max_value=self.max_value)
            if self.min_value is not None and value < self.min_value:
                self.fail("min_value", min_value=self.min_value)
            self.fail("max_string_length")


class DateField(serializers.DateField):
    """A DateField that refuses a year no one meant (before 1900 or after 2199), and an empty date sent in a form:
    DRF reads a form's empty optional field as not sent, so that `net_worth_as_of=` in a multipart PATCH answered
    200 and changed nothing, where the sender meant a date."""

    default_error_messages = {
        "implausible": "{year:04d} is not a year this can be: give the date as YYYY-MM-DD with a four-digit year "
        f"between {FIRST_YEAR} and {LAST_YEAR}.",
    }

    def get_value(self, dictionary):
        if html.is_html_input(dictionary) and dictionary.get(self.field_name) == "" and not self.allow_null:
            return ""
        return super().get_value(dictionary)

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            self.fail("implausible", year=day.year)
        return day


class BooleanField(serializers.BooleanField):
    """A BooleanField that a form must send too: DRF reads a form without the field as false (an unticked checkbox),
    so a regulator's evaluation posted as a form without `qualified` disqualified the bid."""

    default_empty_html = empty


def _kind_of(data) -> str:
    """What a value that is not text is, in the words of the message that refuses it."""
    if isinstance(data, bool):
        return "true or false"
    if isinstance(data, int | float | decimal.Decimal):
        return "a number"
    if isinstance(data, list | tuple):
        return "a list"
    if isinstance(data, dict):
        return "an object"
    return "a file" if hasattr(data, "read") else "a value of another type"


class _Text:
    """Refuses anything but a string before DRF's own reading, which turns a number into its digits."""

    default_error_messages = {"not_text": "Send text, not {kind}."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text", kind=_kind_of(data))
        return super().to_internal_value(data)


class StrictCharField(_Text, serializers.CharField):
    """Text, and only text: a JSON number is refused, not read as its digits."""


class StrictEmailField(_Text, serializers.EmailField):
    """An email address sent as text."""


class StrictSlugField(_Text, serializers.SlugField):
    """A slug sent as text (DRF's reads 251 as the valid slug "251")."""


class StrictURLField(_Text, serializers.URLField):
    """A web address sent as text."""


class StrictRegexField(_Text, serializers.RegexField):
    """Text matching a pattern (DRF's reads 202501 as "202501" and matches it against the pattern)."""


class StrictIPAddressField(_Text, serializers.IPAddressField):
    """An IP address sent as text."""


class _TextChoice:
    """A choice among text values is sent as text: DRF's ChoiceField looks up str(value), so 1 chose "1". Choices that
    are not all text (numbers) keep DRF's reading."""

    default_error_messages = {"not_text": "Send text, not {kind}: one of the allowed values as a string."}

    def _text_choices(self) -> bool:
        return all(isinstance(value, str) for value in self.choice_strings_to_values.values())

    def to_internal_value(self, data):
        if not isinstance(data, str) and self._text_choices():
            self.fail("not_text", kind=_kind_of(data))
        return super().to_internal_value(data)


class StrictChoiceField(_TextChoice, serializers.ChoiceField):
    """One of the choices; a text choice must be sent as text."""


class _BlankAsNull:
    """Answers null where the model stores an empty string: a format (uri, email) describes a value, and "" is no
    value of it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return super().to_representation(value) if value else None


class OptionalURLField(_BlankAsNull, StrictURLField):
    """A web address, or null when none is recorded."""


class OptionalEmailField(_BlankAsNull, StrictEmailField):
    """An email address, or null when none is recorded."""
