"""The rules that now live once: the revocation grounds and the lease term (licences.rules), and when a term ends,
whether a licence is in force or ended, and whether its rights can be revoked (licences.lifecycle)."""

from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from licences import lifecycle, rules

ON = date(2027, 6, 1)


def due(kind, due_on, *, unmet=True, amount=None, title="T"):
    return rules.Due(kind=kind, title=title, amount=amount, due_on=due_on, unmet=unmet)


@pytest.mark.parametrize(
    ("dues", "expected"),
    [
        ([], []),
        ([due("upfront_1", date(2027, 5, 31), amount=D("100"), title="First")],
         ["First of Rs 100.00 was due by 31 May 2027 and is not met (RULES.md s.3 item 12)."]),
        ([due("mining_plan", date(2027, 5, 1), title="Plan")],
         ["Plan was due by 1 May 2027 and is not met (RULES.md s.3 item 13)."]),
        ([due("upfront_1", ON)], []),  # due today: not yet a default
        ([due("upfront_1", date(2027, 5, 1), unmet=False)], []),  # met, or awaiting confirmation
        ([due("premium", date(2027, 1, 10)), due("expiry", date(2027, 1, 1))], []),  # never grounds
    ],
)  # fmt: skip
def test_the_grounds_of_a_revocation_are_the_dues_unmet_past_their_date(dues, expected):
    assert rules.revocation_grounds(dues, ON) == expected


def test_a_lease_runs_fifty_years_from_its_execution_and_says_so():
    assert rules.LEASE_TERM_YEARS == 50
    assert rules.lease_expiry(date(2027, 4, 1)) == date(2077, 4, 1)
    assert rules.lease_term_basis(date(2027, 4, 1)) == (
        "The lease period is 50 years from the execution of the deed under s.8A(2) of the Act: executed 1 Apr 2027, "
        "expires 1 Apr 2077."
    )


@pytest.mark.parametrize(
    ("extended_to", "expires_on", "ends"),
    [
        (None, None, None),
        (None, date(2030, 4, 1), date(2030, 4, 1)),
        (date(2032, 1, 1), date(2030, 4, 1), date(2032, 1, 1)),
    ],
)
def test_the_term_ends_on_the_extension_else_the_expiry(extended_to, expires_on, ends):
    assert lifecycle.term_ends(SimpleNamespace(extended_to=extended_to, expires_on=expires_on)) == ends


@pytest.mark.parametrize(
    ("kind", "status", "in_force", "ended", "revocable"),
    [
        ("ML", lifecycle.PREFERRED_BIDDER, False, False, True),
        ("ML", lifecycle.MDPA_SIGNED, False, False, True),
        ("ML", lifecycle.ACTIVE, True, False, False),
        ("EL", lifecycle.EXTENDED, True, False, False),
        ("EL", lifecycle.DISCOVERY_REPORTED, True, False, False),
        ("CL", lifecycle.LOI_REVOKED, False, True, False),
        ("EL", lifecycle.EXPIRED, False, True, False),
    ],
)
def test_in_force_ended_and_revocable_come_from_the_lifecycle(kind, status, in_force, ended, revocable):
    assert lifecycle.is_in_force(status) is in_force
    assert lifecycle.is_ended(status) is ended
    assert lifecycle.revocable(kind, status) is revocable
