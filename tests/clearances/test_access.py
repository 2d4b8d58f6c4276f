"""Who sees which cases (the selectors the API and pages scope by): a regulator and the facilitation desk all; a
firm its own licences' cases; an officer its body's cases and those of the bodies it supervises; one State board's
officer never another's; the anonymous none. `actor_for` reads the facts `clearances.permissions` judges."""

from datetime import date

import pytest

from bidders.models import Membership
from clearances import permissions, services
from clearances.selectors.access import actor_for, case_facts, cases_visible_to
from tests.factories.clearances import lease, member, officer, on

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cases(db):
    """A water consent in Odisha (its State board) and one in Karnataka (another board)."""
    odisha, karnataka = lease(state="Odisha"), lease(state="Karnataka", minerals=("gold",))
    with on(date(2027, 4, 1)):
        a = services.case_file(actor=member(odisha, "asha"), licence_id=odisha.pk, kind="water_consent")
        b = services.case_file(actor=member(karnataka, "bina"), licence_id=karnataka.pk, kind="water_consent")
    return a, b


def visible(user):
    return set(cases_visible_to(user).values_list("authority__code", flat=True))


def test_each_role_sees_its_cases(two_cases, regulator, plain_user, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    a, _b = two_cases
    assert visible(regulator) == {"spcb-odisha", "spcb-karnataka"}
    assert visible(officer("mom-desk", "desk")) == {"spcb-odisha", "spcb-karnataka"}
    assert visible(officer("spcb-odisha", "ospcb")) == {"spcb-odisha"}
    assert visible(officer("cpcb", "cpcb-officer")) == {"spcb-odisha", "spcb-karnataka"}  # it supervises the boards
    assert visible(officer("ibm", "rcom")) == set()
    assert visible(django_user_model.objects.get(username="asha")) == {"spcb-odisha"}
    viewer = member(a.licence, "vikram", Membership.Role.VIEWER)
    assert visible(viewer) == {"spcb-odisha"}
    assert visible(plain_user) == set() and visible(AnonymousUser()) == set()


def test_actor_for_reads_the_facts_the_permissions_judge(two_cases, regulator):
    a, b = two_cases
    board = officer("spcb-odisha", "ospcb")
    facts = actor_for(board, a.licence)
    assert permissions.may_act_as_authority(facts, case_facts(a))
    assert not permissions.may_see(actor_for(board, b.licence), case_facts(b))
    desk = actor_for(officer("mom-desk", "desk"), b.licence)
    assert (
        desk.desk
        and permissions.may_see(desk, case_facts(b))
        and not permissions.may_act_as_authority(desk, case_facts(b))
    )
    assert actor_for(regulator, a.licence).regulator
