"""Surrender and termination of a licence in force (RULES.md s.3 item 19), through the services and the API: the
holder's notice and the regulator's record of the surrender once the notice has run, the termination for breach
after notice and a hearing; for each, who may act, the dues that stay payable and those no longer due, the due dates
in the notifications register, the performance security, the block back in the registry, the ledger, and the OCDS
`contractTermination` release validated against the schema.

Figures as in tests/factories/licence_post.py: a composite licence executed on 1 Dec 2027, performance security
Rs 1,00,00,000."""

from datetime import date

import pytest
import time_machine
from django.db import transaction

from blocks.models import Block
from core.errors import Conflict
from core.models import IdempotencyRecord
from ledger.models import Entry
from licences import services as svc
from licences.models import Licence, Obligation, Payment
from notifications.models import DueDate
from tests.factories import UserFactory
from tests.factories.licence_el import el_granted
from tests.factories.licence_post import at, executed, holder_viewer, settled_lease
from tests.licences.test_ocds_schema import valid_package

pytestmark = pytest.mark.django_db

ObStatus = Obligation.Status
NOTICE_ON = date(2028, 3, 1)
LAST_DAY = date(2029, 3, 1)  # 12 months from 1 Mar 2028, the day of notice excluded
RETURN = {"mineral": "lithium", "quantity_tonnes": "1000", "price_per_tonne": "20000"}


@pytest.fixture
def lease(regulator):
    """(licence, holder's admin): a composite licence in force since 1 Dec 2027."""
    licence, firms = settled_lease(regulator, kind="CL")
    return executed(licence, firms[1], regulator), firms[1]


@pytest.fixture
def roles(lease, regulator, other_firm_user):
    licence, holder = lease
    return {
        "anonymous": None,
        "other firm": other_firm_user,
        "holder's member": holder_viewer(licence),
        "admin": UserFactory(username="root", is_staff=True, is_superuser=True),
        "regulator": regulator,
        "holder's admin": holder,
    }


def call(api_as, user, url, body, on, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    with time_machine.travel(at(on), tick=False):
        return api_as(user).post(url, body, format="json", **headers)


def notify(licence, holder, on=NOTICE_ON, **changes):
    with time_machine.travel(at(on), tick=False):
        return svc.licence_surrender_notify(actor=holder, licence_id=licence.pk, reason="Not economic.", **changes)


def premium_return(licence, holder, month: str, on: date) -> Obligation:
    with time_machine.travel(at(on), tick=False):
        filed = svc.premium_return_file(actor=holder, licence_id=licence.pk, month=month, **RETURN)
    return filed.obligation


def as_of(licence) -> Licence:
    return Licence.objects.get(pk=licence.pk)


def due_date(licence, key) -> DueDate:
    return DueDate.objects.get(subject=f"licences.licence:{licence.pk}", key=key)


# --- Every role, every act -------------------------------------------------------------------------------------------


def statuses(api_as, roles, url, body, on) -> dict:
    got = {}
    for role, user in roles.items():  # the one allowed to act last
        response = call(api_as, user, url, body, on)
        got[role] = response.status_code
        if response.status_code >= 400:
            assert set(response.json()["error"]) == {"code", "message", "fields"}
    return got


DENIED = {"anonymous": 401, "other firm": 403, "holder's member": 403, "admin": 403}


def test_only_the_holders_administrators_and_bidders_give_notice_of_surrender(lease, roles, api_as):
    licence, _ = lease
    got = statuses(api_as, roles, f"/api/v1/licences/{licence.pk}/surrender", {"reason": "Not economic."}, NOTICE_ON)
    assert got == {**DENIED, "regulator": 403, "holder's admin": 200}
    assert as_of(licence).details["surrender"]["last_day"] == "2029-03-01"


def test_only_a_regulator_records_a_surrender(lease, roles, api_as):
    licence, holder = lease
    notify(licence, holder)
    ordered = {role: roles[role] for role in [*DENIED, "holder's admin", "regulator"]}
    got = statuses(api_as, ordered, f"/api/v1/licences/{licence.pk}/surrender/accept", {}, LAST_DAY)
    assert got == {**DENIED, "holder's admin": 403, "regulator": 200}
    assert as_of(licence).status == Licence.Status.SURRENDERED


def test_only_a_regulator_terminates(lease, roles, api_as):
    licence, holder = lease
    body = {"reason": "Mining outside the plan.", "notice_on": "2028-05-01", "heard_on": "2028-06-01"}
    ordered = {role: roles[role] for role in [*DENIED, "holder's admin", "regulator"]}
    got = statuses(api_as, ordered, f"/api/v1/licences/{licence.pk}/terminate", body, date(2028, 6, 15))
    assert got == {**DENIED, "holder's admin": 403, "regulator": 200}
    assert as_of(licence).status == Licence.Status.TERMINATED


def test_only_a_regulator_returns_a_held_security(lease, roles, api_as, regulator):
    licence, holder = lease
    notify(licence, holder)
    call(api_as, regulator, f"/api/v1/licences/{licence.pk}/surrender/accept", {}, LAST_DAY)  # held: closure open
    ordered = {role: roles[role] for role in [*DENIED, "holder's admin", "regulator"]}
    got = statuses(api_as, ordered, f"/api/v1/licences/{licence.pk}/security-release", {}, date(2029, 4, 1))
    assert got == {**DENIED, "holder's admin": 403, "regulator": 200}
    assert as_of(licence).details["surrender"]["performance_security"] == "returned"


# --- Surrender -------------------------------------------------------------------------------------------------------


def test_notice_keeps_the_licence_in_force_and_registers_the_day_it_ends(lease, api_as):
    licence, holder = lease
    response = call(api_as, holder, f"/api/v1/licences/{licence.pk}/surrender", {"reason": "Not economic."}, NOTICE_ON)
    body = response.json()
    assert body["status"] == "active"
    assert body["surrender"]["notice_on"] == "2028-03-01" and body["surrender"]["last_day"] == "2029-03-01"
    assert body["surrender"]["notice_months"] == 12 and body["termination"] is None
    notice = due_date(licence, "surrender")
    assert notice.status == DueDate.Status.OPEN and notice.due_on == LAST_DAY
    assert Entry.objects.filter(stream=licence.stream, kind="surrender_notice").count() == 1


def test_a_notice_shorter_than_12_months_is_refused_on_the_last_day_field(lease, api_as):
    licence, holder = lease
    body = {"reason": "Not economic.", "last_day": "2029-02-28"}
    response = call(api_as, holder, f"/api/v1/licences/{licence.pk}/surrender", body, NOTICE_ON)
    assert response.status_code == 400
    assert "1 Mar 2029 at the earliest" in response.json()["error"]["fields"]["last_day"][0]
    later = call(api_as, holder, f"/api/v1/licences/{licence.pk}/surrender", {**body, "last_day": "2029-06-30"},
                 NOTICE_ON)  # fmt: skip
    assert later.status_code == 200 and later.json()["surrender"]["last_day"] == "2029-06-30"


def test_the_surrender_is_recorded_only_once_the_notice_has_run(lease, regulator, api_as):
    licence, holder = lease
    notify(licence, holder)
    url = f"/api/v1/licences/{licence.pk}/surrender/accept"
    early = call(api_as, regulator, url, {}, date(2029, 2, 28))
    assert early.status_code == 409 and "runs until 1 Mar 2029" in early.json()["error"]["message"]
    assert call(api_as, regulator, url, {}, LAST_DAY).status_code == 200


def test_no_surrender_is_recorded_without_notice_and_notice_is_given_once(lease, regulator, api_as):
    licence, holder = lease
    url = f"/api/v1/licences/{licence.pk}/surrender/accept"
    assert (
        call(api_as, regulator, url, {}, LAST_DAY)
        .json()["error"]["message"]
        .endswith(f"has given no notice of surrender of {licence.number}.")
    )
    notify(licence, holder)
    again = call(api_as, holder, f"/api/v1/licences/{licence.pk}/surrender", {"reason": "Again."}, date(2028, 3, 2))
    assert again.status_code == 409 and "was given on 1 Mar 2028" in again.json()["error"]["message"]


def test_a_surrender_keeps_earlier_dues_payable_ends_later_ones_and_holds_the_security(lease, regulator, api_as):
    licence, holder = lease
    notify(licence, holder)
    january = premium_return(licence, holder, "2029-01", date(2029, 2, 5))  # due 10 Feb 2029: before the last day
    february = premium_return(licence, holder, "2029-02", date(2029, 3, 2))  # due 11 Mar 2029 or so: after it
    assert january.due_on <= LAST_DAY < february.due_on
    later = set(licence.obligations.filter(status=ObStatus.PENDING, due_on__gt=LAST_DAY).values_list("pk", flat=True))
    assert february.pk in later
    response = call(api_as, regulator, f"/api/v1/licences/{licence.pk}/surrender/accept", {}, date(2029, 3, 5))
    body = response.json()
    assert body["status"] == "surrendered" and body["ended_on"] == "2029-03-01"
    surrender = body["surrender"]
    assert surrender["dues_payable"] == 1 and surrender["obligations_no_longer_due"] == len(later)
    assert set(licence.obligations.filter(status=ObStatus.WAIVED).values_list("pk", flat=True)) == later
    assert surrender["performance_security"] == "held" and surrender["performance_security_amount"] == "10000000.00"
    assert (
        "held until 1 due(s) still payable and the closure obligations are settled"
        in (surrender["performance_security_basis"])
    )
    january.refresh_from_db(), february.refresh_from_db()
    assert (january.status, february.status) == (ObStatus.PENDING, ObStatus.WAIVED)
    assert due_date(licence, f"obligation:{january.pk}").status == DueDate.Status.OPEN  # still reminded
    assert due_date(licence, f"obligation:{february.pk}").status == DueDate.Status.CANCELLED
    assert due_date(licence, "surrender").status == DueDate.Status.MET
    assert Block.objects.get(pk=licence.block_id).status == Block.Status.IDENTIFIED
    # The payable due is paid after the end, and confirmed.
    with time_machine.travel(at(date(2029, 3, 10)), tick=False):
        amount = svc.amount_due(january, date(2029, 3, 10))[0]
        payment = svc.payment_record(actor=holder, licence_id=licence.pk, obligation_id=january.pk, amount=amount,
                                     reference="UTR-JAN", paid_on=date(2029, 3, 10))  # fmt: skip
        svc.payment_confirm(actor=regulator, payment_id=payment.pk)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CONFIRMED
    with time_machine.travel(at(date(2029, 3, 10)), tick=False), pytest.raises(Conflict, match="nothing is to be"):
        svc.payment_record(actor=holder, licence_id=licence.pk, obligation_id=february.pk, amount=amount,
                           reference="UTR-FEB", paid_on=date(2029, 3, 10))  # fmt: skip


def test_the_held_security_is_returned_only_once_the_payable_dues_are_met(lease, regulator, api_as):
    licence, holder = lease
    notify(licence, holder)
    january = premium_return(licence, holder, "2029-01", date(2029, 2, 5))
    call(api_as, regulator, f"/api/v1/licences/{licence.pk}/surrender/accept", {"closure_settled": True}, LAST_DAY)
    url = f"/api/v1/licences/{licence.pk}/security-release"
    early = call(api_as, regulator, url, {}, date(2029, 3, 5))
    assert (
        early.status_code == 409
        and "still open: Premium for January 2029 (Lithium) due 10 Feb 2029." in early.json()["error"]["message"]
    )
    with time_machine.travel(at(date(2029, 3, 6)), tick=False):
        amount = svc.amount_due(january, date(2029, 3, 6))[0]
        payment = svc.payment_record(actor=holder, licence_id=licence.pk, obligation_id=january.pk, amount=amount,
                                     reference="UTR-JAN", paid_on=date(2029, 3, 6))  # fmt: skip
        svc.payment_confirm(actor=regulator, payment_id=payment.pk)
    released = call(api_as, regulator, url, {}, date(2029, 3, 7), key="release-1")
    assert released.status_code == 200, released.content
    surrender = released.json()["surrender"]
    assert surrender["performance_security"] == "returned" and surrender["performance_security_returned_on"] == (
        "2029-03-07"
    )
    assert Entry.objects.filter(stream=licence.stream, kind="security_returned").count() == 1
    replay = call(api_as, regulator, url, {}, date(2029, 3, 7), key="release-1")
    assert replay.headers["Idempotent-Replayed"] == "true"
    twice = call(api_as, regulator, url, {}, date(2029, 3, 8))
    assert twice.status_code == 409 and Entry.objects.filter(kind="security_returned").count() == 1


def test_a_move_from_a_status_changed_meanwhile_writes_nothing(lease, regulator):
    """licence_move is a conditional UPDATE: a writer holding a stale status cannot move the licence again."""
    licence, _ = lease
    stale = Licence.objects.get(pk=licence.pk)
    entries = Entry.objects.filter(stream=licence.stream).count()
    Licence.objects.filter(pk=licence.pk).update(status=Licence.Status.EXPIRED)
    with transaction.atomic(), pytest.raises(Conflict, match="changed meanwhile"):
        svc.licence_move(licence=stale, to=Licence.Status.TERMINATED, actor=regulator, ended_on=date(2028, 6, 1))
    assert as_of(licence).status == Licence.Status.EXPIRED
    assert Entry.objects.filter(stream=licence.stream).count() == entries


def test_a_settled_surrender_returns_the_security(lease, regulator, api_as):
    licence, holder = lease
    notify(licence, holder)
    body = {"closure_settled": True}
    response = call(api_as, regulator, f"/api/v1/licences/{licence.pk}/surrender/accept", body, LAST_DAY)
    surrender = response.json()["surrender"]
    assert surrender["performance_security"] == "returned" and surrender["dues_payable"] == 0


def test_an_exploration_licence_may_be_surrendered_and_has_no_security(regulator, firm_user, api_as):
    el = el_granted(regulator, firm_user)
    notify(el, firm_user, on=date(2028, 1, 10))
    response = call(api_as, regulator, f"/api/v1/licences/{el.pk}/surrender/accept", {}, date(2029, 1, 10))
    assert response.status_code == 200, response.content
    surrender = response.json()["surrender"]
    assert response.json()["status"] == "surrendered" and surrender["performance_security"] == "none"
    assert Obligation.objects.get(licence=el, kind=Obligation.Kind.EXPIRY).status == ObStatus.WAIVED


def test_terminating_an_exploration_licence_after_its_discovery_leaves_the_states_auction_due(
    regulator, firm_user, api_as
):
    el = el_granted(regulator, firm_user)
    with time_machine.travel(at(date(2029, 7, 10)), tick=False):
        svc.el_discovery_report(actor=firm_user, licence_id=el.pk, stage_reached="G3", summary="Prospects")
    body = {"reason": "False work reports.", "notice_on": "2029-08-01", "heard_on": "2029-08-20"}
    response = call(api_as, regulator, f"/api/v1/licences/{el.pk}/terminate", body, date(2029, 9, 1))
    assert response.status_code == 200 and response.json()["termination"]["performance_security"] == "none"
    duty = Obligation.objects.get(licence=el, kind=Obligation.Kind.DISCOVERY_AUCTION)
    assert duty.status == ObStatus.PENDING  # the State's duty outlives the licence
    assert DueDate.objects.get(key=f"obligation:{duty.pk}").status == DueDate.Status.OPEN
    assert Obligation.objects.get(licence=el, kind=Obligation.Kind.EXPIRY).status == ObStatus.WAIVED


def test_notice_that_would_run_past_the_expiry_is_refused(regulator, firm_user, api_as):
    el = el_granted(regulator, firm_user)  # granted 1 Apr 2027: expires 1 Apr 2032
    url = f"/api/v1/licences/{el.pk}/surrender"
    response = call(api_as, firm_user, url, {"reason": "Done."}, date(2031, 5, 1))
    assert response.status_code == 409 and "before its notice would run: it ends by expiry" in response.content.decode()


# --- Termination -----------------------------------------------------------------------------------------------------


def test_a_termination_needs_notice_and_a_hearing_and_names_the_field(lease, regulator, api_as):
    licence, _ = lease
    url = f"/api/v1/licences/{licence.pk}/terminate"
    on = date(2028, 6, 15)
    missing = call(api_as, regulator, url, {"reason": "Breach."}, on)
    assert missing.status_code == 400 and set(missing.json()["error"]["fields"]) == {"notice_on", "heard_on"}
    before = call(api_as, regulator, url, {"reason": "Breach.", "notice_on": "2028-06-01", "heard_on": "2028-05-01"},
                  on)  # fmt: skip
    assert before.status_code == 400 and "follows the notice" in before.json()["error"]["fields"]["heard_on"][0]
    no_reason = call(api_as, regulator, url, {"reason": " ", "notice_on": "2028-05-01", "heard_on": "2028-06-01"}, on)
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    assert as_of(licence).status == Licence.Status.ACTIVE


def test_a_termination_forfeits_the_security_and_ends_later_obligations_today(lease, regulator, api_as):
    licence, holder = lease
    notify(licence, holder)  # a notice of surrender pending: the termination overtakes it
    may = premium_return(licence, holder, "2028-05", date(2028, 6, 3))  # due 10 Jun 2028
    june = date(2028, 6, 15)
    body = {"reason": "Mining outside the plan.", "notice_on": "2028-05-01", "heard_on": "2028-06-01"}
    response = call(api_as, regulator, f"/api/v1/licences/{licence.pk}/terminate", body, june, key="t-1")
    again = call(api_as, regulator, f"/api/v1/licences/{licence.pk}/terminate", body, june, key="t-1")
    assert response.status_code == again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    ended = response.json()
    assert ended["status"] == "terminated" and ended["ended_on"] == "2028-06-15"
    termination = ended["termination"]
    assert termination["performance_security"] == "forfeited" and termination["dues_payable"] == 1
    assert "Rs 1,00,00,000.00 is forfeited on termination" in termination["performance_security_basis"]
    may.refresh_from_db()
    assert may.status == ObStatus.PENDING  # due before the termination: still payable
    assert due_date(licence, "surrender").status == DueDate.Status.CANCELLED
    moves = Entry.objects.filter(stream=licence.stream, kind="status").order_by("-seq")
    assert moves[0].payload["to_status"] == "terminated" and "Terminated for breach" in moves[0].payload["note"]
    assert Block.objects.get(pk=licence.block_id).status == Block.Status.IDENTIFIED
    assert IdempotencyRecord.objects.filter(scope="licences.terminate").count() == 1


def test_an_ended_licence_cannot_be_terminated_or_surrendered(lease, regulator, api_as):
    licence, holder = lease
    body = {"reason": "Breach.", "notice_on": "2028-05-01", "heard_on": "2028-06-01"}
    call(api_as, regulator, f"/api/v1/licences/{licence.pk}/terminate", body, date(2028, 6, 15))
    again = call(api_as, regulator, f"/api/v1/licences/{licence.pk}/terminate", body, date(2028, 6, 16))
    assert again.status_code == 409 and "has ended" in again.json()["error"]["message"]
    notice = call(api_as, holder, f"/api/v1/licences/{licence.pk}/surrender", {"reason": "x"}, date(2028, 6, 16))
    assert notice.status_code == 409


def test_a_licence_not_yet_executed_is_not_surrendered_or_terminated(regulator, api_as):
    licence, firms = settled_lease(regulator, kind="ML")
    notice = call(api_as, firms[1], f"/api/v1/licences/{licence.pk}/surrender", {"reason": "x"}, date(2027, 3, 1))
    assert notice.status_code == 409 and "cannot become" in notice.json()["error"]["message"]


# --- Open data -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["surrender", "termination"])
def test_the_end_is_a_valid_ocds_contract_termination(lease, regulator, api_as, client, ending):
    licence, holder = lease
    if ending == "surrender":
        notify(licence, holder)
        call(api_as, regulator, f"/api/v1/licences/{licence.pk}/surrender/accept", {}, LAST_DAY)
        ended_on, words = "2029-03-01", "Surrendered on 01 Mar 2029"
    else:
        body = {"reason": "Mining outside the plan.", "notice_on": "2028-05-01", "heard_on": "2028-06-01"}
        call(api_as, regulator, f"/api/v1/licences/{licence.pk}/terminate", body, date(2028, 6, 15))
        ended_on, words = "2028-06-15", "Terminated on 15 Jun 2028"
    package = valid_package(client, f"/api/v1/public/auctions/{licence.auction_id}/ocds", at(date(2029, 7, 1)))
    releases = package["releases"]
    assert [r["tag"] for r in releases][-2:] == [["contract"], ["contractTermination"]]
    (contract,) = releases[-1]["contracts"]
    assert contract["status"] == "terminated" and releases[-1]["date"].startswith(ended_on)
    assert words in contract["description"]
