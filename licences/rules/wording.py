"""How the rules write figures and dates in the `basis` sentences and messages (pure)."""

from datetime import date
from decimal import Decimal

from core.money import format_inr, round_half_up, to_decimal


def fmt_day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def fmt_pct(value) -> str:
    """A percentage as the Rules write it: 1%, 0.5%, 12.50% (no trailing zeros added, none invented)."""
    value = to_decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


def fmt_grouped(value, places: int = 2) -> str:
    """A number with Indian digit grouping (1,00,000.00), as `core.money.format_inr` groups rupees."""
    value = round_half_up(value, places)
    sign = "-" if value < 0 else ""
    whole, _, frac = f"{abs(value):.{places}f}".partition(".")
    grouped = format_inr(Decimal(whole)).removeprefix("Rs ")[:-3]
    return f"{sign}{grouped}.{frac}" if places else f"{sign}{grouped}"


def fmt_exact(value) -> str:
    """A number to two decimals, or to as many as it has where two would hide a difference (1,00,000.0001)."""
    exponent = to_decimal(value).normalize().as_tuple().exponent
    return fmt_grouped(value, max(2, -exponent) if isinstance(exponent, int) else 2)
