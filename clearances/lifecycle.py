"""The allowed moves of a clearance case's status (ARCHITECTURE.md: filed -> in_progress -> decided | withdrawn),
and the one function that makes them: a conditional UPDATE from the statuses the table allows.

The ledger entry of each move is written by the service that makes it (it knows the act: a decision, a withdrawal,
a silence effect), in the same transaction. A move to the status the case already has changes nothing and returns
False; a move the table does not allow raises Conflict naming what the case can do. After the decision, the outcome
may still change once: a granted forest Stage I to revoked (`outcome_move`).
"""

from django.db import transaction

from clearances.models import Case
from core.errors import Conflict

FILED = Case.Status.FILED
IN_PROGRESS = Case.Status.IN_PROGRESS
DECIDED = Case.Status.DECIDED
WITHDRAWN = Case.Status.WITHDRAWN

# from -> {to: the action, as a refusal names it}
MOVES: dict[str, dict[str, str]] = {
    FILED: {IN_PROGRESS: "take it up", DECIDED: "decide it", WITHDRAWN: "withdraw it"},
    IN_PROGRESS: {DECIDED: "decide it", WITHDRAWN: "withdraw it"},
    DECIDED: {},
    WITHDRAWN: {},
}
# Outcome changes after the decision: from -> to.
OUTCOME_MOVES = {Case.Outcome.GRANTED: {Case.Outcome.REVOKED}}


def move_error(status: str, to: str) -> str | None:
    if status == to or to in MOVES.get(status, {}):
        return None
    label = Case.Status(status).label.lower()
    options = "; ".join(f"{action} ({Case.Status(target).label.lower()})" for target, action in MOVES[status].items())
    return f"A case that is {label} cannot become {Case.Status(to).label.lower()}" + (
        f". It can: {options}." if options else "."
    )


def case_move(*, case: Case, to: str, **fields) -> bool:
    """Move `case` to `to` (setting `fields`) in the caller's transaction. False when it already had that status."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case_move must run inside the transaction of the change")
    if case.status == to:
        return False
    problem = move_error(case.status, to)
    if problem:
        raise Conflict(problem)
    moved = Case.objects.filter(pk=case.pk, status=case.status).update(status=to, **fields)
    if moved != 1:
        raise Conflict("The case changed meanwhile; reload it.")
    case.status = to
    for name, value in fields.items():
        setattr(case, name, value)
    return True


def outcome_move(*, case: Case, to: str) -> bool:
    """Change a decided case's outcome (granted -> revoked); False when it already has it."""
    if case.outcome == to:
        return False
    if to not in OUTCOME_MOVES.get(case.outcome, ()):
        raise Conflict(f"A case {case.get_outcome_display().lower()} cannot become {Case.Outcome(to).label.lower()}.")
    moved = Case.objects.filter(pk=case.pk, status=DECIDED, outcome=case.outcome).update(outcome=to)
    if moved != 1:
        raise Conflict("The case changed meanwhile; reload it.")
    case.outcome = to
    return True
