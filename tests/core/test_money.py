"""core/money.py: Decimal only, half-up to the paisa, Indian digit grouping."""

from decimal import Decimal as D

import pytest

from core.money import format_inr, inr, percent_of, round_half_up, to_decimal


@pytest.mark.parametrize(
    "value, expected",
    [
        (D("2.505"), D("2.51")),  # half-even would give 2.50
        (D("2.515"), D("2.52")),
        (D("2.525"), D("2.53")),  # half-even would give 2.52
        (D("2.5049"), D("2.50")),
        (D("-2.505"), D("-2.51")),  # half-up rounds away from zero
        (D("0.005"), D("0.01")),
        (D("0.004999"), D("0.00")),
        ("10", D("10.00")),
        (7, D("7.00")),
    ],
)
def test_inr_rounds_half_up_to_the_paisa(value, expected):
    result = inr(value)
    assert result == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "value, places, expected",
    [
        (D("12.345"), 2, D("12.35")),
        (D("12.3449"), 2, D("12.34")),
        (D("0.00005"), 4, D("0.0001")),
        (D("2.5"), 0, D("3")),
    ],
)
def test_round_half_up_to_any_number_of_places(value, places, expected):
    assert round_half_up(value, places) == expected


@pytest.mark.parametrize("function", [to_decimal, inr, lambda v: round_half_up(v, 2), lambda v: percent_of(v, "1")])
def test_floats_are_refused(function):
    with pytest.raises(TypeError, match="floats are not accepted"):
        function(0.1)


def test_percent_of_is_refused_a_float_percentage():
    with pytest.raises(TypeError):
        percent_of(D("100"), 0.25)


@pytest.mark.parametrize(
    "amount, percent, expected",
    [
        (D("1000000"), D("0.25"), D("2500.00")),
        (D("1002"), D("0.25"), D("2.51")),  # 2.505
        (D("123456789.99"), "0.5", D("617283.95")),  # 617283.94995
        (D("0"), D("0.5"), D("0.00")),
    ],
)
def test_percent_of_rounds_half_up(amount, percent, expected):
    assert percent_of(amount, percent) == expected


def test_to_decimal_keeps_decimals_and_reads_strings_and_ints_exactly():
    value = D("1.10")
    assert to_decimal(value) is value
    assert to_decimal("0.1") + to_decimal("0.2") == D("0.3")
    assert to_decimal(3) == D("3")


@pytest.mark.parametrize(
    "amount, text",
    [
        (D("0"), "Rs 0.00"),
        (D("5"), "Rs 5.00"),
        (D("999.999"), "Rs 1,000.00"),  # rounded first, then grouped
        (D("1000"), "Rs 1,000.00"),
        (D("99999.5"), "Rs 99,999.50"),
        (D("100000"), "Rs 1,00,000.00"),  # one lakh
        (D("12345678.9"), "Rs 1,23,45,678.90"),
        (D("10000000"), "Rs 1,00,00,000.00"),  # one crore
        (D("5000000000"), "Rs 5,00,00,00,000.00"),  # 500 crore
        (D("-1234567.891"), "-Rs 12,34,567.89"),
        ("300000", "Rs 3,00,000.00"),
    ],
)
def test_format_inr_groups_digits_the_indian_way(amount, text):
    assert format_inr(amount) == text


def test_format_inr_refuses_a_float():
    with pytest.raises(TypeError):
        format_inr(1234.5)
