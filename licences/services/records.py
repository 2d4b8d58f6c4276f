"""The shared writes of the licence register: numbering, status moves (checked against the lifecycle table,
written to the history and the ledger), acts on a licence, and obligations with their deadlines.

Every caller runs inside its own `transaction.atomic()`; these functions refuse to run outside one (the
ledger does), so a licence never changes without its history.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from bidders.audiences import firm_audience
from bidders.models import Membership
from bidders.roles import REGULATORS_GROUP, is_regulator
from bidders.rules import may_act
from core.errors import Conflict, PermissionDenied
from ledger.services import ledger_append
from licences import lifecycle
from licences.models import Licence, LicenceEvent, Obligation
from licences.selectors.common import params_of, today  # noqa: F401  (re-exported for the services)
from notifications.models import DueDate
from notifications.services import due_date_close, due_date_hold, due_date_register


def members_of(firm) -> list:
    return list(get_user_model().objects.filter(memberships__firm=firm).distinct())


def regulators() -> list:
    return list(get_user_model().objects.filter(groups__name=REGULATORS_GROUP).distinct())


def require_regulator(actor) -> None:
    if not is_regulator(actor):
        raise PermissionDenied("Only regulators may do this. Sign in with a regulator account.")


def require_holder(actor, licence: Licence) -> None:
    """The actor is an administrator or authorised bidder of the licence's holder."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in as a member of the licence holder to do this.")
    role = Membership.objects.filter(user=actor, firm=licence.holder).values_list("role", flat=True).first()
    if role is None:
        raise PermissionDenied(
            f"Only members of {licence.holder.legal_name}, the holder of {licence.number}, may do this."
        )
    if not may_act(role):
        raise PermissionDenied(
            f"As a {role} of {licence.holder.legal_name} you may follow {licence.number} but not act for it; ask "
            "your firm's administrator for the bidder role."
        )


def licence_number(kind: str, year: int) -> str:
    """The next number of a kind in a year: ML/2027/0001, CL/2027/0002, EL/2027/0001."""
    prefix = f"{kind}/{year}/"
    last = (
        Licence.objects.select_for_update()
        .filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    following = int(last.rsplit("/", 1)[1]) + 1 if last else 1
    return f"{prefix}{following:04d}"


def licence_lock(licence_id) -> Licence:
    return Licence.objects.select_for_update(of=("self",)).select_related("holder", "block").get(pk=licence_id)


def licence_record(*, licence: Licence, kind: str, actor=None, note: str = "", payload: dict | None = None,
                   from_status: str = "", to_status: str = "") -> LicenceEvent:  # fmt: skip
    """An act on a licence, in its history and its ledger stream (`licence:<pk>`)."""
    entry = ledger_append(
        stream=licence.stream,
        kind=kind,
        payload={
            "licence": licence.number,
            "from_status": from_status,
            "to_status": to_status,
            "note": note,
            **(payload or {}),
        },
    )
    return LicenceEvent.objects.create(
        licence=licence,
        at=timezone.now(),
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
        ledger_seq=entry.seq,
    )


def licence_move(*, licence: Licence, to: str, actor=None, note: str = "", payload: dict | None = None,
                 payable_until: datetime.date | None = None, **fields) -> Licence:  # fmt: skip
    """Move `licence` to status `to` if the lifecycle allows it, setting `fields` too; Conflict otherwise. The move is
    one conditional UPDATE (only from the status read), so two writers cannot both move it.

    An end closes the licence's due dates: what was due by today missed, the rest no longer due; with
    `payable_until` (a surrender or termination, RULES.md s.3 item 19) the dues up to that day stay open and payable,
    and only later ones are no longer due."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("licence_move must run inside the transaction of the change")
    labels = dict(Licence.Status.choices)
    problem = lifecycle.transition_error(licence.kind, licence.status, to, labels)
    if problem:
        raise Conflict(problem)
    before = licence.status
    now = timezone.now()
    if Licence.objects.filter(pk=licence.pk, status=before).update(status=to, updated_at=now, **fields) != 1:
        raise Conflict(f"{licence.number} changed meanwhile (it is no longer {labels.get(before, before)}); reload it.")
    licence.status, licence.updated_at = to, now
    for name, value in fields.items():
        setattr(licence, name, value)
    if lifecycle.is_ended(to) and payable_until is not None:
        due_date_close(subject=licence, status=DueDate.Status.CANCELLED, due_after=payable_until)
    elif lifecycle.is_ended(to):
        # The licence ended: its due dates close with it (what was due by now missed, the rest no longer due). The
        # services settle each obligation too; this holds whatever path ends a licence.
        due_date_close(subject=licence, status=DueDate.Status.MISSED, due_before=today())
        due_date_close(subject=licence, status=DueDate.Status.CANCELLED)
    action = lifecycle.allowed_moves(licence.kind, before)[to]
    licence_record(
        licence=licence,
        kind="status",
        actor=actor,
        note=note or action.capitalize(),
        payload={**(payload or {}), **{k: _plain(v) for k, v in fields.items()}},
        from_status=before,
        to_status=to,
    )
    return licence


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def obligation_add(*, licence: Licence, kind: str, title: str, due_on: datetime.date, amount=None,
                   basis: str = "", period=None, url: str = "") -> Obligation:  # fmt: skip
    """An obligation of the licence's holder, registered as a due date of the firm (notifications: its dashboard,
    its calendar, its reminders)."""
    if kind == Obligation.Kind.PREMIUM:  # one per return: several minerals may share a month's due date
        obligation = Obligation.objects.create(
            licence=licence, kind=kind, due_on=due_on, title=title, amount=amount, basis=basis, period=period
        )
    else:
        obligation, _ = Obligation.objects.get_or_create(
            licence=licence,
            kind=kind,
            due_on=due_on,
            defaults={"title": title, "amount": amount, "basis": basis, "period": period},
        )
    due_date_register(
        subject=due_subject(obligation, licence),
        key=f"obligation:{obligation.pk}",
        kind=kind,
        audience=firm_audience(licence.holder_id),
        title=f"{title}: {licence.number}",
        due_on=due_on,
        url=url or f"/licences/{licence.pk}/",
    )
    return obligation


def due_subject(obligation: Obligation, licence: Licence | None = None) -> str:
    """What an obligation's due date belongs to (its end closes it): the licence, but for the State's auction of a
    discovery, which outlives the exploration licence and belongs to the block."""
    licence = licence or obligation.licence
    if obligation.kind == Obligation.Kind.DISCOVERY_AUCTION:
        return f"blocks.block:{licence.block_id}"
    return f"licences.licence:{licence.pk}"


# An obligation's final status -> its due date's.
DUE_DATE_STATUS = {
    Obligation.Status.MET: DueDate.Status.MET,
    Obligation.Status.MISSED: DueDate.Status.MISSED,
    Obligation.Status.WAIVED: DueDate.Status.CANCELLED,
}


def obligation_settle(*, obligation: Obligation, status: str, met_on: datetime.date | None = None,
                      penalty=None, penalty_basis: str = "") -> Obligation:  # fmt: skip
    """Close an obligation (met, missed or no longer due) and its due date (its reminders stop). Submitted (a payment
    awaiting confirmation) keeps the due date open: it is met only when the regulator confirms."""
    obligation.status = status
    obligation.met_on = met_on
    fields = ["status", "met_on"]
    if penalty is not None:
        obligation.penalty, obligation.penalty_basis = penalty, penalty_basis
        fields += ["penalty", "penalty_basis"]
    obligation.save(update_fields=fields)
    key = f"obligation:{obligation.pk}"
    if status in DUE_DATE_STATUS:
        due_date_close(subject=due_subject(obligation), key=key, status=DUE_DATE_STATUS[status])
    elif status == Obligation.Status.SUBMITTED:
        due_date_hold(subject=due_subject(obligation), key=key)
    return obligation


def obligation_reopen(*, obligation: Obligation) -> Obligation:
    """A submitted obligation is due again (its payment was rejected): pending, and its reminders resume."""
    obligation.status = Obligation.Status.PENDING
    obligation.save(update_fields=["status"])
    due_date_hold(subject=due_subject(obligation), key=f"obligation:{obligation.pk}", held=False)
    return obligation
