"""The monthly premium of a lease (RULES.md s.3 item 14): the winning percentage of the value of mineral
despatched, the early-despatch concession, and the return's due date."""

from collections.abc import Container
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from auctions.rules import CL, ML, AuctionParams
from core.dates import NO_CLOSED_DAYS, last_day_of_month
from core.money import HUNDRED, format_inr, inr, to_decimal
from licences.rules.terms import TERMS, TermKind
from licences.rules.wording import fmt_day, fmt_exact, fmt_pct

# The day of the month after the return's month by which a monthly premium is paid (an assumption: see
# `premium_return_due`).
PREMIUM_DUE_DAY = 10


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
        raise ValueError(f"No premium is due for {first_day:%B %Y}: the Letter of Intent came on {fmt_day(loi_on)}.")
    ends = concession_ends(loi_on, lease_kind, params)
    early = last_day <= ends
    concession = params.premium_concession_pct if early else HUNDRED
    value = inr(quantity * price)
    premium = inr(value * fpo * concession / (HUNDRED * HUNDRED))
    years = params.premium_concession_years_ml if lease_kind == ML else params.premium_concession_years_cl
    text = (
        f"{fmt_pct(fpo)}% of the value despatched in {first_day:%B %Y}, {format_inr(value)} "
        f"({fmt_exact(quantity)} t x {format_inr(price)}/t)"
    )
    if early:
        within = f"despatched within {years} years of the LoI of {fmt_day(loi_on)}, by {fmt_day(ends)}"
        text += f" x {fmt_pct(concession)}% ({within})"
    else:
        text += f" (in full: the {years}-year concession from the LoI of {fmt_day(loi_on)} ended on {fmt_day(ends)})"
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
