"""Questions the licence register asks of apps above it, answered by callables those apps register at start-up
(`AppConfig.ready`), so that `licences` never imports them (docs/architecture.md, the direction of imports).

- Execution blockers: `licence_execute` asks each registered callable `blocker(licence) -> list[str]` what still
  stands in the way of the deed (e.g. "forest clearance Stage II (no case filed)"), and refuses the execution
  naming all of it. `clearances` registers one: every case the lease needs that gates execution.
- Milestone keepers: `obligation_mark_met` asks each `keeper(licence, obligation_kind) -> str | None` whether a
  milestone is met through another record (a clearance case whose decision meets it), and if so refuses the tick
  by hand with the keeper's message (no second tick by hand).

Registration is idempotent (a second `ready()`, as in tests, adds nothing twice).
"""

from collections.abc import Callable

ExecutionBlocker = Callable[[object], list[str]]
MilestoneKeeper = Callable[[object, str], str | None]

_execution_blockers: list[ExecutionBlocker] = []
_milestone_keepers: list[MilestoneKeeper] = []


def register_execution_blocker(blocker: ExecutionBlocker) -> None:
    if blocker not in _execution_blockers:
        _execution_blockers.append(blocker)


def register_milestone_keeper(keeper: MilestoneKeeper) -> None:
    if keeper not in _milestone_keepers:
        _milestone_keepers.append(keeper)


def execution_blockers(licence) -> list[str]:
    """What the registered apps say still blocks the execution of `licence`'s deed (empty: nothing)."""
    return [problem for blocker in _execution_blockers for problem in blocker(licence)]


def milestone_keeper(licence, kind: str) -> str | None:
    """Why the milestone `kind` of `licence` is not ticked by hand, or None when it may be."""
    for keeper in _milestone_keepers:
        message = keeper(licence, kind)
        if message:
            return message
    return None
