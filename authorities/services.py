"""Every write to the public bodies: officers appointed and removed by an administrator or a regulator.

Who may: a user holding `authorities.manage_officers` (superusers hold every permission; the regulators group is
granted it after every migrate, `bidders.apps.ensure_regulators_group`), so this app needs no import of `bidders`.
Each appointment and removal is an entry of the authority's ledger stream (`authority:<pk>`), in the same
transaction; removing an officer twice removes once.
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from authorities.models import Authority, Officer
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from ledger.services import ledger_append

MANAGE_OFFICERS = "authorities.manage_officers"
DESIGNATION_MAX = 120


def stream(authority_id: int) -> str:
    """The authority's chain in the public ledger."""
    return f"authority:{authority_id}"


def require_officer_manager(actor) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(MANAGE_OFFICERS):
        raise PermissionDenied("Only an administrator or a regulator may appoint or remove officers.")


def authority_get(*, code: str) -> Authority:
    try:
        return Authority.objects.get(code=code)
    except Authority.DoesNotExist:
        raise NotFound(f"No public body has the code {code!r}. The codes are listed in the back office.") from None


def _user(username: str):
    username = str(username or "").strip()
    if not username:
        raise ApplicationError("Name the user to appoint.", fields={"user": ["Give the user's username."]})
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ApplicationError(
            f"No user is called {username!r}: the officer must have an account first.",
            fields={"user": [f"No user is called {username!r}."]},
        )
    return user


def officer_create(*, actor, authority: Authority | str, user=None, username: str = "", designation: str) -> Officer:
    """Appoint `user` (or the user called `username`) an officer of `authority` (or the authority of that code)."""
    require_officer_manager(actor)
    if isinstance(authority, str):
        authority = authority_get(code=authority)
    user = user if user is not None else _user(username)
    designation = str(designation or "").strip()
    if not designation:
        raise ApplicationError(
            "Give the officer's designation, e.g. Regional Controller of Mines.",
            fields={"designation": ["Give the designation."]},
        )
    if len(designation) > DESIGNATION_MAX:
        raise ApplicationError(
            f"A designation has at most {DESIGNATION_MAX} characters; this one has {len(designation)}.",
            fields={"designation": [f"At most {DESIGNATION_MAX} characters."]},
        )
    if Officer.objects.filter(user=user, authority=authority, removed_at__isnull=True).exists():
        raise Conflict(f"{user.get_username()} is already an officer of {authority.name}.")
    try:
        with transaction.atomic():
            officer = Officer.objects.create(user=user, authority=authority, designation=designation, created_by=actor)
            ledger_append(
                stream=stream(authority.pk),
                kind="officer_appointed",
                payload={"authority": authority.code, "officer": officer.pk, "user": user.get_username(),
                         "designation": designation, "by": actor.get_username()},
            )  # fmt: skip
    except IntegrityError:  # two appointments at once: the partial unique index decides
        raise Conflict(f"{user.get_username()} is already an officer of {authority.name}.") from None
    return officer


def officer_remove(*, actor, officer_id, note: str = "") -> Officer:
    """Remove an officer from their post (the row stays, with who removed them and when). A second removal
    changes nothing and writes nothing."""
    require_officer_manager(actor)
    note = str(note or "").strip()[:300]
    with transaction.atomic():
        try:
            officer = Officer.objects.select_for_update().select_related("authority", "user").get(pk=officer_id)
        except (Officer.DoesNotExist, ValueError, TypeError):
            raise NotFound(f"There is no officer {officer_id}.") from None
        now = timezone.now()
        moved = Officer.objects.filter(pk=officer.pk, removed_at__isnull=True).update(
            removed_at=now, removed_by=actor, removal_note=note
        )
        if moved:
            ledger_append(
                stream=stream(officer.authority_id),
                kind="officer_removed",
                payload={"authority": officer.authority.code, "officer": officer.pk,
                         "user": officer.user.get_username(), "by": actor.get_username(), "note": note},
            )  # fmt: skip
            officer.refresh_from_db()
    return officer
