"""Shaped reads of firms' area proposals: a firm's own, the regulators' queue, one proposal."""

from django.db.models import QuerySet

from bidders.roles import is_regulator
from core.errors import NotFound
from licences.models import AreaProposal


def _proposals() -> QuerySet[AreaProposal]:
    return AreaProposal.objects.select_related("firm", "block", "submitted_by", "decided_by").prefetch_related(
        "minerals"
    )


def firm_proposals(*, firm) -> QuerySet[AreaProposal]:
    return _proposals().filter(firm=firm).order_by("-submitted_at", "-id")


def proposal_queue(*, status: str | None = AreaProposal.Status.SUBMITTED) -> QuerySet[AreaProposal]:
    rows = _proposals()
    if status:
        rows = rows.filter(status=status)
    # The oldest waiting first: a queue.
    return rows.order_by("submitted_at", "id")


def proposal_get(*, proposal_id) -> AreaProposal:
    try:
        return _proposals().get(pk=proposal_id)
    except (AreaProposal.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no area proposal {proposal_id}.") from None


def proposals_for(*, user, firm) -> QuerySet[AreaProposal]:
    """What the API lists: every proposal for a regulator, the firm's own for its members."""
    if is_regulator(user):
        return _proposals().order_by("-submitted_at", "-id")
    return firm_proposals(firm=firm)
