"""The full dumps (licences/dumps.py, task licences.build_dumps on beat), the /data/ page and files, and the
/api/v1/public/ root: what is built, that it equals the downloads, that building again is harmless, and that the
catalogue lists every endpoint and file with its licence and update time."""

import csv
import hashlib
import io
import json

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone

from auctions.selectors.public import public_auction, public_auction_get
from licences import tasks
from licences.dumps import build_dumps
from tests.auctions.test_downloads import historic
from tests.factories.public_auctions import moment, staged, three_firms
from tests.standards import ocds_package_errors

pytestmark = pytest.mark.django_db

CSV_FILES = [
    "blocks.csv", "tranches.csv", "auctions.csv", "results.csv", "offers.csv", "licences.csv", "obligations.csv",
    "clearances.csv",
]  # fmt: skip


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
    settings.SITE_URL = "http://testserver"
    return settings.OPEN_DATA_DIR


@pytest.fixture
def world(regulator):
    settled = staged(regulator, three_firms(), "settled", code="CG-LI-01")
    old = historic(2, tranche_name="Tranche 1")
    return {"settled": settled, "historic": old}


def test_every_list_and_every_tranche_is_dumped_with_a_true_manifest(data_dir, world):
    with time_machine.travel(moment(world["settled"], "settled"), tick=False):
        manifest = build_dumps()
    tranches = sorted({world["settled"].tranche_id, world["historic"][0].tranche_id})
    names = [f["name"] for f in manifest["files"]]
    assert names == [*CSV_FILES, "ocds/all.json", *(f"ocds/tranche-{t}.json" for t in tranches)]
    assert manifest["licence"] == django_settings.OPEN_DATA_LICENCE_URL
    on_disk = json.loads((data_dir / "manifest.json").read_text())
    assert on_disk == manifest
    for entry in manifest["files"]:
        content = (data_dir / entry["name"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(content).hexdigest() and entry["bytes"] == len(content)
        assert entry["built_at"] == manifest["built_at"]
        if entry["format"] == "csv":
            assert entry["rows"] == len(list(csv.DictReader(io.StringIO(content.decode())))), entry["name"]
        else:
            package = json.loads(content)
            assert entry["rows"] == len(package["releases"]) and not ocds_package_errors(package), entry["name"]
    auctions = {f["name"]: f["rows"] for f in manifest["files"]}
    assert auctions["auctions.csv"] == 3 and auctions["results.csv"] == 3


def test_a_dump_is_the_download_uncapped(data_dir, world, client, settings):
    settings.PUBLIC_CSV_MAX_ROWS = 1
    with time_machine.travel(moment(world["settled"], "settled"), tick=False):
        build_dumps()
        download = b"".join(client.get("/api/v1/public/auctions.csv").streaming_content).decode()
    dump = (data_dir / "auctions.csv").read_text()
    assert download.splitlines()[:2] == dump.splitlines()[:2]
    assert len(dump.splitlines()) == 4 and "# truncated" not in dump  # the dump has every row


def test_offers_csv_is_the_public_offer_history_of_every_closed_e_auction(data_dir, world):
    settled = world["settled"]
    with time_machine.travel(moment(settled, "settled"), tick=False):
        manifest = build_dumps()
        public = public_auction(public_auction_get(auction_id=settled.pk))["result"]["offers"]
    content = (data_dir / "offers.csv").read_bytes().decode()
    lines = list(csv.reader(io.StringIO(content)))
    assert lines[0] == ["auction_id", "seq", "bidder", "offer_pct", "placed_at"]
    expected = [
        [str(settled.pk), str(o["seq"]), o["bidder"], str(o["value"]), timezone.localtime(o["placed_at"]).isoformat()]
        for o in public
    ]
    assert lines[1:] == expected and [row[2] for row in expected] == ["Bidder 1", "Bidder 2"]
    [entry] = [f for f in manifest["files"] if f["name"] == "offers.csv"]
    assert entry["rows"] == 2


def test_a_tranche_package_holds_only_its_auctions(data_dir, world):
    settled = world["settled"]
    with time_machine.travel(moment(settled, "settled"), tick=False):
        build_dumps()
    package = json.loads((data_dir / f"ocds/tranche-{settled.tranche_id}.json").read_text())
    assert {r["ocid"] for r in package["releases"]} == {settled.ocid}
    assert [r["tag"] for r in package["releases"]][-1] == ["award"]
    assert package["uri"] == f"http://testserver/data/ocds/tranche-{settled.tranche_id}.json"


def test_building_again_replaces_every_file_and_leaves_nothing_behind(data_dir, world):
    first = tasks.build_dumps()  # the beat task
    before = json.loads((data_dir / "manifest.json").read_text())
    second = tasks.build_dumps()
    after = json.loads((data_dir / "manifest.json").read_text())
    assert first["files"] == second["files"] == len(after["files"])
    same = lambda m: {f["name"]: (f["rows"], f["sha256"]) for f in m["files"] if f["format"] == "csv"}  # noqa: E731
    assert same(before) == same(after)
    written = sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*") if p.is_file())
    assert written == sorted([*(f["name"] for f in after["files"]), "manifest.json"])  # no temporary file left
    assert "licences-build-dumps" in django_settings.CELERY_BEAT_SCHEDULE
    assert django_settings.CELERY_BEAT_SCHEDULE["licences-build-dumps"]["task"] == "licences.build_dumps"


def test_the_data_page_and_the_api_root_list_every_endpoint_and_file(data_dir, world, client):
    build_dumps()
    root = client.get("/api/v1/public/")
    assert root.status_code == 200
    data = root.json()
    files = {f["name"]: f for f in data["files"]}
    assert set(files) >= {*CSV_FILES, "ocds/all.json"}
    for f in data["files"]:
        assert f["licence"] == django_settings.OPEN_DATA_LICENCE_URL and f["updated"] == data["dumps_built_at"]
        served = client.get(f["url"].removeprefix("http://testserver"))
        assert served.status_code == 200
        assert hashlib.sha256(b"".join(served.streaming_content)).hexdigest() == f["sha256"]
    urls = [e["url"] for e in data["endpoints"]]
    for needed in ("auctions.csv", "results.csv", "tranches.csv", "obligations.csv", "licences.csv", "blocks.csv"):
        assert f"http://testserver/api/v1/public/{needed}" in urls
    for e in data["endpoints"]:
        assert e["licence"] == django_settings.OPEN_DATA_LICENCE_URL and e["updated"].startswith("live")
        if "{" not in e["url"]:
            assert client.get(e["url"].removeprefix("http://testserver")).status_code == 200, e["url"]
    page = client.get("/data/").content.decode()
    for f in data["files"]:
        assert f'href="{f["url"]}"' in page and f["name"] in page
    for e in data["endpoints"]:
        assert e["url"] in page
    assert django_settings.OPEN_DATA_LICENCE_URL in page


def test_only_the_files_of_the_manifest_are_served(data_dir, client):
    assert client.get("/data/").status_code == 200  # before any build: says so, lists the live endpoints
    assert client.get("/data/auctions.csv").status_code == 404
    build_dumps()
    (data_dir / "secret.txt").write_text("not a dump")
    assert client.get("/data/secret.txt").status_code == 404
    assert client.get("/data/../settings.py").status_code == 404
    assert client.get("/data/manifest.json").status_code == 200


def test_a_build_waits_while_another_is_running_then_builds(postgres, data_dir):
    """The hourly task and `manage.py build_dumps` never build at once: they would store renderings of two moments."""
    import threading

    from django.db import connection

    from licences import dumps

    with connection.cursor() as cursor:  # another build holds the dumps' lock (a session lock, as a build takes it)
        cursor.execute("SELECT pg_advisory_lock(%s)", [dumps._BUILD_LOCK_KEY])
    built = []

    def second_build():
        try:
            built.append(build_dumps())
        finally:
            connection.close()

    second = threading.Thread(target=second_build, daemon=True)
    try:
        second.start()
        second.join(timeout=1.5)
        assert second.is_alive() and not (data_dir / "manifest.json").exists()  # waiting, nothing written
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [dumps._BUILD_LOCK_KEY])
    second.join(timeout=60)
    assert not second.is_alive() and built
    assert json.loads((data_dir / "manifest.json").read_text()) == built[0]
