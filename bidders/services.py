"""Every write to firms, their people, affiliates, beneficial owners and documents (HackSoft style).

One function per use case, keyword-only arguments, one short transaction each. Each function that changes
a firm checks that the actor is one of the firm's administrators: viewers and authorised bidders see their
firm but cannot change it, whatever page or endpoint they come from.
"""

import datetime
import os
import re
from decimal import Decimal, InvalidOperation

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bidders.models import Affiliation, BeneficialOwner, EligibilityDocument, Firm, Membership
from bidders.roles import is_regulator
from bidders.validators import normalise_identifier, validate_cin, validate_company_pan, validate_pan
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from core.money import HUNDRED, format_inr

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
_DOCUMENT_NAME_MAX = 60
FIRM_FIELDS = (
    "legal_name", "cin", "pan", "registered_address", "incorporated_in_india", "net_worth", "net_worth_as_of",
)  # fmt: skip


class _Errors:
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


def _text(value) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()


def _parse_decimal(value, field: str, label: str, errors: _Errors, *, places: int = 2) -> Decimal | None:
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


def _parse_date(value, field: str, label: str, errors: _Errors) -> datetime.date | None:
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


def _percent(value, field: str, label: str, errors: _Errors, *, required: bool) -> Decimal | None:
    share = _parse_decimal(value, field, label, errors)
    if share is None:
        if required and field not in errors:
            errors.add(field, f"Enter the {label.lower()} as a percentage between 0 and 100, e.g. 26.")
        return None
    if not Decimal("0") <= share <= HUNDRED:
        errors.add(field, f"{label} is a percentage between 0 and 100; {share} is not.")
        return None
    return share


def _role_of(user, firm) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(firm=firm, user=user).values_list("role", flat=True).first()


def _require_admin(actor, firm: Firm, doing: str) -> None:
    role = _role_of(actor, firm)
    if role == Membership.Role.ADMIN:
        return
    if role is None:
        raise PermissionDenied(f"Only administrators of {firm} can {doing}, and you are not a member of it.")
    raise PermissionDenied(
        f"Only administrators of {firm} can {doing}; your role is {Membership.Role(role).label.lower()}. "
        "Ask one of your firm's administrators to do it or to make you an administrator."
    )


# --- Firms -----------------------------------------------------------------------------------------


def _clean_firm(data: dict, errors: _Errors, *, firm: Firm | None = None) -> dict:
    """Validate and normalise the firm fields present in `data` (all of them when registering)."""
    cleaned = {}
    if "legal_name" in data:
        name = _text(data["legal_name"])
        if not name:
            errors.add("legal_name", "Enter the firm's legal name as registered with the Registrar of Companies.")
        elif len(name) > 200:
            errors.add("legal_name", f"The legal name has at most 200 characters; this one has {len(name)}.")
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
        net_worth = _parse_decimal(data["net_worth"], "net_worth", "Net worth", errors)
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
        as_of = _parse_date(data["net_worth_as_of"], "net_worth_as_of", "Net worth as of", errors)
        if as_of is None:
            if "net_worth_as_of" not in errors:
                errors.add("net_worth_as_of", "Enter the date of the net-worth certificate (YYYY-MM-DD).")
        elif as_of > timezone.localdate():
            errors.add("net_worth_as_of", f"The net worth's date {as_of:%d %b %Y} is in the future; correct it.")
        cleaned["net_worth_as_of"] = as_of
    return cleaned


def _clean_new_account(*, username, email, password, errors: _Errors) -> dict:
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
    errors = _Errors()
    if user is not None:
        if is_regulator(user):
            raise PermissionDenied("Regulator accounts cannot act for a firm. Sign up with a separate account.")
        if Membership.objects.filter(user=user).exists():
            raise Conflict("You already act for a firm; a person acts for one firm on Khanij.")
        account = None
    else:
        account = _clean_new_account(username=username, email=email, password=password, errors=errors)
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
            "Another registration with the same CIN, PAN or username was saved a moment ago. "
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
    _require_admin(actor, firm, "change its registered data")
    errors = _Errors()
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
        raise Conflict("Another firm registered the same CIN or PAN a moment ago; check the numbers.") from exc
    return firm


# --- Members ---------------------------------------------------------------------------------------


def _clean_role(role, errors: _Errors) -> str | None:
    if role in Membership.Role.values:
        return role
    errors.add("role", f"Choose a role: {', '.join(Membership.Role.values)}; {role!r} is not one of them.")
    return None


def member_add(*, actor, firm: Firm, user: str, role: str, email: str = "", password: str = "") -> Membership:
    """Add a person to the firm, by the username or email of their account.

    With a `password`, a person who has no account yet gets one, with `user` as username, which they sign in
    with (and should change): this is how an administrator invites a colleague.
    """
    _require_admin(actor, firm, "add members")
    errors = _Errors()
    role = _clean_role(role, errors)
    identifier = str(user or "").strip()
    if not identifier:
        errors.add("user", "Enter the username or email of the person to add.")
    errors.raise_if_any()

    person = User.objects.filter(username=identifier).first()
    if person is None:
        matches = list(User.objects.filter(email__iexact=identifier)[:2])
        if len(matches) > 1:
            raise ApplicationError(
                f"More than one account uses {identifier}; enter the person's username instead.",
                fields={"user": [f"More than one account uses {identifier}; enter the username."]},
            )
        person = matches[0] if matches else None

    new_account = None
    if person is None:
        if not password:
            message = (
                f"No account has the username or email {identifier!r}. Check the spelling, or give a password "
                "to create the account now (the person signs in with it and then changes it)."
            )
            raise ApplicationError(message, fields={"user": [message]})
        new_account = _clean_new_account(
            username=identifier,
            email=email or (identifier if "@" in identifier else ""),
            password=password,
            errors=errors,
        )
        errors.raise_if_any()
    else:
        if password:
            message = (
                f"{person.get_username()} has an account already; leave the password empty to add them "
                "(their own password stays)."
            )
            raise ApplicationError(message, fields={"password": [message]})
        if is_regulator(person):
            message = f"{person.get_username()} is a regulator; regulator accounts cannot act for a firm."
            raise ApplicationError(message, fields={"user": [message]})
        existing = Membership.objects.filter(user=person).select_related("firm").first()
        if existing is not None and existing.firm_id == firm.pk:
            raise Conflict(
                f"{person.get_username()} is a member of {firm} already ({existing.get_role_display().lower()}).",
                fields={"user": ["Already a member of your firm."]},
            )
        if existing is not None:
            message = (
                f"{person.get_username()} acts for another firm; a person acts for one firm on Khanij. "
                "They must leave that firm first."
            )
            raise Conflict(message, fields={"user": [message]})

    try:
        with transaction.atomic():
            if new_account is not None:
                person = User.objects.create_user(**new_account)
            return Membership.objects.create(user=person, firm=firm, role=role)
    except IntegrityError as exc:
        raise Conflict(
            f"{identifier} was added a moment ago by someone else; reload the page to see the members."
        ) from exc


def _admins_left_after(firm: Firm, membership: Membership) -> int:
    return Membership.objects.filter(firm=firm, role=Membership.Role.ADMIN).exclude(pk=membership.pk).count()


def member_role_set(*, actor, membership: Membership, role: str) -> Membership:
    """Change a member's role; the last administrator cannot be demoted."""
    firm = membership.firm
    _require_admin(actor, firm, "change members' roles")
    errors = _Errors()
    role = _clean_role(role, errors)
    errors.raise_if_any()
    with transaction.atomic():
        Firm.objects.select_for_update().filter(pk=firm.pk).first()
        _require_admin(actor, firm, "change members' roles")  # again, under the lock: roles may have changed
        membership = Membership.objects.select_related("user").filter(pk=membership.pk).first()
        if membership is None:
            raise NotFound("This member was removed a moment ago; reload the page to see the members.")
        demoted = membership.role == Membership.Role.ADMIN and role != Membership.Role.ADMIN
        if demoted and _admins_left_after(firm, membership) == 0:
            raise ApplicationError(
                f"{membership.user.get_username()} is the last administrator of {firm}; make another member "
                "an administrator first, so that someone can still manage the firm.",
                fields={"role": ["The last administrator keeps the administrator role."]},
            )
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def member_remove(*, actor, membership: Membership) -> None:
    """Remove a person from the firm; the last administrator cannot be removed."""
    firm = membership.firm
    _require_admin(actor, firm, "remove members")
    with transaction.atomic():
        Firm.objects.select_for_update().filter(pk=firm.pk).first()
        _require_admin(actor, firm, "remove members")  # again, under the lock: roles may have changed
        membership = Membership.objects.select_related("user").filter(pk=membership.pk).first()
        if membership is None:
            return
        if membership.role == Membership.Role.ADMIN and _admins_left_after(firm, membership) == 0:
            raise ApplicationError(
                f"{membership.user.get_username()} is the last administrator of {firm} and cannot be removed; "
                "make another member an administrator first."
            )
        membership.delete()


# --- Affiliates --------------------------------------------------------------------------------------


def affiliation_add(*, actor, firm: Firm, affiliate_cin: str, kind: str, share=None) -> Affiliation:
    """Declare another registered firm (found by its CIN) an affiliate of `firm`."""
    _require_admin(actor, firm, "declare affiliates")
    errors = _Errors()
    cin = normalise_identifier(affiliate_cin)
    affiliate = None
    if not cin:
        errors.add("affiliate_cin", "Enter the CIN of the affiliated firm.")
    elif cin == firm.cin:
        errors.add("affiliate_cin", f"{cin} is your own firm's CIN; a firm is not its own affiliate.")
    else:
        affiliate = Firm.objects.filter(cin=cin).first()
        if affiliate is None:
            errors.add(
                "affiliate_cin",
                f"No firm with CIN {cin} is registered on Khanij. Check the CIN; an affiliate must be registered "
                "before it can be declared.",
            )
    if kind not in Affiliation.Kind.values:
        errors.add("kind", f"Choose the kind of affiliation: {', '.join(Affiliation.Kind.values)}.")
    share = _percent(share, "share", "Share", errors, required=False)
    errors.raise_if_any()
    if Affiliation.objects.filter(firm=firm, affiliate=affiliate).exists():
        raise Conflict(
            f"{affiliate} is declared as an affiliate already; remove that declaration first to change it.",
            fields={"affiliate_cin": ["Already declared."]},
        )
    try:
        with transaction.atomic():
            return Affiliation.objects.create(firm=firm, affiliate=affiliate, kind=kind, share=share)
    except IntegrityError as exc:
        raise Conflict(f"{affiliate} was declared a moment ago by someone else; reload the page.") from exc


def affiliation_remove(*, actor, affiliation: Affiliation) -> None:
    _require_admin(actor, affiliation.firm, "remove affiliates")
    with transaction.atomic():
        Affiliation.objects.filter(pk=affiliation.pk).delete()


# --- Beneficial owners -------------------------------------------------------------------------------


def beneficial_owner_add(
    *,
    actor,
    firm: Firm,
    name: str,
    pan: str,
    share,
    nationality: str = "Indian",
    has_control: bool = False,
) -> BeneficialOwner:
    """Declare a beneficial owner; the shares of a firm's owners add up to at most 100%."""
    _require_admin(actor, firm, "declare beneficial owners")
    errors = _Errors()
    name = _text(name)
    if not name:
        errors.add("name", "Enter the beneficial owner's full name.")
    elif len(name) > 200:
        errors.add("name", "A name has at most 200 characters.")
    pan = normalise_identifier(pan)
    try:
        validate_pan(pan)
    except ValidationError as exc:
        errors.add("pan", exc.messages[0])
    nationality = _text(nationality) or "Indian"
    if len(nationality) > 60:
        errors.add("nationality", "A nationality has at most 60 characters.")
    share = _percent(share, "share", "Share", errors, required=True)
    errors.raise_if_any()
    try:
        with transaction.atomic():
            Firm.objects.select_for_update().filter(pk=firm.pk).first()
            if BeneficialOwner.objects.filter(firm=firm, pan=pan).exists():
                raise Conflict(
                    f"A beneficial owner with PAN {pan} is declared already; remove it first to change it.",
                    fields={"pan": ["Already declared."]},
                )
            declared = sum(BeneficialOwner.objects.filter(firm=firm).values_list("share", flat=True), Decimal("0"))
            if declared + share > HUNDRED:
                room = HUNDRED - declared
                raise ApplicationError(
                    f"The beneficial owners' shares would add up to {declared + share}%: at most 100% can be "
                    f"declared. {declared}% is declared already, so this owner's share can be at most {room}%.",
                    fields={"share": [f"At most {room}% is left to declare."]},
                )
            return BeneficialOwner.objects.create(
                firm=firm, name=name, pan=pan, nationality=nationality, share=share, has_control=bool(has_control)
            )
    except IntegrityError as exc:
        raise Conflict(f"A beneficial owner with PAN {pan} was declared a moment ago; reload the page.") from exc


def beneficial_owner_remove(*, actor, beneficial_owner: BeneficialOwner) -> None:
    _require_admin(actor, beneficial_owner.firm, "remove beneficial owners")
    with transaction.atomic():
        BeneficialOwner.objects.filter(pk=beneficial_owner.pk).delete()


# --- Eligibility documents ---------------------------------------------------------------------------


def _size_mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def document_upload(*, actor, firm: Firm, kind: str, file, description: str = "") -> EligibilityDocument:
    """Store an eligibility document: PDF, PNG or JPEG, at most 10 MB, its content matching its type."""
    _require_admin(actor, firm, "upload documents")
    errors = _Errors()
    if kind not in EligibilityDocument.Kind.values:
        errors.add("kind", f"Choose what the document is: {', '.join(EligibilityDocument.Kind.values)}.")
    description = _text(description)
    if len(description) > 200:
        errors.add("description", f"A description has at most 200 characters; this one has {len(description)}.")
    if file is None:
        errors.add("file", "Choose a file to upload (PDF, PNG or JPEG).")
    else:
        original = os.path.basename(getattr(file, "name", "") or "document")
        stem, ext = os.path.splitext(original)
        ext = ext.lower()
        if ext not in DOCUMENT_TYPES:
            shown = ext or "no extension"
            errors.add(
                "file",
                f"{original} has {shown}: only PDF, PNG and JPEG files are accepted. Save it as PDF and upload "
                "it again.",
            )
        elif file.size == 0:
            errors.add("file", f"{original} is empty; choose the file again.")
        elif file.size > DOCUMENT_MAX_BYTES:
            errors.add(
                "file",
                f"{original} is {_size_mb(file.size)}; the limit is {_size_mb(DOCUMENT_MAX_BYTES)}. "
                "Reduce its resolution or split it into parts.",
            )
        else:
            type_name, signatures = DOCUMENT_TYPES[ext]
            file.seek(0)
            head = file.read(16)
            file.seek(0)
            if not any(head.startswith(sig) for sig in signatures):
                errors.add(
                    "file",
                    f"{original} is named as a {type_name} file but its content is not {type_name}. "
                    f"Export it as {type_name} again, or give it its real extension.",
                )
        stored_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:_DOCUMENT_NAME_MAX] or "document"
    errors.raise_if_any()
    document = EligibilityDocument(firm=firm, kind=kind, description=description)
    with transaction.atomic():
        document.file.save(f"{stored_stem}{ext}", file, save=False)
        document.save()
    return document


def document_remove(*, actor, document: EligibilityDocument) -> None:
    _require_admin(actor, document.firm, "remove documents")
    storage, name = document.file.storage, document.file.name
    with transaction.atomic():
        EligibilityDocument.objects.filter(pk=document.pk).delete()
        transaction.on_commit(lambda: storage.delete(name) if name else None)


# --- Tokens for programs -----------------------------------------------------------------------------


def auth_token_issue(*, username: str, password: str, request=None) -> Token:
    """The API token of the account with these credentials (created on first use)."""
    errors = _Errors()
    if not username:
        errors.add("username", "Enter your username.")
    if not password:
        errors.add("password", "Enter your password.")
    errors.raise_if_any()
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise ApplicationError(
            "The username or password is wrong (passwords are case-sensitive). Check both and try again.",
            code="invalid_credentials",
        )
    with transaction.atomic():
        token, _ = Token.objects.get_or_create(user=user)
    return token
