"""The law after the auction and of exploration licences, as pure functions (no ORM), each with a table test in
tests/licences/test_rules.py.

RULES.md section 3 items 11 to 14 (payments, milestones, penalties, premium) and section 4 (exploration
licences). Every number marked (param) comes from `auctions.rules.AuctionParams`, which a licence keeps as its
tranche's `params`. Money is `Decimal`, rounded half-up to the paisa by `core.money`, never float.

Conventions, in one place:

- Every term and due date is counted by `core.dates` (RULES.md "Dates and terms", General Clauses Act 1897), by
  the rule its kind names in `TERMS` below: months are calendar months counted from the starting date, a day
  missing from the target month becoming that month's last day (31 Jan + 1 month = 28 Feb, or 29 Feb in a leap
  year), never step by step, so clamping does not accumulate (31 Aug + 6 months = 28/29 Feb, but 31 Aug + 24
  months = 31 Aug).
- A period "within N years of" a date runs from the day after it to its Nth anniversary inclusive (s.9: the
  first day is excluded, the last included).
- A deadline for paying or filing whose last day the office is closed moves to the next open day (s.10). The
  functions that compute one take `closed` (a calendar from `core.selectors.closed_days`); without it, nothing
  moves.
- Every figure shown to a person comes with a one-line `basis` that says how it was computed and cites RULES.md.
"""

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from auctions.rules import (  # noqa: F401  (re-exported: one law, used by the auction and the grant)
    CL,
    ML,
    AuctionParams,
    MineralFacts,
    el_bidder_error,
    el_ceiling_error,
    is_percentage,
)
from core.dates import NO_CLOSED_DAYS, Counting, Term, days_between, last_day_of_month, shift_months
from core.geo import BoundaryError, geodesic_area_hectares, parse_boundary
from core.money import CRORE, HUNDRED, format_inr, inr, percent_of, round_half_up, to_decimal

HECTARES_PER_KM2 = Decimal("100")
DAYS_IN_YEAR = Decimal("365")
# The day of the month after the return's month by which a monthly premium is paid (an assumption: see
# `premium_return_due`).
PREMIUM_DUE_DAY = 10
# A retained polygon may stray outside the original boundary by this much (about a centimetre at India's
# latitudes): a vertex drawn on the original's edge is inside, whatever the last digit of its coordinates.
RETENTION_TOLERANCE_DEGREES = 1e-7
# Areas are measured and stored to 0.0001 ha (one square metre); a difference below that is not an excess.
AREA_PRECISION_HECTARES = Decimal("0.0001")


# ---------------------------------------------------------------------------------------------------------
# Formatting for the `basis` strings and messages.
# ---------------------------------------------------------------------------------------------------------


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _pct(value) -> str:
    """A percentage as the Rules write it: 1%, 0.5%, 12.50% (no trailing zeros added, none invented)."""
    value = to_decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


def _grouped(value, places: int = 2) -> str:
    """A number with Indian digit grouping (1,00,000.00), as `core.money.format_inr` groups rupees."""
    value = round_half_up(value, places)
    sign = "-" if value < 0 else ""
    whole, _, frac = f"{abs(value):.{places}f}".partition(".")
    grouped = format_inr(Decimal(whole)).removeprefix("Rs ")[:-3]
    return f"{sign}{grouped}.{frac}" if places else f"{sign}{grouped}"


def _exact(value) -> str:
    """A number to two decimals, or to as many as it has where two would hide a difference (1,00,000.0001)."""
    exponent = to_decimal(value).normalize().as_tuple().exponent
    return _grouped(value, max(2, -exponent) if isinstance(exponent, int) else 2)


def _crore(value) -> str:
    return f"Rs {_exact(to_decimal(value) / CRORE)} crore"


# ---------------------------------------------------------------------------------------------------------
# Dates: the kinds of term and how each is counted (RULES.md "Dates and terms"; core.dates).
# ---------------------------------------------------------------------------------------------------------

# The lease period of s.8A(2) of the Act.
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
}


def add_months(d: date, months: int) -> date:
    """`d` plus `months` calendar months (negative: back); a day missing from the target month becomes its last
    day (`core.dates.shift_months`)."""
    return shift_months(d, months)


def add_years(d: date, years: int) -> date:
    """`d` plus `years` years; 29 Feb becomes 28 Feb in a common year."""
    return shift_months(d, 12 * years)


def _moved(due: date, last_day: date) -> str:
    """What a basis adds when a deadline moved past closed days (General Clauses Act s.10)."""
    if due == last_day:
        return ""
    return f" (the last day, {_day(last_day)}, the office is closed: the next open day, General Clauses Act s.10)"


def lease_expiry(executed_on: date, years: int = LEASE_TERM_YEARS) -> date:
    """The last day of a mining lease: `years` (50, Act s.8A(2)) from the execution of the deed."""
    return TERMS[TermKind.LEASE].last_day(executed_on, years=years)


# ---------------------------------------------------------------------------------------------------------
# Money due after an ML or CL auction (RULES.md s.3 items 11 and 12).
# ---------------------------------------------------------------------------------------------------------


def upfront_payment(ver, params: AuctionParams) -> Decimal:
    """Upfront payment: 0.5% of the value of estimated resources, at most Rs 500 crore (RULES.md s.3 item 11)."""
    return inr(min(percent_of(ver, params.upfront_payment_pct), params.upfront_payment_cap))


def upfront_payment_basis(ver, params: AuctionParams) -> str:
    total = upfront_payment(ver, params)
    share = percent_of(ver, params.upfront_payment_pct)
    text = f"{_pct(params.upfront_payment_pct)}% of VER {format_inr(ver)} = {format_inr(share)}"
    if share > params.upfront_payment_cap:
        text += f", capped at {format_inr(params.upfront_payment_cap)}"
    return f"{text}: upfront payment {format_inr(total)} (RULES.md s.3 item 11)"


def upfront_instalments(ver, params: AuctionParams) -> tuple[Decimal, Decimal, Decimal]:
    """The upfront payment in three instalments (10% / 10% / 80%, RULES.md s.3 item 11).

    The first two are their percentage of the upfront payment rounded half-up to the paisa; the balance is
    the upfront payment less those two, so the three always sum exactly to it (the balance's percentage is
    not applied, and so it absorbs the rounding of the first two)."""
    total = upfront_payment(ver, params)
    first = percent_of(total, params.upfront_instalment_1_pct)
    second = percent_of(total, params.upfront_instalment_2_pct)
    return first, second, total - first - second


def upfront_instalment_bases(ver, params: AuctionParams) -> tuple[str, str, str]:
    """The basis of each instalment, in the order of `upfront_instalments`."""
    total = upfront_payment(ver, params)
    first, second, balance = upfront_instalments(ver, params)
    cite = "(RULES.md s.3 item 11)"
    return (
        f"{_pct(params.upfront_instalment_1_pct)}% of the upfront payment {format_inr(total)} = "
        f"{format_inr(first)}, due with the Letter of Intent {cite}",
        f"{_pct(params.upfront_instalment_2_pct)}% of the upfront payment {format_inr(total)} = "
        f"{format_inr(second)}, due with the development agreement {cite}",
        f"Balance ({_pct(params.upfront_instalment_3_pct)}%): {format_inr(total)} - {format_inr(first)} - "
        f"{format_inr(second)} = {format_inr(balance)}, due at execution and adjusted against premium {cite}",
    )


def performance_security(ver, params: AuctionParams) -> Decimal:
    """Performance security: 0.5% of the value of estimated resources, no cap (RULES.md s.3 item 11)."""
    return percent_of(ver, params.performance_security_pct)


def performance_security_basis(ver, params: AuctionParams) -> str:
    return (
        f"{_pct(params.performance_security_pct)}% of VER {format_inr(ver)} = "
        f"{format_inr(performance_security(ver, params))}, reset every {params.performance_security_reset_years} "
        "years (RULES.md s.3 item 11)"
    )


def first_payment_due(declared_on: date, params: AuctionParams, *, closed: Container[date] = NO_CLOSED_DAYS) -> date:
    """The first instalment and the performance security are due 45 days after the preferred bidder is
    declared (RULES.md s.3 item 12); day 1 is the day after the declaration (s.9), and a last day on which the
    office is closed moves to the next open day (s.10)."""
    return TERMS[TermKind.FIRST_PAYMENT].last_day(declared_on, days=params.preferred_bidder_payment_days, closed=closed)


def first_payment_basis(declared_on: date, params: AuctionParams, *, closed: Container[date] = NO_CLOSED_DAYS) -> str:
    due = first_payment_due(declared_on, params, closed=closed)
    moved = _moved(due, first_payment_due(declared_on, params))
    return (
        f"Within {params.preferred_bidder_payment_days} days of being declared preferred bidder on "
        f"{_day(declared_on)}: by {_day(due)}{moved} (RULES.md s.3 item 12)"
    )


# ---------------------------------------------------------------------------------------------------------
# Milestones after the Letter of Intent (RULES.md s.3 items 12 and 13).
# ---------------------------------------------------------------------------------------------------------


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
    loi = f"LoI {_day(loi_on)}"

    def at(months: int) -> date:
        return TERMS[TermKind.MILESTONE].last_day(loi_on, months=months)

    if lease_kind == ML:
        plan = params.ml_mining_plan_months
        clearance = plan + params.ml_environment_clearance_months
        execution = clearance + params.ml_execution_months
        execution_basis = (
            f"{loi} + {plan} + {params.ml_environment_clearance_months} + {params.ml_execution_months} months "
            f"= {_day(at(execution))}"
        )
        result = [
            Milestone(
                "mining_plan",
                at(plan),
                f"Mining plan approved within {plan} months: {loi} + {plan} months = {_day(at(plan))} {cite}",
            ),
            Milestone(
                "environment_clearance",
                at(clearance),
                f"Environment clearance within {params.ml_environment_clearance_months} months of the mining "
                f"plan's due date: {loi} + {plan} + {params.ml_environment_clearance_months} months = "
                f"{_day(at(clearance))} {cite}",
            ),
        ]
        what = "the lease"
    elif lease_kind == CL:
        execution = params.cl_execution_months
        execution_basis = f"{loi} + {execution} months = {_day(at(execution))}"
        result = []
        what = "the licence"
    else:
        raise ValueError(f"Milestones are for a mining lease (ML) or composite licence (CL), not {lease_kind!r}.")
    due = at(execution)
    paid_by = TERMS[TermKind.MILESTONE_PAYMENT].last_day(loi_on, months=execution, closed=closed)
    paid_basis = f"{execution_basis}{_moved(paid_by, due)}"
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
                f"G2 exploration reached within {months} months: {loi} + {months} months = {_day(at(months))} "
                "(RULES.md s.1 and s.3 item 13)",
            )
        )
    return result


# ---------------------------------------------------------------------------------------------------------
# Penalties and interest (RULES.md s.3 items 13 and 14).
# ---------------------------------------------------------------------------------------------------------


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
        return inr(0), f"Met on {_day(done_on)}, by the due date {_day(due_on)}: no delay penalty {cite}"
    penalty = inr(security * params.delay_penalty_pct_per_month * months / HUNDRED)
    unit = "month" if months == 1 else "months"
    return penalty, (
        f"{_pct(params.delay_penalty_pct_per_month)}% of {format_inr(security)} x {months} {unit} or part "
        f"(due {_day(due_on)}, met {_day(done_on)}) = {format_inr(penalty)} {cite}"
    )


def late_interest(
    amount, due_on: date, paid_on: date, params: AuctionParams, *, closed: Container[date] = NO_CLOSED_DAYS
) -> tuple[Decimal, str]:
    """24% simple interest a year on a due unpaid beyond 60 days (RULES.md s.3 item 14).

    MCR rule 49 is read as: interest runs from the sixtieth day after the due date until payment, counted
    from the day after the 60 days' grace, so the first 60 days after the due date are free and each day
    after them bears interest: paid 60 days late, none; 61 days late, one day's. The day count is
    actual/365: every calendar day counts (29 Feb too), and a day's interest is 1/365 of the yearly rate, in
    a leap year as in any other. Rounded once, half-up to the paisa. When the grace's last day the office is
    `closed`, a payment on the next open day is within it (General Clauses Act s.10); a later payment bears
    interest from the grace's own last day."""
    amount = to_decimal(amount)
    late = days_between(due_on, paid_on)
    grace = params.late_interest_after_days
    grace_ends = TERMS[TermKind.LATE_INTEREST_GRACE].last_day(due_on, days=grace)
    if paid_on > grace_ends:  # the calendar is asked only about a payment after the grace's own last day
        grace_ends = TERMS[TermKind.LATE_INTEREST_GRACE].last_day(due_on, days=grace, closed=closed)
    days = 0 if paid_on <= grace_ends else late - grace
    cite = "(RULES.md s.3 item 14; MCR rule 49: interest from the sixtieth day after the due date until payment)"
    if days == 0:
        when = "by the due date" if late <= 0 else f"{late} day{'s' if late > 1 else ''} after the due date"
        moved = _moved(grace_ends, TERMS[TermKind.LATE_INTEREST_GRACE].last_day(due_on, days=grace))
        return inr(0), (
            f"Paid on {_day(paid_on)}, {when} {_day(due_on)}: within the {grace} days' grace{moved}, no interest {cite}"
        )
    interest = inr(amount * params.late_interest_pct_per_year * days / (HUNDRED * DAYS_IN_YEAR))
    unit = "day" if days == 1 else "days"
    return interest, (
        f"{_pct(params.late_interest_pct_per_year)}% a year simple on {format_inr(amount)} x {days} {unit}/365 "
        f"beyond the {grace} days' grace (due {_day(due_on)}, paid {_day(paid_on)}: {late} days late) = "
        f"{format_inr(interest)} {cite}"
    )


# ---------------------------------------------------------------------------------------------------------
# Monthly premium (RULES.md s.3 item 14).
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PremiumComputation:
    value_despatched: Decimal
    concession_pct: Decimal  # the share of the premium payable: 50 within the early years, else 100
    premium: Decimal
    basis: str


def concession_ends(loi_on: date, lease_kind: str, params: AuctionParams) -> date:
    """The last day of the early-despatch concession: the 5th (ML) or 7th (CL) anniversary of the LoI."""
    years = {ML: params.premium_concession_years_ml, CL: params.premium_concession_years_cl}.get(lease_kind)
    if years is None:
        raise ValueError(f"Premium is paid on a mining lease (ML) or composite licence (CL), not {lease_kind!r}.")
    return TERMS[TermKind.PREMIUM_CONCESSION].last_day(loi_on, years=years)


def premium_due(
    *, fpo_pct, quantity_tonnes, price_per_tonne, month: date, loi_on: date, lease_kind: str, params: AuctionParams
) -> PremiumComputation:
    """Premium of a month = winning % x value of mineral despatched (quantity x IBM price); 50% of it for
    despatches within 5 years of an ML's LoI or 7 years of a CL's (RULES.md s.3 item 14).

    A monthly return does not date each despatch, so a month has the concession when the whole month lies
    within the period, i.e. its last day is on or before the anniversary (an assumption: a month that
    straddles the anniversary pays the full premium). The value is rounded to the paisa; the premium is the
    product of the value and both percentages, rounded once."""
    quantity, price, fpo = to_decimal(quantity_tonnes), to_decimal(price_per_tonne), to_decimal(fpo_pct)
    if quantity < 0 or price < 0:
        raise ValueError("The quantity despatched and the price cannot be negative.")
    first_day = month.replace(day=1)
    last_day = last_day_of_month(first_day)
    if last_day < loi_on:
        raise ValueError(f"No premium is due for {first_day:%B %Y}: the Letter of Intent came on {_day(loi_on)}.")
    ends = concession_ends(loi_on, lease_kind, params)
    early = last_day <= ends
    concession = params.premium_concession_pct if early else HUNDRED
    value = inr(quantity * price)
    premium = inr(value * fpo * concession / (HUNDRED * HUNDRED))
    years = params.premium_concession_years_ml if lease_kind == ML else params.premium_concession_years_cl
    text = (
        f"{_pct(fpo)}% of the value despatched in {first_day:%B %Y}, {format_inr(value)} "
        f"({_exact(quantity)} t x {format_inr(price)}/t)"
    )
    if early:
        within = f"despatched within {years} years of the LoI of {_day(loi_on)}, by {_day(ends)}"
        text += f" x {_pct(concession)}% ({within})"
    else:
        text += f" (in full: the {years}-year concession from the LoI of {_day(loi_on)} ended on {_day(ends)})"
    return PremiumComputation(
        value_despatched=value,
        concession_pct=concession,
        premium=premium,
        basis=f"{text} = {format_inr(premium)} (RULES.md s.3 item 14)",
    )


def premium_return_due(month: date, *, closed: Container[date] = NO_CLOSED_DAYS) -> date:
    """A month's premium return and payment are due on the 10th of the following month, or the next day the
    office is open when it is `closed` on the 10th (General Clauses Act s.10).

    An assumption: the Rules require a monthly premium but this system has no gazetted due day; the 10th
    follows the practice for monthly royalty and can be changed here in one place."""
    tenth = month.replace(day=1) + relativedelta(months=1, day=PREMIUM_DUE_DAY)
    return TERMS[TermKind.PREMIUM_RETURN].last_day(tenth, closed=closed)


# ---------------------------------------------------------------------------------------------------------
# Exploration licences (RULES.md s.4).
# ---------------------------------------------------------------------------------------------------------


def el_premium_share(amount, share_pct) -> tuple[Decimal, str]:
    """The EL holder's share of one premium payment of a lease auctioned on its discovery (RULES.md s.4)."""
    amount, share_pct = to_decimal(amount), to_decimal(share_pct)
    share = percent_of(amount, share_pct)
    return share, (
        f"{_pct(share_pct)}% of the premium payment {format_inr(amount)} = {format_inr(share)} "
        "to the exploration licence holder (RULES.md s.4)"
    )


def el_application_errors(
    *, area_hectares, minerals: Iterable[MineralFacts], params: AuctionParams, eligible: Iterable[str] = ()
) -> list[str]:
    """Why an area cannot be offered as an exploration licence; empty when it can (RULES.md s.4, Act s.10BA).

    At most 1,000 km² (1 km² = 100 ha), and only Seventh Schedule minerals, at least one. `eligible` may name
    the Seventh Schedule minerals (the mineral table is data), so the message can list them."""
    errors = []
    area = to_decimal(area_hectares)
    limit = params.el_max_area_km2 * HECTARES_PER_KM2
    if area > limit:
        errors.append(
            f"The area is {_exact(area / HECTARES_PER_KM2)} km² ({_exact(area)} ha); an exploration licence "
            f"may cover at most {_exact(params.el_max_area_km2)} km² ({_exact(limit)} ha). Reduce the area."
        )
    minerals = list(minerals)
    eligible = sorted(eligible)
    which = (
        f"the Seventh Schedule minerals ({', '.join(eligible)})"
        if eligible
        else "the critical and deep-seated minerals of the Seventh Schedule to the Act (s.10BA)"
    )
    if not minerals:
        errors.append(f"Name at least one mineral: an exploration licence can cover only {which}.")
    refused = [m.name for m in minerals if not m.seventh_schedule]
    if refused:
        names = " and ".join([", ".join(refused[:-1]), refused[-1]] if len(refused) > 1 else refused)
        verb = "is not a Seventh Schedule mineral" if len(refused) == 1 else "are not Seventh Schedule minerals"
        errors.append(f"{names} {verb}: an exploration licence can cover only {which}.")
    return errors


def el_expiry(granted_on: date, params: AuctionParams) -> date:
    """An exploration licence runs 5 years from its grant (RULES.md s.4), to the fifth anniversary inclusive
    (s.9)."""
    return TERMS[TermKind.EL_TERM].last_day(granted_on, years=params.el_term_years)


def el_extension_latest(granted_on: date, params: AuctionParams) -> date:
    """The latest expiry an extension may give: 2 years beyond the original expiry (RULES.md s.4)."""
    return TERMS[TermKind.EL_EXTENSION].last_day(el_expiry(granted_on, params), years=params.el_extension_max_years)


def el_extension_error(
    *,
    granted_on: date,
    expires_on: date,
    requested_to: date,
    already_extended: bool,
    params: AuctionParams,
    on: date | None = None,
) -> str | None:
    """An EL's term can be extended once, by up to 2 years beyond its original expiry (RULES.md s.4), while it
    is in force (`on`, the day of the request, when given, must not be after the current expiry) and to a date
    later than the current expiry. None when the extension can be granted."""
    original = el_expiry(granted_on, params)
    latest = el_extension_latest(granted_on, params)
    if already_extended:
        return "The licence has already been extended once; an exploration licence can be extended only once."
    if on is not None and on > expires_on:
        return f"The licence expired on {_day(expires_on)}; an expired licence cannot be extended."
    if requested_to <= expires_on:
        return f"The new expiry {_day(requested_to)} must be later than the current expiry {_day(expires_on)}."
    if requested_to > latest:
        return (
            f"The new expiry {_day(requested_to)} is too late: an exploration licence may be extended by at most "
            f"{params.el_extension_max_years} years beyond its original expiry {_day(original)}, to {_day(latest)}."
        )
    return None


def el_relinquishment_due(granted_on: date, params: AuctionParams, *, closed: Container[date] = NO_CLOSED_DAYS) -> date:
    """After the first 3 years the holder keeps at most 25% of the original area (RULES.md s.4): the third
    anniversary of the grant. Given the office's `closed` days, the filing's due date moves to the next open day
    (s.10); without them it is the day relinquishment opens."""
    return TERMS[TermKind.EL_RELINQUISHMENT].last_day(
        granted_on, years=params.el_relinquishment_after_years, closed=closed
    )


def el_report_due_dates(
    granted_on: date, expires_on: date, params: AuctionParams, *, closed: Container[date] = NO_CLOSED_DAYS
) -> list[date]:
    """An annual work-programme report every 12 months from the grant, up to and including the expiry; a due date
    on which the office is `closed` moves to the next open day (s.10), even past the expiry."""
    report = TERMS[TermKind.EL_REPORT]
    dates, k = [], 1
    while (year_ends := report.last_day(granted_on, months=k * params.el_report_interval_months)) <= expires_on:
        dates.append(report.last_day(year_ends, closed=closed))
        k += 1
    return dates


def discovery_auction_due(report_on: date, params: AuctionParams) -> date:
    """After a geological report the State must auction an ML or CL within 1 year (RULES.md s.4). The State's
    act, not a filing: it does not move past closed days."""
    return TERMS[TermKind.DISCOVERY_AUCTION].last_day(report_on, months=params.el_discovery_auction_months)


@dataclass(frozen=True)
class RetentionResult:
    ok: bool
    errors: list[str]
    retained_area_hectares: Decimal | None
    original_area_hectares: Decimal | None
    retained_pct: Decimal | None  # of the original area, two decimals
    retained_geojson: dict | None = field(default=None)  # the retained boundary, normalised, when it parses


def retention_check(original_geojson, retained_geojson, params: AuctionParams) -> RetentionResult:
    """Check the area an EL holder keeps at relinquishment (RULES.md s.4): one or more polygons (a
    MultiPolygon), inside the licence's original boundary (to `RETENTION_TOLERANCE_DEGREES`), totalling at
    most 25% of the original area (geodesic areas, to `AREA_PRECISION_HECTARES`)."""
    try:
        original = parse_boundary(original_geojson)
    except BoundaryError as exc:
        return RetentionResult(False, [f"The licence's original boundary cannot be read: {exc}"], None, None, None)
    try:
        retained = parse_boundary(retained_geojson)
    except BoundaryError as exc:
        return RetentionResult(False, [f"The retained area: {exc}"], None, original.area_hectares, None)
    if original.area_hectares <= 0:
        return RetentionResult(False, ["The licence's original boundary encloses no measurable area."], *[None] * 3)
    errors = []
    if not original.geometry.buffer(RETENTION_TOLERANCE_DEGREES).covers(retained.geometry):
        outside = geodesic_area_hectares(retained.geometry.difference(original.geometry))
        about = f"about {_grouped(outside, 1)} ha" if outside >= Decimal("0.05") else "less than 0.1 ha"
        errors.append(f"Part of the retained area lies outside the licence's original boundary ({about}).")
    share = round_half_up(retained.area_hectares * HUNDRED / original.area_hectares, 2)
    allowed = original.area_hectares * params.el_retained_max_pct / HUNDRED
    if retained.area_hectares > allowed + AREA_PRECISION_HECTARES:
        errors.append(
            f"The retained area is {share}% of the original {_grouped(original.area_hectares)} ha; at most "
            f"{_pct(params.el_retained_max_pct)}% may be kept ({_grouped(allowed)} ha)."
        )
    return RetentionResult(
        ok=not errors,
        errors=errors,
        retained_area_hectares=retained.area_hectares,
        original_area_hectares=original.area_hectares,
        retained_pct=share,
        retained_geojson=retained.geojson,
    )
