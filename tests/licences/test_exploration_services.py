"""The exploration licence's life after its auction (RULES.md s.4), through its services: the grant, the one
extension, the annual reports, the relinquishment at 3 years, the discovery, the expiry; every refused move."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from bidders.models import Membership
from blocks.models import Block, Mineral
from core.errors import ApplicationError, Conflict, PermissionDenied
from ledger.models import Entry
from licences import services as svc
from licences.models import Licence, Obligation, Report
from notifications.models import DueDate, Notification
from tests.factories import MembershipFactory, UserFactory
from tests.factories.licence_el import at, corner, el_granted, el_preferred, firm_of_user, inner_square, pdf, square
from tests.factories.licences import make_licence

pytestmark = pytest.mark.django_db

GRANT = date(2027, 4, 1)
Kind = Obligation.Kind


@pytest.fixture
def viewer(firm_user):
    return MembershipFactory(
        user=UserFactory(username="vera"), firm=firm_of_user(firm_user), role=Membership.Role.VIEWER
    ).user


@pytest.fixture
def el(regulator, firm_user):
    """Alice's firm's EL, granted on 1 Apr 2027."""
    return el_granted(regulator, firm_user, GRANT)


def on(day):
    return time_machine.travel(at(day), tick=False)


def dues(licence, kind):
    return list(licence.obligations.filter(kind=kind).order_by("due_on").values_list("due_on", "status"))


def open_deadlines(licence):
    """(kind, due date, firm id) of the licence's obligations' open due dates (notifications' register)."""
    keys = [f"obligation:{pk}" for pk in licence.obligations.values_list("pk", flat=True)]
    rows = DueDate.objects.filter(key__in=keys, status="open").order_by("due_on")
    return [
        (kind, due_on, int(audience.split(":")[1]))
        for kind, due_on, audience in rows.values_list("kind", "due_on", "audience")
    ]


# --- The grant ------------------------------------------------------------------------------------------------


def test_the_regulator_grants_the_el_for_five_years_with_its_reports_relinquishment_and_expiry(regulator, firm_user):
    licence = el_preferred(firm_user)
    with on(GRANT):
        svc.el_grant(actor=regulator, licence_id=licence.pk)
    licence.refresh_from_db()
    assert licence.status == "active"
    assert (licence.awarded_on, licence.starts_on) == (GRANT, GRANT)
    # 1 Apr 2027 + 5 years = 1 Apr 2032.
    assert licence.expires_on == date(2032, 4, 1)
    # A report every 12 months from the grant up to the expiry: 2028 .. 2032, five of them.
    assert [d for d, _s in dues(licence, Kind.WORK_REPORT)] == [date(y, 4, 1) for y in range(2028, 2033)]
    # The relinquishment 3 years after the grant; the expiry on its date.
    assert dues(licence, Kind.RELINQUISHMENT) == [(date(2030, 4, 1), "pending")]
    assert dues(licence, Kind.EXPIRY) == [(date(2032, 4, 1), "pending")]
    firm = firm_of_user(firm_user)
    deadlines = open_deadlines(licence)
    assert len(deadlines) == 7 and {owner for _k, _d, owner in deadlines} == {firm.pk}
    event = licence.events.get(kind="status")
    assert (event.from_status, event.to_status, event.actor) == ("preferred_bidder", "active", regulator)
    entry = Entry.objects.get(stream=licence.stream, seq=event.ledger_seq)
    assert entry.payload["expires_on"] == "2032-04-01"
    assert Notification.objects.filter(user=firm_user, title__contains="granted").exists()


def test_a_foreign_company_is_refused_the_grant(regulator, firm_user):
    firm = firm_of_user(firm_user)
    firm.incorporated_in_india = False
    firm.save()
    licence = el_preferred(firm_user)
    with pytest.raises(ApplicationError) as refused:
        svc.el_grant(actor=regulator, licence_id=licence.pk)
    assert refused.value.code == "not_eligible"
    assert "company registered in India" in refused.value.message
    licence.refresh_from_db()
    assert licence.status == "preferred_bidder" and not licence.obligations.exists()


def test_a_holder_below_the_net_worth_threshold_is_refused_the_grant(regulator, firm_user):
    firm = firm_of_user(firm_user)
    firm.net_worth = Decimal("200000000.00")  # Rs 20 crore, below the Rs 25 crore of RULES.md s.4
    firm.save()
    licence = el_preferred(firm_user)
    with pytest.raises(ApplicationError) as refused:
        svc.el_grant(actor=regulator, licence_id=licence.pk)
    assert "net worth" in refused.value.message and "25" in refused.value.message


def test_an_area_over_1000_km2_is_refused_the_grant(regulator, firm_user):
    # A 0.3 degree square at latitude 12: about 32.6 km x 33.2 km, some 1,085 km², over the 1,000 km² limit.
    licence = el_preferred(firm_user, size=0.3)
    with pytest.raises(ApplicationError) as refused:
        svc.el_grant(actor=regulator, licence_id=licence.pk)
    assert "at most 1,000" in refused.value.message and "km²" in refused.value.message
    assert Licence.objects.get(pk=licence.pk).status == "preferred_bidder"


@pytest.mark.parametrize("mineral", ["limestone", "coal"])
def test_a_mineral_outside_the_seventh_schedule_is_refused_the_grant(regulator, firm_user, mineral):
    Mineral.objects.get_or_create(slug="coal", defaults={"name": "Coal"})
    licence = el_preferred(firm_user, minerals=(mineral,))
    with pytest.raises(ApplicationError) as refused:
        svc.el_grant(actor=regulator, licence_id=licence.pk)
    name = Mineral.objects.get(slug=mineral).name
    assert f"{name} is not a Seventh Schedule mineral" in refused.value.message


def test_only_a_regulator_grants(firm_user, other_firm_user):
    licence = el_preferred(firm_user)
    for user in (firm_user, other_firm_user):
        with pytest.raises(PermissionDenied):
            svc.el_grant(actor=user, licence_id=licence.pk)


def test_a_granted_el_cannot_be_granted_again(regulator, el):
    with pytest.raises(Conflict, match="cannot become"):
        svc.el_grant(actor=regulator, licence_id=el.pk)


def test_a_mining_lease_is_not_granted_as_an_el(regulator, firm_user):
    lease = make_licence(kind="ML", holder=firm_of_user(firm_user), status="preferred_bidder")
    with pytest.raises(Conflict, match="not an exploration licence"):
        svc.el_grant(actor=regulator, licence_id=lease.pk)


# --- The extension --------------------------------------------------------------------------------------------


def test_the_regulator_extends_once_by_two_years_and_the_expiry_and_reports_follow(regulator, el):
    with on(date(2031, 6, 1)):
        svc.el_extend(actor=regulator, licence_id=el.pk, extended_to=date(2034, 4, 1), note="Drilling delayed")
    el.refresh_from_db()
    assert el.status == "extended" and el.extended_to == date(2034, 4, 1)
    assert el.expires_on == date(2032, 4, 1)  # the original term is kept
    assert dues(el, Kind.EXPIRY) == [(date(2032, 4, 1), "waived"), (date(2034, 4, 1), "pending")]
    # Two more yearly reports: 1 Apr 2033 and 1 Apr 2034.
    assert [d for d, _s in dues(el, Kind.WORK_REPORT)][-3:] == [date(2032, 4, 1), date(2033, 4, 1), date(2034, 4, 1)]
    assert ("expiry", date(2034, 4, 1)) in [(k, d) for k, d, _o in open_deadlines(el)]
    assert ("expiry", date(2032, 4, 1)) not in [(k, d) for k, d, _o in open_deadlines(el)]
    assert el.events.filter(kind="status", to_status="extended").exists()


def test_a_second_extension_is_refused(regulator, el):
    with on(date(2031, 6, 1)):
        svc.el_extend(actor=regulator, licence_id=el.pk, extended_to=date(2033, 4, 1))
        with pytest.raises(Conflict, match="only once"):
            svc.el_extend(actor=regulator, licence_id=el.pk, extended_to=date(2034, 4, 1))


def test_an_extension_beyond_two_years_is_refused(regulator, el):
    # The original expiry is 1 Apr 2032; two years more is 1 Apr 2034: one day later is refused.
    with on(date(2031, 6, 1)), pytest.raises(ApplicationError) as refused:
        svc.el_extend(actor=regulator, licence_id=el.pk, extended_to=date(2034, 4, 2))
    assert "at most 2 years" in refused.value.fields["extended_to"][0]
    el.refresh_from_db()
    assert el.status == "active" and el.extended_to is None


def test_the_holder_requests_an_extension_and_the_regulators_are_told(regulator, firm_user, el):
    with on(date(2031, 6, 1)):
        svc.el_extension_request(
            actor=firm_user, licence_id=el.pk, requested_to="2033-10-01", reason="Monsoon stopped the drilling"
        )
    el.refresh_from_db()
    assert el.details["extension_request"]["requested_to"] == "2033-10-01"
    assert el.status == "active"  # a request, not the extension
    assert Notification.objects.filter(user=regulator, title__contains="extension requested").exists()
    with pytest.raises(PermissionDenied):
        svc.el_extend(actor=firm_user, licence_id=el.pk, extended_to=date(2033, 10, 1))


# --- Annual work-programme reports -----------------------------------------------------------------------------


def test_the_holder_files_its_first_report_with_a_pdf_and_the_first_obligation_is_met(firm_user, el):
    with on(date(2028, 3, 15)):
        report = svc.el_report_file(actor=firm_user, licence_id=el.pk, summary="Mapped 40 km².", document=pdf())
    assert report.kind == "work_programme" and report.document.name.endswith(".pdf")
    assert report.document.read().startswith(b"%PDF-")
    assert dues(el, Kind.WORK_REPORT)[0] == (date(2028, 4, 1), "met")
    assert report.obligation.met_on == date(2028, 3, 15)
    assert ("work_report", date(2028, 4, 1)) not in [(k, d) for k, d, _o in open_deadlines(el)]


def test_the_next_years_report_cannot_be_filed_before_its_year_opens(firm_user, el):
    with on(date(2028, 3, 15)):
        svc.el_report_file(actor=firm_user, licence_id=el.pk, summary="Year 1")
        with pytest.raises(ApplicationError) as refused:
            svc.el_report_file(actor=firm_user, licence_id=el.pk, summary="Year 2 already?")
    assert refused.value.code == "too_early" and "01 Apr 2028" in refused.value.message


def test_a_late_report_meets_its_obligation_and_the_delay_is_noted(firm_user, el):
    with on(date(2028, 5, 1)):
        report = svc.el_report_file(actor=firm_user, licence_id=el.pk, summary="Year 1, late")
    # Due 1 Apr 2028, filed 1 May 2028: 30 days late.
    assert report.obligation.status == "met" and report.obligation.details["late_days"] == 30
    assert "30 day(s) late" in el.events.get(kind="work_report_filed").note


@pytest.mark.parametrize(
    "upload,message",
    [
        (pdf("report.docx", b"PK\x03\x04"), "not a PDF"),
        (pdf("report.pdf", b"<html>not a pdf</html>"), "content is not PDF"),
        (pdf("report.pdf", b""), "empty"),
        (pdf("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)), "limit is 10 MB"),
    ],
)
def test_a_report_document_must_be_a_pdf_of_at_most_10_mb(firm_user, el, upload, message):
    with on(date(2028, 3, 15)), pytest.raises(ApplicationError) as refused:
        svc.el_report_file(actor=firm_user, licence_id=el.pk, summary="Year 1", document=upload)
    assert message in refused.value.fields["document"][0]
    assert not Report.objects.exists()


def test_a_viewer_and_another_firm_cannot_file_a_report(viewer, other_firm_user, el):
    with on(date(2028, 3, 15)):
        for user in (viewer, other_firm_user):
            with pytest.raises(PermissionDenied):
                svc.el_report_file(actor=user, licence_id=el.pk, summary="x")


# --- Relinquishment -----------------------------------------------------------------------------------------------


def test_relinquishment_is_refused_before_three_years_with_the_date(firm_user, el):
    with on(date(2030, 3, 31)), pytest.raises(ApplicationError) as refused:
        svc.el_relinquish(
            actor=firm_user, licence_id=el.pk, retained_boundary=inner_square(el, 0.4), summary="Keeping the core"
        )
    assert refused.value.code == "too_early"
    assert "opens on 01 Apr 2030" in refused.value.fields["retained_boundary"][0]


def test_the_holder_relinquishes_to_16_percent_at_three_years(firm_user, el):
    original_area = el.original_area_hectares
    kept = inner_square(el, 0.4)  # 0.4 of the side: 0.4 x 0.4 = 16% of the area
    with on(date(2030, 4, 1)):
        report = svc.el_relinquish(
            actor=firm_user, licence_id=el.pk, retained_boundary=kept, summary="The anomaly lies here.", document=pdf()
        )
    el.refresh_from_db()
    assert el.original_area_hectares == original_area and el.original_boundary["coordinates"][0][0] == list(
        corner(el)[:2]
    )
    assert el.boundary == kept
    share = el.area_hectares * 100 / original_area
    assert Decimal("15.99") < share < Decimal("16.01")
    assert report.kind == "relinquishment" and report.retained_area_hectares == el.area_hectares
    assert dues(el, Kind.RELINQUISHMENT) == [(date(2030, 4, 1), "met")]
    event = el.events.get(kind="relinquished")
    assert "16.00%" in event.note and "On time" in event.note
    payload = Entry.objects.get(stream=el.stream, seq=event.ledger_seq).payload
    assert Decimal(payload["original_area_hectares"]) == original_area
    assert Decimal(payload["retained_area_hectares"]) == el.area_hectares


def test_two_polygons_totalling_under_a_quarter_may_be_kept(firm_user, el):
    lon, lat, side = corner(el)
    two = {
        "type": "MultiPolygon",
        "coordinates": [
            square(lon + 0.1 * side, lat + 0.1 * side, 0.3 * side)["coordinates"],
            square(lon + 0.6 * side, lat + 0.6 * side, 0.3 * side)["coordinates"],
        ],
    }
    with on(date(2030, 4, 2)):
        svc.el_relinquish(actor=firm_user, licence_id=el.pk, retained_boundary=two, summary="Two targets")
    el.refresh_from_db()
    # 2 x (0.3 x 0.3) = 18% of the original area.
    assert Decimal("17.99") < el.area_hectares * 100 / el.original_area_hectares < Decimal("18.01")


def test_keeping_more_than_25_percent_is_refused(firm_user, el):
    with on(date(2030, 4, 1)), pytest.raises(ApplicationError) as refused:
        # 0.6 x 0.6 of the side = 36% of the area.
        svc.el_relinquish(actor=firm_user, licence_id=el.pk, retained_boundary=inner_square(el, 0.6), summary="All")
    assert refused.value.code == "retention_refused"
    assert "at most 25%" in refused.value.fields["retained_boundary"][0]
    el.refresh_from_db()
    assert el.area_hectares == el.original_area_hectares and not Report.objects.exists()


def test_a_polygon_outside_the_original_is_refused(firm_user, el):
    lon, lat, side = corner(el)
    straddling = square(lon - 0.1 * side, lat + 0.3 * side, 0.3 * side)
    with on(date(2030, 4, 1)), pytest.raises(ApplicationError) as refused:
        svc.el_relinquish(actor=firm_user, licence_id=el.pk, retained_boundary=straddling, summary="Edge")
    assert "outside the licence's original boundary" in refused.value.fields["retained_boundary"][0]


def test_an_unreadable_polygon_is_refused_with_what_to_fix(firm_user, el):
    lon, lat, side = corner(el)
    open_ring = {"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01]]]}
    with on(date(2030, 4, 1)), pytest.raises(ApplicationError) as refused:
        svc.el_relinquish(actor=firm_user, licence_id=el.pk, retained_boundary=open_ring, summary="x")
    assert "at least 4 positions" in refused.value.fields["retained_boundary"][0]


def test_a_late_relinquishment_is_accepted_and_noted_late(firm_user, el):
    with on(date(2030, 6, 1)):
        report = svc.el_relinquish(
            actor=firm_user, licence_id=el.pk, retained_boundary=inner_square(el, 0.4), summary="Late"
        )
    # Due 1 Apr 2030, done 1 Jun 2030: 30 + 31 = 61 days late.
    assert report.obligation.status == "met" and report.obligation.details["late_days"] == 61
    assert "61 day(s) late" in el.events.get(kind="relinquished").note


def test_relinquishing_twice_is_refused(firm_user, el):
    with on(date(2030, 4, 1)):
        svc.el_relinquish(actor=firm_user, licence_id=el.pk, retained_boundary=inner_square(el, 0.4), summary="1")
        with pytest.raises(Conflict, match="already relinquished"):
            svc.el_relinquish(actor=firm_user, licence_id=el.pk, retained_boundary=inner_square(el, 0.3), summary="2")


def test_a_viewer_cannot_relinquish(viewer, el):
    with on(date(2030, 4, 1)), pytest.raises(PermissionDenied, match="viewer"):
        svc.el_relinquish(actor=viewer, licence_id=el.pk, retained_boundary=inner_square(el, 0.4), summary="x")


# --- Discovery ------------------------------------------------------------------------------------------------------


def test_a_geological_report_at_g2_sends_the_block_back_for_a_mining_lease_auction(regulator, firm_user, el):
    with on(date(2029, 7, 10)):
        report = svc.el_discovery_report(
            actor=firm_user, licence_id=el.pk, stage_reached="G2", summary="Lithium at 0.9% Li2O", document=pdf()
        )
    el.refresh_from_db()
    assert el.status == "discovery_reported" and report.stage_reached == "G2"
    block = Block.objects.get(pk=el.block_id)
    assert (block.exploration_stage, block.lease_kind, block.status) == ("G2", "ML", "identified")
    assert el.number in block.published_outcome
    # The State must auction within 12 months of the report: 10 Jul 2029 -> 10 Jul 2030.
    duty = el.obligations.get(kind=Kind.DISCOVERY_AUCTION)
    assert duty.due_on == date(2030, 7, 10) and "State" in duty.title
    deadline = DueDate.objects.get(key=f"obligation:{duty.pk}", kind="discovery_auction")
    assert deadline.audience == f"firm:{firm_of_user(firm_user).pk}" and deadline.status == "open"
    assert deadline.subject == f"blocks.block:{el.block_id}"  # the State's duty outlives the licence
    assert Notification.objects.filter(user=regulator, title__contains="Discovery").exists()


def test_a_g3_discovery_on_a_g4_block_is_for_a_composite_licence(firm_user, el):
    with on(date(2029, 7, 10)):
        svc.el_discovery_report(actor=firm_user, licence_id=el.pk, stage_reached="G3", summary="Prospects")
    block = Block.objects.get(pk=el.block_id)
    assert (block.exploration_stage, block.lease_kind) == ("G3", "CL")


def test_a_discovery_must_establish_a_stage_beyond_the_blocks(firm_user, el):
    Block.objects.filter(pk=el.block_id).update(exploration_stage="G3")
    with on(date(2029, 7, 10)), pytest.raises(ApplicationError) as refused:
        svc.el_discovery_report(actor=firm_user, licence_id=el.pk, stage_reached="G3", summary="Nothing new")
    assert "already at G3" in refused.value.fields["stage_reached"][0]
    assert Licence.objects.get(pk=el.pk).status == "active"


def test_a_discovery_after_relinquishment_returns_the_retained_area_to_the_registry(firm_user, el):
    kept = inner_square(el, 0.4)
    with on(date(2030, 4, 1)):
        svc.el_relinquish(actor=firm_user, licence_id=el.pk, retained_boundary=kept, summary="Core")
        svc.el_discovery_report(actor=firm_user, licence_id=el.pk, stage_reached="G2", summary="Found")
    block = Block.objects.get(pk=el.block_id)
    el.refresh_from_db()
    assert block.area_hectares == el.area_hectares


# --- Expiry ---------------------------------------------------------------------------------------------------------


def test_the_sweep_expires_the_el_the_day_after_its_term_and_closes_what_it_owed(firm_user, el):
    with on(date(2028, 3, 1)):
        svc.el_report_file(actor=firm_user, licence_id=el.pk, summary="Year 1")
    with on(date(2032, 4, 1)):
        assert svc.el_sweep()["expired"] == 0  # the last day of the term: still in force
    with on(date(2032, 4, 2)):
        assert svc.el_sweep()["expired"] == 1
        assert svc.el_sweep() == {"expired": 0, "obligations_closed": 0}  # idempotent
    el.refresh_from_db()
    assert el.status == "expired" and el.ended_on == date(2032, 4, 1)
    assert dues(el, Kind.EXPIRY) == [(date(2032, 4, 1), "met")]
    assert [s for _d, s in dues(el, Kind.WORK_REPORT)] == ["met", "missed", "missed", "missed", "missed"]
    assert dues(el, Kind.RELINQUISHMENT) == [(date(2030, 4, 1), "missed")]
    assert open_deadlines(el) == []


def test_an_extended_el_expires_after_its_extended_term(regulator, el):
    with on(date(2031, 6, 1)):
        svc.el_extend(actor=regulator, licence_id=el.pk, extended_to=date(2033, 4, 1))
    with on(date(2032, 4, 5)):
        assert svc.el_expire(licence_id=el.pk) is False
    with on(date(2033, 4, 2)):
        assert svc.el_expire(licence_id=el.pk) is True
    assert Licence.objects.get(pk=el.pk).ended_on == date(2033, 4, 1)


def test_an_el_with_a_discovery_is_not_expired_by_the_sweep(firm_user, el):
    with on(date(2029, 7, 10)):
        svc.el_discovery_report(actor=firm_user, licence_id=el.pk, stage_reached="G2", summary="Found")
    with on(date(2033, 1, 1)):
        svc.el_sweep()
    assert Licence.objects.get(pk=el.pk).status == "discovery_reported"


def test_the_sweep_closes_the_obligations_of_an_el_that_ended_otherwise(el):
    Licence.objects.filter(pk=el.pk).update(status="surrendered", ended_on=date(2029, 1, 1))
    with on(date(2029, 2, 1)):
        result = svc.el_sweep()
    assert result["obligations_closed"] == 7
    # Due by the end (1 Apr 2028): missed; due later: no longer due.
    assert [s for _d, s in dues(el, Kind.WORK_REPORT)] == ["missed", "waived", "waived", "waived", "waived"]
    assert dues(el, Kind.EXPIRY) == [(date(2032, 4, 1), "waived")]
    assert open_deadlines(el) == []


def test_the_beat_runs_the_sweep_as_a_task(el, settings):
    from licences.tasks import el_sweep

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert el_sweep.name in scheduled
    with on(date(2032, 4, 2)):
        assert el_sweep.apply().get() == {"expired": 1, "obligations_closed": 0}
    assert Licence.objects.get(pk=el.pk).status == "expired"


def test_a_refused_act_leaves_no_uploaded_document_behind(firm_user, el):
    storage = Report._meta.get_field("document").storage

    def stored():
        found = set()
        for month in storage.listdir("licence_reports")[0] if storage.exists("licence_reports") else []:
            for sub in storage.listdir(f"licence_reports/{month}")[0]:
                found |= {f"{month}/{sub}/{name}" for name in storage.listdir(f"licence_reports/{month}/{sub}")[1]}
        return found

    before = stored()
    with on(date(2030, 3, 1)), pytest.raises(ApplicationError, match="opens on"):
        svc.el_relinquish(
            actor=firm_user, licence_id=el.pk, retained_boundary=inner_square(el, 0.4), summary="x", document=pdf()
        )
    assert stored() == before


def test_a_discovery_keeps_the_blocks_boundary_when_its_land_split_would_not_fit_and_says_so(regulator, firm_user, el):
    # The block's surveyed land (all of it forest) cannot lie inside the 16% kept: the regulator must redraw both.
    Block.objects.filter(pk=el.block_id).update(forest_land_ha=el.original_area_hectares)
    with on(date(2030, 4, 1)):
        svc.el_relinquish(actor=firm_user, licence_id=el.pk, retained_boundary=inner_square(el, 0.4), summary="Core")
        svc.el_discovery_report(actor=firm_user, licence_id=el.pk, stage_reached="G2", summary="Found")
    block = Block.objects.get(pk=el.block_id)
    assert (block.exploration_stage, block.status, block.area_hectares) == (
        "G2",
        "identified",
        el.original_area_hectares,
    )
    notice = Notification.objects.get(user=regulator, title__contains="Discovery")
    assert "update it to the" in notice.body and "land split" in notice.body
