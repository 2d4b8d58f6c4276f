"""Formats of Indian company identifiers, with messages a person can act on."""

import re

from django.core.exceptions import ValidationError

CIN_RE = re.compile(r"^[LU]\d{5}[A-Z]{2}\d{4}[A-Z]{3}\d{6}$")
PAN_RE = re.compile(r"^[A-Z]{5}\d{4}[A-Z]$")


def validate_cin(value: str) -> None:
    if not CIN_RE.match(value or ""):
        raise ValidationError(
            "A Corporate Identification Number has 21 characters: L or U, 5 digits, the 2-letter State code, "
            "the 4-digit year, 3 letters for the company type and 6 digits, e.g. U13100MH2020PTC123456.",
            code="invalid_cin",
        )


def validate_pan(value: str) -> None:
    if not PAN_RE.match(value or ""):
        raise ValidationError(
            "A PAN has 10 characters: 5 letters, 4 digits and a letter, e.g. AAACK1234F.",
            code="invalid_pan",
        )
