"""Table tests of licences/rules.py: RULES.md section 3 items 11 to 14 and section 4, every figure worked by hand
in the comment beside it. No database."""

import re
from datetime import date
from decimal import Decimal as D

import pytest

from auctions.rules import AuctionParams
from blocks.rules import MineralFacts
from licences import rules
from tests.core.test_geo import quadrangle_area_m2

P = AuctionParams()
CRORE = D("10000000")


# ---------------------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2027, 1, 15), 1, date(2027, 2, 15)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),  # no 31 Feb: the month's last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # 2028 is a leap year
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # no 29 Feb in 2029
        (date(2028, 2, 29), 48, date(2032, 2, 29)),  # counted from the start, so 2032's 29 Feb comes back
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2027, 12, 15), 1, date(2028, 1, 15)),  # across the year end
        (date(2027, 3, 31), -1, date(2027, 2, 28)),
        (date(2027, 3, 31), 0, date(2027, 3, 31)),
    ],
)
def test_add_months_clamps_to_the_last_day_of_a_shorter_month(start, months, expected):
    assert rules.add_months(start, months) == expected


# ---------------------------------------------------------------------------------------------------------
# Upfront payment, instalments, performance security (s.3 item 11)
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ver, expected",
    [
        (D("10000000000"), D("50000000.00")),  # VER Rs 1,000 crore: 0.5% = Rs 5 crore
        (D("1001"), D("5.01")),  # 0.5% of 1,001 = 5.005: half-up to 5.01, not half-even 5.00
        (D("1000000000000"), D("5000000000.00")),  # VER Rs 1,00,000 crore: 0.5% = Rs 500 crore, exactly the cap
        (D("1000000000001"), D("5000000000.00")),  # one rupee more: 500 crore + 0.005, capped at 500 crore
        (D("999990000000"), D("4999950000.00")),  # VER Rs 99,999 crore: 0.5% = Rs 499.995 crore, below the cap
        (D("3000000000000"), D("5000000000.00")),  # VER Rs 3,00,000 crore: 1,500 crore, capped at 500 crore
        (D("0"), D("0.00")),
    ],
)
def test_upfront_payment_is_half_a_percent_of_ver_capped_at_500_crore(ver, expected):
    assert rules.upfront_payment(ver, P) == expected


def test_upfront_payment_uses_the_tranches_own_percentage_and_cap():
    params = AuctionParams(upfront_payment_pct=D("1"), upfront_payment_cap=D("100000"))
    assert rules.upfront_payment(D("5000000"), params) == D("50000.00")  # 1% of 50 lakh = 50,000: under the cap
    assert rules.upfront_payment(D("50000000"), params) == D("100000.00")  # 1% of 5 crore = 5 lakh: capped at 1 lakh


def test_upfront_payment_basis_shows_the_cap_when_it_applies():
    # VER Rs 2,00,000 crore: 0.5% = Rs 1,000 crore, capped at Rs 500 crore.
    basis = rules.upfront_payment_basis(D("2000000000000"), P)
    assert basis == (
        "0.5% of VER Rs 20,00,00,00,00,000.00 = Rs 10,00,00,00,000.00, capped at Rs 5,00,00,00,000.00: "
        "upfront payment Rs 5,00,00,00,000.00 (RULES.md s.3 item 11)"
    )
    assert "capped" not in rules.upfront_payment_basis(D("10000000000"), P)


@pytest.mark.parametrize(
    "ver, expected",
    [
        # Upfront Rs 5 crore: 10% = 50 lakh, 10% = 50 lakh, balance 5 crore - 1 crore = 4 crore.
        (D("10000000000"), (D("5000000.00"), D("5000000.00"), D("40000000.00"))),
        # Upfront 0.5% of 20,00,001 = 10,000.005 -> 10,000.01. 10% = 1,000.001 -> 1,000.00 (twice);
        # balance 10,000.01 - 2,000.00 = 8,000.01 (80% would be 8,000.008 -> 8,000.01 too).
        (D("2000001"), (D("1000.00"), D("1000.00"), D("8000.01"))),
        # Upfront 0.5% of 20,00,010 = 10,000.05. 10% = 1,000.005 -> 1,000.01 (half-up, twice);
        # balance 10,000.05 - 2,000.02 = 8,000.03, where 80% alone would give 8,000.04: the balance absorbs it.
        (D("2000010"), (D("1000.01"), D("1000.01"), D("8000.03"))),
        # At the cap: upfront Rs 500 crore -> 50 crore, 50 crore, 400 crore.
        (D("1000000000000"), (D("500000000.00"), D("500000000.00"), D("4000000000.00"))),
        (D("5000000000000"), (D("500000000.00"), D("500000000.00"), D("4000000000.00"))),
    ],
)
def test_upfront_instalments_are_10_10_80_and_sum_exactly_to_the_upfront_payment(ver, expected):
    instalments = rules.upfront_instalments(ver, P)
    assert instalments == expected
    assert sum(instalments) == rules.upfront_payment(ver, P)


def test_upfront_instalments_follow_the_tranches_percentages():
    params = AuctionParams(upfront_instalment_1_pct=D("20"), upfront_instalment_2_pct=D("30"))
    # Upfront 0.5% of 2 crore = 1 lakh: 20% = 20,000, 30% = 30,000, balance 50,000.
    assert rules.upfront_instalments(D("20000000"), params) == (D("20000.00"), D("30000.00"), D("50000.00"))


def test_upfront_instalment_bases_explain_each_figure():
    first, second, balance = rules.upfront_instalment_bases(D("10000000000"), P)
    assert first == (
        "10% of the upfront payment Rs 5,00,00,000.00 = Rs 50,00,000.00, due with the Letter of Intent "
        "(RULES.md s.3 item 11)"
    )
    assert "10% of the upfront payment Rs 5,00,00,000.00 = Rs 50,00,000.00" in second
    assert "Rs 5,00,00,000.00 - Rs 50,00,000.00 - Rs 50,00,000.00 = Rs 4,00,00,000.00" in balance
    assert "at execution" in balance


@pytest.mark.parametrize(
    "ver, expected",
    [
        (D("10000000000"), D("50000000.00")),  # 0.5% of Rs 1,000 crore = Rs 5 crore
        (D("1001"), D("5.01")),  # 5.005 half-up
        (D("1003"), D("5.02")),  # 5.015 half-up
        (D("2000000000000"), D("10000000000.00")),  # 0.5% of Rs 2,00,000 crore = Rs 1,000 crore: no cap
    ],
)
def test_performance_security_is_half_a_percent_of_ver_without_a_cap(ver, expected):
    assert rules.performance_security(ver, P) == expected


def test_performance_security_basis_says_it_resets_every_five_years():
    assert rules.performance_security_basis(D("10000000000"), P) == (
        "0.5% of VER Rs 10,00,00,00,000.00 = Rs 5,00,00,000.00, reset every 5 years (RULES.md s.3 item 11)"
    )


@pytest.mark.parametrize(
    "declared, expected",
    [
        (date(2027, 1, 1), date(2027, 2, 15)),  # 30 days to 31 Jan, 15 more in February: 45
        (date(2027, 1, 15), date(2027, 3, 1)),  # 16 to 31 Jan + 28 in February = 44: the 45th is 1 Mar
        (date(2028, 1, 15), date(2028, 2, 29)),  # 16 + 29 = 45 in the leap year: 29 Feb
        (date(2027, 12, 1), date(2028, 1, 15)),  # 30 to 31 Dec + 15 in January
    ],
)
def test_first_payment_is_due_45_days_after_the_declaration(declared, expected):
    assert rules.first_payment_due(declared, P) == expected


def test_first_payment_basis_and_the_tranches_own_period():
    assert rules.first_payment_basis(date(2027, 1, 1), P) == (
        "Within 45 days of being declared preferred bidder on 1 Jan 2027: by 15 Feb 2027 (RULES.md s.3 item 12)"
    )
    assert rules.first_payment_due(date(2027, 1, 1), AuctionParams(preferred_bidder_payment_days=30)) == date(
        2027, 1, 31
    )


# ---------------------------------------------------------------------------------------------------------
# Milestones (s.3 items 12 and 13)
# ---------------------------------------------------------------------------------------------------------


def _due(kind, loi, params=P):
    return {m.kind: m.due_on for m in rules.milestones(kind, loi, params)}


def test_ml_milestones_from_the_letter_of_intent():
    # LoI 15 Jan 2027: mining plan + 6 months = 15 Jul 2027; clearance + 6 + 18 = 24 months = 15 Jan 2029;
    # execution + 24 + 12 = 36 months = 15 Jan 2030, also the agreement and the last two instalments.
    assert _due("ML", date(2027, 1, 15)) == {
        "mining_plan": date(2027, 7, 15),
        "environment_clearance": date(2029, 1, 15),
        "mdpa": date(2030, 1, 15),
        "upfront_2": date(2030, 1, 15),
        "execution": date(2030, 1, 15),
        "upfront_3": date(2030, 1, 15),
    }


def test_cl_milestones_from_the_letter_of_intent():
    # LoI 15 Jan 2027: execution + 12 months = 15 Jan 2028 (with the agreement and two instalments);
    # G2 + 36 months = 15 Jan 2030.
    assert _due("CL", date(2027, 1, 15)) == {
        "mdpa": date(2028, 1, 15),
        "upfront_2": date(2028, 1, 15),
        "execution": date(2028, 1, 15),
        "upfront_3": date(2028, 1, 15),
        "g2_reached": date(2030, 1, 15),
    }


def test_milestones_from_a_month_end_are_each_counted_from_the_loi():
    # LoI 31 Aug 2027: + 6 months = 29 Feb 2028 (leap); + 24 months = 31 Aug 2029, not 29 Feb 2028 + 18 months
    # (= 29 Aug 2029); + 36 months = 31 Aug 2030.
    due = _due("ML", date(2027, 8, 31))
    assert due["mining_plan"] == date(2028, 2, 29)
    assert due["environment_clearance"] == date(2029, 8, 31)
    assert due["execution"] == date(2030, 8, 31)


def test_milestones_use_the_tranches_months_and_explain_each_date():
    params = AuctionParams(ml_mining_plan_months=3, ml_environment_clearance_months=12, ml_execution_months=6)
    # LoI 1 Apr 2027: + 3 = 1 Jul 2027; + 3 + 12 = 1 Jul 2028; + 3 + 12 + 6 = 1 Jan 2029.
    due = _due("ML", date(2027, 4, 1), params)
    assert (due["mining_plan"], due["environment_clearance"], due["execution"]) == (
        date(2027, 7, 1),
        date(2028, 7, 1),
        date(2029, 1, 1),
    )
    bases = {m.kind: m.basis for m in rules.milestones("ML", date(2027, 4, 1), params)}
    assert bases["mining_plan"] == (
        "Mining plan approved within 3 months: LoI 1 Apr 2027 + 3 months = 1 Jul 2027 (RULES.md s.3 item 13)"
    )
    assert "LoI 1 Apr 2027 + 3 + 12 + 6 months = 1 Jan 2029" in bases["execution"]


def test_milestones_are_only_for_a_mining_lease_or_composite_licence():
    with pytest.raises(ValueError, match="not 'EL'"):
        rules.milestones("EL", date(2027, 1, 1), P)


# ---------------------------------------------------------------------------------------------------------
# Delay penalty: 1% of the performance security per month or part of a month (s.3 item 13)
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "due, done, months",
    [
        (date(2027, 1, 31), date(2027, 1, 30), 0),  # early
        (date(2027, 1, 31), date(2027, 1, 31), 0),  # on the day
        (date(2027, 1, 31), date(2027, 2, 1), 1),  # one day late: a part of a month is a month
        (date(2027, 1, 31), date(2027, 2, 28), 1),  # month 1 ends 28 Feb (no 31 Feb)
        (date(2027, 1, 31), date(2027, 3, 1), 2),
        (date(2027, 1, 31), date(2027, 3, 31), 2),  # month 2 ends 31 Mar (counted from 31 Jan, not 28 Feb)
        (date(2027, 1, 31), date(2027, 4, 1), 3),
        (date(2028, 1, 31), date(2028, 2, 29), 1),  # leap year: month 1 ends 29 Feb
        (date(2028, 1, 31), date(2028, 3, 1), 2),
        (date(2028, 2, 29), date(2028, 3, 29), 1),
        (date(2028, 2, 29), date(2028, 3, 30), 2),
        (date(2028, 2, 29), date(2029, 2, 28), 12),  # month 12 ends 28 Feb 2029 (no 29 Feb)
        (date(2028, 2, 29), date(2029, 3, 1), 13),
        (date(2027, 2, 28), date(2027, 3, 28), 1),
        (date(2027, 2, 28), date(2027, 3, 31), 2),  # a month from 28 Feb ends 28 Mar, whatever the month's end
        (date(2027, 4, 30), date(2027, 5, 30), 1),
        (date(2027, 4, 30), date(2027, 5, 31), 2),
        (date(2027, 12, 15), date(2028, 1, 15), 1),  # across the year end
        (date(2027, 12, 15), date(2028, 1, 16), 2),
        (date(2027, 1, 1), date(2030, 1, 1), 36),
        (date(2027, 1, 1), date(2030, 1, 2), 37),
    ],
)
def test_months_or_part_of_a_month_late(due, done, months):
    assert rules.months_or_part_late(due, done) == months


@pytest.mark.parametrize(
    "security, due, done, expected",
    [
        # 1% of Rs 1 crore = Rs 1 lakh a month.
        (D("10000000"), date(2027, 1, 31), date(2027, 1, 31), D("0.00")),
        (D("10000000"), date(2027, 1, 31), date(2027, 2, 28), D("100000.00")),  # 1 month
        (D("10000000"), date(2027, 1, 31), date(2027, 3, 1), D("200000.00")),  # 2 months
        (D("10000000"), date(2028, 2, 29), date(2029, 3, 1), D("1300000.00")),  # 13 months: 13% = 13 lakh
        # 1% of 1,00,000.50 = 1,000.005 -> 1,000.01 for one month.
        (D("100000.50"), date(2027, 1, 31), date(2027, 2, 1), D("1000.01")),
        # 2 months: 2% of 1,00,000.50 = 2,000.01 (rounded once), not 2 x 1,000.01 = 2,000.02.
        (D("100000.50"), date(2027, 1, 31), date(2027, 3, 1), D("2000.01")),
    ],
)
def test_delay_penalty_is_one_percent_of_the_security_per_month_or_part(security, due, done, expected):
    penalty, _basis = rules.delay_penalty(security, due, done, P)
    assert penalty == expected


def test_delay_penalty_basis_explains_the_figure():
    _, basis = rules.delay_penalty(D("10000000"), date(2027, 1, 31), date(2027, 3, 1), P)
    assert basis == (
        "1% of Rs 1,00,00,000.00 x 2 months or part (due 31 Jan 2027, met 1 Mar 2027) = Rs 2,00,000.00 "
        "(RULES.md s.3 item 13)"
    )
    _, basis = rules.delay_penalty(D("10000000"), date(2027, 1, 31), date(2027, 2, 1), P)
    assert "x 1 month or part" in basis
    _, basis = rules.delay_penalty(D("10000000"), date(2027, 1, 31), date(2027, 1, 20), P)
    assert basis == "Met on 20 Jan 2027, by the due date 31 Jan 2027: no delay penalty (RULES.md s.3 item 13)"


def test_delay_penalty_uses_the_tranches_rate():
    # 2% of Rs 1 crore x 2 months = Rs 4 lakh.
    penalty, basis = rules.delay_penalty(
        D("10000000"), date(2027, 1, 31), date(2027, 3, 1), AuctionParams(delay_penalty_pct_per_month=D("2"))
    )
    assert penalty == D("400000.00")
    assert basis.startswith("2% of Rs 1,00,00,000.00 x 2 months")


# ---------------------------------------------------------------------------------------------------------
# Late interest: 24% a year simple beyond 60 days (s.3 item 14)
# ---------------------------------------------------------------------------------------------------------

# On Rs 3,65,000 at 24% a year, one day's interest is 3,65,000 x 24 / 100 / 365 = Rs 240.00.
DUE = D("365000")


@pytest.mark.parametrize(
    "due, paid, expected",
    [
        (date(2027, 1, 1), date(2027, 1, 1), D("0.00")),  # on time
        (date(2027, 1, 1), date(2026, 12, 20), D("0.00")),  # early
        (date(2027, 1, 1), date(2027, 3, 1), D("0.00")),  # 31 (Jan) + 28 (Feb) = 59 days late
        (date(2027, 1, 1), date(2027, 3, 2), D("0.00")),  # 60 days late: within the grace
        (date(2027, 1, 1), date(2027, 3, 3), D("240.00")),  # 61 days late: one day of interest
        (date(2027, 1, 1), date(2027, 3, 12), D("2400.00")),  # 70 days late: 10 days x 240
        (date(2027, 1, 1), date(2028, 1, 1), D("73200.00")),  # 365 days late: 305 x 240
        # Leap year: 31 (Jan) + 29 (Feb) = 60, so 1 Mar 2028 is the 60th day (no interest) and 2 Mar the 61st.
        (date(2028, 1, 1), date(2028, 3, 1), D("0.00")),
        (date(2028, 1, 1), date(2028, 3, 2), D("240.00")),
        # Across the leap year: 366 days late, 306 bear interest; still /365 a day: 306 x 240 = 73,440.
        (date(2028, 1, 1), date(2029, 1, 1), D("73440.00")),
    ],
)
def test_late_interest_runs_only_beyond_sixty_days(due, paid, expected):
    interest, _basis = rules.late_interest(DUE, due, paid, P)
    assert interest == expected


@pytest.mark.parametrize(
    "paid, expected",
    [
        # Rs 10 lakh: 10,00,000 x 24% / 365 = 2,40,000 / 365 = 657.534... -> 657.53 for one day.
        (date(2027, 3, 3), D("657.53")),
        # Two days: 4,80,000 / 365 = 1,315.068... -> 1,315.07 (rounded once), not 2 x 657.53 = 1,315.06.
        (date(2027, 3, 4), D("1315.07")),
    ],
)
def test_late_interest_is_rounded_once_half_up_to_the_paisa(paid, expected):
    interest, _basis = rules.late_interest(D("1000000"), date(2027, 1, 1), paid, P)
    assert interest == expected


def test_late_interest_basis_explains_the_days_and_cites_the_rule():
    _, basis = rules.late_interest(D("1000000"), date(2027, 1, 1), date(2027, 3, 3), P)
    assert basis.startswith(
        "24% a year simple on Rs 10,00,000.00 x 1 day/365 beyond the 60 days' grace "
        "(due 1 Jan 2027, paid 3 Mar 2027: 61 days late) = Rs 657.53"
    )
    assert "sixtieth day after the due date until payment" in basis
    _, basis = rules.late_interest(D("1000000"), date(2027, 1, 1), date(2027, 3, 2), P)
    assert "60 days after the due date 1 Jan 2027: within the 60 days' grace, no interest" in basis


def test_late_interest_uses_the_tranches_rate_and_grace():
    params = AuctionParams(late_interest_pct_per_year=D("12"), late_interest_after_days=30)
    # 61 days late, 31 beyond a 30-day grace, at 12%: 3,65,000 x 12% / 365 = 120 a day x 31 = 3,720.
    interest, _ = rules.late_interest(DUE, date(2027, 1, 1), date(2027, 3, 3), params)
    assert interest == D("3720.00")


# ---------------------------------------------------------------------------------------------------------
# Monthly premium and the early-despatch concession (s.3 item 14)
# ---------------------------------------------------------------------------------------------------------


def _premium(month, loi, kind="ML", fpo="12.50", quantity="1000", price="1000", params=P):
    return rules.premium_due(
        fpo_pct=D(fpo),
        quantity_tonnes=D(quantity),
        price_per_tonne=D(price),
        month=month,
        loi_on=loi,
        lease_kind=kind,
        params=params,
    )


# 1,000 t x Rs 1,000/t = Rs 10,00,000 despatched; 12.50% of it = Rs 1,25,000; half = Rs 62,500.
@pytest.mark.parametrize(
    "kind, loi, month, concession, premium",
    [
        ("ML", date(2027, 3, 31), date(2027, 4, 1), D("50"), D("62500.00")),  # the first month
        # 5th anniversary 31 Mar 2032: March 2032 ends on it, so it is within; April 2032 is not.
        ("ML", date(2027, 3, 31), date(2032, 3, 1), D("50"), D("62500.00")),
        ("ML", date(2027, 3, 31), date(2032, 4, 1), D("100"), D("125000.00")),
        # 5th anniversary 15 Mar 2032: February 2032 (ends 29 Feb, leap) within; March 2032 straddles: in full.
        ("ML", date(2027, 3, 15), date(2032, 2, 1), D("50"), D("62500.00")),
        ("ML", date(2027, 3, 15), date(2032, 3, 1), D("100"), D("125000.00")),
        # A CL has 7 years: June 2033 is beyond an ML's 5 years but within a CL's.
        ("ML", date(2027, 3, 31), date(2033, 6, 1), D("100"), D("125000.00")),
        ("CL", date(2027, 3, 31), date(2033, 6, 1), D("50"), D("62500.00")),
        ("CL", date(2027, 3, 31), date(2034, 3, 1), D("50"), D("62500.00")),  # 7th anniversary 31 Mar 2034
        ("CL", date(2027, 3, 31), date(2034, 4, 1), D("100"), D("125000.00")),
        # LoI 29 Feb 2028: the 7th anniversary is 28 Feb 2035 (no 29 Feb): February 2035 within, March not.
        ("CL", date(2028, 2, 29), date(2035, 2, 1), D("50"), D("62500.00")),
        ("CL", date(2028, 2, 29), date(2035, 3, 1), D("100"), D("125000.00")),
        ("ML", date(2027, 3, 31), date(2032, 3, 17), D("50"), D("62500.00")),  # any day names its month
    ],
)
def test_premium_is_halved_for_despatches_within_five_or_seven_years_of_the_loi(kind, loi, month, concession, premium):
    result = _premium(month, loi, kind)
    assert result.value_despatched == D("1000000.00")
    assert result.concession_pct == concession
    assert result.premium == premium


def test_premium_rounds_the_value_to_the_paisa_and_the_premium_once():
    # 333.333 t x Rs 1,234.56 = 4,11,519.58848 -> VMD Rs 4,11,519.59; 7.25% of it = 29,835.170275 -> 29,835.17.
    full = _premium(date(2033, 1, 1), date(2027, 1, 1), fpo="7.25", quantity="333.333", price="1234.56")
    assert (full.value_despatched, full.premium) == (D("411519.59"), D("29835.17"))
    # VMD Rs 1,000.25 at 10% x 50% = 50.0125 -> 50.01 (rounded once), not half of 100.03 = 50.015 -> 50.02.
    half = _premium(date(2027, 2, 1), date(2027, 1, 1), fpo="10.00", quantity="1", price="1000.25")
    assert half.premium == D("50.01")


def test_premium_basis_explains_the_concession_or_its_end():
    early = _premium(date(2032, 3, 1), date(2027, 3, 31))
    assert early.basis == (
        "12.50% of the value despatched in March 2032, Rs 10,00,000.00 (1,000.00 t x Rs 1,000.00/t) x 50% "
        "(despatched within 5 years of the LoI of 31 Mar 2027, by 31 Mar 2032) = Rs 62,500.00 (RULES.md s.3 item 14)"
    )
    late = _premium(date(2032, 4, 1), date(2027, 3, 31))
    assert "in full: the 5-year concession from the LoI of 31 Mar 2027 ended on 31 Mar 2032" in late.basis
    assert late.basis.endswith("= Rs 1,25,000.00 (RULES.md s.3 item 14)")


def test_premium_uses_the_tranches_concession():
    params = AuctionParams(premium_concession_pct=D("25"), premium_concession_years_ml=3)
    # 3 years from 31 Mar 2027 = 31 Mar 2030: March 2030 pays 25% of 1,25,000 = 31,250; April 2030 in full.
    assert _premium(date(2030, 3, 1), date(2027, 3, 31), params=params).premium == D("31250.00")
    assert _premium(date(2030, 4, 1), date(2027, 3, 31), params=params).premium == D("125000.00")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"quantity": "-1"}, "cannot be negative"),
        ({"price": "-0.01"}, "cannot be negative"),
        ({"kind": "EL"}, "not 'EL'"),
        ({"month": date(2027, 2, 1)}, "No premium is due for February 2027"),  # the LoI came on 1 Mar 2027
    ],
)
def test_premium_refuses_what_cannot_be(kwargs, message):
    args = {"month": date(2027, 3, 1), "loi": date(2027, 3, 1)} | kwargs
    with pytest.raises(ValueError, match=message):
        _premium(**args)


@pytest.mark.parametrize(
    "month, expected",
    [
        (date(2027, 1, 1), date(2027, 2, 10)),
        (date(2027, 1, 31), date(2027, 2, 10)),  # any day names its month
        (date(2027, 12, 1), date(2028, 1, 10)),  # across the year end
        (date(2028, 2, 1), date(2028, 3, 10)),
    ],
)
def test_premium_return_is_due_on_the_tenth_of_the_following_month(month, expected):
    assert rules.premium_return_due(month) == expected


# ---------------------------------------------------------------------------------------------------------
# Exploration licences (s.4)
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, share, expected",
    [
        (D("1000000"), D("12.50"), D("125000.00")),  # 12.5% of 10 lakh
        (D("1000.05"), D("10"), D("100.01")),  # 100.005 half-up
        (D("1000.04"), D("10"), D("100.00")),  # 100.004 down
        (D("777"), D("0"), D("0.00")),
        (D("777"), D("100"), D("777.00")),
    ],
)
def test_el_premium_share(amount, share, expected):
    value, _basis = rules.el_premium_share(amount, share)
    assert value == expected


def test_el_premium_share_basis():
    _, basis = rules.el_premium_share(D("1000000"), D("12.50"))
    assert basis == (
        "12.50% of the premium payment Rs 10,00,000.00 = Rs 1,25,000.00 to the exploration licence holder "
        "(RULES.md s.4)"
    )


GOLD = MineralFacts("Gold", part_d=False, seventh_schedule=True)
LITHIUM = MineralFacts("Lithium", part_d=True, seventh_schedule=True)
LIMESTONE = MineralFacts("Limestone", part_d=False, seventh_schedule=False)
BAUXITE = MineralFacts("Bauxite", part_d=False, seventh_schedule=False)
MARBLE = MineralFacts("Marble", part_d=False, seventh_schedule=False)


@pytest.mark.parametrize(
    "area, minerals, expected",
    [
        (D("100000"), [GOLD], []),  # exactly 1,000 km² = 1,00,000 ha: allowed
        (D("50"), [GOLD, LITHIUM], []),
        (
            D("100000.0001"),  # one square metre over
            [GOLD],
            [
                "The area is 1,000.000001 km² (1,00,000.0001 ha); an exploration licence may cover at most "
                "1,000.00 km² (1,00,000.00 ha). Reduce the area."
            ],
        ),
        (
            D("50"),
            [GOLD, LIMESTONE],
            [
                "Limestone is not a Seventh Schedule mineral: an exploration licence can cover only the critical and "
                "deep-seated minerals of the Seventh Schedule to the Act (s.10BA)."
            ],
        ),
        (D("50"), [], ["Name at least one mineral: an exploration licence can cover only the critical"]),
    ],
)
def test_el_application_area_and_minerals(area, minerals, expected):
    errors = rules.el_application_errors(area_hectares=area, minerals=minerals, params=P)
    assert len(errors) == len(expected)
    for error, start in zip(errors, expected, strict=True):
        assert error.startswith(start)


def test_el_application_names_every_refused_mineral_and_lists_the_eligible_ones():
    errors = rules.el_application_errors(
        area_hectares=D("150000"),
        minerals=[LIMESTONE, GOLD, BAUXITE, MARBLE],
        params=P,
        eligible=["Lithium", "Copper", "Gold"],
    )
    assert errors[0].startswith("The area is 1,500.00 km² (1,50,000.00 ha)")
    assert errors[1] == (
        "Limestone, Bauxite and Marble are not Seventh Schedule minerals: an exploration licence can cover only "
        "the Seventh Schedule minerals (Copper, Gold, Lithium)."
    )


def test_el_application_uses_the_tranches_area_limit():
    params = AuctionParams(el_max_area_km2=D("500"))
    assert rules.el_application_errors(area_hectares=D("50000"), minerals=[GOLD], params=params) == []
    [error] = rules.el_application_errors(area_hectares=D("50000.01"), minerals=[GOLD], params=params)
    assert "at most 500.00 km² (50,000.00 ha)" in error


# The EL bidder's eligibility and the tender's ceiling are auctions.rules (el_bidder_error, el_ceiling_error),
# tested in tests/auctions/test_el_auction_rules.py; the EL grant re-checks them with the same functions.


@pytest.mark.parametrize(
    "granted, expiry, relinquishment",
    [
        (date(2027, 4, 1), date(2032, 4, 1), date(2030, 4, 1)),  # + 5 years, + 3 years
        (date(2028, 2, 29), date(2033, 2, 28), date(2031, 2, 28)),  # from 29 Feb: 28 Feb in common years
    ],
)
def test_el_term_and_relinquishment_date(granted, expiry, relinquishment):
    assert rules.el_expiry(granted, P) == expiry
    assert rules.el_relinquishment_due(granted, P) == relinquishment


def test_el_term_comes_from_the_tranche():
    params = AuctionParams(el_term_years=4, el_relinquishment_after_years=2)
    assert rules.el_expiry(date(2027, 4, 1), params) == date(2031, 4, 1)
    assert rules.el_relinquishment_due(date(2027, 4, 1), params) == date(2029, 4, 1)


# Granted 1 Apr 2027: expires 1 Apr 2032; an extension may go to 1 Apr 2034 at the latest.
@pytest.mark.parametrize(
    "requested, extended, on, expected",
    [
        (date(2034, 4, 1), False, None, None),  # exactly 2 years
        (date(2032, 4, 2), False, None, None),  # one day
        (date(2033, 1, 1), False, date(2032, 4, 1), None),  # asked on the expiry day: still in force
        (
            date(2034, 4, 2),
            False,
            None,
            "The new expiry 2 Apr 2034 is too late: an exploration licence may be extended by at most 2 years beyond "
            "its original expiry 1 Apr 2032, to 1 Apr 2034.",
        ),
        (
            date(2032, 4, 1),
            False,
            None,
            "The new expiry 1 Apr 2032 must be later than the current expiry 1 Apr 2032.",
        ),
        (date(2031, 1, 1), False, None, "The new expiry 1 Jan 2031 must be later than the current expiry"),
        (
            date(2033, 1, 1),
            True,
            None,
            "The licence has already been extended once; an exploration licence can be extended only once.",
        ),
        (
            date(2033, 1, 1),
            False,
            date(2032, 4, 2),
            "The licence expired on 1 Apr 2032; an expired licence cannot be extended.",
        ),
    ],
)
def test_el_extension(requested, extended, on, expected):
    error = rules.el_extension_error(
        granted_on=date(2027, 4, 1),
        expires_on=date(2032, 4, 1),
        requested_to=requested,
        already_extended=extended,
        params=P,
        on=on,
    )
    if expected is None:
        assert error is None
    else:
        assert error.startswith(expected)


def test_el_extension_from_a_leap_day_and_under_the_tranches_limit():
    # Granted 29 Feb 2028: expires 28 Feb 2033; at most 2 more years: 28 Feb 2035.
    args = {"granted_on": date(2028, 2, 29), "expires_on": date(2033, 2, 28), "already_extended": False}
    assert rules.el_extension_error(requested_to=date(2035, 2, 28), params=P, **args) is None
    assert "to 28 Feb 2035" in rules.el_extension_error(requested_to=date(2035, 3, 1), params=P, **args)
    one_year = AuctionParams(el_extension_max_years=1)
    assert "at most 1 years beyond" in rules.el_extension_error(requested_to=date(2034, 3, 1), params=one_year, **args)


@pytest.mark.parametrize(
    "granted, expires, expected",
    [
        # Every 12 months from the grant, up to and including the expiry: five reports in five years.
        (date(2027, 4, 1), date(2032, 4, 1), [date(y, 4, 1) for y in range(2028, 2033)]),
        (date(2027, 4, 1), date(2032, 3, 31), [date(y, 4, 1) for y in range(2028, 2032)]),
        # Extended to 1 Oct 2033: a sixth report on 1 Apr 2033.
        (date(2027, 4, 1), date(2033, 10, 1), [date(y, 4, 1) for y in range(2028, 2034)]),
        # From 29 Feb 2028: 28 Feb in common years, 29 Feb in 2032.
        (
            date(2028, 2, 29),
            date(2033, 2, 28),
            [date(2029, 2, 28), date(2030, 2, 28), date(2031, 2, 28), date(2032, 2, 29), date(2033, 2, 28)],
        ),
        (date(2027, 4, 1), date(2028, 3, 31), []),
    ],
)
def test_el_annual_report_dates(granted, expires, expected):
    assert rules.el_report_due_dates(granted, expires, P) == expected


@pytest.mark.parametrize(
    "report_on, expected",
    [(date(2030, 6, 15), date(2031, 6, 15)), (date(2028, 2, 29), date(2029, 2, 28))],
)
def test_discovery_auction_is_due_a_year_after_the_geological_report(report_on, expected):
    assert rules.discovery_auction_due(report_on, P) == expected
    assert rules.discovery_auction_due(report_on, AuctionParams(el_discovery_auction_months=6)) == rules.add_months(
        report_on, 6
    )


# ---------------------------------------------------------------------------------------------------------
# Relinquishment: the retained area (s.4)
# ---------------------------------------------------------------------------------------------------------


def box(lon1, lat1, lon2, lat2):
    return [[[lon1, lat1], [lon2, lat1], [lon2, lat2], [lon1, lat2], [lon1, lat1]]]


def polygon(*corners):
    return {"type": "Polygon", "coordinates": box(*corners)}


def multipolygon(*boxes):
    return {"type": "MultiPolygon", "coordinates": [box(*b) for b in boxes]}


# The licence: 0.1° x 0.1° in Jharkhand. Between two parallels an area is proportional to its width in
# longitude, so a strip of the same latitudes a quarter as wide (0.025°) holds exactly 25% of it.
ORIGINAL = polygon(85.0, 23.0, 85.1, 23.1)
# Its area by the independent ellipsoid formula (between parallels): about 11,349.6 ha; a sphere of radius
# 6,371 km gives 6371² x 0.1 x pi/180 x (sin 23.1° - sin 23.0°) = 113.8 km², within 0.3% of it. The boundary's
# edges are geodesics, which leave the parallels by a few square metres, hence the 0.01 ha allowed below.
ORIGINAL_HA = D(repr(quadrangle_area_m2(85.0, 23.0, 85.1, 23.1) / 10000))


def test_the_original_area_is_what_the_independent_formula_gives():
    result = rules.retention_check(ORIGINAL, polygon(85.0, 23.0, 85.025, 23.1), P)
    assert abs(result.original_area_hectares - ORIGINAL_HA) < D("0.01")
    assert D("11300") < result.original_area_hectares < D("11450")


@pytest.mark.parametrize(
    "retained, pct",
    [
        (polygon(85.0, 23.0, 85.025, 23.1), D("25.00")),  # exactly a quarter, sharing three of the edges
        (polygon(85.05, 23.0, 85.075, 23.1), D("25.00")),  # a quarter from the middle
        (multipolygon((85.0, 23.0, 85.01, 23.1), (85.05, 23.0, 85.06, 23.1)), D("20.00")),  # two kept parts
        (polygon(85.0, 23.0, 85.01, 23.1), D("10.00")),
        (polygon(85.0 - 5e-8, 23.0, 85.01, 23.1), D("10.00")),  # 5e-8° (5 mm) out: within the tolerance
    ],
)
def test_a_retained_area_inside_the_original_and_at_most_a_quarter_is_accepted(retained, pct):
    result = rules.retention_check(ORIGINAL, retained, P)
    assert result.ok, result.errors
    assert result.errors == []
    assert result.retained_pct == pct
    assert result.retained_geojson["type"] == retained["type"]


def test_the_retained_share_comes_from_the_tranche():
    result = rules.retention_check(ORIGINAL, polygon(85.0, 23.0, 85.03, 23.1), AuctionParams(el_retained_max_pct=30))
    assert result.ok
    assert result.retained_pct == D("30.00")


def _allowed(pct):
    return f"{ORIGINAL_HA * pct / 100:,.2f}"  # below 1 lakh, Indian and western grouping agree


@pytest.mark.parametrize(
    "retained, pct",
    [
        (polygon(85.0, 23.0, 85.02501, 23.1), "25.01"),  # 0.02501° of 0.1°: 25.01%
        (multipolygon((85.0, 23.0, 85.015, 23.1), (85.05, 23.0, 85.065, 23.1)), "30.00"),  # two parts of 15%
        (ORIGINAL, "100.00"),  # keeping everything
    ],
)
def test_keeping_more_than_a_quarter_is_refused_with_the_figures(retained, pct):
    result = rules.retention_check(ORIGINAL, retained, P)
    assert not result.ok
    assert result.errors == [
        f"The retained area is {pct}% of the original {ORIGINAL_HA:,.2f} ha; at most 25% may be kept "
        f"({_allowed(25)} ha)."
    ]
    assert result.retained_pct == D(pct)


def _about(message):
    return D(re.search(r"about ([\d,.]+) ha", message).group(1).replace(",", ""))


def test_a_retained_polygon_partly_outside_is_refused_with_the_area_outside():
    # 85.09 to 85.11: half inside, half (85.10 to 85.11, between 23.00 and 23.01) outside.
    outside_ha = D(repr(quadrangle_area_m2(85.10, 23.0, 85.11, 23.01) / 10000))  # about 113.8 ha
    result = rules.retention_check(ORIGINAL, polygon(85.09, 23.0, 85.11, 23.01), P)
    assert not result.ok
    [error] = result.errors
    assert error.startswith("Part of the retained area lies outside the licence's original boundary (about ")
    assert abs(_about(error) - outside_ha) <= D("0.05")


def test_a_retained_polygon_outside_and_too_large_gets_both_reasons():
    result = rules.retention_check(ORIGINAL, polygon(85.05, 23.0, 85.15, 23.1), P)  # half outside, 100% in size
    assert len(result.errors) == 2
    assert "outside the licence's original boundary" in result.errors[0]
    assert result.errors[1].startswith("The retained area is 100.00% of the original")


@pytest.mark.parametrize(
    "retained, outside",
    [
        # A sliver 2e-7° (about 2 cm) wide along the west edge, twice the tolerance: 0.02 ha.
        (polygon(85.0 - 2e-7, 23.0, 85.02, 23.1), "(less than 0.1 ha)"),
        # A 0.0001° (about 10 m) strip along the west edge: 1/1000 of the licence's 11,349.6 ha = 11.35 ha,
        # 11.3496 to four places: about 11.3 ha.
        (polygon(84.9999, 23.0, 85.02, 23.1), "(about 11.3 ha)"),
    ],
)
def test_even_a_thin_strip_outside_is_refused(retained, outside):
    result = rules.retention_check(ORIGINAL, retained, P)
    assert not result.ok
    assert result.errors == [f"Part of the retained area lies outside the licence's original boundary {outside}."]


def test_a_retained_area_that_is_not_a_valid_boundary_is_refused_with_the_reason():
    result = rules.retention_check(ORIGINAL, {"type": "Point", "coordinates": [85.0, 23.0]}, P)
    assert not result.ok
    assert result.errors == ["The retained area: The boundary must be a Polygon or MultiPolygon, not Point."]
    assert result.retained_area_hectares is None
    assert result.original_area_hectares is not None


def test_late_interest_basis_for_a_single_day_late():
    _, basis = rules.late_interest(D("1000"), date(2027, 1, 1), date(2027, 1, 2), P)
    assert basis.startswith("Paid on 2 Jan 2027, 1 day after the due date 1 Jan 2027: within the 60 days' grace")
