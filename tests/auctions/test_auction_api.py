"""The signed-in API of the central auction: every regulator and firm action, its roles, errors and retries."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auctions.models import Auction, Participation, Tranche
from auctions.tasks import auction_open as auction_open_task
from bidders.models import Affiliation, Membership
from core.models import IdempotencyRecord, OutboxMessage
from tests.factories import MembershipFactory, UserFactory
from tests.factories.auction_flow import SCHEDULE, T0, make_block
from tests.factories.public_auctions import SEALED_IPOS, moment, notified, staged, three_firms

pytestmark = pytest.mark.django_db

BIDDING = SCHEDULE["document_sale_starts_at"] + timedelta(hours=2)
BID = {"initial_price_offer": "76.05", "net_worth": "2500000000", "bid_security_reference": "BG-001"}


def iso(value):
    return value.isoformat()


@pytest.fixture
def viewer(firm_user):
    """A viewer of Alice's firm: may follow its bids, not make them."""
    return MembershipFactory(
        user=UserFactory(username="vera"), firm=firm_user.memberships.get().firm, role=Membership.Role.VIEWER
    ).user


@pytest.fixture
def roles(plain_user, firm_user, viewer, other_firm_user, regulator):
    return {
        "anonymous": None,
        "plain user": plain_user,
        "firm member": firm_user,
        "firm viewer": viewer,
        "other firm's member": other_firm_user,
        "regulator": regulator,
    }


@pytest.fixture
def auction(regulator):
    return notified(regulator)


def call(api_as, user, method, url, body=None, at=BIDDING, **headers):
    client = api_as(user)
    with time_machine.travel(at, tick=False):
        return getattr(client, method)(url, body, format="json", **headers)


# --- Permissions: every endpoint, every role ----------------------------------------------------------------

REGULATOR_ENDPOINTS = [
    ("get", "/api/v1/tranches"),
    ("post", "/api/v1/tranches"),
    ("post", "/api/v1/tranches/{tranche}/notify"),
    ("get", "/api/v1/auctions/{auction}/bids"),
    ("post", "/api/v1/bids/{participation}/evaluation"),
    ("post", "/api/v1/auctions/{auction}/reject-affiliates"),
    ("post", "/api/v1/auctions/{auction}/open"),
    ("get", "/api/v1/auctions/{auction}/opening"),
    ("post", "/api/v1/tranches/{tranche}/open"),
    ("get", "/api/v1/tranches/{tranche}/opening"),
    ("post", "/api/v1/auctions/{auction}/second-attempt"),
]
FIRM_ENDPOINTS = [
    ("get", "/api/v1/my/auctions"),
    ("post", "/api/v1/auctions/{auction}/document"),
    ("post", "/api/v1/auctions/{auction}/bid"),
    ("delete", "/api/v1/auctions/{auction}/bid"),
    ("get", "/api/v1/auctions/{auction}/my-bid"),
]


@pytest.fixture
def bid_in(auction, firm_user, api_as):
    """Alice bought the document and submitted a bid."""
    call(api_as, firm_user, "post", f"/api/v1/auctions/{auction.pk}/document", {"payment_reference": "UTR-1"})
    call(api_as, firm_user, "post", f"/api/v1/auctions/{auction.pk}/bid", BID)
    return Participation.objects.get(auction=auction)


def url_of(template, auction, participation):
    return template.format(auction=auction.pk, tranche=auction.tranche_id, participation=participation.pk)


@pytest.mark.parametrize("method,template", REGULATOR_ENDPOINTS)
@pytest.mark.parametrize("role", ["anonymous", "plain user", "firm member", "firm viewer", "other firm's member"])
def test_regulator_endpoints_refuse_everyone_else(roles, auction, bid_in, api_as, method, template, role):
    response = call(api_as, roles[role], method, url_of(template, auction, bid_in), {})
    assert response.status_code == (401 if role == "anonymous" else 403)
    assert response.json()["error"]["code"] in ("not_authenticated", "permission_denied")
    assert "76.05" not in response.content.decode()


@pytest.mark.parametrize("method,template", FIRM_ENDPOINTS)
@pytest.mark.parametrize("role", ["anonymous", "plain user", "regulator"])
def test_firm_endpoints_refuse_who_is_not_a_member_of_a_firm(roles, auction, bid_in, api_as, method, template, role):
    response = call(api_as, roles[role], method, url_of(template, auction, bid_in), BID)
    assert response.status_code == (401 if role == "anonymous" else 403)
    assert "Register your firm" in response.json()["error"]["message"] or role == "anonymous"


@pytest.mark.parametrize(
    "method,template,expected",
    [
        ("get", "/api/v1/my/auctions", 200),
        ("get", "/api/v1/auctions/{auction}/my-bid", 200),
        ("post", "/api/v1/auctions/{auction}/document", 403),
        ("post", "/api/v1/auctions/{auction}/bid", 403),
        ("delete", "/api/v1/auctions/{auction}/bid", 403),
    ],
)
def test_a_firm_viewer_follows_the_bid_but_cannot_act(roles, auction, bid_in, api_as, method, template, expected):
    response = call(api_as, roles["firm viewer"], method, url_of(template, auction, bid_in), BID)
    assert response.status_code == expected
    if expected == 403:
        assert "ask your firm's administrator for the bidder role" in response.json()["error"]["message"]
    assert "76.05" not in response.content.decode()


def test_another_firm_sees_nothing_of_a_firms_bid(roles, auction, bid_in, api_as):
    other = roles["other firm's member"]
    assert call(api_as, other, "get", "/api/v1/my/auctions").json()["results"] == []
    response = call(api_as, other, "get", f"/api/v1/auctions/{auction.pk}/my-bid")
    assert response.status_code == 404 and response.json()["error"]["code"] == "no_bid"
    response = call(api_as, other, "delete", f"/api/v1/auctions/{auction.pk}/bid")
    assert response.status_code == 400 and response.json()["error"]["code"] == "document_not_bought"
    assert Participation.objects.get(pk=bid_in.pk).status == Participation.Status.SUBMITTED


def test_a_token_authenticates_a_program(auction, firm_user, client):
    from core.models import ApiToken

    _, token = ApiToken.objects.create(user=firm_user, name="bidding-robot")
    with time_machine.travel(BIDDING, tick=False):
        response = client.get("/api/v1/my/auctions", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200


# --- Regulator: tranches ------------------------------------------------------------------------------------


def tranche_body(**changes):
    body = {
        "name": "Tranche VIII",
        "blocks": ["CG-LI-01"],
        "tender_fee": "500000",
        "params": {"min_tqb_first_attempt": 2},
    }
    body.update({k: iso(v) for k, v in SCHEDULE.items()})
    body.update(changes)
    return body


def test_a_regulator_drafts_lists_and_notifies_a_tranche(regulator, api_as, client):
    make_block()
    created = call(api_as, regulator, "post", "/api/v1/tranches", tranche_body(), at=T0)
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["status"] == "draft" and draft["blocks"] == ["CG-LI-01"] and draft["auctions"] == []
    assert draft["params"]["min_tqb_first_attempt"] == 2 and draft["params"]["min_tqb_second_attempt"] == 1
    assert draft["tender_fee"] == "500000.00"
    listed = call(api_as, regulator, "get", "/api/v1/tranches", at=T0).json()["results"]
    assert [t["name"] for t in listed] == ["Tranche VIII"]
    assert client.get("/api/v1/public/tranches").json()["results"] == []  # a draft is not public

    notified_ = call(api_as, regulator, "post", f"/api/v1/tranches/{draft['id']}/notify", at=T0)
    assert notified_.status_code == 200
    assert notified_.json()["status"] == "notified"
    assert [a["block_code"] for a in notified_.json()["auctions"]] == ["CG-LI-01"]
    assert Auction.objects.get().params["min_tqb_first_attempt"] == 2
    again = call(api_as, regulator, "post", f"/api/v1/tranches/{draft['id']}/notify", at=T0)
    assert again.status_code == 409 and "already notified" in again.json()["error"]["message"]


def test_a_tranche_with_a_schedule_out_of_order_is_refused_with_the_field(regulator, api_as):
    make_block()
    body = tranche_body(bid_due_at=iso(SCHEDULE["document_sale_starts_at"] - timedelta(days=1)))
    response = call(api_as, regulator, "post", "/api/v1/tranches", body, at=T0)
    assert response.status_code == 400
    error = response.json()["error"]
    assert "bid_due_at" in error["fields"] and "must come after" in error["message"]


@pytest.mark.parametrize(
    "changes,field,words",
    [
        ({"blocks": ["NOPE-1"]}, "blocks", "No block has the code NOPE-1"),
        ({"blocks": []}, "blocks", "This list may not be empty"),
        ({"params": {"min_increment": "-1"}}, "params.min_increment", "greater than or equal to 0"),
        ({"bid_due_at": "tomorrow"}, "bid_due_at", "Datetime has wrong format"),
        ({"name": ""}, "name", "may not be blank"),
    ],
)
def test_bad_tranche_input_is_a_400_naming_the_field(regulator, api_as, changes, field, words):
    make_block()
    response = call(api_as, regulator, "post", "/api/v1/tranches", tranche_body(**changes), at=T0)
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["fields"] and words in json.dumps(error)


def test_creating_a_tranche_is_idempotent(regulator, api_as):
    make_block()
    first = call(api_as, regulator, "post", "/api/v1/tranches", tranche_body(), at=T0, HTTP_IDEMPOTENCY_KEY="k-1")
    again = call(api_as, regulator, "post", "/api/v1/tranches", tranche_body(), at=T0, HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Tranche.objects.count() == 1


# --- Regulator: evaluation, opening, second attempt ----------------------------------------------------------


@pytest.fixture
def firms():
    return three_firms()


def test_the_evaluation_view_is_sealed_until_the_due_date(regulator, firms, api_as):
    auction = staged(regulator, firms, "bidding")
    response = call(api_as, regulator, "get", f"/api/v1/auctions/{auction.pk}/bids", at=moment(auction, "bidding"))
    assert response.status_code == 409 and response.json()["error"]["code"] == "bids_sealed"


def test_the_evaluation_view_shows_firms_declarations_and_flags_but_no_offer(regulator, firms, api_as):
    auction = staged(regulator, firms, "due")
    Participation.objects.filter(firm__legal_name="Chitra Ltd").update(net_worth="1")
    response = call(api_as, regulator, "get", f"/api/v1/auctions/{auction.pk}/bids", at=moment(auction, "due"))
    assert response.status_code == 200
    rows = {row["firm"]["name"]: row for row in response.json()}
    assert set(rows) == {"Asha Ltd", "Bharat Ltd", "Chitra Ltd"}
    assert rows["Asha Ltd"]["net_worth"] == "2500000000.00" and rows["Asha Ltd"]["commitment"]
    assert rows["Chitra Ltd"]["net_worth_below_threshold"] is True
    assert all(row["initial_price_offer"] is None and row["rank"] is None for row in rows.values())
    assert not any(ipo in response.content.decode() for ipo in SEALED_IPOS)


def test_evaluating_a_bid(regulator, firms, api_as):
    auction = staged(regulator, firms, "evaluation")
    at = moment(auction, "evaluated")
    asha = Participation.objects.get(firm__legal_name="Asha Ltd")
    ok = call(api_as, regulator, "post", f"/api/v1/bids/{asha.pk}/evaluation", {"qualified": True}, at=at)
    assert ok.status_code == 200 and ok.json()["technically_qualified"] is True
    assert ok.json()["initial_price_offer"] is None
    no_reason = call(api_as, regulator, "post", f"/api/v1/bids/{asha.pk}/evaluation", {"qualified": False}, at=at)
    assert no_reason.status_code == 400 and no_reason.json()["error"]["fields"] == {"reason": ["Required."]}
    missing = call(api_as, regulator, "post", "/api/v1/bids/999999/evaluation", {"qualified": True}, at=at)
    assert missing.status_code == 404
    bad = call(api_as, regulator, "post", f"/api/v1/bids/{asha.pk}/evaluation", {"qualified": "perhaps"}, at=at)
    assert bad.status_code == 400 and "qualified" in bad.json()["error"]["fields"]


def test_an_evaluation_sent_as_a_form_without_qualified_is_refused_not_read_as_a_disqualification(
    regulator, firms, api_as
):
    auction = staged(regulator, firms, "evaluation")
    asha = Participation.objects.get(firm__legal_name="Asha Ltd")
    with time_machine.travel(moment(auction, "evaluated"), tick=False):
        response = api_as(regulator).post(
            f"/api/v1/bids/{asha.pk}/evaluation", {"reason": "No net-worth certificate"}, format="multipart"
        )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"qualified": ["This field is required."]}
    asha.refresh_from_db()
    assert asha.technically_qualified is None


def test_evaluating_before_the_due_date_is_a_conflict(regulator, firms, api_as):
    auction = staged(regulator, firms, "bidding")
    asha = Participation.objects.get(firm__legal_name="Asha Ltd")
    response = call(
        api_as,
        regulator,
        "post",
        f"/api/v1/bids/{asha.pk}/evaluation",
        {"qualified": True},
        at=moment(auction, "bidding"),
    )
    assert response.status_code == 409 and "76.05" not in response.content.decode()


def test_affiliates_are_flagged_and_rejected_together(regulator, firms, api_as):
    asha, bharat = (u.memberships.get().firm for u in firms[:2])
    Affiliation.objects.create(firm=asha, affiliate=bharat, kind=Affiliation.Kind.HOLDING)
    auction = staged(regulator, firms, "evaluation")
    at = moment(auction, "evaluated")
    flagged = Participation.objects.get(firm=asha)
    refused = call(api_as, regulator, "post", f"/api/v1/bids/{flagged.pk}/evaluation", {"qualified": True}, at=at)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "affiliate"
    response = call(api_as, regulator, "post", f"/api/v1/auctions/{auction.pk}/reject-affiliates", at=at)
    assert response.status_code == 200
    body = response.json()
    assert body["rejected"] == 2
    rows = {row["firm"]["name"]: row for row in body["bids"]}
    assert rows["Asha Ltd"]["technically_qualified"] is False and "affiliate" in rows["Asha Ltd"]["evaluation_reason"]
    assert rows["Chitra Ltd"]["technically_qualified"] is None
    missing = call(api_as, regulator, "post", "/api/v1/auctions/999999/reject-affiliates", at=at)
    assert missing.status_code == 404


def test_opening_is_queued_at_once_and_the_worker_publishes_the_offers(regulator, firms, api_as):
    auction = staged(regulator, firms, "evaluated")
    at = moment(auction, "evaluated")  # before the scheduled opening time: the regulator opens once evaluation is done
    queued = call(api_as, regulator, "post", f"/api/v1/auctions/{auction.pk}/open", at=at)
    assert queued.status_code == 202 and queued["Location"] == f"/api/v1/auctions/{auction.pk}/opening"
    body = queued.json()
    assert (body["status"], body["running"], body["requested_by"], body["floor_price"]) == (
        "queued",
        True,
        "regulator1",
        None,
    )
    assert not any(ipo in queued.content.decode() for ipo in SEALED_IPOS)  # queued is not opened
    assert call(api_as, regulator, "get", f"/api/v1/public/auctions/{auction.pk}", at=at).json()["opening"] is None
    again = call(api_as, regulator, "post", f"/api/v1/auctions/{auction.pk}/open", at=at)
    assert again.status_code == 202 and again.json()["status"] == "queued"
    assert OutboxMessage.objects.filter(task="auctions.open").count() == 1  # asking twice queued it once

    with time_machine.travel(at, tick=False):
        assert auction_open_task(auction.pk) == "opened"  # the worker's task
    progress = call(api_as, regulator, "get", f"/api/v1/auctions/{auction.pk}/opening", at=at).json()
    assert (progress["status"], progress["running"], progress["floor_price"]) == ("opened", False, "93.11")
    opening = call(api_as, regulator, "get", f"/api/v1/public/auctions/{auction.pk}", at=at).json()["opening"]
    assert opening["floor_price"] == "93.11" and len(opening["bidders"]) == 3
    done = call(api_as, regulator, "post", f"/api/v1/auctions/{auction.pk}/open", at=at)
    assert done.status_code == 409 and "the auction is initial offers opened" in done.json()["error"]["message"]
    bids = call(api_as, regulator, "get", f"/api/v1/auctions/{auction.pk}/bids", at=at)
    assert {row["initial_price_offer"] for row in bids.json()} == set(SEALED_IPOS)


def test_opening_before_every_bid_is_evaluated_is_refused(regulator, firms, api_as):
    auction = staged(regulator, firms, "evaluation")
    response = call(api_as, regulator, "post", f"/api/v1/auctions/{auction.pk}/open", at=moment(auction, "evaluated"))
    assert response.status_code == 409 and "Evaluate every technical bid" in response.json()["error"]["message"]
    assert not any(ipo in response.content.decode() for ipo in SEALED_IPOS)


def test_too_few_tqb_annul_and_a_second_attempt_is_one_action(regulator, firms, api_as):
    auction = staged(regulator, firms, "evaluated", disqualify=[firms[2]])
    at = moment(auction, "evaluated")
    assert call(api_as, regulator, "post", f"/api/v1/auctions/{auction.pk}/open", at=at).status_code == 202
    with time_machine.travel(at, tick=False):
        assert auction_open_task(auction.pk) == "annulled"
    annulled = call(api_as, regulator, "get", f"/api/v1/public/auctions/{auction.pk}", at=at).json()
    assert annulled["annulment"]["reason"] == "fewer than 3 TQB" and annulled["opening"] is None
    progress = call(api_as, regulator, "get", f"/api/v1/auctions/{auction.pk}/opening", at=at).json()
    assert (progress["status"], progress["annulment_reason"]) == ("annulled", "fewer than 3 TQB")
    second = call(api_as, regulator, "post", f"/api/v1/auctions/{auction.pk}/second-attempt", {}, at=at)
    assert second.status_code == 201, second.content
    assert second.json()["attempt"] == 2 and second.json()["previous_auction"] == auction.pk
    again = call(api_as, regulator, "post", f"/api/v1/auctions/{auction.pk}/second-attempt", {}, at=at)
    assert again.status_code == 409 and "already notified" in again.json()["error"]["message"]


def test_a_second_attempt_of_a_running_auction_is_refused(regulator, auction, api_as):
    response = call(api_as, regulator, "post", f"/api/v1/auctions/{auction.pk}/second-attempt", {})
    assert response.status_code == 409 and "not annulled" in response.json()["error"]["message"]


# --- Firms: document, bid, withdrawal, receipts ----------------------------------------------------------------


def test_a_firm_buys_the_document_bids_and_gets_only_a_receipt(auction, firm_user, api_as):
    bought = call(api_as, firm_user, "post", f"/api/v1/auctions/{auction.pk}/document", {"payment_reference": "UTR-9"})
    assert bought.status_code == 201 and bought.json()["status"] == "document_bought"
    response = call(api_as, firm_user, "post", f"/api/v1/auctions/{auction.pk}/bid", BID)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"auction_id", "status", "commitment", "submitted_at", "receipt"}
    assert body["commitment"] == Participation.objects.get().commitment and len(body["commitment"]) == 64
    assert "76.05" not in response.content.decode()
    mine = call(api_as, firm_user, "get", f"/api/v1/auctions/{auction.pk}/my-bid").json()
    assert mine["status"] == "submitted" and mine["commitment"] == body["commitment"]
    assert mine["initial_price_offer"] is None and mine["offer_nonce"] is None


def test_a_second_document_purchase_is_a_conflict(auction, firm_user, api_as):
    url = f"/api/v1/auctions/{auction.pk}/document"
    call(api_as, firm_user, "post", url, {"payment_reference": "UTR-9"})
    again = call(api_as, firm_user, "post", url, {"payment_reference": "UTR-10"})
    assert again.status_code == 409 and "already bought" in again.json()["error"]["message"]


def test_buying_outside_the_sale_window_is_refused_with_the_window(auction, firm_user, api_as):
    response = call(
        api_as, firm_user, "post", f"/api/v1/auctions/{auction.pk}/document", {"payment_reference": "U"}, at=T0
    )
    assert response.status_code == 409 and "are sold from" in response.json()["error"]["message"]


def test_a_bid_without_the_document_is_refused(auction, firm_user, api_as):
    response = call(api_as, firm_user, "post", f"/api/v1/auctions/{auction.pk}/bid", BID)
    assert response.status_code == 400 and response.json()["error"]["code"] == "document_not_bought"


@pytest.mark.parametrize(
    "changes,field,words",
    [
        ({"initial_price_offer": "9.99"}, "initial_price_offer", "below the reserve price of 10.00%"),
        ({"initial_price_offer": "12.345"}, "initial_price_offer", "no more than 2 decimal places"),
        ({"initial_price_offer": "lots"}, "initial_price_offer", "Write the number with the digits 0-9"),
        ({"net_worth": "-5"}, "net_worth", "greater than or equal to 0"),
        ({"bid_security_reference": ""}, "bid_security_reference", "may not be blank"),
    ],
)
def test_a_bad_bid_is_a_400_naming_the_field(auction, firm_user, api_as, changes, field, words):
    call(api_as, firm_user, "post", f"/api/v1/auctions/{auction.pk}/document", {"payment_reference": "UTR"})
    response = call(api_as, firm_user, "post", f"/api/v1/auctions/{auction.pk}/bid", {**BID, **changes})
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["fields"] and words in json.dumps(error)


def test_a_bid_after_the_due_date_is_a_conflict(auction, firm_user, api_as):
    call(api_as, firm_user, "post", f"/api/v1/auctions/{auction.pk}/document", {"payment_reference": "UTR"})
    late = SCHEDULE["bid_due_at"]
    response = call(api_as, firm_user, "post", f"/api/v1/auctions/{auction.pk}/bid", BID, at=late)
    assert response.status_code == 409 and "closed at" in response.json()["error"]["message"]
    assert "76.05" not in response.content.decode()


def test_a_retried_bid_returns_the_first_receipt_and_seals_once(auction, firm_user, api_as):
    call(api_as, firm_user, "post", f"/api/v1/auctions/{auction.pk}/document", {"payment_reference": "UTR"})
    url = f"/api/v1/auctions/{auction.pk}/bid"
    first = call(api_as, firm_user, "post", url, BID, HTTP_IDEMPOTENCY_KEY="bid-1")
    sealed = Participation.objects.get().sealed_offer
    retry = call(api_as, firm_user, "post", url, BID, HTTP_IDEMPOTENCY_KEY="bid-1")
    assert retry.status_code == 201 and retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"
    assert Participation.objects.get().sealed_offer == sealed  # not sealed a second time
    other = call(api_as, firm_user, "post", url, {**BID, "initial_price_offer": "80"}, HTTP_IDEMPOTENCY_KEY="bid-1")
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"


def test_the_idempotency_record_of_a_bid_cannot_be_hashed_back_to_the_offer(auction, firm_user, api_as):
    import hashlib

    call(api_as, firm_user, "post", f"/api/v1/auctions/{auction.pk}/document", {"payment_reference": "UTR"})
    url = f"/api/v1/auctions/{auction.pk}/bid"
    call(api_as, firm_user, "post", url, BID, HTTP_IDEMPOTENCY_KEY="bid-2")
    record = IdempotencyRecord.objects.get(key="bid-2")
    body = json.dumps(BID, sort_keys=True, separators=(",", ":"))
    assert record.request_fingerprint != hashlib.sha256(f"POST {url}\n{body}".encode()).hexdigest()
    assert "76.05" not in json.dumps(record.response_body)


def test_a_retried_document_purchase_returns_the_first_answer(auction, firm_user, api_as):
    url = f"/api/v1/auctions/{auction.pk}/document"
    first = call(api_as, firm_user, "post", url, {"payment_reference": "UTR"}, HTTP_IDEMPOTENCY_KEY="doc-1")
    retry = call(api_as, firm_user, "post", url, {"payment_reference": "UTR"}, HTTP_IDEMPOTENCY_KEY="doc-1")
    assert first.status_code == retry.status_code == 201 and retry.json() == first.json()
    assert Participation.objects.count() == 1


def test_a_new_submission_replaces_the_bid_with_a_new_commitment(auction, firm_user, api_as):
    call(api_as, firm_user, "post", f"/api/v1/auctions/{auction.pk}/document", {"payment_reference": "UTR"})
    url = f"/api/v1/auctions/{auction.pk}/bid"
    first = call(api_as, firm_user, "post", url, BID).json()["commitment"]
    second = call(api_as, firm_user, "post", url, {**BID, "initial_price_offer": "80.00"}).json()["commitment"]
    assert first != second and Participation.objects.get().commitment == second


def test_withdrawing_a_bid(auction, firm_user, api_as, bid_in):
    response = call(api_as, firm_user, "delete", f"/api/v1/auctions/{auction.pk}/bid")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn" and response.json()["commitment"] is None
    again = call(api_as, firm_user, "delete", f"/api/v1/auctions/{auction.pk}/bid")
    assert again.status_code == 409 and "no submitted bid" in again.json()["error"]["message"]
    late = call(api_as, firm_user, "delete", f"/api/v1/auctions/{auction.pk}/bid", at=SCHEDULE["bid_due_at"])
    assert late.status_code == 409


def test_after_the_opening_a_firm_sees_its_offer_rank_and_qualification(regulator, firms, api_as):
    auction = staged(regulator, firms, "opened")
    mine = call(api_as, firms[0], "get", f"/api/v1/auctions/{auction.pk}/my-bid", at=moment(auction, "opened")).json()
    assert (mine["initial_price_offer"], mine["rank"], mine["qualified"]) == ("76.05", 3, True)
    assert len(mine["offer_nonce"]) == 64 and mine["technically_qualified"] is True


def test_my_auctions_lists_only_the_firms_own(regulator, firms, api_as):
    mine = staged(regulator, firms, "bidding", code="MY-1")
    staged(regulator, firms[1:], "bidding", code="MY-2")
    rows = call(api_as, firms[0], "get", "/api/v1/my/auctions", at=moment(mine, "bidding")).json()["results"]
    assert [(r["auction_id"], r["status"], r["phase"]) for r in rows] == [(mine.pk, "submitted", "bidding")]
    assert rows[0]["initial_price_offer"] is None


def test_an_unknown_auction_is_a_404_for_firm_actions(firm_user, api_as):
    for method, url in [("post", "/api/v1/auctions/999999/document"), ("get", "/api/v1/auctions/999999/my-bid")]:
        response = call(api_as, firm_user, method, url, {"payment_reference": "U"})
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


# --- Query counts of the lists ----------------------------------------------------------------------------------


def _count(api_as, user, url, at):
    client = api_as(user)
    with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_endpoints_do_not_grow_with_the_rows(regulator, api_as):
    firms = three_firms()
    a = staged(regulator, firms, "due", code="C-1")
    at = moment(a, "due")
    counts = (
        _count(api_as, regulator, "/api/v1/tranches", at),
        _count(api_as, regulator, f"/api/v1/auctions/{a.pk}/bids", at),
        _count(api_as, firms[0], "/api/v1/my/auctions", at),
    )
    for i in range(2, 5):
        make_block(code=f"C-{i}", lon=90 + i * 0.1, lat=25)
        with time_machine.travel(T0, tick=False):
            from auctions import services as svc

            tranche = svc.tranche_create(actor=regulator, name=f"T{i}", blocks=[f"C-{i}"], **SCHEDULE)
            svc.tranche_notify(actor=regulator, tranche_id=tranche.pk)
        with time_machine.travel(BIDDING, tick=False):
            auction = Auction.objects.get(tranche=tranche)
            svc.participation_buy_document(actor=firms[0], auction_id=auction.pk, payment_reference="U")
    more_bidders = three_firms("X")
    for user in more_bidders:
        with time_machine.travel(BIDDING, tick=False):
            svc.participation_buy_document(actor=user, auction_id=a.pk, payment_reference="U")
    assert (
        _count(api_as, regulator, "/api/v1/tranches", at),
        _count(api_as, regulator, f"/api/v1/auctions/{a.pk}/bids", at),
        _count(api_as, firms[0], "/api/v1/my/auctions", at),
    ) == counts
