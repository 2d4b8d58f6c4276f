"""From the preferred bidder to the lease, through the services: the licence the settlement creates, payments and
their confirmation, the Letter of Intent, milestones and delay penalties, the agreement, execution, revocation for
default, monthly premium with the early-despatch concession, and the exploration licence holder's share.

Every auction here is settled through the real services (tests/factories/licence_post.py, whose docstring works out
the figures: VER Rs 200 crore, security Rs 1,00,00,000, instalments Rs 10,00,000 / 10,00,000 / 80,00,000, declared
23 Feb 2027, first dues by 9 Apr 2027, winning offer 93.61%)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from auctions import services as auction_svc
from blocks.models import Block, Mineral
from core.errors import ApplicationError, Conflict, PermissionDenied
from ledger.models import Entry
from licences import services as svc
from licences.models import Licence, Obligation, Payment, PremiumReturn, PremiumShare
from notifications.models import DueDate, Notification
from tests.factories import FirmFactory
from tests.factories.auction_flow import SCHEDULE
from tests.factories.licence_post import (
    BALANCE,
    DECLARED_ON,
    FIRST_DUE,
    FIRST_INSTALMENT,
    SECOND_INSTALMENT,
    SECURITY,
    VER,
    WINNING_PCT,
    at,
    executed,
    holder_viewer,
    loi_issued,
    obligation,
    pay,
    settled_lease,
)
from tests.factories.licences import make_licence

pytestmark = pytest.mark.django_db

K = Obligation.Kind
BID_SECURITY = Decimal("5000000.00")  # 0.25% of Rs 200 crore = Rs 50,00,000 (under the Rs 50 crore cap)


@pytest.fixture
def cl(regulator):
    """(licence, holder's admin, a losing bidder): a composite licence's preferred bidder."""
    licence, firms = settled_lease(regulator, kind="CL")
    return licence, firms[1], firms[0]


@pytest.fixture
def ml(regulator):
    licence, firms = settled_lease(regulator, kind="ML")
    return licence, firms[1], firms[0]


def record(licence, user, kind, *, on, amount=None, reference="UTR-0001"):
    due = obligation(licence, kind)
    with time_machine.travel(at(on), tick=False):
        return svc.payment_record(
            actor=user,
            licence_id=licence.pk,
            obligation_id=due.pk,
            amount=due.amount if amount is None else amount,
            reference=reference,
            paid_on=on,
        )


# --- The licence the settlement creates -----------------------------------------------------------------------------


def test_settling_a_cl_auction_creates_the_preferred_bidders_licence_with_its_first_dues(cl):
    licence, holder, _ = cl
    block = licence.block
    assert licence.number == "CL/2027/0001"
    assert licence.kind == "CL"
    assert licence.holder.legal_name == "Bharat Ltd"
    assert licence.status == Licence.Status.PREFERRED_BIDDER
    assert (licence.state, licence.district) == ("Chhattisgarh", "Korba")
    assert licence.boundary == block.boundary and licence.original_boundary == block.boundary
    assert licence.area_hectares == block.area_hectares
    assert list(licence.minerals.values_list("slug", flat=True)) == ["lithium"]
    assert licence.winning_offer_pct == WINNING_PCT
    assert licence.value_of_estimated_resources == VER
    assert licence.performance_security == SECURITY
    assert licence.upfront_payment == Decimal("10000000.00")
    assert licence.params["preferred_bidder_payment_days"] == 45 and licence.params["upfront_payment_pct"] == "0.5"
    # Bid due 3 Feb 2027 10:00 IST (T0 + 30 days); the e-auction closed and settled on 23 Feb 2027.
    assert licence.applied_on == date(2027, 2, 3)
    assert licence.declared_on == DECLARED_ON
    assert licence.parent_el is None
    first = obligation(licence, K.UPFRONT_1)
    security = obligation(licence, K.PERFORMANCE_SECURITY)
    assert (first.amount, first.due_on) == (FIRST_INSTALMENT, FIRST_DUE)
    assert (security.amount, security.due_on) == (SECURITY, FIRST_DUE)
    assert "10% of the upfront payment Rs 1,00,00,000.00 = Rs 10,00,000.00" in first.basis
    assert "0.5% of VER Rs 2,00,00,00,000.00" in first.basis
    assert "45 days" in first.basis and "9 Apr 2027" in first.basis
    assert "0.5% of VER Rs 2,00,00,00,000.00 = Rs 1,00,00,000.00" in security.basis
    assert licence.obligations.count() == 2
    deadlines = DueDate.objects.filter(audience=f"firm:{licence.holder_id}", status="open").order_by("kind")
    assert [(d.kind, d.due_on) for d in deadlines] == [("performance_security", FIRST_DUE), ("upfront_1", FIRST_DUE)]


def test_the_dues_follow_the_tranches_parameters(regulator):
    params = {"preferred_bidder_payment_days": 30, "performance_security_pct": "1"}
    licence, _ = settled_lease(regulator, kind="CL", params=params)
    assert licence.params["preferred_bidder_payment_days"] == 30
    # 23 Feb 2027 + 30 days = 25 Mar 2027 (5 days left in February, 25 in March); 1% of Rs 200 crore = Rs 2 crore.
    security = obligation(licence, K.PERFORMANCE_SECURITY)
    assert (security.due_on, security.amount) == (date(2027, 3, 25), Decimal("20000000.00"))
    assert licence.performance_security == Decimal("20000000.00")
    assert obligation(licence, K.UPFRONT_1).due_on == date(2027, 3, 25)


def test_the_licence_is_on_its_ledger_stream_and_the_holder_is_told_what_to_pay(cl):
    licence, holder, loser = cl
    entry = Entry.objects.get(stream=f"licence:{licence.pk}", seq=1)
    assert entry.kind == "declared"
    assert entry.payload["holder"] == "Bharat Ltd"
    assert entry.payload["winning_offer_pct"] == "93.61"
    notice = Notification.objects.filter(user=holder, url=f"/licences/{licence.pk}/payments/").get()
    assert "Rs 10,00,000.00" in notice.title and "Rs 1,00,00,000.00" in notice.title
    assert "9 Apr 2027" in notice.title
    assert not Notification.objects.filter(user=loser, url__startswith="/licences/").exists()


def test_an_ml_auction_gives_a_mining_lease_numbered_in_its_own_series(ml):
    licence, _, _ = ml
    assert licence.number == "ML/2027/0001"
    assert licence.kind == "ML"
    assert licence.obligations.filter(kind__in=(K.UPFRONT_1, K.PERFORMANCE_SECURITY)).count() == 2


def test_an_el_auction_gives_an_exploration_licence_without_money_dues(regulator):
    licence, firms = settled_lease(regulator, kind="EL")
    assert licence.number == "EL/2027/0001"
    assert licence.kind == "EL"
    assert licence.status == Licence.Status.PREFERRED_BIDDER
    assert licence.obligations.count() == 0
    assert licence.performance_security == 0 and licence.upfront_payment == 0
    assert Notification.objects.filter(user=firms[1], title__contains="exploration licence").exists()


def test_a_lease_auctioned_on_an_els_discovery_points_to_that_el(regulator):
    explorer = FirmFactory(legal_name="Explorer Ltd")
    made = {}

    def discovery(auction):
        made["el"] = make_licence(kind="EL", holder=explorer, status="discovery_reported", block=auction.block)

    licence, _ = settled_lease(regulator, kind="CL", before_settle=discovery)
    assert licence.parent_el == made["el"]


# --- Payments --------------------------------------------------------------------------------------------------------


def test_the_holder_records_a_payment_and_the_regulator_confirms_it(cl, regulator):
    licence, holder, _ = cl
    payment = record(licence, holder, K.UPFRONT_1, on=date(2027, 3, 15), reference="UTR-123")
    assert payment.status == Payment.Status.RECORDED
    assert obligation(licence, K.UPFRONT_1).status == Obligation.Status.SUBMITTED
    with time_machine.travel(at(date(2027, 3, 16)), tick=False):
        svc.payment_confirm(actor=regulator, payment_id=payment.pk)
    payment.refresh_from_db()
    first = obligation(licence, K.UPFRONT_1)
    assert payment.status == Payment.Status.CONFIRMED and payment.decided_by == regulator
    assert payment.interest == 0
    assert (first.status, first.met_on) == (Obligation.Status.MET, date(2027, 3, 15))
    assert DueDate.objects.get(key=f"obligation:{first.pk}", kind="upfront_1").status == "met"
    kinds = list(Entry.objects.filter(stream=licence.stream).order_by("seq").values_list("kind", flat=True))
    assert kinds == ["declared", "payment_recorded", "payment_confirmed"]
    assert Notification.objects.filter(user=regulator, title__contains="Payment to confirm").exists()
    assert Notification.objects.filter(user=holder, title__contains="payment confirmed").exists()


def test_a_wrong_amount_is_refused_with_the_amount_due(cl):
    licence, holder, _ = cl
    with pytest.raises(ApplicationError) as refused:
        record(licence, holder, K.UPFRONT_1, on=date(2027, 3, 15), amount=Decimal("100000.00"))
    assert refused.value.code == "wrong_amount"
    assert "Rs 10,00,000.00" in refused.value.message and "Rs 1,00,000.00" in refused.value.message
    assert refused.value.fields["amount"] == ["The amount due is Rs 10,00,000.00."]
    assert not Payment.objects.exists()


def test_a_payment_more_than_60_days_late_must_include_the_interest(cl, regulator):
    licence, holder, _ = cl
    # Due 9 Apr 2027, paid 18 Jun 2027: 21 days (rest of April) + 31 (May) + 18 (June) = 70 days late, 10 beyond the
    # 60 days' grace. Interest = 10,00,000 x 24% x 10/365 = 2,40,000 x 10 / 365 = 6,575.342... -> Rs 6,575.34.
    paid_on = date(2027, 6, 18)
    with pytest.raises(ApplicationError) as refused:
        record(licence, holder, K.UPFRONT_1, on=paid_on)
    assert "Rs 10,06,575.34" in refused.value.message and "interest Rs 6,575.34" in refused.value.message
    payment = record(licence, holder, K.UPFRONT_1, on=paid_on, amount=Decimal("1006575.34"))
    with time_machine.travel(at(paid_on), tick=False):
        svc.payment_confirm(actor=regulator, payment_id=payment.pk)
    payment.refresh_from_db()
    assert payment.interest == Decimal("6575.34")
    assert "10 days" in payment.interest_basis and "24% a year" in payment.interest_basis


def test_the_performance_security_bears_no_interest(cl):
    licence, holder, _ = cl
    # A bank guarantee furnished late is still the security's amount: nothing is owed on it as a debt.
    payment = record(licence, holder, K.PERFORMANCE_SECURITY, on=date(2027, 6, 18))
    assert payment.amount == SECURITY and payment.interest == 0


def test_a_reference_is_used_once_per_licence(cl):
    licence, holder, _ = cl
    record(licence, holder, K.PERFORMANCE_SECURITY, on=date(2027, 3, 15), reference="BG-77")
    with pytest.raises(Conflict) as refused:
        record(licence, holder, K.UPFRONT_1, on=date(2027, 3, 15), reference="bg-77")
    assert refused.value.code == "duplicate_reference"
    assert "BG-77" in refused.value.message and "reference" in refused.value.fields


def test_a_payment_dated_in_the_future_is_refused(cl):
    licence, holder, _ = cl
    due = obligation(licence, K.UPFRONT_1)
    with time_machine.travel(at(date(2027, 3, 15)), tick=False), pytest.raises(ApplicationError) as refused:
        svc.payment_record(actor=holder, licence_id=licence.pk, obligation_id=due.pk, amount=due.amount,
                           reference="UTR-1", paid_on=date(2027, 3, 16))  # fmt: skip
    assert "paid_on" in refused.value.fields and "16 Mar 2027" in refused.value.message


def test_an_obligation_of_another_licence_is_refused(cl, regulator):
    licence, holder, _ = cl
    other, _ = settled_lease(regulator, kind="CL", code="CG-LI-02", prefix="x")
    with time_machine.travel(at(date(2027, 3, 15)), tick=False), pytest.raises(ApplicationError) as refused:
        svc.payment_record(actor=holder, licence_id=licence.pk, obligation_id=obligation(other, K.UPFRONT_1).pk,
                           amount=FIRST_INSTALMENT, reference="UTR-1", paid_on=date(2027, 3, 15))  # fmt: skip
    assert refused.value.code == "not_this_licence"
    assert "obligation" in refused.value.fields


@pytest.mark.parametrize("who", ["losing bidder", "viewer", "regulator"])
def test_only_the_holders_admins_and_bidders_record_payments(cl, regulator, who):
    licence, _, loser = cl
    actor = {"losing bidder": loser, "viewer": holder_viewer(licence), "regulator": regulator}[who]
    with pytest.raises(PermissionDenied) as refused:
        record(licence, actor, K.UPFRONT_1, on=date(2027, 3, 15))
    assert licence.number in refused.value.message or "viewer" in refused.value.message
    assert not Payment.objects.exists()


def test_a_second_payment_waits_for_the_decision_on_the_first(cl):
    licence, holder, _ = cl
    record(licence, holder, K.UPFRONT_1, on=date(2027, 3, 15), reference="UTR-1")
    with pytest.raises(Conflict) as refused:
        record(licence, holder, K.UPFRONT_1, on=date(2027, 3, 15), reference="UTR-2")
    assert "awaiting" in refused.value.message


def test_a_rejected_payment_makes_the_due_open_again_and_tells_the_firm_why(cl, regulator):
    licence, holder, _ = cl
    payment = record(licence, holder, K.UPFRONT_1, on=date(2027, 3, 15), reference="UTR-1")
    with time_machine.travel(at(date(2027, 3, 16)), tick=False):
        with pytest.raises(ApplicationError) as no_reason:
            svc.payment_reject(actor=regulator, payment_id=payment.pk, reason=" ")
        assert "reason" in no_reason.value.fields
        with pytest.raises(PermissionDenied):
            svc.payment_reject(actor=holder, payment_id=payment.pk, reason="mine")
        svc.payment_reject(actor=regulator, payment_id=payment.pk, reason="No such credit in the account")
        with pytest.raises(Conflict):
            svc.payment_confirm(actor=regulator, payment_id=payment.pk)
    assert obligation(licence, K.UPFRONT_1).status == Obligation.Status.PENDING
    notice = Notification.objects.get(user=holder, title__contains="rejected")
    assert "No such credit in the account" in notice.body
    again = record(licence, holder, K.UPFRONT_1, on=date(2027, 3, 17), reference="UTR-2")
    assert again.status == Payment.Status.RECORDED


def test_a_firm_cannot_confirm_its_own_payment(cl):
    licence, holder, _ = cl
    payment = record(licence, holder, K.UPFRONT_1, on=date(2027, 3, 15))
    with pytest.raises(PermissionDenied):
        svc.payment_confirm(actor=holder, payment_id=payment.pk)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.RECORDED


# --- The Letter of Intent and the milestones ------------------------------------------------------------------------


def test_the_loi_waits_for_both_the_first_instalment_and_the_security(cl, regulator):
    licence, holder, _ = cl
    pay(licence, holder, regulator, K.UPFRONT_1, on=date(2027, 3, 15))
    with time_machine.travel(at(date(2027, 3, 20)), tick=False), pytest.raises(Conflict) as refused:
        svc.licence_issue_loi(actor=regulator, licence_id=licence.pk)
    assert "performance security (pending)" in refused.value.message
    licence.refresh_from_db()
    assert licence.status == Licence.Status.PREFERRED_BIDDER and licence.awarded_on is None


def test_a_firm_cannot_issue_its_own_loi(cl, regulator):
    licence, holder, _ = cl
    pay(licence, holder, regulator, K.UPFRONT_1, on=date(2027, 3, 15))
    pay(licence, holder, regulator, K.PERFORMANCE_SECURITY, on=date(2027, 3, 15))
    with time_machine.travel(at(date(2027, 3, 20)), tick=False), pytest.raises(PermissionDenied):
        svc.licence_issue_loi(actor=holder, licence_id=licence.pk)


def test_the_loi_of_a_cl_sets_its_milestones_and_the_remaining_instalments(cl, regulator):
    licence, holder, _ = cl
    loi_issued(licence, holder, regulator, loi_on=date(2027, 3, 20))
    assert licence.status == Licence.Status.LOI_ISSUED and licence.awarded_on == date(2027, 3, 20)
    # CL: execution (with the agreement and instalments 2 and 3) LoI + 12 months; G2 LoI + 36 months.
    due = {
        o.kind: (o.due_on, o.amount)
        for o in licence.obligations.exclude(kind__in=(K.UPFRONT_1, K.PERFORMANCE_SECURITY))
    }
    assert due == {
        "mdpa": (date(2028, 3, 20), None),
        "upfront_2": (date(2028, 3, 20), SECOND_INSTALMENT),
        "execution": (date(2028, 3, 20), None),
        "upfront_3": (date(2028, 3, 20), BALANCE),
        "g2_reached": (date(2030, 3, 20), None),
    }
    assert "Balance (80%)" in obligation(licence, K.UPFRONT_3).basis
    assert Notification.objects.filter(user=holder, title__contains="Letter of Intent issued").exists()


def test_the_loi_of_an_ml_sets_the_mining_plan_clearance_and_execution(ml, regulator):
    licence, holder, _ = ml
    loi_issued(licence, holder, regulator, loi_on=date(2027, 3, 20))
    # ML: mining plan LoI + 6 months; clearance 18 months after that; execution 12 months after that.
    assert obligation(licence, K.MINING_PLAN).due_on == date(2027, 9, 20)
    assert obligation(licence, K.ENVIRONMENT_CLEARANCE).due_on == date(2029, 3, 20)
    assert obligation(licence, K.EXECUTION).due_on == date(2030, 3, 20)
    assert not licence.obligations.filter(kind=K.G2_REACHED).exists()


def mark(licence, regulator, kind, met_on, *, now=None):
    with time_machine.travel(at(now or met_on), tick=False):
        return svc.obligation_mark_met(actor=regulator, obligation_id=obligation(licence, kind).pk, met_on=met_on)


def test_a_milestone_met_on_time_costs_nothing(ml, regulator):
    licence, holder, _ = ml
    loi_issued(licence, holder, regulator, loi_on=date(2027, 3, 20))
    met = mark(licence, regulator, K.MINING_PLAN, date(2027, 9, 20))
    assert (met.status, met.met_on, met.penalty) == (Obligation.Status.MET, date(2027, 9, 20), 0)


def test_a_late_milestone_costs_one_percent_of_the_security_per_month_or_part(ml, regulator):
    licence, holder, _ = ml
    loi_issued(licence, holder, regulator, loi_on=date(2027, 3, 20))
    # Due 20 Sep 2027, met 21 Nov 2027: the first month late ends 20 Oct, the second 20 Nov; 21 Nov starts a third.
    # 1% of Rs 1,00,00,000 x 3 = Rs 3,00,000.
    met = mark(licence, regulator, K.MINING_PLAN, date(2027, 11, 21))
    assert met.penalty == Decimal("300000.00")
    assert "3 months" in met.penalty_basis and "Rs 3,00,000.00" in met.penalty_basis
    assert Notification.objects.filter(user=holder, title__contains="delay penalty of Rs 3,00,000.00").exists()
    event = licence.events.get(kind="milestone_met")
    assert "Rs 3,00,000.00" in event.note


@pytest.mark.parametrize(
    "met_on,penalty",
    [
        # Due 31 Jan 2028 (LoI 31 Jul 2027 + 6 months). 2028 is a leap year: the first month late ends on 29 Feb.
        (date(2028, 2, 29), Decimal("100000.00")),  # 1 month or part: 1% of 1,00,00,000
        (date(2028, 3, 1), Decimal("200000.00")),  # a second month has begun: 2%
    ],
)
def test_a_delay_across_a_leap_february_counts_months_from_the_due_date(ml, regulator, met_on, penalty):
    licence, holder, _ = ml
    loi_issued(licence, holder, regulator, loi_on=date(2027, 7, 31))
    assert obligation(licence, K.MINING_PLAN).due_on == date(2028, 1, 31)
    assert mark(licence, regulator, K.MINING_PLAN, met_on).penalty == penalty


def test_a_milestone_date_in_the_future_or_before_the_loi_is_refused(ml, regulator):
    licence, holder, _ = ml
    loi_issued(licence, holder, regulator, loi_on=date(2027, 3, 20))
    with pytest.raises(ApplicationError) as future:
        mark(licence, regulator, K.MINING_PLAN, date(2027, 6, 2), now=date(2027, 6, 1))
    assert "met_on" in future.value.fields
    with pytest.raises(ApplicationError) as early:
        mark(licence, regulator, K.MINING_PLAN, date(2027, 3, 19), now=date(2027, 6, 1))
    assert "before the Letter of Intent" in early.value.message
    with pytest.raises(ApplicationError) as money:
        mark(licence, regulator, K.UPFRONT_2, date(2027, 6, 1))
    assert "confirm its payment" in money.value.message
    with pytest.raises(PermissionDenied):
        mark(licence, holder, K.MINING_PLAN, date(2027, 6, 1))
    mark(licence, regulator, K.MINING_PLAN, date(2027, 6, 1))
    with pytest.raises(Conflict):
        mark(licence, regulator, K.MINING_PLAN, date(2027, 6, 1))


def test_the_agreement_waits_for_the_second_instalment(cl, regulator):
    licence, holder, _ = cl
    loi_issued(licence, holder, regulator)
    with time_machine.travel(at(date(2027, 6, 1)), tick=False), pytest.raises(Conflict) as refused:
        svc.licence_sign_mdpa(actor=regulator, licence_id=licence.pk, signed_on=date(2027, 6, 1))
    assert "second instalment" in refused.value.message
    pay(licence, holder, regulator, K.UPFRONT_2, on=date(2027, 6, 1))
    with time_machine.travel(at(date(2027, 6, 2)), tick=False):
        svc.licence_sign_mdpa(actor=regulator, licence_id=licence.pk, signed_on=date(2027, 6, 1))
    licence.refresh_from_db()
    assert licence.status == Licence.Status.MDPA_SIGNED
    mdpa = obligation(licence, K.MDPA)
    assert (mdpa.status, mdpa.met_on, mdpa.penalty) == (Obligation.Status.MET, date(2027, 6, 1), 0)


def test_executing_a_cl_needs_the_balance_then_puts_it_in_force_for_fifty_years(cl, regulator):
    licence, holder, _ = cl
    loi_issued(licence, holder, regulator)
    pay(licence, holder, regulator, K.UPFRONT_2, on=date(2027, 6, 1))
    with time_machine.travel(at(date(2027, 6, 1)), tick=False):
        svc.licence_sign_mdpa(actor=regulator, licence_id=licence.pk)
        with pytest.raises(Conflict) as refused:
            svc.licence_execute(actor=regulator, licence_id=licence.pk)
    assert "balance at execution" in refused.value.message
    # Executed 29 Feb 2028: 50 years on there is no 29 Feb (2078 is not a leap year), so it expires 28 Feb 2078.
    pay(licence, holder, regulator, K.UPFRONT_3, on=date(2028, 2, 29))
    with time_machine.travel(at(date(2028, 3, 1)), tick=False):
        svc.licence_execute(actor=regulator, licence_id=licence.pk, executed_on=date(2028, 2, 29))
    licence.refresh_from_db()
    assert licence.status == Licence.Status.ACTIVE
    assert (licence.starts_on, licence.expires_on) == (date(2028, 2, 29), date(2078, 2, 28))
    assert "50 years" in licence.details["term_basis"] and "s.8A(2)" in licence.details["term_basis"]
    assert Block.objects.get(pk=licence.block_id).status == Block.Status.LICENSED
    assert obligation(licence, K.EXECUTION).status == Obligation.Status.MET
    assert obligation(licence, K.EXPIRY).due_on == date(2078, 2, 28)


def test_executing_an_ml_needs_the_mining_plan_and_the_environment_clearance(ml, regulator):
    licence, holder, _ = ml
    loi_issued(licence, holder, regulator)
    pay(licence, holder, regulator, K.UPFRONT_2, on=date(2027, 6, 1))
    pay(licence, holder, regulator, K.UPFRONT_3, on=date(2027, 6, 1))
    with time_machine.travel(at(date(2027, 6, 1)), tick=False):
        svc.licence_sign_mdpa(actor=regulator, licence_id=licence.pk)
        with pytest.raises(Conflict) as refused:
            svc.licence_execute(actor=regulator, licence_id=licence.pk)
    assert "mining plan approved (pending)" in refused.value.message
    assert "environment clearance (pending)" in refused.value.message
    mark(licence, regulator, K.MINING_PLAN, date(2027, 7, 1))
    mark(licence, regulator, K.ENVIRONMENT_CLEARANCE, date(2027, 8, 1))
    with time_machine.travel(at(date(2027, 8, 2)), tick=False):
        svc.licence_execute(actor=regulator, licence_id=licence.pk)
    licence.refresh_from_db()
    assert (licence.status, licence.starts_on, licence.expires_on) == ("active", date(2027, 8, 2), date(2077, 8, 2))


def test_the_agreement_and_execution_are_refused_out_of_order(cl, regulator):
    licence, holder, _ = cl
    with time_machine.travel(at(date(2027, 3, 20)), tick=False):
        with pytest.raises(Conflict):
            svc.licence_sign_mdpa(actor=regulator, licence_id=licence.pk)
        with pytest.raises(Conflict):
            svc.licence_execute(actor=regulator, licence_id=licence.pk)
        with pytest.raises(PermissionDenied):
            svc.licence_execute(actor=holder, licence_id=licence.pk)


# --- Failure: the 45 days missed ------------------------------------------------------------------------------------


def revoke(licence, regulator, on, reason="The first instalment was not paid within 45 days."):
    with time_machine.travel(at(on), tick=False):
        return svc.licence_revoke(actor=regulator, licence_id=licence.pk, reason=reason)


def test_no_revocation_until_the_45_days_have_passed(cl, regulator):
    licence, _, _ = cl
    with pytest.raises(Conflict) as refused:
        revoke(licence, regulator, FIRST_DUE)  # the due date itself is still within the 45 days
    assert "not in default" in refused.value.message and "9 Apr 2027" in refused.value.message
    licence.refresh_from_db()
    assert licence.status == Licence.Status.PREFERRED_BIDDER


def test_a_preferred_bidder_who_misses_the_45_days_loses_the_loi_and_the_bid_security(cl, regulator):
    licence, holder, _ = cl
    revoked = revoke(licence, regulator, FIRST_DUE + timedelta(days=1))
    assert revoked.status == Licence.Status.LOI_REVOKED and revoked.ended_on == date(2027, 4, 10)
    revocation = revoked.details["revocation"]
    assert revocation["rule"] == "RULES.md s.3 item 12"
    assert revocation["appropriated"] == {"bid_security": "5000000.00"}
    assert "Rs 50,00,000.00" in revocation["appropriation_basis"]
    assert any("first instalment" in g.lower() and "9 Apr 2027" in g for g in revocation["grounds"])
    assert Block.objects.get(pk=licence.block_id).status == Block.Status.IDENTIFIED
    statuses = set(licence.obligations.values_list("status", flat=True))
    assert statuses == {Obligation.Status.MISSED}
    assert not DueDate.objects.filter(audience=f"firm:{licence.holder_id}", status="open").exists()
    assert licence.events.filter(to_status="loi_revoked", note__contains="RULES.md s.3 item 12").exists()
    assert Entry.objects.filter(stream=licence.stream, kind="status", payload__to_status="loi_revoked").exists()
    assert Notification.objects.filter(user=holder, title__contains="revoked").exists()


def test_a_security_furnished_before_the_default_is_appropriated_too(cl, regulator):
    licence, holder, _ = cl
    pay(licence, holder, regulator, K.PERFORMANCE_SECURITY, on=date(2027, 3, 15))
    revoked = revoke(licence, regulator, date(2027, 4, 12))
    assert revoked.details["revocation"]["appropriated"] == {
        "bid_security": "5000000.00",
        "performance_security": "10000000.00",
    }


def test_a_revoked_block_can_be_auctioned_again(cl, regulator):
    licence, _, _ = cl
    revoke(licence, regulator, date(2027, 4, 10))
    shift = timedelta(days=200)
    with time_machine.travel(at(date(2027, 4, 11)), tick=False):
        tranche = auction_svc.tranche_create(
            actor=regulator,
            name="Re-auction",
            blocks=[licence.block.code],
            tender_fee="300000",
            net_worth_threshold="1000000000",
            **{k: v + shift for k, v in SCHEDULE.items()},
        )
    assert list(tranche.blocks.values_list("code", flat=True)) == [licence.block.code]
    # The block went back through its status table, and its public ledger says why.
    last = Entry.objects.filter(stream=f"block:{licence.block_id}").order_by("-seq").first()
    assert (last.kind, last.payload["to"], last.payload["from"]) == ("status", "identified", "auctioned")
    assert last.payload["reason"] == f"{licence.number} revoked for default"


def test_a_missed_milestone_after_the_loi_costs_the_security(cl, regulator):
    licence, holder, _ = cl
    loi_issued(licence, holder, regulator, loi_on=date(2027, 3, 20))
    with pytest.raises(Conflict):
        revoke(licence, regulator, date(2028, 3, 20))  # execution is due that day, not yet missed
    revoked = revoke(licence, regulator, date(2028, 3, 21), reason="Not executed within 12 months of the LoI.")
    revocation = revoked.details["revocation"]
    assert revocation["rule"] == "RULES.md s.3 item 13"
    assert revocation["appropriated"] == {"performance_security": "10000000.00"}
    assert obligation(licence, K.G2_REACHED).status == Obligation.Status.WAIVED  # not yet due when revoked
    assert obligation(licence, K.EXECUTION).status == Obligation.Status.MISSED


def test_revocation_needs_a_regulator_and_a_reason(cl, regulator):
    licence, holder, _ = cl
    with pytest.raises(PermissionDenied):
        revoke(licence, holder, date(2027, 4, 10))
    with pytest.raises(ApplicationError) as refused:
        revoke(licence, regulator, date(2027, 4, 10), reason="")
    assert "reason" in refused.value.fields


def test_a_lease_in_force_is_not_revoked_for_default(cl, regulator):
    licence, holder, _ = cl
    executed(licence, holder, regulator)
    with pytest.raises(Conflict):
        revoke(licence, regulator, date(2030, 1, 1))


# --- Premium ---------------------------------------------------------------------------------------------------------


def file_return(licence, user, month, *, on, quantity="1000", price="20000", mineral="lithium"):
    with time_machine.travel(at(on), tick=False):
        return svc.premium_return_file(actor=user, licence_id=licence.pk, month=month, mineral=mineral,
                                       quantity_tonnes=quantity, price_per_tonne=price)  # fmt: skip


@pytest.fixture
def active_cl(cl, regulator):
    licence, holder, loser = cl
    executed(licence, holder, regulator)  # LoI 20 Mar 2027, executed 1 Dec 2027
    return licence, holder, loser


def test_premium_within_seven_years_of_a_cls_loi_is_half(active_cl):
    licence, holder, _ = active_cl
    # January 2028: 1,000 t x Rs 20,000/t = Rs 2,00,00,000 despatched; 93.61% of it = Rs 1,87,22,000; within 7 years of
    # the LoI (20 Mar 2027) half is payable: Rs 93,61,000.00, due 10 Feb 2028.
    filed = file_return(licence, holder, "2028-01", on=date(2028, 2, 3))
    assert filed.month == date(2028, 1, 1)
    assert filed.value_despatched == Decimal("20000000.00")
    assert filed.concession_pct == Decimal("50")
    assert filed.premium == Decimal("9361000.00")
    assert (filed.obligation.amount, filed.obligation.due_on) == (Decimal("9361000.00"), date(2028, 2, 10))
    assert "Rs 93,61,000.00" in filed.basis
    assert DueDate.objects.filter(
        key=f"obligation:{filed.obligation_id}", kind="premium", due_on=date(2028, 2, 10)
    ).exists()


def test_premium_after_five_years_of_an_mls_loi_is_in_full(ml, regulator):
    licence, holder, _ = ml
    executed(licence, holder, regulator)  # LoI 20 Mar 2027: the concession runs to 20 Mar 2032
    # February 2032 lies wholly within: half of 93.61% x Rs 2,00,00,000 = Rs 93,61,000.00.
    early = file_return(licence, holder, "2032-02", on=date(2032, 4, 2))
    # March 2032 ends after 20 Mar 2032: the whole premium, 93.61% x Rs 2,00,00,000 = Rs 1,87,22,000.00.
    full = file_return(licence, holder, "2032-03", on=date(2032, 4, 2))
    assert (early.concession_pct, early.premium) == (Decimal("50"), Decimal("9361000.00"))
    assert (full.concession_pct, full.premium) == (Decimal("100"), Decimal("18722000.00"))


def test_a_return_is_refused_for_a_month_not_ended_or_before_execution(active_cl):
    licence, holder, _ = active_cl
    with pytest.raises(ApplicationError) as current:
        file_return(licence, holder, "2028-02", on=date(2028, 2, 20))
    assert "February 2028 has not ended" in current.value.message and "month" in current.value.fields
    with pytest.raises(ApplicationError) as future:
        file_return(licence, holder, "2028-05", on=date(2028, 2, 20))
    assert "month" in future.value.fields
    with pytest.raises(ApplicationError) as before:
        file_return(licence, holder, "2027-11", on=date(2028, 2, 20))
    assert "1 Dec 2027" in before.value.message
    assert not PremiumReturn.objects.exists()


def test_a_month_and_mineral_is_filed_once(active_cl):
    licence, holder, _ = active_cl
    file_return(licence, holder, "2028-01", on=date(2028, 2, 3))
    with pytest.raises(Conflict) as refused:
        file_return(licence, holder, "2028-01", on=date(2028, 2, 4), quantity="5")
    assert refused.value.code == "duplicate_return"
    assert PremiumReturn.objects.count() == 1


def test_two_minerals_of_one_month_are_two_returns_each_with_its_premium(active_cl):
    licence, holder, _ = active_cl
    licence.minerals.add(Mineral.objects.get(slug="graphite"))
    file_return(licence, holder, "2028-01", on=date(2028, 2, 3))
    # Graphite: 500 t x Rs 10,000/t = Rs 50,00,000 despatched; 93.61% = Rs 46,80,500;
    # half within 7 years = Rs 23,40,250.
    graphite = file_return(licence, holder, "2028-01", on=date(2028, 2, 3), quantity="500", price="10000",
                           mineral="graphite")  # fmt: skip
    assert graphite.premium == Decimal("2340250.00")
    dues = licence.obligations.filter(kind="premium", due_on=date(2028, 2, 10)).order_by("amount")
    assert [o.amount for o in dues] == [Decimal("2340250.00"), Decimal("9361000.00")]
    assert DueDate.objects.filter(audience=f"firm:{licence.holder_id}", kind="premium", status="open").count() == 2


def test_a_return_names_a_mineral_of_the_licence(active_cl):
    licence, holder, _ = active_cl
    with pytest.raises(ApplicationError) as refused:
        file_return(licence, holder, "2028-01", on=date(2028, 2, 3), mineral="iron-ore")
    assert "lithium" in refused.value.message and "mineral" in refused.value.fields


@pytest.mark.parametrize("who", ["losing bidder", "viewer", "regulator"])
def test_only_the_holders_admins_and_bidders_file_returns(active_cl, regulator, who):
    licence, _, loser = active_cl
    actor = {"losing bidder": loser, "viewer": holder_viewer(licence), "regulator": regulator}[who]
    with pytest.raises(PermissionDenied):
        file_return(licence, actor, "2028-01", on=date(2028, 2, 3))


def test_no_return_before_the_lease_is_in_force(cl):
    licence, holder, _ = cl
    with pytest.raises(Conflict) as refused:
        file_return(licence, holder, "2027-02", on=date(2027, 3, 3))
    assert "in force" in refused.value.message


def test_a_premium_paid_late_carries_interest(active_cl, regulator):
    licence, holder, _ = active_cl
    filed = file_return(licence, holder, "2028-01", on=date(2028, 2, 3))
    # Due 10 Feb 2028, paid 20 Apr 2028: 19 days (to 29 Feb, a leap year) + 31 + 20 = 70 days late, 10 beyond 60.
    # Interest = 93,61,000 x 24% x 10 / 365 = 22,46,640 x 10 / 365 = 61,551.78 (2,24,66,400 / 365 = 61,551.7808).
    payment = pay(licence, holder, regulator, K.PREMIUM, on=date(2028, 4, 20), amount=Decimal("9422551.78"))
    payment.refresh_from_db()
    assert payment.interest == Decimal("61551.78")
    filed.obligation.refresh_from_db()
    assert filed.obligation.status == Obligation.Status.MET


def test_an_el_holder_earns_its_share_of_every_confirmed_premium_payment(regulator):
    explorer = FirmFactory(legal_name="Explorer Ltd")
    made = {}

    def discovery(auction):
        made["el"] = make_licence(kind="EL", holder=explorer, status="discovery_reported", block=auction.block,
                                  winning_offer_pct=Decimal("18.00"))  # fmt: skip

    licence, firms = settled_lease(regulator, kind="CL", before_settle=discovery)
    holder, el = firms[1], made["el"]
    executed(licence, holder, regulator)
    file_return(licence, holder, "2028-01", on=date(2028, 2, 3))
    payment = record(licence, holder, K.PREMIUM, on=date(2028, 2, 5), reference="UTR-PREM-1")
    assert not PremiumShare.objects.exists()  # nothing is shared until the payment is confirmed
    with time_machine.travel(at(date(2028, 2, 6)), tick=False):
        svc.payment_confirm(actor=regulator, payment_id=payment.pk)
    # 18% of the premium payment Rs 93,61,000.00 = Rs 16,84,980.00.
    share = PremiumShare.objects.get()
    assert (share.lease, share.el, share.payment) == (licence, el, payment)
    assert (share.share_pct, share.amount) == (Decimal("18.00"), Decimal("1684980.00"))
    assert "18% of the premium payment Rs 93,61,000.00 = Rs 16,84,980.00" in share.basis
    assert Entry.objects.filter(stream=licence.stream, kind="el_share_paid", payload__amount="1684980.00").exists()
    assert Entry.objects.filter(stream=el.stream, kind="el_share_earned", payload__amount="1684980.00").exists()
    assert el.events.filter(kind="el_share_earned", note__contains="Rs 16,84,980.00").exists()


def test_a_lease_without_a_parent_el_shares_nothing(active_cl, regulator):
    licence, holder, _ = active_cl
    file_return(licence, holder, "2028-01", on=date(2028, 2, 3))
    pay(licence, holder, regulator, K.PREMIUM, on=date(2028, 2, 5))
    assert not PremiumShare.objects.exists()


def test_a_month_without_despatches_owes_nothing(active_cl):
    licence, holder, _ = active_cl
    filed = file_return(licence, holder, "2028-01", on=date(2028, 2, 3), quantity="0")
    assert filed.premium == 0
    assert filed.obligation.status == Obligation.Status.MET
