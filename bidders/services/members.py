"""A firm's people: adding members with their role, changing a role, removing a member (never the last
administrator)."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from bidders.models import Firm, Membership
from bidders.roles import is_regulator
from bidders.services.access import require_admin
from bidders.services.input import FieldErrors, clean_new_account
from core.errors import ApplicationError, Conflict, NotFound

User = get_user_model()


def _clean_role(role, errors: FieldErrors) -> str | None:
    if role in Membership.Role.values:
        return role
    errors.add("role", f"Choose a role: {', '.join(Membership.Role.values)}; {role!r} is not one of them.")
    return None


def member_add(*, actor, firm: Firm, user: str, role: str, email: str = "", password: str = "") -> Membership:
    """Add a person to the firm, by the username or email of their account.

    With a `password`, a person who has no account yet gets one, with `user` as username, which they sign in
    with (and should change): this is how an administrator invites a colleague.
    """
    require_admin(actor, firm, "add members")
    errors = FieldErrors()
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
        new_account = clean_new_account(
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
    require_admin(actor, firm, "change members' roles")
    errors = FieldErrors()
    role = _clean_role(role, errors)
    errors.raise_if_any()
    with transaction.atomic():
        Firm.objects.select_for_update().filter(pk=firm.pk).first()
        require_admin(actor, firm, "change members' roles")  # again, under the lock: roles may have changed
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
    require_admin(actor, firm, "remove members")
    with transaction.atomic():
        Firm.objects.select_for_update().filter(pk=firm.pk).first()
        require_admin(actor, firm, "remove members")  # again, under the lock: roles may have changed
        membership = Membership.objects.select_related("user").filter(pk=membership.pk).first()
        if membership is None:
            return
        if membership.role == Membership.Role.ADMIN and _admins_left_after(firm, membership) == 0:
            raise ApplicationError(
                f"{membership.user.get_username()} is the last administrator of {firm} and cannot be removed; "
                "make another member an administrator first."
            )
        membership.delete()
