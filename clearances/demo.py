"""Demo data for the clearance screens: `manage.py seed_clearances`, which `make run` runs after `seed_licences`
(whose firms, accounts and helpers it uses).

It seeds DEMO-ML-03, a fictional graphite and vanadium mining lease of Demo Minerals (meera) whose Letter of Intent
was issued 240 days before the first run, on a block with forest land, 7.5 km from a wildlife sanctuary (entered by
the regulator as an edit of the block), and four of its cases, each in a state worth trying:

1. its environment clearance, on the fast track (graphite and vanadium are Part D), at the appraisal stage: the
   terms of reference conveyed, the EIA report in, no public consultation;
2. its mining plan approval at the Indian Bureau of Mines, with a query open for 10 days (the clock stopped);
3. its wildlife clearance, filed 120 days ago at the Standing Committee of the NBWL: overdue (90 days), and escalated
   by the sweeper to MoEFCC and the facilitation desk;
4. its consent under the Water Act, filed 150 days ago with the State board: the four months ran out, so the sweeper
   recorded it deemed given.

And demo officers: `ibm-officer` (IBM), `moef-officer` (MoEFCC), `desk-officer` (the Ministry of Mines' facilitation
desk), appointed through `authorities.services.officer_create`, passwords `khanij-<username>` like the other demo
accounts. The cases' past is written through the services, as the authority's officer (or the regulator, for a body
that does not use Khanij) records moves made in the authority's own system: each with its date and a reference
starting DEMO-; every case carries `details["demo"] = True`. The sweeper's own step (`stage_settle`) records the
escalation and the deemed consent, dated by the day each took effect.

Each open stage's target is a due date of the firm and of the authority's officers (their calendars, reminders).

Idempotent: the lease is found by its block's code, each case by its kind; a second run creates nothing twice and
leaves alone whatever a person has done since.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from auctions.rules import AuctionParams
from authorities.models import Officer
from authorities.services import officer_create
from blocks.models import Block
from blocks.services import block_update
from clearances import services
from clearances.models import Case, Stage
from clearances.selectors.clock import due_stages
from licences import demo as licence_demo
from licences import services as licence_services
from licences.models import Licence

DEMO = {"demo": True, "demo_note": "Demo data (manage.py seed_clearances): a fictional lease's clearances."}
LEASE = licence_demo.DemoArea(
    "DEMO-ML-03", "Demo Central Graphite & Vanadium Block (fictional)", "Chhattisgarh", "Raigarh", (83.40, 21.90),
    Decimal("700.00"), ("graphite", "vanadium"), "G2",
)  # fmt: skip
OFFER = Decimal("9.85")
LOI_DAYS_AGO = 240
SANCTUARY_KM = Decimal("7.5")


@dataclass(frozen=True)
class DemoOfficer:
    username: str
    authority: str
    designation: str

    @property
    def password(self) -> str:
        return f"khanij-{self.username}"


OFFICERS = (
    DemoOfficer("ibm-officer", "ibm", "Regional Controller of Mines (fictional)"),
    DemoOfficer("moef-officer", "moefcc", "Scientist E, Impact Assessment Division (fictional)"),
    DemoOfficer("desk-officer", "mom-desk", "Deputy Secretary, facilitation desk (fictional)"),
)


@dataclass
class ClearanceSeedReport:
    licence: str = ""
    created: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    officers: list[tuple[DemoOfficer, bool]] = field(default_factory=list)
    screens: list[tuple[str, str, str]] = field(default_factory=list)


def seed_officers(regulator, report: ClearanceSeedReport) -> dict:
    users = {}
    User = get_user_model()
    for demo in OFFICERS:
        user, created = User.objects.get_or_create(
            username=demo.username, defaults={"email": f"{demo.username}@demo.khanij.invalid"}
        )
        if created:
            user.set_password(demo.password)
            user.save(update_fields=["password"])
        if not Officer.objects.filter(user=user, authority__code=demo.authority, removed_at__isnull=True).exists():
            officer_create(actor=regulator, authority=demo.authority, user=user, designation=demo.designation)
        users[demo.username] = user
        report.officers.append((demo, created))
    return users


def _lease(people, on: datetime.date) -> Licence:
    """DEMO-ML-03 through the registry and the licence services: the block, the regulator's assessment of its
    forest land and its distance to a sanctuary, the preferred bidder, the first dues paid and the LoI."""
    loi_on = on - datetime.timedelta(days=LOI_DAYS_AGO)
    declared_on = loi_on - datetime.timedelta(days=40)
    block = licence_demo._block(LEASE, Block.Status.AUCTIONED)
    area = block.area_hectares
    forest = (area * Decimal("0.2")).quantize(Decimal("0.0001"), ROUND_DOWN)
    government = (area * Decimal("0.5")).quantize(Decimal("0.0001"), ROUND_DOWN)
    block = block_update(
        actor=people.regulator, block=block, forest_land_ha=forest, government_land_ha=government,
        other_land_ha=area - forest - government, protected_area_distance_km=SANCTUARY_KM,
    )  # fmt: skip
    licence = licence_demo._licence(
        kind="ML", block=block, holder=people.demo_minerals, offer=OFFER, declared_on=declared_on,
        applied_on=declared_on - datetime.timedelta(days=60), params=AuctionParams(),
    )  # fmt: skip
    for obligation in licence.obligations.all():
        licence_demo._paid(licence, obligation, declared_on + datetime.timedelta(days=30), people)
    licence_services.licence_issue_loi(actor=people.regulator, licence_id=licence.pk, issued_on=loi_on)
    licence.refresh_from_db()
    return licence


def _file(actor, licence, kind, filed_on, reference, **fields) -> Case:
    return services.case_file(actor=actor, licence_id=licence.pk, kind=kind, filed_on=filed_on,
                              external_reference=reference, details=DEMO, **fields)  # fmt: skip


def seed_cases(licence: Licence, people, officers: dict, on: datetime.date, report: ClearanceSeedReport) -> None:
    ago = lambda days: on - datetime.timedelta(days=days)  # noqa: E731
    existing = set(Case.objects.filter(licence=licence).values_list("kind", flat=True))
    moef, ibm = officers["moef-officer"], officers["ibm-officer"]
    plan = [
        ("environment", "DEMO-IA/CG/MIN/400001/2026"),
        ("mining_plan", "DEMO-IBM/MP/RGH/0117"),
        ("wildlife", "DEMO-NBWL/SC/2026/031"),
        ("water_consent", "DEMO-CECB/CTE/2026/2209"),
    ]
    for kind, reference in plan:
        if kind in existing:
            report.present.append(kind)
            continue
        with transaction.atomic():
            if kind == "environment":
                case = _file(moef, licence, kind, ago(230), reference, groundwater_use=False)
                services.stage_advance(actor=moef, case_id=case.pk, stage="tor", acted_on=ago(180),
                                       reference="DEMO-TOR-LETTER-1", note="Standard ToR.")  # fmt: skip
                services.stage_advance(actor=moef, case_id=case.pk, stage="eia_report", acted_on=ago(20),
                                       reference="DEMO-EIA-SUBMISSION-1")  # fmt: skip
            elif kind == "mining_plan":
                case = _file(ibm, licence, kind, ago(40), reference)
                services.query_raise(actor=ibm, case_id=case.pk, acted_on=ago(10), reference="DEMO-IBM-QUERY-1",
                                     text="Give the progressive mine closure plan and the year-wise production "
                                     "schedule of vanadium.")  # fmt: skip
            elif kind == "wildlife":
                case = _file(people.regulator, licence, kind, ago(120), reference)
            else:
                case = _file(people.regulator, licence, kind, ago(150), reference)
        report.created.append(kind)
    # What the sweeper would record by now: the deemed consent, the escalation (each once, dated by its day).
    for stage_id in due_stages(on).filter(case__licence=licence).values_list("pk", flat=True):
        services.stage_settle(stage_id, on)
    # Their stages' targets in the firm's and the officers' calendars (cases seeded before stages had due dates too).
    services.case_due_dates_sync(cases=Case.objects.filter(licence=licence))


def seed_clearances() -> ClearanceSeedReport:
    """Seed (or complete) the demo lease's clearances and the demo officers; what is there is left as it is."""
    people = licence_demo._people()
    on = timezone.localdate()
    report = ClearanceSeedReport()
    officers = seed_officers(people.regulator, report)
    licence = Licence.objects.filter(block__code=LEASE.code).first()
    if licence is None:
        with transaction.atomic():
            licence = _lease(people, on)
    report.licence = licence.number
    if licence.status in (Licence.Status.LOI_ISSUED, Licence.Status.MDPA_SIGNED, Licence.Status.ACTIVE):
        seed_cases(licence, people, officers, on, report)
    cases = {c.kind: c for c in Case.objects.filter(licence=licence)}
    url = lambda kind: f"/clearances/{cases[kind].pk}/" if kind in cases else ""  # noqa: E731
    report.screens = [
        (
            "anyone",
            f"{licence.number}: its cases, days used against each target, decisions",
            f"/licences/{licence.pk}/",
        ),
        ("moef-officer", "the fast-track EC at appraisal: raise a query, grant it with validity", url("environment")),
        ("meera", "answer the IBM's open query on the mining plan (its clock is stopped)", url("mining_plan")),
        (
            "desk-officer",
            "the wildlife clearance overdue and escalated (sees every case, decides none)",
            url("wildlife"),
        ),
        ("anyone", "the Water Act consent deemed given when its four months ran out", url("water_consent")),
    ]
    return report


def stage_summary(case: Case) -> str:
    """One line of where a case stands, for the command's report."""
    stage = case.stages.filter(status=Stage.Status.OPEN).first()
    if not case.is_open:
        return f"{case.get_outcome_display().lower()} on {case.decided_on:%d %b %Y}"
    notes = ["query open"] if stage.paused_since else []
    if stage.escalated_on:
        notes.append(f"overdue since {stage.overdue_since:%d %b %Y}, escalated")
    return f"at: {stage.name}" + (f" ({'; '.join(notes)})" if notes else "")
