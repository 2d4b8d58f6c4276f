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

How, honestly: no auction was held for these licences (the auction services need the clock to pass a schedule of
weeks), and the grant, the Letter of Intent and the execution of the past cannot be done today by the services,
which date them today. So each licence and its past are written with the register's primitives
(`licence_number`, `licence_record`, `licence_move`, `obligation_add`, `obligation_settle`), every figure, due date
and basis from `licences.rules` as the services compute them, and the history says it is demo data without an
auction. What happens now goes through the real services, with their checks and notifications: the premium
returns, the premium payment and its confirmation, the area proposal. Blocks are created through the registry's
`block_create` (validation, overlap refusal, routing, VER). Everything is marked: licences carry
`details["demo"] = True` and a history note, blocks are named "(fictional)" and their outcome says so, payment
references start with DEMO-.

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
from core.money import format_inr
from core.selectors import closed_days
from licences import el_services, post_services, rules
from licences.models import AreaProposal, Licence, Obligation, Payment, PremiumReturn, Report
from licences.services import (
    licence_move,
    licence_number,
    licence_record,
    obligation_add,
    obligation_settle,
    params_of,
)
from notifications.services import notification_send

Kind = Obligation.Kind
ObStatus = Obligation.Status
IST = ZoneInfo("Asia/Kolkata")

DEMO = "Demo data:"
DEMO_NOTE = (
    "Demo data for trying the screens after the auction (manage.py seed_licences): no auction was held; the "
    "licence and its past were written when the demo was seeded, with the figures of licences.rules."
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


def _block(area: DemoArea, status: str) -> Block:
    """The fictional block of `area`, through the registry's `block_create` on ground no other block takes, left in
    `status` as the auction (auctioned) or the execution of the deed (licensed) would leave it."""
    rng = random.Random(f"khanij-demo/{area.code}")
    start = rng.getstate()
    last_error = None
    for attempt in range(auction_demo.MAX_PLACEMENT_ATTEMPTS):
        rng.setstate(start)  # the same shape, only moved
        boundary = _boundary(area, rng, attempt)
        land = auction_demo.land_split(rng, geo.parse_boundary(boundary).area_hectares)
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
                **land,
            )
        except ApplicationError as exc:
            if exc.code != "boundary_overlap":
                raise
            last_error = exc
            continue
        Block.objects.filter(pk=block.pk).update(status=status)
        block.status = status
        return block
    raise ApplicationError(
        f"Could not place demo block {area.code} without overlapping others after "
        f"{auction_demo.MAX_PLACEMENT_ATTEMPTS} tries: {last_error.message}"
    )


# --- Licences: the record and its past ------------------------------------------------------------------------------


def _licence(*, kind: str, block: Block, holder: Firm, offer: Decimal, declared_on: datetime.date,
             applied_on: datetime.date, params: AuctionParams) -> Licence:  # fmt: skip
    """The licence record of a preferred bidder, as `post_services.licence_create_from_auction` writes it, but with
    no auction: the history's first entry says so."""
    ver = block.value_of_estimated_resources
    is_lease = kind in post_services.LEASES
    licence = Licence.objects.create(
        number=licence_number(kind, declared_on.year),
        kind=kind,
        holder=holder,
        block=block,
        auction=None,
        state=block.state,
        district=block.district,
        boundary=block.boundary,
        area_hectares=block.area_hectares,
        original_boundary=block.boundary,
        original_area_hectares=block.area_hectares,
        winning_offer_pct=offer,
        value_of_estimated_resources=ver,
        performance_security=rules.performance_security(ver, params) if is_lease else Decimal("0"),
        upfront_payment=rules.upfront_payment(ver, params) if is_lease else Decimal("0"),
        params=params.as_json(),
        status=Licence.Status.PREFERRED_BIDDER,
        applied_on=applied_on,
        declared_on=declared_on,
        details={"demo": True, "demo_note": DEMO_NOTE},
    )
    licence.minerals.set(block.minerals.all())
    licence_record(
        licence=licence,
        kind="declared",
        note=f"{DEMO} no auction was held. {holder.legal_name} is recorded as preferred bidder at {offer}% for "
        f"{block.code} on {_d(declared_on)}, so that the screens after the auction can be tried; the figures follow "
        "licences.rules from the block's value of estimated resources.",
        payload={
            "demo": True,
            "block": block.code,
            "holder": holder.legal_name,
            "holder_cin": holder.cin,
            "kind": kind,
            "winning_offer_pct": offer,
            "value_of_estimated_resources": ver,
            "performance_security": licence.performance_security,
            "upfront_payment": licence.upfront_payment,
        },
        to_status=licence.status,
    )
    return licence


def _pages(licence: Licence) -> dict:
    return {
        "payments": f"/licences/{licence.pk}/payments/",
        "milestones": f"/licences/{licence.pk}/milestones/",
        "premium": f"/licences/{licence.pk}/premium/",
        "exploration": el_services.exploration_url(licence),
        "register": f"/licences/{licence.pk}/",
    }


def _first_dues(licence: Licence, params: AuctionParams) -> tuple[Obligation, Obligation]:
    """The first instalment and the performance security, due 45 days after the declaration, with the amounts and
    bases `licence_create_from_auction` gives them."""
    ver = licence.value_of_estimated_resources
    due = rules.first_payment_due(licence.declared_on, params, closed=closed_days(start=licence.declared_on))
    due_basis = (
        f"{rules.first_payment_basis(licence.declared_on, params, closed=closed_days(start=licence.declared_on))}."
    )
    url = _pages(licence)["payments"]
    first = obligation_add(
        licence=licence,
        kind=Kind.UPFRONT_1,
        title=Kind.UPFRONT_1.label,
        due_on=due,
        amount=rules.upfront_instalments(ver, params)[0],
        basis=f"{post_services.instalment_basis(1, ver, params)} {due_basis}",
        url=url,
    )
    security = obligation_add(
        licence=licence,
        kind=Kind.PERFORMANCE_SECURITY,
        title=Kind.PERFORMANCE_SECURITY.label,
        due_on=due,
        amount=licence.performance_security,
        basis=f"{rules.performance_security_basis(ver, params)}. {due_basis}",
        url=url,
    )
    return first, security


def _paid(licence: Licence, obligation: Obligation, paid_on: datetime.date, people: People) -> Payment:
    """A past payment, recorded by the holder and confirmed by the regulator: the amount due on that day (with any
    late interest, as `payment_confirm` computes it); the obligation is met on the payment date."""
    total, interest, interest_basis = post_services.amount_due(obligation, paid_on)
    payment = Payment.objects.create(
        licence=licence,
        obligation=obligation,
        amount=total,
        reference=f"{licence.block.code}-{obligation.kind}".upper(),
        paid_on=paid_on,
        status=Payment.Status.CONFIRMED,
        recorded_by=people.member_of(licence.holder),
        decided_by=people.regulator,
        decided_at=timezone.now(),
        decision_note="Demo data: recorded and confirmed when the demo was seeded.",
        interest=interest,
        interest_basis=interest_basis,
    )
    obligation_settle(obligation=obligation, status=ObStatus.MET, met_on=paid_on)
    licence_record(
        licence=licence,
        kind="payment_confirmed",
        note=f"{DEMO} {obligation.title}: {format_inr(total)} paid on {_d(paid_on)} confirmed "
        f"(reference {payment.reference}).",
        payload={
            "demo": True,
            "payment": payment.pk,
            "obligation": obligation.kind,
            "amount": total,
            "reference": payment.reference,
            "paid_on": paid_on.isoformat(),
        },  # fmt: skip
    )
    return payment


def _met(licence: Licence, obligation: Obligation, met_on: datetime.date, act: str) -> Obligation:
    """A past milestone met on `met_on`: late costs 1% of the performance security per month or part
    (`rules.delay_penalty`), kept on the obligation with its basis, as `post_services` records it."""
    penalty, basis = Decimal("0.00"), ""
    if met_on > obligation.due_on:
        penalty, basis = rules.delay_penalty(
            licence.performance_security, obligation.due_on, met_on, params_of(licence)
        )
    obligation_settle(obligation=obligation, status=ObStatus.MET, met_on=met_on, penalty=penalty, penalty_basis=basis)
    late = f" Delay penalty {format_inr(penalty)}: {basis}" if penalty else " On time."
    licence_record(
        licence=licence,
        kind=act,
        note=f"{DEMO} {obligation.title} met on {_d(met_on)} (due {_d(obligation.due_on)}).{late}",
        payload={
            "demo": True,
            "obligation": obligation.kind,
            "due_on": obligation.due_on.isoformat(),
            "met_on": met_on.isoformat(),
            "penalty": penalty,
        },  # fmt: skip
    )
    return obligation


def _letter_of_intent(licence: Licence, loi_on: datetime.date, params: AuctionParams) -> dict[str, Obligation]:
    """The Letter of Intent of `loi_on` and the milestones it starts, through `post_services.loi_record`."""
    created = post_services.loi_record(licence=licence, loi_on=loi_on, note_prefix=f"{DEMO} ", payload={"demo": True})
    return {o.kind: o for o in created}


def _execute(licence: Licence, executed_on: datetime.date, execution: Obligation) -> None:
    """The deed executed on `executed_on`: in force for 50 years, through `post_services.execution_record`."""
    post_services.execution_record(
        licence=licence,
        executed_on=executed_on,
        note_prefix=f"{DEMO} ",
        payload={"demo": True},
        meet=lambda obligation, licence, met_on, actor, act: _met(licence, obligation, met_on, act),
    )


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
        first, security = _first_dues(licence, params)
        notification_send(
            users=[people.meera],
            title=f"Preferred bidder for {block.code} (demo): pay {format_inr(first.amount)} and furnish "
            f"{format_inr(security.amount)} by {_d(first.due_on)}",
            body=f"{people.demo_minerals.legal_name} is the preferred bidder ({licence.number}, demo data without an "
            f"auction). By {_d(first.due_on)} pay the first instalment of the upfront payment and furnish the "
            "performance security; record both on the payments page, and the regulator confirms them.",
            url=_pages(licence)["payments"],
        )
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
        block = _block(ML_IN_FORCE, Block.Status.LICENSED)
        licence = _licence(
            kind="ML", block=block, holder=people.example_metals, offer=ML_IN_FORCE_OFFER, declared_on=declared_on,
            applied_on=declared_on - datetime.timedelta(days=60), params=params,
        )  # fmt: skip
        for obligation in _first_dues(licence, params):
            _paid(licence, obligation, declared_on + datetime.timedelta(days=30), people)
        due = _letter_of_intent(licence, loi_on, params)
        # The mining plan approved 20 days late: one month or part of delay, 1% of the security.
        _met(licence, due[Kind.MINING_PLAN], due[Kind.MINING_PLAN].due_on + datetime.timedelta(days=20),
             "milestone_met")  # fmt: skip
        _met(licence, due[Kind.ENVIRONMENT_CLEARANCE], rules.add_months(loi_on, 20), "milestone_met")
        _paid(licence, due[Kind.UPFRONT_2], rules.add_months(loi_on, 27), people)
        signed_on = rules.add_months(loi_on, 28)
        licence_move(licence=licence, to=Licence.Status.MDPA_SIGNED, payload={"demo": True},
                     note=f"{DEMO} Development agreement signed on {_d(signed_on)}.")  # fmt: skip
        _met(licence, due[Kind.MDPA], signed_on, "mdpa_signed")
        _paid(licence, due[Kind.UPFRONT_3], rules.add_months(loi_on, 29), people)
        _execute(licence, executed_on, due[Kind.EXECUTION])
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
            filed = post_services.premium_return_file(
                actor=people.ravi, licence_id=lease.pk, month=month, mineral=mineral.slug,
                quantity_tonnes=quantity, price_per_tonne=price,
            )  # fmt: skip
            report.acts.append(f"ravi filed the premium return of {lease.number} for {month:%B %Y}")
        returns.append(filed)
    first = returns[0].obligation
    if not first.payments.exists():
        total, _interest, _basis = post_services.amount_due(first, first.due_on)
        post_services.payment_record(
            actor=people.ravi, licence_id=lease.pk, obligation_id=first.pk, amount=total,
            reference=f"{lease.block.code}-PREMIUM-{returns[0].month:%Y-%m}", paid_on=first.due_on,
        )  # fmt: skip
        report.acts.append(f"ravi recorded the premium payment of {lease.number} for {returns[0].month:%B %Y}")
    recorded = first.payments.filter(status=Payment.Status.RECORDED).first()
    if recorded is not None:
        post_services.payment_confirm(actor=people.regulator, payment_id=recorded.pk)
        report.acts.append(f"regulator confirmed it ({recorded.reference})")


# --- 3. An exploration licence due to relinquish --------------------------------------------------------------------


def _granted(licence: Licence, granted: datetime.date, params: AuctionParams) -> None:
    """The grant on a past date through the grant's own checks and record (`el_services.el_grant_check`,
    `el_grant_record`): the same obligations, titles, due dates and bases as a grant on that day."""
    try:
        el_services.el_grant_check(licence, params)
    except ApplicationError as exc:
        raise ApplicationError(f"The demo exploration licence cannot be granted: {exc.message}") from exc
    el_services.el_grant_record(
        licence=licence, granted=granted, params=params, note_prefix=f"{DEMO} ", payload={"demo": True}
    )


def _report_filed(licence: Licence, obligation: Obligation, filed_on: datetime.date, people: People) -> Report:
    """A past work-programme report, filed by the holder on `filed_on`, meeting its obligation as
    `el_report_file` does (a late one keeps its days late)."""
    report = Report.objects.create(
        licence=licence,
        kind=Report.Kind.WORK_PROGRAMME,
        obligation=obligation,
        summary=f"{DEMO} {obligation.title.lower()} of {licence.number}: mapping, sampling and drilling as in the "
        "work programme (fictional).",
        submitted_by=people.member_of(licence.holder),
    )
    Report.objects.filter(pk=report.pk).update(
        submitted_at=datetime.datetime.combine(filed_on, datetime.time(12), tzinfo=IST)
    )
    late_days = (filed_on - obligation.due_on).days
    if late_days > 0:
        obligation.details = {**(obligation.details or {}), "late_days": late_days}
        obligation.save(update_fields=["details"])
        timing = f"{late_days} day(s) late: it was due on {obligation.due_on:%d %b %Y}."
    else:
        timing = f"On time: due on {obligation.due_on:%d %b %Y}."
    obligation_settle(obligation=obligation, status=ObStatus.MET, met_on=filed_on)
    licence_record(
        licence=licence,
        kind="work_report_filed",
        note=f"{DEMO} {obligation.title} filed on {filed_on:%d %b %Y}. {timing}",
        payload={"demo": True, "report": report.pk, "due_on": obligation.due_on.isoformat(), "document": False},
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
        _granted(licence, granted, params)
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
            proposal = el_services.area_proposal_create(
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
