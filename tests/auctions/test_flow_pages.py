"""The server-rendered pages of the central auction: the regulator's tranche builder and auction desk, the firm's
"My auctions" and participation page. Every page for every role; the flow from the notice to the result through
the pages, with the clock moved by time-machine; and the sealed offer absent from every page before the opening."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auctions import services as svc
from auctions.models import Auction, Participation, Tranche
from auctions.tasks import auction_open as auction_open_task
from bidders.models import Affiliation, Membership
from blocks.services import block_create
from tests.factories import MembershipFactory, UserFactory, square_boundary
from tests.factories.auction_flow import (
    SCHEDULE,
    T0,
    bidder,
    close_and_evaluate,
    make_block,
    notified_auction,
    open_offers,
    opened_auction,
    submit_bids,
)

pytestmark = pytest.mark.django_db

SALE = SCHEDULE["document_sale_starts_at"] + timedelta(hours=1)
DUE = SCHEDULE["bid_due_at"] + timedelta(seconds=1)
OPENING = SCHEDULE["opening_at"]
SECRET_IPO = "47.83"  # an offer no other figure on the pages could be mistaken for
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def text(response) -> str:
    """The visible text of a page, whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def field_error(response, field_id: str) -> str:
    """The message rendered next to a form field (templates/auctions/flow/_field.html)."""
    found = re.findall(rf'id="{re.escape(field_id)}_error"[^>]*>(.*?)</', response.content.decode(), re.S)
    return " ".join(html.unescape(m).strip() for m in found)


def visit(user, url, *, at, data=None, files=None, follow=False):
    """One request as `user` (None: anonymous) at the moment `at`; a POST when data is given."""
    client = Client()
    with time_machine.travel(at, tick=False):
        if user is not None:
            client.force_login(user)
        if data is None:
            return client.get(url, follow=follow)
        return client.post(url, {**data, **(files or {})}, follow=follow)


@pytest.fixture
def viewer(firm_user):
    """Vera follows Alice Minerals Ltd's bids as a viewer."""
    firm = firm_user.memberships.get().firm
    return MembershipFactory(user=UserFactory(username="vera"), firm=firm, role=Membership.Role.VIEWER).user


@pytest.fixture
def users(regulator, firm_user, other_firm_user, plain_user, viewer):
    return {
        "anonymous": None,
        "plain": plain_user,
        "firm_admin": firm_user,
        "viewer": viewer,
        "other_firm": other_firm_user,
        "regulator": regulator,
    }


@pytest.fixture
def auction(regulator):
    return notified_auction(regulator).get()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def bid_data(**overrides):
    data = {
        "net_worth": "2500000000",
        "bid_security_reference": "BG-ALICE-001",
        "declared_affiliates": "",
        "initial_price_offer": SECRET_IPO,
    }
    data.update(overrides)
    return data


def buy_and_submit(user, auction, ipo=SECRET_IPO, **overrides):
    visit(user, reverse("flow:buy_document", args=[auction.pk]), at=SALE, data={"payment_reference": "UTR-1"})
    return visit(
        user,
        reverse("flow:submit_bid", args=[auction.pk]),
        at=SALE,
        data=bid_data(initial_price_offer=ipo, **overrides),
    )


# --- Who may open which page -----------------------------------------------------------------------------------------

REGULATOR_PAGES = ["tranche_list", "tranche_create", "tranche_detail", "auction_desk"]
EXPECTED_REGULATOR = {
    "anonymous": 302,
    "plain": 403,
    "firm_admin": 403,
    "viewer": 403,
    "other_firm": 403,
    "regulator": 200,
}


def regulator_url(name, auction):
    if name == "tranche_detail":
        return reverse("flow:tranche_detail", args=[auction.tranche_id])
    if name == "auction_desk":
        return reverse("flow:auction_desk", args=[auction.pk])
    return reverse(f"flow:{name}")


@pytest.mark.parametrize("page", REGULATOR_PAGES)
@pytest.mark.parametrize("role", list(EXPECTED_REGULATOR))
def test_regulator_pages_open_to_regulators_only(users, auction, page, role):
    response = visit(users[role], regulator_url(page, auction), at=SALE)
    assert response.status_code == EXPECTED_REGULATOR[role]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    elif role != "regulator":
        assert "Regulators only" in text(response)


EXPECTED_FIRM = {"anonymous": 302, "plain": 403, "firm_admin": 200, "viewer": 200, "other_firm": 200, "regulator": 403}


@pytest.mark.parametrize("page", ["firm_auctions", "participation"])
@pytest.mark.parametrize("role", list(EXPECTED_FIRM))
def test_firm_pages_open_to_members_of_a_firm_only(users, auction, page, role):
    url = reverse("flow:firm_auctions") if page == "firm_auctions" else reverse("flow:participation", args=[auction.pk])
    response = visit(users[role], url, at=SALE)
    assert response.status_code == EXPECTED_FIRM[role]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    elif role == "plain":
        assert "Register your firm" in text(response)
    elif role == "regulator":
        assert "Regulators follow every bid on the auction desk" in text(response)


REGULATOR_ACTIONS = ["tranche_notify", "tranche_open", "auction_lock_bids", "auction_reject_affiliates",
                     "auction_open", "auction_renotify", "auction_settle"]  # fmt: skip


@pytest.mark.parametrize("action", REGULATOR_ACTIONS)
@pytest.mark.parametrize("role", ["anonymous", "plain", "firm_admin", "viewer", "other_firm"])
def test_regulator_buttons_refuse_everyone_else(users, auction, action, role):
    target = auction.tranche_id if action.startswith("tranche_") else auction.pk
    response = visit(users[role], reverse(f"flow:{action}", args=[target]), at=DUE, data={})
    assert response.status_code == (302 if role == "anonymous" else 403)
    auction.refresh_from_db()
    assert auction.status == Auction.Status.NOTIFIED and auction.opening_status == ""


@pytest.mark.parametrize("action", ["buy_document", "submit_bid", "withdraw_bid"])
@pytest.mark.parametrize("role", ["anonymous", "plain", "regulator"])
def test_firm_buttons_refuse_who_acts_for_no_firm(users, auction, action, role):
    response = visit(users[role], reverse(f"flow:{action}", args=[auction.pk]), at=SALE, data=bid_data())
    assert response.status_code == (302 if role == "anonymous" else 403)
    assert not Participation.objects.exists()


def test_a_viewer_sees_the_bid_but_cannot_buy_submit_or_withdraw(firm_user, viewer, auction):
    buy_and_submit(firm_user, auction)
    page = visit(viewer, reverse("flow:participation", args=[auction.pk]), at=SALE)
    assert page.status_code == 200
    assert "Bid submitted: your receipt" in text(page)
    assert (
        "as a viewer" in text(page) and "Withdraw our bid" not in text(page) and "Submit the edited" not in text(page)
    )
    for action in ("submit_bid", "withdraw_bid"):
        refused = visit(viewer, reverse(f"flow:{action}", args=[auction.pk]), at=SALE, data=bid_data())
        assert refused.status_code == 403
        assert "may follow its bids but not make them" in text(refused)
    assert Participation.objects.get().status == Participation.Status.SUBMITTED


def test_a_viewer_cannot_buy_the_tender_document(viewer, auction):
    page = visit(viewer, reverse("flow:participation", args=[auction.pk]), at=SALE)
    assert "Buy tender document" not in text(page)
    refused = visit(viewer, reverse("flow:buy_document", args=[auction.pk]), at=SALE, data={"payment_reference": "U"})
    assert refused.status_code == 403 and "ask your firm's administrator for the bidder role" in text(refused)
    assert not Participation.objects.exists()


def test_an_unknown_auction_or_tranche_is_not_found(regulator, firm_user):
    assert visit(regulator, reverse("flow:auction_desk", args=[999]), at=SALE).status_code == 404
    assert visit(regulator, reverse("flow:tranche_detail", args=[999]), at=SALE).status_code == 404
    assert visit(firm_user, reverse("flow:participation", args=[999]), at=SALE).status_code == 404


# --- The tranche builder ---------------------------------------------------------------------------------------------


@pytest.fixture
def registry():
    """Blocks of the registry: two that a central tranche may take, one of a State, one without reserve price."""
    make_block(code="CG-LI-01", lon=82.0)
    make_block(code="CG-LI-02", lon=82.1)
    block_create(actor=None, code="OD-LS-01", name="Limestone", state="Odisha", minerals=["limestone"],
                 exploration_stage="G2", boundary=square_boundary(84, 20), reserve_price_pct="5")  # fmt: skip
    make_block(code="CG-LI-03", lon=82.2, reserve=None)


def tranche_data(**overrides):
    data = {
        "name": "Tranche IX",
        "tender_fee": "500000",
        "net_worth_threshold": "1000000000",
        "blocks": ["CG-LI-01", "CG-LI-02"],
        "document_sale_starts_at": "2027-01-05T10:00",
        "document_sale_ends_at": "2027-01-24T17:00",
        "pre_bid_meeting_at": "2027-01-10T11:00",
        "bid_due_at": "2027-02-03T17:00",
        "technical_evaluation_at": "2027-02-13T10:00",
        "opening_at": "2027-02-18T10:00",
        "e_auction_starts_at": "2027-02-23T10:00",
    }
    from auctions.rules import AuctionParams

    data.update({f"param_{k}": v for k, v in AuctionParams().as_json().items()})
    data.update(overrides)
    return data


def test_the_new_tranche_form_offers_eligible_blocks_and_the_rules_defaults(regulator, registry):
    page = visit(regulator, reverse("flow:tranche_create"), at=T0)
    body = page.content.decode()
    assert 'value="CG-LI-01"' in body and 'value="CG-LI-02"' in body
    assert "OD-LS-01" not in body  # a State's block
    assert "CG-LI-03" not in body  # no reserve price
    assert 'name="param_min_increment" value="0.05"' in body
    assert 'name="param_duration_minutes" value="60"' in body
    assert 'name="param_min_tqb_first_attempt" value="3"' in body
    assert 'name="tender_fee" value="300000.00"' in body
    assert "(IST)" in text(page)


def test_a_regulator_builds_and_notifies_a_tranche_through_the_pages(regulator, registry):
    created = visit(
        regulator, reverse("flow:tranche_create"), at=T0, data=tranche_data(param_min_tqb_first_attempt="2")
    )
    tranche = Tranche.objects.get(name="Tranche IX")
    assert created.status_code == 302 and created["Location"] == reverse("flow:tranche_detail", args=[tranche.pk])
    assert tranche.status == Tranche.Status.DRAFT
    assert tranche.params["min_tqb_first_attempt"] == 2
    assert tranche.tender_fee == Decimal("500000.00")
    assert tranche.bid_due_at.isoformat() == "2027-02-03T11:30:00+00:00"  # typed in IST
    page = visit(regulator, created["Location"], at=T0)
    assert "Notify Tranche IX" in text(page) and "03 Feb 2027, 17:00 IST" in text(page)

    notified = visit(regulator, reverse("flow:tranche_notify", args=[tranche.pk]), at=T0, data={}, follow=True)
    assert "Tranche IX is notified: 2 auction(s) are open to the public." in text(notified)
    assert "Notify Tranche IX" not in text(notified)
    auctions = list(Auction.objects.filter(tranche=tranche).order_by("block__code"))
    assert [a.block.code for a in auctions] == ["CG-LI-01", "CG-LI-02"]
    assert reverse("flow:auction_desk", args=[auctions[0].pk]) in notified.content.decode()

    listing = visit(regulator, reverse("flow:tranche_list"), at=T0)
    assert "Tranche IX" in text(listing) and "Notified" in text(listing)

    again = visit(regulator, reverse("flow:tranche_notify", args=[tranche.pk]), at=T0, data={})
    assert again.status_code == 409 and "Tranche IX was already notified" in text(again)


def test_a_schedule_out_of_order_is_refused_next_to_the_date_and_the_form_keeps_what_was_typed(regulator, registry):
    data = tranche_data(bid_due_at="2027-01-04T17:00", param_min_increment="0.10")
    page = visit(regulator, reverse("flow:tranche_create"), at=T0, data=data)
    assert page.status_code == 400
    assert "The bid due date must come after the end of the tender-document sale." in field_error(page, "id_bid_due_at")
    body = page.content.decode()
    assert 'value="Tranche IX"' in body and 'value="2027-01-04T17:00"' in body and 'value="0.10"' in body
    assert not Tranche.objects.exists()


def test_a_tranche_without_blocks_or_dates_is_refused_with_messages_to_act_on(regulator, registry):
    data = tranche_data(blocks=[], opening_at="")
    page = visit(regulator, reverse("flow:tranche_create"), at=T0, data=data)
    assert page.status_code == 400
    assert field_error(page, "id_blocks") == "Choose at least one block."
    assert "Give the date and time: opening of initial price offers (target)." in field_error(page, "id_opening_at")


def test_a_parameter_the_rules_refuse_is_shown_with_the_parameters(regulator, registry):
    page = visit(regulator, reverse("flow:tranche_create"), at=T0, data=tranche_data(param_min_increment="0"))
    assert page.status_code == 400
    assert "The minimum increment must be above 0." in field_error(page, "id_params")


def test_a_tranche_whose_bid_due_date_passed_cannot_be_notified(regulator, registry):
    visit(regulator, reverse("flow:tranche_create"), at=T0, data=tranche_data())
    tranche = Tranche.objects.get()
    late = SCHEDULE["bid_due_at"] + timedelta(days=30)
    page = visit(regulator, reverse("flow:tranche_notify", args=[tranche.pk]), at=late, data={})
    assert page.status_code == 400 and "change its schedule before notifying it" in text(page)
    tranche.refresh_from_db()
    assert tranche.status == Tranche.Status.DRAFT and not tranche.auctions.exists()


# --- The firm: buying, submitting, the receipt, the sealed offer -----------------------------------------------------


def test_my_auctions_lists_the_auctions_open_for_bids_with_a_buy_action(firm_user, auction):
    before = visit(firm_user, reverse("flow:firm_auctions"), at=T0)
    assert "No auction is open for bids right now." in text(before)
    page = visit(firm_user, reverse("flow:firm_auctions"), at=SALE)
    assert "CG-LI-01" in text(page) and "Buy tender document for CG-LI-01" in text(page)
    assert "Alice Minerals Ltd takes part in no auction yet." in text(page)
    assert "Tender-document sale closes: 24 Jan 2027, 10:00 IST" in text(page)


def test_buying_the_tender_document_twice_says_already_bought(firm_user, auction):
    url = reverse("flow:buy_document", args=[auction.pk])
    first = visit(firm_user, url, at=SALE, data={"payment_reference": "UTR-778"}, follow=True)
    assert "Tender document bought for CG-LI-01" in text(first)
    assert "Technical bid and sealed offer" in text(first)
    second = visit(firm_user, url, at=SALE, data={"payment_reference": "UTR-778"}, follow=True)
    assert second.status_code == 200
    assert "Alice Minerals Ltd already bought the tender document for CG-LI-01." in text(second)
    assert Participation.objects.count() == 1
    listing = visit(firm_user, reverse("flow:firm_auctions"), at=SALE)
    assert "Tender document bought" in text(listing) and "Bid due: 03 Feb 2027, 10:00 IST" in text(listing)


def test_buying_without_a_payment_reference_is_refused_next_to_the_field(firm_user, auction):
    page = visit(firm_user, reverse("flow:buy_document", args=[auction.pk]), at=SALE, data={"payment_reference": " "})
    assert page.status_code == 400
    assert "Give the payment reference of the tender fee" in field_error(page, "id_payment_reference")


def test_buying_after_the_document_sale_is_refused_with_its_dates(firm_user, auction):
    late = SCHEDULE["document_sale_ends_at"] + timedelta(hours=1)
    page = visit(firm_user, reverse("flow:buy_document", args=[auction.pk]), at=late, data={"payment_reference": "U"})
    assert page.status_code == 409
    assert "are sold from 05 Jan 2027 10:00 to 24 Jan 2027 10:00 IST" in text(page)


def test_a_firm_submits_and_sees_its_receipt_never_its_offer_before_the_opening(firm_user, regulator, auction, media):
    document = SimpleUploadedFile("technical-bid.pdf", PDF, content_type="application/pdf")
    visit(firm_user, reverse("flow:buy_document", args=[auction.pk]), at=SALE, data={"payment_reference": "UTR-1"})
    submitted = visit(
        firm_user,
        reverse("flow:submit_bid", args=[auction.pk]),
        at=SALE,
        data=bid_data(declared_affiliates="Alice Holdings Ltd"),
        files={"technical_bid_document": document},
    )
    assert submitted.status_code == 302
    participation = Participation.objects.get()
    assert participation.status == Participation.Status.SUBMITTED and len(participation.commitment) == 64
    assert participation.technical_bid_document.name.endswith(".pdf")

    page = visit(firm_user, submitted["Location"], at=SALE)
    assert "Bid submitted: your receipt" in text(page)
    assert participation.commitment in text(page)
    assert "check that it equals this receipt" in text(page)
    assert "Alice Holdings Ltd" in text(page)
    assert "Edit your bid" in text(page) and "Withdraw our bid" in text(page)
    for url, user in [
        (submitted["Location"], firm_user),
        (reverse("flow:firm_auctions"), firm_user),
        (reverse("flow:auction_desk", args=[auction.pk]), regulator),
        (reverse("flow:tranche_detail", args=[auction.tranche_id]), regulator),
    ]:
        for moment in (SALE, DUE):
            assert SECRET_IPO not in visit(user, url, at=moment).content.decode()

    document_url = reverse("flow:technical_bid_document", args=[participation.pk])
    assert visit(firm_user, document_url, at=SALE).status_code == 200
    assert b"".join(visit(regulator, document_url, at=SALE).streaming_content) == PDF


def test_another_firm_sees_its_own_page_not_the_bid_of_the_first(firm_user, other_firm_user, auction, media):
    buy_and_submit(firm_user, auction)
    commitment = Participation.objects.get().commitment
    page = visit(other_firm_user, reverse("flow:participation", args=[auction.pk]), at=SALE)
    assert page.status_code == 200
    assert commitment not in page.content.decode() and "Alice Minerals Ltd" not in text(page)
    assert "Buy tender document" in text(page)
    document_url = reverse("flow:technical_bid_document", args=[Participation.objects.get().pk])
    assert visit(other_firm_user, document_url, at=SALE).status_code == 404


def test_another_firm_cannot_touch_the_bid_of_the_first(firm_user, other_firm_user, auction):
    buy_and_submit(firm_user, auction)
    commitment = Participation.objects.get().commitment
    for action in ("withdraw_bid", "submit_bid"):
        refused = visit(other_firm_user, reverse(f"flow:{action}", args=[auction.pk]), at=SALE, data=bid_data())
        assert refused.status_code == 400
        assert "Buy the tender document of this auction first" in text(refused)
        assert commitment not in refused.content.decode()
    mine = Participation.objects.get()
    assert mine.status == Participation.Status.SUBMITTED and mine.commitment == commitment


def test_a_refused_offer_comes_back_with_the_form_as_typed_but_the_offer_not_written_back(firm_user, auction):
    visit(firm_user, reverse("flow:buy_document", args=[auction.pk]), at=SALE, data={"payment_reference": "UTR-1"})
    page = visit(
        firm_user,
        reverse("flow:submit_bid", args=[auction.pk]),
        at=SALE,
        data=bid_data(initial_price_offer="9.50", bid_security_reference="BG-TYPED-9"),
    )
    assert page.status_code == 400
    assert "below the reserve price of 10.00%" in field_error(page, "id_initial_price_offer")
    body = page.content.decode()
    assert 'value="BG-TYPED-9"' in body and 'value="2500000000"' in body
    assert re.search(r'<input[^>]*name="initial_price_offer"[^>]*>', body)[0].count("value=") == 0
    assert Participation.objects.get().status == Participation.Status.DOCUMENT_BOUGHT


def test_a_technical_bid_document_that_is_not_a_pdf_is_refused_next_to_the_field(firm_user, auction, media):
    visit(firm_user, reverse("flow:buy_document", args=[auction.pk]), at=SALE, data={"payment_reference": "UTR-1"})
    fake = SimpleUploadedFile("bid.pdf", b"PK\x03\x04 a zip file", content_type="application/pdf")
    page = visit(firm_user, reverse("flow:submit_bid", args=[auction.pk]), at=SALE, data=bid_data(),
                 files={"technical_bid_document": fake})  # fmt: skip
    assert page.status_code == 400
    assert "bid.pdf is named as a PDF but its content is not PDF" in field_error(page, "id_technical_bid_document")
    word = SimpleUploadedFile("bid.docx", b"PK\x03\x04", content_type="application/msword")
    page = visit(firm_user, reverse("flow:submit_bid", args=[auction.pk]), at=SALE, data=bid_data(),
                 files={"technical_bid_document": word})  # fmt: skip
    assert "only PDF files are accepted" in field_error(page, "id_technical_bid_document")
    assert Participation.objects.get().status == Participation.Status.DOCUMENT_BOUGHT


def test_a_technical_bid_document_over_10_mb_is_refused(firm_user, auction, media):
    visit(firm_user, reverse("flow:buy_document", args=[auction.pk]), at=SALE, data={"payment_reference": "UTR-1"})
    big = SimpleUploadedFile("bid.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    page = visit(firm_user, reverse("flow:submit_bid", args=[auction.pk]), at=SALE, data=bid_data(),
                 files={"technical_bid_document": big})  # fmt: skip
    assert page.status_code == 400 and "the limit is 10 MB" in field_error(page, "id_technical_bid_document")


def test_submitting_twice_keeps_one_bid_with_the_latest_receipt(firm_user, auction):
    buy_and_submit(firm_user, auction)
    again = visit(firm_user, reverse("flow:submit_bid", args=[auction.pk]), at=SALE, data=bid_data(), follow=True)
    assert again.status_code == 200
    participation = Participation.objects.get()
    assert participation.commitment in text(again)
    assert SECRET_IPO not in again.content.decode()


def test_a_firm_withdraws_before_the_due_date_and_not_after(firm_user, auction):
    buy_and_submit(firm_user, auction)
    withdrawn = visit(firm_user, reverse("flow:withdraw_bid", args=[auction.pk]), at=SALE, data={}, follow=True)
    assert "is withdrawn; the sealed offer was destroyed unopened" in text(withdrawn)
    assert "Your bid was withdrawn" in text(withdrawn) and "Technical bid and sealed offer" in text(withdrawn)
    assert Participation.objects.get().status == Participation.Status.WITHDRAWN

    buy_and_submit(firm_user, auction)
    late = visit(firm_user, reverse("flow:withdraw_bid", args=[auction.pk]), at=DUE, data={})
    assert late.status_code == 409 and "The bid due date has passed: a bid can no longer be withdrawn." in text(late)
    assert Participation.objects.get().status == Participation.Status.SUBMITTED


def test_after_the_due_date_the_bid_is_locked(firm_user, auction, media, tmp_path):
    buy_and_submit(firm_user, auction)
    page = visit(firm_user, reverse("flow:participation", args=[auction.pk]), at=DUE)
    assert "your bid is locked" in text(page)
    assert "Edit your bid" not in text(page) and "Withdraw our bid" not in text(page)
    late = visit(firm_user, reverse("flow:submit_bid", args=[auction.pk]), at=DUE, data=bid_data(), follow=True)
    assert late.status_code == 409 and "nothing was changed" in text(late)
    document = SimpleUploadedFile("late.pdf", PDF, content_type="application/pdf")
    late = visit(firm_user, reverse("flow:submit_bid", args=[auction.pk]), at=DUE, data=bid_data(),
                 files={"technical_bid_document": document})  # fmt: skip
    assert late.status_code == 409 and "the document was not stored" in text(late)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # the refused upload was removed again
    assert not Participation.objects.get().technical_bid_document


# --- The auction desk: evaluation, opening, the result, the second attempt -------------------------------------------


@pytest.fixture
def three_bids(auction):
    firms = [bidder(n) for n in ("Asha", "Bharat", "Chitra")]
    submit_bids(auction, {firms[0]: "12.10", firms[1]: SECRET_IPO, firms[2]: "11.00"})
    return firms


def test_the_desk_shows_no_bidder_before_the_due_date_then_the_count_and_the_bids(regulator, auction, three_bids):
    before = visit(regulator, reverse("flow:auction_desk", args=[auction.pk]), at=SALE)
    assert "Open for bids" in text(before) and "Asha Ltd" not in text(before)
    assert "Bids are received until 03 Feb 2027, 10:00 IST" in text(before)
    assert reverse("flow:participation", args=[auction.pk]) not in before.content.decode()
    assert f"/auctions/{auction.pk}/room/" in before.content.decode()

    after = visit(regulator, reverse("flow:auction_desk", args=[auction.pk]), at=DUE)
    assert "Bids received by the due date: 3" in text(after)
    assert "Lock the bids now" in text(after)  # the sweeper has not run yet
    locked = visit(regulator, reverse("flow:auction_lock_bids", args=[auction.pk]), at=DUE, data={}, follow=True)
    assert "The bids are locked" in text(locked)
    assert all(name in text(locked) for name in ("Asha Ltd", "Bharat Ltd", "Chitra Ltd"))
    assert "meets the threshold of Rs 1,00,00,00,000.00" in text(locked)
    assert "3 bid(s) still to evaluate" in text(locked) and "Open initial offers" not in text(locked)
    assert SECRET_IPO not in locked.content.decode()


def test_disqualifying_without_a_reason_is_refused_next_to_the_reason(regulator, auction, three_bids):
    with time_machine.travel(DUE, tick=False):
        svc.auctions_sweep()
    bid = auction.participations.get(firm__legal_name="Asha Ltd")
    url = reverse("flow:participation_evaluate", args=[auction.pk, bid.pk])
    page = visit(regulator, url, at=DUE, data={f"bid-{bid.pk}-decision": "disqualify", f"bid-{bid.pk}-reason": " "})
    assert page.status_code == 400
    assert field_error(page, f"id_bid-{bid.pk}-reason") == "Give the reason for disqualifying the bid; it is published."
    bid.refresh_from_db()
    assert bid.technically_qualified is None

    reason = {f"bid-{bid.pk}-decision": "disqualify", f"bid-{bid.pk}-reason": "No net-worth certificate"}
    done = visit(regulator, url, at=DUE, data=reason, follow=True)
    assert "The bid of Asha Ltd is disqualified." in text(done)
    assert "Disqualified: No net-worth certificate" in text(done)


def test_a_bid_below_the_net_worth_threshold_cannot_be_qualified(regulator, auction):
    low = bidder("Lowly")
    with time_machine.travel(SALE, tick=False):
        svc.participation_buy_document(actor=low, auction_id=auction.pk, payment_reference="U")
        svc.participation_submit(actor=low, auction_id=auction.pk, initial_price_offer="12", net_worth="1000",
                                 bid_security_reference="BG")  # fmt: skip
    with time_machine.travel(DUE, tick=False):
        svc.auctions_sweep()
    bid = auction.participations.get()
    desk = visit(regulator, reverse("flow:auction_desk", args=[auction.pk]), at=DUE)
    assert "below the threshold of Rs 1,00,00,00,000.00" in text(desk)
    url = reverse("flow:participation_evaluate", args=[auction.pk, bid.pk])
    page = visit(regulator, url, at=DUE, data={f"bid-{bid.pk}-decision": "qualify"})
    assert page.status_code == 400
    assert field_error(page, f"id_bid-{bid.pk}-decision") == "Net worth below the threshold."
    assert "Lowly Ltd declared a net worth of Rs 1000.00, below the tender's threshold" in text(page)


def test_flagged_affiliates_are_rejected_together(regulator, auction):
    a, b, c = (bidder(n) for n in ("Asha", "Bharat", "Chitra"))
    Affiliation.objects.create(firm=a.memberships.get().firm, affiliate=b.memberships.get().firm, kind="subsidiary")
    submit_bids(auction, {a: "12", b: "13", c: "14"})
    with time_machine.travel(DUE, tick=False):
        svc.auctions_sweep()
    desk = visit(regulator, reverse("flow:auction_desk", args=[auction.pk]), at=DUE)
    assert "Flagged: affiliate of Bharat Ltd" in text(desk) and "Reject all flagged affiliates (2)" in text(desk)
    done = visit(regulator, reverse("flow:auction_reject_affiliates", args=[auction.pk]), at=DUE, data={}, follow=True)
    assert "2 bid(s) of affiliated firms were disqualified." in text(done)
    assert set(
        auction.participations.filter(technically_qualified=False).values_list("firm__legal_name", flat=True)
    ) == {
        "Asha Ltd",
        "Bharat Ltd",
    }
    assert "Reject all flagged affiliates" not in text(done)


def test_opening_through_the_desk_publishes_the_ranked_list_and_the_floor(regulator, auction, three_bids):
    close_and_evaluate(auction, regulator)
    desk_url = reverse("flow:auction_desk", args=[auction.pk])
    before = visit(regulator, desk_url, at=OPENING)
    assert "Open initial offers" in text(before)
    assert SECRET_IPO not in before.content.decode()

    queued = visit(regulator, reverse("flow:auction_open", args=[auction.pk]), at=OPENING, data={}, follow=True)
    assert "The opening is queued: a worker decrypts, checks and ranks the initial price offers" in text(queued)
    assert "Opening of the initial offers: Queued" in text(queued) and "by regulator1" in text(queued)
    assert 'data-running="true"' in queued.content.decode()  # the page follows the worker
    assert "Open initial offers" not in text(queued) and "Qualify" not in text(queued)  # evaluation closed
    assert SECRET_IPO not in queued.content.decode()

    with time_machine.travel(OPENING, tick=False):
        auction_open_task(auction.pk)  # the worker's task
    opened = visit(regulator, desk_url, at=OPENING)
    assert f"Floor price of the e-auction: {SECRET_IPO}%" in text(opened)
    assert "at the request of regulator1" in text(opened)
    ranking = text(opened).split("Opening: technically qualified bidders ranked")[1]
    assert re.search(rf"1 Bharat Ltd {SECRET_IPO}% Qualified 2 Asha Ltd 12.10% Qualified 3 Chitra Ltd 11.00% Qualified",
                     ranking)  # fmt: skip
    assert "Watch the live room" in text(opened)

    bharat = three_bids[1]
    page = visit(bharat, reverse("flow:participation", args=[auction.pk]), at=OPENING)
    assert f"Your initial price offer {SECRET_IPO}%" in text(page)
    assert "Your rank 1" in text(page) and "Qualified for the e-auction Yes" in text(page)
    assert "equals your receipt" in text(page)
    assert f"/auctions/{auction.pk}/room/" in page.content.decode()


def test_the_open_button_refuses_while_a_bid_is_unevaluated(regulator, auction, three_bids):
    with time_machine.travel(DUE, tick=False):
        svc.auctions_sweep()
    page = visit(regulator, reverse("flow:auction_open", args=[auction.pk]), at=OPENING, data={})
    assert page.status_code == 409 and "Evaluate every technical bid before the opening" in text(page)
    assert SECRET_IPO not in page.content.decode()


def test_too_few_qualified_bidders_annuls_and_the_second_attempt_is_one_click(regulator, auction, three_bids):
    close_and_evaluate(auction, regulator, disqualify=[three_bids[0]])
    desk_url = reverse("flow:auction_desk", args=[auction.pk])
    visit(regulator, reverse("flow:auction_open", args=[auction.pk]), at=OPENING, data={})
    with time_machine.travel(OPENING, tick=False):
        auction_open_task(auction.pk)  # the worker's task
    annulled = visit(regulator, desk_url, at=OPENING)
    assert "Annulled: fewer than 3 TQB" in text(annulled) and "Notify second attempt" in text(annulled)
    assert SECRET_IPO not in annulled.content.decode()  # annulled unopened

    later = OPENING + timedelta(days=1)
    second = visit(regulator, reverse("flow:auction_renotify", args=[auction.pk]), at=later, data={}, follow=True)
    attempt = Auction.objects.get(previous=auction)
    assert second.redirect_chain[-1][0] == reverse("flow:auction_desk", args=[attempt.pk])
    assert "The second attempt for CG-LI-01 is notified on the same terms" in text(second)
    assert attempt.attempt == 2 and attempt.reserve_price_pct == auction.reserve_price_pct
    assert attempt.bid_due_at - attempt.document_sale_starts_at == auction.bid_due_at - auction.document_sale_starts_at
    assert attempt.bid_due_at > later

    first = visit(regulator, desk_url, at=later)
    assert "Notify second attempt" not in text(first) and "The second attempt is notified" in text(first)
    again = visit(regulator, reverse("flow:auction_renotify", args=[auction.pk]), at=later, data={})
    assert again.status_code == 409 and "already notified" in text(again)

    firm_page = visit(three_bids[1], reverse("flow:participation", args=[auction.pk]), at=later)
    assert "Annulled: fewer than 3 TQB" in text(firm_page) and "take part in the second attempt" in text(firm_page)


def test_after_settlement_the_desk_and_the_firms_show_the_preferred_bidder(regulator):
    a, b, c = (bidder(n) for n in ("Asha", "Bharat", "Chitra"))
    auction = opened_auction(regulator, {a: "12", b: "13", c: "14"})
    with time_machine.travel(auction.starts_at + timedelta(minutes=1), tick=False):
        svc.offer_place(actor=a, auction_id=auction.pk, value="14.50")
    auction.refresh_from_db()
    closed = visit(regulator, reverse("flow:auction_desk", args=[auction.pk]), at=auction.closes_at)
    assert "Declare the result now" in text(closed)
    settled = visit(regulator, reverse("flow:auction_settle", args=[auction.pk]), at=auction.closes_at, data={},
                    follow=True)  # fmt: skip
    assert "The result is declared and published." in text(settled)
    assert "Preferred bidder: Asha Ltd" in text(settled) and "14.50%" in text(settled)
    winner = visit(a, reverse("flow:participation", args=[auction.pk]), at=auction.closes_at)
    assert "Asha Ltd is the preferred bidder" in text(winner)
    loser = visit(b, reverse("flow:participation", args=[auction.pk]), at=auction.closes_at)
    assert "Result: Asha Ltd is the preferred bidder" in text(loser)
    listing = visit(b, reverse("flow:firm_auctions"), at=auction.closes_at)
    assert "Preferred bidder declared" in text(listing)


# --- Query counts and the back office --------------------------------------------------------------------------------


def test_my_auctions_and_the_desk_do_not_grow_in_queries_with_rows(regulator):
    auctions = list(notified_auction(regulator, codes=("CG-LI-01", "CG-LI-02", "CG-LI-03", "CG-LI-04")))
    asha, bharat, chitra = (bidder(n) for n in ("Asha", "Bharat", "Chitra"))
    submit_bids(auctions[0], {asha: "12"})
    submit_bids(auctions[1], {asha: "12", bharat: "13", chitra: "14"})
    submit_bids(auctions[2], {bharat: "12"})
    submit_bids(auctions[3], {bharat: "12"})
    with time_machine.travel(DUE, tick=False):
        svc.auctions_sweep()

    def queries(user, url):
        client = Client()
        with time_machine.travel(DUE, tick=False):
            client.force_login(user)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
        return len(captured)

    desk = [reverse("flow:auction_desk", args=[a.pk]) for a in auctions[:2]]
    assert queries(regulator, desk[0]) == queries(regulator, desk[1])  # one bid, three bids
    mine = reverse("flow:firm_auctions")
    assert queries(chitra, mine) == queries(bharat, mine)  # one auction, three auctions


@pytest.fixture
def staff_regulator(regulator):
    regulator.is_staff = regulator.is_superuser = True
    regulator.save()
    return regulator


def test_the_admin_never_shows_the_sealed_offer_and_the_ipo_only_after_the_opening(staff_regulator, three_bids):
    auction = Auction.objects.get()
    bid = auction.participations.get(firm__legal_name="Bharat Ltd")
    change = reverse("admin:auctions_participation_change", args=[bid.pk])
    page = visit(staff_regulator, change, at=DUE)
    assert page.status_code == 200
    body = page.content.decode()
    assert bid.sealed_offer not in body and "Sealed offer" not in body and "Offer nonce" not in body
    assert "Initial price offer" not in body and SECRET_IPO not in body
    listing = visit(staff_regulator, reverse("admin:auctions_participation_changelist"), at=DUE)
    assert "sealed until the opening" in text(listing) and SECRET_IPO not in listing.content.decode()
    probe = visit(staff_regulator, reverse("admin:auctions_participation_changelist") + "?initial_price_offer=47.83",
                  at=DUE)  # fmt: skip
    assert SECRET_IPO not in probe.content.decode()
    refused = visit(staff_regulator, change, at=DUE, data={"net_worth": "1"})
    assert refused.status_code == 403

    close_and_evaluate(auction, staff_regulator)
    with time_machine.travel(OPENING, tick=False):
        open_offers(staff_regulator, auction.pk)
    page = visit(staff_regulator, change, at=OPENING)
    body = page.content.decode()
    assert "Initial price offer" in body and SECRET_IPO in body
    bid.refresh_from_db()
    assert bid.offer_nonce not in body and "Offer nonce" not in body


def test_the_admin_pages_of_the_auction_are_read_only(staff_regulator, auction):
    for model in ("tranche", "auction", "participation", "offer"):
        assert visit(staff_regulator, reverse(f"admin:auctions_{model}_add"), at=SALE).status_code == 403
    page = visit(staff_regulator, reverse("admin:auctions_auction_change", args=[auction.pk]), at=SALE)
    assert page.status_code == 200 and auction.bidder_salt not in page.content.decode()
