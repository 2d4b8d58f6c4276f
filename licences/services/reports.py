"""What an exploration licence's holder files (RULES.md s.4): the annual work-programme report, the relinquishment to
at most 25% of the original area after 3 years (with its report of reasons), and the geological report of a
discovery, which sends the block back to the registry for an ML or CL auction. Each may carry a PDF, written
before the short transaction and removed again if the act is refused.

A report filed late keeps its `late_days` in `Obligation.details`."""

import datetime
import os

from django.db import transaction
from django.utils import timezone

from blocks import lifecycle as block_lifecycle
from blocks import rules as block_rules
from blocks import services as registry
from blocks.models import Block
from core import geo
from core.errors import ApplicationError, Conflict, NotFound
from licences import lifecycle, rules
from licences.models import Licence, Obligation, Report
from licences.selectors.common import params_of, today
from licences.services.exploration import granted_on
from licences.services.guards import (
    RULE,
    el_date_input,
    el_day,
    exploration_url,
    lock_el,
    require_in_force,
    text_input,
)
from licences.services.records import (
    licence_move,
    licence_record,
    obligation_add,
    obligation_settle,
    regulators,
    require_holder,
)
from notifications.services import notification_send

Kind = Obligation.Kind
ObStatus = Obligation.Status


DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


# UNFC stages from the least to the most explored; a geological report must establish a stage beyond the block's.
STAGE_ORDER = ("G4", "G3", "G2", "G1")


DISCOVERY_STAGES = ("G3", "G2", "G1")


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


def settle_met(obligation: Obligation, met_on: datetime.date) -> str:
    """Mark an EL obligation met; a late one is noted (EL reports carry no money penalty in RULES.md s.4)."""
    late_days = (met_on - obligation.due_on).days
    if late_days > 0:
        obligation.details = {**(obligation.details or {}), "late_days": late_days}
        obligation.save(update_fields=["details"])
    obligation_settle(obligation=obligation, status=ObStatus.MET, met_on=met_on)
    if late_days > 0:
        return f"{late_days} day(s) late: it was due on {el_day(obligation.due_on)}."
    return f"On time: due on {el_day(obligation.due_on)}."


def el_report_file(*, actor, licence_id, summary: str, document=None, filed_on=None) -> Report:
    """The holder files its annual work-programme report: it meets the earliest report still owed. A report's year
    opens on the previous report's due date (the grant for the first), so one report cannot stand for two years.
    `filed_on`: a past day instead of today (the record of a report filed then, as the demo seeds it)."""
    _precheck_holder(actor, licence_id)
    with _StoredDocument(document, f"licence-{licence_id}-work-report") as stored, transaction.atomic():
        licence = lock_el(licence_id)
        require_holder(actor, licence)
        require_in_force(licence, "a work-programme report")
        summary = text_input(summary, "summary", "summary of the work done")
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
        on = today() if filed_on in (None, "") else el_date_input(filed_on, "filed_on", "the filing date")
        if on > today():
            message = f"The filing date {el_day(on)} is in the future; give today or a day before."
            raise ApplicationError(message, fields={"filed_on": [message]})
        if opens_on and on < opens_on:
            message = (
                f"The report due on {el_day(obligation.due_on)} covers the year from {el_day(opens_on)}; it can be "
                "filed from that day."
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
        timing = settle_met(obligation, on)
        licence_record(
            licence=licence,
            kind="work_report_filed",
            actor=actor,
            note=f"{obligation.title} filed on {el_day(on)}. {timing}",
            payload={"report": report.pk, "due_on": obligation.due_on.isoformat(), "document": bool(stored.name)},
        )
    return report


def relinquishment_opens(licence: Licence) -> datetime.date | None:
    granted = granted_on(licence)
    return rules.el_relinquishment_due(granted, params_of(licence)) if granted else None


def el_relinquish(*, actor, licence_id, retained_boundary, summary: str, document=None) -> Report:
    """The holder relinquishes, from 3 years after the grant until the licence ends, keeping the polygon(s) it
    gives: they must lie inside the original boundary and total at most 25% of its area (`rules.retention_check`).
    The licence's boundary and area become the retained ones; the original stays as it was."""
    _precheck_holder(actor, licence_id)
    with _StoredDocument(document, f"licence-{licence_id}-relinquishment") as stored, transaction.atomic():
        licence = lock_el(licence_id)
        require_holder(actor, licence)
        require_in_force(licence, "a relinquishment")
        on = today()
        opens = relinquishment_opens(licence)
        if opens is None or on < opens:
            when = el_day(opens) if opens else "three years after the grant"
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
        summary = text_input(summary, "summary", "report of reasons for the area kept")
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
        timing = settle_met(obligation, on) if obligation else "No relinquishment obligation was registered."
        licence_record(
            licence=licence,
            kind="relinquished",
            actor=actor,
            note=f"Relinquished on {el_day(on)}: keeps {result.retained_area_hectares} ha, {result.retained_pct}% "
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


def el_discovery_report(*, actor, licence_id, stage_reached: str, summary: str, document=None) -> Report:
    """The holder's geological report establishes resources at a new stage: the licence records it, and its block
    returns to the registry at that stage for an ML (G2, G1) or CL (G3) auction, which the State must hold within
    the set period (an obligation on the licence: the State's duty, on the holder's list of deadlines)."""
    _precheck_holder(actor, licence_id)
    with _StoredDocument(document, f"licence-{licence_id}-geological-report") as stored, transaction.atomic():
        licence = lock_el(licence_id)
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
        summary = text_input(summary, "summary", "summary of the geological report")
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
            note=f"Geological report of {el_day(on)}: exploration reached {stage}. Block {block.code} goes back to "
            f"the registry for a {lease_name} auction, due by {el_day(due)} ({RULE}).",
            payload={
                "report": report.pk,
                "stage_reached": stage,
                "lease_kind": lease,
                "auction_due": due.isoformat(),
            },
        )
        outcome = (
            f"Geological report under {licence.number} ({el_day(on)}): {stage}; {lease} auction due by {el_day(due)}."
        )
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
            basis=f"Within {params.el_discovery_auction_months} months of the geological report of {el_day(on)}, the "
            f"State auctions an ML or CL for the block, else the Centre may ({RULE}). The holder then earns "
            f"{licence.winning_offer_pct}% of every premium payment of that lease.",
            url=exploration_url(licence),
        )
        notification_send(
            users=regulators(),
            title=f"Discovery under {licence.number}: auction a {lease_name} for {block.code} by {el_day(due)}",
            body=f"{licence.holder.legal_name} reports exploration at {stage} on {block.code}. The block is back in "
            f"the registry (identified) for a {lease_name} auction within {params.el_discovery_auction_months} "
            f"months.{redraw}",
            url=exploration_url(licence),
        )
    return report
