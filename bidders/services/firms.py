"""Registering a firm with its first administrator, and correcting the firm's particulars."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bidders.models import Firm, Membership
from bidders.roles import is_regulator
from bidders.services.access import require_admin
from bidders.services.input import (
    FIRM_FIELDS,
    MAX_NET_WORTH,
    FieldErrors,
    clean_new_account,
    clean_text,
    parse_date,
    parse_decimal,
)
from bidders.validators import normalise_identifier, validate_cin, validate_company_pan
from core.errors import ApplicationError, Conflict, PermissionDenied
from core.money import format_inr

User = get_user_model()


def _clean_firm(data: dict, errors: FieldErrors, *, firm: Firm | None = None) -> dict:
    """Validate and normalise the firm fields present in `data` (all of them when registering)."""
    cleaned = {}
    if "legal_name" in data:
        name = clean_text(data["legal_name"])
        if not name:
            errors.add("legal_name", "Enter the firm's legal name as registered with the Registrar of Companies.")
        elif len(name) > 200:
            errors.add("legal_name", f"The legal name has at most 200 characters; this one has {len(name)}.")
        elif Firm.objects.filter(legal_name__iexact=name).exclude(pk=getattr(firm, "pk", None)).exists():
            errors.add(
                "legal_name",
                f"A firm named {name} is already registered on Khanij. If it is yours, ask its administrator to "
                "add you as a member; otherwise enter your firm's full legal name as the Registrar records it.",
            )
        cleaned["legal_name"] = name
    if "cin" in data:
        cin = normalise_identifier(data["cin"])
        try:
            validate_cin(cin)
        except ValidationError as exc:
            errors.add("cin", exc.messages[0])
        else:
            taken = Firm.objects.filter(cin=cin).exclude(pk=getattr(firm, "pk", None)).exists()
            if taken:
                errors.add(
                    "cin",
                    f"A firm with CIN {cin} is already registered on Khanij. If you work for it, ask its "
                    "administrator to add you as a member; if you mistyped the CIN, correct it.",
                )
        cleaned["cin"] = cin
    if "pan" in data:
        pan = normalise_identifier(data["pan"])
        try:
            validate_company_pan(pan)
        except ValidationError as exc:
            errors.add("pan", exc.messages[0])
        else:
            if Firm.objects.filter(pan=pan).exclude(pk=getattr(firm, "pk", None)).exists():
                errors.add(
                    "pan",
                    f"A firm with PAN {pan} is already registered on Khanij. If you work for it, ask its "
                    "administrator to add you as a member; if you mistyped the PAN, correct it.",
                )
        cleaned["pan"] = pan
    if "registered_address" in data:
        address = str(data["registered_address"] or "").strip()
        if not address:
            errors.add("registered_address", "Enter the registered office address, with its PIN code.")
        cleaned["registered_address"] = address
    if "incorporated_in_india" in data:
        cleaned["incorporated_in_india"] = bool(data["incorporated_in_india"])
    if "net_worth" in data:
        net_worth = parse_decimal(data["net_worth"], "net_worth", "Net worth", errors)
        if net_worth is None:
            if "net_worth" not in errors:
                errors.add("net_worth", "Enter the net worth in rupees, e.g. 250000000 for Rs 25 crore.")
        elif net_worth < 0:
            errors.add(
                "net_worth",
                f"Net worth cannot be negative here ({format_inr(net_worth)}); a firm with negative net worth "
                "is not eligible to bid.",
            )
        elif net_worth > MAX_NET_WORTH:
            errors.add("net_worth", f"Net worth of {format_inr(net_worth)} is beyond what Khanij records; check it.")
        cleaned["net_worth"] = net_worth
    if "net_worth_as_of" in data:
        as_of = parse_date(data["net_worth_as_of"], "net_worth_as_of", "Net worth as of", errors)
        if as_of is None:
            if "net_worth_as_of" not in errors:
                errors.add("net_worth_as_of", "Enter the date of the net-worth certificate (YYYY-MM-DD).")
        elif as_of > timezone.localdate():
            errors.add("net_worth_as_of", f"The net worth's date {as_of:%d %b %Y} is in the future; correct it.")
        cleaned["net_worth_as_of"] = as_of
    return cleaned


def firm_register(
    *,
    user=None,
    username: str = "",
    email: str = "",
    password: str = "",
    legal_name: str,
    cin: str,
    pan: str,
    registered_address: str,
    net_worth,
    net_worth_as_of,
    incorporated_in_india: bool = True,
) -> Membership:
    """Register a firm with its first administrator: `user`, or a new account from username/email/password.

    Returns the administrator's membership (its `user` and `firm`).
    """
    errors = FieldErrors()
    if user is not None:
        if is_regulator(user):
            raise PermissionDenied("Regulator accounts cannot act for a firm. Sign up with a separate account.")
        if Membership.objects.filter(user=user).exists():
            raise Conflict("You already act for a firm; a person acts for one firm on Khanij.")
        account = None
    else:
        account = clean_new_account(username=username, email=email, password=password, errors=errors)
    fields = _clean_firm(
        {
            "legal_name": legal_name,
            "cin": cin,
            "pan": pan,
            "registered_address": registered_address,
            "incorporated_in_india": incorporated_in_india,
            "net_worth": net_worth,
            "net_worth_as_of": net_worth_as_of,
        },
        errors,
    )
    errors.raise_if_any()
    try:
        with transaction.atomic():
            if account is not None:
                user = User.objects.create_user(**account)
            firm = Firm.objects.create(**fields)
            return Membership.objects.create(user=user, firm=firm, role=Membership.Role.ADMIN)
    except IntegrityError as exc:
        raise Conflict(
            "Another registration with the same name, CIN, PAN or username was saved a moment ago. "
            "Reload the page and check whether your firm is registered already."
        ) from exc


def firm_update(*, actor, firm: Firm, **changes) -> Firm:
    """Change a firm's registered data (administrators only). Only the fields given change."""
    editable = FIRM_FIELDS
    unknown = sorted(set(changes) - set(editable))
    if unknown:
        raise ApplicationError(
            f"These fields cannot be changed: {', '.join(unknown)}. Editable: {', '.join(editable)}.",
            fields={name: ["This field cannot be changed."] for name in unknown},
        )
    require_admin(actor, firm, "change its registered data")
    errors = FieldErrors()
    fields = _clean_firm(changes, errors, firm=firm)
    errors.raise_if_any()
    if not fields:
        return firm
    try:
        with transaction.atomic():
            for name, value in fields.items():
                setattr(firm, name, value)
            firm.save(update_fields=list(fields))
    except IntegrityError as exc:
        raise Conflict("Another firm registered the same name, CIN or PAN a moment ago; check them.") from exc
    return firm
