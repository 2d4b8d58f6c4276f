"""Who a user is to Khanij: a regulator (a group), a member of a firm, or the public (anonymous)."""

REGULATORS_GROUP = "regulators"


def is_regulator(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_khanij_is_regulator", None)
    if cached is None:
        cached = user.groups.filter(name=REGULATORS_GROUP).exists()
        user._khanij_is_regulator = cached
    return cached


def firm_of(user):
    """The firm the user acts for (their first membership), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_khanij_firm"):
        membership = user.memberships.select_related("firm").order_by("id").first()
        user._khanij_firm = membership.firm if membership else None
    return user._khanij_firm
