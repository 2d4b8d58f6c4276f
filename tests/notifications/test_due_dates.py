"""The register of due dates as the domain apps feed it: a licence's obligations (registered, held while a payment
awaits confirmation, met, closed when the licence ends), an auction's dates (stored once, fanned out to the firms
taking part as they are when a reminder is sent, closed by the auction's moves), and the audience hooks."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from auctions import services as auction_svc
from authorities.models import Officer
from licences import services as svc
from licences.models import Obligation
from notifications.audiences import audience_keys, audience_register, audience_user_ids
from notifications.models import DueDate, Notification
from notifications.services import due_date_register, reminders_sweep
from tests.factories import FirmFactory, MembershipFactory, UserFactory
from tests.factories.auction_flow import bidder, notified_auction
from tests.factories.clearances import officer as clearance_officer
from tests.factories.licence_post import FIRST_DUE, at, obligation, settled_lease
from tests.factories.public_auctions import moment, staged, three_firms

pytestmark = pytest.mark.django_db
Kind = Obligation.Kind


def dates(subject: str) -> dict[str, tuple]:
    rows = DueDate.objects.filter(subject=subject).order_by("key")
    return {row.key: (row.status, row.due_on) for row in rows}


# --- A licence's obligations ----------------------------------------------------------------------------------


@pytest.fixture
def cl(regulator):
    licence, firms = settled_lease(regulator, kind="CL")
    return licence, firms[1], regulator


def test_a_licences_obligations_are_due_dates_of_its_holder(cl):
    licence, holder, _regulator = cl
    first = obligation(licence, Kind.UPFRONT_1)
    row = DueDate.objects.get(key=f"obligation:{first.pk}")
    assert (row.subject, row.audience, row.kind, row.due_on) == (
        f"licences.licence:{licence.pk}",
        f"firm:{licence.holder_id}",
        "upfront_1",
        FIRST_DUE,
    )
    assert row.title == f"Upfront payment: first instalment: {licence.number}"
    assert row.url == f"/licences/{licence.pk}/payments/"
    assert row.next_remind_on == FIRST_DUE - timedelta(days=30)  # declared 23 Feb, due 9 Apr: 30 days before
    assert audience_user_ids(row.audience) == [holder.pk]


def test_a_payment_awaiting_confirmation_holds_the_reminders_a_rejection_resumes_them_a_confirmation_meets_it(cl):
    licence, holder, regulator = cl
    first = obligation(licence, Kind.UPFRONT_1)
    key = f"obligation:{first.pk}"
    with time_machine.travel(at(date(2027, 3, 1)), tick=False):
        payment = svc.payment_record(
            actor=holder, licence_id=licence.pk, obligation_id=first.pk, amount=first.amount, reference="UTR-1",
            paid_on=date(2027, 3, 1),
        )  # fmt: skip
    row = DueDate.objects.get(key=key)
    assert (row.status, row.next_remind_on) == ("open", None)  # still listed; nobody reminded of what they did
    with time_machine.travel(at(date(2027, 3, 12)), tick=False):
        reminders_sweep()  # the security's 30-day reminder goes; the instalment's, held, does not
        svc.payment_reject(actor=regulator, payment_id=payment.pk, reason="No such credit in the account.")
    assert DueDate.objects.get(key=key).next_remind_on == date(2027, 4, 2)  # due again: 7 days before 9 Apr
    with time_machine.travel(at(date(2027, 4, 2)), tick=False):
        assert reminders_sweep()["reminders"] == 2  # the instalment's and the security's
    reminded = Notification.objects.filter(user=holder, reminder__due_date__key=key).order_by("pk")
    assert [n.title for n in reminded] == [
        f"Reminder: Upfront payment: first instalment: {licence.number}, due in 7 days"
    ]
    security = Notification.objects.filter(user=holder, title__contains="Performance security").order_by("pk")
    # its 30-day reminder (10 Mar) went at the sweep of 12 Mar, saying how far the date really was
    assert [n.title.rsplit(", ", 1)[1] for n in security] == ["due in 28 days", "due in 7 days"]
    with time_machine.travel(at(date(2027, 4, 3)), tick=False):
        again = svc.payment_record(
            actor=holder, licence_id=licence.pk, obligation_id=first.pk, amount=first.amount, reference="UTR-2",
            paid_on=date(2027, 4, 3),
        )  # fmt: skip
        svc.payment_confirm(actor=regulator, payment_id=again.pk)
    row = DueDate.objects.get(key=key)
    assert (row.status, row.next_remind_on) == ("met", None) and row.closed_at is not None


def test_a_licence_that_ends_closes_its_due_dates(cl):
    licence, _holder, regulator = cl
    with time_machine.travel(at(FIRST_DUE + timedelta(days=1)), tick=False):
        svc.licence_revoke(actor=regulator, licence_id=licence.pk, reason="The first dues were not paid.")
    statuses = set(DueDate.objects.filter(subject=f"licences.licence:{licence.pk}").values_list("status", flat=True))
    assert statuses == {"missed"}
    with time_machine.travel(at(FIRST_DUE + timedelta(days=7)), tick=False):
        assert reminders_sweep()["reminders"] == 0


# --- An auction's dates ---------------------------------------------------------------------------------------


def test_an_auctions_dates_are_stored_once_and_fanned_out_to_the_firms_taking_part(regulator):
    auction = notified_auction(regulator).get()
    subject = f"auctions.auction:{auction.pk}"
    rows = {row.key: row for row in DueDate.objects.filter(subject=subject)}
    assert {key: row.audience for key, row in rows.items()} == {
        "document_sale_end": f"auction:{auction.pk}",
        "bid_due": f"auction-bidding:{auction.pk}",
        "e_auction_start": f"auction-round2:{auction.pk}",
    }
    assert rows["bid_due"].due_at == auction.bid_due_at and rows["bid_due"].kind == "auction_bid_due"
    asha, bharat = bidder("Asha"), bidder("Bharat")
    late = MembershipFactory(user=UserFactory(username="asha2"), firm=asha.memberships.get().firm).user
    with time_machine.travel(auction.document_sale_starts_at + timedelta(hours=1), tick=False):
        for user in (asha, bharat):
            auction_svc.participation_buy_document(actor=user, auction_id=auction.pk, payment_reference=f"U{user.pk}")
        auction_svc.participation_submit(
            actor=bharat, auction_id=auction.pk, initial_price_offer="12.00", net_worth="2500000000",
            bid_security_reference="BG-1",
        )  # fmt: skip
    assert audience_user_ids(f"auction:{auction.pk}") == sorted([asha.pk, late.pk, bharat.pk])
    assert audience_user_ids(f"auction-bidding:{auction.pk}") == sorted([asha.pk, late.pk])  # Bharat has bid
    assert audience_user_ids(f"auction-round2:{auction.pk}") == [bharat.pk]
    assert f"auction-bidding:{auction.pk}" in audience_keys(asha)
    assert f"auction-bidding:{auction.pk}" not in audience_keys(bharat)

    # Seven days before the bid due date: the firms that have not bid are reminded, each member once.
    week_before = auction.bid_due_at - timedelta(days=7)
    with time_machine.travel(week_before.replace(hour=5), tick=False):  # 10:30 IST
        reminders_sweep()
    reminded = set(Notification.objects.filter(title__startswith="Reminder: Bid due").values_list("user", flat=True))
    assert reminded == {asha.pk, late.pk}


def test_an_auctions_moves_close_its_dates(regulator):
    firms = three_firms()
    auction = staged(regulator, firms, "due")
    subject = f"auctions.auction:{auction.pk}"
    with time_machine.travel(moment(auction, "evaluation"), tick=False):
        auction_svc.auctions_sweep()
    assert {k: s for k, (s, _d) in dates(subject).items()} == {
        "bid_due": "met", "document_sale_end": "met", "e_auction_start": "open",
    }  # fmt: skip
    settled = staged(regulator, three_firms("X"), "settled", code="CG-LI-02")
    assert {s for s, _d in dates(f"auctions.auction:{settled.pk}").values()} == {"met"}


def test_an_annulled_auction_cancels_its_dates_and_the_opening_moves_the_e_auctions(regulator):
    annulled = notified_auction(regulator, codes=("CG-LI-09",)).get()
    with time_machine.travel(annulled.bid_due_at + timedelta(seconds=1), tick=False):
        auction_svc.auctions_sweep()  # no bid: annulled
    annulled.refresh_from_db()
    assert annulled.status == "annulled"
    assert {k: s for k, (s, _d) in dates(f"auctions.auction:{annulled.pk}").items()} == {
        "bid_due": "met",
        "document_sale_end": "met",
        "e_auction_start": "cancelled",
    }  # fmt: skip  (bids closed at the due date, then the e-auction annulled: no bid)

    opened = staged(regulator, three_firms("Y"), "opened", code="CG-LI-03")
    row = DueDate.objects.get(subject=f"auctions.auction:{opened.pk}", key="e_auction_start")
    assert row.due_at == opened.starts_at and row.status == "open"


# --- The hooks ------------------------------------------------------------------------------------------------


def test_an_audience_nobody_registered_is_an_error_not_an_empty_audience():
    with pytest.raises(LookupError, match="planet"):
        audience_user_ids("planet:mars")
    with pytest.raises(ValueError, match="prefix"):
        audience_user_ids("firm")


def test_a_public_bodys_due_dates_reach_its_officers_as_they_are_on_the_day(db):
    """The hook `authorities` registers: `authority:<code>` is the body's active officers when a reminder is sent."""
    officer = clearance_officer("spcb-odisha", "meena")
    leaving = clearance_officer("spcb-odisha", "arjun")
    with time_machine.travel(at(date(2027, 5, 1)), tick=False), transaction.atomic():
        due_date_register(
            subject="clearances.case:7", key="stage:consent", kind="clearance_stage", audience="authority:spcb-odisha",
            title="Water Act consent: decide", due_on=date(2027, 5, 8),
        )  # fmt: skip
    Officer.objects.filter(user=leaving).update(removed_at=timezone.now())
    with time_machine.travel(at(date(2027, 5, 1)), tick=False):
        assert reminders_sweep()["reminders"] == 1
    assert Notification.objects.get(user=officer).title == "Reminder: Water Act consent: decide, due in 7 days"
    assert "authority:spcb-odisha" in audience_keys(officer) and "authority:spcb-odisha" not in audience_keys(leaving)


def test_an_app_registers_an_audience_of_its_own(db):
    """How another app plugs in: a prefix, who it is now, and what a user belongs to."""
    someone = UserFactory(username="someone")
    audience_register("planet", users=lambda ident: [someone.pk], keys_of=lambda user: ["planet:earth"])
    try:
        assert audience_user_ids("planet:earth") == [someone.pk]
        assert "planet:earth" in audience_keys(someone)
    finally:
        from notifications import audiences

        audiences._HOOKS.pop("planet", None)


def test_a_firms_audience_is_its_members_now(db):
    firm = FirmFactory()
    first = MembershipFactory(firm=firm).user
    assert audience_user_ids(f"firm:{firm.pk}") == [first.pk]
    second = MembershipFactory(firm=firm).user
    assert audience_user_ids(f"firm:{firm.pk}") == sorted([first.pk, second.pk])
    assert f"firm:{firm.pk}" in audience_keys(second) and f"user:{second.pk}" in audience_keys(second)
