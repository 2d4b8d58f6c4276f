"""The kinds of term after an auction (licences.rules.TERMS) and the deadlines that move past the office's closed
days (General Clauses Act 1897 s.10; RULES.md "Dates and terms"). Every date is worked by hand beside it. No
database: the closed days are passed in, as core.selectors.closed_days would."""

from datetime import date
from decimal import Decimal as D

import pytest

from auctions.rules import AuctionParams
from core.dates import ClosedCalendar, Counting
from licences import rules
from licences.rules import TERMS, TermKind

P = AuctionParams()
SUNDAY = 6


def test_every_kind_of_term_names_its_rule_and_only_filings_and_payments_move():
    assert set(TERMS) == set(TermKind)
    assert all(term.counting is Counting.FROM and term.rule for term in TERMS.values())
    moving = {kind for kind, term in TERMS.items() if term.next_open_day}
    assert moving == {
        TermKind.FIRST_PAYMENT,
        TermKind.MILESTONE_PAYMENT,
        TermKind.LATE_INTEREST_GRACE,
        TermKind.PREMIUM_RETURN,
        TermKind.EL_RELINQUISHMENT,
        TermKind.EL_REPORT,
    }


@pytest.mark.parametrize(
    "closed, expected",
    [
        (frozenset(), date(2027, 4, 15)),  # 30 days left in March, 15 of April
        ({date(2027, 4, 15)}, date(2027, 4, 16)),
        ({date(2027, 4, 15), date(2027, 4, 16)}, date(2027, 4, 17)),
        ({date(2027, 4, 14)}, date(2027, 4, 15)),  # a closed day before the last day changes nothing
    ],
)
def test_first_payment_due_moves_past_closed_days(closed, expected):
    assert rules.first_payment_due(date(2027, 3, 1), P, closed=closed) == expected


def test_first_payment_basis_says_why_the_day_moved():
    basis = rules.first_payment_basis(date(2027, 3, 1), P, closed={date(2027, 4, 15)})
    assert "by 16 Apr 2027 (the last day, 15 Apr 2027, the office is closed" in basis
    assert "General Clauses Act s.10" in basis
    assert "closed" not in rules.first_payment_basis(date(2027, 3, 1), P)


def test_premium_return_due_on_a_sunday_moves_to_monday():
    assert date(2025, 8, 10).weekday() == SUNDAY
    sundays = ClosedCalendar(weekdays=frozenset({SUNDAY}))
    assert rules.premium_return_due(date(2025, 7, 1), closed=sundays) == date(2025, 8, 11)
    assert rules.premium_return_due(date(2025, 7, 1)) == date(2025, 8, 10)


@pytest.mark.parametrize(
    "paid, closed, expected",
    [
        # Due 1 Jan 2027: the 60th day is 2 Mar 2027 (30 days of January, 28 of February, 2 of March).
        (date(2027, 3, 3), frozenset(), D("240.00")),  # one day: 3,65,000 x 24% / 365
        (date(2027, 3, 3), {date(2027, 3, 2)}, D("0.00")),  # the grace's last day closed: paid on the next open day
        (date(2027, 3, 4), {date(2027, 3, 2)}, D("480.00")),  # later: interest from the grace's own last day
    ],
)
def test_late_interest_grace_moves_past_a_closed_last_day(paid, closed, expected):
    interest, basis = rules.late_interest(D("365000"), date(2027, 1, 1), paid, P, closed=closed)
    assert interest == expected
    if expected == 0:
        assert "2 Mar 2027, the office is closed" in basis


def test_milestone_payments_move_past_closed_days_and_the_other_milestones_do_not():
    # ML, LoI 1 Apr 2027: mining plan 6 months on (1 Oct 2027), execution 36 months on (1 Apr 2030).
    closed = {date(2027, 10, 1), date(2030, 4, 1)}
    due = {m.kind: m.due_on for m in rules.milestones("ML", date(2027, 4, 1), P, closed=closed)}
    assert due == {
        "mining_plan": date(2027, 10, 1),
        "environment_clearance": date(2029, 4, 1),
        "mdpa": date(2030, 4, 1),
        "execution": date(2030, 4, 1),
        "upfront_2": date(2030, 4, 2),
        "upfront_3": date(2030, 4, 2),
    }


def test_el_report_dates_move_past_closed_days():
    # Granted 1 Apr 2027, expiring 1 Apr 2032: a report on each anniversary, the fifth on the expiry.
    closed = {date(2029, 4, 1), date(2032, 4, 1)}
    assert rules.el_report_due_dates(date(2027, 4, 1), date(2032, 4, 1), P, closed=closed) == [
        date(2028, 4, 1),
        date(2029, 4, 2),
        date(2030, 4, 1),
        date(2031, 4, 1),
        date(2032, 4, 2),  # after the expiry: the last report is still due, on the next open day
    ]


def test_el_relinquishment_filing_moves_and_the_terms_do_not():
    granted = date(2027, 4, 1)
    assert rules.el_relinquishment_due(granted, P) == date(2030, 4, 1)
    assert rules.el_relinquishment_due(granted, P, closed={date(2030, 4, 1)}) == date(2030, 4, 2)
    assert rules.el_expiry(granted, P) == date(2032, 4, 1)  # 5 years from the grant, its last day included
    assert rules.el_extension_latest(granted, P) == date(2034, 4, 1)
    assert rules.discovery_auction_due(date(2028, 2, 29), P) == date(2029, 2, 28)


@pytest.mark.parametrize(
    "executed, expected",
    [
        (date(2025, 4, 1), date(2075, 4, 1)),  # 50 years from execution, s.9
        (date(2028, 2, 29), date(2078, 2, 28)),  # 2078 is not a leap year
    ],
)
def test_lease_expiry_is_fifty_years_from_execution(executed, expected):
    assert rules.lease_expiry(executed) == expected
