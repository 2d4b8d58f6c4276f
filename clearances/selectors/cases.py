"""What the rules read of a licence (its block, minerals, declared groundwater use), and what it needs."""

import datetime

from django.conf import settings

from clearances import rules
from clearances.models import Case, Decision, Stage
from clearances.rules import templates as t
from licences.models import Licence


def current_params() -> rules.ClearanceParams:
    """The parameters new cases are filed under: the defaults, overridden by the setting CLEARANCE_PARAMS."""
    return rules.ClearanceParams.from_json(getattr(settings, "CLEARANCE_PARAMS", {}) or {})


def groundwater_declared(licence: Licence) -> bool:
    """Whether the applicant declared groundwater use in a case of the licence (not withdrawn)."""
    return Case.objects.filter(licence=licence, groundwater_use=True).exclude(status=Case.Status.WITHDRAWN).exists()


def licence_facts(licence: Licence, *, groundwater: bool | None = None) -> rules.LicenceFacts:
    block = licence.block
    minerals = tuple(
        rules.MineralFacts(m.name, part_d=m.part_d, part_b=m.part_b) for m in licence.minerals.order_by("name")
    )
    return rules.LicenceFacts(
        kind=licence.kind,
        state=licence.state,
        minerals=minerals,
        forest_land_ha=block.forest_land_ha,
        protected_area_distance_km=block.protected_area_distance_km,
        eco_sensitive_zone=block.eco_sensitive_zone,
        area_hectares=licence.area_hectares,
        groundwater_declared=groundwater_declared(licence) if groundwater is None else groundwater,
    )


def licence_needs(licence: Licence, params: rules.ClearanceParams | None = None) -> rules.Needs:
    """The cases `licence` needs now, by the current parameters."""
    return rules.cases_needed(licence_facts(licence), params or current_params())


def case_template(case: Case) -> rules.CaseTemplate:
    """The template the case was filed under (stored with it)."""
    return rules.CaseTemplate.from_json(case.template["template"])


def case_params(case: Case) -> rules.ClearanceParams:
    return rules.ClearanceParams.from_json(case.template["params"])


def compliance_reported_on(case: Case) -> datetime.date | None:
    """The day the applicant's compliance report (the first stage of the licence's forest Stage II case) was in."""
    return (
        Stage.objects.filter(
            case__licence_id=case.licence_id, case__kind=t.FOREST_STAGE_2, code="compliance", ended_how="advanced"
        )
        .order_by("ended_on")
        .values_list("ended_on", flat=True)
        .first()
    )


def revocable(case: Case, on: datetime.date) -> bool:
    """Whether the authority may revoke this case on `on` (a granted forest Stage I past its validity with no
    compliance report within it): what its page shows the authority."""
    if case.kind != t.FOREST_STAGE_1 or case.outcome != Case.Outcome.GRANTED:
        return False
    grant = case.decisions.filter(outcome=Decision.Outcome.GRANTED).first()
    return grant is not None and rules.forest_stage_1_revocable(grant.valid_until, compliance_reported_on(case), on)
