"""From the Letter of Intent to the deed (RULES.md s.3 items 12, 13): the LoI and the milestones it starts, each
milestone met (with its delay penalty when late), the development agreement, and the execution of the deed."""

import datetime
from decimal import Decimal

from django.db import transaction

from blocks import lifecycle as block_lifecycle
from blocks.models import Block
from core.errors import ApplicationError, Conflict, NotFound
from core.money import format_inr
from core.selectors import closed_days
from licences import hooks, lifecycle, rules
from licences.models import Licence, Obligation
from licences.selectors.common import params_of, today
from licences.services.award import instalment_basis
from licences.services.guards import (
    date_input,
    day,
    lock_lease,
    lock_licence,
    not_future,
    pages,
    require_not_ended,
)
from licences.services.records import (
    licence_move,
    licence_record,
    members_of,
    obligation_add,
    obligation_settle,
    require_regulator,
)
from notifications.services import notification_send

Kind = Obligation.Kind
ObStatus = Obligation.Status


def loi_record(*, licence: Licence, loi_on: datetime.date, actor=None, note_prefix: str = "",
               payload: dict | None = None) -> list[Obligation]:  # fmt: skip
    """The Letter of Intent of `loi_on` in the register and the milestones it starts (RULES.md s.3 item 13),
    each an obligation with its due date, amount and basis. Runs in the caller's transaction; `licence_issue_loi`
    calls it for the day of the letter."""
    params = params_of(licence)
    ver = licence.value_of_estimated_resources
    instalments = rules.upfront_instalments(ver, params)
    money = {Kind.UPFRONT_2: (2, instalments[1]), Kind.UPFRONT_3: (3, instalments[2])}
    licence_move(
        licence=licence,
        to=Licence.Status.LOI_ISSUED,
        actor=actor,
        note=f"{note_prefix}Letter of Intent issued on {day(loi_on)}; the milestones run from it "
        f"({rules.RULE_MILESTONES}).",
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
                url=pages(licence)["payments" if amount is not None else "milestones"],
            )
        )
    return created


def licence_issue_loi(*, actor, licence_id, issued_on=None) -> Licence:
    """The Letter of Intent, once the first instalment and the performance security are confirmed; it starts
    the milestones (RULES.md s.3 items 12, 13), each an obligation with its due date and basis. Issued today, or
    on `issued_on` (a past day: the record of a letter issued then, as the demo seeds it)."""
    require_regulator(actor)
    with transaction.atomic():
        licence = lock_lease(licence_id)
        if licence.status != Licence.Status.PREFERRED_BIDDER:
            raise Conflict(f"The Letter of Intent of {licence.number} is already issued.")
        missing = [o for o in licence.obligations.filter(kind__in=rules.FIRST_DUES) if o.status != ObStatus.MET]
        if missing:
            what = " and ".join(f"{o.title.lower()} ({o.get_status_display().lower()})" for o in missing)
            raise Conflict(
                "The Letter of Intent follows the first instalment and the performance security "
                f"({rules.RULE_45_DAYS}); not yet confirmed: {what}."
            )
        loi_on = _met_on(issued_on, licence, "issued_on")
        created = loi_record(licence=licence, loi_on=loi_on, actor=actor)
        lines = "; ".join(
            f"{o.title} by {day(o.due_on)}" + (f" ({format_inr(o.amount)})" if o.amount is not None else "")
            for o in created
        )
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number}: Letter of Intent issued",
            body=f"The Letter of Intent is issued on {day(loi_on)}. Milestones: {lines}.",
            url=pages(licence)["milestones"],
        )
    return licence


def _late(obligation: Obligation, done_on: datetime.date, licence: Licence) -> tuple[Decimal, str]:
    """The delay penalty of a milestone met on `done_on`: 1% of the performance security for each month or part
    of a month late (RULES.md s.3 item 13); nothing when on time."""
    if done_on <= obligation.due_on:
        return Decimal("0.00"), ""
    return rules.delay_penalty(licence.performance_security, obligation.due_on, done_on, params_of(licence))


def _meet(*, obligation: Obligation, licence: Licence, met_on: datetime.date, actor, act: str, note: str = "",
          payload: dict | None = None) -> Obligation:  # fmt: skip
    penalty, basis = _late(obligation, met_on, licence)
    obligation_settle(obligation=obligation, status=ObStatus.MET, met_on=met_on, penalty=penalty, penalty_basis=basis)
    late = f" Delay penalty {format_inr(penalty)}: {basis}" if penalty else " On time."
    licence_record(
        licence=licence,
        kind=act,
        actor=actor,
        note=f"{obligation.title} met on {day(met_on)} (due {day(obligation.due_on)}).{late}"
        + (f" {note}" if note else ""),
        payload={
            "obligation": obligation.kind,
            "due_on": obligation.due_on.isoformat(),
            "met_on": met_on.isoformat(),
            "penalty": penalty,
            **(payload or {}),
        },
    )
    if penalty:
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number}: delay penalty of {format_inr(penalty)} for {obligation.title.lower()}",
            body=basis,
            url=pages(licence)["milestones"],
        )
    return obligation


def _met_on(value, licence: Licence, field: str) -> datetime.date:
    value = date_input(value if value not in (None, "") else today(), field, "the date")
    not_future(value, field, "the date")
    if licence.awarded_on and value < licence.awarded_on:
        raise ApplicationError(
            f"The date {day(value)} is before the Letter of Intent of {day(licence.awarded_on)}.",
            fields={field: [f"Give a date on or after {day(licence.awarded_on)}."]},
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
        licence = lock_licence(licence_id)
        require_not_ended(licence)
        obligation = Obligation.objects.select_for_update().get(pk=obligation_id)
        kept = hooks.milestone_keeper(licence, obligation.kind)
        if kept:
            raise Conflict(kept, code="milestone_kept_by_case")
        if obligation.kind not in Obligation.MARKABLE_KINDS:
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


def milestone_met_by_decision(*, licence_id, kind: str, met_on: datetime.date, note: str, actor=None,
                              payload: dict | None = None) -> Obligation | None:  # fmt: skip
    """A milestone (mining plan, environment clearance) met by another record's decision of `met_on`: a granted or
    deemed clearance case (RULES.md s.5, Link to the lease), with its delay penalty when late. Runs in the caller's
    transaction; a milestone already met, or a licence without it (a composite licence), is left alone (None)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("milestone_met_by_decision must run inside the transaction of the decision")
    licence = lock_licence(licence_id)
    obligation = open_obligation(licence, kind)
    if obligation is None or obligation.status != ObStatus.PENDING or lifecycle.is_ended(licence.status):
        return None
    _meet(obligation=obligation, licence=licence, met_on=met_on, actor=actor, act="milestone_met",
          note=note, payload=payload)  # fmt: skip
    return obligation


def open_obligation(licence: Licence, kind: str) -> Obligation | None:
    return licence.obligations.select_for_update().filter(kind=kind).order_by("due_on").last()


def _missing(licence: Licence, kinds) -> list[str]:
    missing = []
    for kind in kinds:
        obligation = open_obligation(licence, kind)
        if obligation is None or obligation.status != ObStatus.MET:
            state = obligation.get_status_display().lower() if obligation else "not set"
            missing.append(f"{Kind(kind).label.lower()} ({state})")
    return missing


def _require_met(licence: Licence, kinds, what: str, *, more=()) -> None:
    missing = _missing(licence, kinds) + list(more)
    if missing:
        raise Conflict(f"{what} needs first: {'; '.join(missing)}.")


def licence_sign_mdpa(*, actor, licence_id, signed_on=None) -> Licence:
    """The Mine Development and Production Agreement, once the second instalment is paid: the preferred bidder
    becomes the successful bidder."""
    require_regulator(actor)
    with transaction.atomic():
        licence = lock_lease(licence_id)
        if licence.status != Licence.Status.LOI_ISSUED:
            raise Conflict(
                f"The development agreement is signed after the Letter of Intent and once only; {licence.number} is "
                f"{licence.get_status_display().lower()}."
            )
        _require_met(licence, [Kind.UPFRONT_2], "Signing the development agreement")
        signed_on = _met_on(signed_on, licence, "signed_on")
        mdpa = open_obligation(licence, Kind.MDPA)
        licence_move(licence=licence, to=Licence.Status.MDPA_SIGNED, actor=actor,
                     note=f"Development agreement signed on {day(signed_on)}.")  # fmt: skip
        if mdpa is not None and mdpa.status == ObStatus.PENDING:
            _meet(obligation=mdpa, licence=licence, met_on=signed_on, actor=actor, act="mdpa_signed")
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number}: development agreement signed",
            body=f"Signed on {day(signed_on)}; {licence.holder.legal_name} is the successful bidder.",
            url=pages(licence)["milestones"],
        )
    return licence


def execution_record(*, licence: Licence, executed_on: datetime.date, actor=None, note_prefix: str = "",
                     payload: dict | None = None) -> tuple[datetime.date, str]:  # fmt: skip
    """The deed executed on `executed_on` in the register: in force for 50 years (s.8A(2) of the Act), the
    execution milestone met (with its penalty if late), the expiry registered. Runs in the
    caller's transaction."""
    expires_on = rules.lease_expiry(executed_on)
    term_basis = rules.lease_term_basis(executed_on)
    execution = open_obligation(licence, Kind.EXECUTION)
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
        _meet(obligation=execution, licence=licence, met_on=executed_on, actor=actor, act="executed")
    obligation_add(
        licence=licence,
        kind=Kind.EXPIRY,
        title=Kind.EXPIRY.label,
        due_on=expires_on,
        basis=term_basis,
        url=pages(licence)["milestones"],
    )
    return expires_on, term_basis


def licence_execute(*, actor, licence_id, executed_on=None) -> Licence:
    """The lease (or licence) deed executed, once the balance of the upfront payment is paid and, for an ML, the
    mining plan and the environment clearance are in: the licence is in force for 50 years; the block is
    licensed."""
    require_regulator(actor)
    with transaction.atomic():
        licence = lock_lease(licence_id)
        if licence.status != Licence.Status.MDPA_SIGNED:
            raise Conflict(
                f"The deed is executed after the development agreement is signed; {licence.number} is "
                f"{licence.get_status_display().lower()}."
            )
        needed = [Kind.UPFRONT_3]
        if licence.kind == "ML":
            needed += [Kind.MINING_PLAN, Kind.ENVIRONMENT_CLEARANCE]
        # What other apps say still blocks the deed (licences.hooks): the clearance cases that gate execution.
        _require_met(licence, needed, "Executing the deed", more=hooks.execution_blockers(licence))
        executed_on = _met_on(executed_on, licence, "executed_on")
        expires_on, term_basis = execution_record(licence=licence, executed_on=executed_on, actor=actor)
        block_lifecycle.block_move(
            block_id=licence.block_id, to=Block.Status.LICENSED, reason=f"{licence.number} executed"
        )
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number}: deed executed, in force until {day(expires_on)}",
            body=f"{term_basis} File the premium return of each month by the 10th of the next.",
            url=pages(licence)["premium"],
        )
    return licence
