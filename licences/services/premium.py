"""The monthly premium returns of a lease in force (RULES.md s.3 item 14): the quantity despatched and the IBM price;
the premium, with the early-despatch concession, becomes an obligation due on the 10th of the next month."""

import datetime

from django.db import transaction

from blocks.models import Mineral
from core.errors import ApplicationError, Conflict
from core.money import format_inr
from core.selectors import closed_days
from licences import rules
from licences.models import Licence, Obligation, PremiumReturn
from licences.selectors.common import params_of, today
from licences.services.guards import (
    day,
    lock_licence,
    money_input,
    pages,
    require_lease,
)
from licences.services.records import (
    licence_record,
    obligation_add,
    obligation_settle,
    require_holder,
)

Kind = Obligation.Kind
ObStatus = Obligation.Status


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
        licence = lock_licence(licence_id)
        require_holder(actor, licence)
        require_lease(licence)
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
                f"{month:%B %Y} is before the deed was executed on {day(licence.starts_on)}; nothing was despatched "
                "under the lease then.",
                fields={"month": [f"Give {licence.starts_on:%B %Y} or later."]},
            )
        mineral = _mineral(licence, mineral)
        quantity = money_input(quantity_tonnes, "quantity_tonnes", "the quantity despatched")
        price = money_input(price_per_tonne, "price_per_tonne", "the IBM price")
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
            basis=f"{computation.basis}. Due {day(due_on)}, the 10th of the following month.",
            period=month,
            url=pages(licence)["premium"],
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
            f"{format_inr(computation.premium)} due {day(due_on)}. {computation.basis}",
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
