"""The audience `authority:<code>` of notifications (registered in AuthoritiesConfig.ready): the officers the body
has when a reminder is sent (`authority:spcb-odisha`), removed officers not included."""

from authorities.models import Officer


def authority_users(ident: str) -> list[int]:
    active = Officer.objects.filter(authority__code=ident, removed_at__isnull=True)
    return list(active.values_list("user_id", flat=True))


def authority_keys(user) -> list[str]:
    active = Officer.objects.filter(user=user, removed_at__isnull=True)
    return [f"authority:{code}" for code in active.values_list("authority__code", flat=True)]


def authority_audience(authority) -> str:
    """The audience key of a public body (or of its code)."""
    return f"authority:{getattr(authority, 'code', authority)}"
