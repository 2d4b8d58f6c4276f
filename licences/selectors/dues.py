"""Reads of a lease's pages and API after the auction (its dues): who may see a licence's dues, its obligations
with their payments, what is due today (with interest), the premium month by month, and the regulator's queue.

Only the holder's members and regulators see a licence's payments, milestones and premium here; the public
register (another module) shows what is public.
"""

import datetime
from collections import OrderedDict
from decimal import Decimal

from django.db.models import Count, Prefetch, Q

from auctions.rules import AuctionParams
from bidders.roles import is_regulator
from bidders.rules import may_act
from core.errors import NotFound, PermissionDenied
from core.money import inr
from core.selectors import closed_days
from licences import lifecycle, rules
from licences.models import Licence, Obligation, Payment, PremiumShare
from licences.selectors.common import holder_role, is_overdue, params_of, today

REGULATOR = "regulator"
Kind = Obligation.Kind
ObStatus = Obligation.Status


def amount_due(obligation: Obligation, paid_on: datetime.date, params: AuctionParams | None = None, *, closed=None):
    """(total, interest, interest basis) of a money obligation paid on `paid_on`: its amount, plus 24% a year
    simple interest for the days beyond 60 after the due date (RULES.md s.3 item 14); none on a guarantee."""
    amount = obligation.amount or Decimal("0")
    if obligation.kind in Obligation.NO_INTEREST_KINDS:
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


def revocation_grounds(licence: Licence, on: datetime.date) -> list[str]:
    """The defaults that allow revoking the licence on `on` (`rules.revocation_grounds`): none once its rights can
    no longer be revoked (the deed executed, or ended)."""
    if not lifecycle.revocable(licence.kind, licence.status):
        return []
    dues = (
        rules.Due(kind=o.kind, title=o.title, amount=o.amount, due_on=o.due_on, unmet=o.status == ObStatus.PENDING)
        for o in licence.obligations.order_by("due_on", "id")
    )
    return rules.revocation_grounds(dues, on)


def _licences():
    return Licence.objects.select_related("holder", "block", "parent_el__holder", "auction")


def licence_access(*, user, licence_id) -> tuple[Licence, str]:
    """(licence, role): the role is "regulator" or the user's role in the holder (admin, bidder, viewer).
    NotFound for no such licence; PermissionDenied for anyone else."""
    try:
        licence = _licences().get(pk=licence_id)
    except (Licence.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no licence {licence_id}.") from None
    if is_regulator(user):
        return licence, REGULATOR
    role = holder_role(user=user, licence=licence)
    if role is None:
        raise PermissionDenied(
            f"The payments, milestones and premium of {licence.number} are shown to {licence.holder.legal_name}'s "
            "members and to regulators only. Its public record is in the licence register."
        )
    return licence, role


def can_act(role: str | None) -> bool:
    """A regulator acts as the regulator; a member acts for the holder if its role may (`bidders.rules.may_act`)."""
    return may_act(role)


def obligations_with_payments(licence: Licence):
    return licence.obligations.prefetch_related(
        Prefetch("payments", queryset=Payment.objects.select_related("decided_by").order_by("paid_on", "id"))
    ).order_by("due_on", "id")


def obligation_row(obligation: Obligation, *, on: datetime.date, params, closed=None) -> dict:
    """An obligation as the pages and the API show it: with the amount due on `on` (interest included) while
    it is open, and how that was computed."""
    due_now = interest = None
    interest_basis = ""
    if obligation.amount is not None and obligation.status in (ObStatus.PENDING, ObStatus.SUBMITTED):
        due_now, interest, interest_basis = amount_due(obligation, on, params, closed=closed)
    return {
        "obligation": obligation,
        "id": obligation.pk,
        "kind": obligation.kind,
        "title": obligation.title,
        "due_on": obligation.due_on,
        "amount": obligation.amount,
        "amount_due_today": due_now,
        "interest_today": interest,
        "interest_basis": interest_basis,
        "basis": obligation.basis,
        "status": obligation.status,
        "status_label": obligation.get_status_display(),
        "met_on": obligation.met_on,
        "penalty": obligation.penalty,
        "penalty_basis": obligation.penalty_basis,
        "period": obligation.period,
        "overdue": is_overdue(obligation, on),
        "payable": obligation.kind in Obligation.MONEY_KINDS and obligation.status == ObStatus.PENDING,
        "markable": obligation.kind in Obligation.MARKABLE_KINDS and obligation.status == ObStatus.PENDING,
        "payments": list(obligation.payments.all()),
    }


def obligation_rows(licence: Licence, *, kinds=None, exclude=()) -> list[dict]:
    on, params, closed = today(), params_of(licence), closed_days()
    rows = obligations_with_payments(licence)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    if exclude:
        rows = rows.exclude(kind__in=exclude)
    return [obligation_row(o, on=on, params=params, closed=closed) for o in rows]


def payments_awaiting(licence: Licence):
    return licence.payments.filter(status=Payment.Status.RECORDED).select_related("obligation", "recorded_by")


def loi_ready(licence: Licence) -> bool:
    if licence.status != Licence.Status.PREFERRED_BIDDER or licence.kind not in lifecycle.LEASES:
        return False
    met = licence.obligations.filter(kind__in=rules.FIRST_DUES, status=ObStatus.MET).count()
    return met == len(rules.FIRST_DUES)


def milestone_page(licence: Licence) -> dict:
    on = today()
    moves = lifecycle.allowed_moves(licence.kind, licence.status)
    return {
        "rows": obligation_rows(licence, exclude=(Kind.PREMIUM,)),
        "events": list(licence.events.select_related("actor").order_by("at", "id")),
        "loi_ready": loi_ready(licence),
        "can_mdpa": licence.status == Licence.Status.LOI_ISSUED,
        "can_execute": licence.status == Licence.Status.MDPA_SIGNED,
        "can_revoke": Licence.Status.LOI_REVOKED in moves and licence.kind in lifecycle.LEASES,
        "grounds": revocation_grounds(licence, on),
        "revocation": licence.details.get("revocation"),
        "term_basis": licence.details.get("term_basis", ""),
    }


def premium_returns(licence: Licence):
    return licence.premium_returns.select_related("mineral", "obligation", "filed_by").order_by("-month", "-id")


def premium_months(licence: Licence) -> list[dict]:
    """Per month: the premium due, what was paid (confirmed) and what is outstanding today (interest included
    once a due is more than 60 days late), with the returns of the month."""
    on, params, closed = today(), params_of(licence), closed_days()
    confirmed = Prefetch("payments", queryset=Payment.objects.order_by("paid_on", "id"))
    obligations = licence.obligations.filter(kind=Kind.PREMIUM).prefetch_related(confirmed).order_by("-period", "-id")
    returns = {r.obligation_id: r for r in premium_returns(licence)}
    months: OrderedDict = OrderedDict()
    for o in obligations:
        row = months.setdefault(
            o.period,
            {"month": o.period, "due": Decimal("0.00"), "paid": Decimal("0.00"), "outstanding": Decimal("0.00"),
             "returns": [], "due_on": o.due_on, "overdue": False},
        )  # fmt: skip
        row["due"] += o.amount or 0
        row["paid"] += sum((p.amount for p in o.payments.all() if p.status == Payment.Status.CONFIRMED), Decimal(0))
        if o.status in (ObStatus.PENDING, ObStatus.SUBMITTED):
            total, interest, basis = amount_due(o, on, params, closed=closed)
            row["outstanding"] += total
            row["overdue"] = row["overdue"] or o.due_on < on
            row.setdefault("interest_bases", []).extend([basis] if basis else [])
        if o.pk in returns:
            row["returns"].append({"return": returns[o.pk], "obligation": o})
    return list(months.values())


def el_shares(licence: Licence):
    """PremiumShares paid by this lease (to its parent EL) or earned by this EL."""
    related = ("payment__obligation", "lease", "el__holder")
    if licence.kind == "EL":
        return PremiumShare.objects.filter(el=licence).select_related(*related).order_by("-created_at")
    return PremiumShare.objects.filter(lease=licence).select_related(*related).order_by("-created_at")


def premium_totals(months: list[dict]) -> dict:
    return {
        "due": sum((m["due"] for m in months), Decimal("0.00")),
        "paid": sum((m["paid"] for m in months), Decimal("0.00")),
        "outstanding": sum((m["outstanding"] for m in months), Decimal("0.00")),
    }


def regulator_queue() -> dict:
    """What waits for a regulator: payments to confirm, overdue obligations of licences not ended, and
    preferred bidders whose first dues are confirmed (ready for the Letter of Intent)."""
    on = today()
    ended = lifecycle.ENDED
    payments = (
        Payment.objects.filter(status=Payment.Status.RECORDED)
        .select_related("licence__holder", "obligation", "recorded_by")
        .order_by("recorded_at", "id")
    )
    overdue = (
        Obligation.objects.filter(status=ObStatus.PENDING, due_on__lt=on)
        .exclude(licence__status__in=ended)
        .exclude(kind=Kind.EXPIRY)
        .select_related("licence__holder")
        .order_by("due_on", "id")
    )
    awaiting_loi = (
        Licence.objects.filter(status=Licence.Status.PREFERRED_BIDDER, kind__in=lifecycle.LEASES)
        .annotate(
            first_met=Count("obligations", filter=Q(obligations__kind__in=rules.FIRST_DUES, obligations__status="met"))
        )
        .filter(first_met=len(rules.FIRST_DUES))
        .select_related("holder", "block")
        .order_by("declared_on", "number")
    )
    return {"payments": list(payments), "overdue": list(overdue), "awaiting_loi": list(awaiting_loi), "today": on}
