"""A registry of N plausible blocks, written with bulk_create (about 100 s per 100,000 blocks on 2 CPUs, and about
25 s more to store each block's row of the public list, blocks.list_rows, as every writer of blocks must).

The blocks are fictional but shaped like the real ones: a State, a district, one to three minerals from the
catalogue (Part D minerals the most common), a surveyed square boundary inside India with its area and
bounding box, a land split, an exploration stage, resources priced per tonne, VER, a reserve price, a status;
routing (central or State, ML or CL, EL-eligible) comes from auctions.rules as for a real block.
"""

import math
import random
from decimal import Decimal

from django.db import connection, transaction

from blocks import rules
from blocks.constants import INDIAN_STATES
from blocks.list_rows import store_list_rows, store_missing_list_rows
from blocks.models import Block, BlockResource, Mineral

DISTRICTS = [
    "Korba", "Raigarh", "Bastar", "Keonjhar", "Sundargarh", "Koraput", "Singhbhum", "Palamu", "Gumla", "Sonbhadra",
    "Lalitpur", "Balaghat", "Katni", "Chhindwara", "Bellary", "Chitradurga", "Tumkur", "Anantapur", "Kadapa",
    "Nellore", "Udaipur", "Bhilwara", "Ajmer", "Sirohi", "Kutch", "Banaskantha", "Nagpur", "Chandrapur", "Salem",
    "Tirunelveli", "Idukki", "Kolhan", "West Khasi Hills", "Lohit", "Reasi", "Kargil", "Almora", "Kinnaur",
]  # fmt: skip
STATUS_WEIGHTS = {
    Block.Status.IDENTIFIED: 70,
    Block.Status.NOTIFIED: 10,
    Block.Status.UNDER_AUCTION: 3,
    Block.Status.AUCTIONED: 8,
    Block.Status.ANNULLED: 7,
    Block.Status.WITHDRAWN: 2,
}
GRADES = ["0.8% Li2O", "1.2% TREO", "2.5 g/t PGE", "18% P2O5", "0.6% Ni", "1.1% Co", "5% graphitic carbon", ""]
KM_PER_DEGREE = 111.32


def _square(lon: float, lat: float, size: float) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def seed_blocks(count: int, *, batch: int = 5000, seed: int = 2025, out=None) -> int:
    """Add blocks BX-000001... until the registry holds `count` of them; returns how many were added."""
    rng = random.Random(seed)
    minerals = list(Mineral.objects.order_by("pk"))
    if not minerals:
        raise SystemExit("The mineral catalogue is empty: migrate the database first.")
    part_d = [m for m in minerals if m.part_d]
    others = [m for m in minerals if not m.part_d]
    have = Block.objects.filter(code__startswith="BX-").count()
    added = 0
    for start in range(have, count, batch):
        blocks, picks = [], []
        for i in range(start, min(start + batch, count)):
            state = INDIAN_STATES[rng.randrange(28)] if rng.random() < 0.95 else rng.choice(INDIAN_STATES)
            chosen = rng.sample(part_d, rng.choice([1, 1, 1, 2])) if rng.random() < 0.6 else []
            chosen += rng.sample(others, rng.choice([0, 1, 1, 2])) if chosen else rng.sample(others, rng.choice([1, 2]))
            facts = [rules.MineralFacts(m.name, m.part_d, m.seventh_schedule) for m in chosen]
            stage = rng.choice(["G4", "G3", "G3", "G2", "G2", "G1"])
            lon, lat = rng.uniform(70.0, 94.0), rng.uniform(9.0, 32.0)
            size = rng.uniform(0.01, 0.06)
            area = Decimal((size * KM_PER_DEGREE) ** 2 * math.cos(math.radians(lat + size / 2)) * 100).quantize(
                Decimal("0.0001")
            )
            forest = (area * Decimal(rng.uniform(0, 0.6))).quantize(Decimal("0.0001"))
            government = ((area - forest) * Decimal(rng.uniform(0, 0.7))).quantize(Decimal("0.0001"))
            estimates = []
            for mineral in chosen:
                quantity = Decimal(rng.randrange(10_000, 50_000_000))
                price = Decimal(rng.randrange(2_000, 900_000))
                estimates.append((mineral, quantity, price, rules.resource_value(quantity, price)))
            blocks.append(
                Block(
                    code=f"BX-{i + 1:06d}",
                    name=f"{rng.choice(DISTRICTS)} {chosen[0].name} Block {i + 1}",
                    state=state,
                    district=rng.choice(DISTRICTS),
                    boundary=_square(lon, lat, size),
                    area_hectares=area,
                    min_lon=lon,
                    min_lat=lat,
                    max_lon=lon + size,
                    max_lat=lat + size,
                    forest_land_ha=forest,
                    government_land_ha=government,
                    other_land_ha=area - forest - government,
                    exploration_stage=stage,
                    auction_authority=rules.auction_authority(facts),
                    lease_kind=rules.lease_kind(stage),
                    el_eligible=rules.el_eligible(facts),
                    value_of_estimated_resources=rules.value_of_estimated_resources((q, p) for _, q, p, _ in estimates),
                    reserve_price_pct=Decimal(rng.randrange(500, 1500)) / 100,
                    tender_fee=Decimal(rng.choice([300000, 500000, 1000000])),
                    status=rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0],
                    illustrative_fields=["boundary", "resources", "exploration_stage"],
                    source_url="https://mines.gov.in/",
                )
            )
            picks.append(estimates)
        with transaction.atomic():
            created = Block.objects.bulk_create(blocks)
            links, resources = [], []
            for block, estimates in zip(created, picks, strict=True):
                for mineral, quantity, price, value in estimates:
                    links.append(Block.minerals.through(block_id=block.pk, mineral_id=mineral.pk))
                    resources.append(
                        BlockResource(
                            block_id=block.pk,
                            mineral_id=mineral.pk,
                            quantity_tonnes=quantity,
                            price_per_tonne=price,
                            value=value,
                            grade=rng.choice(GRADES),
                        )
                    )
            Block.minerals.through.objects.bulk_create(links)
            BlockResource.objects.bulk_create(resources)
            store_list_rows([block.pk for block in created])  # the public list's stored rows (blocks.list_rows)
        added += len(created)
        if out:
            out.write(f"\r  {start + len(created):,} blocks")
            out.flush()
    if out and added:
        out.write("\n")
    # A database seeded before the stored rows (or changed since): the list would render those rows per request.
    filled = store_missing_list_rows()
    if out and filled:
        out.write(f"  stored the list rows of {filled:,} blocks\n")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return added
