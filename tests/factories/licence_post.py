"""Licences that come about for real: an auction settled through the services (`staged`), whose settlement
creates the preferred bidder's licence; then the post-auction acts, each at its own time (time-machine).

`staged` builds a G3 block, so its auction is for a composite licence; `settled_lease(kind="ML")` turns the
block and its auction into a mining lease's (G2) before the close, the one thing the staging cannot choose.

Figures of every auction here (worked by hand, RULES.md s.3 item 11 with the default parameters):
VER = 1,00,000 t x Rs 20,000/t = Rs 2,00,00,00,000 (200 crore); performance security 0.5% = Rs 1,00,00,000;
upfront payment 0.5% = Rs 1,00,00,000 (under the 500 crore cap); instalments 10% / 10% / 80% =
Rs 10,00,000 / Rs 10,00,000 / Rs 80,00,000. The e-auction closes 23 Feb 2027 11:00 IST and is settled a minute
later, so the preferred bidder is declared on 23 Feb 2027 and its first dues fall 45 days later, on 9 Apr 2027.
The second of the three bidders wins with the floor (93.11%, the highest IPO) + 0.50 = 93.61%.
"""

from datetime import date, datetime, time
from decimal import Decimal

import time_machine
from django.utils import timezone

from auctions import services as auction_svc
from auctions.models import Auction
from bidders.models import Membership
from blocks.models import Block
from licences import services as svc
from licences.models import Licence, Obligation
from tests.factories import MembershipFactory, UserFactory
from tests.factories.public_auctions import moment, staged, three_firms

VER = Decimal("2000000000.00")
SECURITY = Decimal("10000000.00")
UPFRONT = Decimal("10000000.00")
FIRST_INSTALMENT = Decimal("1000000.00")
SECOND_INSTALMENT = Decimal("1000000.00")
BALANCE = Decimal("8000000.00")
DECLARED_ON = date(2027, 2, 23)
FIRST_DUE = date(2027, 4, 9)  # 23 Feb 2027 + 45 days: 5 left in Feb, 31 in Mar, 9 in Apr
WINNING_PCT = Decimal("93.61")


def at(day: date, hour: int = 12):
    """Noon IST of `day`, as an aware datetime for time-machine."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def settled_lease(regulator, *, kind: str = "CL", code: str = "CG-LI-01", prefix: str = "", before_settle=None,
                  **tranche):  # fmt: skip
    """(licence, firms): an auction of a new block settled through the services; its winner (firms[1]) holds the
    licence the settlement created. `before_settle(auction)` runs after the e-auction, before the close;
    `tranche` goes to the tranche (e.g. params={...})."""
    firms = three_firms(prefix)
    auction = staged(regulator, firms, "live", code=code, **tranche)
    if kind != "CL":
        stage = {"ML": "G2", "EL": "G4"}[kind]
        Block.objects.filter(pk=auction.block_id).update(lease_kind=kind, exploration_stage=stage)
        direction = Auction.Direction.DESCENDING if kind == "EL" else Auction.Direction.ASCENDING
        Auction.objects.filter(pk=auction.pk).update(lease_kind=kind, direction=direction)
    if before_settle is not None:
        before_settle(auction)
    with time_machine.travel(moment(auction, "settled"), tick=False):
        auction_svc.auctions_sweep()
    return Licence.objects.get(auction=auction), firms


def holder_viewer(licence, username="vikram"):
    """A viewer member of the licence's holder: may follow, not act."""
    return MembershipFactory(user=UserFactory(username=username), firm=licence.holder, role=Membership.Role.VIEWER).user


def obligation(licence, kind) -> Obligation:
    return licence.obligations.get(kind=kind)


def pay(licence, holder, regulator, kind, *, on: date, amount=None, reference=None):
    """The holder records a payment of the obligation of `kind` on `on`, the regulator confirms it that day."""
    due = obligation(licence, kind)
    with time_machine.travel(at(on), tick=False):
        total = amount if amount is not None else svc.amount_due(due, on)[0]
        payment = svc.payment_record(
            actor=holder,
            licence_id=licence.pk,
            obligation_id=due.pk,
            amount=total,
            reference=reference or f"UTR-{kind}-{on:%Y%m%d}",
            paid_on=on,
        )
        svc.payment_confirm(actor=regulator, payment_id=payment.pk)
    return payment


def loi_issued(licence, holder, regulator, *, paid_on=date(2027, 3, 15), loi_on=date(2027, 3, 20)):
    """First instalment and security paid and confirmed, the Letter of Intent issued on `loi_on`."""
    pay(licence, holder, regulator, Obligation.Kind.UPFRONT_1, on=paid_on)
    pay(licence, holder, regulator, Obligation.Kind.PERFORMANCE_SECURITY, on=paid_on)
    with time_machine.travel(at(loi_on), tick=False):
        svc.licence_issue_loi(actor=regulator, licence_id=licence.pk)
    licence.refresh_from_db()
    return licence


def executed(licence, holder, regulator, *, loi_on=date(2027, 3, 20), executed_on=date(2027, 12, 1)):
    """From the preferred bidder to a lease in force, every milestone on time, executed on `executed_on`."""
    loi_issued(licence, holder, regulator, loi_on=loi_on)
    step = date(2027, 6, 1)
    if licence.kind == "ML":
        for kind in (Obligation.Kind.MINING_PLAN, Obligation.Kind.ENVIRONMENT_CLEARANCE):
            with time_machine.travel(at(step), tick=False):
                svc.obligation_mark_met(actor=regulator, obligation_id=obligation(licence, kind).pk, met_on=step)
    pay(licence, holder, regulator, Obligation.Kind.UPFRONT_2, on=step)
    with time_machine.travel(at(step), tick=False):
        svc.licence_sign_mdpa(actor=regulator, licence_id=licence.pk, signed_on=step)
    pay(licence, holder, regulator, Obligation.Kind.UPFRONT_3, on=executed_on)
    with time_machine.travel(at(executed_on), tick=False):
        svc.licence_execute(actor=regulator, licence_id=licence.pk, executed_on=executed_on)
    licence.refresh_from_db()
    return licence
