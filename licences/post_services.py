"""From the preferred bidder to the lease (RULES.md s.3 items 11 to 14): the licence record of every auction's
winner, payments and their confirmation, the Letter of Intent, milestones and their delay penalties, the
development agreement, execution, revocation for default, and monthly premium returns with the exploration
licence holder's share.

Every function is keyword-only, checks the actor's role itself (a page, the API and a script cannot disagree),
runs in one short `transaction.atomic()`, and writes the licence's history and ledger through
`licences.services.licence_move` / `licence_record`. The law is in `licences.rules` (pure); each figure is kept
with its basis text, so a page can say how it was computed.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from auctions.models import Auction, Participation
from auctions.rules import AuctionParams
from blocks.models import Block, Mineral
from core.errors import ApplicationError, Conflict, NotFound
from core.money import format_inr, inr
from core.selectors import closed_days
from licences import rules
from licences.models import Licence, Obligation, Payment, PremiumReturn, PremiumShare
from licences.services import (
    licence_lock,
    licence_move,
    licence_number,
    licence_record,
    members_of,
    obligation_add,
    obligation_settle,
    params_of,
    regulators,
    require_holder,
    require_regulator,
    today,
)
from notifications.services import notification_send

Kind = Obligation.Kind
ObStatus = Obligation.Status
LEASES = ("ML", "CL")
# Money the firm pays with a reference; the regulator confirms it.
PAYABLE_KINDS = (Kind.UPFRONT_1, Kind.PERFORMANCE_SECURITY, Kind.UPFRONT_2, Kind.UPFRONT_3, Kind.PREMIUM)
# A bank guarantee furnished, not money owed: no late interest on it.
NO_INTEREST_KINDS = (Kind.PERFORMANCE_SECURITY,)
# Milestones the regulator marks met with a date (MDPA and execution have their own acts).
MARKABLE_KINDS = (Kind.MINING_PLAN, Kind.ENVIRONMENT_CLEARANCE, Kind.G2_REACHED)
# What the preferred bidder owes within 45 days of being declared (RULES.md s.3 item 12).
FIRST_DUES = (Kind.UPFRONT_1, Kind.PERFORMANCE_SECURITY)
# The lease's term is fixed by the Act, not by a tranche: s.8A(2) of the MMDR Act (50 years from execution).
LEASE_PERIOD_YEARS = 50
RULE_45_DAYS = "RULES.md s.3 item 12"
RULE_MILESTONES = "RULES.md s.3 item 13"


def _d(value: datetime.date) -> str:
    return f"{value.day} {value:%b %Y}"


def _pages(licence: Licence) -> dict:
    return {
        "payments": f"/licences/{licence.pk}/payments/",
        "milestones": f"/licences/{licence.pk}/milestones/",
        "premium": f"/licences/{licence.pk}/premium/",
    }


# --- Who may act ---------------------------------------------------------------------------------------------


def _lock(licence_id) -> Licence:
    try:
        return licence_lock(licence_id)
    except (Licence.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no licence {licence_id}.") from None


def _lock_lease(licence_id) -> Licence:
    """The licence, locked, if it is an ML or CL that has not ended (the acts from the LoI to the deed)."""
    licence = _lock(licence_id)
    _require_lease(licence)
    _require_not_ended(licence)
    return licence


def _require_not_ended(licence: Licence) -> None:
    if licence.status in (
        Licence.Status.LOI_REVOKED,
        Licence.Status.EXPIRED,
        Licence.Status.SURRENDERED,
        Licence.Status.TERMINATED,
    ):
        raise Conflict(f"{licence.number} has ended ({licence.get_status_display()}); nothing more can be done on it.")


def _require_lease(licence: Licence) -> None:
    if licence.kind not in LEASES:
        raise Conflict(
            f"{licence.number} is an exploration licence: the Letter of Intent, agreement and execution are for "
            "mining leases and composite licences."
        )


def _date(value, field: str, label: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise ApplicationError(
            f"Give {label} as a date like 2027-04-15.", fields={field: ["Give a date like 2027-04-15."]}
        ) from None


def _not_future(value: datetime.date, field: str, label: str) -> None:
    if value > today():
        raise ApplicationError(
            f"{label.capitalize()} ({_d(value)}) is in the future; give the date it really happened, today at the "
            "latest.",
            fields={field: [f"Give a date on or before {_d(today())}."]},
        )


def _money(value, field: str, label: str) -> Decimal:
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        result = None
    if result is None or not result.is_finite():
        raise ApplicationError(
            f"{value!r} is not an amount; give {label} in rupees like 1234567.89.",
            fields={field: ["Give an amount in rupees like 1234567.89."]},
        )
    if result < 0:
        raise ApplicationError(f"{label.capitalize()} cannot be negative.", fields={field: ["Give zero or more."]})
    return result


# --- The licence of an auction's winner ------------------------------------------------------------------------


def instalment_basis(number: int, ver: Decimal, params: AuctionParams) -> str:
    """How instalment `number` (1 to 3) follows from VER: its share of the upfront payment, and the upfront
    payment's share of VER with its cap (RULES.md s.3 item 11)."""
    return f"{rules.upfront_instalment_bases(ver, params)[number - 1]}. {rules.upfront_payment_basis(ver, params)}."


def licence_create_from_auction(*, auction: Auction, winner: Participation) -> Licence:
    """The licence record of an auction's preferred bidder, in the settlement's transaction (the receiver of
    `auctions.signals.auction_settled` calls this). ML/CL: the first instalment and the performance security
    are due 45 days after the declaration. EL: the record only; the EL's grant is its own act."""
    with transaction.atomic():
        if Licence.objects.filter(auction=auction).exists():
            return Licence.objects.get(auction=auction)
        block = auction.block
        params = AuctionParams.from_json(auction.params)
        declared_on = timezone.localdate(auction.settled_at or timezone.now())
        ver = block.value_of_estimated_resources or Decimal("0")
        is_lease = auction.lease_kind in LEASES
        licence = Licence.objects.create(
            number=licence_number(auction.lease_kind, declared_on.year),
            kind=auction.lease_kind,
            holder=winner.firm,
            block=block,
            auction=auction,
            parent_el=Licence.objects.filter(block=block, kind="EL", status=Licence.Status.DISCOVERY_REPORTED).first(),
            state=block.state,
            district=block.district,
            # A block registered without a boundary still settles: its licence then has none either.
            boundary=block.boundary or {},
            area_hectares=block.area_hectares or Decimal("0"),
            original_boundary=block.boundary or {},
            original_area_hectares=block.area_hectares or Decimal("0"),
            winning_offer_pct=auction.best_offer,
            value_of_estimated_resources=ver,
            performance_security=rules.performance_security(ver, params) if is_lease else Decimal("0"),
            upfront_payment=rules.upfront_payment(ver, params) if is_lease else Decimal("0"),
            # The tranche's parameters in full, so the licence keeps the rules it was won under.
            params=params.as_json(),
            status=Licence.Status.PREFERRED_BIDDER,
            applied_on=timezone.localdate(auction.bid_due_at),
            declared_on=declared_on,
            details={
                "bid_security": str(auction.bid_security),
                "bid_security_reference": winner.bid_security_reference,
            },
        )
        licence.minerals.set(block.minerals.all())
        licence_record(
            licence=licence,
            kind="declared",
            note=f"{winner.firm.legal_name} declared preferred bidder at {auction.best_offer}% in the auction of "
            f"{block.code} (attempt {auction.attempt}).",
            payload={
                "auction": auction.pk,
                "block": block.code,
                "holder": winner.firm.legal_name,
                "holder_cin": winner.firm.cin,
                "kind": licence.kind,
                "winning_offer_pct": licence.winning_offer_pct,
                "value_of_estimated_resources": ver,
                "performance_security": licence.performance_security,
                "upfront_payment": licence.upfront_payment,
                "parent_el": licence.parent_el.number if licence.parent_el else None,
            },
            to_status=licence.status,
        )
        if not is_lease:
            notification_send(
                users=members_of(winner.firm),
                title=f"Preferred bidder for the exploration licence of {block.code}: {licence.number}",
                body=f"Your final offer of {auction.best_offer}% of the future auction premium won. The State will "
                "grant the exploration licence.",
                url=f"/licences/{licence.pk}/",
            )
            return licence
        due = rules.first_payment_due(declared_on, params, closed=closed_days(start=declared_on))
        due_basis = f"{rules.first_payment_basis(declared_on, params, closed=closed_days(start=declared_on))}."
        first = rules.upfront_instalments(ver, params)[0]
        url = _pages(licence)["payments"]
        obligation_add(
            licence=licence,
            kind=Kind.UPFRONT_1,
            title=Kind.UPFRONT_1.label,
            due_on=due,
            amount=first,
            basis=f"{instalment_basis(1, ver, params)} {due_basis}",
            url=url,
        )
        obligation_add(
            licence=licence,
            kind=Kind.PERFORMANCE_SECURITY,
            title=Kind.PERFORMANCE_SECURITY.label,
            due_on=due,
            amount=licence.performance_security,
            basis=f"{rules.performance_security_basis(ver, params)}. {due_basis}",
            url=url,
        )
        notification_send(
            users=members_of(winner.firm),
            title=f"Preferred bidder for {block.code}: pay {format_inr(first)} and furnish "
            f"{format_inr(licence.performance_security)} by {_d(due)}",
            body=(
                f"{winner.firm.legal_name} is the preferred bidder ({licence.number}). Within "
                f"{params.preferred_bidder_payment_days} days, by {_d(due)}, pay the first instalment of the upfront "
                f"payment, {format_inr(first)}, and furnish the performance security of "
                f"{format_inr(licence.performance_security)}; the Letter of Intent follows. Missing the date costs "
                "the Letter of Intent and the bid security."
            ),
            url=url,
        )
    return licence


# --- Payments ---------------------------------------------------------------------------------------------------


def amount_due(obligation: Obligation, paid_on: datetime.date, params: AuctionParams | None = None, *, closed=None):
    """(total, interest, interest basis) of a money obligation paid on `paid_on`: its amount, plus 24% a year
    simple interest for the days beyond 60 after the due date (RULES.md s.3 item 14); none on a guarantee."""
    amount = obligation.amount or Decimal("0")
    if obligation.kind in NO_INTEREST_KINDS:
        return amount, Decimal("0.00"), ""
    params = params or params_of(obligation.licence)
    interest, basis = rules.late_interest(
        amount,
        obligation.due_on,
        paid_on,
        params,
        closed=closed_days(start=obligation.due_on) if closed is None else closed,
    )
    interest = inr(interest)
    return inr(amount + interest), interest, basis if interest else ""


def _obligation_of(licence: Licence, obligation_id) -> Obligation:
    try:
        return Obligation.objects.select_for_update().get(pk=obligation_id, licence=licence)
    except (Obligation.DoesNotExist, ValueError, TypeError):
        raise ApplicationError(
            f"Obligation {obligation_id} is not one of {licence.number}'s; choose one of the dues listed for it.",
            fields={"obligation": [f"Choose an obligation of {licence.number}."]},
            code="not_this_licence",
        ) from None


def payment_record(*, actor, licence_id, obligation_id, amount, reference: str, paid_on) -> Payment:
    """The holder says it paid an obligation (or furnished the security), with the bank's reference."""
    with transaction.atomic():
        licence = _lock(licence_id)
        require_holder(actor, licence)
        _require_not_ended(licence)
        obligation = _obligation_of(licence, obligation_id)
        if obligation.kind not in PAYABLE_KINDS:
            raise ApplicationError(
                f"{obligation.title} is not a payment; the regulator records it when it is met.",
                fields={"obligation": ["Choose an instalment, the performance security or a premium."]},
            )
        if obligation.status == ObStatus.SUBMITTED:
            raise Conflict(
                f"A payment for {obligation.title} is already awaiting the regulator's confirmation; wait for its "
                "decision before recording another.",
                fields={"obligation": ["A payment for it is awaiting confirmation."]},
            )
        if obligation.status != ObStatus.PENDING:
            raise Conflict(
                f"{obligation.title} is {obligation.get_status_display().lower()}; nothing is to be paid on it.",
                fields={"obligation": ["Nothing is due on it."]},
            )
        reference = (reference or "").strip()
        if not reference:
            raise ApplicationError(
                "Give the bank's transaction number (or the guarantee's number) as the reference.",
                fields={"reference": ["Give the payment's reference."]},
            )
        if len(reference) > 80:
            raise ApplicationError(
                "The reference is longer than 80 characters; give the bank's transaction number only.",
                fields={"reference": ["At most 80 characters."]},
            )
        paid_on = _date(paid_on, "paid_on", "the payment date")
        _not_future(paid_on, "paid_on", "the payment date")
        amount = _money(amount, "amount", "the amount")
        earlier = Payment.objects.filter(licence=licence, reference__iexact=reference).first()
        if earlier is not None:
            raise Conflict(
                f"The reference {earlier.reference} was already used for the payment of {format_inr(earlier.amount)} "
                f"paid on {_d(earlier.paid_on)} for {earlier.obligation.title.lower()} "
                f"({earlier.get_status_display().lower()}); each payment has its own reference.",
                fields={"reference": ["Already used for another payment of this licence."]},
                code="duplicate_reference",
            )
        total, interest, interest_basis = amount_due(obligation, paid_on)
        if amount != total:
            due_text = format_inr(total)
            if interest:
                due_text += f" ({format_inr(obligation.amount)} plus interest {format_inr(interest)}: {interest_basis})"
            raise ApplicationError(
                f"The amount due for {obligation.title}, paid on {_d(paid_on)}, is {due_text}; you entered "
                f"{format_inr(amount)}. Record the payment of the exact amount due.",
                fields={"amount": [f"The amount due is {format_inr(total)}."]},
                code="wrong_amount",
            )
        payment = Payment.objects.create(
            licence=licence,
            obligation=obligation,
            amount=amount,
            reference=reference,
            paid_on=paid_on,
            recorded_by=actor,
            interest=interest,
            interest_basis=interest_basis,
        )
        obligation_settle(obligation=obligation, status=ObStatus.SUBMITTED)
        licence_record(
            licence=licence,
            kind="payment_recorded",
            actor=actor,
            note=f"{obligation.title}: {format_inr(amount)} paid on {_d(paid_on)}, reference {reference}.",
            payload={
                "payment": payment.pk,
                "obligation": obligation.kind,
                "amount": amount,
                "reference": reference,
                "paid_on": paid_on.isoformat(),
            },
        )
        notification_send(
            users=regulators(),
            title=f"Payment to confirm: {licence.number} {obligation.title}",
            body=f"{licence.holder.legal_name} recorded {format_inr(amount)} paid on {_d(paid_on)} "
            f"(reference {reference}).",
            url=_pages(licence)["payments"],
        )
    return payment


def _payment_lock(payment_id) -> tuple[Payment, Licence]:
    """The payment and its licence, locked licence first (as every writer of a licence locks it), so that a
    decision and a revocation of the same licence never wait on each other in opposite orders."""
    try:
        licence_id = Payment.objects.values_list("licence_id", flat=True).get(pk=payment_id)
    except (Payment.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no payment {payment_id}.") from None
    licence = _lock(licence_id)
    return Payment.objects.select_for_update().get(pk=payment_id), licence


def first_dues_met(licence: Licence) -> bool:
    met = set(licence.obligations.filter(kind__in=FIRST_DUES, status=ObStatus.MET).values_list("kind", flat=True))
    return met == set(FIRST_DUES)


def payment_confirm(*, actor, payment_id) -> Payment:
    """The regulator confirms a recorded payment: its obligation is met on the payment date; interest for a
    late payment is kept with its basis; a premium paid by a lease with a parent EL earns the EL its share."""
    require_regulator(actor)
    with transaction.atomic():
        payment, licence = _payment_lock(payment_id)
        _require_not_ended(licence)
        if payment.status != Payment.Status.RECORDED:
            raise Conflict(f"This payment is already {payment.get_status_display().lower()}.")
        obligation = Obligation.objects.select_for_update().get(pk=payment.obligation_id)
        total, interest, interest_basis = amount_due(obligation, payment.paid_on)
        payment.status = Payment.Status.CONFIRMED
        payment.decided_by, payment.decided_at = actor, timezone.now()
        payment.interest, payment.interest_basis = interest, interest_basis
        payment.save(update_fields=["status", "decided_by", "decided_at", "interest", "interest_basis"])
        obligation_settle(obligation=obligation, status=ObStatus.MET, met_on=payment.paid_on)
        late = f" Late: {interest_basis}" if interest else ""
        licence_record(
            licence=licence,
            kind="payment_confirmed",
            actor=actor,
            note=f"{obligation.title}: {format_inr(payment.amount)} paid on {_d(payment.paid_on)} confirmed.{late}",
            payload={
                "payment": payment.pk,
                "obligation": obligation.kind,
                "amount": payment.amount,
                "interest": interest,
                "reference": payment.reference,
                "paid_on": payment.paid_on.isoformat(),
            },
        )
        body = f"{format_inr(payment.amount)} (reference {payment.reference}) is confirmed; {obligation.title} is met."
        at_first_dues = obligation.kind in FIRST_DUES and licence.status == Licence.Status.PREFERRED_BIDDER
        if at_first_dues and first_dues_met(licence):
            body += (
                " The first instalment and the performance security are both in: the Letter of Intent can be issued."
            )
            notification_send(
                users=regulators(),
                title=f"{licence.number}: ready for the Letter of Intent",
                body="The first instalment and the performance security are confirmed.",
                url=_pages(licence)["milestones"],
            )
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number}: payment confirmed",
            body=body,
            url=_pages(licence)["payments"],
        )
        if obligation.kind == Kind.PREMIUM and licence.parent_el_id:
            _el_share(payment=payment, lease=licence, obligation=obligation, actor=actor)
    return payment


def _el_share(*, payment: Payment, lease: Licence, obligation: Obligation, actor) -> PremiumShare:
    """RULES.md s.4: the EL holder receives its percentage of every premium payment of the lease auctioned on
    its discovery. Computed on the premium (not on any late interest, which is the State's)."""
    el = Licence.objects.select_related("holder").get(pk=lease.parent_el_id)
    amount, basis = rules.el_premium_share(obligation.amount, el.winning_offer_pct)
    share = PremiumShare.objects.create(
        payment=payment, lease=lease, el=el, share_pct=el.winning_offer_pct, amount=amount, basis=basis
    )
    period = f"{obligation.period:%B %Y}" if obligation.period else obligation.title
    payload = {"payment": payment.pk, "lease": lease.number, "el": el.number, "share_pct": el.winning_offer_pct,
               "amount": amount}  # fmt: skip
    licence_record(
        licence=lease,
        kind="el_share_paid",
        actor=actor,
        note=f"Premium for {period}: {format_inr(amount)} due to {el.holder.legal_name} ({el.number}). {basis}",
        payload=payload,
    )
    licence_record(
        licence=el,
        kind="el_share_earned",
        actor=actor,
        note=f"Premium of {lease.number} for {period}: {format_inr(amount)} earned. {basis}",
        payload=payload,
    )
    notification_send(
        users=members_of(el.holder),
        title=f"{el.number}: {format_inr(amount)} share of {lease.number}'s premium",
        body=basis,
        url=f"/licences/{el.pk}/",
    )
    return share


def payment_reject(*, actor, payment_id, reason: str) -> Payment:
    """The regulator rejects a recorded payment with a reason; the obligation is due again."""
    require_regulator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Give the reason for rejecting the payment; the firm reads it.",
            fields={"reason": ["Say why the payment is rejected, e.g. no such credit in the account."]},
        )
    if len(reason) > 300:
        raise ApplicationError(
            "The reason is longer than 300 characters.", fields={"reason": ["At most 300 characters."]}
        )
    with transaction.atomic():
        payment, licence = _payment_lock(payment_id)
        if payment.status != Payment.Status.RECORDED:
            raise Conflict(f"This payment is already {payment.get_status_display().lower()}.")
        payment.status = Payment.Status.REJECTED
        payment.decided_by, payment.decided_at, payment.decision_note = actor, timezone.now(), reason
        payment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        obligation = Obligation.objects.select_for_update().get(pk=payment.obligation_id)
        if obligation.status == ObStatus.SUBMITTED:
            obligation.status = ObStatus.PENDING
            obligation.save(update_fields=["status"])
        licence_record(
            licence=licence,
            kind="payment_rejected",
            actor=actor,
            note=f"{obligation.title}: payment reference {payment.reference} rejected: {reason}",
            payload={"payment": payment.pk, "obligation": obligation.kind, "reason": reason},
        )
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number}: payment rejected",
            body=f"Your payment of {format_inr(payment.amount)} (reference {payment.reference}) for {obligation.title} "
            f"was rejected: {reason}. It is due again by {_d(obligation.due_on)}.",
            url=_pages(licence)["payments"],
        )
    return payment


# --- Letter of Intent and milestones ------------------------------------------------------------------------------


def loi_record(*, licence: Licence, loi_on: datetime.date, actor=None, note_prefix: str = "",
               payload: dict | None = None) -> list[Obligation]:  # fmt: skip
    """The Letter of Intent of `loi_on` in the register and the milestones it starts (RULES.md s.3 item 13),
    each an obligation with its due date, amount and basis. Runs in the caller's transaction; `licence_issue_loi`
    calls it for today, the demo seed for a past date."""
    params = params_of(licence)
    ver = licence.value_of_estimated_resources
    instalments = rules.upfront_instalments(ver, params)
    money = {Kind.UPFRONT_2: (2, instalments[1]), Kind.UPFRONT_3: (3, instalments[2])}
    licence_move(
        licence=licence,
        to=Licence.Status.LOI_ISSUED,
        actor=actor,
        note=f"{note_prefix}Letter of Intent issued on {_d(loi_on)}; the milestones run from it ({RULE_MILESTONES}).",
        payload=payload,
        awarded_on=loi_on,
    )
    created = []
    for milestone in rules.milestones(licence.kind, loi_on, params, closed=closed_days(start=loi_on)):
        amount, basis = None, milestone.basis
        if milestone.kind in money:
            number, amount = money[milestone.kind]
            basis = f"{instalment_basis(number, ver, params)} {milestone.basis}."
        created.append(
            obligation_add(
                licence=licence,
                kind=milestone.kind,
                title=Kind(milestone.kind).label,
                due_on=milestone.due_on,
                amount=amount,
                basis=basis,
                url=_pages(licence)["payments" if amount is not None else "milestones"],
            )
        )
    return created


def licence_issue_loi(*, actor, licence_id) -> Licence:
    """The Letter of Intent, once the first instalment and the performance security are confirmed; it starts
    the milestones (RULES.md s.3 items 12, 13), each an obligation with its due date and basis."""
    require_regulator(actor)
    with transaction.atomic():
        licence = _lock_lease(licence_id)
        if licence.status != Licence.Status.PREFERRED_BIDDER:
            raise Conflict(f"The Letter of Intent of {licence.number} is already issued.")
        missing = [o for o in licence.obligations.filter(kind__in=FIRST_DUES) if o.status != ObStatus.MET]
        if missing:
            what = " and ".join(f"{o.title.lower()} ({o.get_status_display().lower()})" for o in missing)
            raise Conflict(
                f"The Letter of Intent follows the first instalment and the performance security ({RULE_45_DAYS}); "
                f"not yet confirmed: {what}."
            )
        loi_on = today()
        created = loi_record(licence=licence, loi_on=loi_on, actor=actor)
        lines = "; ".join(
            f"{o.title} by {_d(o.due_on)}" + (f" ({format_inr(o.amount)})" if o.amount is not None else "")
            for o in created
        )
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number}: Letter of Intent issued",
            body=f"The Letter of Intent is issued on {_d(loi_on)}. Milestones: {lines}.",
            url=_pages(licence)["milestones"],
        )
    return licence


def _late(obligation: Obligation, done_on: datetime.date, licence: Licence) -> tuple[Decimal, str]:
    """The delay penalty of a milestone met on `done_on`: 1% of the performance security for each month or part
    of a month late (RULES.md s.3 item 13); nothing when on time."""
    if done_on <= obligation.due_on:
        return Decimal("0.00"), ""
    return rules.delay_penalty(licence.performance_security, obligation.due_on, done_on, params_of(licence))


def _meet(*, obligation: Obligation, licence: Licence, met_on: datetime.date, actor, act: str) -> Obligation:
    penalty, basis = _late(obligation, met_on, licence)
    obligation_settle(obligation=obligation, status=ObStatus.MET, met_on=met_on, penalty=penalty, penalty_basis=basis)
    late = f" Delay penalty {format_inr(penalty)}: {basis}" if penalty else " On time."
    licence_record(
        licence=licence,
        kind=act,
        actor=actor,
        note=f"{obligation.title} met on {_d(met_on)} (due {_d(obligation.due_on)}).{late}",
        payload={
            "obligation": obligation.kind,
            "due_on": obligation.due_on.isoformat(),
            "met_on": met_on.isoformat(),
            "penalty": penalty,
        },
    )
    if penalty:
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number}: delay penalty of {format_inr(penalty)} for {obligation.title.lower()}",
            body=basis,
            url=_pages(licence)["milestones"],
        )
    return obligation


def _met_on(value, licence: Licence, field: str) -> datetime.date:
    value = _date(value if value not in (None, "") else today(), field, "the date")
    _not_future(value, field, "the date")
    if licence.awarded_on and value < licence.awarded_on:
        raise ApplicationError(
            f"The date {_d(value)} is before the Letter of Intent of {_d(licence.awarded_on)}.",
            fields={field: [f"Give a date on or after {_d(licence.awarded_on)}."]},
        )
    return value


def obligation_mark_met(*, actor, obligation_id, met_on) -> Obligation:
    """The regulator records a milestone met (mining plan, environment clearance, G2) on a date; late costs the
    delay penalty, recorded on the obligation with its basis."""
    require_regulator(actor)
    with transaction.atomic():
        try:
            licence_id = Obligation.objects.values_list("licence_id", flat=True).get(pk=obligation_id)
        except (Obligation.DoesNotExist, ValueError, TypeError):
            raise NotFound(f"There is no obligation {obligation_id}.") from None
        licence = _lock(licence_id)
        _require_not_ended(licence)
        obligation = Obligation.objects.select_for_update().get(pk=obligation_id)
        if obligation.kind not in MARKABLE_KINDS:
            how = {
                Kind.MDPA: "record the signing of the development agreement",
                Kind.EXECUTION: "record the execution of the deed",
            }.get(obligation.kind, "confirm its payment")
            raise ApplicationError(
                f"{obligation.title} is not marked met here: {how} instead.",
                fields={"obligation": [f"{obligation.title} has its own action."]},
            )
        if obligation.status != ObStatus.PENDING:
            raise Conflict(f"{obligation.title} is already {obligation.get_status_display().lower()}.")
        met_on = _met_on(met_on, licence, "met_on")
        return _meet(obligation=obligation, licence=licence, met_on=met_on, actor=actor, act="milestone_met")


def _open_obligation(licence: Licence, kind: str) -> Obligation | None:
    return licence.obligations.select_for_update().filter(kind=kind).order_by("due_on").last()


def _require_met(licence: Licence, kinds, what: str) -> None:
    missing = []
    for kind in kinds:
        obligation = _open_obligation(licence, kind)
        if obligation is None or obligation.status != ObStatus.MET:
            state = obligation.get_status_display().lower() if obligation else "not set"
            missing.append(f"{Kind(kind).label.lower()} ({state})")
    if missing:
        raise Conflict(f"{what} needs first: {'; '.join(missing)}.")


def licence_sign_mdpa(*, actor, licence_id, signed_on=None) -> Licence:
    """The Mine Development and Production Agreement, once the second instalment is paid: the preferred bidder
    becomes the successful bidder."""
    require_regulator(actor)
    with transaction.atomic():
        licence = _lock_lease(licence_id)
        if licence.status != Licence.Status.LOI_ISSUED:
            raise Conflict(
                f"The development agreement is signed after the Letter of Intent and once only; {licence.number} is "
                f"{licence.get_status_display().lower()}."
            )
        _require_met(licence, [Kind.UPFRONT_2], "Signing the development agreement")
        signed_on = _met_on(signed_on, licence, "signed_on")
        mdpa = _open_obligation(licence, Kind.MDPA)
        licence_move(licence=licence, to=Licence.Status.MDPA_SIGNED, actor=actor,
                     note=f"Development agreement signed on {_d(signed_on)}.")  # fmt: skip
        if mdpa is not None and mdpa.status == ObStatus.PENDING:
            _meet(obligation=mdpa, licence=licence, met_on=signed_on, actor=actor, act="mdpa_signed")
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number}: development agreement signed",
            body=f"Signed on {_d(signed_on)}; {licence.holder.legal_name} is the successful bidder.",
            url=_pages(licence)["milestones"],
        )
    return licence


def execution_record(*, licence: Licence, executed_on: datetime.date, actor=None, note_prefix: str = "",
                     payload: dict | None = None, meet=None) -> tuple[datetime.date, str]:  # fmt: skip
    """The deed executed on `executed_on` in the register: in force for 50 years (s.8A(2) of the Act), the
    execution milestone met (with its penalty if late; `meet` replaces how), the expiry registered. Runs in the
    caller's transaction."""
    expires_on = rules.lease_expiry(executed_on, LEASE_PERIOD_YEARS)
    term_basis = (
        f"The lease period is {LEASE_PERIOD_YEARS} years from the execution of the deed under s.8A(2) of the "
        f"Act: executed {_d(executed_on)}, expires {_d(expires_on)}."
    )
    execution = _open_obligation(licence, Kind.EXECUTION)
    licence_move(
        licence=licence,
        to=Licence.Status.ACTIVE,
        actor=actor,
        note=f"{note_prefix}{term_basis}",
        payload=payload,
        starts_on=executed_on,
        expires_on=expires_on,
        details={**licence.details, "term_basis": term_basis},
    )
    if execution is not None and execution.status == ObStatus.PENDING:
        (meet or _meet)(obligation=execution, licence=licence, met_on=executed_on, actor=actor, act="executed")
    obligation_add(
        licence=licence,
        kind=Kind.EXPIRY,
        title=Kind.EXPIRY.label,
        due_on=expires_on,
        basis=term_basis,
        url=_pages(licence)["milestones"],
    )
    return expires_on, term_basis


def licence_execute(*, actor, licence_id, executed_on=None) -> Licence:
    """The lease (or licence) deed executed, once the balance of the upfront payment is paid and, for an ML, the
    mining plan and the environment clearance are in: the licence is in force for 50 years; the block is
    licensed."""
    require_regulator(actor)
    with transaction.atomic():
        licence = _lock_lease(licence_id)
        if licence.status != Licence.Status.MDPA_SIGNED:
            raise Conflict(
                f"The deed is executed after the development agreement is signed; {licence.number} is "
                f"{licence.get_status_display().lower()}."
            )
        needed = [Kind.UPFRONT_3]
        if licence.kind == "ML":
            needed += [Kind.MINING_PLAN, Kind.ENVIRONMENT_CLEARANCE]
        _require_met(licence, needed, "Executing the deed")
        executed_on = _met_on(executed_on, licence, "executed_on")
        expires_on, term_basis = execution_record(licence=licence, executed_on=executed_on, actor=actor)
        Block.objects.filter(pk=licence.block_id).update(status=Block.Status.LICENSED)
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number}: deed executed, in force until {_d(expires_on)}",
            body=f"{term_basis} File the premium return of each month by the 10th of the next.",
            url=_pages(licence)["premium"],
        )
    return licence


# --- Failure: revocation for default ----------------------------------------------------------------------------


def revocation_grounds(licence: Licence, on: datetime.date) -> list[str]:
    """The defaults that allow revoking a preferred bidder's or lessee-to-be's rights on `on`: the first
    instalment or the security unpaid past its 45 days, or a milestone (money or act) past its due date.
    A payment awaiting confirmation is not a default until the regulator rejects it."""
    if licence.status not in (Licence.Status.PREFERRED_BIDDER, Licence.Status.LOI_ISSUED, Licence.Status.MDPA_SIGNED):
        return []
    grounds = []
    overdue = licence.obligations.filter(status=ObStatus.PENDING, due_on__lt=on).exclude(
        kind__in=(Kind.PREMIUM, Kind.EXPIRY)
    )
    for o in overdue.order_by("due_on", "id"):
        rule = RULE_45_DAYS if o.kind in FIRST_DUES else RULE_MILESTONES
        amount = f" of {format_inr(o.amount)}" if o.amount is not None else ""
        grounds.append(f"{o.title}{amount} was due by {_d(o.due_on)} and is not met ({rule}).")
    return grounds


def licence_revoke(*, actor, licence_id, reason: str) -> Licence:
    """Revoke for default (RULES.md s.3 items 12, 13): allowed only on a ground (see `revocation_grounds`).
    Before the Letter of Intent the bid security is appropriated, and the performance security once furnished;
    open obligations end; the block returns to the registry to be auctioned again."""
    require_regulator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Give the reason for the revocation; it is published with the rule cited.",
            fields={"reason": ["Say why, e.g. the first instalment was not paid within 45 days."]},
        )
    with transaction.atomic():
        licence = _lock_lease(licence_id)
        on = today()
        grounds = revocation_grounds(licence, on)
        if not grounds:
            first = licence.obligations.filter(kind__in=FIRST_DUES).order_by("due_on").first()
            when = f" The 45 days for the first dues end on {_d(first.due_on)}." if first else ""
            raise Conflict(
                f"{licence.number} is not in default: no instalment, security or milestone is overdue and unmet "
                f"({RULE_45_DAYS}, {RULE_MILESTONES}).{when}"
            )
        appropriated, parts = {}, []
        if licence.status == Licence.Status.PREFERRED_BIDDER and licence.auction_id:
            bid_security = Decimal(licence.details.get("bid_security") or licence.auction.bid_security)
            appropriated["bid_security"] = str(bid_security)
            parts.append(f"the bid security of {format_inr(bid_security)}")
        security = licence.obligations.filter(kind=Kind.PERFORMANCE_SECURITY, status=ObStatus.MET).exists()
        if security:
            appropriated["performance_security"] = str(licence.performance_security)
            parts.append(f"the performance security of {format_inr(licence.performance_security)}")
        rule = RULE_45_DAYS if licence.status == Licence.Status.PREFERRED_BIDDER else RULE_MILESTONES
        revocation = {
            "on": on.isoformat(),
            "reason": reason,
            "grounds": grounds,
            "rule": rule,
            "appropriated": appropriated,
            "appropriation_basis": (
                f"Appropriated on default: {' and '.join(parts)}." if parts else "Nothing was held to appropriate."
            ),
        }
        note = (
            f"Revoked for default ({rule}): {reason} Grounds: {' '.join(grounds)} {revocation['appropriation_basis']}"
        )
        licence_move(
            licence=licence,
            to=Licence.Status.LOI_REVOKED,
            actor=actor,
            note=note,
            ended_on=on,
            details={**licence.details, "revocation": revocation},
        )
        for o in licence.obligations.select_for_update().filter(status__in=(ObStatus.PENDING, ObStatus.SUBMITTED)):
            missed = o.status == ObStatus.PENDING and o.due_on < on
            obligation_settle(obligation=o, status=ObStatus.MISSED if missed else ObStatus.WAIVED)
        Payment.objects.filter(licence=licence, status=Payment.Status.RECORDED).update(
            status=Payment.Status.REJECTED,
            decided_by=actor,
            decided_at=timezone.now(),
            decision_note="The licence was revoked for default before this payment was confirmed.",
        )
        Block.objects.filter(pk=licence.block_id).update(status=Block.Status.IDENTIFIED)
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number} revoked for default",
            body=note,
            url=_pages(licence)["milestones"],
        )
    return licence


# --- Monthly premium ------------------------------------------------------------------------------------------------


def _month(value) -> datetime.date:
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    try:
        if len(text) == 7:
            return datetime.date.fromisoformat(f"{text}-01")
        return datetime.date.fromisoformat(text).replace(day=1)
    except ValueError:
        raise ApplicationError(
            f"{value!r} is not a month; give it as 2029-03.", fields={"month": ["Give the month like 2029-03."]}
        ) from None


def _mineral(licence: Licence, value) -> Mineral:
    slug = value.slug if isinstance(value, Mineral) else str(value or "").strip()
    mineral = licence.minerals.filter(slug=slug).first()
    if mineral is None:
        names = ", ".join(licence.minerals.order_by("name").values_list("slug", flat=True))
        raise ApplicationError(
            f"{slug or 'No mineral'} is not a mineral of {licence.number}; choose one of: {names}.",
            fields={"mineral": [f"Choose one of: {names}."]},
        )
    return mineral


def premium_return_file(*, actor, licence_id, month, mineral, quantity_tonnes, price_per_tonne) -> PremiumReturn:
    """The lessee's return for a month: quantity despatched and the IBM price. Premium = winning % x value of
    mineral despatched, 50% of it within 5 (ML) or 7 (CL) years of the LoI (RULES.md s.3 item 14); due the 10th
    of the next month as an obligation."""
    with transaction.atomic():
        licence = _lock(licence_id)
        require_holder(actor, licence)
        _require_lease(licence)
        if licence.status != Licence.Status.ACTIVE or licence.starts_on is None:
            raise Conflict(
                f"Premium returns are filed for a lease in force; {licence.number} is "
                f"{licence.get_status_display().lower()}."
            )
        month = _month(month)
        current = today().replace(day=1)
        if month >= current:
            raise ApplicationError(
                f"{month:%B %Y} has not ended; its return is filed once the month is over.",
                fields={"month": [f"Give a month before {current:%B %Y}."]},
            )
        if month < licence.starts_on.replace(day=1):
            raise ApplicationError(
                f"{month:%B %Y} is before the deed was executed on {_d(licence.starts_on)}; nothing was despatched "
                "under the lease then.",
                fields={"month": [f"Give {licence.starts_on:%B %Y} or later."]},
            )
        mineral = _mineral(licence, mineral)
        quantity = _money(quantity_tonnes, "quantity_tonnes", "the quantity despatched")
        price = _money(price_per_tonne, "price_per_tonne", "the IBM price")
        if PremiumReturn.objects.filter(licence=licence, month=month, mineral=mineral).exists():
            raise Conflict(
                f"The return of {mineral.name} for {month:%B %Y} is already filed.",
                fields={"month": ["Already filed for this mineral."]},
                code="duplicate_return",
            )
        due_on = rules.premium_return_due(month, closed=closed_days(start=month))
        computation = rules.premium_due(
            fpo_pct=licence.winning_offer_pct,
            quantity_tonnes=quantity,
            price_per_tonne=price,
            month=month,
            loi_on=licence.awarded_on,
            lease_kind=licence.kind,
            params=params_of(licence),
        )
        obligation = obligation_add(
            licence=licence,
            kind=Kind.PREMIUM,
            title=f"Premium for {month:%B %Y} ({mineral.name})",
            due_on=due_on,
            amount=computation.premium,
            basis=f"{computation.basis}. Due {_d(due_on)}, the 10th of the following month.",
            period=month,
            url=_pages(licence)["premium"],
        )
        premium_return = PremiumReturn.objects.create(
            licence=licence,
            month=month,
            mineral=mineral,
            quantity_tonnes=quantity,
            price_per_tonne=price,
            value_despatched=computation.value_despatched,
            premium_pct=licence.winning_offer_pct,
            concession_pct=computation.concession_pct,
            premium=computation.premium,
            basis=computation.basis,
            obligation=obligation,
            filed_by=actor,
        )
        if computation.premium == 0:
            obligation_settle(obligation=obligation, status=ObStatus.MET, met_on=today())
        licence_record(
            licence=licence,
            kind="premium_return",
            actor=actor,
            note=f"Return for {month:%B %Y}: {quantity} t of {mineral.name} at {format_inr(price)}/t; premium "
            f"{format_inr(computation.premium)} due {_d(due_on)}. {computation.basis}",
            payload={
                "month": month.isoformat(),
                "mineral": mineral.slug,
                "quantity_tonnes": quantity,
                "price_per_tonne": price,
                "value_despatched": computation.value_despatched,
                "concession_pct": computation.concession_pct,
                "premium": computation.premium,
                "due_on": due_on.isoformat(),
            },
        )
    return premium_return
