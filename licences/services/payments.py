"""Payments after the auction (RULES.md s.3 items 11, 12, 14): the holder records what it paid with the bank's
reference, the regulator confirms or rejects it; late interest is kept with its basis, and a premium paid by a lease
on an EL's discovery earns the EL holder its share (s.4)."""

from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError, Conflict, NotFound
from core.money import format_inr
from licences import rules
from licences.models import Licence, Obligation, Payment, PremiumShare
from licences.selectors.dues import amount_due
from licences.services.guards import (
    date_input,
    day,
    lock_licence,
    money_input,
    not_future,
    pages,
    require_payable,
)
from licences.services.records import (
    licence_record,
    members_of,
    obligation_reopen,
    obligation_settle,
    regulators,
    require_holder,
    require_regulator,
)
from notifications.services import notification_send

Kind = Obligation.Kind
ObStatus = Obligation.Status


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
        licence = lock_licence(licence_id)
        require_holder(actor, licence)
        require_payable(licence)
        obligation = _obligation_of(licence, obligation_id)
        if obligation.kind not in Obligation.MONEY_KINDS:
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
        paid_on = date_input(paid_on, "paid_on", "the payment date")
        not_future(paid_on, "paid_on", "the payment date")
        amount = money_input(amount, "amount", "the amount")
        earlier = Payment.objects.filter(licence=licence, reference__iexact=reference).first()
        if earlier is not None:
            raise Conflict(
                f"The reference {earlier.reference} was already used for the payment of {format_inr(earlier.amount)} "
                f"paid on {day(earlier.paid_on)} for {earlier.obligation.title.lower()} "
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
                f"The amount due for {obligation.title}, paid on {day(paid_on)}, is {due_text}; you entered "
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
            note=f"{obligation.title}: {format_inr(amount)} paid on {day(paid_on)}, reference {reference}.",
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
            body=f"{licence.holder.legal_name} recorded {format_inr(amount)} paid on {day(paid_on)} "
            f"(reference {reference}).",
            url=pages(licence)["payments"],
        )
    return payment


def _payment_lock(payment_id) -> tuple[Payment, Licence]:
    """The payment and its licence, locked licence first (as every writer of a licence locks it), so that a
    decision and a revocation of the same licence never wait on each other in opposite orders."""
    try:
        licence_id = Payment.objects.values_list("licence_id", flat=True).get(pk=payment_id)
    except (Payment.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no payment {payment_id}.") from None
    licence = lock_licence(licence_id)
    return Payment.objects.select_for_update().get(pk=payment_id), licence


def first_dues_met(licence: Licence) -> bool:
    met = set(licence.obligations.filter(kind__in=rules.FIRST_DUES, status=ObStatus.MET).values_list("kind", flat=True))
    return met == set(rules.FIRST_DUES)


def payment_confirm(*, actor, payment_id) -> Payment:
    """The regulator confirms a recorded payment: its obligation is met on the payment date; interest for a
    late payment is kept with its basis; a premium paid by a lease with a parent EL earns the EL its share."""
    require_regulator(actor)
    with transaction.atomic():
        payment, licence = _payment_lock(payment_id)
        require_payable(licence)
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
            note=f"{obligation.title}: {format_inr(payment.amount)} paid on {day(payment.paid_on)} confirmed.{late}",
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
        at_first_dues = obligation.kind in rules.FIRST_DUES and licence.status == Licence.Status.PREFERRED_BIDDER
        if at_first_dues and first_dues_met(licence):
            body += (
                " The first instalment and the performance security are both in: the Letter of Intent can be issued."
            )
            notification_send(
                users=regulators(),
                title=f"{licence.number}: ready for the Letter of Intent",
                body="The first instalment and the performance security are confirmed.",
                url=pages(licence)["milestones"],
            )
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number}: payment confirmed",
            body=body,
            url=pages(licence)["payments"],
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
            obligation_reopen(obligation=obligation)
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
            f"was rejected: {reason}. It is due again by {day(obligation.due_on)}.",
            url=pages(licence)["payments"],
        )
    return payment
