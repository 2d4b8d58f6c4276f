"""Surrender and termination of a licence (RULES.md s.3 item 19), as pure functions.

- A holder may surrender with 12 months' notice **(param `surrender_notice_months`)**: the notice runs from the day
  after it is given (General Clauses Act s.9) to the same day of the month that many months later, inclusive; the
  licence is in force up to and including that day, its last (`surrender_last_day`). The holder may name a later
  last day, never an earlier one. Modelled simply: the holder gives notice, and the regulator records the surrender
  once the notice has run (not before its last day).
- The State may terminate for breach after notice and a hearing (`termination_error`): the hearing is on or after
  the notice, neither in the future. The rule names no period between them, so none is invented here.
- Both close the open obligations from their effective date: what falls due after the licence's last day is no
  longer due; what fell due up to it stays payable (`stays_payable`).
- The performance security (`performance_security_on_end`): forfeited on termination; on surrender returned once
  the dues and the closure obligations are settled. The closure obligations are not recorded here: the regulator
  says whether they are settled when recording the surrender (and, while the security is held, when releasing it).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.money import format_inr, to_decimal
from licences.rules.terms import TERMS, TermKind
from licences.rules.wording import fmt_day

RULE_ENDING = "RULES.md s.3 item 19"


def surrender_last_day(notice_on: date, months: int) -> date:
    """The licence's last day in force when notice of surrender is given on `notice_on`: `months` calendar months
    from it (1 Apr 2027 + 12 months: 1 Apr 2028; 29 Feb 2028 + 12: 28 Feb 2029)."""
    return TERMS[TermKind.SURRENDER_NOTICE].last_day(notice_on, months=months)


def surrender_notice_error(*, notice_on: date, months: int, last_day: date | None) -> str | None:
    """None when a surrender asked on `notice_on` may end on `last_day` (None: as early as the notice allows);
    otherwise why not, with the earliest day."""
    earliest = surrender_last_day(notice_on, months)
    if last_day is not None and last_day < earliest:
        return (
            f"A surrender needs {months} months' notice ({RULE_ENDING}): given on {fmt_day(notice_on)}, the licence "
            f"can end on {fmt_day(earliest)} at the earliest, not {fmt_day(last_day)}."
        )
    return None


def surrender_acceptance_error(*, last_day: date, on: date) -> str | None:
    """None when the surrender ending on `last_day` may be recorded on `on` (its notice has run to that day)."""
    if on < last_day:
        return (
            f"The notice of surrender runs until {fmt_day(last_day)} ({RULE_ENDING}); record the surrender on or "
            "after that day."
        )
    return None


def termination_error(*, notice_on: date | None, heard_on: date | None, on: date) -> dict[str, str]:
    """{field: message} of what stops a termination on `on` after a notice of `notice_on` and a hearing on
    `heard_on` (RULES.md s.3 item 19: for breach, after notice and a hearing); empty when it may go ahead."""
    errors = {}
    if notice_on is None:
        errors["notice_on"] = "Give the day the notice of the breach was served on the holder."
    elif notice_on > on:
        errors["notice_on"] = f"The notice cannot be dated after today, {fmt_day(on)}."
    if heard_on is None:
        errors["heard_on"] = "Give the day the holder was heard; a termination follows a hearing."
    elif heard_on > on:
        errors["heard_on"] = f"The hearing cannot be dated after today, {fmt_day(on)}: terminate once it is held."
    elif notice_on is not None and heard_on < notice_on:
        errors["heard_on"] = f"The hearing follows the notice of {fmt_day(notice_on)}; it cannot be before it."
    return errors


def stays_payable(due_on: date, last_day: date) -> bool:
    """An open obligation due on `due_on` survives a licence ending on `last_day` (it fell due while in force);
    otherwise it is no longer due."""
    return due_on <= last_day


@dataclass(frozen=True)
class SecurityOutcome:
    action: str  # "forfeited", "returned", "held" (until the dues are settled) or "none" (nothing was furnished)
    amount: Decimal
    basis: str


def performance_security_on_end(*, ending: str, furnished: Decimal | None, open_dues: int,
                                closure_settled: bool = False) -> SecurityOutcome:  # fmt: skip
    """What becomes of the performance security when a licence is `ending` ("surrender" or "termination"):
    `furnished` is the amount held (None or 0: none was), `open_dues` the obligations still payable,
    `closure_settled` whether the regulator found the closure obligations settled."""
    amount = to_decimal(furnished or 0)
    if amount <= 0:
        return SecurityOutcome("none", Decimal("0"), "No performance security was held.")
    held = format_inr(amount)
    if ending == "termination":
        return SecurityOutcome("forfeited", amount, f"The performance security of {held} is forfeited on "
                                                    f"termination for breach ({RULE_ENDING}).")  # fmt: skip
    if ending != "surrender":
        raise ValueError(f"A licence ends here by surrender or termination, not {ending!r}.")
    waiting = [f"{open_dues} due(s) still payable"] if open_dues else []
    if not closure_settled:
        waiting.append("the closure obligations")
    if waiting:
        return SecurityOutcome(
            "held",
            amount,
            f"The performance security of {held} is held until {' and '.join(waiting)} are settled, then returned "
            f"({RULE_ENDING}).",
        )
    return SecurityOutcome(
        "returned",
        amount,
        f"The performance security of {held} is returned: the dues and the closure obligations are settled "
        f"({RULE_ENDING}).",
    )
