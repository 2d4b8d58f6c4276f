"""The law after the auction and of exploration licences, as pure functions (no ORM), one module per topic:
`terms` (the kinds of term, the lease's 50 years), `money` (upfront payment, security, first dues, late
interest), `schedule` (milestones, delay penalties, revocation grounds), `premium`, `exploration`, `ending`
(surrender and termination, tested in tests/licences/test_rules_ending.py), and how they word figures (`wording`).
Each has a table test in tests/licences/test_rules.py; this package re-exports them, so callers read
`rules.premium_due(...)`.

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

# The EL eligibility and ceiling rules live once, in auctions.rules: re-exported for the grant.
from auctions.rules import (
    CL,
    ML,
    AuctionParams,
    MineralFacts,
    el_bidder_error,
    el_ceiling_error,
    is_percentage,
)
from licences.rules.ending import (
    RULE_ENDING,
    SecurityOutcome,
    performance_security_on_end,
    stays_payable,
    surrender_acceptance_error,
    surrender_last_day,
    surrender_notice_error,
    termination_error,
)
from licences.rules.exploration import (
    AREA_PRECISION_HECTARES,
    HECTARES_PER_KM2,
    RETENTION_TOLERANCE_DEGREES,
    RetentionResult,
    discovery_auction_due,
    el_application_errors,
    el_expiry,
    el_extension_error,
    el_extension_latest,
    el_premium_share,
    el_relinquishment_due,
    el_report_due_dates,
    retention_check,
)
from licences.rules.money import (
    DAYS_IN_YEAR,
    first_payment_basis,
    first_payment_due,
    late_interest,
    performance_security,
    performance_security_basis,
    upfront_instalment_bases,
    upfront_instalments,
    upfront_payment,
    upfront_payment_basis,
)
from licences.rules.premium import (
    PREMIUM_DUE_DAY,
    PremiumComputation,
    concession_ends,
    premium_due,
    premium_return_due,
)
from licences.rules.schedule import (
    FIRST_DUES,
    NOT_GROUNDS,
    RULE_45_DAYS,
    RULE_MILESTONES,
    Due,
    Milestone,
    delay_penalty,
    milestones,
    months_or_part_late,
    revocation_grounds,
)
from licences.rules.terms import (
    LEASE_TERM_YEARS,
    TERMS,
    TermKind,
    add_months,
    add_years,
    fmt_moved,
    lease_expiry,
    lease_term_basis,
)
from licences.rules.wording import (
    fmt_day,
    fmt_exact,
    fmt_grouped,
    fmt_pct,
)

__all__ = [
    "AREA_PRECISION_HECTARES",
    "AuctionParams",
    "CL",
    "DAYS_IN_YEAR",
    "Due",
    "FIRST_DUES",
    "HECTARES_PER_KM2",
    "LEASE_TERM_YEARS",
    "ML",
    "Milestone",
    "MineralFacts",
    "NOT_GROUNDS",
    "PREMIUM_DUE_DAY",
    "PremiumComputation",
    "RETENTION_TOLERANCE_DEGREES",
    "RULE_45_DAYS",
    "RULE_ENDING",
    "RULE_MILESTONES",
    "RetentionResult",
    "SecurityOutcome",
    "TERMS",
    "TermKind",
    "add_months",
    "add_years",
    "concession_ends",
    "delay_penalty",
    "discovery_auction_due",
    "el_application_errors",
    "el_bidder_error",
    "el_ceiling_error",
    "el_expiry",
    "el_extension_error",
    "el_extension_latest",
    "el_premium_share",
    "el_relinquishment_due",
    "el_report_due_dates",
    "first_payment_basis",
    "first_payment_due",
    "fmt_day",
    "fmt_exact",
    "fmt_grouped",
    "fmt_moved",
    "fmt_pct",
    "is_percentage",
    "late_interest",
    "lease_expiry",
    "lease_term_basis",
    "milestones",
    "months_or_part_late",
    "performance_security",
    "performance_security_basis",
    "performance_security_on_end",
    "premium_due",
    "premium_return_due",
    "retention_check",
    "revocation_grounds",
    "stays_payable",
    "surrender_acceptance_error",
    "surrender_last_day",
    "surrender_notice_error",
    "termination_error",
    "upfront_instalment_bases",
    "upfront_instalments",
    "upfront_payment",
    "upfront_payment_basis",
]
