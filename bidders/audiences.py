"""The audience `firm:<id>` of notifications (registered in BiddersConfig.ready): the firm's members as they are when
a reminder is sent, so that a member who joins later is reminded too and one who left is not."""

from bidders.models import Membership


def firm_users(ident: str) -> list[int]:
    if not ident.isdigit():
        return []
    return list(Membership.objects.filter(firm_id=int(ident)).values_list("user_id", flat=True))


def firm_keys(user) -> list[str]:
    return [f"firm:{pk}" for pk in Membership.objects.filter(user=user).values_list("firm_id", flat=True)]


def firm_audience(firm) -> str:
    """The audience key of a firm (or of a firm's id)."""
    return f"firm:{getattr(firm, 'pk', firm)}"
