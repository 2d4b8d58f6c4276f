"""The allowed moves of a licence's status, as data (pure: no ORM). A service asks `transition_error()`
before it moves a licence, and writes the move to the licence's history and ledger."""

PREFERRED_BIDDER = "preferred_bidder"
LOI_ISSUED = "loi_issued"
MDPA_SIGNED = "mdpa_signed"
ACTIVE = "active"
EXTENDED = "extended"
DISCOVERY_REPORTED = "discovery_reported"
LOI_REVOKED = "loi_revoked"
EXPIRED = "expired"
SURRENDERED = "surrendered"
TERMINATED = "terminated"

# The kinds that are leases (the acts from the Letter of Intent to the deed, the premium); the other is the EL.
LEASES = ("ML", "CL")

ENDED = frozenset({LOI_REVOKED, EXPIRED, SURRENDERED, TERMINATED})
IN_FORCE = frozenset({ACTIVE, EXTENDED, DISCOVERY_REPORTED})
# Where time expires an EL after its term. A licence whose discovery is reported keeps that status: a lease
# auctioned on its block finds it by it (`parent_el`), and it earns its share for the life of that lease.
EXPIRABLE = frozenset({ACTIVE, EXTENDED})
# The fields that say when the term ends, the first one set wins: an extension replaces the expiry.
TERM_END_FIELDS = ("extended_to", "expires_on")

# (kind, from) -> {to: the action's name, as the page and the ledger call it}
TRANSITIONS: dict[tuple[str, str], dict[str, str]] = {
    ("ML", PREFERRED_BIDDER): {LOI_ISSUED: "issue the Letter of Intent", LOI_REVOKED: "revoke for default"},
    ("ML", LOI_ISSUED): {MDPA_SIGNED: "sign the development agreement", LOI_REVOKED: "revoke for default"},
    ("ML", MDPA_SIGNED): {ACTIVE: "execute the lease deed", LOI_REVOKED: "revoke for default"},
    ("ML", ACTIVE): {EXPIRED: "expire", SURRENDERED: "accept the surrender", TERMINATED: "terminate"},
    ("CL", PREFERRED_BIDDER): {LOI_ISSUED: "issue the Letter of Intent", LOI_REVOKED: "revoke for default"},
    ("CL", LOI_ISSUED): {MDPA_SIGNED: "sign the development agreement", LOI_REVOKED: "revoke for default"},
    ("CL", MDPA_SIGNED): {ACTIVE: "execute the licence deed", LOI_REVOKED: "revoke for default"},
    ("CL", ACTIVE): {EXPIRED: "expire", SURRENDERED: "accept the surrender", TERMINATED: "terminate"},
    ("EL", PREFERRED_BIDDER): {ACTIVE: "grant the exploration licence", LOI_REVOKED: "revoke for default"},
    ("EL", ACTIVE): {
        EXTENDED: "extend the term",
        DISCOVERY_REPORTED: "record the geological report",
        EXPIRED: "expire",
        SURRENDERED: "accept the surrender",
        TERMINATED: "terminate",
    },
    ("EL", EXTENDED): {
        DISCOVERY_REPORTED: "record the geological report",
        EXPIRED: "expire",
        SURRENDERED: "accept the surrender",
        TERMINATED: "terminate",
    },
    ("EL", DISCOVERY_REPORTED): {EXPIRED: "expire", SURRENDERED: "accept the surrender", TERMINATED: "terminate"},
}


def allowed_moves(kind: str, status: str) -> dict[str, str]:
    return dict(TRANSITIONS.get((kind, status), {}))


def transition_error(kind: str, status: str, to: str, labels: dict[str, str] | None = None) -> str | None:
    """None when a licence of `kind` may move from `status` to `to`; otherwise a message saying what it can do."""
    moves = allowed_moves(kind, status)
    if to in moves:
        return None
    name = (labels or {}).get
    if status in ENDED:
        return f"The licence has ended ({name(status, status)}); its status cannot change."
    if not moves:
        return f"{_article(kind)} {kind} that is {name(status, status)} cannot change status."
    options = "; ".join(f"{action} ({name(target, target)})" for target, action in moves.items())
    return f"{_article(kind)} {kind} that is {name(status, status)} cannot become {name(to, to)}. It can: {options}."


def _article(kind: str) -> str:
    return "An" if kind[:1] in "AEFHILMNORSX" else "A"


def is_ended(status: str) -> bool:
    """The licence has ended (revoked, expired, surrendered, terminated): nothing more can be done on it."""
    return status in ENDED


def is_in_force(status: str) -> bool:
    """The licence is in force: granted or executed, not ended."""
    return status in IN_FORCE


def revocable(kind: str, status: str) -> bool:
    """A preferred bidder's or lessee-to-be's rights can still be revoked for default (the table allows it)."""
    return LOI_REVOKED in allowed_moves(kind, status)


def term_ends(licence):
    """The last day a licence is in force: its extended expiry if extended, else its expiry (None before the
    grant or execution). `licence` is anything with the `TERM_END_FIELDS`."""
    return next((value for value in (getattr(licence, name) for name in TERM_END_FIELDS) if value), None)
