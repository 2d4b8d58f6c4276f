"""An exploration licence's term (RULES.md s.4): the grant (its checks, its record, the obligations it registers),
the extension (the holder's request, the regulator's decision), and the expiry, with the sweeper that applies it.
The holder's filings (reports, relinquishment, discovery) are in `reports`.

Facts without a model field are kept in `Licence.details`: `extension_request` (the holder's request) and
`extension` (what the regulator granted)."""

import datetime

from django.db import transaction
from django.db.models.functions import Coalesce

from auctions.rules import AuctionParams
from core.errors import ApplicationError, Conflict
from core.selectors import closed_days
from licences import lifecycle, rules
from licences.models import Licence, Obligation
from licences.selectors.common import params_of, today
from licences.services.guards import (
    RULE,
    el_date_input,
    el_day,
    exploration_url,
    lock_el,
    mineral_facts,
    require_in_force,
    seventh_schedule_names,
    text_input,
)
from licences.services.records import (
    licence_lock,
    licence_move,
    licence_record,
    members_of,
    obligation_add,
    obligation_settle,
    regulators,
    require_holder,
    require_regulator,
)
from notifications.services import notification_send

Kind = Obligation.Kind
ObStatus = Obligation.Status


def granted_on(licence: Licence) -> datetime.date | None:
    return licence.starts_on or licence.awarded_on


def report_obligations(licence: Licence, granted: datetime.date, ends: datetime.date, params: AuctionParams):
    dates = rules.el_report_due_dates(granted, ends, params, closed=closed_days(start=granted))
    for number, due in enumerate(dates, start=1):
        obligation_add(
            licence=licence,
            kind=Kind.WORK_REPORT,
            title=f"Work-programme report for year {number}",
            due_on=due,
            basis=f"Every {params.el_report_interval_months} months from the grant on {el_day(granted)}, until the "
            f"expiry on {el_day(ends)} ({RULE}).",
            url=exploration_url(licence),
        )
    return dates


def expiry_obligation(licence: Licence, ends: datetime.date, basis: str):
    return obligation_add(
        licence=licence,
        kind=Kind.EXPIRY,
        title="Exploration licence expires",
        due_on=ends,
        basis=basis,
        url=exploration_url(licence),
    )


def el_grant_check(licence: Licence, params: AuctionParams) -> None:
    """What the grant checks again on its day: the holder's eligibility (Indian, net worth), the area and the
    minerals (RULES.md s.4). Raises ApplicationError naming what fails."""
    holder = licence.holder
    refusal = rules.el_bidder_error(
        incorporated_in_india=holder.incorporated_in_india, net_worth=holder.net_worth, params=params
    )
    if refusal:
        raise ApplicationError(
            f"{holder.legal_name} is not eligible for an exploration licence: {refusal}",
            fields={"holder": [refusal]},
            code="not_eligible",
        )
    errors = rules.el_application_errors(
        area_hectares=licence.area_hectares,
        minerals=mineral_facts(licence.minerals.all()),
        params=params,
        eligible=seventh_schedule_names(),
    )
    if errors:
        raise ApplicationError(
            f"{licence.number} cannot be granted: {' '.join(errors)}",
            fields={"licence": errors},
            code="not_grantable",
        )


def el_grant_record(*, licence: Licence, granted: datetime.date, params: AuctionParams, actor=None,
                    note_prefix: str = "", payload: dict | None = None):  # fmt: skip
    """The grant on `granted` in the register: the licence in force for its term, and its obligations (a report
    every year, the relinquishment at 3 years, the expiry) with their deadlines. Runs in the caller's
    transaction; `el_grant` calls it for the day of the grant."""
    expires = rules.el_expiry(granted, params)
    relinquish_on = rules.el_relinquishment_due(granted, params, closed=closed_days(start=granted))
    holder = licence.holder
    licence_move(
        licence=licence,
        to=Licence.Status.ACTIVE,
        actor=actor,
        note=f"{note_prefix}Exploration licence granted on {el_day(granted)} to {holder.legal_name} for "
        f"{params.el_term_years} years, to {el_day(expires)} ({RULE}).",
        payload={**(payload or {}), "holder": holder.legal_name, "area_hectares": licence.area_hectares},
        awarded_on=granted,
        starts_on=granted,
        expires_on=expires,
    )
    reports = report_obligations(licence, granted, expires, params)
    obligation_add(
        licence=licence,
        kind=Kind.RELINQUISHMENT,
        title="Relinquish to at most 25% of the original area",
        due_on=relinquish_on,
        basis=f"After the first {params.el_relinquishment_after_years} years from the grant on {el_day(granted)}, "
        f"the holder keeps at most {params.el_retained_max_pct}% of the original "
        f"{licence.original_area_hectares} ha, with a report of reasons ({RULE}).",
        url=exploration_url(licence),
    )
    expiry_obligation(
        licence,
        expires,
        f"{params.el_term_years} years from the grant on {el_day(granted)}; extendable once by up to "
        f"{params.el_extension_max_years} years ({RULE}).",
    )
    return expires, relinquish_on, reports


def el_grant(*, actor, licence_id, granted_on=None) -> Licence:
    """The regulator grants the EL to its preferred bidder, today: the term of 5 years starts, and the annual
    reports, the relinquishment at 3 years and the expiry become obligations with deadlines. The holder's
    eligibility (Indian, net worth) and the area and minerals are checked again, as on the day of the grant.
    `granted_on`: a past day instead of today (the record of a grant made then, as the demo seeds it)."""
    require_regulator(actor)
    with transaction.atomic():
        licence = lock_el(licence_id)
        problem = lifecycle.transition_error(
            licence.kind, licence.status, Licence.Status.ACTIVE, dict(Licence.Status.choices)
        )
        if problem:
            raise Conflict(problem)
        params = params_of(licence)
        holder = licence.holder
        el_grant_check(licence, params)
        granted = today() if granted_on in (None, "") else el_date_input(granted_on, "granted_on", "the grant date")
        if granted > today():
            message = f"The grant date {el_day(granted)} is in the future; give today or a day before."
            raise ApplicationError(message, fields={"granted_on": [message]})
        expires, relinquish_on, reports = el_grant_record(licence=licence, granted=granted, params=params, actor=actor)
        notification_send(
            users=members_of(holder),
            title=f"{licence.number} is granted: exploration licence in force to {el_day(expires)}",
            body=f"The exploration licence of {licence.block.code} is granted on {el_day(granted)}. The first "
            f"work-programme report is due on {el_day(reports[0])} and the relinquishment to at most "
            f"{params.el_retained_max_pct}% of the area on {el_day(relinquish_on)}.",
            url=exploration_url(licence),
        )
    return licence


def el_extension_request(*, actor, licence_id, requested_to, reason: str) -> Licence:
    """The holder asks the regulator to extend the term (once, by up to 2 years): recorded and sent to the
    regulators, who decide with `el_extend`."""
    with transaction.atomic():
        licence = lock_el(licence_id)
        require_holder(actor, licence)
        require_in_force(licence, "an extension")
        requested_to = el_date_input(requested_to, "requested_to", "the new expiry")
        reason = text_input(reason, "reason", "reason for the extension", limit=2000)
        problem = _extension_problem(licence, requested_to)
        if problem:
            raise ApplicationError(problem, fields={"requested_to": [problem]})
        licence.details = {
            **(licence.details or {}),
            "extension_request": {
                "requested_to": requested_to.isoformat(),
                "reason": reason,
                "by": actor.get_username(),
                "on": today().isoformat(),
            },
        }
        licence.save(update_fields=["details", "updated_at"])
        licence_record(
            licence=licence,
            kind="extension_requested",
            actor=actor,
            note=f"{licence.holder.legal_name} asks to extend the term to {el_day(requested_to)}: {reason}",
            payload={"requested_to": requested_to.isoformat()},
        )
        notification_send(
            users=regulators(),
            title=f"{licence.number}: extension requested to {el_day(requested_to)}",
            body=f"{licence.holder.legal_name} asks to extend its exploration licence to {el_day(requested_to)}: "
            f"{reason}",
            url=exploration_url(licence),
        )
    return licence


def _extension_problem(licence: Licence, requested_to: datetime.date) -> str | None:
    return rules.el_extension_error(
        granted_on=granted_on(licence),
        expires_on=lifecycle.term_ends(licence),
        requested_to=requested_to,
        already_extended=licence.extended_to is not None or licence.status == Licence.Status.EXTENDED,
        params=params_of(licence),
        on=today(),
    )


def el_extend(*, actor, licence_id, extended_to, note: str = "") -> Licence:
    """The regulator extends the term, once, by up to 2 years beyond the original expiry (on the holder's request
    or directly). The expiry obligation moves to the new date and the reports of the extra years are added."""
    require_regulator(actor)
    with transaction.atomic():
        licence = lock_el(licence_id)
        if licence.status == Licence.Status.EXTENDED or licence.extended_to is not None:
            raise Conflict(
                f"{licence.number} was already extended, to {el_day(lifecycle.term_ends(licence))}; an exploration "
                "licence can be extended only once."
            )
        require_in_force(licence, "an extension")
        extended_to = el_date_input(extended_to, "extended_to", "the new expiry")
        note = text_input(note, "note", "note", required=False, limit=2000)
        problem = _extension_problem(licence, extended_to)
        if problem:
            raise ApplicationError(problem, fields={"extended_to": [problem]})
        params = params_of(licence)
        granted = granted_on(licence)
        before = licence.expires_on
        request = (licence.details or {}).get("extension_request")
        licence.details = {
            **(licence.details or {}),
            "extension": {"from": before.isoformat(), "to": extended_to.isoformat(), "on": today().isoformat()},
        }
        licence.save(update_fields=["details", "updated_at"])
        licence_move(
            licence=licence,
            to=Licence.Status.EXTENDED,
            actor=actor,
            note=f"Term extended from {el_day(before)} to {el_day(extended_to)} ({RULE}: once, by up to "
            f"{params.el_extension_max_years} years)." + (f" {note}" if note else ""),
            payload={"expires_on": before.isoformat(), "on_request": bool(request)},
            extended_to=extended_to,
        )
        for old in licence.obligations.select_for_update().filter(kind=Kind.EXPIRY, status=ObStatus.PENDING):
            obligation_settle(obligation=old, status=ObStatus.WAIVED)
        expiry_obligation(
            licence,
            extended_to,
            f"Extended on {el_day(today())} from {el_day(before)} to {el_day(extended_to)}: once, by up to "
            f"{params.el_extension_max_years} years beyond the original expiry ({RULE}).",
        )
        report_obligations(licence, granted, extended_to, params)
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number} is extended to {el_day(extended_to)}",
            body=f"The exploration licence's term now ends on {el_day(extended_to)} instead of {el_day(before)}. The "
            "work-programme reports of the extra years are added to your deadlines.",
            url=exploration_url(licence),
        )
    return licence


def el_expire(*, licence_id) -> bool:
    """Expire an EL whose term has run (the day after its expiry, or extended expiry): its expiry obligation is
    met, the reports and relinquishment it still owed are missed. False (and nothing done) when it is not due or
    already ended: safe to call twice."""
    with transaction.atomic():
        try:
            licence = licence_lock(licence_id)
        except (Licence.DoesNotExist, ValueError, TypeError):
            return False
        ends = lifecycle.term_ends(licence)
        if licence.kind != "EL" or licence.status not in lifecycle.EXPIRABLE or ends is None or ends >= today():
            return False
        licence_move(
            licence=licence,
            to=Licence.Status.EXPIRED,
            note=f"The term ended on {el_day(ends)} ({RULE}).",
            ended_on=ends,
        )
        _close_obligations(licence, ends)
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number} has expired",
            body=f"The exploration licence's term ended on {el_day(ends)}.",
            url=exploration_url(licence),
        )
    return True


def _close_obligations(licence: Licence, ended: datetime.date) -> int:
    """An ended EL's obligations: the expiry is met on its date; what the holder still owed by the end is missed,
    what would have fallen due later is no longer due. The State's discovery auction stays open."""
    closed = 0
    rows = licence.obligations.select_for_update().filter(status=ObStatus.PENDING).exclude(kind=Kind.DISCOVERY_AUCTION)
    for obligation in rows:
        if obligation.kind == Kind.EXPIRY and licence.status == Licence.Status.EXPIRED:
            obligation_settle(obligation=obligation, status=ObStatus.MET, met_on=ended)
        elif obligation.due_on <= ended:
            obligation_settle(obligation=obligation, status=ObStatus.MISSED)
        else:
            obligation_settle(obligation=obligation, status=ObStatus.WAIVED)
        closed += 1
    if closed:
        licence_record(
            licence=licence, kind="obligations_closed", note=f"{closed} obligation(s) closed at the licence's end."
        )
    return closed


def el_sweep() -> dict:
    """What time decides for exploration licences: expire those past their term, and close the obligations of ELs
    that ended otherwise (missed, or no longer due). Each licence in its own transaction; idempotent."""
    on = today()
    due = (
        Licence.objects.filter(kind="EL", status__in=lifecycle.EXPIRABLE)
        .annotate(term_ends=Coalesce(*lifecycle.TERM_END_FIELDS))
        .filter(term_ends__lt=on)
        .values_list("pk", flat=True)
    )
    expired = sum(1 for pk in list(due) if el_expire(licence_id=pk))
    ended = (
        Licence.objects.filter(
            kind="EL",
            status__in=lifecycle.ENDED,
            obligations__status=ObStatus.PENDING,
            obligations__kind__in=(Kind.WORK_REPORT, Kind.RELINQUISHMENT, Kind.EXPIRY),
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    closed = 0
    for pk in list(ended):
        with transaction.atomic():
            licence = licence_lock(pk)
            closed += _close_obligations(licence, licence.ended_on or on)
    return {"expired": expired, "obligations_closed": closed}
