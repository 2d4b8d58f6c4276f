"""The real programme as records (auctions.services.history, `manage.py import_history`): every row of
tranche_blocks.csv becomes a historic auction with the published figures and nothing else; idempotent; one ledger entry
each citing its source; a second attempt linked to the first; never actionable."""

import csv
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from auctions import demo
from auctions.history import record
from auctions.models import Auction, Offer, Origin, Participation, Tranche
from auctions.services.history import historic_import
from blocks.services import block_create
from core.errors import ApplicationError
from ledger.models import Entry
from ledger.services import ledger_verify

pytestmark = pytest.mark.django_db

ROWS = list(csv.DictReader(record.csv_path().open(newline="", encoding="utf-8")))
SCHEDULE = ("document_sale_starts_at", "document_sale_ends_at", "pre_bid_meeting_at", "bid_due_at",
            "technical_evaluation_at", "opening_at", "e_auction_starts_at")  # fmt: skip
NEVER_PUBLISHED = ("reserve_price_pct", "net_worth_threshold", "bid_security", "bid_count", "floor_price",
                   "best_offer", "opened_at", "starts_at", "closes_at", "settled_at", "bids_closed_at",
                   "best_participation_id")  # fmt: skip


def last_word(outcome: str) -> str:
    """The status the row's last event names, read here independently of the importer."""
    return re.findall(r"\b(auctioned|annulled|pending)\b", outcome)[-1]


def register_blocks(rows=None):
    """The record's blocks, registered with their published facts only (no boundary, no figures)."""
    wanted = None if rows is None else {(record.block_key(r["block"]), record.state_name(r["state"])) for r in rows}
    for block in demo.group_offerings(record.read_offerings(record.csv_path())):
        latest = block.latest
        if wanted is None or latest.key in wanted:
            block_create(actor=None, code=block.code, name=latest.name, state=latest.state,
                         minerals=list(latest.minerals), exploration_stage="G3")  # fmt: skip


@pytest.fixture
def imported():
    register_blocks()
    return historic_import()


def auction_of(row) -> Auction:
    key = (record.block_key(row["block"]), record.state_name(row["state"]))
    found = [
        a
        for a in Auction.objects.filter(tranche__name=f"Tranche {row['tranche']}").select_related("block", "tranche")
        if (record.block_key(a.block.name), a.block.state) == key
    ]
    assert len(found) == 1, row
    return found[0]


def test_every_row_of_the_record_is_a_historic_auction_with_its_published_figures(imported):
    assert len(imported.auctions_created) == len(ROWS) == Auction.objects.count() == 35
    for row in ROWS:
        auction = auction_of(row)
        assert auction.origin == Origin.HISTORIC and auction.tranche.origin == Origin.HISTORIC
        assert auction.published_outcome == row["outcome"]
        assert auction.published_preferred_bidder == row["preferred_bidder"]
        assert auction.published_final_offer == (Decimal(row["final_offer_pct"]) if row["final_offer_pct"] else None)
        assert auction.source_url == row["source"]
        assert auction.lease_kind == row["type"]
        expected = {"auctioned": "settled", "annulled": "annulled", "pending": "evaluation"}[last_word(row["outcome"])]
        assert auction.status == expected, row["outcome"]
    for number in {row["tranche"] for row in ROWS}:
        tranche = Tranche.objects.get(name=f"Tranche {number}")
        assert tranche.auctions.count() == sum(1 for row in ROWS if row["tranche"] == number)
        assert tranche.status == Tranche.Status.NOTIFIED and tranche.notified_at is None


def test_nothing_the_sources_do_not_give_is_invented(imported, client):
    for row in ROWS:
        auction = auction_of(row)
        assert all(getattr(auction, name) is None for name in SCHEDULE + NEVER_PUBLISHED), row["block"]
        assert auction.params == {} and auction.offer_count == 0 and auction.bidder_salt == ""
        # A day is kept only where the words give it.
        for day in (auction.declared_on, auction.annulled_on):
            if day is not None:
                assert f"{day.day} {day:%b %Y}" in row["outcome"]
        if not re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}", row["outcome"]):
            assert auction.declared_on is None and auction.annulled_on is None
        data = client.get(f"/api/v1/public/auctions/{auction.pk}").json()
        assert set(data["schedule"].values()) == {None}
        assert data["bids"] is None and data["opening"] is None and data["technically_qualified"] is None
        assert {k: v for k, v in data["terms"].items() if k not in ("lease_kind", "direction")} == dict.fromkeys(
            ("reserve_price_pct", "net_worth_threshold", "bid_security", "tender_fee", "params")
        )
        assert "bids" in data["source"]["not_published"] and "schedule" in data["source"]["not_published"]
        if data["result"] is not None:
            assert data["result"]["offers"] == [] and data["result"]["offer_count"] is None
            assert data["result"]["preferred_bidder"] == {"name": row["preferred_bidder"], "cin": None}
            if not row["final_offer_pct"]:
                assert data["result"]["winning_offer"] is None and "winning_offer" in data["source"]["not_published"]
    assert not Participation.objects.exists() and not Offer.objects.exists()


def test_a_figure_the_registry_marks_illustrative_is_not_shown_as_part_of_the_record(client):
    demo.seed_demo()
    historic_import()
    katghora = Auction.objects.get(block__code="T1-CG-01")
    data = client.get(f"/api/v1/public/auctions/{katghora.pk}").json()
    # The demo invented its VER and its area ("250 ha" is the extent of the occurrence, not the block's area).
    assert data["block"]["value_of_estimated_resources"] is None and data["block"]["area_hectares"] is None
    assert data["block"]["district"] == "Korba"  # published


def test_importing_again_writes_nothing(imported):
    entries, auctions = Entry.objects.count(), list(Auction.objects.values().order_by("pk"))
    again = historic_import()
    assert again.auctions_created == [] and again.auctions_revised == [] and len(again.auctions_present) == 35
    assert again.tranches_created == [] and len(again.tranches_present) == 5
    assert Entry.objects.count() == entries
    assert list(Auction.objects.values().order_by("pk")) == auctions


def test_each_historic_auction_carries_one_ledger_entry_citing_its_source(imported):
    for row in ROWS:
        auction = auction_of(row)
        (entry,) = Entry.objects.filter(stream=auction.stream)
        assert entry.kind == "historic_record"
        assert entry.payload["source"] == row["source"] and entry.payload["origin"] == "historic"
        assert entry.payload["published"]["outcome"] == row["outcome"]
        assert entry.payload["published"]["preferred_bidder"] == row["preferred_bidder"]
        assert ledger_verify(stream=auction.stream).ok


def test_a_second_attempt_links_to_the_first(imported, client):
    first = Auction.objects.get(tranche__name="Tranche 1", block__name="Genjana Ni-Cr-PGE Block")
    second = Auction.objects.get(tranche__name="Tranche 3", block__name="Genjana Ni-Cr-PGE Block")
    assert (first.attempt, second.attempt, second.previous_id) == (1, 2, first.pk)
    data = client.get(f"/api/v1/public/auctions/{first.pk}").json()
    assert data["second_attempt"] == second.pk and data["annulment"]["second_attempt"] == second.pk
    assert data["annulment"]["reason"] == "fewer than 3 bids" and data["annulment"]["annulled_on"] is None
    assert client.get(f"/api/v1/public/auctions/{second.pk}").json()["previous_auction"] == first.pk
    # The source calls it a second attempt, but its first is not in the record: attempt 2, no link.
    depo = Auction.objects.get(block__name="Depo Vanadium & Graphite Block")
    assert (depo.attempt, depo.previous_id) == (2, None)


def test_a_changed_record_revises_the_auction_in_the_ledger(tmp_path):
    register_blocks()
    historic_import()
    kundol = Auction.objects.get(block__name="Kundol Nickel & Chromium Block")
    assert kundol.status == Auction.Status.EVALUATION
    rows = [dict(r) for r in ROWS]
    for row in rows:
        if row["block"] == "Kundol Nickel & Chromium Block":
            row.update(outcome="auctioned (5 Feb 2025)", preferred_bidder="Example Nickel Ltd", final_offer_pct="12.50")
    changed = tmp_path / "tranche_blocks.csv"
    with changed.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ROWS[0]))
        writer.writeheader()
        writer.writerows(rows)

    report = historic_import(path=changed)

    assert len(report.auctions_revised) == 1 and len(report.auctions_present) == 34
    kundol.refresh_from_db()
    assert (kundol.status, kundol.published_preferred_bidder, kundol.published_final_offer) == (
        Auction.Status.SETTLED, "Example Nickel Ltd", Decimal("12.50"),
    )  # fmt: skip
    assert kundol.declared_on.isoformat() == "2025-02-05"
    first, revised = Entry.objects.filter(stream=kundol.stream).order_by("seq")
    assert (first.kind, revised.kind) == ("historic_record", "historic_revised")
    assert revised.payload["before"]["status"] == "evaluation"
    assert "published_preferred_bidder" in revised.payload["changed"]
    assert ledger_verify(stream=kundol.stream).ok


def test_an_offering_whose_block_is_not_registered_is_reported_not_invented():
    report = historic_import()
    assert not Auction.objects.exists() and not Tranche.objects.exists()  # no tranche without an auction
    assert len(report.unmatched) == 35 and "Katghora Lithium & REE Block (Chhattisgarh)" in report.unmatched[0]

    register_blocks([ROWS[0]])
    report = historic_import()
    assert [a.block.name for a in Auction.objects.all()] == ["Katghora Lithium & REE Block"]
    assert list(Tranche.objects.values_list("name", flat=True)) == ["Tranche 1"]
    assert len(report.unmatched) == 34


def test_a_tranche_run_here_under_the_same_name_stops_the_import(regulator):
    from tests.factories.auction_flow import make_block, notified_auction

    make_block(code="CG-LI-09", lon=85.0)
    notified_auction(regulator, codes=("CG-LI-01",))
    Tranche.objects.update(name="Tranche 1")
    register_blocks()
    with pytest.raises(ApplicationError, match="A tranche named Tranche 1 was notified on Khanij"):
        historic_import()
    assert not Auction.objects.filter(origin=Origin.HISTORIC).exists()


def test_the_command_reports_what_it_did_and_runs_twice():
    register_blocks()
    out = StringIO()
    call_command("import_history", stdout=out)
    assert "Tranches: 5 created" in out.getvalue() and "Auctions: 35 created" in out.getvalue()
    out = StringIO()
    call_command("import_history", stdout=out)
    assert "Auctions: 0 created, 35 already present, 0 revised" in out.getvalue()
    assert "not published" in out.getvalue()


def test_the_record_is_dated_by_its_tranches_launch(imported, client):
    tranche = Tranche.objects.get(name="Tranche 1")
    assert (tranche.launched_on.isoformat(), tranche.bids_due_on.isoformat(), tranche.published_block_count) == (
        "2023-11-29", "2024-02-26", 20,
    )  # fmt: skip
    data = client.get(f"/api/v1/public/tranches/{tranche.pk}").json()
    assert data["origin"] == "historic" and data["notified_at"] is None and data["params"] is None
    assert data["record"]["launched_on"] == "2023-11-29" and data["record"]["published_block_count"] == 20
    assert len(data["auctions"]) == 9
    listed = client.get("/api/v1/public/tranches").json()["results"]
    assert [t["name"] for t in listed] == ["Tranche 5", "Tranche 4", "Tranche 3", "Tranche 2", "Tranche 1"]
    page = client.get("/tranches/").content.decode()
    assert page.index("Tranche 5") < page.index("Tranche 1") and "29 Nov 2023" in page
