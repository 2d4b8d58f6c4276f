"""Who may change a firm: its administrators. Viewers and authorised bidders see their firm but cannot
change it, whatever page or endpoint they come from."""

from bidders.models import Firm, Membership
from core.errors import PermissionDenied


def role_of(user, firm) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(firm=firm, user=user).values_list("role", flat=True).first()


def require_admin(actor, firm: Firm, doing: str) -> None:
    role = role_of(actor, firm)
    if role == Membership.Role.ADMIN:
        return
    if role is None:
        raise PermissionDenied(f"Only administrators of {firm} can {doing}, and you are not a member of it.")
    raise PermissionDenied(
        f"Only administrators of {firm} can {doing}; your role is {Membership.Role(role).label.lower()}. "
        "Ask one of your firm's administrators to do it or to make you an administrator."
    )
