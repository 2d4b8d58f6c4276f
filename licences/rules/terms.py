"""The kinds of term after an auction and how each is counted (RULES.md "Dates and terms"; `core.dates`), and the
lease's own term (s.8A(2) of the MMDR Act)."""

from datetime import date
from enum import StrEnum

from core.dates import Counting, Term, shift_months
from licences.rules.wording import fmt_day

# The lease period of s.8A(2) of the Act: fixed by the Act, not by a tranche.
LEASE_TERM_YEARS = 50


class TermKind(StrEnum):
    FIRST_PAYMENT = "first_payment"
    MILESTONE = "milestone"
    MILESTONE_PAYMENT = "milestone_payment"
    DELAY_MONTH = "delay_month"
    LATE_INTEREST_GRACE = "late_interest_grace"
    PREMIUM_CONCESSION = "premium_concession"
    PREMIUM_RETURN = "premium_return"
    LEASE = "lease"
    EL_TERM = "el_term"
    EL_EXTENSION = "el_extension"
    EL_RELINQUISHMENT = "el_relinquishment"
    EL_REPORT = "el_report"
    DISCOVERY_AUCTION = "discovery_auction"
    SURRENDER_NOTICE = "surrender_notice"


# Every term after an auction names its rule here, once. FROM: General Clauses Act s.9, the first day excluded (no
# instrument of this regime says "commencing on"); next_open_day: a paying or filing deadline in an office, moved
# past the office's closed days (s.10). A term that is the instrument's own span, or an act of an authority, does
# not move.
TERMS: dict[TermKind, Term] = {
    TermKind.FIRST_PAYMENT: Term(
        Counting.FROM,
        next_open_day=True,
        rule="first instalment and performance security: 45 days from the declaration (RULES.md s.3 item 12)",
    ),
    TermKind.MILESTONE: Term(
        Counting.FROM,
        rule="mining plan, environment clearance, development agreement, execution, G2: within N "
        "months of the LoI (s.3 item 13); approvals and the instrument's own acts, not filings",
    ),
    TermKind.MILESTONE_PAYMENT: Term(
        Counting.FROM,
        next_open_day=True,
        rule="second and third upfront instalments, due by execution (s.3 items 11 and 13)",
    ),
    TermKind.DELAY_MONTH: Term(Counting.FROM, rule="each month or part of a month of delay, from the due date"),
    TermKind.LATE_INTEREST_GRACE: Term(
        Counting.FROM, next_open_day=True, rule="60 days from a due date before interest runs (s.3 item 14)"
    ),
    TermKind.PREMIUM_CONCESSION: Term(Counting.FROM, rule="within 5 (ML) or 7 (CL) years of the LoI (s.3 item 14)"),
    TermKind.PREMIUM_RETURN: Term(
        Counting.FROM, next_open_day=True, rule="a month's premium return and payment, on a fixed day of the next month"
    ),
    TermKind.LEASE: Term(Counting.FROM, rule="50 years from the execution of the deed (Act s.8A(2))"),
    TermKind.EL_TERM: Term(Counting.FROM, rule="5 years from the grant (RULES.md s.4)"),
    TermKind.EL_EXTENSION: Term(Counting.FROM, rule="up to 2 years beyond the original expiry (s.4)"),
    TermKind.EL_RELINQUISHMENT: Term(
        Counting.FROM, next_open_day=True, rule="relinquishment filed after the first 3 years from the grant (s.4)"
    ),
    TermKind.EL_REPORT: Term(
        Counting.FROM, next_open_day=True, rule="a work-programme report every 12 months from the grant"
    ),
    TermKind.DISCOVERY_AUCTION: Term(
        Counting.FROM, rule="the State auctions a lease within 1 year of a geological report (s.4); the State's act"
    ),
    TermKind.SURRENDER_NOTICE: Term(
        Counting.FROM, rule="a surrender with 12 months' notice from the day it is given (s.3 item 19)"
    ),
}


def add_months(d: date, months: int) -> date:
    """`d` plus `months` calendar months (negative: back); a day missing from the target month becomes its last
    day (`core.dates.shift_months`)."""
    return shift_months(d, months)


def add_years(d: date, years: int) -> date:
    """`d` plus `years` years; 29 Feb becomes 28 Feb in a common year."""
    return shift_months(d, 12 * years)


def fmt_moved(due: date, last_day: date) -> str:
    """What a basis adds when a deadline moved past closed days (General Clauses Act s.10)."""
    if due == last_day:
        return ""
    return f" (the last day, {fmt_day(last_day)}, the office is closed: the next open day, General Clauses Act s.10)"


def lease_expiry(executed_on: date, years: int = LEASE_TERM_YEARS) -> date:
    """The last day of a mining lease: `years` (50, Act s.8A(2)) from the execution of the deed."""
    return TERMS[TermKind.LEASE].last_day(executed_on, years=years)


def lease_term_basis(executed_on: date, years: int = LEASE_TERM_YEARS) -> str:
    """How a lease's expiry follows from its execution, as the register and the history say it."""
    return (
        f"The lease period is {years} years from the execution of the deed under s.8A(2) of the Act: executed "
        f"{fmt_day(executed_on)}, expires {fmt_day(lease_expiry(executed_on, years))}."
    )
