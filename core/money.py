"""Money and percentages: Decimal only, one rounding rule (half-up) in one place."""

from decimal import ROUND_HALF_UP, Decimal

PAISA = Decimal("0.01")
HUNDRED = Decimal("100")
LAKH = Decimal("100000")
CRORE = Decimal("10000000")


def to_decimal(value) -> Decimal:
    """Convert an int, str or Decimal to Decimal; floats are refused (they are not exact)."""
    if isinstance(value, float):
        raise TypeError("floats are not accepted for money or percentages; pass a str or Decimal")
    if isinstance(value, Decimal):
        return value
    return Decimal(value)


def round_half_up(value, places: int = 2) -> Decimal:
    """Round half-up to `places` decimals (2 = paisa for INR, or hundredths of a percentage point)."""
    quantum = Decimal(1).scaleb(-places)
    return to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)


def inr(value) -> Decimal:
    """An amount in rupees rounded half-up to the paisa."""
    return round_half_up(value, 2)


def percent_of(amount, percent) -> Decimal:
    """`percent`% of `amount`, in rupees rounded half-up to the paisa."""
    return inr(to_decimal(amount) * to_decimal(percent) / HUNDRED)


def format_inr(amount) -> str:
    """Indian digit grouping: 12345678.9 -> 'Rs 1,23,45,678.90'."""
    value = inr(amount)
    sign = "-" if value < 0 else ""
    whole, frac = f"{abs(value):.2f}".split(".")
    if len(whole) > 3:
        head, tail = whole[:-3], whole[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        whole = ",".join(groups + [tail])
    return f"{sign}Rs {whole}.{frac}"
