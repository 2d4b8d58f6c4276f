"""An obligation still pending after its due date is overdue on every surface alike: the public licence page and API
say so as the holder's pages do (issue 15's bug: they said "pending", `overdue` absent)."""

import datetime

import pytest
import time_machine

from licences.models import Obligation
from tests.factories.licence_post import at
from tests.factories.licence_register import ml_with_history

pytestmark = pytest.mark.django_db

DUE = datetime.date(2030, 4, 1)  # the second instalment of ml_with_history, pending


@pytest.fixture
def lease(firm_user, regulator):
    return ml_with_history(holder=firm_user.memberships.get().firm, regulator=regulator)


def public_obligation(client, lease, title):
    data = client.get(f"/api/v1/public/licences/{lease.pk}").json()
    return next(o for o in data["obligations"] if o["title"] == title)


@pytest.mark.parametrize(
    ("day", "overdue"),
    [(DUE - datetime.timedelta(days=1), False), (DUE, False), (DUE + datetime.timedelta(days=1), True)],
    ids=["the day before", "the due day itself", "the day after"],
)
def test_the_public_api_and_the_holders_api_agree_on_overdue(lease, client, api_as, firm_user, day, overdue):
    with time_machine.travel(at(day), tick=False):
        public = public_obligation(client, lease, "Upfront payment: second instalment")
        holder = api_as(firm_user).get(f"/api/v1/licences/{lease.pk}/obligations").json()
    held = next(o for o in holder if o["title"] == "Upfront payment: second instalment")
    assert public["status"] == held["status"] == "pending"
    assert public["overdue"] is held["overdue"] is overdue


def test_a_met_or_missed_obligation_is_never_overdue(lease, client):
    with time_machine.travel(at(DUE + datetime.timedelta(days=400)), tick=False):
        data = client.get(f"/api/v1/public/licences/{lease.pk}").json()
    flags = {o["status"]: o["overdue"] for o in data["obligations"]}
    assert flags == {"met": False, "missed": False, "pending": True}


def test_the_public_page_says_overdue_where_the_holders_page_does(lease, client, firm_user):
    after = at(DUE + datetime.timedelta(days=3))
    with time_machine.travel(after, tick=False):
        public = client.get(f"/licences/{lease.pk}/").content.decode()
        client.force_login(firm_user)
        holder = client.get(f"/licences/{lease.pk}/payments/").content.decode()
    row = public[public.index("Upfront payment: second instalment") :].split("</tr>")[0]
    assert 'badge status-overdue">Overdue<' in row and "Pending" not in row
    second = Obligation.objects.get(title="Upfront payment: second instalment")
    held = holder[holder.index(f'<tr id="obligation-{second.pk}"') :].split("</tr>")[0]
    assert 'class="flagged"' in held and '<span class="bad">overdue</span>' in held
    assert second.status == Obligation.Status.PENDING
