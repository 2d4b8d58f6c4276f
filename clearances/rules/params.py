"""The parameters of the clearance rules (RULES.md s.5, every number marked param), with their defaults.

A case stores the parameters it was filed under (in `Case.template`, with the stage template they produced), like
an auction keeps its tranche's; a change of a target or of the fast-track exemption applies to cases filed after
it. The setting `CLEARANCE_PARAMS` (a dict of these names) overrides the defaults for new cases.
"""

from dataclasses import asdict, dataclass, fields
from decimal import Decimal


@dataclass(frozen=True)
class ClearanceParams:
    # Targets in calendar days, or calendar months (statutory periods), RULES.md s.5's table.
    mining_plan_days: int = 90
    tor_days: int = 60
    public_consultation_days: int = 45
    appraisal_days: int = 60
    ec_decision_days: int = 45
    forest_state_days: int = 90
    forest_stage_1_central_days: int = 60
    forest_stage_2_central_days: int = 30
    wildlife_days: int = 90
    water_consent_months: int = 4
    air_consent_months: int = 4
    groundwater_days: int = 60
    # Validity.
    forest_stage_1_validity_years: int = 5  # amendment of 31 August 2025
    ec_max_validity_years: int = 30  # the project life in the mining plan, up to this
    # Which cases a licence needs.
    wildlife_distance_km: Decimal = Decimal("10")  # within it (inclusive) of a park or sanctuary
    ec_central_area_ha: Decimal = Decimal("100")  # at or above it the EC is appraised centrally (category A)
    ec_replaces_air_consent: bool = True  # MoEFCC notifications of 12 November 2024
    # The fast track (MoEFCC office memoranda of 13 March and 8 September 2025); may be struck down in court.
    fast_track_skips_public_consultation: bool = True
    fast_track_central_appraisal: bool = True
    # The lease kinds whose deed's execution the gating cases hold (a CL's deed starts prospecting first).
    execution_gated_kinds: tuple[str, ...] = ("ML",)

    def as_json(self) -> dict:
        data = asdict(self)
        for name, value in data.items():
            if isinstance(value, Decimal):
                data[name] = str(value)
            elif isinstance(value, tuple):
                data[name] = list(value)
        return data

    @classmethod
    def from_json(cls, data: dict | None) -> "ClearanceParams":
        """Parameters from stored JSON (or settings); unknown names are refused, missing ones take the default."""
        data = dict(data or {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"Unknown clearance parameter(s): {', '.join(unknown)}.")
        values = {}
        for name, value in data.items():
            default = known[name].default
            if isinstance(default, bool):
                values[name] = bool(value)
            elif isinstance(default, Decimal):
                values[name] = Decimal(str(value))
            elif isinstance(default, int):
                values[name] = int(value)
            elif isinstance(default, tuple):
                values[name] = tuple(value)
            else:
                values[name] = value
        return cls(**values)
