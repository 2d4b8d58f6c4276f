"""Which cases a licence needs, from the data (RULES.md s.5), who decides each, and the fast track.

- Every lease (ML or CL) needs a mining plan approval, an environment clearance and the Water Act consent; the Air
  Act consent too, unless the parameter says that a project holding an environment clearance needs none
  (`ec_replaces_air_consent`; every lease needs an EC, so with it on the Air Act case is never needed).
- Forest land on the block: forest clearance Stage I and Stage II.
- Within `wildlife_distance_km` (10 km, inclusive) of a national park or sanctuary, or in a notified eco-sensitive
  zone: wildlife clearance. A distance not assessed decides nothing: the case is not required on the data, may
  still be filed, and a note says the distance should be assessed.
- Groundwater use declared by the applicant: the CGWA's no-objection.
- An exploration licence needs none of these (exploration, not mining).
- Part D or Part B minerals: the fast track, naming the minerals; the EC is then appraised centrally.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from clearances.rules import templates as t
from clearances.rules.params import ClearanceParams

LEASES = frozenset({"ML", "CL"})


@dataclass(frozen=True)
class MineralFacts:
    name: str
    part_d: bool = False
    part_b: bool = False


@dataclass(frozen=True)
class LicenceFacts:
    """What the rules read of a licence and its block."""

    kind: str  # ML, CL or EL
    state: str
    minerals: tuple[MineralFacts, ...]
    forest_land_ha: Decimal = Decimal("0")
    protected_area_distance_km: Decimal | None = None
    eco_sensitive_zone: bool = False
    area_hectares: Decimal = Decimal("0")
    groundwater_declared: bool = False


@dataclass(frozen=True)
class Body:
    """Who decides a case: a central body by its code (`ibm`), or a State's body by its kind and State."""

    code: str = ""
    kind: str = ""
    state: str = ""

    def describe(self) -> str:
        return self.code or f"the {self.kind.replace('_', ' ')} of {self.state}"


@dataclass(frozen=True)
class Need:
    kind: str
    reason: str
    gates: str
    body: Body


@dataclass(frozen=True)
class Needs:
    needed: tuple[Need, ...]
    # Kinds the data cannot rule out (a distance not assessed): they may be filed.
    undetermined: tuple[str, ...]
    notes: tuple[str, ...]
    fast_track_minerals: tuple[str, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(n.kind for n in self.needed)

    def get(self, kind: str) -> Need | None:
        return next((n for n in self.needed if n.kind == kind), None)


def fast_track_minerals(minerals: Iterable[MineralFacts]) -> tuple[str, ...]:
    """The minerals that put a project on the fast track: Part D (critical and strategic) and Part B (atomic)."""
    return tuple(sorted(m.name for m in minerals if m.part_d or m.part_b))


def _km(value: Decimal) -> str:
    return format(value.normalize(), "f")


def case_body(kind: str, facts: LicenceFacts, params: ClearanceParams) -> Body:
    """Who decides a case of `kind` for this licence."""
    fast = bool(fast_track_minerals(facts.minerals))
    if kind == t.MINING_PLAN:
        return Body(code="ibm") if fast else Body(kind="state_mining", state=facts.state)
    if kind == t.ENVIRONMENT:
        central = (fast and params.fast_track_central_appraisal) or facts.area_hectares >= params.ec_central_area_ha
        return Body(code="moefcc") if central else Body(kind="impact_assessment", state=facts.state)
    if kind in (t.FOREST_STAGE_1, t.FOREST_STAGE_2):
        return Body(code="moefcc")
    if kind == t.WILDLIFE:
        return Body(code="nbwl")
    if kind in (t.WATER_CONSENT, t.AIR_CONSENT):
        return Body(kind="pollution_board", state=facts.state)
    if kind == t.GROUNDWATER:
        return Body(code="cgwa")
    raise ValueError(f"Unknown kind of case {kind!r}.")


def cases_needed(facts: LicenceFacts, params: ClearanceParams) -> Needs:
    """The cases this licence needs, each with why, what it gates and who decides it; the kinds the data cannot
    rule out; notes for a person; and the fast-track minerals."""
    minerals = fast_track_minerals(facts.minerals)
    if facts.kind not in LEASES:
        note = "An exploration licence explores; the clearances of RULES.md s.5 are for mining leases."
        return Needs((), (), (note,), minerals)
    reasons: dict[str, str] = {
        t.MINING_PLAN: "every lease needs its mining plan approved",
        t.ENVIRONMENT: "every mining lease needs an environment clearance (EIA Notification 2006)",
        t.WATER_CONSENT: "every mine needs the board's consent under the Water Act",
    }
    if not params.ec_replaces_air_consent:
        reasons[t.AIR_CONSENT] = "the Air Act consent is needed separately (the parameter says an EC does not cover it)"
    undetermined, notes = [], []
    if facts.forest_land_ha > 0:
        forest = f"the block holds {_km(facts.forest_land_ha)} ha of forest land"
        reasons[t.FOREST_STAGE_1] = forest
        reasons[t.FOREST_STAGE_2] = forest
    distance = facts.protected_area_distance_km
    if facts.eco_sensitive_zone:
        reasons[t.WILDLIFE] = "the block lies in a notified eco-sensitive zone"
    elif distance is not None and distance <= params.wildlife_distance_km:
        reasons[t.WILDLIFE] = (
            f"the block is {_km(distance)} km from a national park or sanctuary, within "
            f"{_km(params.wildlife_distance_km)} km"
        )
    elif distance is None:
        undetermined.append(t.WILDLIFE)
        notes.append(
            "The distance to the nearest national park or sanctuary is not assessed: a wildlife clearance is not "
            "required on the data; the regulator should enter the distance on the block."
        )
    if facts.groundwater_declared:
        reasons[t.GROUNDWATER] = "the applicant declared groundwater use"
    needed = tuple(
        Need(kind, reasons[kind], t.GATES[kind], case_body(kind, facts, params)) for kind in t.KINDS if kind in reasons
    )
    return Needs(needed, tuple(undetermined), tuple(notes), minerals)


def not_needed_reason(kind: str, facts: LicenceFacts, params: ClearanceParams) -> str:
    """Why this licence needs no case of `kind` (for the refusal of such a filing)."""
    label = t.LABELS.get(kind, kind)
    if facts.kind not in LEASES:
        return f"{label} is not needed: an exploration licence needs no clearance of this kind."
    why = {
        t.FOREST_STAGE_1: "the block holds no forest land",
        t.FOREST_STAGE_2: "the block holds no forest land",
        t.WILDLIFE: f"the block is more than {_km(params.wildlife_distance_km)} km from any national park or "
        "sanctuary and not in an eco-sensitive zone",
        t.AIR_CONSENT: "a project holding an environment clearance needs no separate consent under the Air Act "
        "(MoEFCC notifications of 12 November 2024)",
        t.GROUNDWATER: "the applicant declared no groundwater use (declare it in this application if the project "
        "will draw groundwater)",
    }.get(kind, "the rules do not ask for it")
    return f"{label} is not needed for this licence: {why}."
