"""The full dumps render each auction once per change (licences/renderings.py): after every kind of change the
files a build writes from the stored renderings are byte for byte the files of a build from nothing (the store
emptied), and only the auctions the change touched were rendered again.

One timeline, each step at its own time (time-machine): a licence executed and surrendered through the services; a
block, a tranche, a mineral and a firm renamed in the database (no service moves a timestamp for them); a new
auction, a final offer, the clock passing the e-auction's close, the settlement; the site's address; a second
attempt; a tranche no longer public. A build with no change renders nothing."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from auctions import services as auction_svc
from auctions.models import Auction, Tranche
from bidders.models import Firm
from blocks.models import Block, Mineral
from licences import services as svc
from licences.dumps import build_dumps
from licences.models import AuctionRendering
from licences.renderings import refresh_renderings
from tests.auctions.test_downloads import historic
from tests.factories.licence_post import at, executed, settled_lease
from tests.factories.public_auctions import moment, staged, three_firms

pytestmark = pytest.mark.django_db


@pytest.fixture
def dirs(settings, tmp_path):
    settings.SITE_URL = "http://testserver"
    return tmp_path / "warm", tmp_path / "cold"


def files(directory) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def build(dirs, when) -> tuple[dict[str, bytes], set[int]]:
    """A build at `when` over the stored renderings, then one from nothing at the same moment: the files must be the
    same bytes. Returns the files and the auctions the first build rendered."""
    warm, cold = dirs
    with time_machine.travel(when, tick=False):
        build_dumps(directory=warm)
        rendered = set(AuctionRendering.objects.filter(rendered_at=timezone.now()).values_list("auction_id", flat=True))
        AuctionRendering.objects.all().delete()
        build_dumps(directory=cold)
    made, fresh = files(warm), files(cold)
    assert made.keys() == fresh.keys()
    for name in made:
        assert made[name] == fresh[name], name
    return made, rendered


def releases(made, auction) -> list[str]:
    package = json.loads(made["ocds/all.json"])
    return [r["tag"][0] for r in package["releases"] if r["ocid"] == auction.ocid]


def csv_row(made, auction) -> dict:
    return next(
        row for row in csv.DictReader(io.StringIO(made["auctions.csv"].decode())) if row["id"] == str(auction.pk)
    )


def test_a_build_renders_only_what_changed_and_writes_the_files_a_build_from_nothing_writes(regulator, dirs, settings):
    licence, firms = settled_lease(regulator, code="CG-LI-41")
    lease = licence.auction
    old = historic(2, tranche_name="Tranche 1")
    everything = {lease.pk, *(a.pk for a in old)}

    made, rendered = build(dirs, at(datetime.date(2027, 3, 1)))
    assert rendered == everything and releases(made, lease) == ["tender", "tenderUpdate", "award"]
    made, rendered = build(dirs, at(datetime.date(2027, 3, 1), 13))
    assert rendered == set()  # nothing changed: nothing rendered

    executed(licence, firms[1], regulator)  # the lease executed on 1 Dec 2027: its contract is released
    made, rendered = build(dirs, at(datetime.date(2027, 12, 2)))
    assert rendered == {lease.pk} and releases(made, lease)[-1] == "contract"

    with time_machine.travel(at(datetime.date(2027, 12, 10)), tick=False):
        svc.licence_surrender_notify(actor=firms[1], licence_id=licence.pk, reason="Not economic.")
    made, rendered = build(dirs, at(datetime.date(2027, 12, 11)))
    assert rendered == {lease.pk}  # the notice is in the licence's record (details), not yet in the releases
    licence.refresh_from_db()
    last_day = datetime.date.fromisoformat(licence.details["surrender"]["last_day"])
    with time_machine.travel(at(last_day), tick=False):
        svc.licence_surrender_accept(actor=regulator, licence_id=licence.pk)
    made, rendered = build(dirs, at(last_day + datetime.timedelta(days=1)))
    assert rendered == {lease.pk} and releases(made, lease)[-1] == "contractTermination"
    when = at(last_day + datetime.timedelta(days=2))

    Block.objects.filter(pk=lease.block_id).update(name="Renamed Block")
    made, rendered = build(dirs, when)
    assert rendered == {lease.pk} and csv_row(made, lease)["block_name"] == "Renamed Block"
    Tranche.objects.filter(pk=old[0].tranche_id).update(name="Tranche I (2015)")
    made, rendered = build(dirs, when + datetime.timedelta(minutes=1))
    assert rendered == {a.pk for a in old} and csv_row(made, old[0])["tranche"] == "Tranche I (2015)"
    Mineral.objects.filter(slug="lithium").update(name="Lithium ore")
    made, rendered = build(dirs, when + datetime.timedelta(minutes=2))
    assert rendered == everything and "Lithium ore" in made["ocds/all.json"].decode()

    later = timezone.make_aware(datetime.datetime.combine(last_day + datetime.timedelta(days=30), datetime.time(10)))
    live_firms = three_firms("b")
    live = staged(regulator, live_firms, "live", code="CG-LI-42", base=later)
    made, rendered = build(dirs, moment(live, "live"))
    assert rendered == {live.pk}  # a new auction
    assert releases(made, live) == ["tender", "tenderUpdate"]

    with time_machine.travel(moment(live, "live") + datetime.timedelta(minutes=1), tick=False):
        auction_svc.offer_place(actor=live_firms[0], auction_id=live.pk, value=live.best_offer + Decimal("1.00"))
    made, rendered = build(dirs, moment(live, "live") + datetime.timedelta(minutes=2))
    assert rendered == {live.pk}  # the offer moved offer_count and best_offer: not public until the close

    closed = moment(live, "closed")  # the clock alone, no write: the offers are counted in public from the close
    made, rendered = build(dirs, closed)
    assert rendered == {live.pk} and csv_row(made, live)["phase"] == "closed"
    assert csv_row(made, live)["offer_count"] == "3"  # two of the staging and the one above
    with time_machine.travel(moment(live, "settled"), tick=False):
        auction_svc.auctions_sweep()  # the status move: settled
    made, rendered = build(dirs, moment(live, "settled"))
    assert rendered == {live.pk} and releases(made, live)[-1] == "award"
    winner = csv_row(made, live)["preferred_bidder"]
    Firm.objects.filter(legal_name=winner).update(legal_name=f"{winner} (renamed)")
    when = moment(live, "settled") + datetime.timedelta(minutes=1)
    made, rendered = build(dirs, when)
    assert rendered == {live.pk} and csv_row(made, live)["preferred_bidder"] == f"{winner} (renamed)"

    with time_machine.travel(when, tick=False):
        refreshed = refresh_renderings(now=timezone.now(), site="http://testserver")
    assert (refreshed.rendered, refreshed.removed, refreshed.stored) == (0, 0, 4)
    settings.SITE_URL = "https://khanij.example"
    made, rendered = build(dirs, when)
    assert rendered == {*everything, live.pk} and csv_row(made, live)["portal_url"].startswith(
        "https://khanij.example/"
    )

    again = Auction.objects.create(tranche_id=old[1].tranche_id, block_id=old[1].block_id, attempt=2, previous=old[1],
                                   origin="historic", params={}, status=Auction.Status.NOTIFIED)  # fmt: skip
    made, rendered = build(dirs, when + datetime.timedelta(minutes=1))
    assert rendered == {old[1].pk, again.pk} and csv_row(made, old[1])["second_attempt"] == str(again.pk)

    Tranche.objects.filter(pk=old[0].tranche_id).update(status=Tranche.Status.DRAFT)
    made, rendered = build(dirs, when + datetime.timedelta(minutes=2))
    assert rendered == set()
    assert set(AuctionRendering.objects.values_list("auction_id", flat=True)) == {lease.pk, live.pk}
    rows = list(csv.DictReader(io.StringIO(made["auctions.csv"].decode())))
    assert [row["id"] for row in rows] == [str(lease.pk), str(live.pk)]
    assert {r["ocid"] for r in json.loads(made["ocds/all.json"])["releases"]} == {lease.ocid, live.ocid}
    assert Auction.objects.count() == 5  # the auctions are still there: only no longer public
