"""The API after the auction (/api/v1/licences/..., /payments/..., /obligations/...): every endpoint for every role,
the error shapes, retries with an Idempotency-Key, and the figures the holder and the regulator read.

Figures as in tests/factories/licence_post.py: first instalment Rs 10,00,000 and security Rs 1,00,00,000, due
9 Apr 2027; winning offer 93.61%."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from licences.models import Licence, Obligation, Payment, PremiumReturn
from tests.factories.licence_post import (
    FIRST_DUE,
    at,
    executed,
    holder_viewer,
    loi_issued,
    obligation,
    pay,
    settled_lease,
)

pytestmark = pytest.mark.django_db

K = Obligation.Kind
ROLES = ("anonymous", "plain user", "other firm's member", "holder's viewer", "regulator", "holder's admin")


@pytest.fixture
def world(regulator, plain_user):
    """A composite licence's preferred bidder (Bharat Ltd) and one user in each role."""
    licence, firms = settled_lease(regulator, kind="CL")
    roles = {
        "anonymous": None,
        "plain user": plain_user,
        "other firm's member": firms[0],  # Asha Ltd's admin, a losing bidder
        "holder's viewer": holder_viewer(licence),
        "regulator": regulator,
        "holder's admin": firms[1],
    }
    return licence, roles


def call(api_as, user, method, url, body=None, *, on=date(2027, 3, 15), **headers):
    with time_machine.travel(at(on), tick=False):
        return getattr(api_as(user), method)(url, body, format="json", **headers)


def check_roles(api_as, roles, method, url, body, expected: dict, *, on=date(2027, 3, 15)):
    """Call as each role in ROLES order (the one allowed to act last) and compare the status codes."""
    got = {}
    for role in ROLES:
        response = call(api_as, roles[role], method, url, body, on=on)
        got[role] = response.status_code
        if response.status_code >= 400:
            error = response.json()["error"]
            assert set(error) == {"code", "message", "fields"} and error["message"], (role, error)
    assert got == expected


READER = {"anonymous": 401, "plain user": 403, "other firm's member": 403, "holder's viewer": 200,
          "regulator": 200, "holder's admin": 200}  # fmt: skip
NOT_REGULATOR = {"anonymous": 401, "plain user": 403, "other firm's member": 403, "holder's viewer": 403,
                 "holder's admin": 403}  # fmt: skip


def first_body(licence, **overrides):
    due = obligation(licence, K.UPFRONT_1)
    return {"obligation": due.pk, "amount": "1000000.00", "reference": "UTR-9", "paid_on": "2027-03-15", **overrides}


# --- Every endpoint, every role --------------------------------------------------------------------------------------


def test_obligations_are_read_by_the_holders_members_and_regulators(world, api_as):
    licence, roles = world
    check_roles(api_as, roles, "get", f"/api/v1/licences/{licence.pk}/obligations", None, READER)


def test_payments_are_recorded_by_the_holders_admins_and_bidders_only(world, api_as):
    licence, roles = world
    expected = {**NOT_REGULATOR, "regulator": 403, "holder's admin": 201}
    check_roles(api_as, roles, "post", f"/api/v1/licences/{licence.pk}/payments", first_body(licence), expected)
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("action", ["confirm", "reject"])
def test_payments_are_decided_by_regulators_only(world, api_as, action):
    licence, roles = world
    call(api_as, roles["holder's admin"], "post", f"/api/v1/licences/{licence.pk}/payments", first_body(licence))
    payment = Payment.objects.get()
    url = f"/api/v1/payments/{payment.pk}/{action}"
    check_roles(api_as, roles, "post", url, {"reason": "No credit"}, {**NOT_REGULATOR, "regulator": 200})
    payment.refresh_from_db()
    assert payment.status == {"confirm": "confirmed", "reject": "rejected"}[action]


def test_the_loi_is_issued_by_regulators_only(world, api_as, regulator):
    licence, roles = world
    holder = roles["holder's admin"]
    pay(licence, holder, regulator, K.UPFRONT_1, on=date(2027, 3, 15))
    pay(licence, holder, regulator, K.PERFORMANCE_SECURITY, on=date(2027, 3, 15))
    url = f"/api/v1/licences/{licence.pk}/loi"
    check_roles(api_as, roles, "post", url, None, {**NOT_REGULATOR, "regulator": 200}, on=date(2027, 3, 20))
    licence.refresh_from_db()
    assert (licence.status, licence.awarded_on) == (Licence.Status.LOI_ISSUED, date(2027, 3, 20))


def test_milestones_are_marked_met_by_regulators_only(world, api_as, regulator):
    licence, roles = world
    loi_issued(licence, roles["holder's admin"], regulator, loi_on=date(2027, 3, 20))
    url = f"/api/v1/obligations/{obligation(licence, K.G2_REACHED).pk}/met"
    expected = {**NOT_REGULATOR, "regulator": 200}
    check_roles(api_as, roles, "post", url, {"met_on": "2027-06-01"}, expected, on=date(2027, 6, 1))
    assert obligation(licence, K.G2_REACHED).status == Obligation.Status.MET


def test_the_agreement_is_recorded_by_regulators_only(world, api_as, regulator):
    licence, roles = world
    holder = roles["holder's admin"]
    loi_issued(licence, holder, regulator)
    pay(licence, holder, regulator, K.UPFRONT_2, on=date(2027, 6, 1))
    url = f"/api/v1/licences/{licence.pk}/mdpa"
    check_roles(api_as, roles, "post", url, {}, {**NOT_REGULATOR, "regulator": 200}, on=date(2027, 6, 1))
    licence.refresh_from_db()
    assert licence.status == Licence.Status.MDPA_SIGNED


def test_execution_is_recorded_by_regulators_only(world, api_as, regulator):
    licence, roles = world
    holder = roles["holder's admin"]
    loi_issued(licence, holder, regulator)
    pay(licence, holder, regulator, K.UPFRONT_2, on=date(2027, 6, 1))
    call(api_as, regulator, "post", f"/api/v1/licences/{licence.pk}/mdpa", {}, on=date(2027, 6, 1))
    pay(licence, holder, regulator, K.UPFRONT_3, on=date(2027, 7, 1))
    url = f"/api/v1/licences/{licence.pk}/execute"
    body = {"executed_on": "2027-07-01"}
    check_roles(api_as, roles, "post", url, body, {**NOT_REGULATOR, "regulator": 200}, on=date(2027, 7, 2))
    licence.refresh_from_db()
    assert (licence.status, licence.starts_on, licence.expires_on) == ("active", date(2027, 7, 1), date(2077, 7, 1))


def test_revocation_is_a_regulators_act_only(world, api_as):
    licence, roles = world
    url = f"/api/v1/licences/{licence.pk}/revoke"
    body = {"reason": "First instalment not paid within 45 days."}
    check_roles(api_as, roles, "post", url, body, {**NOT_REGULATOR, "regulator": 200}, on=date(2027, 4, 10))
    licence.refresh_from_db()
    assert licence.status == Licence.Status.LOI_REVOKED


def test_premium_returns_are_read_by_members_and_regulators_and_filed_by_admins_and_bidders(world, api_as, regulator):
    licence, roles = world
    executed(licence, roles["holder's admin"], regulator)
    url = f"/api/v1/licences/{licence.pk}/premium-returns"
    body = {"month": "2028-01", "mineral": "lithium", "quantity_tonnes": "1000", "price_per_tonne": "20000"}
    on = date(2028, 2, 3)
    check_roles(api_as, roles, "get", url, None, READER, on=on)
    check_roles(api_as, roles, "post", url, body, {**NOT_REGULATOR, "regulator": 403, "holder's admin": 201}, on=on)
    assert PremiumReturn.objects.count() == 1


@pytest.mark.parametrize(
    "method,url",
    [
        ("get", "/api/v1/licences/999999/obligations"),
        ("post", "/api/v1/licences/999999/payments"),
        ("post", "/api/v1/payments/999999/confirm"),
        ("post", "/api/v1/payments/999999/reject"),
        ("post", "/api/v1/licences/999999/loi"),
        ("post", "/api/v1/obligations/999999/met"),
        ("post", "/api/v1/licences/999999/mdpa"),
        ("post", "/api/v1/licences/999999/execute"),
        ("post", "/api/v1/licences/999999/revoke"),
        ("get", "/api/v1/licences/999999/premium-returns"),
        ("post", "/api/v1/licences/999999/premium-returns"),
    ],
)
def test_an_unknown_object_is_404_with_the_error_shape(api_as, regulator, firm_user, method, url):
    user = firm_user if url.endswith(("payments", "premium-returns")) and method == "post" else regulator
    body = {"obligation": 1, "amount": "1", "reference": "x", "paid_on": "2027-03-01", "reason": "r",
            "met_on": "2027-03-01", "month": "2027-01", "mineral": "lithium", "quantity_tonnes": "1",
            "price_per_tonne": "1"}  # fmt: skip
    response = call(api_as, user, method, url, body)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- What the holder reads and the refusals it gets -------------------------------------------------------------------


def test_obligations_say_how_each_figure_was_computed_and_what_is_due_today(world, api_as):
    licence, roles = world
    response = call(api_as, roles["holder's viewer"], "get", f"/api/v1/licences/{licence.pk}/obligations",
                    on=date(2027, 6, 18))  # fmt: skip
    rows = {row["kind"]: row for row in response.json()}
    first = rows["upfront_1"]
    assert (first["amount"], first["due_on"], first["status"]) == ("1000000.00", "2027-04-09", "pending")
    assert "10% of the upfront payment" in first["basis"]
    # 18 Jun 2027 is 70 days after 9 Apr 2027: 10 days beyond the 60 days' grace.
    # 10,00,000 x 24% x 10 / 365 = 6,575.34 -> Rs 10,06,575.34 to pay today.
    assert first["amount_due_today"] == "1006575.34"
    assert "10 days" in first["interest_basis"]
    security = rows["performance_security"]
    assert (security["amount_due_today"], security["interest_basis"]) == ("10000000.00", "")


def test_a_wrong_amount_comes_back_as_a_field_error_with_the_amount_due(world, api_as):
    licence, roles = world
    body = first_body(licence, amount="999999.99")
    response = call(api_as, roles["holder's admin"], "post", f"/api/v1/licences/{licence.pk}/payments", body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "wrong_amount"
    assert error["fields"] == {"amount": ["The amount due is Rs 10,00,000.00."]}
    assert "Rs 9,99,999.99" in error["message"]


def test_a_malformed_payment_names_the_fields_to_correct(world, api_as):
    licence, roles = world
    body = {"obligation": "first", "amount": "ten lakh", "reference": "", "paid_on": "15/03/2027"}
    response = call(api_as, roles["holder's admin"], "post", f"/api/v1/licences/{licence.pk}/payments", body)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"obligation", "amount", "reference", "paid_on"}


def test_a_retried_payment_with_the_same_key_records_one_payment(world, api_as):
    licence, roles = world
    url = f"/api/v1/licences/{licence.pk}/payments"
    holder = roles["holder's admin"]
    first = call(api_as, holder, "post", url, first_body(licence), HTTP_IDEMPOTENCY_KEY="pay-1")
    again = call(api_as, holder, "post", url, first_body(licence), HTTP_IDEMPOTENCY_KEY="pay-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Payment.objects.count() == 1
    other = call(api_as, holder, "post", url, first_body(licence, reference="UTR-10"), HTTP_IDEMPOTENCY_KEY="pay-1")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Payment.objects.count() == 1


def test_a_retried_premium_return_with_the_same_key_files_one_return(world, api_as, regulator):
    licence, roles = world
    holder = roles["holder's admin"]
    executed(licence, holder, regulator)
    url = f"/api/v1/licences/{licence.pk}/premium-returns"
    body = {"month": "2028-01", "mineral": "lithium", "quantity_tonnes": "1000", "price_per_tonne": "20000"}
    first = call(api_as, holder, "post", url, body, on=date(2028, 2, 3), HTTP_IDEMPOTENCY_KEY="ret-1")
    again = call(api_as, holder, "post", url, body, on=date(2028, 2, 3), HTTP_IDEMPOTENCY_KEY="ret-1")
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert PremiumReturn.objects.count() == 1
    # 93.61% x (1,000 t x Rs 20,000) = Rs 1,87,22,000; half within 7 years of a CL's LoI = Rs 93,61,000.00.
    assert (first.json()["premium"], first.json()["concession_pct"]) == ("9361000.00", "50.00")
    assert first.json()["due_on"] == "2028-02-10"
    without_key = call(api_as, holder, "post", url, body, on=date(2028, 2, 3))
    assert without_key.status_code == 409 and without_key.json()["error"]["code"] == "duplicate_return"


def test_a_premium_return_for_a_month_not_ended_is_refused_on_the_month_field(world, api_as, regulator):
    licence, roles = world
    holder = roles["holder's admin"]
    executed(licence, holder, regulator)
    body = {"month": "2028-02", "mineral": "lithium", "quantity_tonnes": "1000", "price_per_tonne": "20000"}
    response = call(api_as, holder, "post", f"/api/v1/licences/{licence.pk}/premium-returns", body,
                    on=date(2028, 2, 20))  # fmt: skip
    assert response.status_code == 400
    assert "month" in response.json()["error"]["fields"]
    bad = call(api_as, holder, "post", f"/api/v1/licences/{licence.pk}/premium-returns", {**body, "month": "2028-13"},
               on=date(2028, 2, 20))  # fmt: skip
    assert bad.status_code == 400 and "month" in bad.json()["error"]["fields"]


def test_the_regulators_acts_answer_with_the_licence_and_refuse_out_of_order(world, api_as, regulator):
    licence, _ = world
    early = call(api_as, regulator, "post", f"/api/v1/licences/{licence.pk}/loi", on=date(2027, 3, 20))
    assert early.status_code == 409 and "first instalment" in early.json()["error"]["message"]
    not_yet = call(api_as, regulator, "post", f"/api/v1/licences/{licence.pk}/revoke", {"reason": "x"}, on=FIRST_DUE)
    assert not_yet.status_code == 409 and "not in default" in not_yet.json()["error"]["message"]
    no_reason = call(api_as, regulator, "post", f"/api/v1/licences/{licence.pk}/revoke", {}, on=date(2027, 4, 10))
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    revoked = call(api_as, regulator, "post", f"/api/v1/licences/{licence.pk}/revoke", {"reason": "Not paid."},
                   on=date(2027, 4, 10))  # fmt: skip
    body = revoked.json()
    assert body["status"] == "loi_revoked" and body["ended_on"] == "2027-04-10"
    assert body["revocation"]["appropriated"] == {"bid_security": "5000000.00"}
    assert body["revocation"]["rule"] == "RULES.md s.3 item 12"


def test_a_late_milestone_answers_with_its_penalty_and_basis(regulator, api_as):
    licence, firms = settled_lease(regulator, kind="ML")
    loi_issued(licence, firms[1], regulator, loi_on=date(2027, 3, 20))
    url = f"/api/v1/obligations/{obligation(licence, K.MINING_PLAN).pk}/met"
    # Due 20 Sep 2027, met 21 Nov 2027: 3 months or part late; 1% of Rs 1,00,00,000 x 3 = Rs 3,00,000.
    response = call(api_as, regulator, "post", url, {"met_on": "2027-11-21"}, on=date(2027, 11, 22))
    assert response.status_code == 200
    assert (response.json()["penalty"], response.json()["met_on"]) == ("300000.00", "2027-11-21")
    assert "3 months" in response.json()["penalty_basis"]
    wrong = call(api_as, regulator, "post", f"/api/v1/obligations/{obligation(licence, K.UPFRONT_2).pk}/met",
                 {"met_on": "2027-11-21"}, on=date(2027, 11, 22))  # fmt: skip
    assert wrong.status_code == 400


# --- Query counts do not grow with the rows -------------------------------------------------------------------------


def test_listing_obligations_and_returns_costs_the_same_queries_for_more_rows(world, api_as, regulator):
    licence, roles = world
    holder = roles["holder's admin"]
    executed(licence, holder, regulator)
    obligations_url = f"/api/v1/licences/{licence.pk}/obligations"
    returns_url = f"/api/v1/licences/{licence.pk}/premium-returns"
    body = {"mineral": "lithium", "quantity_tonnes": "10", "price_per_tonne": "20000"}

    def counts():
        result = []
        for url in (obligations_url, returns_url):
            with CaptureQueriesContext(connection) as queries:
                assert call(api_as, holder, "get", url, on=date(2028, 6, 1)).status_code == 200
            result.append(len(queries))
        return result

    call(api_as, holder, "post", returns_url, {**body, "month": "2028-01"}, on=date(2028, 6, 1))
    counts()  # the first read caches who the user is, on the user object the client keeps
    before = counts()
    for month in ("2028-02", "2028-03", "2028-04"):
        call(api_as, holder, "post", returns_url, {**body, "month": month}, on=date(2028, 6, 1))
    assert counts() == before
    assert Decimal(call(api_as, holder, "get", returns_url, on=date(2028, 6, 1)).json()["results"][0]["premium"]) > 0
