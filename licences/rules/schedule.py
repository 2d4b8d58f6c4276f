"""The schedule after the Letter of Intent: milestones, their delay penalties, and the grounds of a revocation for
default (RULES.md s.3 items 12 and 13)."""

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from auctions.rules import CL, ML, AuctionParams
from core.dates import NO_CLOSED_DAYS
from core.money import HUNDRED, format_inr, inr, to_decimal
from licences.rules.terms import TERMS, TermKind, fmt_moved
from licences.rules.wording import fmt_day, fmt_pct

RULE_45_DAYS = "RULES.md s.3 item 12"
RULE_MILESTONES = "RULES.md s.3 item 13"
# What the preferred bidder owes within 45 days of being declared (RULES.md s.3 item 12): Obligation.Kind values.
FIRST_DUES = ("upfront_1", "performance_security")
# Dues whose lateness is not a default of the preferred bidder: a lease's premium (it has interest) and its expiry.
NOT_GROUNDS = ("premium", "expiry")


@dataclass(frozen=True)
class Milestone:
    kind: str  # an Obligation.Kind value
    due_on: date
    basis: str


def milestones(
    lease_kind: str, loi_on: date, params: AuctionParams, *, closed: Container[date] = NO_CLOSED_DAYS
) -> list[Milestone]:
    """The milestones of an ML or CL after its Letter of Intent, each counted from the LoI date.

    ML: mining plan approved within 6 months; environment clearance 18 months after that (LoI + 24 months);
    the lease executed 12 months after that (LoI + 36 months), which is also when the development agreement
    and the second and third upfront instalments fall due. CL: executed within 12 months (with the agreement
    and the two instalments); G2 reached within 36 months of the LoI. The two instalments are payments: their
    due date moves past the office's `closed` days (s.10); the other milestones do not."""
    cite = "(RULES.md s.3 item 13)"
    loi = f"LoI {fmt_day(loi_on)}"

    def at(months: int) -> date:
        return TERMS[TermKind.MILESTONE].last_day(loi_on, months=months)

    if lease_kind == ML:
        plan = params.ml_mining_plan_months
        clearance = plan + params.ml_environment_clearance_months
        execution = clearance + params.ml_execution_months
        execution_basis = (
            f"{loi} + {plan} + {params.ml_environment_clearance_months} + {params.ml_execution_months} months "
            f"= {fmt_day(at(execution))}"
        )
        result = [
            Milestone(
                "mining_plan",
                at(plan),
                f"Mining plan approved within {plan} months: {loi} + {plan} months = {fmt_day(at(plan))} {cite}",
            ),
            Milestone(
                "environment_clearance",
                at(clearance),
                f"Environment clearance within {params.ml_environment_clearance_months} months of the mining "
                f"plan's due date: {loi} + {plan} + {params.ml_environment_clearance_months} months = "
                f"{fmt_day(at(clearance))} {cite}",
            ),
        ]
        what = "the lease"
    elif lease_kind == CL:
        execution = params.cl_execution_months
        execution_basis = f"{loi} + {execution} months = {fmt_day(at(execution))}"
        result = []
        what = "the licence"
    else:
        raise ValueError(f"Milestones are for a mining lease (ML) or composite licence (CL), not {lease_kind!r}.")
    due = at(execution)
    paid_by = TERMS[TermKind.MILESTONE_PAYMENT].last_day(loi_on, months=execution, closed=closed)
    paid_basis = f"{execution_basis}{fmt_moved(paid_by, due)}"
    result += [
        Milestone("mdpa", due, f"Development agreement signed by execution: {execution_basis} {cite}"),
        Milestone("upfront_2", paid_by, f"Second upfront instalment, due by execution: {paid_basis} {cite}"),
        Milestone("execution", due, f"Executed {what}: {execution_basis} {cite}"),
        Milestone("upfront_3", paid_by, f"Balance of the upfront payment, due at execution: {paid_basis} {cite}"),
    ]
    if lease_kind == CL:
        months = params.cl_g2_months
        result.append(
            Milestone(
                "g2_reached",
                at(months),
                f"G2 exploration reached within {months} months: {loi} + {months} months = {fmt_day(at(months))} "
                "(RULES.md s.1 and s.3 item 13)",
            )
        )
    return result


def months_or_part_late(due_on: date, done_on: date) -> int:
    """How many months or parts of a month `done_on` is after `due_on`; 0 when on or before the due date.

    Month k of the delay ends k calendar months from the due date (`TERMS`: always counted from the due date,
    never month by month), and a month that has begun counts in full: due 31 Jan, met 28 Feb = 1 (the first
    month ends on 28 Feb); met 1 Mar = 2. Due 29 Feb 2028 (a leap year): met 29 Mar 2028 = 1, met 30 Mar 2028
    = 2; met 28 Feb 2029 = 12 (the twelfth month ends on 28 Feb 2029, there being no 29 Feb), met 1 Mar 2029 =
    13. A month from a month's last day ends on the same day number, not at the next month's end: due 30 Apr,
    met 31 May = 2."""
    if done_on <= due_on:
        return 0
    months = max(1, (done_on.year - due_on.year) * 12 + done_on.month - due_on.month - 1)
    while TERMS[TermKind.DELAY_MONTH].last_day(due_on, months=months) < done_on:
        months += 1
    return months


def delay_penalty(performance_security, due_on: date, done_on: date, params: AuctionParams) -> tuple[Decimal, str]:
    """1% of the performance security for each month or part of a month of delay (RULES.md s.3 item 13).

    The percentage is multiplied by the months first and the product rounded once, half-up to the paisa."""
    security = to_decimal(performance_security)
    months = months_or_part_late(due_on, done_on)
    cite = "(RULES.md s.3 item 13)"
    if months == 0:
        return inr(0), f"Met on {fmt_day(done_on)}, by the due date {fmt_day(due_on)}: no delay penalty {cite}"
    penalty = inr(security * params.delay_penalty_pct_per_month * months / HUNDRED)
    unit = "month" if months == 1 else "months"
    return penalty, (
        f"{fmt_pct(params.delay_penalty_pct_per_month)}% of {format_inr(security)} x {months} {unit} or part "
        f"(due {fmt_day(due_on)}, met {fmt_day(done_on)}) = {format_inr(penalty)} {cite}"
    )


@dataclass(frozen=True)
class Due:
    """An obligation as the revocation rule reads it."""

    kind: str  # an Obligation.Kind value
    title: str
    amount: Decimal | None
    due_on: date
    unmet: bool  # pending: neither met, nor awaiting the regulator's confirmation, nor closed


def revocation_grounds(dues: Iterable[Due], on: date) -> list[str]:
    """The defaults that allow revoking a preferred bidder's or lessee-to-be's rights on `on`: the first
    instalment or the security unpaid past its 45 days, or a milestone (money or act) past its due date
    (RULES.md s.3 items 12, 13). A payment awaiting confirmation is not a default until the regulator rejects it.
    `dues` in the order the grounds are listed (by due date)."""
    grounds = []
    for due in dues:
        if not due.unmet or due.due_on >= on or due.kind in NOT_GROUNDS:
            continue
        rule = RULE_45_DAYS if due.kind in FIRST_DUES else RULE_MILESTONES
        amount = f" of {format_inr(due.amount)}" if due.amount is not None else ""
        grounds.append(f"{due.title}{amount} was due by {fmt_day(due.due_on)} and is not met ({rule}).")
    return grounds
