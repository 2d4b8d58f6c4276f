"""Reading what a person typed about a firm: one collector of per-field messages, and the parsers of
numbers, dates and percentages every firm service shares."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from core.errors import ApplicationError
from core.money import HUNDRED

User = get_user_model()

MAX_NET_WORTH = Decimal("9999999999999999.99")  # Firm.net_worth: 18 digits, 2 decimals
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# Accepted document types: extension -> (name, the bytes every such file starts with).
DOCUMENT_TYPES = {
    ".pdf": ("PDF", (b"%PDF-",)),
    ".png": ("PNG", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("JPEG", (b"\xff\xd8\xff",)),
    ".jpeg": ("JPEG", (b"\xff\xd8\xff",)),
}
DOCUMENT_NAME_MAX = 60
FIRM_FIELDS = (
    "legal_name", "cin", "pan", "registered_address", "incorporated_in_india", "net_worth", "net_worth_as_of",
)  # fmt: skip


class FieldErrors:
    """Collects per-field messages so that one answer names every field to correct."""

    def __init__(self):
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def __contains__(self, field):
        return field in self.fields

    def raise_if_any(self) -> None:
        if not self.fields:
            return
        if len(self.fields) == 1:
            message = next(iter(self.fields.values()))[0]
        else:
            message = "Correct these fields: " + " ".join(msgs[0] for msgs in self.fields.values())
        raise ApplicationError(message, fields=self.fields)


def clean_text(value) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()


def parse_decimal(value, field: str, label: str, errors: FieldErrors, *, places: int = 2) -> Decimal | None:
    """A Decimal from a Decimal, int or what a person types ("25,00,00,000", "Rs 25000000")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        value = str(value)
    if isinstance(value, Decimal | int):
        result = Decimal(value)
    else:
        cleaned = re.sub(r"^(rs\.?|inr|₹)", "", str(value).strip().lower()).replace(",", "").replace(" ", "")
        cleaned = cleaned.rstrip("%")
        try:
            result = Decimal(cleaned)
        except (InvalidOperation, ValueError):
            errors.add(field, f"{label}: {value!r} is not a number. Write digits only, e.g. 250000000.")
            return None
    if not result.is_finite():
        errors.add(field, f"{label}: {value!r} is not a number.")
        return None
    if result != result.quantize(Decimal(1).scaleb(-places)):
        errors.add(field, f"{label} has at most {places} decimals; {value!r} has more.")
        return None
    return result


def parse_date(value, field: str, label: str, errors: FieldErrors) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(field, f"{label}: {value!r} is not a date. Write it as YYYY-MM-DD, e.g. 2026-03-31.")
        return None


def parse_percent(value, field: str, label: str, errors: FieldErrors, *, required: bool) -> Decimal | None:
    share = parse_decimal(value, field, label, errors)
    if share is None:
        if required and field not in errors:
            errors.add(field, f"Enter the {label.lower()} as a percentage between 0 and 100, e.g. 26.")
        return None
    if not Decimal("0") <= share <= HUNDRED:
        errors.add(field, f"{label} is a percentage between 0 and 100; {share} is not.")
        return None
    return share


def clean_new_account(*, username, email, password, errors: FieldErrors) -> dict:
    username = str(username or "").strip()
    email = str(email or "").strip()
    if not username:
        errors.add("username", "Choose a username to sign in with.")
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            errors.add("username", "A username has letters, digits and @ . + - _ only, without spaces.")
        if len(username) > 150:
            errors.add("username", "A username has at most 150 characters.")
        elif User.objects.filter(username__iexact=username).exists():
            errors.add("username", f"The username {username!r} is taken; choose another, or log in if it is yours.")
    if not email:
        errors.add("email", "Enter an email address: Khanij sends deadlines and receipts there.")
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors.add("email", f"{email!r} is not an email address; it looks like name@example.in.")
        else:
            if User.objects.filter(email__iexact=email).exists():
                errors.add("email", f"An account with {email} exists already; log in with it instead.")
    if not password:
        errors.add("password", "Choose a password.")
    else:
        try:
            validate_password(password, user=User(username=username, email=email))
        except ValidationError as exc:
            for message in exc.messages:
                errors.add("password", message)
    return {"username": username, "email": email, "password": password}
