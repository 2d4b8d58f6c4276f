"""The fast read path of the dumps (auctions.selectors.bulk) against the model-based path it replaces: on auctions in
every phase (run here and historic, annulled before and after the opening), read at every moment of their
schedule, the records give public_auction exactly what the models give it, and the offer history read as one SQL
projection (a cursor on any database, COPY on PostgreSQL) is row for row the `result.offers` of public_auction; the
dump's OCDS package is release for release the feed's, and validates against the OCDS 1.1.5 schema.
Sealed offers never appear before the opening, and no offer before the e-auction's close."""

import csv
import io
import json

import pytest
import time_machine
from django.db import connection, transaction
from rest_framework.utils.encoders import JSONEncoder

from auctions.api.downloads import auction_csv_rows, auction_row
from auctions.models import Auction, Participation
from auctions.selectors.bulk import OFFER_CSV_COLUMNS, auction_records, offer_csv_copy, offer_rows
from auctions.selectors.public import public_auction, public_auctions, public_results
from auctions.services.annulment import annul
from core.public_api import csv_value, url_maker
from licences.dumps import package_chunks
from licences.models import Licence
from licences.ocds import auction_releases
from tests.auctions.test_downloads import historic
from tests.factories.public_auctions import SEALED_IPOS, STEPS, moment, staged, three_firms
from tests.standards import ocds_package_errors

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


@pytest.fixture
def world(regulator):
    """One auction staged to each step (the latest first: a later staging's sweeps happen before the earlier
    ones' moments), one annulled after its opening with offers on record, historic ones, one with no bid."""
    made = {"no_bid": staged(regulator, [], "evaluation", code="CG-LI-21")}
    made["annulled_opened"] = staged(regulator, three_firms("x"), "closed", code="CG-LI-20")
    with time_machine.travel(moment(made["annulled_opened"], "closed"), tick=False), transaction.atomic():
        annul(Auction.objects.select_for_update().get(pk=made["annulled_opened"].pk), "court order")
    for n, step in enumerate(reversed(STEPS)):
        made[step] = staged(regulator, three_firms(f"s{n}"), step, code=f"CG-LI-{n:02d}")
    made["historic"] = historic(3, tranche_name="Tranche 1")
    Auction.objects.filter(pk=made["historic"][1].pk).update(status=Auction.Status.ANNULLED, annulment_reason="x")
    Auction.objects.filter(pk=made["historic"][2].pk).update(status=Auction.Status.NOTIFIED)
    return made


def slow_offer_rows(now) -> list[list]:
    """The offer history as the public pages show it: public_auction over model instances."""
    rows = []
    for auction in public_auctions(now=now):
        result = public_auction(auction, now=now)["result"] or {}
        for offer in result.get("offers", []):
            value, placed = csv_value(offer["value"]), csv_value(offer["placed_at"])
            rows.append([str(auction.pk), str(offer["seq"]), offer["bidder"], str(value), placed])
    return sorted(rows, key=lambda r: (int(r[0]), int(r[1])))


def slow_releases(now) -> list[dict]:
    """Every OCDS release as the feed makes them from model instances."""
    releases = []
    for auction in public_auctions(now=now):
        licence = Licence.objects.filter(auction=auction).first()
        releases += auction_releases(auction, public_auction(auction, now=now), licence)
    return json.loads(json.dumps(releases, cls=JSONEncoder))


def without_offers(data: dict) -> dict:
    """public_auction's answer with the list of offers left out (history=False), their number kept."""
    if data["result"] is None or data["origin"] == "historic":
        return data
    return {**data, "result": {**data["result"], "offers": None}}


def as_text(rows) -> list[list]:
    return [[str(cell) for cell in row] for row in rows]


def copied(now) -> list[list]:
    counter = [0]
    text = b"".join(offer_csv_copy(now=now, counter=counter)).decode()
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == list(OFFER_CSV_COLUMNS) and counter[0] == len(lines) - 1
    return lines[1:]


def test_fast_and_model_paths_agree_on_every_auction_at_every_moment(world):
    reference = world["settled"]
    seen_phases, seen_offers = set(), 0
    urls = {"portal": url_maker("public_auctions:auction_detail", SITE), "ocds": url_maker("auction-ocds", SITE)}
    for step in STEPS:
        now = moment(reference, step)
        with time_machine.travel(now, tick=False):
            models = {a.pk: public_auction(a, now=now) for a in public_auctions(now=now)}
            records = {r.id: public_auction(r, now=now) for r in auction_records(public_auctions(now=now), now=now)}
            assert records == models, step
            counted = auction_records(public_auctions(now=now), now=now, offers=False)
            summaries = {r.id: public_auction(r, now=now, history=False) for r in counted}
            assert summaries == {pk: without_offers(data) for pk, data in models.items()}, step
            assert summaries == {a.pk: public_auction(a, now=now, history=False) for a in public_auctions(now=now)}
            seen_phases |= {data["phase"] for data in models.values()}
            slow_rows = [auction_row(public_auction(a, now=now), urls) for a in public_results(now=now)]
            assert list(auction_csv_rows(public_results(now=now), SITE, now=now)) == slow_rows, step
            slow = slow_offer_rows(now)
            assert as_text(offer_rows(now=now)) == slow, step
            if connection.vendor == "postgresql":
                assert copied(now) == slow, step
            seen_offers += len(slow)
            package = json.loads(
                "".join(
                    package_chunks(public_auctions(now=now), uri=f"{SITE}/data/ocds/all.json", now=now, counter=[0])
                )
            )
            assert package["releases"] == slow_releases(now), step
            assert not ocds_package_errors(package), step
    assert seen_phases == {
        "upcoming", "bidding", "evaluation", "opened", "live", "closed", "settled", "annulled", "undecided",
    }  # fmt: skip
    assert seen_offers > 0


def test_offers_appear_only_once_the_e_auction_has_closed(world):
    live, closed = world["live"], world["closed"]
    assert live.offers.exists() and closed.offers.exists()
    at_live = moment(live, "live")
    with time_machine.travel(at_live, tick=False):
        ids = {row[0] for row in offer_rows(now=at_live)}
    assert live.pk not in ids and closed.pk not in ids  # both still live at that moment
    after = moment(closed, "closed")
    with time_machine.travel(after, tick=False):
        ids = {row[0] for row in offer_rows(now=after)}
    assert {closed.pk, live.pk, world["settled"].pk, world["annulled_opened"].pk} <= ids
    assert world["opened"].pk not in ids  # opened, no e-auction offer


def test_sealed_offers_never_appear_before_the_opening(world):
    sealed = Participation.objects.filter(auction__opened_at__isnull=True).exclude(sealed_offer="")
    ciphertexts = list(sealed.values_list("sealed_offer", flat=True))
    assert ciphertexts
    now = moment(world["evaluated"], "evaluated")
    with time_machine.travel(now, tick=False):
        unopened = public_auctions(now=now).filter(opened_at__isnull=True, origin="khanij")
        text = "\n".join(",".join(map(str, row)) for row in auction_csv_rows(unopened, SITE, now=now))
        text += "\n".join(",".join(map(str, row)) for row in offer_rows(now=now))
        for record in auction_records(unopened, now=now):
            data = public_auction(record, now=now)
            assert data["opening"] is None and data["result"] is None
    for secret in (*ciphertexts, *SEALED_IPOS):
        assert secret not in text
