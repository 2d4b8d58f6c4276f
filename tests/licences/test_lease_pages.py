"""The post-auction pages: a licence's payments, milestones and premium (its holder's members and regulators) and the
regulator's queue. Every page and every form for every role; forms that work without JavaScript, with refusals
next to their fields; every figure shown with how it was computed.

Figures as in tests/factories/licence_post.py: first instalment Rs 10,00,000 and security Rs 1,00,00,000 due
9 Apr 2027; winning offer 93.61%."""

import html
import re
from datetime import date

import pytest
import time_machine
from django.test import Client

from licences.models import Licence, Obligation, Payment, PremiumReturn
from tests.factories.licence_post import at, executed, holder_viewer, loi_issued, obligation, pay, settled_lease

pytestmark = pytest.mark.django_db

K = Obligation.Kind
ROLES = ("anonymous", "plain user", "other firm's member", "holder's viewer", "holder's admin", "regulator")
MEMBERS_AND_REGULATORS = {"anonymous": 302, "plain user": 403, "other firm's member": 403, "holder's viewer": 200,
                          "holder's admin": 200, "regulator": 200}  # fmt: skip


def text(response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def field_error(response, field_id: str) -> str:
    """The message rendered next to a form field (templates/auctions/flow/_field.html)."""
    found = re.findall(rf'id="{re.escape(field_id)}_error"[^>]*>(.*?)</', response.content.decode(), re.S)
    return " ".join(html.unescape(m).strip() for m in found)


def visit(user, url, *, on=date(2027, 3, 15), data=None):
    client = Client()
    with time_machine.travel(at(on), tick=False):
        if user is not None:
            client.force_login(user)
        return client.get(url) if data is None else client.post(url, data)


@pytest.fixture
def world(regulator, plain_user):
    licence, firms = settled_lease(regulator, kind="CL")
    roles = {
        "anonymous": None,
        "plain user": plain_user,
        "other firm's member": firms[0],
        "holder's viewer": holder_viewer(licence),
        "holder's admin": firms[1],
        "regulator": regulator,
    }
    return licence, roles


def statuses(roles, url, *, data=None, on=date(2027, 3, 15), only=ROLES):
    return {role: visit(roles[role], url, data=data, on=on).status_code for role in only}


# --- Who sees what ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["payments", "milestones", "premium"])
def test_a_licences_pages_are_for_its_holders_members_and_regulators(world, page):
    licence, roles = world
    url = f"/licences/{licence.pk}/{page}/"
    assert statuses(roles, url) == MEMBERS_AND_REGULATORS
    refused = visit(roles["other firm's member"], url)
    assert "Bharat Ltd's members and to regulators only" in text(refused)
    assert f'href="/licences/{licence.pk}/"' in refused.content.decode()
    assert visit(None, url)["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("page", ["payments", "milestones", "premium"])
def test_an_unknown_licence_is_404(regulator, page):
    assert visit(regulator, f"/licences/999999/{page}/").status_code == 404


def test_the_regulators_queue_is_for_regulators_only(world):
    _, roles = world
    expected = {**dict.fromkeys(ROLES, 403), "anonymous": 302, "regulator": 200}
    assert statuses(roles, "/regulator/licences/") == expected


def test_only_the_holders_admins_and_bidders_record_payments_on_the_page(world):
    licence, roles = world
    due = obligation(licence, K.UPFRONT_1)
    data = {"obligation": due.pk, "amount": "1000000.00", "reference": "UTR-1", "paid_on": "2027-03-15"}
    got = statuses(roles, f"/licences/{licence.pk}/payments/", data=data)
    assert got == {**MEMBERS_AND_REGULATORS, "holder's viewer": 403, "regulator": 403, "holder's admin": 302}
    assert Payment.objects.count() == 1


def test_only_the_holders_admins_and_bidders_file_returns_on_the_page(world, regulator):
    licence, roles = world
    executed(licence, roles["holder's admin"], regulator)
    data = {"month": "2028-01", "mineral": "lithium", "quantity_tonnes": "1000", "price_per_tonne": "20000"}
    got = statuses(roles, f"/licences/{licence.pk}/premium/", data=data, on=date(2028, 2, 3))
    assert got == {**MEMBERS_AND_REGULATORS, "holder's viewer": 403, "regulator": 403, "holder's admin": 302}
    assert PremiumReturn.objects.count() == 1


def test_the_regulators_buttons_refuse_everyone_else(world, regulator):
    licence, roles = world
    holder = roles["holder's admin"]
    loi_issued(licence, holder, regulator)
    payment = Payment.objects.filter(obligation__kind=K.UPFRONT_1).get()
    g2 = obligation(licence, K.G2_REACHED)
    posts = {
        f"/licences/{licence.pk}/payments/{payment.pk}/confirm/": {},
        f"/licences/{licence.pk}/payments/{payment.pk}/reject/": {f"reject-{payment.pk}-reason": "x"},
        f"/licences/{licence.pk}/loi/": {},
        f"/licences/{licence.pk}/obligations/{g2.pk}/met/": {f"met-{g2.pk}-met_on": "2027-06-01"},
        f"/licences/{licence.pk}/mdpa/": {},
        f"/licences/{licence.pk}/execute/": {},
        f"/licences/{licence.pk}/revoke/": {"reason": "x"},
    }
    others = ROLES[:-1]
    for url, data in posts.items():
        got = statuses(roles, url, data=data, on=date(2027, 6, 1), only=others)
        assert got == {**dict.fromkeys(others, 403), "anonymous": 302}, url
    licence.refresh_from_db()
    assert licence.status == Licence.Status.LOI_ISSUED
    assert obligation(licence, K.G2_REACHED).status == Obligation.Status.PENDING


# --- Payments -------------------------------------------------------------------------------------------------------


def test_the_payments_page_shows_each_due_and_how_it_was_computed(world):
    licence, roles = world
    page = text(visit(roles["holder's viewer"], f"/licences/{licence.pk}/payments/"))
    assert "Upfront payment: first instalment" in page and "Rs 10,00,000.00" in page
    assert "10% of the upfront payment Rs 1,00,00,000.00 = Rs 10,00,000.00" in page
    assert "Within 45 days of being declared preferred bidder on 23 Feb 2027: by 9 Apr 2027" in page
    assert "Record a payment" not in page  # a viewer follows, does not act
    assert "Record a payment" in text(visit(roles["holder's admin"], f"/licences/{licence.pk}/payments/"))


def test_the_page_shows_the_interest_due_on_a_late_instalment(world):
    licence, roles = world
    page = text(visit(roles["holder's admin"], f"/licences/{licence.pk}/payments/", on=date(2027, 6, 18)))
    # 70 days after 9 Apr 2027, 10 beyond the grace: 10,00,000 x 24% x 10/365 = Rs 6,575.34; Rs 10,06,575.34 today.
    assert "Rs 10,06,575.34" in page and "incl. interest Rs 6,575.34" in page
    assert "overdue" in page


def test_a_firm_records_a_payment_and_the_regulator_confirms_it_on_the_pages(world, regulator):
    licence, roles = world
    holder = roles["holder's admin"]
    url = f"/licences/{licence.pk}/payments/"
    due = obligation(licence, K.PERFORMANCE_SECURITY)
    data = {"obligation": due.pk, "amount": "10000000.00", "reference": "BG-42", "paid_on": "2027-03-15"}
    response = visit(holder, url, data=data)
    assert response.status_code == 302 and response["Location"] == url
    payment = Payment.objects.get(reference="BG-42")
    regulator_page = visit(regulator, url)
    assert "Awaiting confirmation" in text(regulator_page) and "BG-42" in text(regulator_page)
    assert f"/payments/{payment.pk}/confirm/" in regulator_page.content.decode()
    assert f"/payments/{payment.pk}/confirm/" not in visit(holder, url).content.decode()
    confirmed = visit(regulator, f"{url}{payment.pk}/confirm/", data={})
    assert confirmed.status_code == 302
    assert obligation(licence, K.PERFORMANCE_SECURITY).status == Obligation.Status.MET
    assert "Confirmed by the regulator" in text(visit(holder, url))


def test_a_wrong_amount_is_refused_next_to_the_amount_field(world):
    licence, roles = world
    due = obligation(licence, K.UPFRONT_1)
    data = {"obligation": due.pk, "amount": "100000", "reference": "UTR-1", "paid_on": "2027-03-15"}
    response = visit(roles["holder's admin"], f"/licences/{licence.pk}/payments/", data=data)
    assert response.status_code == 400
    assert field_error(response, "id_amount") == "The amount due is Rs 10,00,000.00."
    assert 'value="UTR-1"' in response.content.decode()  # the form comes back as typed
    assert not Payment.objects.exists()


def test_a_malformed_payment_is_refused_field_by_field(world):
    licence, roles = world
    data = {"obligation": "", "amount": "ten", "reference": "", "paid_on": "tomorrow"}
    response = visit(roles["holder's admin"], f"/licences/{licence.pk}/payments/", data=data)
    assert response.status_code == 400
    assert field_error(response, "id_obligation") == "Choose what the payment is for."
    assert "like 1000000.00" in field_error(response, "id_amount")
    assert "transaction number" in field_error(response, "id_reference")
    assert field_error(response, "id_paid_on") == "Give a date like 2027-04-15."


def test_rejecting_without_a_reason_is_refused_next_to_the_reason(world, regulator):
    licence, roles = world
    due = obligation(licence, K.UPFRONT_1)
    data = {"obligation": due.pk, "amount": "1000000.00", "reference": "UTR-1", "paid_on": "2027-03-15"}
    visit(roles["holder's admin"], f"/licences/{licence.pk}/payments/", data=data)
    payment = Payment.objects.get()
    url = f"/licences/{licence.pk}/payments/{payment.pk}/reject/"
    refused = visit(regulator, url, data={f"reject-{payment.pk}-reason": ""})
    assert refused.status_code == 400
    assert "Say why" in field_error(refused, f"id_reject-{payment.pk}-reason")
    assert visit(regulator, url, data={f"reject-{payment.pk}-reason": "No such credit"}).status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.decision_note) == ("rejected", "No such credit")


# --- Milestones -----------------------------------------------------------------------------------------------------


def test_the_regulator_issues_the_loi_from_the_milestones_page(world, regulator):
    licence, roles = world
    holder = roles["holder's admin"]
    url = f"/licences/{licence.pk}/milestones/"
    assert "Issue the Letter of Intent" not in text(visit(regulator, url, on=date(2027, 3, 20)))
    pay(licence, holder, regulator, K.UPFRONT_1, on=date(2027, 3, 15))
    pay(licence, holder, regulator, K.PERFORMANCE_SECURITY, on=date(2027, 3, 15))
    assert "Issue the Letter of Intent" in text(visit(regulator, url, on=date(2027, 3, 20)))
    assert "Issue the Letter of Intent" not in text(visit(holder, url, on=date(2027, 3, 20)))
    response = visit(regulator, f"/licences/{licence.pk}/loi/", data={}, on=date(2027, 3, 20))
    assert response.status_code == 302 and response["Location"] == url
    page = text(visit(holder, url, on=date(2027, 3, 21)))
    assert "Letter of Intent issued" in page and "20 Mar 2027" in page
    assert "Executed the licence: LoI 20 Mar 2027 + 12 months = 20 Mar 2028" in page


def test_a_late_milestone_shows_its_penalty_and_basis(regulator):
    licence, firms = settled_lease(regulator, kind="ML")
    loi_issued(licence, firms[1], regulator, loi_on=date(2027, 3, 20))
    plan = obligation(licence, K.MINING_PLAN)
    url = f"/licences/{licence.pk}/obligations/{plan.pk}/met/"
    future = visit(regulator, url, data={f"met-{plan.pk}-met_on": "2027-11-30"}, on=date(2027, 11, 22))
    assert future.status_code == 400
    assert "on or before 22 Nov 2027" in field_error(future, f"id_met-{plan.pk}-met_on")
    response = visit(regulator, url, data={f"met-{plan.pk}-met_on": "2027-11-21"}, on=date(2027, 11, 22))
    assert response.status_code == 302
    # Due 20 Sep 2027, met 21 Nov 2027: 3 months or part; 1% of Rs 1,00,00,000 x 3 = Rs 3,00,000.
    page = text(visit(firms[1], f"/licences/{licence.pk}/milestones/", on=date(2027, 11, 22)))
    assert "Rs 3,00,000.00" in page and "x 3 months or part (due 20 Sep 2027, met 21 Nov 2027)" in page


def test_revocation_from_the_page_needs_a_ground_then_shows_what_was_appropriated(world, regulator):
    licence, roles = world
    url = f"/licences/{licence.pk}/revoke/"
    early = visit(regulator, url, data={"reason": "Not paid"}, on=date(2027, 4, 9))
    assert early.status_code == 409 and "not in default" in text(early)
    empty = visit(regulator, url, data={"reason": ""}, on=date(2027, 4, 10))
    assert empty.status_code == 400 and "Give the reason" in field_error(empty, "id_reason")
    done = visit(regulator, url, data={"reason": "Not paid within 45 days"}, on=date(2027, 4, 10))
    assert done.status_code == 302
    page = text(visit(roles["holder's viewer"], f"/licences/{licence.pk}/milestones/", on=date(2027, 4, 10)))
    assert "Revoked for default on 10 Apr 2027" in page
    assert "the bid security of Rs 50,00,000.00" in page and "RULES.md s.3 item 12" in page


def test_execution_from_the_page_shows_the_term_and_its_basis(world, regulator):
    licence, roles = world
    holder = roles["holder's admin"]
    loi_issued(licence, holder, regulator)
    pay(licence, holder, regulator, K.UPFRONT_2, on=date(2027, 6, 1))
    assert (
        visit(regulator, f"/licences/{licence.pk}/mdpa/", data={"signed_on": ""}, on=date(2027, 6, 1)).status_code
        == 302
    )
    refused = visit(regulator, f"/licences/{licence.pk}/execute/", data={"executed_on": ""}, on=date(2027, 6, 2))
    assert refused.status_code == 409 and "balance at execution" in text(refused)
    pay(licence, holder, regulator, K.UPFRONT_3, on=date(2027, 7, 1))
    done = visit(regulator, f"/licences/{licence.pk}/execute/", data={"executed_on": "2027-07-01"}, on=date(2027, 7, 2))
    assert done.status_code == 302
    page = text(visit(holder, f"/licences/{licence.pk}/milestones/", on=date(2027, 7, 2)))
    assert "01 Jul 2077" in page and "The lease period is 50 years" in page and "s.8A(2)" in page


# --- Premium ----------------------------------------------------------------------------------------------------------


def test_a_return_filed_on_the_page_shows_due_paid_and_outstanding(world, regulator):
    licence, roles = world
    holder = roles["holder's admin"]
    executed(licence, holder, regulator)
    url = f"/licences/{licence.pk}/premium/"
    data = {"month": "2028-01", "mineral": "lithium", "quantity_tonnes": "1000", "price_per_tonne": "20000"}
    response = visit(holder, url, data=data, on=date(2028, 2, 3))
    assert response.status_code == 302
    # 93.61% x (1,000 t x Rs 20,000) = Rs 1,87,22,000; half within 7 years of the LoI: Rs 93,61,000.00 due 10 Feb.
    page = text(visit(roles["holder's viewer"], url, on=date(2028, 2, 4)))
    assert "January 2028" in page and "10 Feb 2028" in page
    row = page[page.index("January 2028") :]
    assert "Rs 93,61,000.00 Rs 0.00 Rs 93,61,000.00" in row  # due, paid, outstanding
    assert "File a monthly return" not in page
    pay(licence, holder, regulator, K.PREMIUM, on=date(2028, 2, 5))
    row = text(visit(holder, url, on=date(2028, 2, 6)))
    assert "Rs 93,61,000.00 Rs 93,61,000.00 Rs 0.00" in row[row.index("January 2028") :]


def test_a_return_for_a_month_not_ended_is_refused_next_to_the_month(world, regulator):
    licence, roles = world
    holder = roles["holder's admin"]
    executed(licence, holder, regulator)
    data = {"month": "2028-02", "mineral": "lithium", "quantity_tonnes": "1000", "price_per_tonne": "20000"}
    response = visit(holder, f"/licences/{licence.pk}/premium/", data=data, on=date(2028, 2, 20))
    assert response.status_code == 400
    assert field_error(response, "id_month") == "Give a month before February 2028."
    negative = visit(holder, f"/licences/{licence.pk}/premium/", data={**data, "quantity_tonnes": "-1"},
                     on=date(2028, 3, 2))  # fmt: skip
    assert field_error(negative, "id_quantity_tonnes") == "The quantity cannot be negative."


# --- The regulator's queue --------------------------------------------------------------------------------------------


def test_the_queue_lists_payments_to_confirm_loi_ready_and_overdue(world, regulator):
    licence, roles = world
    holder = roles["holder's admin"]
    pay(licence, holder, regulator, K.PERFORMANCE_SECURITY, on=date(2027, 3, 15))
    due = obligation(licence, K.UPFRONT_1)
    data = {"obligation": due.pk, "amount": "1000000.00", "reference": "UTR-77", "paid_on": "2027-03-15"}
    visit(holder, f"/licences/{licence.pk}/payments/", data=data)
    queue = text(visit(regulator, "/regulator/licences/", on=date(2027, 3, 16)))
    assert "Payments awaiting confirmation 1" in queue and "UTR-77" in queue and "Rs 10,00,000.00" in queue
    assert "Ready for the Letter of Intent 0" in queue
    payment = Payment.objects.get(reference="UTR-77")
    visit(regulator, f"/licences/{licence.pk}/payments/{payment.pk}/confirm/", data={}, on=date(2027, 3, 16))
    queue = text(visit(regulator, "/regulator/licences/", on=date(2027, 3, 17)))
    assert "Ready for the Letter of Intent 1" in queue and licence.number in queue


def test_the_queue_lists_overdue_dues(world, regulator):
    licence, _ = world
    queue = text(visit(regulator, "/regulator/licences/", on=date(2027, 4, 10)))
    assert "Overdue 2" in queue and "09 Apr 2027" in queue and licence.number in queue
