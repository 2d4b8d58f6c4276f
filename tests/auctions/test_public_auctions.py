"""What the public sees of tranches and auctions, and when (RULES.md section 6): pages and public API."""

import base64
import json
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auctions import services as svc
from auctions.models import Auction
from auctions.pseudonyms import bidder_token
from auctions.selectors.public import public_auction, public_auction_get
from tests.factories.auction_flow import SCHEDULE, T0
from tests.factories.public_auctions import SEALED_IPOS, moment, notified, staged, three_firms

pytestmark = pytest.mark.django_db

SECTIONS = ("annulment", "bids", "technically_qualified", "opening", "e_auction", "result")

# phase of the staged auction -> (the phase a reader sees, the sections that are public then)
VISIBILITY = {
    "upcoming": ("upcoming", set()),
    "bidding": ("bidding", set()),
    "due": ("evaluation", {"bids"}),  # past the due date, before the sweeper: derived from the clock
    "evaluation": ("evaluation", {"bids"}),
    "evaluated": ("evaluation", {"bids", "technically_qualified"}),
    "opened": ("opened", {"bids", "technically_qualified", "opening", "e_auction"}),
    "live": ("live", {"bids", "technically_qualified", "opening", "e_auction"}),
    "closed": ("closed", {"bids", "technically_qualified", "opening", "e_auction", "result"}),  # before the sweeper
    "settled": ("settled", {"bids", "technically_qualified", "opening", "e_auction", "result"}),
}


@pytest.fixture
def firms():
    return three_firms()


def api_auction(client, auction, at):
    with time_machine.travel(at, tick=False):
        response = client.get(f"/api/v1/public/auctions/{auction.pk}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("phase", list(VISIBILITY))
def test_each_phase_publishes_exactly_its_sections(regulator, firms, client, phase):
    auction = staged(regulator, firms, phase)
    seen, public = VISIBILITY[phase]
    data = api_auction(client, auction, moment(auction, phase))
    assert data["phase"] == seen
    assert {name for name in SECTIONS if data[name] is not None} == public
    # The terms, the block and the schedule are public from the notice, in every phase.
    assert data["block"]["code"] == "CG-LI-01"
    assert data["terms"]["reserve_price_pct"] == "10.00"
    assert data["schedule"]["bid_due_at"]
    text = json.dumps(data)
    if "opening" not in public:
        assert not any(ipo in text for ipo in SEALED_IPOS)
    if "result" not in public:
        assert auction.bidder_salt not in text


def test_the_page_and_the_api_show_the_same_sections(regulator, firms, client):
    auction = staged(regulator, firms, "evaluated")
    with time_machine.travel(moment(auction, "evaluated"), tick=False):
        page = client.get(f"/auctions/{auction.pk}/").content.decode()
    assert "3</strong> bids received" in page
    assert "Asha Ltd" in page and "Bharat Ltd" in page  # the TQB list
    assert "Sealed until the opening" in page
    assert not any(ipo in page for ipo in SEALED_IPOS)


def test_at_the_due_date_the_count_and_commitments_are_public_before_the_sweeper_runs(regulator, firms, client):
    auction = staged(regulator, firms, "due")
    receipts = sorted(auction.participations.values_list("commitment", flat=True))
    data = api_auction(client, auction, moment(auction, "due"))
    assert Auction.objects.get(pk=auction.pk).status == Auction.Status.NOTIFIED  # not settled in the database yet
    assert data["bids"] == {"bid_count": 3, "commitments": receipts}
    assert data["technically_qualified"] is None
    with time_machine.travel(moment(auction, "due"), tick=False):
        page = client.get(f"/auctions/{auction.pk}/").content.decode()
    assert all(c in page for c in receipts)


def test_before_the_due_date_not_even_the_number_of_bids_is_public(regulator, firms, client):
    auction = staged(regulator, firms, "bidding")
    data = api_auction(client, auction, moment(auction, "bidding"))
    assert data["bids"] is None
    with time_machine.travel(moment(auction, "bidding"), tick=False):
        page = client.get(f"/auctions/{auction.pk}/").content.decode()
    assert "bids received" not in page and "Asha" not in page


def test_the_opening_publishes_offers_nonces_ranks_qualified_bidders_and_the_floor(regulator, firms, client):
    auction = staged(regulator, firms, "opened")
    data = api_auction(client, auction, moment(auction, "opened"))
    opening = data["opening"]
    assert opening["floor_price"] == "93.11"  # 3 TQB: all qualify; the floor is the highest IPO
    assert [(b["name"], b["initial_price_offer"], b["rank"]) for b in opening["bidders"]] == [
        ("Chitra Ltd", "93.11", 1),
        ("Bharat Ltd", "81.37", 2),
        ("Asha Ltd", "76.05", 3),
    ]
    assert all(len(b["nonce"]) == 64 and b["qualified"] for b in opening["bidders"])
    assert {f["name"] for f in opening["qualified"]} == {"Asha Ltd", "Bharat Ltd", "Chitra Ltd"}
    assert data["result"] is None


def test_after_the_close_the_history_is_anonymous_and_the_winner_and_salt_are_public(regulator, firms, client):
    auction = staged(regulator, firms, "closed")
    data = api_auction(client, auction, moment(auction, "closed"))
    result = data["result"]
    assert result["declared"] is False  # the sweeper has not run; the clock already decided
    assert result["preferred_bidder"]["name"] == "Bharat Ltd"
    assert result["winning_offer"] == "93.61"
    assert [(o["seq"], o["value"], o["bidder"]) for o in result["offers"]] == [
        (1, "93.21", "Bidder 1"),
        (2, "93.61", "Bidder 2"),
    ]
    history = json.dumps(result["offers"])
    assert "Ltd" not in history and bidder_token(auction, firms[0].memberships.get().firm_id) not in history
    assert result["bidder_salt"] == auction.bidder_salt


def test_a_settled_auction_is_declared(regulator, firms, client):
    auction = staged(regulator, firms, "settled")
    data = api_auction(client, auction, moment(auction, "settled"))
    assert data["result"]["declared"] is True and data["result"]["preferred_bidder"]["name"] == "Bharat Ltd"


def test_an_annulment_for_too_few_tqb_publishes_its_reason_and_the_tqb_but_no_offer(regulator, firms, client):
    auction = staged(regulator, firms, "opened", disqualify=[firms[2]])
    data = api_auction(client, auction, moment(auction, "opened"))
    assert data["phase"] == "annulled"
    assert data["annulment"]["reason"] == "fewer than 3 TQB"
    assert [f["name"] for f in data["technically_qualified"]] == ["Asha Ltd", "Bharat Ltd"]
    assert data["opening"] is None and data["result"] is None
    assert not any(ipo in json.dumps(data) for ipo in SEALED_IPOS)
    with time_machine.travel(moment(auction, "opened"), tick=False):
        page = client.get("/results/").content.decode()
    assert "fewer than 3 TQB" in page and "CG-LI-01" in page


def test_no_bid_at_the_due_date_is_an_annulment_for_every_reader_at_once(regulator, client):
    auction = notified(regulator)
    data = api_auction(client, auction, SCHEDULE["bid_due_at"] + timedelta(seconds=1))
    assert data["bids"]["bid_count"] == 0
    assert data["annulment"]["reason"] == "no bid"


def test_no_final_offer_is_an_annulment_at_the_close(regulator, firms, client):
    auction = staged(regulator, firms, "opened")
    data = api_auction(client, auction, auction.closes_at + timedelta(seconds=1))
    assert data["annulment"]["reason"] == "no final offer"
    assert data["result"]["preferred_bidder"] is None and data["result"]["offers"] == []


def test_a_second_attempt_links_to_the_first(regulator, firms, client):
    first = staged(regulator, firms, "opened", disqualify=[firms[2]])
    with time_machine.travel(SCHEDULE["opening_at"] + timedelta(days=1), tick=False):
        second = svc.auction_renotify(actor=regulator, auction_id=first.pk)
        data = client.get(f"/api/v1/public/auctions/{first.pk}").json()
        page = client.get(f"/auctions/{second.pk}/").content.decode()
    assert data["second_attempt"] == second.pk and data["annulment"]["second_attempt"] == second.pk
    assert f'href="/auctions/{first.pk}/"' in page


def test_a_draft_tranche_is_never_public(regulator, client):
    from tests.factories.auction_flow import make_block

    make_block(code="DRAFT-01")
    with time_machine.travel(T0, tick=False):
        draft = svc.tranche_create(actor=regulator, name="Secret draft", blocks=["DRAFT-01"], **SCHEDULE)
    assert "Secret draft" not in client.get("/tranches/").content.decode()
    assert client.get(f"/tranches/{draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/public/tranches/{draft.pk}").status_code == 404
    assert client.get("/api/v1/public/tranches").json()["results"] == []


def test_the_tranche_pages_list_its_auctions_and_terms(regulator, client):
    auction = notified(regulator, tranche="Tranche VII")
    with time_machine.travel(moment(auction, "bidding"), tick=False):
        listing = client.get("/tranches/").content.decode()
        detail = client.get(f"/tranches/{auction.tranche_id}/").content.decode()
        data = client.get(f"/api/v1/public/tranches/{auction.tranche_id}").json()
    assert "Tranche VII" in listing and f"/auctions/{auction.pk}/" in listing
    assert "Rs 3,00,000.00 + GST" in detail and "CG-LI-01" in detail
    assert data["auctions"] == [
        {
            "id": auction.pk,
            "block_code": "CG-LI-01",
            "block_name": "CG-LI-01 Block",
            "attempt": 1,
            "phase": "bidding",
            "phase_label": "Open for bids",
            "published_outcome": None,
        }
    ]
    assert data["params"]["min_tqb_first_attempt"] == 3 and data["params"]["min_increment"] == "0.05"


def test_the_auction_page_links_to_its_ledger_stream_and_replay(regulator, client):
    auction = notified(regulator)
    page = client.get(f"/auctions/{auction.pk}/").content.decode()
    assert f'href="/api/v1/public/ledger/auction:{auction.pk}"' in page
    assert f'href="/api/v1/public/auctions/{auction.pk}/replay"' in page
    assert client.get(f"/api/v1/public/ledger/auction:{auction.pk}").status_code == 200


def test_an_unknown_auction_or_tranche_is_a_404_that_says_where_to_look(client):
    page = client.get("/auctions/999999/")
    assert page.status_code == 404 and b"tranche pages list every auction" in page.content
    assert client.get("/tranches/999999/").status_code == 404
    error = client.get("/api/v1/public/auctions/999999").json()["error"]
    assert error["code"] == "not_found" and "999999" in error["message"]


def test_the_calendar_lists_every_coming_date_in_order(regulator, firms, client):
    done = staged(regulator, firms, "settled", code="CAL-DONE")  # its sweeps come before the others' dates
    shifted = {k: v + timedelta(days=60) for k, v in SCHEDULE.items()}
    early = notified(regulator, code="CAL-A", **shifted)
    later = notified(regulator, code="CAL-B", **{k: v + timedelta(days=3) for k, v in shifted.items()})
    with time_machine.travel(shifted["pre_bid_meeting_at"] + timedelta(hours=1), tick=False):
        page = client.get("/calendar/").content.decode()
    rows = [line for line in page.splitlines() if '<tr class="event-' in line]
    kinds = [line.split("event-")[1].split('"')[0] for line in rows]
    # CAL-A's sale has opened and its meeting is over: 5 dates to come; CAL-B: its meeting and 5 more.
    assert len(rows) == 5 + 6
    assert kinds[:3] == ["pre_bid_meeting", "document_sale_closes", "document_sale_closes"]
    assert kinds.count("bid_due") == 2 and kinds.count("opening") == 2 and kinds[-1] == "e_auction"
    assert f"/auctions/{done.pk}/" not in page
    assert page.index(f"/auctions/{later.pk}/") < page.index(f"/auctions/{early.pk}/")  # CAL-B's meeting first
    assert "Pre-bid meeting" in page and "Bid due date" in page and "E-auction starts" in page


def test_the_calendar_leaves_out_what_is_done_and_shows_the_e_auction_as_opened(regulator, firms, client):
    auction = staged(regulator, firms, "opened")
    with time_machine.travel(moment(auction, "opened"), tick=False):
        page = client.get("/calendar/").content.decode()
    kinds = [line.split("event-")[1].split('"')[0] for line in page.splitlines() if '<tr class="event-' in line]
    assert kinds == ["e_auction"]


def test_an_auction_without_bids_leaves_the_calendar_at_its_due_date(regulator, client):
    auction = notified(regulator)
    with time_machine.travel(auction.bid_due_at + timedelta(seconds=1), tick=False):
        page = client.get("/calendar/").content.decode()
    assert f"/auctions/{auction.pk}/" not in page


def test_the_results_page_shows_preferred_bidders_and_winning_offers(regulator, firms, client):
    auction = staged(regulator, firms, "settled")
    with time_machine.travel(moment(auction, "settled"), tick=False):
        page = client.get("/results/").content.decode()
    assert "Bharat Ltd" in page and "93.61%" in page


# --- The public API: filters, pagination, query counts -----------------------------------------------------


@pytest.fixture
def several(regulator):
    """Four auctions: two lithium blocks of Chhattisgarh, a graphite block of Odisha, and a second attempt."""
    firms = three_firms("F")
    first = staged(regulator, firms, "opened", code="LI-D", disqualify=[firms[2]])  # its sweeps come first
    with time_machine.travel(SCHEDULE["opening_at"] + timedelta(days=1), tick=False):
        second = svc.auction_renotify(actor=regulator, auction_id=first.pk)
    a = notified(regulator, code="LI-A")
    b = notified(regulator, code="LI-B")
    c = notified(regulator, code="GR-C", state="Odisha", minerals=("graphite",))
    return {"a": a, "b": b, "c": c, "first": first, "second": second}


def ids(client, query, at=None):
    with time_machine.travel(at or T0 + timedelta(days=2), tick=False):
        response = client.get(f"/api/v1/public/auctions?{query}")
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_auction_list_filters_by_tranche_block_mineral_state_phase_and_attempt(several, client):
    s = several
    assert ids(client, f"tranche={s['a'].tranche_id}") == {s["a"].pk}
    assert ids(client, "block=li-b") == {s["b"].pk}
    assert ids(client, "mineral=graphite") == {s["c"].pk}
    assert ids(client, "state=Odisha") == {s["c"].pk}
    assert ids(client, "attempt=2") == {s["second"].pk}
    assert ids(client, "phase=annulled") == {s["first"].pk}
    assert ids(client, "phase=bidding") == {s["a"].pk, s["b"].pk, s["c"].pk}
    assert ids(client, "phase=bidding&phase=annulled&state=Chhattisgarh") == {s["a"].pk, s["b"].pk, s["first"].pk}


def test_the_phase_filter_follows_the_clock(several, client):
    after_due = SCHEDULE["bid_due_at"] + timedelta(seconds=1)
    assert ids(client, "phase=evaluation", at=after_due) == {several["a"].pk, several["b"].pk, several["c"].pk}
    assert ids(client, "phase=bidding", at=after_due) == set()


def test_an_unknown_filter_value_is_refused_naming_the_allowed_ones(client):
    response = client.get("/api/v1/public/auctions?phase=finished")
    assert response.status_code == 400
    error = response.json()["error"]
    assert "finished is not a known phase" in error["message"] and "bidding" in error["message"]


def test_the_auction_list_pages_with_a_cursor(several, client):
    seen, url = [], "/api/v1/public/auctions?page_size=2"
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        while url:
            page = client.get(url).json()
            assert len(page["results"]) <= 2
            seen += [row["id"] for row in page["results"]]
            url = page["next"]
    assert sorted(seen) == sorted(a.pk for a in several.values()) and len(seen) == len(set(seen))


def test_a_damaged_cursor_is_a_400(client):
    bad = base64.urlsafe_b64encode(b'{"o":["x"],"k":[],"r":0}').decode()
    assert client.get(f"/api/v1/public/auctions?cursor={bad}").status_code == 400


def test_the_tranche_list_pages_and_is_newest_first(regulator, client):
    made = [notified(regulator, code=f"TR-{i}") for i in range(3)]
    for i, auction in enumerate(made):  # notified one after the other
        auction.tranche.notified_at = T0 + timedelta(minutes=i)
        auction.tranche.save(update_fields=["notified_at"])
    first = client.get("/api/v1/public/tranches?page_size=2").json()
    assert [t["name"] for t in first["results"]] == ["Tranche TR-2", "Tranche TR-1"]
    second = client.get(first["next"]).json()
    assert [t["name"] for t in second["results"]] == ["Tranche TR-0"] and second["next"] is None


PUBLIC_ENDPOINTS = [
    "/api/v1/public/tranches",
    "/api/v1/public/tranches/{tranche}",
    "/api/v1/public/auctions",
    "/api/v1/public/auctions/{auction}",
    "/tranches/",
    "/tranches/{tranche}/",
    "/auctions/{auction}/",
    "/calendar/",
    "/results/",
]


@pytest.mark.parametrize("template", PUBLIC_ENDPOINTS)
def test_every_role_gets_the_same_public_answer(regulator, firm_user, other_firm_user, plain_user, template):
    from django.test import Client

    from tests.factories import MembershipFactory, UserFactory

    viewer = MembershipFactory(user=UserFactory(username="vera"), firm=firm_user.memberships.get().firm, role="viewer")
    auction = staged(regulator, [firm_user, other_firm_user], "bidding", ipos=("11", "12"))
    url = template.format(tranche=auction.tranche_id, auction=auction.pk)
    bodies = set()
    for user in (None, plain_user, firm_user, viewer.user, other_firm_user, regulator):
        client = Client()
        if user:
            client.force_login(user)
        with time_machine.travel(moment(auction, "bidding"), tick=False):
            response = client.get(url)
        assert response.status_code == 200
        if url.startswith("/api/"):
            bodies.add(response.content)
    assert len(bodies) <= 1  # nobody, regulators included, sees more here than the public


def test_the_public_api_is_anonymous_and_cacheable(regulator, client, api_as):
    auction = notified(regulator)
    response = api_as(regulator).get(f"/api/v1/public/auctions/{auction.pk}")
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    assert client.post("/api/v1/public/auctions").status_code == 405


def _queries(client, url, at):
    with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


LIST_URLS = ["/api/v1/public/auctions", "/api/v1/public/tranches", "/tranches/", "/results/", "/calendar/"]


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_query_counts_do_not_grow_with_the_rows(regulator, client, url):
    at = SCHEDULE["e_auction_starts_at"] + timedelta(days=1)  # every staged auction has a result by then
    staged(regulator, three_firms("A"), "settled", code="Q-1")
    notified(regulator, code="Q-2")
    few = _queries(client, url, at)
    staged(regulator, three_firms("B"), "settled", code="Q-3")
    staged(regulator, three_firms("C"), "opened", code="Q-4", disqualify=[])
    notified(regulator, code="Q-5")
    notified(regulator, code="Q-6", **{k: v + timedelta(days=5) for k, v in SCHEDULE.items()})
    assert _queries(client, url, at) == few


def test_the_selector_never_loads_a_sealed_offer(regulator, firms):
    auction = staged(regulator, firms, "evaluated")
    with CaptureQueriesContext(connection) as captured:
        public_auction(public_auction_get(auction_id=auction.pk))
    assert captured and not any("sealed_offer" in q["sql"] for q in captured)
