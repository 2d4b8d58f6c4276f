"""The allowed moves of a licence's status (licences/lifecycle.py), against the path the Rules lay down:
ML/CL preferred bidder -> LoI -> development agreement -> executed (RULES.md s.3 item 12); EL granted, extended
once, a discovery reported (s.4); every licence can end, and an ended one never changes. No database."""

import pytest

from licences import lifecycle
from licences.lifecycle import (
    ACTIVE,
    DISCOVERY_REPORTED,
    EXPIRED,
    EXTENDED,
    LOI_ISSUED,
    LOI_REVOKED,
    MDPA_SIGNED,
    PREFERRED_BIDDER,
    SURRENDERED,
    TERMINATED,
)

# Written out from the Rules, not from the table: (kind, from, to).
ENDINGS = {EXPIRED, SURRENDERED, TERMINATED}
LEASE_MOVES = {
    (PREFERRED_BIDDER, LOI_ISSUED),
    (PREFERRED_BIDDER, LOI_REVOKED),
    (LOI_ISSUED, MDPA_SIGNED),
    (LOI_ISSUED, LOI_REVOKED),
    (MDPA_SIGNED, ACTIVE),
    (MDPA_SIGNED, LOI_REVOKED),
} | {(ACTIVE, end) for end in ENDINGS}
EL_MOVES = (
    {(PREFERRED_BIDDER, ACTIVE), (PREFERRED_BIDDER, LOI_REVOKED), (ACTIVE, EXTENDED)}
    | {(ACTIVE, DISCOVERY_REPORTED), (EXTENDED, DISCOVERY_REPORTED)}
    | {(status, end) for status in (ACTIVE, EXTENDED, DISCOVERY_REPORTED) for end in ENDINGS}
)
ALLOWED = (
    {("ML", a, b) for a, b in LEASE_MOVES}
    | {("CL", a, b) for a, b in LEASE_MOVES}
    | {("EL", a, b) for a, b in EL_MOVES}
)
STATUSES = [
    PREFERRED_BIDDER,
    LOI_ISSUED,
    MDPA_SIGNED,
    ACTIVE,
    EXTENDED,
    DISCOVERY_REPORTED,
    LOI_REVOKED,
    EXPIRED,
    SURRENDERED,
    TERMINATED,
]
LABELS = {
    PREFERRED_BIDDER: "Preferred bidder declared",
    LOI_ISSUED: "Letter of Intent issued",
    ACTIVE: "In force",
    EXTENDED: "In force (extended)",
    EXPIRED: "Expired",
}


@pytest.mark.parametrize("kind, from_status, to_status", sorted(ALLOWED))
def test_every_move_the_rules_allow_is_allowed(kind, from_status, to_status):
    assert lifecycle.transition_error(kind, from_status, to_status) is None


def test_nothing_else_is_allowed():
    table = {
        (kind, from_status, to_status)
        for kind in ("ML", "CL", "EL")
        for from_status in STATUSES
        for to_status in STATUSES
        if lifecycle.transition_error(kind, from_status, to_status) is None
    }
    assert table == ALLOWED


@pytest.mark.parametrize(
    "kind, from_status, to_status, expected",
    [
        # An ML cannot skip the Letter of Intent; the message says what it can do instead.
        (
            "ML",
            PREFERRED_BIDDER,
            ACTIVE,
            "ML that is Preferred bidder declared cannot become In force. It can: issue the Letter of Intent "
            "(Letter of Intent issued); revoke for default (loi_revoked).",
        ),
        ("CL", LOI_ISSUED, ACTIVE, "It can: sign the development agreement (mdpa_signed); revoke for default"),
        ("CL", MDPA_SIGNED, ACTIVE, None),
        ("ML", ACTIVE, EXTENDED, "It can: expire (Expired); accept the surrender (surrendered); terminate"),
        ("ML", ACTIVE, DISCOVERY_REPORTED, "cannot become discovery_reported"),  # only an EL reports a discovery
        ("EL", PREFERRED_BIDDER, LOI_ISSUED, "It can: grant the exploration licence (In force)"),  # no LoI for an EL
        ("EL", EXTENDED, EXTENDED, "EL that is In force (extended) cannot become In force (extended)"),  # once only
        ("EL", DISCOVERY_REPORTED, EXTENDED, "cannot become In force (extended)"),
        ("EL", ACTIVE, LOI_REVOKED, "cannot become loi_revoked"),  # a granted EL ends otherwise
        ("ML", EXPIRED, ACTIVE, "The licence has ended (Expired); its status cannot change."),
        ("EL", SURRENDERED, ACTIVE, "The licence has ended (surrendered); its status cannot change."),
        ("CL", LOI_REVOKED, LOI_ISSUED, "The licence has ended (loi_revoked); its status cannot change."),
        ("EL", MDPA_SIGNED, ACTIVE, "EL that is mdpa_signed cannot change status."),  # not a status an EL has
        ("XX", ACTIVE, EXPIRED, "XX that is In force cannot change status."),
    ],
)
def test_refused_moves_say_why_and_what_can_be_done(kind, from_status, to_status, expected):
    error = lifecycle.transition_error(kind, from_status, to_status, LABELS)
    if expected is None:
        assert error is None
    else:
        assert expected in error


def test_without_labels_the_message_names_the_statuses_by_their_codes():
    assert lifecycle.transition_error("ML", PREFERRED_BIDDER, ACTIVE).endswith(
        "ML that is preferred_bidder cannot become active. It can: issue the Letter of Intent (loi_issued); "
        "revoke for default (loi_revoked)."
    )


def test_allowed_moves_are_named_as_the_page_and_the_ledger_name_them():
    assert lifecycle.allowed_moves("EL", ACTIVE) == {
        EXTENDED: "extend the term",
        DISCOVERY_REPORTED: "record the geological report",
        EXPIRED: "expire",
        SURRENDERED: "accept the surrender",
        TERMINATED: "terminate",
    }
    assert lifecycle.allowed_moves("ML", EXPIRED) == {}


def test_allowed_moves_returns_a_copy_the_caller_cannot_use_to_change_the_table():
    moves = lifecycle.allowed_moves("ML", PREFERRED_BIDDER)
    moves[ACTIVE] = "skip ahead"
    assert lifecycle.transition_error("ML", PREFERRED_BIDDER, ACTIVE) is not None


def test_ended_and_in_force_statuses():
    assert {LOI_REVOKED, EXPIRED, SURRENDERED, TERMINATED} == lifecycle.ENDED
    assert {ACTIVE, EXTENDED, DISCOVERY_REPORTED} == lifecycle.IN_FORCE
    # No move leaves an ended status.
    assert not any(from_status in lifecycle.ENDED for (_kind, from_status) in lifecycle.TRANSITIONS)
