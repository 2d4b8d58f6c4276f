"""Who may do what for a firm, as pure functions of a member's role (no ORM).

A firm's administrators and bidders act for it: they bid, pay, file and answer. A viewer follows the firm's
auctions and licences but never acts. Every service, view and API of the other apps asks `may_act`, so that
a page, the API and the room cannot disagree.
"""

ADMIN = "admin"
BIDDER = "bidder"
VIEWER = "viewer"

# The roles that act for a firm; a viewer only follows.
ACTING_ROLES = frozenset({ADMIN, BIDDER})


def may_act(role: str | None) -> bool:
    """Whether a member with this role (None: not a member) may act for the firm."""
    return role in ACTING_ROLES
