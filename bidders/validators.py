"""Formats of Indian company identifiers, with messages a person can act on.

CIN (Corporate Identification Number, Companies Act 2013), 21 characters:
    U 13100 MH 2020 PTC 123456
    |   |    |    |   |    +-- registration number at the Registrar of Companies (6 digits)
    |   |    |    |   +------- company type: PLC public, PTC private, GOI, SGC, OPC, FTC, ... (3 letters)
    |   |    |    +----------- year of incorporation (4 digits)
    |   |    +---------------- State of the registered office (2 letters)
    |   +--------------------- industry (NIC) code (5 digits)
    +------------------------- L listed, U unlisted

PAN (Permanent Account Number, Income-tax Act), 10 characters: 5 letters, 4 digits, 1 letter; the 4th
letter is the holder's status (C company, P individual, H HUF, F firm, T trust, ...).
"""

import datetime
import re

from django.core.exceptions import ValidationError

CIN_RE = re.compile(r"^[LU]\d{5}[A-Z]{2}\d{4}[A-Z]{3}\d{6}$")
PAN_RE = re.compile(r"^[A-Z]{5}\d{4}[A-Z]$")
CIN_EXAMPLE = "U13100MH2020PTC123456"
PAN_EXAMPLE = "AAACK1234F"
FIRST_INCORPORATION_YEAR = 1850  # the Joint Stock Companies Act 1850: no Indian company is older

PAN_HOLDER_TYPES = {
    "A": "an association of persons",
    "B": "a body of individuals",
    "C": "a company",
    "E": "a limited liability partnership",
    "F": "a firm",
    "G": "a government body",
    "H": "a Hindu undivided family",
    "J": "an artificial juridical person",
    "L": "a local authority",
    "P": "an individual",
    "T": "a trust",
}


def normalise_identifier(value) -> str:
    """What people type, as the registers write it: upper case, without spaces or hyphens."""
    return re.sub(r"[\s-]+", "", str(value or "")).upper()


def _cin_problem(value: str) -> str | None:
    if not value:
        return "Enter the firm's CIN."
    if len(value) != 21:
        return f"A CIN has 21 characters; {value!r} has {len(value)}."
    if value[0] not in "LU":
        return f"A CIN starts with L (listed) or U (unlisted); {value!r} starts with {value[0]!r}."
    if not value[1:6].isdigit():
        return f"Characters 2-6 of a CIN are the 5-digit industry code; {value!r} has {value[1:6]!r}."
    if not (value[6:8].isascii() and value[6:8].isalpha()):
        return f"Characters 7-8 of a CIN are the State's 2-letter code (e.g. MH); {value!r} has {value[6:8]!r}."
    if not value[8:12].isdigit():
        return f"Characters 9-12 of a CIN are the year of incorporation; {value!r} has {value[8:12]!r}."
    year = int(value[8:12])
    this_year = datetime.date.today().year
    if not FIRST_INCORPORATION_YEAR <= year <= this_year:
        return (
            f"Characters 9-12 of a CIN are the year of incorporation, between {FIRST_INCORPORATION_YEAR} and "
            f"{this_year}; {value!r} has {year}."
        )
    if not (value[12:15].isascii() and value[12:15].isalpha()):
        return (
            f"Characters 13-15 of a CIN are the 3-letter company type (e.g. PLC, PTC); {value!r} has {value[12:15]!r}."
        )
    if not value[15:].isdigit():
        return f"The last 6 characters of a CIN are the registration number (digits); {value!r} has {value[15:]!r}."
    if not CIN_RE.match(value):
        return f"{value!r} is not a CIN: use capital letters and digits only, e.g. {CIN_EXAMPLE}."
    return None


def _pan_problem(value: str) -> str | None:
    if not value:
        return "Enter the PAN."
    if len(value) != 10:
        return f"A PAN has 10 characters; {value!r} has {len(value)}."
    if not (value[:5].isascii() and value[:5].isalpha()):
        return f"The first 5 characters of a PAN are letters; {value!r} has {value[:5]!r}."
    if not value[5:9].isdigit():
        return f"Characters 6-9 of a PAN are digits; {value!r} has {value[5:9]!r}."
    if not (value[9].isascii() and value[9].isalpha()):
        return f"The last character of a PAN is a letter; {value!r} ends with {value[9]!r}."
    if not PAN_RE.match(value):
        return f"{value!r} is not a PAN: use capital letters and digits only, e.g. {PAN_EXAMPLE}."
    return None


def validate_cin(value: str) -> None:
    problem = _cin_problem(value or "")
    if problem:
        raise ValidationError(f"{problem} A CIN looks like {CIN_EXAMPLE}.", code="invalid_cin")


def validate_pan(value: str) -> None:
    problem = _pan_problem(value or "")
    if problem:
        raise ValidationError(f"{problem} A PAN looks like {PAN_EXAMPLE}.", code="invalid_pan")


def validate_company_pan(value: str) -> None:
    """A company's PAN: a valid PAN whose 4th letter is C."""
    validate_pan(value)
    if value[3] != "C":
        holder = PAN_HOLDER_TYPES.get(value[3], "a holder that is not a company")
        raise ValidationError(
            f"The 4th letter of a company's PAN is C; {value!r} has {value[3]!r}, the PAN of {holder}. "
            "Enter the PAN of the company itself.",
            code="not_company_pan",
        )
