"""Money due after an ML or CL auction (RULES.md s.3 items 11, 12 and 14): the upfront payment and its instalments,
the performance security, the 45-day first dues, and late interest."""

from collections.abc import Container
from datetime import date
from decimal import Decimal

from auctions.rules import AuctionParams
from core.dates import NO_CLOSED_DAYS, days_between
from core.money import HUNDRED, format_inr, inr, percent_of, to_decimal
from licences.rules.terms import TERMS, TermKind, fmt_moved
from licences.rules.wording import fmt_day, fmt_pct

DAYS_IN_YEAR = Decimal("365")


def upfront_payment(ver, params: AuctionParams) -> Decimal:
    """Upfront payment: 0.5% of the value of estimated resources, at most Rs 500 crore (RULES.md s.3 item 11)."""
    return inr(min(percent_of(ver, params.upfront_payment_pct), params.upfront_payment_cap))


def upfront_payment_basis(ver, params: AuctionParams) -> str:
    total = upfront_payment(ver, params)
    share = percent_of(ver, params.upfront_payment_pct)
    text = f"{fmt_pct(params.upfront_payment_pct)}% of VER {format_inr(ver)} = {format_inr(share)}"
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
        f"{fmt_pct(params.upfront_instalment_1_pct)}% of the upfront payment {format_inr(total)} = "
        f"{format_inr(first)}, due with the Letter of Intent {cite}",
        f"{fmt_pct(params.upfront_instalment_2_pct)}% of the upfront payment {format_inr(total)} = "
        f"{format_inr(second)}, due with the development agreement {cite}",
        f"Balance ({fmt_pct(params.upfront_instalment_3_pct)}%): {format_inr(total)} - {format_inr(first)} - "
        f"{format_inr(second)} = {format_inr(balance)}, due at execution and adjusted against premium {cite}",
    )


def performance_security(ver, params: AuctionParams) -> Decimal:
    """Performance security: 0.5% of the value of estimated resources, no cap (RULES.md s.3 item 11)."""
    return percent_of(ver, params.performance_security_pct)


def performance_security_basis(ver, params: AuctionParams) -> str:
    return (
        f"{fmt_pct(params.performance_security_pct)}% of VER {format_inr(ver)} = "
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
    moved = fmt_moved(due, first_payment_due(declared_on, params))
    return (
        f"Within {params.preferred_bidder_payment_days} days of being declared preferred bidder on "
        f"{fmt_day(declared_on)}: by {fmt_day(due)}{moved} (RULES.md s.3 item 12)"
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
        moved = fmt_moved(grace_ends, TERMS[TermKind.LATE_INTEREST_GRACE].last_day(due_on, days=grace))
        return inr(0), (
            f"Paid on {fmt_day(paid_on)}, {when} {fmt_day(due_on)}: within the {grace} days' grace{moved}, no "
            f"interest {cite}"
        )
    interest = inr(amount * params.late_interest_pct_per_year * days / (HUNDRED * DAYS_IN_YEAR))
    unit = "day" if days == 1 else "days"
    return interest, (
        f"{fmt_pct(params.late_interest_pct_per_year)}% a year simple on {format_inr(amount)} x {days} {unit}/365 "
        f"beyond the {grace} days' grace (due {fmt_day(due_on)}, paid {fmt_day(paid_on)}: {late} days late) = "
        f"{format_inr(interest)} {cite}"
    )
