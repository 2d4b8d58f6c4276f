"""RULES.md s.5 as table tests of the pure functions: counting a stage's clock (pauses, restarts, several queries,
one raised and answered the same day, one open across the target, overdue, the day a silence rule takes effect),
which cases a licence needs and who decides them, the fast track, the templates, validity and revocability.

Every expected date and count below is worked by hand from the rule, not produced by the code.
"""

from datetime import date
from decimal import Decimal as D

import pytest

from clearances import permissions as perm
from clearances import rules
from clearances.rules import templates as t
from clearances.rules.needs import Body

P = rules.ClearanceParams()
MAR_1 = date(2027, 3, 1)

# --- The clock ------------------------------------------------------------------------------------------------------

# (name, started, target (days, months), effect, queries, ended, on, used, left, overdue, target date, effect day)
CLOCKS = [
    # 90 days from 1 Mar 2027: 30 in March (2-31), 30 in April, 30 in May: the target is 30 May.
    ("filed today", MAR_1, (90, None), "pause", [], None, MAR_1, 0, 90, False, date(2027, 5, 30), date(2027, 5, 31)),
    ("the first day after", MAR_1, (90, None), "pause", [], None, date(2027, 3, 2), 1, 89, False, date(2027, 5, 30),
     date(2027, 5, 31)),
    ("on the target date", MAR_1, (90, None), "pause", [], None, date(2027, 5, 30), 90, 0, False, date(2027, 5, 30),
     date(2027, 5, 31)),
    ("the day after: overdue", MAR_1, (90, None), "pause", [], None, date(2027, 5, 31), 91, -1, True,
     date(2027, 5, 30), date(2027, 5, 31)),
    # A query raised on 11 Mar, answered on 21 Mar: 11-20 Mar do not count (10 days), 21 Mar does.
    ("a query paused 10 days", MAR_1, (90, None), "pause", [(date(2027, 3, 11), date(2027, 3, 21))], None,
     date(2027, 3, 21), 10, 80, False, date(2027, 6, 9), date(2027, 6, 10)),
    ("raised and answered the same day pauses nothing", MAR_1, (90, None), "pause",
     [(date(2027, 3, 11), date(2027, 3, 11))], None, date(2027, 3, 11), 10, 80, False, date(2027, 5, 30),
     date(2027, 5, 31)),
    # Three queries: 10 days, none (same day), 5 days (10-14 Apr): 15 in all.
    ("several queries", MAR_1, (90, None), "pause",
     [(date(2027, 3, 11), date(2027, 3, 21)), (date(2027, 4, 1), date(2027, 4, 1)),
      (date(2027, 4, 10), date(2027, 4, 15))],
     None, date(2027, 4, 30), 45, 45, False, date(2027, 6, 14), date(2027, 6, 15)),
    # Raised on 25 May, still open on 15 Jun (past the 30 May target): 2 Mar-24 May counted, 84 days; not overdue,
    # and no day of effect while the clock waits on the applicant.
    ("one open across the target", MAR_1, (90, None), "pause", [(date(2027, 5, 25), None)], None, date(2027, 6, 15),
     84, 6, False, date(2027, 5, 30), None),
    # ... answered on 15 Jun: 25 May-14 Jun held it (21 days): the target moves to 20 Jun.
    ("the open query answered", MAR_1, (90, None), "pause", [(date(2027, 5, 25), date(2027, 6, 15))], None,
     date(2027, 6, 15), 85, 5, False, date(2027, 6, 20), date(2027, 6, 21)),
    # A query raised on the filing day holds only the days after it: 2-4 Mar.
    ("a query on the first day", MAR_1, (90, None), "pause", [(MAR_1, date(2027, 3, 5))], None, date(2027, 3, 5), 1,
     89, False, date(2027, 6, 2), date(2027, 6, 3)),
    # Ended (advanced) on 15 Apr: 2 Mar-15 Apr is 45 days, the day of the move counted.
    ("ended in time", MAR_1, (90, None), "pause", [], date(2027, 4, 15), date(2027, 9, 1), 45, 45, False,
     date(2027, 5, 30), None),
    ("ended late", MAR_1, (90, None), "pause", [], date(2027, 6, 4), date(2027, 9, 1), 95, -5, True,
     date(2027, 5, 30), None),
    # Ended on 15 Apr with a query open since 10 Apr: 10-14 Apr held it.
    ("ended with a query open", MAR_1, (90, None), "pause", [(date(2027, 4, 10), None)], date(2027, 4, 15),
     date(2027, 4, 15), 40, 50, False, date(2027, 6, 4), None),
    # The Water Act: four calendar months from 1 Feb end on 1 Jun (not 120 days); deemed given on 2 Jun.
    ("water consent", date(2027, 2, 1), (None, 4), "restart", [], None, date(2027, 6, 1), 120, 0, False,
     date(2027, 6, 1), date(2027, 6, 2)),
    ("water consent deemed day", date(2027, 2, 1), (None, 4), "restart", [], None, date(2027, 6, 2), 121, -1, True,
     date(2027, 6, 1), date(2027, 6, 2)),
    # A query for missing particulars (10 Feb), answered 20 Mar: the four months run again from 20 Mar.
    ("a restarting query", date(2027, 2, 1), (None, 4), "restart", [(date(2027, 2, 10), date(2027, 3, 20))], None,
     date(2027, 3, 20), 0, 122, False, date(2027, 7, 20), date(2027, 7, 21)),
    # Restart even when answered the same day: the application is complete from that day.
    ("a restarting query answered the same day", date(2027, 2, 1), (None, 4), "restart",
     [(date(2027, 2, 10), date(2027, 2, 10))], None, date(2027, 2, 10), 0, 120, False, date(2027, 6, 10),
     date(2027, 6, 11)),
    # While open, a restarting query holds the clock like a pause.
    ("a restarting query still open", date(2027, 2, 1), (None, 4), "restart", [(date(2027, 2, 10), None)], None,
     date(2027, 3, 1), 8, 112, False, date(2027, 6, 1), None),
    # Four months from 31 Oct 2027 end on 29 Feb 2028 (the month's last day; a leap year).
    ("months clamp to the month's end", date(2027, 10, 31), (None, 4), "restart", [], None, date(2028, 2, 29), 121, 0,
     False, date(2028, 2, 29), date(2028, 3, 1)),
    # ToR: 60 days from 1 Jan end on 2 Mar; the applicant's proposed ToR stand from 3 Mar.
    ("terms of reference", date(2027, 1, 1), (60, None), "pause", [], None, date(2027, 3, 2), 60, 0, False,
     date(2027, 3, 2), date(2027, 3, 3)),
    # 45 days from the recommendation on 1 Mar end on 15 Apr (RULES.md's own example); proceed as recommended 16 Apr.
    ("decision after the recommendation", MAR_1, (45, None), "pause", [], None, date(2027, 4, 15), 45, 0, False,
     date(2027, 4, 15), date(2027, 4, 16)),
    # An applicant's stage has no clock: days are counted, nothing is due.
    ("no clock", MAR_1, (None, None), "pause", [], None, date(2027, 12, 1), 275, None, False, None, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("started", "target", "effect", "queries", "ended", "on", "used", "left", "overdue", "target_on", "effect_on"),
    [case[1:] for case in CLOCKS],
    ids=[case[0] for case in CLOCKS],
)
def test_the_clock_table(started, target, effect, queries, ended, on, used, left, overdue, target_on, effect_on):
    clock = rules.clock_replay(
        started, target_days=target[0], target_months=target[1], query_effect=effect, queries=queries, ended_on=ended
    )
    assert rules.days_used(clock, on) == used
    assert rules.days_left(clock, on) == left
    assert rules.is_overdue(clock, on) is overdue
    assert rules.target_date(clock) == target_on
    assert rules.effect_day(clock) == effect_on


def test_moves_the_clock_refuses():
    clock = rules.clock_start(MAR_1, target_days=90)
    paused = rules.clock_pause(clock, date(2027, 3, 5))
    with pytest.raises(ValueError, match="already open"):
        rules.clock_pause(paused, date(2027, 3, 6))
    with pytest.raises(ValueError, match="before it was raised"):
        rules.clock_resume(paused, date(2027, 3, 4))
    with pytest.raises(ValueError, match="No query is open"):
        rules.clock_resume(clock, date(2027, 3, 4))
    ended = rules.clock_end(clock, date(2027, 3, 9))
    with pytest.raises(ValueError, match="closed stage"):
        rules.clock_pause(ended, date(2027, 3, 10))
    with pytest.raises(ValueError, match="not both"):
        rules.clock_start(MAR_1, target_days=1, target_months=1)


# --- Which cases a licence needs ------------------------------------------------------------------------------------

GRAPHITE = rules.MineralFacts("Graphite", part_d=True)
GOLD = rules.MineralFacts("Gold")
MONAZITE = rules.MineralFacts("Monazite", part_b=True)


def facts(**overrides):
    values = {
        "kind": "ML",
        "state": "Odisha",
        "minerals": (GRAPHITE,),
        "forest_land_ha": D("0"),
        "protected_area_distance_km": D("25"),
        "eco_sensitive_zone": False,
        "area_hectares": D("500"),
        "groundwater_declared": False,
    }
    values.update(overrides)
    return rules.LicenceFacts(**values)


STATE_EC = Body(kind="impact_assessment", state="Karnataka")
NEEDS = [
    # A Part D lease in the open, no forest: mining plan (IBM), EC (central: fast track), Water Act consent.
    ("part D, nothing else", {}, {"mining_plan": Body(code="ibm"), "environment": Body(code="moefcc"),
                                  "water_consent": Body(kind="pollution_board", state="Odisha")}),
    # A gold lease (not Part D) under 100 ha with forest land, 8 km from a sanctuary: the State decides its mining
    # plan and its EC; forest Stage I and II; wildlife.
    ("gold with forest near a sanctuary",
     {"state": "Karnataka", "minerals": (GOLD,), "forest_land_ha": D("12.5"), "protected_area_distance_km": D("8"),
      "area_hectares": D("50")},
     {"mining_plan": Body(kind="state_mining", state="Karnataka"), "environment": STATE_EC,
      "forest_stage_1": Body(code="moefcc"), "forest_stage_2": Body(code="moefcc"), "wildlife": Body(code="nbwl"),
      "water_consent": Body(kind="pollution_board", state="Karnataka")}),
    ("exactly 10 km needs wildlife", {"protected_area_distance_km": D("10")}, "+wildlife"),
    ("10.001 km does not", {"protected_area_distance_km": D("10.001")}, "-wildlife"),
    ("an eco-sensitive zone needs wildlife whatever the distance",
     {"protected_area_distance_km": D("50"), "eco_sensitive_zone": True}, "+wildlife"),
    ("declared groundwater use", {"groundwater_declared": True}, "+groundwater"),
    # 100 ha and more: category A, appraised centrally even for a State mineral.
    ("a 100 ha gold lease's EC is central", {"minerals": (GOLD,), "area_hectares": D("100")}, "environment=moefcc"),
    ("a 99.99 ha gold lease's EC is the State's",
     {"minerals": (GOLD,), "area_hectares": D("99.99"), "state": "Karnataka"}, "environment=seiaa"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "expected"), [n[1:] for n in NEEDS], ids=[n[0] for n in NEEDS])
def test_which_cases_a_licence_needs(overrides, expected):
    needs = rules.cases_needed(facts(**overrides), P)
    bodies = {n.kind: n.body for n in needs.needed}
    if isinstance(expected, dict):
        assert bodies == expected
    elif expected.startswith("+"):
        assert expected[1:] in bodies
    elif expected.startswith("-"):
        assert expected[1:] not in bodies
    elif expected == "environment=moefcc":
        assert bodies["environment"] == Body(code="moefcc")
    else:
        assert bodies["environment"] == STATE_EC


def test_what_each_case_gates_and_why_it_is_needed():
    needs = rules.cases_needed(facts(forest_land_ha=D("3.5"), protected_area_distance_km=D("2.25")), P)
    assert [(n.kind, n.gates) for n in needs.needed] == [
        ("mining_plan", "execution"),
        ("environment", "execution"),
        ("forest_stage_1", ""),
        ("forest_stage_2", "execution"),
        ("wildlife", "execution"),
        ("water_consent", "start_of_mining"),
    ]
    assert needs.get("forest_stage_1").reason == "the block holds 3.5 ha of forest land"
    assert needs.get("wildlife").reason == "the block is 2.25 km from a national park or sanctuary, within 10 km"


def test_a_distance_not_assessed_leaves_wildlife_undetermined_with_a_note():
    needs = rules.cases_needed(facts(protected_area_distance_km=None), P)
    assert "wildlife" not in needs.kinds
    assert needs.undetermined == ("wildlife",)
    assert "not assessed" in needs.notes[0]


def test_the_air_act_consent_follows_its_parameter():
    assert "air_consent" not in rules.cases_needed(facts(), P).kinds
    separate = rules.ClearanceParams(ec_replaces_air_consent=False)
    needs = rules.cases_needed(facts(), separate)
    assert needs.get("air_consent").body == Body(kind="pollution_board", state="Odisha")
    assert "Air Act" in rules.not_needed_reason("air_consent", facts(), P)


def test_an_exploration_licence_needs_no_case():
    needs = rules.cases_needed(facts(kind="EL"), P)
    assert (needs.needed, needs.undetermined) == ((), ())


@pytest.mark.parametrize(
    ("minerals", "fast"),
    [((GRAPHITE,), ("Graphite",)), ((GOLD,), ()), ((MONAZITE, GOLD), ("Monazite",)), ((MONAZITE, GRAPHITE),
     ("Graphite", "Monazite"))],
)  # fmt: skip
def test_the_fast_track_names_its_minerals(minerals, fast):
    assert rules.fast_track_minerals(minerals) == fast
    assert rules.cases_needed(facts(minerals=minerals), P).fast_track_minerals == fast


def test_a_fast_track_ec_may_be_left_to_the_state_when_the_parameter_says_so():
    params = rules.ClearanceParams(fast_track_central_appraisal=False)
    assert rules.case_body("environment", facts(area_hectares=D("40")), params) == Body(
        kind="impact_assessment", state="Odisha"
    )


def test_refusal_reasons_for_kinds_not_needed():
    assert rules.not_needed_reason("forest_stage_1", facts(), P) == (
        "Forest clearance Stage I (in-principle) is not needed for this licence: the block holds no forest land."
    )
    assert "more than 10 km" in rules.not_needed_reason("wildlife", facts(), P)
    assert "declared no groundwater use" in rules.not_needed_reason("groundwater", facts(), P)


# --- Templates ------------------------------------------------------------------------------------------------------


def stages(template):
    return [(s.code, s.owner, s.target_days, s.target_months, s.query_effect, s.silence, bool(s.skipped))
            for s in template.stages]  # fmt: skip


def test_the_environment_clearance_template_and_the_fast_track():
    ordinary = rules.case_template("environment", P)
    assert stages(ordinary) == [
        ("tor", "authority", 60, None, "pause", "tor_stand", False),
        ("eia_report", "applicant", None, None, "pause", "", False),
        ("public_consultation", "authority", 45, None, "pause", "", False),
        ("appraisal", "authority", 60, None, "pause", "", False),
        ("decision", "authority", 45, None, "pause", "proceed_as_recommended", False),
    ]
    fast = rules.case_template("environment", P, fast_track=True)
    # No public consultation, and no shorter target anywhere.
    assert [s[:6] for s in stages(fast)] == [s[:6] for s in stages(ordinary)]
    assert [s.code for s in fast.stages if s.skipped] == ["public_consultation"]
    assert (fast.validity, fast.validity_years, fast.gates) == ("required", 30, "execution")
    exemption_struck_down = rules.ClearanceParams(fast_track_skips_public_consultation=False)
    assert not any(s.skipped for s in rules.case_template("environment", exemption_struck_down, fast_track=True).stages)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("mining_plan", [("scrutiny", "authority", 90, None, "pause", "", False)]),
        ("forest_stage_1", [("state_scrutiny", "authority", 90, None, "pause", "", False),
                            ("central_decision", "authority", 60, None, "pause", "", False)]),
        ("forest_stage_2", [("compliance", "applicant", None, None, "pause", "", False),
                            ("central_decision", "authority", 30, None, "pause", "", False)]),
        ("wildlife", [("standing_committee", "authority", 90, None, "pause", "", False)]),
        ("water_consent", [("decision", "authority", None, 4, "restart", "deemed_granted", False)]),
        ("air_consent", [("decision", "authority", None, 4, "pause", "", False)]),
        ("groundwater", [("noc", "authority", 60, None, "pause", "", False)]),
    ],
)  # fmt: skip
def test_the_other_templates(kind, expected):
    assert stages(rules.case_template(kind, P)) == expected


def test_targets_are_parameters_and_a_template_survives_json():
    params = rules.ClearanceParams.from_json({"mining_plan_days": 75, "wildlife_distance_km": "5"})
    assert rules.case_template("mining_plan", params).stages[0].target_days == 75
    assert rules.ClearanceParams.from_json(params.as_json()) == params
    template = rules.case_template("environment", params, fast_track=True)
    assert rules.CaseTemplate.from_json(template.as_json()) == template
    with pytest.raises(ValueError, match="Unknown clearance parameter"):
        rules.ClearanceParams.from_json({"mining_plan_weeks": 3})


# --- Validity and revocation ----------------------------------------------------------------------------------------


def test_a_forest_stage_1_is_valid_five_years_from_its_grant():
    template = rules.case_template("forest_stage_1", P)
    assert rules.fixed_validity(template, date(2027, 4, 1)) == date(2032, 4, 1)
    assert rules.fixed_validity(rules.case_template("mining_plan", P), date(2027, 4, 1)) is None


@pytest.mark.parametrize(
    ("valid_until", "reported", "on", "revocable"),
    [
        (date(2032, 4, 1), None, date(2032, 4, 1), False),  # the last day of validity
        (date(2032, 4, 1), None, date(2032, 4, 2), True),  # the day after, no compliance report
        (date(2032, 4, 1), date(2031, 1, 10), date(2033, 1, 1), False),  # reported within the validity
        (date(2032, 4, 1), date(2032, 4, 1), date(2033, 1, 1), False),  # on its last day
        (date(2032, 4, 1), date(2032, 5, 1), date(2033, 1, 1), True),  # too late to save it
        (None, None, date(2033, 1, 1), False),  # not granted
    ],
)
def test_when_a_forest_stage_1_is_revocable(valid_until, reported, on, revocable):
    assert rules.forest_stage_1_revocable(valid_until, reported, on) is revocable


@pytest.mark.parametrize(
    ("kind", "valid_until", "problem"),
    [
        ("environment", None, "Give the date until which"),
        ("environment", date(2057, 6, 1), None),  # 30 years from 1 Jun 2027
        ("environment", date(2057, 6, 2), "at most 30 years: until 01 Jun 2057"),
        ("environment", date(2027, 6, 1), "must end after the grant"),
        ("mining_plan", None, None),
        ("mining_plan", date(2032, 6, 1), None),
        ("forest_stage_1", None, None),  # fixed by the rules
    ],
)
def test_a_grants_validity(kind, valid_until, problem):
    error = rules.validity_error(rules.case_template(kind, P), date(2027, 6, 1), valid_until)
    assert (error is None) if problem is None else (problem in error)


# --- Permissions ----------------------------------------------------------------------------------------------------

BOARD = perm.CaseFacts(authority_id=7, authority_works_here=True)
OFFLINE = perm.CaseFacts(authority_id=7, authority_works_here=False)
ROLES = {
    "anonymous": perm.Actor(),
    "stranger": perm.Actor(authenticated=True),
    "holder admin": perm.Actor(authenticated=True, holder_role="admin"),
    "holder viewer": perm.Actor(authenticated=True, holder_role="viewer"),
    "officer": perm.Actor(authenticated=True, authority_ids=frozenset({7})),
    "another board's officer": perm.Actor(authenticated=True, authority_ids=frozenset({8})),
    "supervising officer": perm.Actor(authenticated=True, authority_ids=frozenset({2}), supervised_ids=frozenset({7})),
    "desk": perm.Actor(authenticated=True, authority_ids=frozenset({1}), desk=True),
    "regulator": perm.Actor(authenticated=True, regulator=True),
    "officer who is a member": perm.Actor(authenticated=True, holder_role="bidder", authority_ids=frozenset({7})),
}
# role: (sees, acts as applicant, acts as authority, records on behalf of an authority working here / offline)
TABLE = {
    "anonymous": (False, False, False, False, False),
    "stranger": (False, False, False, False, False),
    "holder admin": (True, True, False, False, False),
    "holder viewer": (True, False, False, False, False),
    "officer": (True, False, True, True, True),
    "another board's officer": (False, False, False, False, False),
    "supervising officer": (True, False, False, False, False),
    "desk": (True, False, False, False, False),
    "regulator": (True, False, False, False, True),
    "officer who is a member": (True, True, False, False, False),
}


@pytest.mark.parametrize("role", TABLE)
def test_who_may_see_and_act(role):
    actor = ROLES[role]
    assert (
        perm.may_see(actor, BOARD),
        perm.may_act_as_applicant(actor),
        perm.may_act_as_authority(actor, BOARD),
        perm.may_record_on_behalf(actor, BOARD),
        perm.may_record_on_behalf(actor, OFFLINE),
    ) == TABLE[role]


def test_refusals_say_who_may():
    assert "decides none" in perm.authority_refusal(ROLES["desk"], BOARD, "the board")
    assert "works its cases in Khanij" in perm.authority_refusal(ROLES["regulator"], BOARD, "the board")
    assert "follow its cases but not act" in perm.applicant_refusal(ROLES["holder viewer"])
    assert t.LABELS["water_consent"] == "Consent under the Water Act (s.25)"
