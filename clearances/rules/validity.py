"""How long a grant is valid, and when a forest Stage I may be revoked (RULES.md s.5).

- Forest clearance Stage I: valid 5 years (param) from its grant (s.9: the day of the grant excluded); after that
  the Centre may revoke it if no compliance report came within those years. The compliance report is the
  applicant's stage of the Stage II case; one filed after the validity ran out does not save it.
- Environment clearance: valid for the project life in the mining plan, up to 30 years (param): the decision must
  say until when.
- Other grants: a validity may be given; it must end after the grant.
"""

from datetime import date

from clearances.rules import templates as t
from core.dates import term_end


def fixed_validity(template: t.CaseTemplate, granted_on: date) -> date | None:
    """The validity the rules fix for a grant of this template (forest Stage I), else None."""
    if template.validity == t.VALIDITY_FIXED and template.validity_years:
        return term_end(granted_on, years=template.validity_years)
    return None


def validity_error(template: t.CaseTemplate, granted_on: date, valid_until: date | None) -> str | None:
    """Why `valid_until` cannot be the validity of this grant, or None."""
    if template.validity == t.VALIDITY_FIXED:
        return None  # the rules fix it; a date given is ignored
    if valid_until is None:
        if template.validity == t.VALIDITY_REQUIRED:
            return (
                f"Give the date until which the {template.label.lower()} is valid: the project life in the mining "
                f"plan, at most {template.validity_years} years."
            )
        return None
    if valid_until <= granted_on:
        return f"The validity must end after the grant of {granted_on:%d %b %Y}."
    if template.validity_years and valid_until > term_end(granted_on, years=template.validity_years):
        limit = term_end(granted_on, years=template.validity_years)
        return (
            f"A {template.label.lower()} is valid for at most {template.validity_years} years: until "
            f"{limit:%d %b %Y} at the latest."
        )
    return None


def forest_stage_1_revocable(valid_until: date | None, compliance_reported_on: date | None, on: date) -> bool:
    """Whether a forest Stage I may be revoked on `on`: its validity has run out and no compliance report came
    within it."""
    if valid_until is None or on <= valid_until:
        return False
    return compliance_reported_on is None or compliance_reported_on > valid_until
