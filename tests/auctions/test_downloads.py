"""The CSV downloads of auctions, results and tranches (/api/v1/public/auctions.csv, results.csv, tranches.csv):
their columns, their filters (those of /api/v1/public/auctions), what is public when, the cap, and a number of
queries that does not grow with the rows."""

import csv
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auctions.models import Auction, Origin, Tranche
from blocks.models import Mineral
from tests.factories import BlockFactory
from tests.factories.public_auctions import SEALED_IPOS, moment, staged, three_firms

pytestmark = pytest.mark.django_db

AUCTIONS, RESULTS, TRANCHES = (f"/api/v1/public/{name}.csv" for name in ("auctions", "results", "tranches"))
AUCTION_COLUMNS = [
    "id", "ocid", "origin", "tranche_id", "tranche", "tranche_kind", "block_code", "block_name", "state", "district",
    "minerals", "attempt", "previous_auction", "second_attempt", "phase", "lease_kind", "direction",
    "reserve_price_pct", "bid_due_at", "bid_count", "technically_qualified_count", "floor_price", "annulment_reason",
    "annulled_on", "preferred_bidder", "preferred_bidder_cin", "winning_offer_pct", "declared_on", "offer_count",
    "source_url", "portal_url", "ocds_url",
]  # fmt: skip


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content if not response.streaming else ""
    return list(csv.DictReader(io.StringIO(body(response))))


def historic(n: int, *, tranche_name="Tranche 1", mineral="lithium", state="Odisha") -> list[Auction]:
    """n historic auctions (the published record's shape: no dates, no bids), each on its own block."""
    tranche = Tranche.objects.create(
        name=tranche_name, origin=Origin.HISTORIC, status=Tranche.Status.NOTIFIED, kind="lease", params={}
    )
    made = []
    for i in range(n):
        block = BlockFactory(state=state, minerals=[Mineral.objects.get(slug=mineral)])
        made.append(
            Auction.objects.create(
                tranche=tranche,
                block=block,
                origin=Origin.HISTORIC,
                params={},
                status=Auction.Status.SETTLED,
                published_preferred_bidder=f"Firm {i} Ltd",
                published_final_offer=Decimal("10.05"),
                source_url="https://example.org/record",
            )
        )
    return made


@pytest.fixture
def settled(regulator):
    return staged(regulator, three_firms(), "settled", code="CG-LI-01")


def test_the_auction_csv_has_the_documented_columns_and_the_public_outcome(client, settled):
    response = client.get(AUCTIONS)
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="khanij-auctions.csv"' in response["Content-Disposition"]
    text = body(response)
    assert text.splitlines()[0].split(",") == AUCTION_COLUMNS
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["id"] == str(settled.pk) and row["ocid"] == f"ocds-xxxxxx-{settled.pk}"
    assert (row["block_code"], row["state"], row["minerals"]) == ("CG-LI-01", "Chhattisgarh", "lithium")
    assert row["phase"] == "settled" and row["bid_count"] == "3" and row["technically_qualified_count"] == "3"
    assert row["preferred_bidder"] == settled.best_participation.firm.legal_name
    assert Decimal(row["winning_offer_pct"]) == settled.best_offer
    assert Decimal(row["floor_price"]) == settled.floor_price
    assert row["offer_count"] == "2"
    assert row["portal_url"] == f"http://testserver/auctions/{settled.pk}/"
    assert row["ocds_url"] == f"http://testserver/api/v1/public/auctions/{settled.pk}/ocds"


def test_before_the_opening_the_csv_has_no_offer_and_no_winner(client, regulator):
    auction = staged(regulator, three_firms(), "evaluated", code="CG-LI-02")
    with time_machine.travel(moment(auction, "evaluated"), tick=False):
        text = body(client.get(AUCTIONS))
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["bid_count"] == "3"  # public from the bid due date
    assert row["floor_price"] == row["preferred_bidder"] == row["winning_offer_pct"] == ""
    assert not [ipo for ipo in SEALED_IPOS if ipo in text]


def test_the_csv_follows_the_filters_of_the_auction_list(client):
    lithium = historic(2, tranche_name="Tranche 1", mineral="lithium", state="Odisha")
    graphite = historic(1, tranche_name="Tranche 2", mineral="graphite", state="Bihar")
    ids = lambda response: sorted(int(r["id"]) for r in rows(response))  # noqa: E731
    assert ids(client.get(AUCTIONS, {"mineral": "lithium"})) == sorted(a.pk for a in lithium)
    assert ids(client.get(AUCTIONS, {"state": "Bihar"})) == [graphite[0].pk]
    assert ids(client.get(AUCTIONS, {"mineral": "lithium", "state": "Bihar"})) == []
    assert ids(client.get(AUCTIONS, {"tranche": graphite[0].tranche_id})) == [graphite[0].pk]
    assert ids(client.get(RESULTS, {"origin": "historic", "mineral": "graphite"})) == [graphite[0].pk]


def test_a_bad_filter_is_refused_in_the_error_shape(client):
    response = client.get(AUCTIONS, {"mineral": "unobtainium"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert "unobtainium is not a known mineral" in error["message"] and "lithium" in error["message"]


def test_results_hold_only_the_auctions_that_have_ended(client, regulator, settled):
    upcoming = staged(regulator, three_firms("b"), "bidding", code="CG-LI-03")
    with time_machine.travel(moment(settled, "settled"), tick=False):
        auction_ids = {int(r["id"]) for r in rows(client.get(AUCTIONS))}
        result_ids = {int(r["id"]) for r in rows(client.get(RESULTS))}
    assert auction_ids == {settled.pk, upcoming.pk}
    assert result_ids == {settled.pk}


def test_the_tranche_csv_lists_each_tranche_with_its_blocks(client):
    [auction] = historic(1, tranche_name="Tranche 4")
    [row] = rows(client.get(TRANCHES))
    assert (row["name"], row["kind"], row["origin"]) == ("Tranche 4", "lease", "historic")
    assert row["auction_count"] == "1" and row["block_codes"] == auction.block.code
    assert row["notified_at"] == "" and row["launched_on"] == ""  # not published: empty, never invented
    assert row["portal_url"] == f"http://testserver/tranches/{auction.tranche_id}/"


def test_a_download_stops_at_the_cap_and_says_so(client, settings):
    settings.PUBLIC_CSV_MAX_ROWS = 2
    historic(3)
    response = client.get(AUCTIONS)
    assert response["X-Row-Cap"] == "2"
    lines = body(response).splitlines()
    assert len(lines) == 1 + 2 + 1
    assert lines[-1].startswith("# truncated: a download stops at 2 rows")
    settings.PUBLIC_CSV_MAX_ROWS = 3
    assert not body(client.get(AUCTIONS)).splitlines()[-1].startswith("#")


@pytest.mark.parametrize("url", [AUCTIONS, RESULTS, TRANCHES])
def test_the_queries_of_a_download_do_not_grow_with_its_rows(client, url):
    historic(3, tranche_name="Tranche 1")
    with CaptureQueriesContext(connection) as few:
        assert len(rows(client.get(url))) >= 1
    historic(30, tranche_name="Tranche 2")
    with CaptureQueriesContext(connection) as many:
        assert len(rows(client.get(url))) >= 2
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


DOWNLOADS = [AUCTIONS, RESULTS, TRANCHES, "/api/v1/public/obligations.csv", "/api/v1/public/licences.csv"]


@pytest.mark.parametrize("role", ["anonymous", "plain user", "firm member", "regulator", "superuser"])
def test_every_role_reads_every_download_as_the_public_does_and_nothing_private(
    client, settled, role, plain_user, firm_user, regulator, django_user_model
):
    users = {
        "anonymous": None,
        "plain user": plain_user,
        "firm member": firm_user,
        "regulator": regulator,
        "superuser": django_user_model.objects.create_superuser("root", "root@example.org", "x"),
    }
    firms = [p.firm for p in settled.participations.select_related("firm")]
    private = [f.pan for f in firms] + [f.registered_address for f in firms]
    with time_machine.travel(moment(settled, "settled"), tick=False):
        public = {url: body(client.get(url)) for url in DOWNLOADS}
        if users[role] is not None:
            client.force_login(users[role])
        for url in DOWNLOADS:
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            text = body(response)
            assert text == public[url], (role, url)
            assert not [value for value in private if value and value in text], (role, url)
