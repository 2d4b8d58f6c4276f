"""Every write of an exploration licence's life after its auction (RULES.md s.4), and firms' proposals of areas
for EL auctions.

The licence: the grant, one extension, the annual work-programme reports, the relinquishment to at most 25% of
the original area after 3 years, the geological report of a discovery (the block goes back to the registry for
an ML or CL auction), and the expiry. Keyword-only, roles checked here (a firm member cannot do a regulator's act
even through the API), one short transaction each with the licence row locked; every act goes through
`licence_move` / `licence_record` (history + ledger) and every due date through `obligation_add` /
`obligation_settle` (the firm's deadlines). The law itself is in `licences.rules`.

Facts without a model field are kept in `Licence.details`: `extension_request` (the holder's request) and
`extension` (what the regulator granted), and in `Obligation.details`: `late_days` of a report filed late.
"""

import datetime
import os

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from auctions.rules import AuctionParams
from bidders.models import Membership
from bidders.roles import firm_of
from blocks import lifecycle as block_lifecycle
from blocks import rules as block_rules
from blocks import services as registry
from blocks.constants import INDIAN_STATES
from blocks.models import Block, Mineral
from blocks.rules import MineralFacts
from core import geo
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from core.selectors import closed_days
from licences import lifecycle, rules
from licences.el_selectors import licences_in_force_overlapping
from licences.models import AreaProposal, Licence, Obligation, Report
from licences.services import (
    ACTING_ROLES,
    licence_lock,
    licence_move,
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
# Where an EL may be acted on by its holder: from the grant until it ends.
EL_IN_FORCE = (Licence.Status.ACTIVE, Licence.Status.EXTENDED, Licence.Status.DISCOVERY_REPORTED)
# Where the sweeper expires an EL after its term. A licence whose discovery is reported keeps that status: a lease
# auctioned on its block finds it by it (`parent_el`), and it earns its share for the life of that lease.
EXPIRABLE = (Licence.Status.ACTIVE, Licence.Status.EXTENDED)
# UNFC stages from the least to the most explored; a geological report must establish a stage beyond the block's.
STAGE_ORDER = ("G4", "G3", "G2", "G1")
DISCOVERY_STAGES = ("G3", "G2", "G1")
PROPOSAL_STAGES = ("G4", "G3")
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
SUMMARY_MAX_CHARS = 20_000
RULE = "RULES.md s.4"


def exploration_url(licence: Licence) -> str:
    return f"/licences/{licence.pk}/exploration/"


def _d(value: datetime.date) -> str:
    return f"{value:%d %b %Y}"


def granted_on(licence: Licence) -> datetime.date | None:
    return licence.starts_on or licence.awarded_on


def term_ends(licence: Licence) -> datetime.date | None:
    """The last day the licence is in force: its extended expiry, else its expiry."""
    return licence.extended_to or licence.expires_on


# --- Who may act --------------------------------------------------------------------------------------------------


def _require_proposing_firm(actor):
    firm = firm_of(actor)
    if firm is None:
        raise PermissionDenied("Only members of a registered firm may propose an area. Register your firm first.")
    role = Membership.objects.filter(user=actor, firm=firm).values_list("role", flat=True).first()
    if role not in ACTING_ROLES:
        raise PermissionDenied(
            f"As a {role} of {firm.legal_name} you may follow its proposals but not make them; ask your firm's "
            "administrator for the bidder role."
        )
    return firm


def _lock_el(licence_id) -> Licence:
    try:
        licence = licence_lock(licence_id)
    except (Licence.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no licence {licence_id}.") from None
    if licence.kind != "EL":
        raise Conflict(f"{licence.number} is not an exploration licence; this act is for exploration licences only.")
    return licence


def _require_in_force(licence: Licence, what: str) -> None:
    if licence.status not in EL_IN_FORCE:
        if licence.status == Licence.Status.PREFERRED_BIDDER:
            raise Conflict(f"{licence.number} is not granted yet: {what} follows the grant.")
        raise Conflict(
            f"{licence.number} has ended ({licence.get_status_display().lower()}); {what} is no longer possible."
        )


# --- Input ------------------------------------------------------------------------------------------------------


def _text(value, field: str, label: str, *, required=True, limit=SUMMARY_MAX_CHARS) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ApplicationError(f"Write the {label}.", fields={field: [f"Write the {label}."]})
    if len(text) > limit:
        message = f"The {label} has {len(text):,} characters; at most {limit:,} are accepted. Attach the rest as a PDF."
        raise ApplicationError(message, fields={field: [message]})
    return text


def _date(value, field: str, label: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        message = f"Give {label} as a date, like 2032-03-31."
        raise ApplicationError(message, fields={field: [message]}) from None


def document_error(document) -> str | None:
    """A report's document: a PDF of at most 10 MB, checked by its content, not only its name."""
    name = os.path.basename(getattr(document, "name", "") or "document")
    if not name.lower().endswith(".pdf"):
        return f"{name} is not a PDF: only PDF files are accepted. Save the report as PDF and upload it again."
    size = getattr(document, "size", 0) or 0
    if not size:
        return f"{name} is empty; choose the file again."
    if size > DOCUMENT_MAX_BYTES:
        return f"{name} is {size / 1024 / 1024:.1f} MB; the limit is 10 MB. Reduce its resolution or split it."
    document.seek(0)
    head = document.read(5)
    document.seek(0)
    if head != b"%PDF-":
        return f"{name} is named as a PDF but its content is not PDF. Export it as PDF again."
    return None


class _StoredDocument:
    """Write an uploaded document (checked to be a PDF) before the short transaction, and remove it again if the act
    is refused or the transaction fails: `with _StoredDocument(file, stem) as stored, transaction.atomic(): ...`."""

    def __init__(self, document, stem: str):
        self.document, self.stem, self.name = document, stem, ""
        self.field = Report._meta.get_field("document")

    def __enter__(self):
        if self.document is not None:
            problem = document_error(self.document)
            if problem:
                raise ApplicationError(problem, fields={"document": [problem]})
            filename = self.field.generate_filename(None, f"{self.stem}.pdf")
            self.name = self.field.storage.save(filename, self.document)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and self.name:
            self.field.storage.delete(self.name)
        return False


def _precheck_holder(actor, licence_id) -> None:
    """Refuse who may not act before an uploaded document is written; the service checks again under the lock."""
    try:
        licence = Licence.objects.select_related("holder").get(pk=licence_id)
    except (Licence.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no licence {licence_id}.") from None
    require_holder(actor, licence)


def _earliest_open(licence: Licence, kind: str) -> Obligation | None:
    """The earliest report of `kind` still owed: pending, or marked missed but never filed."""
    return (
        licence.obligations.select_for_update()
        .filter(kind=kind, status__in=(ObStatus.PENDING, ObStatus.MISSED))
        .order_by("due_on", "id")
        .first()
    )


def _settle_met(obligation: Obligation, met_on: datetime.date) -> str:
    """Mark an EL obligation met; a late one is noted (EL reports carry no money penalty in RULES.md s.4)."""
    late_days = (met_on - obligation.due_on).days
    if late_days > 0:
        obligation.details = {**(obligation.details or {}), "late_days": late_days}
        obligation.save(update_fields=["details"])
    obligation_settle(obligation=obligation, status=ObStatus.MET, met_on=met_on)
    if late_days > 0:
        return f"{late_days} day(s) late: it was due on {_d(obligation.due_on)}."
    return f"On time: due on {_d(obligation.due_on)}."


# --- The grant --------------------------------------------------------------------------------------------------


def _mineral_facts(minerals) -> list[MineralFacts]:
    return [MineralFacts(m.name, m.part_d, m.seventh_schedule) for m in minerals]


def _seventh_schedule_names() -> list[str]:
    return list(Mineral.objects.filter(seventh_schedule=True).order_by("name").values_list("name", flat=True))


def _report_obligations(licence: Licence, granted: datetime.date, ends: datetime.date, params: AuctionParams):
    dates = rules.el_report_due_dates(granted, ends, params, closed=closed_days(start=granted))
    for number, due in enumerate(dates, start=1):
        obligation_add(
            licence=licence,
            kind=Kind.WORK_REPORT,
            title=f"Work-programme report for year {number}",
            due_on=due,
            basis=f"Every {params.el_report_interval_months} months from the grant on {_d(granted)}, until the "
            f"expiry on {_d(ends)} ({RULE}).",
            url=exploration_url(licence),
        )
    return dates


def _expiry_obligation(licence: Licence, ends: datetime.date, basis: str):
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
        minerals=_mineral_facts(licence.minerals.all()),
        params=params,
        eligible=_seventh_schedule_names(),
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
    transaction; `el_grant` calls it for today, the demo seed for a past date."""
    expires = rules.el_expiry(granted, params)
    relinquish_on = rules.el_relinquishment_due(granted, params, closed=closed_days(start=granted))
    holder = licence.holder
    licence_move(
        licence=licence,
        to=Licence.Status.ACTIVE,
        actor=actor,
        note=f"{note_prefix}Exploration licence granted on {_d(granted)} to {holder.legal_name} for "
        f"{params.el_term_years} years, to {_d(expires)} ({RULE}).",
        payload={**(payload or {}), "holder": holder.legal_name, "area_hectares": licence.area_hectares},
        awarded_on=granted,
        starts_on=granted,
        expires_on=expires,
    )
    reports = _report_obligations(licence, granted, expires, params)
    obligation_add(
        licence=licence,
        kind=Kind.RELINQUISHMENT,
        title="Relinquish to at most 25% of the original area",
        due_on=relinquish_on,
        basis=f"After the first {params.el_relinquishment_after_years} years from the grant on {_d(granted)}, "
        f"the holder keeps at most {params.el_retained_max_pct}% of the original "
        f"{licence.original_area_hectares} ha, with a report of reasons ({RULE}).",
        url=exploration_url(licence),
    )
    _expiry_obligation(
        licence,
        expires,
        f"{params.el_term_years} years from the grant on {_d(granted)}; extendable once by up to "
        f"{params.el_extension_max_years} years ({RULE}).",
    )
    return expires, relinquish_on, reports


def el_grant(*, actor, licence_id) -> Licence:
    """The regulator grants the EL to its preferred bidder, today: the term of 5 years starts, and the annual
    reports, the relinquishment at 3 years and the expiry become obligations with deadlines. The holder's
    eligibility (Indian, net worth) and the area and minerals are checked again, as on the day of the grant."""
    require_regulator(actor)
    with transaction.atomic():
        licence = _lock_el(licence_id)
        problem = lifecycle.transition_error(
            licence.kind, licence.status, Licence.Status.ACTIVE, dict(Licence.Status.choices)
        )
        if problem:
            raise Conflict(problem)
        params = params_of(licence)
        holder = licence.holder
        el_grant_check(licence, params)
        granted = today()
        expires, relinquish_on, reports = el_grant_record(licence=licence, granted=granted, params=params, actor=actor)
        notification_send(
            users=members_of(holder),
            title=f"{licence.number} is granted: exploration licence in force to {_d(expires)}",
            body=f"The exploration licence of {licence.block.code} is granted on {_d(granted)}. The first "
            f"work-programme report is due on {_d(reports[0])} and the relinquishment to at most "
            f"{params.el_retained_max_pct}% of the area on {_d(relinquish_on)}.",
            url=exploration_url(licence),
        )
    return licence


# --- The extension ----------------------------------------------------------------------------------------------


def el_extension_request(*, actor, licence_id, requested_to, reason: str) -> Licence:
    """The holder asks the regulator to extend the term (once, by up to 2 years): recorded and sent to the
    regulators, who decide with `el_extend`."""
    with transaction.atomic():
        licence = _lock_el(licence_id)
        require_holder(actor, licence)
        _require_in_force(licence, "an extension")
        requested_to = _date(requested_to, "requested_to", "the new expiry")
        reason = _text(reason, "reason", "reason for the extension", limit=2000)
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
            note=f"{licence.holder.legal_name} asks to extend the term to {_d(requested_to)}: {reason}",
            payload={"requested_to": requested_to.isoformat()},
        )
        notification_send(
            users=regulators(),
            title=f"{licence.number}: extension requested to {_d(requested_to)}",
            body=f"{licence.holder.legal_name} asks to extend its exploration licence to {_d(requested_to)}: {reason}",
            url=exploration_url(licence),
        )
    return licence


def _extension_problem(licence: Licence, requested_to: datetime.date) -> str | None:
    return rules.el_extension_error(
        granted_on=granted_on(licence),
        expires_on=term_ends(licence),
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
        licence = _lock_el(licence_id)
        if licence.status == Licence.Status.EXTENDED or licence.extended_to is not None:
            raise Conflict(
                f"{licence.number} was already extended, to {_d(term_ends(licence))}; an exploration licence can "
                "be extended only once."
            )
        _require_in_force(licence, "an extension")
        extended_to = _date(extended_to, "extended_to", "the new expiry")
        note = _text(note, "note", "note", required=False, limit=2000)
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
            note=f"Term extended from {_d(before)} to {_d(extended_to)} ({RULE}: once, by up to "
            f"{params.el_extension_max_years} years)." + (f" {note}" if note else ""),
            payload={"expires_on": before.isoformat(), "on_request": bool(request)},
            extended_to=extended_to,
        )
        for old in licence.obligations.select_for_update().filter(kind=Kind.EXPIRY, status=ObStatus.PENDING):
            obligation_settle(obligation=old, status=ObStatus.WAIVED)
        _expiry_obligation(
            licence,
            extended_to,
            f"Extended on {_d(today())} from {_d(before)} to {_d(extended_to)}: once, by up to "
            f"{params.el_extension_max_years} years beyond the original expiry ({RULE}).",
        )
        _report_obligations(licence, granted, extended_to, params)
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number} is extended to {_d(extended_to)}",
            body=f"The exploration licence's term now ends on {_d(extended_to)} instead of {_d(before)}. The "
            "work-programme reports of the extra years are added to your deadlines.",
            url=exploration_url(licence),
        )
    return licence


# --- Reports ------------------------------------------------------------------------------------------------------


def el_report_file(*, actor, licence_id, summary: str, document=None) -> Report:
    """The holder files its annual work-programme report: it meets the earliest report still owed. A report's year
    opens on the previous report's due date (the grant for the first), so one report cannot stand for two years."""
    _precheck_holder(actor, licence_id)
    with _StoredDocument(document, f"licence-{licence_id}-work-report") as stored, transaction.atomic():
        licence = _lock_el(licence_id)
        require_holder(actor, licence)
        _require_in_force(licence, "a work-programme report")
        summary = _text(summary, "summary", "summary of the work done")
        obligation = _earliest_open(licence, Kind.WORK_REPORT)
        if obligation is None:
            raise Conflict(f"No work-programme report of {licence.number} is owed: every report due is filed.")
        previous = (
            licence.obligations.filter(kind=Kind.WORK_REPORT, due_on__lt=obligation.due_on)
            .order_by("-due_on")
            .values_list("due_on", flat=True)
            .first()
        )
        opens_on = previous or granted_on(licence)
        on = today()
        if opens_on and on < opens_on:
            message = (
                f"The report due on {_d(obligation.due_on)} covers the year from {_d(opens_on)}; it can be filed "
                f"from that day."
            )
            raise ApplicationError(message, fields={"summary": [message]}, code="too_early")
        report = Report.objects.create(
            licence=licence,
            kind=Report.Kind.WORK_PROGRAMME,
            obligation=obligation,
            summary=summary,
            document=stored.name,
            submitted_by=actor,
        )
        timing = _settle_met(obligation, on)
        licence_record(
            licence=licence,
            kind="work_report_filed",
            actor=actor,
            note=f"{obligation.title} filed on {_d(on)}. {timing}",
            payload={"report": report.pk, "due_on": obligation.due_on.isoformat(), "document": bool(stored.name)},
        )
    return report


# --- Relinquishment ---------------------------------------------------------------------------------------------


def relinquishment_opens(licence: Licence) -> datetime.date | None:
    granted = granted_on(licence)
    return rules.el_relinquishment_due(granted, params_of(licence)) if granted else None


def el_relinquish(*, actor, licence_id, retained_boundary, summary: str, document=None) -> Report:
    """The holder relinquishes, from 3 years after the grant until the licence ends, keeping the polygon(s) it
    gives: they must lie inside the original boundary and total at most 25% of its area (`rules.retention_check`).
    The licence's boundary and area become the retained ones; the original stays as it was."""
    _precheck_holder(actor, licence_id)
    with _StoredDocument(document, f"licence-{licence_id}-relinquishment") as stored, transaction.atomic():
        licence = _lock_el(licence_id)
        require_holder(actor, licence)
        _require_in_force(licence, "a relinquishment")
        on = today()
        opens = relinquishment_opens(licence)
        if opens is None or on < opens:
            when = _d(opens) if opens else "three years after the grant"
            message = (
                f"Relinquishment opens on {when}, {params_of(licence).el_relinquishment_after_years} years after "
                f"the grant ({RULE}); until then the licence keeps its whole area."
            )
            raise ApplicationError(message, fields={"retained_boundary": [message]}, code="too_early")
        done = licence.reports.filter(kind=Report.Kind.RELINQUISHMENT).order_by("-submitted_at").first()
        if done is not None:
            raise Conflict(
                f"{licence.number} was already relinquished on {timezone.localdate(done.submitted_at):%d %b %Y}, "
                f"to {done.retained_area_hectares} ha."
            )
        summary = _text(summary, "summary", "report of reasons for the area kept")
        if retained_boundary in (None, "", {}, []):
            message = "Draw the area you keep on the map, or paste or upload it as GeoJSON."
            raise ApplicationError(message, fields={"retained_boundary": [message]})
        try:
            geo.parse_boundary(retained_boundary)
        except geo.BoundaryError as exc:
            raise ApplicationError(
                f"The retained area cannot be read: {exc}", fields={"retained_boundary": [str(exc)]}
            ) from exc
        params = params_of(licence)
        result = rules.retention_check(licence.original_boundary, retained_boundary, params)
        if not result.ok:
            raise ApplicationError(
                f"The relinquishment was not accepted: {' '.join(result.errors)}",
                fields={"retained_boundary": result.errors},
                code="retention_refused",
            )
        obligation = _earliest_open(licence, Kind.RELINQUISHMENT)
        area_before = licence.area_hectares
        licence.boundary = result.retained_geojson
        licence.area_hectares = result.retained_area_hectares
        licence.save(update_fields=["boundary", "area_hectares", "updated_at"])
        report = Report.objects.create(
            licence=licence,
            kind=Report.Kind.RELINQUISHMENT,
            obligation=obligation,
            summary=summary,
            document=stored.name,
            retained_boundary=result.retained_geojson,
            retained_area_hectares=result.retained_area_hectares,
            submitted_by=actor,
        )
        timing = _settle_met(obligation, on) if obligation else "No relinquishment obligation was registered."
        licence_record(
            licence=licence,
            kind="relinquished",
            actor=actor,
            note=f"Relinquished on {_d(on)}: keeps {result.retained_area_hectares} ha, {result.retained_pct}% "
            f"of the original {result.original_area_hectares} ha (at most {params.el_retained_max_pct}%, "
            f"{RULE}). {timing}",
            payload={
                "report": report.pk,
                "original_area_hectares": result.original_area_hectares,
                "area_before_hectares": area_before,
                "retained_area_hectares": result.retained_area_hectares,
                "retained_pct": result.retained_pct,
                "retained_boundary": result.retained_geojson,
                "late": bool(obligation and on > obligation.due_on),
            },
        )
        notification_send(
            users=regulators(),
            title=f"{licence.number} relinquished to {result.retained_area_hectares} ha ({result.retained_pct}%)",
            body=f"{licence.holder.legal_name} keeps {result.retained_pct}% of the original area of "
            f"{licence.block.code}, with its report of reasons.",
            url=exploration_url(licence),
        )
    return report


# --- Discovery --------------------------------------------------------------------------------------------------


def el_discovery_report(*, actor, licence_id, stage_reached: str, summary: str, document=None) -> Report:
    """The holder's geological report establishes resources at a new stage: the licence records it, and its block
    returns to the registry at that stage for an ML (G2, G1) or CL (G3) auction, which the State must hold within
    the set period (an obligation on the licence: the State's duty, on the holder's list of deadlines)."""
    _precheck_holder(actor, licence_id)
    with _StoredDocument(document, f"licence-{licence_id}-geological-report") as stored, transaction.atomic():
        licence = _lock_el(licence_id)
        require_holder(actor, licence)
        problem = lifecycle.transition_error(
            licence.kind, licence.status, Licence.Status.DISCOVERY_REPORTED, dict(Licence.Status.choices)
        )
        if problem:
            raise Conflict(problem)
        stage = str(stage_reached or "").strip().upper()
        block = Block.objects.select_for_update().get(pk=licence.block_id)
        if stage not in DISCOVERY_STAGES:
            message = "Give the stage the exploration reached: G3 (prospecting), G2 (general) or G1 (detailed)."
            raise ApplicationError(message, fields={"stage_reached": [message]})
        if block.exploration_stage in STAGE_ORDER and STAGE_ORDER.index(stage) <= STAGE_ORDER.index(
            block.exploration_stage
        ):
            message = (
                f"Block {block.code} is already at {block.exploration_stage}; a geological report of a discovery "
                f"must establish a more advanced stage than that."
            )
            raise ApplicationError(message, fields={"stage_reached": [message]})
        summary = _text(summary, "summary", "summary of the geological report")
        params = params_of(licence)
        on = today()
        due = rules.discovery_auction_due(on, params)
        lease = block_rules.lease_kind(stage)
        lease_name = "mining lease" if lease == block_rules.ML else "composite licence"
        report = Report.objects.create(
            licence=licence,
            kind=Report.Kind.GEOLOGICAL,
            summary=summary,
            document=stored.name,
            stage_reached=stage,
            submitted_by=actor,
        )
        licence_move(
            licence=licence,
            to=Licence.Status.DISCOVERY_REPORTED,
            actor=actor,
            note=f"Geological report of {_d(on)}: exploration reached {stage}. Block {block.code} goes back to "
            f"the registry for a {lease_name} auction, due by {_d(due)} ({RULE}).",
            payload={
                "report": report.pk,
                "stage_reached": stage,
                "lease_kind": lease,
                "auction_due": due.isoformat(),
            },
        )
        outcome = f"Geological report under {licence.number} ({_d(on)}): {stage}; {lease} auction due by {_d(due)}."
        # The registry's own update: the stage and lease kind are recomputed there. The block takes the area the
        # licence holds now (after any relinquishment), checked for overlap like any other boundary, unless its
        # surveyed land split would no longer fit in it: then the regulator redraws both before the auction.
        changes = {"exploration_stage": stage, "published_outcome": outcome[:200]}
        redraw = ""
        if licence.boundary != block.boundary:
            land = block.forest_land_ha + block.government_land_ha + block.other_land_ha
            if land <= licence.area_hectares:
                changes["boundary"] = licence.boundary
            else:
                redraw = (
                    f" Its boundary is still the original one: update it to the {licence.area_hectares} ha the "
                    "licence kept, with its land split, before notifying the auction."
                )
        registry.block_update(actor=actor, block=block, **changes)
        block_lifecycle.block_move(block_id=block.pk, to=Block.Status.IDENTIFIED, reason=outcome)
        obligation_add(
            licence=licence,
            kind=Kind.DISCOVERY_AUCTION,
            title=f"The State's duty: auction a {lease_name} for {block.code}",
            due_on=due,
            basis=f"Within {params.el_discovery_auction_months} months of the geological report of {_d(on)}, the "
            f"State auctions an ML or CL for the block, else the Centre may ({RULE}). The holder then earns "
            f"{licence.winning_offer_pct}% of every premium payment of that lease.",
            url=exploration_url(licence),
        )
        notification_send(
            users=regulators(),
            title=f"Discovery under {licence.number}: auction a {lease_name} for {block.code} by {_d(due)}",
            body=f"{licence.holder.legal_name} reports exploration at {stage} on {block.code}. The block is back in "
            f"the registry (identified) for a {lease_name} auction within {params.el_discovery_auction_months} "
            f"months.{redraw}",
            url=exploration_url(licence),
        )
    return report


# --- Expiry -------------------------------------------------------------------------------------------------------


def el_expire(*, licence_id) -> bool:
    """Expire an EL whose term has run (the day after its expiry, or extended expiry): its expiry obligation is
    met, the reports and relinquishment it still owed are missed. False (and nothing done) when it is not due or
    already ended: safe to call twice."""
    with transaction.atomic():
        try:
            licence = licence_lock(licence_id)
        except (Licence.DoesNotExist, ValueError, TypeError):
            return False
        ends = term_ends(licence)
        if licence.kind != "EL" or licence.status not in EXPIRABLE or ends is None or ends >= today():
            return False
        licence_move(
            licence=licence,
            to=Licence.Status.EXPIRED,
            note=f"The term ended on {_d(ends)} ({RULE}).",
            ended_on=ends,
        )
        _close_obligations(licence, ends)
        notification_send(
            users=members_of(licence.holder),
            title=f"{licence.number} has expired",
            body=f"The exploration licence's term ended on {_d(ends)}.",
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
        Licence.objects.filter(kind="EL", status__in=EXPIRABLE)
        .filter(
            Q(extended_to__isnull=True, expires_on__lt=on) | Q(extended_to__lt=on),
        )
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


# --- Area proposals ---------------------------------------------------------------------------------------------


def _proposal_minerals(slugs, errors) -> list[Mineral]:
    if isinstance(slugs, str):
        slugs = slugs.replace(";", ",").split(",")
    slugs = list(dict.fromkeys(str(s).strip().lower() for s in (slugs or []) if str(s).strip()))
    found = {m.slug: m for m in Mineral.objects.filter(slug__in=slugs)}
    unknown = [s for s in slugs if s not in found]
    if unknown:
        errors.setdefault("minerals", []).append(
            f"Unknown mineral(s): {', '.join(unknown)}. Use the slugs listed at /api/v1/public/minerals."
        )
    return [found[s] for s in slugs if s in found]


def _overlap_error(boundary: geo.Boundary):
    """What the area overlaps: an active block of the registry (its own check), or a licence in force."""
    try:
        registry.check_overlap(boundary)  # the registry's rule for blocks, not a copy of it
    except ApplicationError as error:
        other = error.fields.get("boundary", [error.message])[0]
        return f"{other} Propose an area that shares no ground with registered blocks."
    for licence in licences_in_force_overlapping(boundary):
        return (
            f"Overlaps {licence.get_kind_display().lower()} {licence.number} of {licence.holder.legal_name}, in "
            f"force. Propose an area that shares no ground with it."
        )
    return None


def area_proposal_create(*, actor, title: str, state: str, minerals, boundary, district: str = "",
                         rationale: str = "") -> AreaProposal:  # fmt: skip
    """A firm proposes an area for an EL auction: its boundary must be a valid polygon in India, at most
    1,000 km², of Seventh Schedule minerals only, sharing no ground with a registered block or a licence in force.
    It then waits in the regulators' queue."""
    firm = _require_proposing_firm(actor)
    errors: dict[str, list[str]] = {}
    title = str(title or "").strip()
    if not title:
        errors.setdefault("title", []).append("Give the area a name, e.g. the village or hill it lies by.")
    elif len(title) > 200:
        errors.setdefault("title", []).append(f"At most 200 characters; this has {len(title)}.")
    state = str(state or "").strip()
    if state not in INDIAN_STATES:
        errors.setdefault("state", []).append(
            f"{state or 'Nothing'} is not a State or Union Territory of India; use its full name, e.g. Odisha."
        )
    district = str(district or "").strip()
    if len(district) > 100:
        errors.setdefault("district", []).append(f"At most 100 characters; this has {len(district)}.")
    rationale = str(rationale or "").strip()
    if len(rationale) > SUMMARY_MAX_CHARS:
        errors.setdefault("rationale", []).append(f"At most {SUMMARY_MAX_CHARS:,} characters.")
    chosen = _proposal_minerals(minerals, errors)
    parsed = None
    if boundary in (None, "", {}, []):
        errors.setdefault("boundary", []).append("Draw the area on the map, or paste or upload it as GeoJSON.")
    else:
        try:
            parsed = geo.parse_boundary(boundary)
        except geo.BoundaryError as exc:
            errors.setdefault("boundary", []).append(str(exc))
    # The parameters in force for new EL areas: the defaults of the Rules (a proposal belongs to no tranche yet).
    params = AuctionParams()
    facts = _mineral_facts(chosen)
    eligible = _seventh_schedule_names()
    # The rule's messages about the minerals alone (an area of nothing breaks no limit), then those about the area.
    mineral_errors = rules.el_application_errors(area_hectares=0, minerals=facts, params=params, eligible=eligible)
    if mineral_errors and not errors.get("minerals"):
        errors["minerals"] = mineral_errors
    if parsed is not None:
        everything = rules.el_application_errors(
            area_hectares=parsed.area_hectares, minerals=facts, params=params, eligible=eligible
        )
        area_errors = [e for e in everything if e not in mineral_errors]
        if area_errors:
            errors.setdefault("boundary", []).extend(area_errors)
        else:
            overlap = _overlap_error(parsed)
            if overlap:
                errors.setdefault("boundary", []).append(overlap)
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        first = next(iter(errors.values()))[0]
        more = " (and more below)" if sum(len(v) for v in errors.values()) > 1 else ""
        raise ApplicationError(f"The proposal was not submitted: {first}{more}", fields=errors)
    with transaction.atomic():
        proposal = AreaProposal.objects.create(
            firm=firm,
            title=title,
            state=state,
            district=district,
            boundary=parsed.geojson,
            area_hectares=parsed.area_hectares,
            rationale=rationale,
            submitted_by=actor,
        )
        proposal.minerals.set(chosen)
        notification_send(
            users=regulators(),
            title=f"Area proposed for an exploration licence auction: {title} ({state})",
            body=f"{firm.legal_name} proposes {parsed.area_km2} km² for {', '.join(m.name for m in chosen)}.",
            url=f"/regulator/proposals/{proposal.pk}/",
        )
    return proposal


def _lock_proposal(proposal_id) -> AreaProposal:
    try:
        proposal = AreaProposal.objects.select_for_update(of=("self",)).select_related("firm").get(pk=proposal_id)
    except (AreaProposal.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no area proposal {proposal_id}.") from None
    if proposal.status != AreaProposal.Status.SUBMITTED:
        raise Conflict(f"The proposal “{proposal.title}” was already decided: {proposal.get_status_display()}.")
    return proposal


def suggested_block_code(proposal: AreaProposal) -> str:
    return f"ELP-{proposal.submitted_at:%Y}-{proposal.pk:04d}"


def area_proposal_accept(*, actor, proposal_id, exploration_stage: str, code: str = "",
                         name: str = "") -> AreaProposal:  # fmt: skip
    """The regulator accepts a proposal: the area becomes a block in the registry (identified, at the stage the
    regulator sets, G4 or G3, and EL-eligible by its minerals), through the registry's own `block_create`, which
    checks the boundary for overlap again. The firm is told."""
    require_regulator(actor)
    stage = str(exploration_stage or "").strip().upper()
    if stage not in PROPOSAL_STAGES:
        message = "An exploration licence is auctioned at G4 (reconnaissance) or G3 (prospecting): choose one."
        raise ApplicationError(message, fields={"exploration_stage": [message]})
    with transaction.atomic():
        proposal = _lock_proposal(proposal_id)
        code = str(code or "").strip() or suggested_block_code(proposal)
        block = registry.block_create(
            actor=actor,
            code=code,
            name=str(name or "").strip() or proposal.title,
            state=proposal.state,
            district=proposal.district,
            minerals=list(proposal.minerals.values_list("slug", flat=True)),
            exploration_stage=stage,
            boundary=proposal.boundary,
        )
        proposal.status = AreaProposal.Status.ACCEPTED
        proposal.block = block
        proposal.decided_by = actor
        proposal.decided_at = timezone.now()
        proposal.decision_note = f"Registered as block {block.code} at {stage}."
        proposal.save(update_fields=["status", "block", "decided_by", "decided_at", "decision_note"])
        notification_send(
            users=members_of(proposal.firm),
            title=f"Your proposed area “{proposal.title}” is accepted: block {block.code}",
            body=f"The area is registered as block {block.code} at {stage}, eligible for an exploration licence "
            "auction. It will be offered when the State notifies a tranche.",
            url="/firm/proposals/",
        )
    return proposal


def area_proposal_reject(*, actor, proposal_id, reason: str) -> AreaProposal:
    """The regulator rejects a proposal with a reason the firm reads."""
    require_regulator(actor)
    reason = str(reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Give the reason for the rejection: the firm reads it.", fields={"reason": ["Give the reason."]}
        )
    if len(reason) > 300:
        message = f"At most 300 characters; this has {len(reason)}."
        raise ApplicationError(message, fields={"reason": [message]})
    with transaction.atomic():
        proposal = _lock_proposal(proposal_id)
        proposal.status = AreaProposal.Status.REJECTED
        proposal.decided_by = actor
        proposal.decided_at = timezone.now()
        proposal.decision_note = reason
        proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        notification_send(
            users=members_of(proposal.firm),
            title=f"Your proposed area “{proposal.title}” is rejected",
            body=reason,
            url="/firm/proposals/",
        )
    return proposal
