"""Revocation for default (RULES.md s.3 items 12, 13): allowed only on a ground the law names
(`rules.revocation_grounds`, read by `selectors.dues.revocation_grounds`); the securities held are appropriated,
the open obligations end, and the block returns to the registry."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from blocks import lifecycle as block_lifecycle
from blocks.models import Block
from core.errors import ApplicationError, Conflict
from core.money import format_inr
from licences import rules
from licences.models import Licence, Obligation, Payment
from licences.selectors.common import today
from licences.selectors.dues import revocation_grounds
from licences.services.guards import (
    day,
    lock_lease,
    pages,
)
from licences.services.records import (
    licence_move,
    members_of,
    obligation_settle,
    require_regulator,
)
from notifications.services import notification_send

Kind = Obligation.Kind
ObStatus = Obligation.Status


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
        licence = lock_lease(licence_id)
        on = today()
        grounds = revocation_grounds(licence, on)
        if not grounds:
            first = licence.obligations.filter(kind__in=rules.FIRST_DUES).order_by("due_on").first()
            when = f" The 45 days for the first dues end on {day(first.due_on)}." if first else ""
            raise Conflict(
                f"{licence.number} is not in default: no instalment, security or milestone is overdue and unmet "
                f"({rules.RULE_45_DAYS}, {rules.RULE_MILESTONES}).{when}"
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
        rule = rules.RULE_45_DAYS if licence.status == Licence.Status.PREFERRED_BIDDER else rules.RULE_MILESTONES
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
        block_lifecycle.block_move(
            block_id=licence.block_id, to=Block.Status.IDENTIFIED, reason=f"{licence.number} revoked for default"
        )
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number} revoked for default",
            body=note,
            url=pages(licence)["milestones"],
        )
    return licence
