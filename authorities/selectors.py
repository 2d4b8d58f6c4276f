"""Reads of the public bodies."""

from django.db.models import QuerySet

from authorities.models import Authority, Officer


def authorities_of(user) -> QuerySet[Authority]:
    """The bodies `user` is an officer of now (removed posts excluded); none for the anonymous."""
    if not getattr(user, "is_authenticated", False):
        return Authority.objects.none()
    return Authority.objects.filter(officers__user=user, officers__removed_at__isnull=True).distinct()


def officers_of(authority_ids) -> QuerySet[Officer]:
    """The active officers of these bodies, with their users (for notices and lists)."""
    return Officer.objects.filter(authority_id__in=list(authority_ids), removed_at__isnull=True).select_related(
        "user", "authority"
    )


def facilitation_desk() -> Authority | None:
    return Authority.objects.filter(facilitation_desk=True).first()


def state_body(*, kind: str, state: str) -> Authority | None:
    """The body of `kind` in `state` (a State's mining department, pollution control board or SEIAA)."""
    return Authority.objects.filter(kind=kind, state=state).first()
