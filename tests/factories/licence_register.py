"""Licences with a history and obligations, for the tests of the register and of deadlines.

The licence row is written by tests.factories.licences.make_licence (the services that create licences are
tested elsewhere); its moves, acts and obligations go through licences.services, so the history, the ledger
stream and the deadlines are the real ones.
"""

import datetime
from decimal import Decimal

import time_machine
from django.db import transaction

from licences.models import Obligation
from licences.services import licence_move, licence_record, obligation_add, obligation_settle
from tests.factories.licences import make_licence

IST = datetime.timezone(datetime.timedelta(hours=5, minutes=30))


def at(day: datetime.date, hour: int = 11) -> datetime.datetime:
    """A moment of `day` in India (11:00 IST unless told)."""
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=IST)


def ml_with_history(*, holder, regulator=None, **fields):
    """A mining lease of `holder`: preferred bidder declared 1 Mar 2027, LoI 1 Apr 2027, development agreement
    signed and the deed executed 1 Apr 2028; three obligations: the first instalment (met), the mining plan
    (missed, with a delay penalty) and the second instalment (pending)."""
    values = {
        "status": "preferred_bidder",
        "applied_on": datetime.date(2027, 1, 20),
        "declared_on": datetime.date(2027, 3, 1),
        "awarded_on": None,
        "starts_on": None,
        "expires_on": None,
        **fields,
    }
    lic = make_licence(kind="ML", holder=holder, **values)
    with time_machine.travel(at(datetime.date(2027, 4, 1)), tick=False), transaction.atomic():
        licence_move(
            licence=lic,
            to="loi_issued",
            actor=regulator,
            note="First instalment and performance security paid; Letter of Intent issued (RULES.md s.3 item 11).",
            awarded_on=datetime.date(2027, 4, 1),
        )
        first = obligation_add(
            licence=lic,
            kind=Obligation.Kind.UPFRONT_1,
            title="Upfront payment: first instalment",
            due_on=datetime.date(2027, 4, 15),
            amount=Decimal("1000000.00"),
            basis="10% of the upfront payment Rs 1,00,00,000.00 = Rs 10,00,000.00, due 45 days after 1 Mar 2027.",
        )
        obligation_settle(obligation=first, status=Obligation.Status.MET, met_on=datetime.date(2027, 4, 10))
        plan = obligation_add(
            licence=lic,
            kind=Obligation.Kind.MINING_PLAN,
            title="Mining plan approved",
            due_on=datetime.date(2027, 10, 1),
            basis="Letter of Intent 1 Apr 2027 + 6 months.",
        )
        obligation_add(
            licence=lic,
            kind=Obligation.Kind.UPFRONT_2,
            title="Upfront payment: second instalment",
            due_on=datetime.date(2030, 4, 1),
            amount=Decimal("1000000.00"),
            basis="10% of the upfront payment, due at execution.",
        )
    with time_machine.travel(at(datetime.date(2027, 12, 15)), tick=False), transaction.atomic():
        obligation_settle(
            obligation=plan,
            status=Obligation.Status.MISSED,
            penalty=Decimal("300000.00"),
            penalty_basis=(
                "1% of the performance security Rs 1,00,00,000.00 x 3 months or part (due 1 Oct 2027, "
                "met 15 Dec 2027) = Rs 3,00,000.00"
            ),
        )
        licence_record(licence=lic, kind="penalty_levied", actor=regulator, note="Delay penalty Rs 3,00,000.00.")
    with time_machine.travel(at(datetime.date(2028, 4, 1)), tick=False), transaction.atomic():
        licence_move(licence=lic, to="mdpa_signed", actor=regulator, note="Development agreement signed.")
        licence_move(
            licence=lic,
            to="active",
            actor=regulator,
            note="Lease deed executed.",
            starts_on=datetime.date(2028, 4, 1),
            expires_on=datetime.date(2078, 4, 1),
        )
    lic.refresh_from_db()
    return lic


def el_granted(*, holder, regulator=None, granted_on=datetime.date(2027, 6, 1), **fields):
    """An exploration licence of `holder` granted on `granted_on` for 5 years."""
    values = {"status": "preferred_bidder", "awarded_on": None, "starts_on": None, "minerals": ("gold",), **fields}
    lic = make_licence(kind="EL", holder=holder, **values)
    with time_machine.travel(at(granted_on), tick=False), transaction.atomic():
        licence_move(
            licence=lic,
            to="active",
            actor=regulator,
            note="Exploration licence granted (RULES.md s.4).",
            awarded_on=granted_on,
            starts_on=granted_on,
            expires_on=granted_on.replace(year=granted_on.year + 5),
        )
    lic.refresh_from_db()
    return lic
