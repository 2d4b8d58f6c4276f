"""Surrender and termination of a licence in force (RULES.md s.3 item 19; the law in `licences.rules.ending`).

A surrender is a process with a notice period, modelled simply: the holder gives notice (`licence_surrender_notify`:
the licence stays in force, the day it will end is a due date of the holder's), and the regulator records the
surrender once the notice has run (`licence_surrender_accept`), returning the performance security it held once the
dues are met (`licence_security_release`). Whole licences only: a surrender of part of the area
changes the boundary, which the relinquishment of an EL does (`reports.el_relinquish`); a lease's partial surrender
is not built. The regulator may terminate for breach after notice and a hearing (`licence_terminate`).

Both end the licence through `licence_move` (the lifecycle table, a conditional UPDATE, the history and the ledger
in the same transaction): the obligations that would fall due after its last day are no longer due, those due up to
it stay payable (`guards.require_payable`), the performance security is forfeited (termination) or returned once
the dues and closure obligations are settled (surrender), and the block goes back to the registry.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from bidders.audiences import firm_audience
from blocks import lifecycle as block_lifecycle
from blocks.models import Block
from core.errors import ApplicationError, Conflict
from licences import lifecycle, rules
from licences.models import Licence, Obligation
from licences.services.guards import day, lock_licence
from licences.services.records import (
    licence_move,
    licence_record,
    members_of,
    obligation_settle,
    params_of,
    regulators,
    require_holder,
    require_regulator,
    today,
)
from notifications.models import DueDate
from notifications.services import due_date_close, due_date_register, notification_send

Kind = Obligation.Kind
ObStatus = Obligation.Status
NOTICE_KEY = "surrender"  # the holder's due date: the day its surrender ends the licence


def _reason(reason: str, example: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Give the reason; it is published in the licence register.", fields={"reason": [f"Say why, e.g. {example}"]}
        )
    return reason


def _require_move(licence: Licence, to: str) -> None:
    problem = lifecycle.transition_error(licence.kind, licence.status, to, dict(Licence.Status.choices))
    if problem:
        raise Conflict(problem)


def licence_surrender_notify(*, actor, licence_id, reason: str, last_day: datetime.date | None = None) -> Licence:
    """The holder gives notice of surrender of the whole licence (RULES.md s.3 item 19): it stays in force until the
    notice has run (`surrender_notice_months` of its tranche, 12 by default), or until the later `last_day` asked."""
    reason = _reason(reason, "the deposit is not economic to work.")
    with transaction.atomic():
        licence = lock_licence(licence_id)
        require_holder(actor, licence)
        _require_move(licence, Licence.Status.SURRENDERED)
        if licence.details.get("surrender"):
            raise Conflict(
                f"Notice of surrender of {licence.number} was given on "
                f"{day(datetime.date.fromisoformat(licence.details['surrender']['notice_on']))}; it cannot be given "
                "twice.",
            )
        on, months = today(), params_of(licence).surrender_notice_months
        problem = rules.surrender_notice_error(notice_on=on, months=months, last_day=last_day)
        if problem:
            raise ApplicationError(problem, fields={"last_day": [problem]})
        ends = last_day or rules.surrender_last_day(on, months)
        term_ends = lifecycle.term_ends(licence)
        if term_ends is not None and ends >= term_ends:
            message = f"{licence.number} expires on {day(term_ends)}, before its notice would run: it ends by expiry."
            raise Conflict(message, fields={"last_day": [message]})
        notice = {"notice_on": on.isoformat(), "last_day": ends.isoformat(), "notice_months": months,
                  "reason": reason, "rule": rules.RULE_ENDING}  # fmt: skip
        licence.details = {**licence.details, "surrender": notice}
        licence.save(update_fields=["details", "updated_at"])
        note = (
            f"Notice of surrender given on {day(on)}; the licence ends on {day(ends)} ({rules.RULE_ENDING}): {reason}"
        )
        licence_record(licence=licence, kind="surrender_notice", actor=actor, note=note, payload={"surrender": notice})
        due_date_register(
            subject=licence,
            key=NOTICE_KEY,
            kind="surrender",
            audience=firm_audience(licence.holder_id),
            title=f"Surrender takes effect: {licence.number}",
            due_on=ends,
            url=f"/licences/{licence.pk}/",
        )
        notification_send(
            users=regulators(),
            title=f"{licence.number}: notice of surrender",
            body=f"{licence.holder.legal_name} gave notice on {day(on)}; record the surrender on or after {day(ends)}.",
            url=f"/licences/{licence.pk}/",
        )
    return licence


def licence_surrender_accept(*, actor, licence_id, closure_settled: bool = False) -> Licence:
    """The regulator records the surrender once its notice has run: the licence ends on the notice's last day."""
    require_regulator(actor)
    with transaction.atomic():
        licence = lock_licence(licence_id)
        _require_move(licence, Licence.Status.SURRENDERED)
        notice = licence.details.get("surrender")
        if not notice:
            raise Conflict(f"{licence.holder.legal_name} has given no notice of surrender of {licence.number}.")
        ends = datetime.date.fromisoformat(notice["last_day"])
        problem = rules.surrender_acceptance_error(last_day=ends, on=today())
        if problem:
            raise Conflict(problem)
        due_date_close(subject=licence, key=NOTICE_KEY, status=DueDate.Status.MET)
        outcome = _end(licence, to=Licence.Status.SURRENDERED, ending="surrender", last_day=ends, actor=actor,
                       record=notice, closure_settled=closure_settled)  # fmt: skip
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number} is surrendered",
            body=f"The surrender ends the licence on {day(ends)}. {outcome}",
            url=f"/licences/{licence.pk}/",
        )
    return licence


def licence_terminate(*, actor, licence_id, reason: str, notice_on: datetime.date | None,
                      heard_on: datetime.date | None) -> Licence:  # fmt: skip
    """The regulator terminates a licence in force for breach, after notice to the holder and a hearing (RULES.md
    s.3 item 19): it ends today, and the performance security is forfeited."""
    require_regulator(actor)
    reason = _reason(reason, "mining outside the approved plan, after the notice of 1 May 2029.")
    with transaction.atomic():
        licence = lock_licence(licence_id)
        _require_move(licence, Licence.Status.TERMINATED)
        on = today()
        errors = rules.termination_error(notice_on=notice_on, heard_on=heard_on, on=on)
        if errors:
            raise ApplicationError(next(iter(errors.values())), fields={k: [v] for k, v in errors.items()})
        record = {"on": on.isoformat(), "reason": reason, "notice_on": notice_on.isoformat(),
                  "heard_on": heard_on.isoformat(), "rule": rules.RULE_ENDING}  # fmt: skip
        due_date_close(subject=licence, key=NOTICE_KEY, status=DueDate.Status.CANCELLED)
        outcome = _end(licence, to=Licence.Status.TERMINATED, ending="termination", last_day=on, actor=actor,
                       record=record)  # fmt: skip
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number} is terminated",
            body=f"Terminated for breach on {day(on)}, after the notice of {day(notice_on)} and the hearing of "
            f"{day(heard_on)}: {reason} {outcome}",
            url=f"/licences/{licence.pk}/",
        )
    return licence


def licence_security_release(*, actor, licence_id) -> Licence:
    """The regulator returns the performance security a surrender held (RULES.md s.3 item 19), once every due that
    stayed payable is met; by acting it finds the closure obligations settled."""
    require_regulator(actor)
    with transaction.atomic():
        licence = lock_licence(licence_id)
        surrender = licence.details.get("surrender") or {}
        if licence.status != Licence.Status.SURRENDERED or surrender.get("performance_security") != "held":
            raise Conflict(f"{licence.number} holds no performance security awaiting return after a surrender.")
        open_dues = list(
            licence.obligations.filter(
                kind__in=Obligation.MONEY_KINDS, status__in=(ObStatus.PENDING, ObStatus.SUBMITTED)
            ).order_by("due_on")
        )
        if open_dues:
            titles = ", ".join(f"{o.title} due {day(o.due_on)}" for o in open_dues)
            raise Conflict(f"The performance security is returned once the dues are settled; still open: {titles}.")
        security = rules.performance_security_on_end(
            ending="surrender", furnished=Decimal(surrender["performance_security_amount"]), open_dues=0,
            closure_settled=True,
        )  # fmt: skip
        released = {**surrender, "performance_security": security.action, "performance_security_basis": security.basis,
                    "performance_security_returned_on": today().isoformat()}  # fmt: skip
        licence.details = {**licence.details, "surrender": released}
        licence.save(update_fields=["details", "updated_at"])
        licence_record(licence=licence, kind="security_returned", actor=actor, note=security.basis,
                       payload={"amount": str(security.amount)})  # fmt: skip
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number}: performance security returned",
            body=security.basis,
            url=f"/licences/{licence.pk}/",
        )
    return licence


def _end(licence: Licence, *, to: str, ending: str, last_day: datetime.date, actor, record: dict,
         closure_settled: bool = False) -> str:  # fmt: skip
    """End `licence` on `last_day`: the obligations due later no longer due, the security's fate, the block back to
    the registry; the move, with `record` kept in the licence's details, in its history and ledger."""
    # The State's auction of a discovery outlives the exploration licence (its due date is the block's): left open.
    open_rows = (
        licence.obligations.select_for_update()
        .filter(status__in=(ObStatus.PENDING, ObStatus.SUBMITTED))
        .exclude(kind=Kind.DISCOVERY_AUCTION)
    )
    later = [o for o in open_rows if not rules.stays_payable(o.due_on, last_day) and o.status == ObStatus.PENDING]
    payable = [o for o in open_rows if rules.stays_payable(o.due_on, last_day) and o.kind in Obligation.MONEY_KINDS]
    furnished = licence.obligations.filter(kind=Kind.PERFORMANCE_SECURITY, status=ObStatus.MET).exists()
    security = rules.performance_security_on_end(
        ending=ending,
        furnished=licence.performance_security if furnished else None,
        open_dues=len(payable),
        closure_settled=closure_settled,
    )
    outcome = {
        **record,
        "last_day": last_day.isoformat(),
        "dues_payable": len(payable),
        "obligations_no_longer_due": len(later),
        "performance_security": security.action,
        "performance_security_amount": str(security.amount),
        "performance_security_basis": security.basis,
    }
    dues = f" {len(payable)} due(s) up to {day(last_day)} stay payable." if payable else ""
    note = f"{'Surrendered' if ending == 'surrender' else 'Terminated for breach'} ({rules.RULE_ENDING}): " + (
        f"{record['reason']}{dues} {security.basis}"
    )
    licence_move(licence=licence, to=to, actor=actor, note=note, ended_on=last_day, payable_until=last_day,
                 details={**licence.details, ending: outcome})  # fmt: skip
    for obligation in later:
        obligation_settle(obligation=obligation, status=ObStatus.WAIVED)
    if Block.objects.filter(pk=licence.block_id, status=Block.Status.LICENSED).exists():
        block_lifecycle.block_move(
            block_id=licence.block_id, to=Block.Status.IDENTIFIED, reason=f"{licence.number} {to}: {record['reason']}"
        )
    return f"{dues.strip()} {security.basis}".strip()
