"""Clearance cases for the benchmark, written with bulk_create: licences on the bench's blocks, and cases of every
kind with their stages' clocks stored as the services store them (clearances.rules.clock), so that the lists, the
board, the statistics and the sweeper read them as they read real ones.

The mix (per case): about 45% decided (granted, refused, or deemed for a Water Act consent whose four months ran
out), 5% withdrawn, the rest open at the stage where `today` falls; a stage takes from half to 1.6 times its target
(an applicant's stage, 30 to 120 days), a third of the stages had a query of 5 to 40 days, one open stage in seven
waits on an answer. Open stages past their target were mostly settled by an earlier sweep (escalated, or their
silence effect recorded); about one in four is left for the sweep to find, so that its rate can be measured.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction

from auctions.rules import AuctionParams
from authorities.models import Authority
from bidders.models import Firm
from blocks.models import Block
from clearances import rules
from clearances.models import Case, Decision, Query, Stage
from clearances.rules import templates as t
from licences.models import Licence

KINDS = [t.MINING_PLAN, t.ENVIRONMENT, t.WATER_CONSENT, t.FOREST_STAGE_1, t.WILDLIFE, t.GROUNDWATER, t.AIR_CONSENT]
KIND_WEIGHTS = [30, 25, 20, 10, 5, 6, 4]
PARAMS = rules.ClearanceParams()


def seed_licences(count: int, *, rng: random.Random) -> list[Licence]:
    """`count` mining leases (BL-...) on the bench's blocks, held by 200 firms; returns every BL licence."""
    have = Licence.objects.filter(number__startswith="BL/").count()
    if have < count:
        firms = list(Firm.objects.filter(cin__startswith="U99999"))
        for n in range(len(firms), 200):
            firms.append(
                Firm.objects.create(
                    legal_name=f"Bench Minerals {n} Ltd",
                    cin=f"U99999MH2020PLC{n:06d}",
                    pan=f"AAACB{n:04d}Z",
                    registered_address="1 Bench Road, Mumbai",
                    net_worth=Decimal("2500000000"),
                    net_worth_as_of=date(2026, 3, 31),
                )
            )
        blocks = list(Block.objects.filter(code__startswith="BX-").order_by("pk").prefetch_related("minerals"))
        if len(blocks) < count:
            raise SystemExit(f"Seed at least {count:,} blocks first (bench.seed.seed_blocks).")
        rows, minerals = [], []
        for n in range(have, count):
            block = blocks[n]
            rows.append(
                Licence(
                    number=f"BL/2026/{n + 1:06d}",
                    kind="ML",
                    holder=firms[n % len(firms)],
                    block=block,
                    state=block.state,
                    district=block.district,
                    boundary=block.boundary,
                    area_hectares=block.area_hectares or Decimal("100"),
                    original_boundary=block.boundary,
                    original_area_hectares=block.area_hectares or Decimal("100"),
                    winning_offer_pct=Decimal("12.50"),
                    status=Licence.Status.LOI_ISSUED,
                    declared_on=date(2025, 1, 10),
                    awarded_on=date(2025, 2, 1),
                    params=AuctionParams().as_json(),
                )
            )
            minerals.append([m.pk for m in block.minerals.all()])
        with transaction.atomic():
            created = Licence.objects.bulk_create(rows, batch_size=2000)
            Licence.minerals.through.objects.bulk_create(
                [
                    Licence.minerals.through(licence_id=lic.pk, mineral_id=m)
                    for lic, ms in zip(created, minerals, strict=True)
                    for m in ms
                ],
                batch_size=5000,
            )
    return list(Licence.objects.filter(number__startswith="BL/").order_by("pk").prefetch_related("minerals", "block"))


class Bodies:
    """Who decides each kind of case, by code (central) or by kind and State, as clearances.rules.case_body says."""

    def __init__(self):
        self.by_code = dict(Authority.objects.values_list("code", "pk"))
        self.by_state = {
            (k, s): pk for pk, k, s in Authority.objects.exclude(state="").values_list("pk", "kind", "state")
        }

    def of(self, kind: str, facts: rules.LicenceFacts) -> int:
        body = rules.case_body(kind, facts, PARAMS)
        return self.by_code[body.code] if body.code else self.by_state[(body.kind, body.state)]


def _facts(licence: Licence) -> rules.LicenceFacts:
    minerals = tuple(rules.MineralFacts(m.name, m.part_d, m.part_b) for m in licence.minerals.all())
    return rules.LicenceFacts(kind="ML", state=licence.state, minerals=minerals, area_hectares=licence.area_hectares)


def _fields(clock: rules.Clock) -> dict:
    return {
        "started_on": clock.started_on,
        "clock_started_on": clock.clock_started_on,
        "days_paused": clock.days_paused,
        "paused_since": clock.paused_since,
        "target_date": rules.target_date(clock),
        "ended_on": clock.ended_on,
    }


def _length(rng, st: rules.StageTemplate) -> int:
    allowed = st.target_days or (st.target_months or 0) * 30
    return rng.randint(30, 120) if not allowed else max(1, int(allowed * rng.uniform(0.5, 1.6)))


def _plan(rng, template: rules.CaseTemplate, filed: date, today: date, fate: str):
    """The stages of one case: (stage fields, queries) each, and how the case ends (outcome, day) or None."""
    day, planned = filed, []
    refuse_at = rng.randrange(len(template.stages)) if fate == "refused" else None
    for n, st in enumerate(template.stages):
        base = {
            "position": n + 1,
            "code": st.code,
            "name": st.name,
            "owner": st.owner,
            "target_days": st.target_days,
            "target_months": st.target_months,
            "query_effect": st.query_effect,
            "silence": st.silence,
        }
        if st.skipped:
            planned.append(({**base, "status": Stage.Status.SKIPPED, "skip_reason": st.skipped[:300]}, []))
            continue
        if day >= today:
            planned.append(({**base, "status": Stage.Status.PENDING}, []))
            continue
        clock = rules.clock_start(
            day, target_days=st.target_days, target_months=st.target_months, query_effect=st.query_effect
        )
        queries = []
        if rng.random() < 0.33:
            raised = day + timedelta(days=rng.randint(1, 20))
            answered = raised + timedelta(days=rng.randint(5, 40))
            if answered < today:
                clock = rules.clock_resume(rules.clock_pause(clock, raised), answered)
                queries.append((raised, answered))
        end = rules.target_date(clock) if fate == "deemed" and st.silence == t.DEEMED_GRANTED else None
        if end is not None:
            end += timedelta(days=1)
        else:
            end = max(clock.clock_started_on, day) + timedelta(days=_length(rng, st))
            if queries:
                end = max(end, queries[-1][1] + timedelta(days=1))
        last = n == len(template.stages) - 1 or n == refuse_at
        if end >= today or fate == "open" and rng.random() < 0.3:  # the case is here today
            if rng.random() < 0.15 and st.owner == t.AUTHORITY:
                raised = max(clock.clock_started_on + timedelta(days=1), today - timedelta(days=rng.randint(1, 60)))
                if queries:
                    raised = max(raised, queries[-1][1] + timedelta(days=1))
                if raised <= today:
                    clock = rules.clock_pause(clock, raised)
                    queries.append((raised, None))
            fields = {**base, "status": Stage.Status.OPEN, **_fields(clock)}
            target = fields["target_date"]
            if target is not None and target < today and clock.paused_since is None and rng.random() < 0.75:
                if st.silence:
                    fields["silence_effect_on"] = target + timedelta(days=1)  # settled: closes below
                else:
                    fields["escalated_on"] = target + timedelta(days=1)
            planned.append((fields, queries))
            day = today
            if "silence_effect_on" in fields and st.silence in t.SILENCE_ENDS_CASE:
                clock = rules.clock_end(clock, fields["silence_effect_on"])
                planned[-1] = (
                    {
                        **base,
                        "status": Stage.Status.CLOSED,
                        "ended_how": "silence",
                        **_fields(clock),
                        "silence_effect_on": fields["silence_effect_on"],
                    },
                    queries,
                )
                return planned, ("deemed", fields["silence_effect_on"])
            fields.pop("silence_effect_on", None)  # the applicant's ToR stand: left for the sweep to record
            continue
        clock = rules.clock_end(clock, end)
        how = "decided" if last else "advanced"
        planned.append(({**base, "status": Stage.Status.CLOSED, "ended_how": how, **_fields(clock)}, queries))
        day = end
        if last:
            outcome = {"refused": "refused", "deemed": "deemed", "withdrawn": "withdrawn"}.get(fate, "granted")
            if outcome == "deemed" and st.silence != t.DEEMED_GRANTED:
                outcome = "granted"
            return planned, (outcome, end)
    return planned, None


def seed_cases(count: int, *, today: date, batch: int = 2000, seed: int = 13, out=None) -> int:
    """Add cases until the bench holds `count`; returns how many were added."""
    rng = random.Random(seed + Case.objects.count())
    have = Case.objects.count()
    licences = seed_licences(max(1, -(-count // 4)), rng=rng)
    facts = {lic.pk: _facts(lic) for lic in licences}
    bodies = Bodies()
    taken = set(Case.objects.values_list("licence_id", "kind"))
    templates = {}
    added, cursor = 0, 0
    while have + added < count:
        plans = []
        while len(plans) < min(batch, count - have - added):
            licence = licences[cursor % len(licences)]
            cursor += 1
            kind = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
            if (licence.pk, kind) in taken:
                continue
            taken.add((licence.pk, kind))
            fast = bool(rules.fast_track_minerals(facts[licence.pk].minerals))
            template = templates.get((kind, fast)) or templates.setdefault(
                (kind, fast), rules.case_template(kind, PARAMS, fast_track=fast)
            )
            filed = today - timedelta(days=rng.randint(5, 900))
            fate = rng.choices(["granted", "refused", "deemed", "withdrawn", "open"], [30, 8, 7, 5, 50])[0]
            stages, ending = _plan(rng, template, filed, today, fate)
            plans.append((licence, kind, fast, template, filed, stages, ending))
        _write(plans, bodies, facts)
        added += len(plans)
        if out:
            out.write(f"\r  {have + added:,} cases")
            out.flush()
    if out:
        out.write("\n")
    with connection.cursor() as cursor:  # the planner's statistics, as autovacuum keeps them on a live database
        cursor.execute("ANALYZE")
    return added


def _write(plans, bodies: Bodies, facts) -> None:
    with transaction.atomic():
        cases = []
        for licence, kind, fast, template, filed, _stages, ending in plans:
            outcome, on = ending if ending else ("", None)
            status = (
                Case.Status.DECIDED
                if outcome not in ("", "withdrawn")
                else (Case.Status.WITHDRAWN if outcome else Case.Status.IN_PROGRESS)
            )
            cases.append(
                Case(
                    licence=licence,
                    kind=kind,
                    authority_id=bodies.of(kind, facts[licence.pk]),
                    status=status,
                    outcome=outcome,
                    decided_on=on,
                    fast_track=fast,
                    fast_track_minerals=list(rules.fast_track_minerals(facts[licence.pk].minerals)),
                    template={"params": PARAMS.as_json(), "template": template.as_json()},
                    filed_on=filed,
                    details={"bench": True},
                )
            )
        cases = Case.objects.bulk_create(cases)
        stages, queries = [], []
        for case, (_lic, _kind, _fast, _tpl, _filed, planned, _ending) in zip(cases, plans, strict=True):
            for fields, asked in planned:
                stage = Stage(case=case, **fields)
                stages.append(stage)
                queries.append((stage, asked))
        Stage.objects.bulk_create(stages, batch_size=5000)
        Query.objects.bulk_create(
            [
                Query(
                    stage=s,
                    text="Send the particulars sought.",
                    raised_on=r,
                    answered_on=a,
                    answer="Sent." if a else "",
                )
                for s, asked in queries
                for r, a in asked
            ],
            batch_size=5000,
        )
        decisions = []
        for case in cases:
            if case.outcome:
                decisions.append(
                    Decision(
                        case=case,
                        outcome=case.outcome,
                        decided_on=case.decided_on,
                        reasons="Bench data: decided as the seed planned.",
                    )
                )
        Decision.objects.bulk_create(decisions, batch_size=5000)
