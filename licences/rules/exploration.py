"""Exploration licences (RULES.md s.4): the premium share, the area and minerals, the term and its extension, the
reports, the relinquishment and its retention check, the State's discovery auction."""

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from auctions.rules import AuctionParams, MineralFacts
from core.dates import NO_CLOSED_DAYS
from core.geo import BoundaryError, geodesic_area_hectares, parse_boundary
from core.money import HUNDRED, format_inr, percent_of, round_half_up, to_decimal
from licences.rules.terms import TERMS, TermKind
from licences.rules.wording import fmt_day, fmt_exact, fmt_grouped, fmt_pct

HECTARES_PER_KM2 = Decimal("100")
# A retained polygon may stray outside the original boundary by this much (about a centimetre at India's
# latitudes): a vertex drawn on the original's edge is inside, whatever the last digit of its coordinates.
RETENTION_TOLERANCE_DEGREES = 1e-7
# Areas are measured and stored to 0.0001 ha (one square metre); a difference below that is not an excess.
AREA_PRECISION_HECTARES = Decimal("0.0001")


def el_premium_share(amount, share_pct) -> tuple[Decimal, str]:
    """The EL holder's share of one premium payment of a lease auctioned on its discovery (RULES.md s.4)."""
    amount, share_pct = to_decimal(amount), to_decimal(share_pct)
    share = percent_of(amount, share_pct)
    return share, (
        f"{fmt_pct(share_pct)}% of the premium payment {format_inr(amount)} = {format_inr(share)} "
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
            f"The area is {fmt_exact(area / HECTARES_PER_KM2)} km² ({fmt_exact(area)} ha); an exploration licence "
            f"may cover at most {fmt_exact(params.el_max_area_km2)} km² ({fmt_exact(limit)} ha). Reduce the area."
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
        return f"The licence expired on {fmt_day(expires_on)}; an expired licence cannot be extended."
    if requested_to <= expires_on:
        return f"The new expiry {fmt_day(requested_to)} must be later than the current expiry {fmt_day(expires_on)}."
    if requested_to > latest:
        return (
            f"The new expiry {fmt_day(requested_to)} is too late: an exploration licence may be extended by at most "
            f"{params.el_extension_max_years} years beyond its original expiry {fmt_day(original)}, to "
            f"{fmt_day(latest)}."
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
        about = f"about {fmt_grouped(outside, 1)} ha" if outside >= Decimal("0.05") else "less than 0.1 ha"
        errors.append(f"Part of the retained area lies outside the licence's original boundary ({about}).")
    share = round_half_up(retained.area_hectares * HUNDRED / original.area_hectares, 2)
    allowed = original.area_hectares * params.el_retained_max_pct / HUNDRED
    if retained.area_hectares > allowed + AREA_PRECISION_HECTARES:
        errors.append(
            f"The retained area is {share}% of the original {fmt_grouped(original.area_hectares)} ha; at most "
            f"{fmt_pct(params.el_retained_max_pct)}% may be kept ({fmt_grouped(allowed)} ha)."
        )
    return RetentionResult(
        ok=not errors,
        errors=errors,
        retained_area_hectares=retained.area_hectares,
        original_area_hectares=original.area_hectares,
        retained_pct=share,
        retained_geojson=retained.geojson,
    )
