"""The e-auction room as server-sent events (auctions/room/stream.py): who may follow it, what each event holds,
that an accepted offer wakes a waiting stream at once, and that streams share their reads."""

import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auctions import services as svc
from auctions.api.room import RoomStateSerializer
from auctions.room import stream as room_stream
from tests.auctions.test_room import live, place, room_url
from tests.factories.auction_flow import bidder, close_and_evaluate, notified_auction, open_offers, submit_bids

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms():
    """Asha, Bharat and Chitra qualify (IPOs 12, 13, 14); Dev's technical bid was disqualified."""
    return {n: bidder(n) for n in ("Asha", "Bharat", "Chitra", "Dev")}


@pytest.fixture
def auction(regulator, firms):
    """Opened with a floor of 14.00% (the highest IPO); the e-auction is live from its start."""
    auction = notified_auction(regulator).get()
    submit_bids(auction, {firms["Asha"]: "12", firms["Bharat"]: "13", firms["Chitra"]: "14", firms["Dev"]: "15"})
    close_and_evaluate(auction, regulator, disqualify=[firms["Dev"]])
    with time_machine.travel(auction.opening_at, tick=False):
        open_offers(regulator, auction.pk)
    auction.refresh_from_db()
    return auction


@pytest.fixture(autouse=True)
def streams(settings):
    """The test client is not a multithreaded server: allow streams, each ending after its first pass."""
    settings.ROOM_STREAMS = "on"
    settings.ROOM_STREAM_SECONDS = 0
    settings.ROOM_STREAM_REFRESHER = False  # its thread would read the database outside the test's transaction
    room_stream.hub.reset()
    yield settings
    room_stream.hub.reset()


def events_url(auction):
    return f"/api/v1/auctions/{auction.pk}/room/events"


def parse(text: str) -> list[dict]:
    """The events of a stream: [{"id": ..., "event": ..., "data": ...}], comments left out."""
    found = []
    for block in text.split("\n\n"):
        fields = {}
        for line in block.splitlines():
            if line.startswith(":") or ":" not in line:
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        if "data" in fields:
            found.append(fields)
    return found


def follow(api, auction, **headers):
    """GET the stream as EventSource does; (response, its events)."""
    response = api.get(events_url(auction), **{"HTTP_ACCEPT": "text/event-stream", **headers})
    if not response.streaming:
        return response, []
    return response, parse(b"".join(response.streaming_content).decode())


def states(events):
    return [json.loads(e["data"]) for e in events if e.get("event", "message") == "message"]


def test_a_qualified_bidder_follows_the_room_and_gets_the_state_a_poll_gives(auction, firms, api_as):
    place(auction, firms["Bharat"], "14.05")
    api = api_as(firms["Asha"])
    with live(auction, 2):
        response, events = follow(api, auction)
        poll = api.get(room_url(auction))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "private, no-cache"
    [state] = states(events)
    assert events[0]["id"] == poll["ETag"].strip('"')  # a reconnecting browser sends it back
    assert state == poll.json()  # the same JSON, key for key (the clock is frozen)
    assert state["best_offer"] == "14.05" and state["you"]["standing"] == "no_offer"  # Bharat offered, not Asha
    assert set(state) == set(RoomStateSerializer().fields)


def test_the_stream_admits_each_role_as_the_room_does(auction, firms, regulator, plain_user, other_firm_user, api_as):
    during = {}
    with live(auction):
        for who, user in [
            ("anonymous", None),
            ("plain user", plain_user),
            ("other firm", other_firm_user),
            ("disqualified firm", firms["Dev"]),
            ("qualified firm", firms["Asha"]),
            ("regulator", regulator),
        ]:
            during[who] = follow(api_as(user), auction)[0].status_code
    assert during == {
        "anonymous": 403,
        "plain user": 403,
        "other firm": 403,
        "disqualified firm": 403,
        "qualified firm": 200,
        "regulator": 200,
    }
    with time_machine.travel(auction.closes_at, tick=False):
        after = {
            who: follow(api_as(u), auction)[0].status_code for who, u in [("anonymous", None), ("carol", plain_user)]
        }
    assert after == {"anonymous": 200, "carol": 200}


def test_a_refusal_is_an_error_the_browser_does_not_retry(auction, firms, plain_user, api_as):
    with live(auction):
        response, _ = follow(api_as(plain_user), auction)
    assert response.status_code == 403  # EventSource gives up on anything but 200: the page polls and says why
    assert b"event: error" in response.content
    assert b"is not open to" in response.content or b"qualified bidders" in response.content


def test_before_the_opening_there_is_no_stream(regulator, api_as):
    notified = notified_auction(regulator).get()
    response, events = follow(api_as(regulator), notified)
    assert response.status_code == 404 and events == []


def test_bidders_never_see_identities_in_events_and_regulators_do(auction, firms, regulator, api_as):
    place(auction, firms["Chitra"], "14.05")
    with live(auction, 2):
        _, bidder_events = follow(api_as(firms["Asha"]), auction)
        _, regulator_events = follow(api_as(regulator), auction)
    bidder_text = json.dumps(states(bidder_events))
    assert "Chitra" not in bidder_text and "Bharat" not in bidder_text
    [seen] = states(regulator_events)
    assert seen["history"][0]["firm"] == "Chitra Ltd" and seen["viewer"] == "regulator"


def test_an_accepted_offer_wakes_a_waiting_stream_at_once(auction, firms, streams, django_capture_on_commit_callbacks):
    streams.ROOM_STREAM_SECONDS = 30
    with live(auction):
        stream = room_stream.room_events(auction.pk, firms["Asha"])
        assert next(stream).startswith("retry: ")
        [first] = states(parse(next(stream)))
        assert first["offer_count"] == 0
        with django_capture_on_commit_callbacks(execute=True):  # offer_place announces the change on commit
            svc.offer_place(actor=firms["Bharat"], auction_id=auction.pk, value=Decimal("14.05"))
        started = time.monotonic()
        [second] = states(parse(next(stream)))
        waited = time.monotonic() - started
        stream.close()
    # Woken by the announcement, not by the 3-second re-read: well within the second of issue 3.
    assert waited < 1.0
    assert second["offer_count"] == 1 and second["best_offer"] == "14.05"
    assert second["you"]["standing"] == "no_offer" and second["next_valid_offer"] == "14.10"  # 14.05 + 0.05
    assert second["history"][0]["bidder"] == "Bidder 1"


def test_streams_of_one_process_share_the_read_of_a_change(auction, firms, streams):
    """However many rooms are open, a change costs one read of the auction per process, not one per room."""
    streams.ROOM_STREAM_SECONDS = 30
    with live(auction):
        followers = [room_stream.room_events(auction.pk, user) for user in (firms["Asha"], firms["Chitra"])]
        for stream in followers:
            next(stream), next(stream)  # retry, the first state
        place(auction, firms["Bharat"], "14.05")
        room_stream.hub.notify(auction.pk)  # what the Redis listener does when another process announces it
        with CaptureQueriesContext(connection) as first:
            [asha] = states(parse(next(followers[0])))
        with CaptureQueriesContext(connection) as second:
            [chitra] = states(parse(next(followers[1])))
        for stream in followers:
            stream.close()
    assert len(first) >= 1  # the auction's row, read again
    assert len(second) == 0  # the other room: from memory
    assert asha["offer_count"] == chitra["offer_count"] == 1
    assert asha["best_offer"] == chitra["best_offer"] == "14.05"
    assert asha["history"] == chitra["history"]


def test_a_reconnect_with_the_last_event_id_gets_only_what_changed(auction, firms, api_as):
    api = api_as(firms["Asha"])
    with live(auction):
        _, events = follow(api, auction)
        _, again = follow(api, auction, HTTP_LAST_EVENT_ID=events[0]["id"])
    assert states(again) == []  # nothing changed: no event
    place(auction, firms["Bharat"], "14.05")
    with live(auction):
        _, changed = follow(api, auction, HTTP_LAST_EVENT_ID=events[0]["id"])
    assert [s["offer_count"] for s in states(changed)] == [1]


def test_the_stream_ends_once_the_result_is_declared(auction, firms, api_as):
    place(auction, firms["Bharat"], "14.05")
    with time_machine.travel(auction.closes_at + timedelta(minutes=20), tick=False):
        svc.auctions_sweep()
        _, events = follow(api_as(firms["Bharat"]), auction)
    [state] = states(events)
    assert state["phase"] == "settled" and state["result"]["preferred_bidder"] == "Bharat Ltd"
    assert events[-1]["event"] == "end"  # the page closes the stream: nothing more will change


def test_a_server_that_serves_one_request_at_a_time_refuses_streams_and_the_room_polls(auction, firms, api_as, streams):
    streams.ROOM_STREAMS = "auto"  # the test client, like gunicorn's sync worker, is not multithreaded
    with live(auction):
        response, _ = follow(api_as(firms["Asha"]), auction, HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "stream_unavailable"
    assert "poll" in response.json()["error"]["message"]


def test_a_full_process_refuses_new_streams(auction, firms, api_as, streams):
    streams.ROOM_STREAMS_PER_PROCESS = 1
    streams.ROOM_STREAM_SECONDS = 30
    with live(auction):
        held = room_stream.room_events(auction.pk, firms["Chitra"])
        next(held)  # the stream is open
        response, _ = follow(api_as(firms["Asha"]), auction)
        held.close()
        after, _ = follow(api_as(firms["Asha"]), auction)
    assert response.status_code == 503 and after.status_code == 200


def test_refused_and_failed_requests_give_their_database_slot_back(
    auction, firms, plain_user, api_as, streams, monkeypatch
):
    """A stream reads with one of a few database slots per process; a request that ends in any way returns it."""
    streams.ROOM_STREAM_DATABASE_SLOTS = 2
    monkeypatch.setattr(room_stream, "_database_slots", None)  # made again, with 2 slots

    def broken(auction_id):
        raise RuntimeError("the database went away")

    with live(auction):
        refused = [follow(api_as(plain_user), auction)[0].status_code for _ in range(3)]
        with monkeypatch.context() as patch:
            patch.setattr(room_stream.room, "room_auction", broken)
            for _ in range(2):  # as many crashes as slots
                with pytest.raises(RuntimeError):
                    follow(api_as(firms["Asha"]), auction)
        started = time.monotonic()
        response, events = follow(api_as(firms["Asha"]), auction)
    assert refused == [403, 403, 403]
    assert response.status_code == 200 and states(events)
    assert time.monotonic() - started < 5  # no wait for a slot that a refusal or a crash kept
