"""An environment clearance in real Chromium, through the pages: the case is brought to the expert committee's
appraisal through the services (so that the test stays short); then the MoEFCC officer raises a query and the public
licence page shows the clock stopped; the holder answers; the officer moves the case to its decision and grants it
with reasons; the lease's environment-clearance milestone shows met on that day; a citizen finds the decision on
the licence's page.

The clock is moved with time-machine, which moves the live server's thread too (noon IST of each day)."""

from datetime import date

import pytest
import time_machine
from django.db import transaction
from playwright.sync_api import expect

from clearances import services as svc
from licences import services as licence_services
from tests.browser import submit
from tests.factories.bidders import MembershipFactory, UserFactory
from tests.factories.clearance_cases import at, officer
from tests.factories.licences import make_licence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def seed_at_appraisal():
    """A lithium lease (fast track) with its Letter of Intent of 20 Mar 2027, and its environment clearance filed on
    1 Apr 2027 and moved through the terms of reference and the EIA report to the appraisal (public consultation
    skipped on the fast track), on 1 Jul 2027."""
    holder = MembershipFactory(user=UserFactory(username="asha"), firm__legal_name="Asha Lithium Ltd")
    licence = make_licence(status="preferred_bidder", holder=holder.firm, number="ML/2027/0101", awarded_on=None,
                           minerals=("lithium",))  # fmt: skip
    with time_machine.travel(at(date(2027, 3, 20)), tick=False), transaction.atomic():
        licence_services.loi_record(licence=licence, loi_on=date(2027, 3, 20))
    moefcc = officer("meera", "moefcc", "Scientist E, MoEFCC").user
    with time_machine.travel(at(date(2027, 4, 1)), tick=False):
        case = svc.case_file(actor=holder.user, licence_id=licence.pk, kind="environment")
    with time_machine.travel(at(date(2027, 5, 20)), tick=False):
        svc.stage_advance(actor=moefcc, case_id=case.pk, note="Terms of reference conveyed.")
    with time_machine.travel(at(date(2027, 7, 1)), tick=False):
        svc.stage_advance(actor=holder.user, case_id=case.pk, note="EIA report submitted.")
    case.refresh_from_db()
    assert case.stages.get(status="open").code == "appraisal"
    return licence, case


def test_a_query_stops_the_public_clock_the_holder_answers_and_the_grant_meets_the_lease_milestone(browse):
    licence, case = seed_at_appraisal()
    public_page = f"/licences/{licence.pk}/"
    row = f"#clearance-{case.pk}"

    with time_machine.travel(at(date(2027, 7, 10)), tick=True):
        with browse("meera") as page:
            page.goto("/authority/clearances/")
            expect(page.locator(f"#case-{case.pk}")).to_contain_text("Appraisal by the expert committee")
            page.locator(f"#case-{case.pk} a").first.click()
            page.get_by_label("Details sought").fill("Send the hydrogeological study of the lease area.")
            submit(page, "Raise the query")
            expect(page.locator(".messages")).to_contain_text("the clock is stopped until the applicant answers")
        with browse() as page:
            page.goto(public_page)
            expect(page.locator(row)).to_contain_text("Clock stopped since 10 Jul 2027")
            expect(page.locator(row)).to_contain_text("8 of 60 days used")  # 2 to 9 Jul
            expect(page.locator(row)).not_to_contain_text("hydrogeological")

    with time_machine.travel(at(date(2027, 7, 15)), tick=True), browse("asha") as page:
        page.goto("/firm/clearances/")
        page.locator(f"#case-{case.pk} a").first.click()
        expect(page.locator("#queries")).to_contain_text("Send the hydrogeological study")
        page.get_by_label("Answer").fill("The study is attached; aquifer depth 40 m.")
        submit(page, "Send the answer")
        expect(page.locator(".messages")).to_contain_text("Answered on 15 Jul 2027: the clock runs again.")

    with time_machine.travel(at(date(2027, 7, 20)), tick=True), browse("meera") as page:
        page.goto(f"/clearances/{case.pk}/")
        expect(page.locator("#now")).to_contain_text("14 of 60 days used")  # 2 to 9 Jul, and 15 (the answer) to 20 Jul
        submit(page, "Move to the next stage")
        expect(page.locator("#now")).to_contain_text("Decision on the committee's recommendation")
        page.get_by_label("Grant").check()
        page.get_by_label("Reasons").fill("The committee recommended the project; the hydrogeology is adequate.")
        page.get_by_label("Conditions").fill("Groundwater drawn within 250 m3 a day.")
        page.get_by_label("Valid until").fill("2057-07-19")
        submit(page, "Record the decision")
        expect(page.locator(".messages")).to_contain_text("Granted on 20 Jul 2027")

    with time_machine.travel(at(date(2027, 7, 21)), tick=True):
        with browse("asha") as page:
            page.goto(f"/licences/{licence.pk}/milestones/")
            milestone = page.locator("#milestones tr", has_text="nvironment clearance")
            expect(milestone).to_contain_text("Met on 20 Jul 2027")
        with browse() as page:  # a citizen
            page.goto("/licences/")
            page.get_by_role("link", name="ML/2027/0101").click()
            expect(page.locator(row)).to_contain_text("Granted on 20 Jul 2027")
            expect(page.locator(row)).to_contain_text("The committee recommended the project")
            expect(page.locator(row)).to_contain_text("Valid until 19 Jul 2057")
            expect(page.locator("#obligations")).to_contain_text("20 Jul 2027")
