"""The public bodies (seeded as data) and their officers, appointed and removed by an administrator or a regulator,
every appointment and removal in the authority's ledger stream."""

import pytest
from django.db import IntegrityError, transaction

from authorities.models import Authority, Officer
from authorities.selectors import authorities_of, facilitation_desk, state_body
from authorities.services import officer_create, officer_remove
from core.errors import ApplicationError, Conflict, PermissionDenied
from core.india import INDIAN_STATES
from ledger.models import Entry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_real_bodies_are_seeded_with_their_supervising_offices():
    codes = dict(Authority.objects.values_list("code", "supervising_office__code"))
    assert {code: codes[code] for code in ("mom", "mom-desk", "ibm", "moefcc", "cgwa", "nbwl", "cpcb")} == {
        "mom": None,
        "mom-desk": "mom",
        "ibm": "mom",
        "moefcc": None,
        "cgwa": "mojs",
        "nbwl": "moefcc",
        "cpcb": "moefcc",
    }
    assert facilitation_desk().code == "mom-desk"
    odisha = {a.kind: a for a in Authority.objects.filter(state="Odisha")}
    assert {kind: (a.code, a.supervising_office and a.supervising_office.code) for kind, a in odisha.items()} == {
        "state_mining": ("dmg-odisha", None),
        "pollution_board": ("spcb-odisha", "cpcb"),
        "impact_assessment": ("seiaa-odisha", "moefcc"),
    }
    # Every State and UT has its three bodies, so a block anywhere finds who decides its cases.
    assert Authority.objects.exclude(state="").count() == 3 * len(INDIAN_STATES)
    assert (
        state_body(kind="pollution_board", state="Chhattisgarh").name == "Chhattisgarh Environment Conservation Board"
    )
    assert state_body(kind="pollution_board", state="Delhi").name == "Delhi Pollution Control Committee"


def test_one_desk_and_one_body_of_a_kind_per_state_are_held_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Authority.objects.create(code="desk-2", name="Another desk", kind="facilitation_desk", facilitation_desk=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Authority.objects.create(code="spcb-odisha-2", name="Second board", kind="pollution_board", state="Odisha")
    ibm = Authority.objects.get(code="ibm")
    with pytest.raises(IntegrityError), transaction.atomic():
        Authority.objects.filter(pk=ibm.pk).update(supervising_office=ibm)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.mark.parametrize("who", ["regulator", "admin_user"])
def test_an_administrator_or_a_regulator_appoints_an_officer(request, who):
    actor = request.getfixturevalue(who)
    user = UserFactory(username="rcom")
    officer = officer_create(actor=actor, authority="ibm", username="rcom", designation="Regional Controller of Mines")
    assert (officer.user, officer.authority.code, officer.active) == (user, "ibm", True)
    assert list(authorities_of(user).values_list("code", flat=True)) == ["ibm"]
    entry = Entry.objects.get(stream=f"authority:{officer.authority_id}")
    assert (entry.kind, entry.payload["user"], entry.payload["by"]) == ("officer_appointed", "rcom", actor.username)


@pytest.mark.parametrize("who", ["firm_user", "plain_user"])
def test_nobody_else_may_appoint_or_remove(request, who, regulator):
    actor = request.getfixturevalue(who)
    UserFactory(username="rcom")
    with pytest.raises(PermissionDenied):
        officer_create(actor=actor, authority="ibm", username="rcom", designation="Controller")
    officer = officer_create(actor=regulator, authority="ibm", username="rcom", designation="Controller")
    with pytest.raises(PermissionDenied):
        officer_remove(actor=actor, officer_id=officer.pk)
    assert Officer.objects.get().active


def test_refusals_name_the_field(regulator):
    with pytest.raises(ApplicationError) as unknown:
        officer_create(actor=regulator, authority="ibm", username="nobody", designation="Controller")
    assert unknown.value.fields == {"user": ["No user is called 'nobody'."]}
    UserFactory(username="rcom")
    with pytest.raises(ApplicationError) as blank:
        officer_create(actor=regulator, authority="ibm", username="rcom", designation="  ")
    assert "designation" in blank.value.fields
    with pytest.raises(ApplicationError) as no_body:
        officer_create(actor=regulator, authority="nope", username="rcom", designation="Controller")
    assert no_body.value.status_code == 404
    officer_create(actor=regulator, authority="ibm", username="rcom", designation="Controller")
    with pytest.raises(Conflict):
        officer_create(actor=regulator, authority="ibm", username="rcom", designation="Controller")
    assert Officer.objects.count() == 1


def test_a_removed_officer_loses_the_authority_and_a_second_removal_writes_nothing(regulator):
    user = UserFactory(username="rcom")
    officer = officer_create(actor=regulator, authority="spcb-odisha", user=user, designation="Member Secretary")
    officer_remove(actor=regulator, officer_id=officer.pk, note="transferred")
    officer_remove(actor=regulator, officer_id=officer.pk, note="again")
    officer.refresh_from_db()
    assert (officer.active, officer.removed_by, officer.removal_note) == (False, regulator, "transferred")
    assert not authorities_of(user).exists()
    kinds = list(Entry.objects.filter(stream=f"authority:{officer.authority_id}").values_list("kind", flat=True))
    assert kinds == ["officer_appointed", "officer_removed"]
    # Appointed again later: a new post, the old row kept with its history.
    officer_create(actor=regulator, authority="spcb-odisha", user=user, designation="Member Secretary")
    assert Officer.objects.filter(user=user).count() == 2
    assert list(authorities_of(user).values_list("code", flat=True)) == ["spcb-odisha"]
