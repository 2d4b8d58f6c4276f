"""Demo data for the screens after the auction and of exploration licences: `manage.py seed_licences`, which
`make run` runs right after `seed_demo` (whose firms and accounts it needs).

So that a person can try every licence screen at once, without waiting weeks for an auction, it seeds:

1. DEMO-ML-01, a mining lease at "preferred bidder declared" for Demo Minerals (meera), declared 10 days before the
   first run: its first instalment and performance security are due 35 days after it. meera records the payments,
   the regulator confirms them and issues the Letter of Intent, from the licence's pages.
2. DEMO-ML-02, a mining lease of Example Metals (ravi) in force, executed 5 months before the first run, with its
   history from the declaration on (first dues paid, LoI, milestones, one of them late with its delay penalty,
   development agreement, execution), and two monthly premium returns: one paid and confirmed, one outstanding.
3. DEMO-EL-01, an exploration licence of Example Metals granted 3 years and 6 days before the first run, with the
   obligations the grant registers (annual reports, relinquishment, expiry), the first two reports filed: its
   relinquishment is due, so ravi can draw the area it keeps on the exploration page.
4. An area proposed by Demo Minerals for an EL auction, in the regulators' queue.

How: no auction was held for these licences (the auction services need the clock to pass a schedule of weeks),
so each licence is declared through `services.licence_create`, the same write the receiver of
`auctions.signals.auction_settled` makes for an auction's winner (the record, its first history entry, the first
dues within 45 days, the notice), with `auction=None` and a first history entry that says it is demo data. Its
past then goes through the services themselves, on the past dates their date arguments take: the payments
recorded by the holder's member and confirmed by the regulator, the Letter of Intent, each milestone met (the
late one with its delay penalty), the development agreement, the execution, the EL's grant and its reports; and
what happens now too: the premium returns, a premium payment and its confirmation, the area proposal. Blocks are
created through the registry's `block_create` (validation, overlap refusal, routing, VER). Everything is marked:
licences carry `details["demo"] = True` and a first history note, blocks are named "(fictional)" and their
outcome says so, payment references start with DEMO-.

Idempotent: a licence is found by its block's code, a premium return by its month (counted from the lease's
execution, not from the clock), a payment by its obligation, the proposal by its firm and title; a second run
creates nothing twice, and leaves alone whatever a person has done on the seeded licences since.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from auctions import demo as auction_demo
from auctions.rules import AuctionParams
from bidders.models import Firm
from blocks.models import Block
from blocks.services import block_create
from core import geo
from core.errors import ApplicationError
from licences import rules, services
from licences.models import AreaProposal, Licence, Obligation, Payment, PremiumReturn, Report

Kind = Obligation.Kind
ObStatus = Obligation.Status
IST = ZoneInfo("Asia/Kolkata")

DEMO = "Demo data:"
DEMO_NOTE = (
    "Demo data for trying the screens after the auction (manage.py seed_licences): no auction was held; the "
    "licence was declared and its past acts done through the services, on their dates, when the demo was seeded."
)


@dataclass(frozen=True)
class DemoArea:
    """A fictional block (or proposed area): where it lies and what it holds."""

    code: str
    name: str
    state: str
    district: str
    centre: tuple[float, float]  # longitude, latitude
    area_hectares: Decimal
    minerals: tuple[str, ...]
    exploration_stage: str


ML_PREFERRED = DemoArea(
    "DEMO-ML-01", "Demo North Lithium Block (fictional)", "Jharkhand", "East Singhbhum", (86.18, 22.78),
    Decimal("640.00"), ("lithium",), "G2",
)  # fmt: skip
ML_IN_FORCE = DemoArea(
    "DEMO-ML-02", "Example East Graphite Block (fictional)", "Odisha", "Rayagada", (83.42, 19.17),
    Decimal("910.00"), ("graphite",), "G1",
)  # fmt: skip
EL_IN_FORCE = DemoArea(
    "DEMO-EL-01", "Demo South Nickel & REE Block (fictional)", "Andhra Pradesh", "Prakasam", (79.58, 15.51),
    Decimal("3200.00"), ("nickel", "rare-earth-elements"), "G4",
)  # fmt: skip
PROPOSED = DemoArea(
    "DEMO-PROPOSAL", "Demo West copper and zinc area (fictional)", "Rajasthan", "Ajmer", (74.64, 26.45),
    Decimal("4500.00"), ("copper", "zinc"), "G4",
)  # fmt: skip
BLOCK_OUTCOME = "Demo data: a fictional block for trying the screens after the auction; no auction was held."
ILLUSTRATIVE = [
    "area_hectares", "boundary", "district", "exploration_stage", "forest_land_ha", "government_land_ha",
    "other_land_ha", "resources",
]  # fmt: skip

# The winning offers: % of the value of mineral despatched (ML), % share of the future premium (EL).
ML_PREFERRED_OFFER = Decimal("11.35")
ML_IN_FORCE_OFFER = Decimal("14.20")
EL_SHARE = Decimal("21.50")

# The timeline, counted back from the day of the first run.
DECLARED_DAYS_AGO = 10  # DEMO-ML-01: its 45 days for the first dues run 35 more days
EXECUTED_MONTHS_AGO = 5  # DEMO-ML-02: executed then, 30 months after its LoI (due by LoI + 36 months)
LOI_TO_EXECUTION_MONTHS = 30
RELINQUISHMENT_DAYS_OVERDUE = 6  # DEMO-EL-01: granted 3 years and this many days ago
# DEMO-ML-02's premium returns: (months after the month of execution, tonnes despatched); the first is paid.
PREMIUM_RETURNS = ((1, Decimal("1250.000")), (2, Decimal("1310.500")))


def _d(value: datetime.date) -> str:
    return f"{value.day} {value:%b %Y}"


@dataclass
class LicenceSeedReport:
    created: list[str] = field(default_factory=list)  # licence numbers created now
    present: list[str] = field(default_factory=list)  # already there
    acts: list[str] = field(default_factory=list)  # what the real services did now
    proposal_created: bool = False
    screens: list[tuple[str, str, str]] = field(default_factory=list)  # (account, what to try, page)


@dataclass(frozen=True)
class People:
    regulator: object
    meera: object
    ravi: object
    demo_minerals: Firm
    example_metals: Firm

    def member_of(self, firm: Firm):
        return self.meera if firm.pk == self.demo_minerals.pk else self.ravi


def _people() -> People:
    """The demo accounts and firms of `seed_demo`, which must have run first."""
    accounts = {a.username: a for a in auction_demo.ACCOUNTS}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["regulator", "meera", "ravi"])}
    firms = {f.cin: f for f in Firm.objects.filter(cin__in=[accounts["meera"].firm, accounts["ravi"].firm])}
    if len(users) < 3 or len(firms) < 2:
        raise ApplicationError(
            "The demo firms and accounts are missing: run `manage.py seed_demo` first (`make run` runs both)."
        )
    return People(
        regulator=users["regulator"],
        meera=users["meera"],
        ravi=users["ravi"],
        demo_minerals=firms[accounts["meera"].firm],
        example_metals=firms[accounts["ravi"].firm],
    )


# --- Blocks -----------------------------------------------------------------------------------------------------


def _boundary(area: DemoArea, rng: random.Random, attempt: int) -> dict:
    d_lon, d_lat = auction_demo.placement(attempt)
    return auction_demo.polygon(rng, (area.centre[0] + d_lon, area.centre[1] + d_lat), area.area_hectares)


def _block(area: DemoArea, status: str, *, forest: bool = True) -> Block:
    """The fictional block of `area`, through the registry's `block_create` on ground no other block takes, left in
    `status` as the auction (auctioned) or the execution of the deed (licensed) would leave it. `forest=False`: its
    forest land counted as government land (a lease whose deed is executed here needs no forest clearance)."""
    rng = random.Random(f"khanij-demo/{area.code}")
    start = rng.getstate()
    last_error = None
    for attempt in range(auction_demo.MAX_PLACEMENT_ATTEMPTS):
        rng.setstate(start)  # the same shape, only moved
        boundary = _boundary(area, rng, attempt)
        land = auction_demo.land_split(rng, geo.parse_boundary(boundary).area_hectares)
        if not forest:
            land["government_land_ha"] += land["forest_land_ha"]
            land["forest_land_ha"] = Decimal("0")
        try:
            block = block_create(
                actor=None,
                code=area.code,
                name=area.name,
                state=area.state,
                district=area.district,
                minerals=list(area.minerals),
                exploration_stage=area.exploration_stage,
                boundary=boundary,
                resources=auction_demo.resources(rng, area.minerals),
                illustrative_fields=ILLUSTRATIVE,
                published_outcome=BLOCK_OUTCOME,
                status=status,  # the registry records the block at the stage its licence reached
                **land,
            )
        except ApplicationError as exc:
            if exc.code != "boundary_overlap":
                raise
            last_error = exc
            continue
        return block
    raise ApplicationError(
        f"Could not place demo block {area.code} without overlapping others after "
        f"{auction_demo.MAX_PLACEMENT_ATTEMPTS} tries: {last_error.message}"
    )


# --- Licences: the record and its past, through the services ----------------------------------------------------


def _licence(*, kind: str, block: Block, holder: Firm, offer: Decimal, declared_on: datetime.date,
             applied_on: datetime.date, params: AuctionParams) -> Licence:  # fmt: skip
    """The licence record of a preferred bidder through `services.licence_create`, the write
    `licence_create_from_auction` makes for an auction's winner, but with no auction: the history's first entry
    says so."""
    return services.licence_create(
        kind=kind,
        holder=holder,
        block=block,
        winning_offer_pct=offer,
        params=params,
        declared_on=declared_on,
        applied_on=applied_on,
        details={"demo": True, "demo_note": DEMO_NOTE},
        note=f"{DEMO} no auction was held. {holder.legal_name} is recorded as preferred bidder at {offer}% for "
        f"{block.code} on {_d(declared_on)}, so that the screens after the auction can be tried; the figures follow "
        "licences.rules from the block's value of estimated resources.",
        payload={"demo": True},
    )


def _pages(licence: Licence) -> dict:
    return {
        "payments": f"/licences/{licence.pk}/payments/",
        "milestones": f"/licences/{licence.pk}/milestones/",
        "premium": f"/licences/{licence.pk}/premium/",
        "exploration": services.exploration_url(licence),
        "register": f"/licences/{licence.pk}/",
    }


def _paid(licence: Licence, obligation: Obligation, paid_on: datetime.date, people: People) -> Payment:
    """A past payment of the amount due on that day, recorded by the holder's member (`payment_record`) and
    confirmed by the regulator (`payment_confirm`): the obligation is met on the payment date."""
    total, _interest, _basis = services.amount_due(obligation, paid_on)
    payment = services.payment_record(
        actor=people.member_of(licence.holder), licence_id=licence.pk, obligation_id=obligation.pk, amount=total,
        reference=f"{licence.block.code}-{obligation.kind}".upper(), paid_on=paid_on,
    )  # fmt: skip
    return services.payment_confirm(actor=people.regulator, payment_id=payment.pk)


def _met(obligation: Obligation, met_on: datetime.date, people: People) -> Obligation:
    """A past milestone marked met by the regulator (`obligation_mark_met`): late costs the delay penalty."""
    return services.obligation_mark_met(actor=people.regulator, obligation_id=obligation.pk, met_on=met_on)


def _dues(licence: Licence) -> dict[str, Obligation]:
    return {o.kind: o for o in licence.obligations.exclude(kind=Kind.PREMIUM)}


# --- 1. A preferred bidder with its first dues ------------------------------------------------------------------------


def seed_preferred_bidder(people: People, on: datetime.date, report: LicenceSeedReport) -> Licence:
    """DEMO-ML-01: Demo Minerals declared preferred bidder 10 days ago; the first instalment and the performance
    security are due in 35 days, on its payments page."""
    existing = Licence.objects.filter(block__code=ML_PREFERRED.code).first()
    if existing is not None:
        report.present.append(existing.number)
        return existing
    params = AuctionParams()
    with transaction.atomic():
        block = _block(ML_PREFERRED, Block.Status.AUCTIONED)
        declared_on = on - datetime.timedelta(days=DECLARED_DAYS_AGO)
        licence = _licence(
            kind="ML", block=block, holder=people.demo_minerals, offer=ML_PREFERRED_OFFER, declared_on=declared_on,
            applied_on=declared_on - datetime.timedelta(days=60), params=params,
        )  # fmt: skip
    report.created.append(licence.number)
    return licence


# --- 2. A lease in force, with premium returns ----------------------------------------------------------------------


def seed_lease_in_force(people: People, on: datetime.date, report: LicenceSeedReport) -> Licence:
    """DEMO-ML-02: Example Metals' lease, executed 5 months ago, with its whole past from the declaration."""
    existing = Licence.objects.filter(block__code=ML_IN_FORCE.code).first()
    if existing is not None:
        report.present.append(existing.number)
        return existing
    params = AuctionParams()
    executed_on = rules.add_months(on, -EXECUTED_MONTHS_AGO)
    loi_on = rules.add_months(executed_on, -LOI_TO_EXECUTION_MONTHS)
    declared_on = loi_on - datetime.timedelta(days=40)
    with transaction.atomic():
        # The execution of the deed licenses the block. Its milestones are recorded met by hand (approvals from before
        # any clearance case), and it holds no forest land, so no forest clearance case gates the deed (RULES.md s.5).
        block = _block(ML_IN_FORCE, Block.Status.AUCTIONED, forest=False)
        licence = _licence(
            kind="ML", block=block, holder=people.example_metals, offer=ML_IN_FORCE_OFFER, declared_on=declared_on,
            applied_on=declared_on - datetime.timedelta(days=60), params=params,
        )  # fmt: skip
        for obligation in licence.obligations.all():
            _paid(licence, obligation, declared_on + datetime.timedelta(days=30), people)
        services.licence_issue_loi(actor=people.regulator, licence_id=licence.pk, issued_on=loi_on)
        due = _dues(licence)
        # The mining plan approved 20 days late: one month or part of delay, 1% of the security.
        _met(due[Kind.MINING_PLAN], due[Kind.MINING_PLAN].due_on + datetime.timedelta(days=20), people)
        _met(due[Kind.ENVIRONMENT_CLEARANCE], rules.add_months(loi_on, 20), people)
        _paid(licence, due[Kind.UPFRONT_2], rules.add_months(loi_on, 27), people)
        services.licence_sign_mdpa(
            actor=people.regulator, licence_id=licence.pk, signed_on=rules.add_months(loi_on, 28)
        )
        _paid(licence, due[Kind.UPFRONT_3], rules.add_months(loi_on, 29), people)
        services.licence_execute(actor=people.regulator, licence_id=licence.pk, executed_on=executed_on)
    report.created.append(licence.number)
    return licence


def seed_premium(lease: Licence, people: People, report: LicenceSeedReport) -> None:
    """Two monthly returns of the lease in force, filed by ravi through `premium_return_file`; the first paid by
    ravi and confirmed by the regulator through `payment_record` and `payment_confirm` (on its due date, so without
    interest); the second left outstanding. The months count from the execution, so a later run finds them."""
    lease.refresh_from_db()
    if lease.status != Licence.Status.ACTIVE or lease.starts_on is None:
        return  # someone has moved the demo lease on since: leave it as it is
    mineral = lease.minerals.order_by("slug").first()
    price = lease.block.resources.get(mineral=mineral).price_per_tonne
    execution_month = lease.starts_on.replace(day=1)
    returns = []
    for months_after, quantity in PREMIUM_RETURNS:
        month = rules.add_months(execution_month, months_after)
        filed = PremiumReturn.objects.filter(licence=lease, month=month, mineral=mineral).first()
        if filed is None:
            filed = services.premium_return_file(
                actor=people.ravi, licence_id=lease.pk, month=month, mineral=mineral.slug,
                quantity_tonnes=quantity, price_per_tonne=price,
            )  # fmt: skip
            report.acts.append(f"ravi filed the premium return of {lease.number} for {month:%B %Y}")
        returns.append(filed)
    first = returns[0].obligation
    if not first.payments.exists():
        total, _interest, _basis = services.amount_due(first, first.due_on)
        services.payment_record(
            actor=people.ravi, licence_id=lease.pk, obligation_id=first.pk, amount=total,
            reference=f"{lease.block.code}-PREMIUM-{returns[0].month:%Y-%m}", paid_on=first.due_on,
        )  # fmt: skip
        report.acts.append(f"ravi recorded the premium payment of {lease.number} for {returns[0].month:%B %Y}")
    recorded = first.payments.filter(status=Payment.Status.RECORDED).first()
    if recorded is not None:
        services.payment_confirm(actor=people.regulator, payment_id=recorded.pk)
        report.acts.append(f"regulator confirmed it ({recorded.reference})")


# --- 3. An exploration licence due to relinquish --------------------------------------------------------------------


def _report_filed(licence: Licence, obligation: Obligation, filed_on: datetime.date, people: People) -> Report:
    """A past work-programme report, filed by the holder's member on `filed_on` through `el_report_file` (which meets
    the earliest report owed; a late one keeps its days late), shown as submitted on that day."""
    report = services.el_report_file(
        actor=people.member_of(licence.holder),
        licence_id=licence.pk,
        summary=f"{DEMO} {obligation.title.lower()} of {licence.number}: mapping, sampling and drilling as in the "
        "work programme (fictional).",
        filed_on=filed_on,
    )
    Report.objects.filter(pk=report.pk).update(
        submitted_at=datetime.datetime.combine(filed_on, datetime.time(12), tzinfo=IST)
    )
    return report


def seed_exploration_licence(people: People, on: datetime.date, report: LicenceSeedReport) -> Licence:
    """DEMO-EL-01: Example Metals' EL, granted 3 years and 6 days ago; the reports of years 1 (on time) and 2 (late)
    filed, that of year 3 and the relinquishment due 6 days ago."""
    existing = Licence.objects.filter(block__code=EL_IN_FORCE.code).first()
    if existing is not None:
        report.present.append(existing.number)
        return existing
    params = AuctionParams()
    granted = rules.add_years(on, -params.el_relinquishment_after_years) - datetime.timedelta(
        days=RELINQUISHMENT_DAYS_OVERDUE
    )
    declared_on = granted - datetime.timedelta(days=30)
    with transaction.atomic():
        block = _block(EL_IN_FORCE, Block.Status.AUCTIONED)
        licence = _licence(
            kind="EL", block=block, holder=people.example_metals, offer=EL_SHARE, declared_on=declared_on,
            applied_on=declared_on - datetime.timedelta(days=45), params=params,
        )  # fmt: skip
        services.el_grant(actor=people.regulator, licence_id=licence.pk, granted_on=granted)
        reports = list(licence.obligations.filter(kind=Kind.WORK_REPORT).order_by("due_on"))
        _report_filed(licence, reports[0], reports[0].due_on - datetime.timedelta(days=12), people)
        _report_filed(licence, reports[1], reports[1].due_on + datetime.timedelta(days=9), people)
    report.created.append(licence.number)
    return licence


# --- 4. An area proposal in the regulators' queue -------------------------------------------------------------------


def seed_proposal(people: People, report: LicenceSeedReport) -> AreaProposal:
    """Demo Minerals proposes an area for an EL auction through `area_proposal_create` (its checks: a polygon in
    India, at most 1,000 km², Seventh Schedule minerals, no overlap), moved until it overlaps nothing."""
    existing = AreaProposal.objects.filter(firm=people.demo_minerals, title=PROPOSED.name).first()
    if existing is not None:
        return existing
    rng = random.Random(f"khanij-demo/{PROPOSED.code}")
    start = rng.getstate()
    for attempt in range(auction_demo.MAX_PLACEMENT_ATTEMPTS):
        rng.setstate(start)
        try:
            proposal = services.area_proposal_create(
                actor=people.meera,
                title=PROPOSED.name,
                state=PROPOSED.state,
                district=PROPOSED.district,
                minerals=list(PROPOSED.minerals),
                boundary=_boundary(PROPOSED, rng, attempt),
                rationale=f"{DEMO} a fictional area, proposed so that the regulators' queue of proposals can be "
                "tried: copper and zinc showings along a ridge, open for reconnaissance.",
            )
        except ApplicationError as exc:
            if not any(message.startswith("Overlaps") for message in exc.fields.get("boundary", [])):
                raise
            continue
        report.proposal_created = True
        report.acts.append(f"meera proposed “{proposal.title}” for an exploration licence auction")
        return proposal
    raise ApplicationError(f"Could not place the demo proposal without overlapping others ({PROPOSED.name}).")


# --- All of it ----------------------------------------------------------------------------------------------------


def seed_licences() -> LicenceSeedReport:
    """Seed (or complete) the demo licences; what is already there is left as it is."""
    people = _people()
    on = timezone.localdate()
    report = LicenceSeedReport()
    preferred = seed_preferred_bidder(people, on, report)
    lease = seed_lease_in_force(people, on, report)
    seed_premium(lease, people, report)
    el = seed_exploration_licence(people, on, report)
    seed_proposal(people, report)
    p, m, e = _pages(preferred), _pages(lease), _pages(el)
    report.screens = [
        ("anyone", "the public licence register, with each licence's history and obligations", "/licences/"),
        ("meera", f"{preferred.number}: record the first instalment and the performance security", p["payments"]),
        (
            "regulator",
            "confirm meera's payments (the licences' queue), then issue the Letter of Intent",
            "/regulator/licences/",
        ),  # fmt: skip
        ("regulator", f"{preferred.number}: Letter of Intent, milestones, revocation", p["milestones"]),
        ("ravi", f"{lease.number}: file a premium return, pay the outstanding one", m["premium"]),
        ("ravi", f"{lease.number}: its past milestones, one with a delay penalty", m["milestones"]),
        ("ravi", f"{el.number}: relinquishment due: draw the area kept; file the year-3 report", e["exploration"]),
        ("meera, ravi", "the firm's deadlines, overdue first", "/firm/deadlines/"),
        ("regulator", "the queue of area proposals", "/regulator/proposals/"),
    ]
    return report
