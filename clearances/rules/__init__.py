"""The clearance rules of RULES.md s.5 as pure functions (no ORM), one module per topic: `params` (every number
marked param), `templates` (the kinds of case, their stages, targets, query effects, silence rules, what they gate),
`needs` (which cases a licence needs from the data, who decides them, the fast track), `clock` (counting a stage's
days, pauses and restarts, overdue, the day a silence rule takes effect), `validity` (a grant's validity, the forest
Stage I's revocability). Each has table tests under tests/clearances/. Who may see and act is in
`clearances.permissions` (pure too)."""

from clearances.rules.clock import (
    Clock,
    clock_end,
    clock_pause,
    clock_replay,
    clock_resume,
    clock_start,
    days_allowed,
    days_left,
    days_used,
    effect_day,
    is_overdue,
    target_date,
)
from clearances.rules.needs import (
    Body,
    LicenceFacts,
    MineralFacts,
    Need,
    Needs,
    case_body,
    cases_needed,
    fast_track_minerals,
    not_needed_reason,
)
from clearances.rules.params import ClearanceParams
from clearances.rules.templates import CaseTemplate, StageTemplate, case_template
from clearances.rules.validity import fixed_validity, forest_stage_1_revocable, validity_error

__all__ = [
    "Body",
    "CaseTemplate",
    "ClearanceParams",
    "Clock",
    "LicenceFacts",
    "MineralFacts",
    "Need",
    "Needs",
    "StageTemplate",
    "case_body",
    "case_template",
    "cases_needed",
    "clock_end",
    "clock_pause",
    "clock_replay",
    "clock_resume",
    "clock_start",
    "days_allowed",
    "days_left",
    "days_used",
    "effect_day",
    "fast_track_minerals",
    "fixed_validity",
    "forest_stage_1_revocable",
    "is_overdue",
    "not_needed_reason",
    "target_date",
    "validity_error",
]
