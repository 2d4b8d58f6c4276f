"""Firms' proposals of areas for exploration licence auctions (RULES.md s.4): a firm proposes a boundary of Seventh
Schedule minerals; the regulator accepts it (a block in the registry, through the registry's own `block_create`)
or rejects it with a reason."""

from django.db import transaction
from django.utils import timezone

from auctions.rules import AuctionParams
from bidders.models import Membership
from bidders.roles import firm_of
from bidders.rules import may_act
from blocks import services as registry
from blocks.constants import INDIAN_STATES
from blocks.models import Mineral
from core import geo
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from licences import rules
from licences.models import AreaProposal, Obligation
from licences.selectors.exploration import licences_in_force_overlapping
from licences.services.guards import (
    SUMMARY_MAX_CHARS,
    mineral_facts,
    seventh_schedule_names,
)
from licences.services.records import (
    members_of,
    regulators,
    require_regulator,
)
from notifications.services import notification_send

Kind = Obligation.Kind
ObStatus = Obligation.Status


PROPOSAL_STAGES = ("G4", "G3")


def _require_proposing_firm(actor):
    firm = firm_of(actor)
    if firm is None:
        raise PermissionDenied("Only members of a registered firm may propose an area. Register your firm first.")
    role = Membership.objects.filter(user=actor, firm=firm).values_list("role", flat=True).first()
    if not may_act(role):
        raise PermissionDenied(
            f"As a {role} of {firm.legal_name} you may follow its proposals but not make them; ask your firm's "
            "administrator for the bidder role."
        )
    return firm


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
    facts = mineral_facts(chosen)
    eligible = seventh_schedule_names()
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
