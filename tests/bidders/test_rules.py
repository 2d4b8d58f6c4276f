"""bidders.rules.may_act: who acts for a firm, by role."""

import pytest

from bidders import rules
from bidders.models import Membership


@pytest.mark.parametrize(
    ("role", "acts"),
    [
        ("admin", True),
        ("bidder", True),
        ("viewer", False),
        (None, False),  # not a member of the firm at all
        ("", False),
        ("ADMIN", False),  # roles are stored lower-case; nothing else is a role
    ],
)
def test_who_may_act_for_a_firm(role, acts):
    assert rules.may_act(role) is acts


def test_the_models_roles_are_the_rules_roles():
    assert set(Membership.Role.values) == {rules.ADMIN, rules.BIDDER, rules.VIEWER}
    assert {r for r in Membership.Role.values if rules.may_act(r)} == {"admin", "bidder"}
