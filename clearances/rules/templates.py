"""The kinds of case and their stage templates (RULES.md s.5's table), built from the parameters: each stage's
owner, target (calendar days, or calendar months for a statutory period), what a query does to its clock, and what
silence does when the target passes; each kind's authority, what it gates, and its validity.

Data, not code paths: `case_template(kind, params, fast_track=...)` is what a case stores when filed.
"""

from dataclasses import asdict, dataclass

from clearances.rules.params import ClearanceParams

MINING_PLAN = "mining_plan"
ENVIRONMENT = "environment"
FOREST_STAGE_1 = "forest_stage_1"
FOREST_STAGE_2 = "forest_stage_2"
WILDLIFE = "wildlife"
WATER_CONSENT = "water_consent"
AIR_CONSENT = "air_consent"
GROUNDWATER = "groundwater"
KINDS = (
    MINING_PLAN, ENVIRONMENT, FOREST_STAGE_1, FOREST_STAGE_2, WILDLIFE, WATER_CONSENT, AIR_CONSENT, GROUNDWATER,
)  # fmt: skip
LABELS = {
    MINING_PLAN: "Mining plan approval",
    ENVIRONMENT: "Environment clearance",
    FOREST_STAGE_1: "Forest clearance Stage I (in-principle)",
    FOREST_STAGE_2: "Forest clearance Stage II (final)",
    WILDLIFE: "Wildlife clearance",
    WATER_CONSENT: "Consent under the Water Act (s.25)",
    AIR_CONSENT: "Consent under the Air Act (s.21)",
    GROUNDWATER: "Groundwater no-objection",
}

APPLICANT = "applicant"
AUTHORITY = "authority"
PAUSE = "pause"
RESTART = "restart"
DEEMED_GRANTED = "deemed_granted"
TOR_STAND = "tor_stand"
PROCEED_AS_RECOMMENDED = "proceed_as_recommended"
# What each silence rule does: it ends the case as deemed, or closes the stage and the case goes on.
SILENCE_ENDS_CASE = frozenset({DEEMED_GRANTED, PROCEED_AS_RECOMMENDED})

EXECUTION = "execution"
START_OF_MINING = "start_of_mining"
GATES = {
    MINING_PLAN: EXECUTION,
    ENVIRONMENT: EXECUTION,
    FOREST_STAGE_1: "",
    FOREST_STAGE_2: EXECUTION,
    WILDLIFE: EXECUTION,
    WATER_CONSENT: START_OF_MINING,
    AIR_CONSENT: START_OF_MINING,
    GROUNDWATER: START_OF_MINING,
}
# The lease milestone (licences' obligation kind) that a standing decision of the kind meets (RULES.md s.5, Link).
MILESTONES = {MINING_PLAN: "mining_plan", ENVIRONMENT: "environment_clearance"}

# Validity of a grant: fixed by the rules (forest Stage I), required up to a maximum (EC), or optional.
VALIDITY_FIXED = "fixed"
VALIDITY_REQUIRED = "required"
VALIDITY_OPTIONAL = "optional"


@dataclass(frozen=True)
class StageTemplate:
    code: str
    name: str
    owner: str
    target_days: int | None = None
    target_months: int | None = None
    query_effect: str = PAUSE
    silence: str = ""
    skipped: str = ""  # why the stage is not needed in this case (the fast track)
    rule: str = ""

    @property
    def has_clock(self) -> bool:
        return self.target_days is not None or self.target_months is not None

    def target_text(self) -> str:
        if self.target_months is not None:
            return f"{self.target_months} months"
        if self.target_days is not None:
            return f"{self.target_days} days"
        return "no clock"


@dataclass(frozen=True)
class CaseTemplate:
    kind: str
    label: str
    stages: tuple[StageTemplate, ...]
    gates: str
    validity: str = VALIDITY_OPTIONAL
    validity_years: int | None = None
    rule: str = ""

    def as_json(self) -> dict:
        return asdict(self) | {"stages": [asdict(s) for s in self.stages]}

    @classmethod
    def from_json(cls, data: dict) -> "CaseTemplate":
        data = dict(data)
        data["stages"] = tuple(StageTemplate(**s) for s in data["stages"])
        return cls(**data)


def _ec_stages(p: ClearanceParams, fast_track: bool) -> tuple[StageTemplate, ...]:
    skip = (
        "fast track: projects of Part D and Part B minerals are exempt from public consultation (clause 7(III)(i)(f) "
        "of the EIA Notification; MoEFCC office memorandum of 8 September 2025)"
        if fast_track and p.fast_track_skips_public_consultation
        else ""
    )
    return (
        StageTemplate("tor", "Terms of reference", AUTHORITY, target_days=p.tor_days, silence=TOR_STAND,
                      rule="EIA Notification 2006: ToR within 60 days, else the applicant's proposed ToR stand"),
        StageTemplate("eia_report", "EIA report by the applicant", APPLICANT, rule="no clock"),
        StageTemplate("public_consultation", "Public consultation", AUTHORITY, target_days=p.public_consultation_days,
                      skipped=skip, rule="EIA Notification 2006: 45 days"),
        StageTemplate("appraisal", "Appraisal by the expert committee", AUTHORITY, target_days=p.appraisal_days,
                      rule="EIA Notification 2006: 60 days"),
        StageTemplate("decision", "Decision on the committee's recommendation", AUTHORITY,
                      target_days=p.ec_decision_days, silence=PROCEED_AS_RECOMMENDED,
                      rule="EIA Notification 2006: 45 days, else the applicant may proceed as recommended"),
    )  # fmt: skip


def case_template(kind: str, params: ClearanceParams, *, fast_track: bool = False) -> CaseTemplate:
    """The template a case of `kind` is filed under, from `params` (and the fast track, which skips the EC's public
    consultation but shortens no target)."""
    p = params
    label = LABELS[kind]
    if kind == MINING_PLAN:
        stages = (StageTemplate("scrutiny", "Scrutiny and approval", AUTHORITY, target_days=p.mining_plan_days,
                                rule="administrative target"),)  # fmt: skip
        return CaseTemplate(kind, label, stages, GATES[kind], rule="Mineral Conservation and Development Rules")
    if kind == ENVIRONMENT:
        return CaseTemplate(kind, label, _ec_stages(p, fast_track), GATES[kind], VALIDITY_REQUIRED,
                            p.ec_max_validity_years, rule="EIA Notification 2006")  # fmt: skip
    if kind == FOREST_STAGE_1:
        stages = (
            StageTemplate("state_scrutiny", "State scrutiny and field verification", AUTHORITY,
                          target_days=p.forest_state_days, rule="administrative target"),
            StageTemplate("central_decision", "Central decision (in-principle)", AUTHORITY,
                          target_days=p.forest_stage_1_central_days, rule="administrative target"),
        )  # fmt: skip
        return CaseTemplate(kind, label, stages, GATES[kind], VALIDITY_FIXED, p.forest_stage_1_validity_years,
                            rule="Van (Sanrakshan Evam Samvardhan) Adhiniyam 1980 and Rules 2023")  # fmt: skip
    if kind == FOREST_STAGE_2:
        stages = (
            StageTemplate("compliance", "Compliance report and compensatory levies by the applicant", APPLICANT,
                          rule="no clock"),
            StageTemplate("central_decision", "Central decision (final)", AUTHORITY,
                          target_days=p.forest_stage_2_central_days, rule="administrative target"),
        )  # fmt: skip
        return CaseTemplate(kind, label, stages, GATES[kind], rule="Van (Sanrakshan Evam Samvardhan) Adhiniyam 1980")
    if kind == WILDLIFE:
        stages = (StageTemplate("standing_committee", "Standing Committee of the NBWL", AUTHORITY,
                                target_days=p.wildlife_days, rule="administrative target"),)  # fmt: skip
        return CaseTemplate(kind, label, stages, GATES[kind], rule="Wild Life (Protection) Act 1972")
    if kind == WATER_CONSENT:
        stages = (StageTemplate("decision", "Decision of the board", AUTHORITY, target_months=p.water_consent_months,
                                query_effect=RESTART, silence=DEEMED_GRANTED,
                                rule="Water Act s.25(7): four months from an application complete in all respects; "
                                "deemed given when they expire"),)  # fmt: skip
        return CaseTemplate(
            kind, label, stages, GATES[kind], rule="Water (Prevention and Control of Pollution) Act 1974"
        )
    if kind == AIR_CONSENT:
        stages = (StageTemplate("decision", "Decision of the board", AUTHORITY, target_months=p.air_consent_months,
                                rule="Air Act s.21: four months; no deeming, overdue and escalated"),)  # fmt: skip
        return CaseTemplate(kind, label, stages, GATES[kind], rule="Air (Prevention and Control of Pollution) Act 1981")
    if kind == GROUNDWATER:
        stages = (StageTemplate("noc", "No-objection of the CGWA", AUTHORITY, target_days=p.groundwater_days,
                                rule="administrative target"),)  # fmt: skip
        return CaseTemplate(kind, label, stages, GATES[kind], rule="CGWA guidelines")
    raise ValueError(f"Unknown kind of case {kind!r}; expected one of {', '.join(KINDS)}.")
