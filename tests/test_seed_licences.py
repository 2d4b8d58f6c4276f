"""`manage.py seed_licences`: the demo licences after `seed_demo`, so that every screen after the auction can be
tried at once: seeded once however often it runs, in the public register, on the firms' deadlines (overdue
first), in the regulators' queues, and in a state the real services carry on from (meera pays, the regulator
confirms and issues the Letter of Intent; ravi relinquishes his exploration licence)."""

import datetime
import io
import json
import math
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import box, mapping, shape

from auctions import demo as auction_demo
from blocks.models import Block
from licences import demo, services
from licences.models import (
    AreaProposal,
    Licence,
    LicenceEvent,
    Obligation,
    Payment,
    PremiumReturn,
    Report,
)
from licences.selectors import exploration as el_selectors
from notifications.models import DueDate, Notification
from notifications.selectors import due_dates_for
from tests.factories.licence_el import el_granted

pytestmark = pytest.mark.django_db

Kind = Obligation.Kind
PAISA = Decimal("0.01")
CRORE = Decimal("10000000")


def rupees(value) -> Decimal:
    return Decimal(value).quantize(PAISA, rounding=ROUND_HALF_UP)


def text(response) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def accounts() -> dict:
    """Only the firms and accounts of seed_demo (what seed_licences needs), without its 31 blocks."""
    report = auction_demo.SeedReport(source=auction_demo.csv_path())
    auction_demo.seed_accounts(report, auction_demo.seed_firms(report))
    return get_user_model().objects.in_bulk([a.username for a in auction_demo.ACCOUNTS], field_name="username")


@pytest.fixture
def seeded():
    users = accounts()
    report = demo.seed_licences()
    by_block = {lic.block.code: lic for lic in Licence.objects.select_related("block", "holder")}
    return {
        "report": report,
        "users": users,
        "preferred": by_block[demo.ML_PREFERRED.code],
        "lease": by_block[demo.ML_IN_FORCE.code],
        "el": by_block[demo.EL_IN_FORCE.code],
        "today": timezone.localdate(),
    }


def login(client, username):
    """Signs in through the login page (the lockout's backend needs the request, which Client.login omits)."""
    response = client.post(reverse("login"), {"username": username, "password": f"khanij-{username}"})
    assert response.status_code == 302, f"{username} cannot sign in"
    return client


COUNTED = (Block, Licence, LicenceEvent, Obligation, Payment, PremiumReturn, Report, AreaProposal, DueDate,
           Notification)  # fmt: skip


def test_seeding_twice_after_seed_demo_creates_nothing_twice():
    auction_demo.seed_demo()
    first = demo.seed_licences()
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    second = demo.seed_licences()

    assert len(first.created) == 3 and first.present == [] and first.proposal_created
    assert second.created == [] and sorted(second.present) == sorted(first.created)
    assert second.acts == [] and not second.proposal_created
    assert {model.__name__: model.objects.count() for model in COUNTED} == counts
    # Three fictional blocks beside the 31 of the tranches, none overlapping any other.
    assert counts["Block"] == 31 + 3 and counts["Licence"] == 3 and counts["AreaProposal"] == 1
    blocks = list(Block.objects.exclude(boundary=None))
    for block in Block.objects.filter(code__startswith="DEMO-"):
        others = [b for b in blocks if b.pk != block.pk]
        assert not any(shape(block.boundary).intersection(shape(b.boundary)).area > 0 for b in others), block.code


def test_every_seeded_licence_says_it_is_demo_data_without_an_auction(seeded):
    for licence in (seeded["preferred"], seeded["lease"], seeded["el"]):
        first_event = licence.events.order_by("at", "id").first()

        assert licence.details["demo"] is True
        assert licence.auction is None
        assert first_event.note.startswith("Demo data: no auction was held.")
        assert all(e.note.startswith("Demo data:") for e in licence.events.filter(actor=None))
        assert "(fictional)" in licence.block.name


def test_the_public_register_lists_every_seeded_licence(seeded, client):
    listing = text(client.get("/licences/"))

    for licence, status in ((seeded["preferred"], "Preferred bidder declared"), (seeded["lease"], "In force"),
                            (seeded["el"], "In force")):  # fmt: skip
        assert licence.number in listing
        page = client.get(f"/licences/{licence.pk}/")
        assert page.status_code == 200
        assert licence.number in text(page) and status in text(page)
        assert "Demo data: no auction was held." in text(page)


def test_meera_sees_the_first_instalment_and_security_due_45_days_after_the_declaration(seeded, client):
    licence, today = seeded["preferred"], seeded["today"]
    ver = licence.block.value_of_estimated_resources
    # Upfront payment: 0.5% of VER, capped at Rs 500 crore; the first instalment is 10% of it; the
    # performance security is 0.5% of VER. Declared 10 days ago, due 45 days after: 35 days from today.
    upfront = min(rupees(ver * Decimal("0.005")), 500 * CRORE)
    first_instalment = rupees(upfront * Decimal("0.10"))
    security = rupees(ver * Decimal("0.005"))
    due = today + datetime.timedelta(days=35)

    assert licence.holder.legal_name == "Demo Minerals Pvt Ltd"
    assert licence.declared_on == today - datetime.timedelta(days=10)
    dues = {o.kind: o for o in licence.obligations.all()}
    assert set(dues) == {Kind.UPFRONT_1, Kind.PERFORMANCE_SECURITY}
    assert (dues[Kind.UPFRONT_1].amount, dues[Kind.UPFRONT_1].due_on) == (first_instalment, due)
    assert (dues[Kind.PERFORMANCE_SECURITY].amount, dues[Kind.PERFORMANCE_SECURITY].due_on) == (security, due)
    page = text(login(client, "meera").get("/firm/deadlines/"))
    assert f"{due.day} {due:%b %Y} in 35 days Upfront payment: first instalment: {licence.number}" in page
    assert f"Performance security: {licence.number}" in page
    assert "record the first instalment" in " ".join(w for _a, w, _u in seeded["report"].screens)


def test_meera_pays_the_first_dues_and_the_regulator_confirms_them_and_issues_the_letter_of_intent(seeded):
    licence, users, today = seeded["preferred"], seeded["users"], seeded["today"]

    for obligation in licence.obligations.all():
        payment = services.payment_record(
            actor=users["meera"], licence_id=licence.pk, obligation_id=obligation.pk, amount=obligation.amount,
            reference=f"UTR-{obligation.kind}", paid_on=today,
        )  # fmt: skip
        services.payment_confirm(actor=users["regulator"], payment_id=payment.pk)
    services.licence_issue_loi(actor=users["regulator"], licence_id=licence.pk)

    licence.refresh_from_db()
    assert licence.status == Licence.Status.LOI_ISSUED and licence.awarded_on == today
    assert licence.obligations.filter(kind=Kind.MINING_PLAN, status=Obligation.Status.PENDING).exists()


def test_the_lease_in_force_has_its_past_and_two_premium_returns_one_paid(seeded, client):
    lease, today = seeded["lease"], seeded["today"]
    executed = lease.starts_on
    returns = list(lease.premium_returns.order_by("month"))
    price = lease.block.resources.get().price_per_tonne

    assert lease.status == Licence.Status.ACTIVE and lease.holder.legal_name == "Example Metals Ltd"
    assert executed < today and (today.year - executed.year) * 12 + today.month - executed.month == 5
    assert lease.block.status == Block.Status.LICENSED
    # Every milestone met; the mining plan 20 days late: one month or part, 1% of the performance security.
    milestones = {o.kind: o for o in lease.obligations.exclude(kind__in=(Kind.PREMIUM, Kind.EXPIRY))}
    assert all(o.status == Obligation.Status.MET for o in milestones.values())
    assert milestones[Kind.MINING_PLAN].penalty == rupees(lease.performance_security / 100)
    assert all(o.penalty == 0 for k, o in milestones.items() if k != Kind.MINING_PLAN)
    # Two returns of the first months after execution: premium = 14.20% x tonnes x IBM price, halved within
    # 5 years of the LoI.
    assert [(r.month.month, r.quantity_tonnes) for r in returns] == [
        ((executed.month % 12) + 1, Decimal("1250.000")),
        (((executed.month + 1) % 12) + 1, Decimal("1310.500")),
    ]
    assert returns[0].premium == rupees(Decimal("0.142") * Decimal("1250") * price / 2)
    assert returns[1].premium == rupees(Decimal("0.142") * Decimal("1310.5") * price / 2)
    paid, outstanding = returns[0].obligation, returns[1].obligation
    assert paid.status == Obligation.Status.MET
    assert paid.payments.get().status == Payment.Status.CONFIRMED
    assert outstanding.status == Obligation.Status.PENDING and outstanding.due_on < today
    assert login(client, "ravi").get(f"/licences/{lease.pk}/premium/").status_code == 200


def test_the_exploration_licence_is_due_to_relinquish_and_ravi_keeps_a_fifth_of_it(seeded, client):
    el, users, today = seeded["el"], seeded["users"], seeded["today"]

    assert el.status == Licence.Status.ACTIVE and el.holder.legal_name == "Example Metals Ltd"
    # Granted 3 years and 6 days ago: the relinquishment opened 6 days ago.
    relinquishment = el.obligations.get(kind=Kind.RELINQUISHMENT)
    assert relinquishment.due_on == today - datetime.timedelta(days=6)
    assert el_selectors.el_overview(el, today=today).relinquishment_open
    page = text(login(client, "ravi").get(f"/licences/{el.pk}/exploration/"))
    assert "Relinquish the rest" in page
    # Years 1 and 2 filed, year 3 overdue.
    reports = [o.status for o in el.obligations.filter(kind=Kind.WORK_REPORT).order_by("due_on")]
    assert reports[:3] == [Obligation.Status.MET, Obligation.Status.MET, Obligation.Status.PENDING]

    original = shape(el.original_boundary)
    point = original.representative_point()
    half = math.sqrt(0.2 * original.area) / 2  # a square of a fifth of the area, cut to the original
    kept = original.intersection(box(point.x - half, point.y - half, point.x + half, point.y + half))
    retained = json.loads(json.dumps(mapping(kept)))  # GeoJSON with lists, as a browser sends it
    services.el_relinquish(
        actor=users["ravi"], licence_id=el.pk, retained_boundary=retained, summary="Keeping the nickel showing."
    )

    el.refresh_from_db()
    relinquishment.refresh_from_db()
    assert el.area_hectares <= el.original_area_hectares / 4
    assert relinquishment.status == Obligation.Status.MET and relinquishment.met_on == today


def test_the_exploration_licence_has_the_obligations_a_grant_on_that_day_registers(seeded, regulator):
    el = seeded["el"]
    twin = el_granted(regulator, seeded["users"]["ravi"], granted=el.starts_on)

    def owed(licence):
        return [(o.kind, o.title, o.due_on) for o in licence.obligations.order_by("due_on", "kind")]

    assert owed(el) == owed(twin)
    assert (el.awarded_on, el.expires_on) == (twin.awarded_on, twin.expires_on)


def test_ravis_deadlines_list_the_overdue_ones_first(seeded, client):
    lease, el = seeded["lease"], seeded["el"]
    rows = re.findall(
        r'<tr class="deadline( deadline-overdue)?">.*?<a href="[^"]*">([^<]*)</a>',
        login(client, "ravi").get("/firm/deadlines/").content.decode(),
        flags=re.S,
    )
    overdue = [title for flag, title in rows if flag]

    assert sorted(overdue) == sorted([
        f"Premium for {lease.premium_returns.order_by('month').last().month:%B %Y} (Graphite): {lease.number}",
        f"Work-programme report for year 3: {el.number}",
        f"Relinquish to at most 25% of the original area: {el.number}",
    ])  # fmt: skip
    assert [bool(flag) for flag, _title in rows] == [True] * 3 + [False] * (len(rows) - 3)
    firm_dates = due_dates_for(audiences=[f"firm:{lease.holder_id}"])
    assert [d.title for d in firm_dates][:3] == [title for _flag, title in rows[:3]]


def test_the_regulators_queues_have_content(seeded, client):
    login(client, "regulator")
    queue = text(client.get("/regulator/licences/"))
    proposals = text(client.get("/regulator/proposals/"))

    assert f"{seeded['el'].number} Example Metals Ltd Relinquish to at most 25% of the original area" in queue
    assert f"{seeded['lease'].number} Example Metals Ltd Premium for" in queue
    assert f"{demo.PROPOSED.name} Demo Minerals Pvt Ltd Rajasthan" in proposals
    proposal = AreaProposal.objects.get()
    assert proposal.status == AreaProposal.Status.SUBMITTED and proposal.submitted_by.username == "meera"


def test_the_command_prints_what_to_try_with_which_account(settings):
    settings.DEBUG = True
    accounts()
    out = io.StringIO()

    call_command("seed_licences", stdout=out)

    numbers = sorted(Licence.objects.values_list("number", flat=True))
    printed = out.getvalue()
    assert "Licences: 3 created, 0 already present" in printed
    assert all(number in printed for number in numbers)
    preferred = Licence.objects.get(block__code=demo.ML_PREFERRED.code)
    assert re.search(rf"meera\s+/licences/{preferred.pk}/payments/", printed)
    assert re.search(r"regulator\s+/regulator/proposals/", printed)


def test_the_command_needs_debug_and_the_demo_accounts(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("seed_licences")

    settings.DEBUG = True
    with pytest.raises(CommandError, match="run `manage.py seed_demo` first"):
        call_command("seed_licences")
    assert not Licence.objects.exists()
