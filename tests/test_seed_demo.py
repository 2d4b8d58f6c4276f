"""`manage.py seed_demo`: the real tranche blocks once each with their published facts, illustrative values
marked, no overlapping boundaries, idempotent; and the embedded default (SQLite, filesystem broker) serving
the seeded portal over HTTP, whatever database the rest of the suite runs on.
"""

import csv
import html
import itertools
import json
import re
import sqlite3
import sys
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import shape

from auctions import demo
from blocks.models import Block
from blocks.services import block_create
from tests.processes import browser, free_port, get, khanij_env, manage, serving

CSV_ROWS = list(csv.DictReader(demo.csv_path().open(newline="", encoding="utf-8")))
ACCOUNTS = {"regulator": "khanij-regulator", "meera": "khanij-meera", "ravi": "khanij-ravi", "admin": "khanij-admin"}
MINERAL_NAMES = {
    "REE": "rare-earth-elements",
    "PGE": "platinum-group-elements",
    "Chromium": "chromite",
    "Phosphorite": "phosphate-without-uranium",
    "Manganese": "manganese-ore",
    "Iron ore": "iron-ore",
}


def same_block(name: str) -> str:
    """Tranches name one block differently: "... Bauxite (Aluminous Laterite) Block" is "... Bauxite Block"."""
    return re.sub(r"\s+", " ", re.sub(r"\(.*?\)", "", name)).strip()


def latest_rows() -> list[dict]:
    """The CSV row of each block's latest offering."""
    latest = {}
    for row in CSV_ROWS:
        latest[same_block(row["block"])] = row
    return list(latest.values())


def csv_row(prefix: str) -> dict:
    return next(row for row in reversed(CSV_ROWS) if row["block"].startswith(prefix))


# ---------------------------------------------------------------------------------------------------------
# The embedded default: migrate, seed twice and serve, on SQLite, in subprocesses as `make run` does.


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("khanij-sqlite")
    env = khanij_env(var_dir)
    manage(env, "migrate", "--noinput")
    first = manage(env, "seed_demo")
    second = manage(env, "seed_demo")
    connection = sqlite3.connect(var_dir / "khanij.sqlite3")
    connection.row_factory = sqlite3.Row
    yield {"env": env, "var_dir": var_dir, "first": first, "second": second, "db": connection}
    connection.close()


def blocks(site) -> dict[str, dict]:
    rows = site["db"].execute("SELECT * FROM blocks_block").fetchall()
    minerals = (
        site["db"]
        .execute(
            "SELECT bm.block_id, m.slug FROM blocks_block_minerals bm JOIN blocks_mineral m ON m.id = bm.mineral_id"
        )
        .fetchall()
    )
    out = {}
    for row in rows:
        block = dict(row)
        block["boundary"] = json.loads(block["boundary"])
        block["illustrative_fields"] = json.loads(block["illustrative_fields"])
        block["minerals"] = {slug for block_id, slug in minerals if block_id == row["id"]}
        out[block["name"]] = block
    return out


def test_seeding_sqlite_creates_every_csv_block_once_with_its_published_facts(sqlite_site):
    seeded = blocks(sqlite_site)
    latest = latest_rows()

    assert len(seeded) == len(latest) == 31  # 35 offerings, 4 of them re-offers of a tranche 1 block
    for row in latest:
        block = seeded[row["block"]]
        assert block["state"] == row["state"].replace("&", "and")
        if row["district"]:
            assert block["district"] == row["district"]
        expected_minerals = {MINERAL_NAMES.get(m.strip(), m.strip().lower()) for m in row["minerals"].split(",")}
        assert block["minerals"] == expected_minerals, row["block"]
        assert block["source_url"] == row["source"]
        assert row["outcome"] in block["published_outcome"]
        assert row["preferred_bidder"] in block["published_outcome"]
        if row["final_offer_pct"]:
            assert f"final offer {row['final_offer_pct']}% of VMD" in block["published_outcome"]
        if row["stage"]:
            assert block["exploration_stage"] == row["stage"]
        if row["type"] == "ML":
            assert block["lease_kind"] == "ML" and block["exploration_stage"] in ("G1", "G2")
        if row["type"] == "CL":
            assert block["lease_kind"] == "CL" and block["exploration_stage"] in ("G3", "G4")


def test_katghora_carries_the_published_state_minerals_and_final_offer(sqlite_site):
    row = csv_row("Katghora")
    katghora = blocks(sqlite_site)["Katghora Lithium & REE Block"]

    assert row["state"] == katghora["state"] == "Chhattisgarh"
    assert row["district"] == katghora["district"] == "Korba"
    assert katghora["minerals"] == {"lithium", "rare-earth-elements"}
    assert row["final_offer_pct"] == "76.05"
    assert "final offer 76.05% of VMD" in katghora["published_outcome"]
    assert "Maiki South Mining Pvt Ltd" in katghora["published_outcome"]
    assert katghora["status"] == "auctioned"
    assert katghora["code"] == "T1-CG-01"


def test_a_block_offered_in_several_tranches_is_one_block_with_its_history(sqlite_site):
    seeded = blocks(sqlite_site)
    salal = [b for name, b in seeded.items() if name.startswith("Salal-Haimna")]
    genjana = seeded["Genjana Ni-Cr-PGE Block"]

    assert len(salal) == 1
    assert salal[0]["name"] == "Salal-Haimna Lithium, Titanium & Bauxite Block"  # the later offering's name
    assert salal[0]["state"] == "Jammu and Kashmir"
    assert salal[0]["status"] == "annulled"
    assert "Tranche 3: annulled (no bids)" in salal[0]["published_outcome"]
    assert "tranche 1: annulled (fewer than 3 bids" in salal[0]["published_outcome"]
    assert genjana["status"] == "auctioned"  # annulled in tranche 1, auctioned at the second attempt
    assert "final offer 6.05% of VMD" in genjana["published_outcome"]


def test_status_follows_the_last_published_event(sqlite_site):
    seeded = blocks(sqlite_site)

    assert seeded["Kundol Nickel & Chromium Block"]["status"] == "under_auction"  # pending decision
    assert seeded["Nayakkarpatti Tungsten Block"]["status"] == "annulled"  # auctioned, then annulled
    assert seeded["Mincheri REE Block"]["status"] == "annulled"
    assert seeded["Ponchi Graphite Block"]["status"] == "auctioned"


def test_values_the_sources_do_not_give_are_marked_illustrative(sqlite_site):
    seeded = blocks(sqlite_site)
    katghora, akharkata = seeded["Katghora Lithium & REE Block"], seeded["Akharkata Graphite Block"]
    genjana = seeded["Genjana Ni-Cr-PGE Block"]

    for block in seeded.values():
        assert {"boundary", "resources", "reserve_price_pct"} <= set(block["illustrative_fields"])
        assert block["district"], f"{block['name']} has no district"
    # Katghora's district and stage are published; its "250 ha" is the extent of the lithium occurrence.
    assert "district" not in katghora["illustrative_fields"]
    assert "exploration_stage" not in katghora["illustrative_fields"]
    assert "area_hectares" in katghora["illustrative_fields"]
    # Akharkata's sources give neither district nor stage.
    assert {"district", "exploration_stage"} <= set(akharkata["illustrative_fields"])
    # Genjana's 788.85 ha is published: the illustrative boundary encloses that area.
    assert "area_hectares" not in genjana["illustrative_fields"]
    assert abs(Decimal(str(genjana["area_hectares"])) - Decimal("788.85")) < Decimal("0.005")


def test_seeded_boundaries_are_plausible_and_never_overlap(sqlite_site):
    seeded = list(blocks(sqlite_site).values())

    for block in seeded:
        ring = block["boundary"]["coordinates"][0]
        assert 5 <= len(ring) - 1 <= 8, block["name"]
        if "area_hectares" in block["illustrative_fields"]:
            assert 200 <= block["area_hectares"] <= 2000.01, block["name"]
        land = block["forest_land_ha"] + block["government_land_ha"] + block["other_land_ha"]
        assert land <= block["area_hectares"] + 0.01
    for a, b in itertools.combinations(seeded, 2):
        assert not shape(a["boundary"]).intersects(shape(b["boundary"])), (a["name"], b["name"])


def test_seeding_twice_adds_nothing(sqlite_site):
    db = sqlite_site["db"]
    expected = {
        "blocks_block": 31,
        "blocks_blockresource": sum(len(row["minerals"].split(",")) for row in latest_rows()),
        "bidders_firm": 4,
        "bidders_affiliation": 1,
        "bidders_beneficialowner": 4,
        "bidders_membership": 2,
        "auth_user": 4,
    }
    counts = {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in expected}

    assert "Blocks: 31 created, 0 already present" in sqlite_site["first"]
    assert "Blocks: 0 created, 31 already present" in sqlite_site["second"]
    assert "Firms:  0 created, 4 already present" in sqlite_site["second"]
    assert counts == expected


def test_the_seed_prints_every_account_with_its_password_and_the_url(sqlite_site):
    for username, password in ACCOUNTS.items():
        assert re.search(rf"\b{username}\s+{password}\b", sqlite_site["first"]), username
    assert "never use them" in sqlite_site["first"]
    assert "http://127.0.0.1:" in sqlite_site["first"]


@pytest.fixture(scope="module")
def sqlite_server(sqlite_site, tmp_path_factory):
    port = free_port()
    command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    log = tmp_path_factory.mktemp("runserver") / "runserver.log"
    with serving(command, sqlite_site["env"], log, port) as base:
        yield base


def test_the_sqlite_site_serves_the_portal_and_healthz(sqlite_server, sqlite_site):
    seeded = blocks(sqlite_site)

    status, _, home = get(sqlite_server + "/")
    assert status == 200
    status, _, listing = get(sqlite_server + "/blocks/")
    assert status == 200
    assert sum(name in html.unescape(listing) for name in seeded) >= 10
    status, _, health = get(sqlite_server + "/healthz")
    assert (status, json.loads(health)["checks"]) == (200, {"database": "ok", "broker": "ok"})
    for name, block in seeded.items():
        status, _, page = get(f"{sqlite_server}/blocks/{block['code']}/")
        assert status == 200 and name in html.unescape(page), block["code"]


def test_every_printed_account_can_sign_in_and_only_staff_open_the_admin(sqlite_server):
    for username, password in ACCOUNTS.items():
        client = browser()
        _, _, form = get(sqlite_server + "/accounts/login/", client)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = f"csrfmiddlewaretoken={token}&username={username}&password={password}".encode()
        status, url, _ = get(sqlite_server + "/accounts/login/", client, data=data)
        assert status == 200 and not url.endswith("/accounts/login/"), f"{username} could not sign in"
        status, url, _ = get(sqlite_server + "/admin/", client)
        staff = username in ("regulator", "admin")
        assert ("/admin/login/" not in url) == staff, f"{username}: admin access should be {staff}"


# ---------------------------------------------------------------------------------------------------------
# In process, on the suite's database (PostgreSQL in CI).


@pytest.mark.django_db
def test_seeding_the_suite_database_twice_adds_nothing():
    first = demo.seed_demo()
    codes = sorted(Block.objects.values_list("code", flat=True))
    second = demo.seed_demo()

    assert len(first.blocks_created) == 31 and first.firms_created == 4
    assert second.blocks_created == [] and len(second.blocks_present) == 31 and second.firms_created == 0
    assert sorted(Block.objects.values_list("code", flat=True)) == codes
    assert all(not created for _account, created in second.accounts)


@pytest.mark.django_db
def test_a_demo_block_whose_place_is_taken_is_moved_not_overlapped():
    katghora = next(b for b in demo.group_offerings(demo.read_offerings(demo.csv_path())) if b.code == "T1-CG-01")
    fields, centre, area, rng = demo.block_fields(katghora)
    squatter = block_create(
        actor=None, code="SQ-01", name="Squatter", state="Chhattisgarh", minerals=["limestone"],
        exploration_stage="G2", boundary=demo.polygon(rng, centre, area),
    )  # fmt: skip

    demo.seed_demo()

    placed = Block.objects.get(code="T1-CG-01")
    assert placed.name == "Katghora Lithium & REE Block"
    assert not shape(placed.boundary).intersects(shape(squatter.boundary))


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("seed_demo")
    assert not Block.objects.exists()


def test_the_fixture_copy_of_the_csv_is_the_shared_reference_data():
    assert demo.FIXTURE_CSV.exists(), "make run on a clone without ../shared needs auctions/fixtures/"
    if demo.SHARED_CSV.exists():
        assert demo.FIXTURE_CSV.read_bytes() == demo.SHARED_CSV.read_bytes()
