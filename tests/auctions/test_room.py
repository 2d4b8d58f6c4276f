"""The e-auction room: what each role sees in each phase, offers through the API, and the cost of a poll."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auctions import services as svc
from auctions.api.room import RoomStateSerializer
from auctions.models import Auction, Offer
from auctions.pseudonyms import bidder_token
from bidders.models import Membership
from core.errors import PermissionDenied
from core.models import IdempotencyRecord
from tests.factories import MembershipFactory, UserFactory
from tests.factories.auction_flow import (
    bidder,
    close_and_evaluate,
    notified_auction,
    open_offers,
    opened_auction,
    submit_bids,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms():
    """Asha, Bharat and Chitra qualify (IPOs 12, 13, 14); Dev's technical bid was disqualified."""
    return {n: bidder(n) for n in ("Asha", "Bharat", "Chitra", "Dev")}


@pytest.fixture
def auction(regulator, firms):
    auction = notified_auction(regulator).get()
    submit_bids(auction, {firms["Asha"]: "12", firms["Bharat"]: "13", firms["Chitra"]: "14", firms["Dev"]: "15"})
    close_and_evaluate(auction, regulator, disqualify=[firms["Dev"]])
    with time_machine.travel(auction.opening_at, tick=False):
        open_offers(regulator, auction.pk)
    auction.refresh_from_db()
    assert auction.floor_price == Decimal("14.00")
    return auction


def live(auction, minutes=1):
    return time_machine.travel(auction.starts_at + timedelta(minutes=minutes), tick=False)


def place(auction, user, value, minutes=1):
    with live(auction, minutes):
        return svc.offer_place(actor=user, auction_id=auction.pk, value=Decimal(value))


def room_url(auction):
    return f"/api/v1/auctions/{auction.pk}/room"


def offers_url(auction):
    return f"/api/v1/auctions/{auction.pk}/offers"


def state_as(api_as, user, auction, minutes=1):
    with live(auction, minutes):
        response = api_as(user).get(room_url(auction))
    assert response.status_code == 200, response.content
    return response.json()


def assert_documented(state):
    """The state has the shape the OpenAPI schema documents."""
    serializer = RoomStateSerializer(data=state)
    assert serializer.is_valid(), serializer.errors
    assert set(state) == set(RoomStateSerializer().fields)


# --- Who sees what, when ------------------------------------------------------------------------------------


def test_before_the_opening_there_is_no_room_and_the_page_says_when_it_opens(regulator, firms, client, api_as):
    auction = notified_auction(regulator).get()
    submit_bids(auction, {firms["Asha"]: "12"})
    with time_machine.travel(auction.bid_due_at + timedelta(hours=1), tick=False):
        response = api_as(firms["Asha"]).get(room_url(auction))
        client.force_login(firms["Asha"])
        page = client.get(f"/auctions/{auction.pk}/room/")
    assert response.status_code == 404
    assert "opens with the opening of the initial price offers" in response.json()["error"]["message"]
    assert page.status_code == 404
    assert "opens with the opening of the initial price offers" in page.content.decode()


def test_a_missing_auction_is_404_with_a_message(api_as, firm_user, client):
    response = api_as(firm_user).get("/api/v1/auctions/999999/room")
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith("There is no auction 999999")
    assert client.get("/auctions/999999/room/state").status_code == 404


def test_the_public_sees_nothing_of_the_room_before_the_close(auction, firms, plain_user, other_firm_user, api_as):
    place(auction, firms["Asha"], "14.05")
    with live(auction):
        anonymous = api_as(None).get(room_url(auction))
        refused = {u: api_as(u).get(room_url(auction)) for u in (plain_user, other_firm_user, firms["Dev"])}
    assert anonymous.status_code == 403
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    for user, response in refused.items():
        assert response.status_code == 403, user
        body = json.dumps(response.json())
        assert "14.05" not in body and "Asha" not in body
    assert "Dev Ltd is not a qualified bidder" in refused[firms["Dev"]].json()["error"]["message"]
    assert "Bob Metals Ltd is not a qualified bidder" in refused[other_firm_user].json()["error"]["message"]


def test_the_room_page_sends_the_anonymous_to_log_in_and_refuses_other_firms(auction, other_firm_user, client):
    with live(auction):
        anonymous = client.get(f"/auctions/{auction.pk}/room/")
        client.force_login(other_firm_user)
        other = client.get(f"/auctions/{auction.pk}/room/")
        polled = client.get(f"/auctions/{auction.pk}/room/state")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/?next=")
    assert other.status_code == 403
    assert "not a qualified bidder" in other.content.decode()
    assert polled.status_code == 403 and "not a qualified bidder" in polled.json()["error"]["message"]


def test_a_qualified_firm_sees_the_best_offer_its_standing_and_an_anonymous_history(auction, firms, api_as):
    place(auction, firms["Bharat"], "14.05")
    place(auction, firms["Asha"], "14.10")
    place(auction, firms["Bharat"], "14.50")
    state = state_as(api_as, firms["Asha"], auction)
    assert_documented(state)
    assert state["phase"] == "live"
    assert state["best_offer"] == "14.50"
    assert state["next_valid_offer"] == "14.55"
    assert state["floor_price"] == "14.00"
    assert state["offer_count"] == 3
    assert state["viewer"] == "bidder"
    assert state["you"] == {
        "bidder": "Bidder 2",
        "standing": "outbid",
        "best_offer": "14.10",
        "can_offer": True,
        "note": "",
    }
    assert [(h["seq"], h["value"], h["bidder"]) for h in state["history"]] == [
        (3, "14.50", "Bidder 1"),
        (2, "14.10", "Bidder 2"),
        (1, "14.05", "Bidder 1"),
    ]
    assert state["bidders"] is None and state["result"] is None
    body = json.dumps(state)
    for name in ("Asha", "Bharat", "Chitra"):
        assert name not in body  # never another firm's identity, nor its own in the shared parts
    for user in firms.values():
        assert bidder_token(auction, user.memberships.get().firm_id) not in body


def test_labels_are_the_same_for_every_viewer_and_standing_follows_the_best_offer(auction, firms, api_as):
    place(auction, firms["Chitra"], "14.05")
    place(auction, firms["Asha"], "14.10")
    asha = state_as(api_as, firms["Asha"], auction)
    chitra = state_as(api_as, firms["Chitra"], auction)
    bharat = state_as(api_as, firms["Bharat"], auction)
    assert asha["history"] == chitra["history"] == bharat["history"]
    assert (asha["you"]["bidder"], asha["you"]["standing"]) == ("Bidder 2", "highest")
    assert (chitra["you"]["bidder"], chitra["you"]["standing"]) == ("Bidder 1", "outbid")
    assert (bharat["you"]["bidder"], bharat["you"]["standing"], bharat["you"]["best_offer"]) == (
        None,
        "no_offer",
        None,
    )


def test_a_regulator_sees_the_same_room_with_the_identities_and_cannot_offer(auction, firms, regulator, api_as, client):
    place(auction, firms["Bharat"], "14.05")
    state = state_as(api_as, regulator, auction)
    assert_documented(state)
    assert state["viewer"] == "regulator"
    assert state["you"]["can_offer"] is False
    assert state["history"][0]["firm"] == "Bharat Ltd"
    assert state["history"][0]["bidder_token"] is None
    assert [(b["firm"], b["rank"], b["initial_price_offer"], b["highest"]) for b in state["bidders"]] == [
        ("Chitra Ltd", 1, "14.00", False),
        ("Bharat Ltd", 2, "13.00", True),
        ("Asha Ltd", 3, "12.00", False),
    ]
    with live(auction):  # logged in at the auction's time, or the session would have expired
        client.force_login(regulator)
        page = client.get(f"/auctions/{auction.pk}/room/").content.decode()
    assert "Monitor, read-only" in page
    assert 'id="offer-form"' not in page
    assert "Bharat Ltd" in page


def test_a_viewer_of_a_qualified_firm_follows_the_room_but_may_not_offer(auction, firms, api_as):
    viewer = MembershipFactory(
        user=UserFactory(username="asha-viewer"),
        firm=firms["Asha"].memberships.get().firm,
        role=Membership.Role.VIEWER,
    ).user
    state = state_as(api_as, viewer, auction)
    assert state["viewer"] == "bidder" and state["you"]["can_offer"] is False
    assert "ask your firm's administrator for the bidder role" in state["you"]["note"]
    with live(auction):
        response = api_as(viewer).post(offers_url(auction), {"value": "14.05"}, format="json")
    assert response.status_code == 403
    assert not Offer.objects.exists()


def test_before_the_start_the_room_counts_down_and_takes_no_offer(auction, firms, api_as):
    with time_machine.travel(auction.starts_at - timedelta(minutes=5), tick=False):
        state = api_as(firms["Asha"]).get(room_url(auction)).json()
        response = api_as(firms["Asha"]).post(offers_url(auction), {"value": "14.05"}, format="json")
    assert state["phase"] == "opened"
    assert state["next_valid_offer"] == "14.05"
    assert state["you"]["can_offer"] is False
    assert "Offers are accepted from" in state["you"]["note"]
    assert response.status_code == 409
    assert "The e-auction starts at" in response.json()["error"]["message"]


def test_after_the_close_everyone_sees_the_anonymised_history_and_the_result(auction, firms, api_as, client):
    place(auction, firms["Asha"], "14.05")
    place(auction, firms["Chitra"], "14.20")
    after = auction.closes_at + timedelta(seconds=1)
    with time_machine.travel(after, tick=False):
        closed = api_as(None).get(room_url(auction)).json()
        svc.auctions_sweep()
        settled = api_as(None).get(room_url(auction)).json()
        page = client.get(f"/auctions/{auction.pk}/room/")
    assert_documented(closed)
    assert closed["phase"] == "closed" and closed["viewer"] == "public" and closed["you"] is None
    assert closed["result"] == {
        "outcome": "preferred_bidder",
        "declared": False,
        "preferred_bidder": "Chitra Ltd",
        "winning_offer": "14.20",
        "annulment_reason": "",
    }
    assert closed["next_valid_offer"] is None
    chitra_token = bidder_token(auction, firms["Chitra"].memberships.get().firm_id)
    assert [(h["bidder"], h["bidder_token"], h["firm"]) for h in closed["history"]][0] == (
        "Bidder 2",
        chitra_token,
        None,
    )
    assert settled["phase"] == "settled" and settled["result"]["declared"] is True
    assert page.status_code == 200
    assert "Preferred bidder: Chitra Ltd" in page.content.decode()


def test_an_e_auction_without_a_final_offer_shows_its_annulment(auction, api_as):
    with time_machine.travel(auction.closes_at, tick=False):
        svc.auctions_sweep()
        state = api_as(None).get(room_url(auction)).json()
    assert state["phase"] == "annulled"
    assert state["result"]["outcome"] == "annulled"
    assert state["result"]["annulment_reason"] == "no final offer"


# --- Offers through the API -----------------------------------------------------------------------------


def test_a_qualified_bidder_places_an_offer_and_gets_the_new_state(auction, firms, api_as):
    with live(auction):
        response = api_as(firms["Asha"]).post(offers_url(auction), {"value": "14.05"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["offer"]["value"] == "14.05" and body["offer"]["seq"] == 1 and body["offer"]["bidder"] == "Bidder 1"
    assert body["state"]["best_offer"] == "14.05"
    assert body["state"]["next_valid_offer"] == "14.10"
    assert body["state"]["you"]["standing"] == "highest"
    assert_documented(body["state"])
    auction.refresh_from_db()
    assert auction.best_offer == Decimal("14.05") and auction.offer_count == 1


def test_a_too_low_offer_is_refused_naming_the_smallest_valid_offer(auction, firms, api_as):
    place(auction, firms["Bharat"], "14.30")
    with live(auction):
        response = api_as(firms["Asha"]).post(offers_url(auction), {"value": "14.32"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "offer_too_low"
    assert "the smallest valid offer is 14.35%" in error["message"]
    assert error["fields"]["value"] == [error["message"]]
    assert Offer.objects.count() == 1


def test_a_regulator_who_is_also_a_member_of_a_qualified_firm_cannot_offer_even_through_the_service(
    auction, firms, regulator
):
    asha_firm = Membership.objects.get(user=firms["Asha"]).firm
    MembershipFactory(user=regulator, firm=asha_firm, role=Membership.Role.ADMIN)
    with live(auction), pytest.raises(PermissionDenied, match="read-only"):
        svc.offer_place(actor=regulator, auction_id=auction.pk, value=Decimal("14.05"))
    assert not Offer.objects.exists()


@pytest.mark.parametrize("headers", [{}, {"HTTP_IDEMPOTENCY_KEY": "k-once"}], ids=["no key", "with a key"])
def test_an_accepted_offer_answers_with_the_room_without_reading_the_auction_or_the_offers_again(
    auction, firms, api_as, headers
):
    """The 201's state comes from the row the offer locked and the offer itself; who bids is read once, also when
    the Idempotency-Key's precheck has read it before the key was reserved."""
    with live(auction), CaptureQueriesContext(connection) as captured:
        response = api_as(firms["Asha"]).post(offers_url(auction), {"value": "14.05"}, format="json", **headers)
    assert response.status_code == 201 and response.json()["state"]["you"]["standing"] == "highest"
    statements = [q["sql"] for q in captured]
    ledger = max(i for i, sql in enumerate(statements) if sql.startswith('INSERT INTO "ledger_entry"'))
    after = statements[ledger + 1 :]
    assert not [sql for sql in after if 'FROM "auctions_auction"' in sql or 'FROM "auctions_offer"' in sql]
    assert sum("bidders_membership" in sql for sql in statements) == 1
    assert sum('FROM "auctions_auction"' in sql for sql in statements) == 1  # the locked read


@pytest.mark.parametrize(
    "value, says",
    [
        (14.05, 'Send the offer as a string with two decimals, e.g. "14.05".'),
        ("14.055", "is not a percentage with at most two decimals"),
        ("fourteen", "is not a percentage with at most two decimals"),
        ("", "This field may not be blank."),
    ],
)
def test_an_offer_that_is_not_a_two_decimal_string_is_refused(auction, firms, api_as, value, says):
    with live(auction):
        response = api_as(firms["Asha"]).post(offers_url(auction), {"value": value}, format="json")
    assert response.status_code == 400
    assert says in response.json()["error"]["fields"]["value"][0]
    assert not Offer.objects.exists()


def test_an_offer_after_the_close_is_refused_as_arriving_after_it(auction, firms, api_as):
    with time_machine.travel(auction.closes_at, tick=False):
        response = api_as(firms["Asha"]).post(offers_url(auction), {"value": "14.05"}, format="json")
    assert response.status_code == 409
    assert "arrived after the close" in response.json()["error"]["message"]


def test_a_retry_with_the_same_key_returns_the_same_201_and_places_nothing_twice(auction, firms, api_as):
    client = api_as(firms["Asha"])
    with live(auction):
        first = client.post(offers_url(auction), {"value": "14.05"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        retry = client.post(offers_url(auction), {"value": "14.05"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        other = client.post(offers_url(auction), {"value": "14.10"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Offer.objects.count() == 1


def test_an_offer_already_below_the_best_is_not_kept_under_its_key_and_its_retry_is_judged_afresh(
    auction, firms, api_as
):
    asha, bharat = api_as(firms["Asha"]), api_as(firms["Bharat"])
    with live(auction):
        assert asha.post(offers_url(auction), {"value": "14.05"}, format="json").status_code == 201
        stale = bharat.post(offers_url(auction), {"value": "14.05"}, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
        assert asha.post(offers_url(auction), {"value": "14.50"}, format="json").status_code == 201
        retry = bharat.post(offers_url(auction), {"value": "14.05"}, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    assert stale.status_code == retry.status_code == 400
    assert "the smallest valid offer is 14.10%" in stale.json()["error"]["message"]
    # Not the first answer replayed: the room has moved on, and the retry says so.
    assert "Idempotent-Replayed" not in retry
    assert "the smallest valid offer is 14.55%" in retry.json()["error"]["message"]
    assert not IdempotencyRecord.objects.filter(key="b-1").exists()
    assert Offer.objects.count() == 2


def test_an_offer_whose_answer_fails_is_not_placed_and_its_retry_places_it_once(auction, firms, api_as, monkeypatch):
    """The offer and the answer stored under its key commit together: a failure after the offer was written (here,
    building the room to answer with) undoes the offer too, so the retry with the same key places it."""
    from auctions.api import room as room_api

    client = api_as(firms["Asha"])
    answer = room_api.room.room_after_offer
    monkeypatch.setattr(room_api.room, "room_after_offer", lambda *a, **k: 1 / 0)
    with live(auction), pytest.raises(ZeroDivisionError):
        client.post(offers_url(auction), {"value": "14.05"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert not Offer.objects.exists() and not IdempotencyRecord.objects.exists()
    monkeypatch.setattr(room_api.room, "room_after_offer", answer)
    with live(auction):
        retry = client.post(offers_url(auction), {"value": "14.05"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
    assert list(Offer.objects.values_list("value", flat=True)) == [Decimal("14.05")]


def test_an_offer_rolled_back_after_its_answer_was_built_leaves_nothing_in_the_room(
    auction, firms, api_as, monkeypatch
):
    """The answer (the room after the offer) is built before it is stored under the key, in the same transaction:
    if storing fails, the offer is undone, and the room it was shown in must not be what the next reader sees."""
    from core import idempotency

    store = idempotency._store

    def failing_store(**kwargs):
        raise RuntimeError("the answer could not be stored")

    monkeypatch.setattr(idempotency, "_store", failing_store)
    with live(auction), pytest.raises(RuntimeError):
        api_as(firms["Asha"]).post(offers_url(auction), {"value": "14.50"}, format="json", HTTP_IDEMPOTENCY_KEY="a")
    monkeypatch.setattr(idempotency, "_store", store)
    with live(auction):
        placed = api_as(firms["Bharat"]).post(
            offers_url(auction), {"value": "14.05"}, format="json", HTTP_IDEMPOTENCY_KEY="b"
        )
    assert placed.status_code == 201
    assert [h["value"] for h in placed.json()["state"]["history"]] == ["14.05"]
    assert [h["value"] for h in state_as(api_as, firms["Chitra"], auction)["history"]] == ["14.05"]
    assert list(Offer.objects.values_list("value", flat=True)) == [Decimal("14.05")]


def test_a_refusal_decided_under_the_lock_is_kept_under_its_key(auction, firms, api_as):
    """After the close the offer reaches the lock (the unlocked reading refuses only stale offers in a live
    auction): its refusal is stored, and a retry gets it back even if it would now be judged otherwise."""
    client = api_as(firms["Asha"])
    with time_machine.travel(auction.closes_at, tick=False):
        first = client.post(offers_url(auction), {"value": "14.05"}, format="json", HTTP_IDEMPOTENCY_KEY="late")
        retry = client.post(offers_url(auction), {"value": "14.05"}, format="json", HTTP_IDEMPOTENCY_KEY="late")
    assert first.status_code == retry.status_code == 409
    assert retry["Idempotent-Replayed"] == "true" and retry.json() == first.json()


def test_the_offer_endpoint_admits_only_qualified_bidders(
    auction, firms, regulator, plain_user, other_firm_user, api_as
):
    with live(auction):
        statuses = {
            "anonymous": api_as(None).post(offers_url(auction), {"value": "14.05"}, format="json"),
            "plain user": api_as(plain_user).post(offers_url(auction), {"value": "14.05"}, format="json"),
            "other firm": api_as(other_firm_user).post(offers_url(auction), {"value": "14.05"}, format="json"),
            "disqualified": api_as(firms["Dev"]).post(offers_url(auction), {"value": "14.05"}, format="json"),
            "regulator": api_as(regulator).post(offers_url(auction), {"value": "14.05"}, format="json"),
        }
    assert {who: r.status_code for who, r in statuses.items()} == dict.fromkeys(statuses, 403)
    assert "Register your firm first" in statuses["plain user"].json()["error"]["message"]
    assert "not a qualified bidder" in statuses["other firm"].json()["error"]["message"]
    assert "read-only" in statuses["regulator"].json()["error"]["message"]
    assert not Offer.objects.exists()


def test_the_room_state_admits_each_role_as_the_rules_say(
    auction, firms, regulator, plain_user, other_firm_user, api_as
):
    during = {}
    with live(auction):
        for who, user in [
            ("anonymous", None),
            ("plain user", plain_user),
            ("other firm", other_firm_user),
            ("qualified firm", firms["Asha"]),
            ("regulator", regulator),
        ]:
            during[who] = api_as(user).get(room_url(auction)).status_code
    assert during == {
        "anonymous": 403,
        "plain user": 403,
        "other firm": 403,
        "qualified firm": 200,
        "regulator": 200,
    }
    with time_machine.travel(auction.closes_at, tick=False):
        after = {u: api_as(u).get(room_url(auction)).status_code for u in (None, plain_user, other_firm_user)}
    assert set(after.values()) == {200}


# --- The page ---------------------------------------------------------------------------------------------


def test_the_live_room_page_prefills_the_next_valid_offer_and_embeds_the_state(auction, firms, client):
    place(auction, firms["Bharat"], "14.05")
    with live(auction):
        client.force_login(firms["Asha"])
        response = client.get(f"/auctions/{auction.pk}/room/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="offer-form"' in html
    assert 'value="14.10"' in html
    assert "The smallest valid offer now is 14.10%." in html
    assert "Bharat" not in html
    assert 'id="room-state"' in html and "js/room.js" in html


# --- The cost of a poll ------------------------------------------------------------------------------------


def queries_of_a_poll(api_as, user, auction):
    client = api_as(type(user).objects.get(pk=user.pk))  # nothing remembered on the user object
    with live(auction, 30), CaptureQueriesContext(connection) as captured:
        response = client.get(room_url(auction))
    assert response.status_code == 200
    return len(captured)


def test_a_poll_costs_the_same_number_of_queries_with_5_or_50_offers(auction, firms, api_as):
    order = [firms["Asha"], firms["Bharat"], firms["Chitra"]]

    def offers(start, end):
        for i in range(start, end):
            place(auction, order[i % 3], str(Decimal("14.05") + Decimal("0.05") * i), minutes=1 + i * 0.01)
        auction.refresh_from_db()

    offers(0, 5)
    cache.clear()
    cold_5 = queries_of_a_poll(api_as, firms["Asha"], auction)
    warm_5 = queries_of_a_poll(api_as, firms["Asha"], auction)
    offers(5, 50)
    cache.clear()
    cold_50 = queries_of_a_poll(api_as, firms["Asha"], auction)
    warm_50 = queries_of_a_poll(api_as, firms["Asha"], auction)
    assert cold_5 == cold_50 <= 5
    assert warm_5 == warm_50 == 1  # the auction row; the rest comes from the cache
    state = state_as(api_as, firms["Asha"], auction, 30)
    assert state["offer_count"] == 50 and len(state["history"]) == 50
    assert state["best_offer"] == "16.50"


@pytest.mark.parametrize("key", [None, "k-1"], ids=["no key", "with a key"])
def test_an_accepted_offer_leaves_the_room_cached_for_the_next_poll(
    auction, firms, api_as, key, django_capture_on_commit_callbacks
):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    queries_of_a_poll(api_as, firms["Bharat"], auction)  # Bharat has the room open
    with live(auction, 30), django_capture_on_commit_callbacks(execute=True):
        placed = api_as(firms["Asha"]).post(offers_url(auction), {"value": "14.05"}, format="json", **headers)
    assert placed.status_code == 201
    assert queries_of_a_poll(api_as, firms["Bharat"], auction) == 1  # the auction row; the room from the cache
    assert state_as(api_as, firms["Bharat"], auction, 30)["best_offer"] == "14.05"


def test_a_new_version_reads_only_the_new_offers_and_the_room_sees_them(auction, firms, api_as):
    client = api_as(firms["Asha"])
    place(auction, firms["Bharat"], "14.05")
    assert state_as(api_as, firms["Asha"], auction)["offer_count"] == 1
    place(auction, firms["Chitra"], "14.10")
    state = state_as(api_as, firms["Asha"], auction)
    assert [h["seq"] for h in state["history"]] == [2, 1]
    with live(auction):
        response = client.get(room_url(auction))
    assert response.json()["best_offer"] == "14.10"


def test_an_unchanged_room_answers_304_to_its_etag(auction, firms, api_as, client):
    api = api_as(firms["Asha"])
    with live(auction):
        first = api.get(room_url(auction))
        again = api.get(room_url(auction), HTTP_IF_NONE_MATCH=first["ETag"])
        client.force_login(firms["Asha"])
        page_poll = client.get(f"/auctions/{auction.pk}/room/state")
        page_again = client.get(f"/auctions/{auction.pk}/room/state", HTTP_IF_NONE_MATCH=page_poll["ETag"])
    assert again.status_code == 304 and not again.content
    assert page_poll.status_code == 200 and page_poll.json()["version"] == first.json()["version"]
    assert page_again.status_code == 304
    place(auction, firms["Bharat"], "14.05")
    with live(auction):
        changed = api.get(room_url(auction), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed.json()["best_offer"] == "14.05"


def test_an_extension_changes_the_version_and_is_shown(auction, firms, api_as):
    late = (auction.closes_at - auction.starts_at).total_seconds() / 60 - 2  # two minutes before the close
    place(auction, firms["Asha"], "14.05", minutes=late)
    state = state_as(api_as, firms["Asha"], auction, late)
    assert state["extended"] is True
    auction.refresh_from_db()
    assert auction.closes_at == auction.starts_at + timedelta(minutes=late + 8)
    assert state["closes_at"].startswith(auction.closes_at.strftime("%Y-%m-%dT%H:%M"))


def test_the_annulled_auction_before_the_opening_has_no_room(regulator, firms, api_as):
    auction = opened_auction(regulator, {firms["Asha"]: "12"})  # one TQB in a first attempt: annulled
    assert auction.status == Auction.Status.ANNULLED
    response = api_as(firms["Asha"]).get(room_url(auction))
    assert response.status_code == 404
    assert "annulled before the opening (fewer than 3 TQB)" in response.json()["error"]["message"]


def test_a_poll_carries_the_latest_100_offers_and_the_whole_history_after_the_close(auction, firms, api_as):
    order = [firms["Asha"], firms["Bharat"], firms["Chitra"]]
    for i in range(105):
        place(auction, order[i % 3], str(Decimal("14.05") + Decimal("0.05") * i), minutes=1 + i * 0.01)
        if i == 40:
            state_as(api_as, firms["Asha"], auction, 2)  # the summary is cached part-way and then extended
    live_state = state_as(api_as, firms["Asha"], auction, 30)
    assert live_state["offer_count"] == 105 and live_state["history_complete"] is False
    assert [h["seq"] for h in live_state["history"]] == list(range(105, 5, -1))
    assert live_state["you"] == {
        "bidder": "Bidder 1",
        "standing": "outbid",
        "best_offer": "19.15",
        "can_offer": True,
        "note": "",
    }
    cache.clear()
    assert state_as(api_as, firms["Asha"], auction, 30)["history"] == live_state["history"]  # built afresh: same
    with time_machine.travel(auction.closes_at, tick=False):
        closed = api_as(None).get(room_url(auction)).json()
    assert closed["history_complete"] is True and len(closed["history"]) == 105
    assert closed["history"][-1]["bidder"] == "Bidder 1" and closed["history"][0]["bidder"] == "Bidder 3"
