"""Surrender and termination (RULES.md s.3 item 19) as table tests of the pure rules: the notice of a surrender and
its last day, when the regulator may record it, when a termination may follow its notice and hearing, which dues
survive the end, and what becomes of the performance security."""

from datetime import date
from decimal import Decimal

import pytest

from licences import rules


@pytest.mark.parametrize(
    ("notice_on", "months", "last_day"),
    [
        (date(2027, 4, 1), 12, date(2028, 4, 1)),  # "from" excludes the day of notice: in force up to 1 Apr 2028
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # no 29 Feb in 2029: the month's last day
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2027, 12, 31), 6, date(2028, 6, 30)),
        (date(2027, 4, 1), 0, date(2027, 4, 1)),  # a tranche without notice: the day itself
        (date(2027, 4, 1), 24, date(2029, 4, 1)),
    ],
)
def test_a_surrender_ends_the_licence_when_its_calendar_months_of_notice_have_run(notice_on, months, last_day):
    assert rules.surrender_last_day(notice_on, months) == last_day


@pytest.mark.parametrize(
    ("last_day", "refused"),
    [
        (None, False),  # as early as the notice allows
        (date(2028, 4, 1), False),  # exactly 12 months
        (date(2028, 4, 2), False),  # later is the holder's choice
        (date(2030, 1, 1), False),
        (date(2028, 3, 31), True),  # a day short
        (date(2027, 4, 1), True),  # at once
    ],
)
def test_a_holder_may_name_a_later_last_day_but_never_an_earlier_one(last_day, refused):
    error = rules.surrender_notice_error(notice_on=date(2027, 4, 1), months=12, last_day=last_day)
    assert (error is not None) is refused
    if refused:
        assert "12 months' notice" in error and "1 Apr 2028 at the earliest" in error


@pytest.mark.parametrize(
    ("on", "refused"),
    [(date(2028, 3, 31), True), (date(2028, 4, 1), False), (date(2028, 4, 2), False), (date(2027, 4, 2), True)],
)
def test_the_regulator_records_a_surrender_once_its_notice_has_run_to_its_last_day(on, refused):
    error = rules.surrender_acceptance_error(last_day=date(2028, 4, 1), on=on)
    assert (error is not None) is refused
    if refused:
        assert "runs until 1 Apr 2028" in error


TODAY = date(2029, 6, 30)


@pytest.mark.parametrize(
    ("notice_on", "heard_on", "fields"),
    [
        (date(2029, 5, 1), date(2029, 6, 1), set()),
        (date(2029, 6, 30), date(2029, 6, 30), set()),  # served and heard today: the rule names no interval
        (date(2029, 5, 1), date(2029, 5, 1), set()),
        (None, date(2029, 6, 1), {"notice_on"}),
        (date(2029, 5, 1), None, {"heard_on"}),
        (None, None, {"notice_on", "heard_on"}),
        (date(2029, 6, 1), date(2029, 5, 31), {"heard_on"}),  # heard before the notice
        (date(2029, 7, 1), date(2029, 7, 2), {"notice_on", "heard_on"}),  # both in the future
        (date(2029, 5, 1), date(2029, 7, 1), {"heard_on"}),  # the hearing is still to come
    ],
)
def test_a_termination_follows_a_notice_and_a_hearing_held_by_today(notice_on, heard_on, fields):
    errors = rules.termination_error(notice_on=notice_on, heard_on=heard_on, on=TODAY)
    assert set(errors) == fields


def test_a_hearing_before_its_notice_is_refused_with_the_notices_day():
    errors = rules.termination_error(notice_on=date(2029, 6, 1), heard_on=date(2029, 5, 31), on=TODAY)
    assert errors["heard_on"] == "The hearing follows the notice of 1 Jun 2029; it cannot be before it."


@pytest.mark.parametrize(
    ("due_on", "payable"),
    [(date(2028, 3, 10), True), (date(2028, 4, 1), True), (date(2028, 4, 2), False), (date(2029, 1, 1), False)],
)
def test_dues_up_to_the_last_day_stay_payable_and_later_ones_are_no_longer_due(due_on, payable):
    assert rules.stays_payable(due_on, date(2028, 4, 1)) is payable


@pytest.mark.parametrize(
    ("ending", "furnished", "open_dues", "closure_settled", "action", "words"),
    [
        ("termination", Decimal("10000000"), 0, False, "forfeited", "Rs 1,00,00,000.00 is forfeited on termination"),
        ("termination", Decimal("10000000"), 3, True, "forfeited", "forfeited"),
        ("termination", Decimal("0"), 0, False, "none", "No performance security was held."),
        ("surrender", None, 0, True, "none", "No performance security was held."),  # an EL has none
        ("surrender", Decimal("10000000"), 0, True, "returned", "is returned"),
        ("surrender", Decimal("10000000"), 2, True, "held", "held until 2 due(s) still payable are settled"),
        ("surrender", Decimal("10000000"), 0, False, "held", "held until the closure obligations are settled"),
        ("surrender", Decimal("10000000"), 1, False, "held", "1 due(s) still payable and the closure obligations"),
    ],
)
def test_the_performance_security_is_forfeited_on_termination_and_returned_after_a_settled_surrender(
    ending, furnished, open_dues, closure_settled, action, words
):
    outcome = rules.performance_security_on_end(
        ending=ending, furnished=furnished, open_dues=open_dues, closure_settled=closure_settled
    )
    assert outcome.action == action
    assert words in outcome.basis
    assert outcome.amount == (furnished or Decimal("0"))


def test_an_end_other_than_surrender_or_termination_is_not_guessed():
    with pytest.raises(ValueError, match="surrender or termination"):
        rules.performance_security_on_end(ending="expiry", furnished=Decimal("1"), open_dues=0)
