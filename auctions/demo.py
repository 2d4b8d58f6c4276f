"""Demo data for `make run`: the real blocks of India's critical-mineral tranches, fictional firms, one account
per role.

The blocks come from tranche_blocks.csv (the published facts, one row per offering): names, States, districts,
minerals, ML/CL type, stage, outcome, preferred bidder, final offer and the source. What the sources do not give
(boundaries, areas, missing districts and stages, resources, land split, reserve price, tender fee) is filled
with plausible values from a seeded random.Random (never the clock), and the block lists those fields in
`illustrative_fields` so that the portal can say so. The firms are invented ("Demo ...", "Example ..."): the
demo never presents invented figures about real companies.

Idempotent: a block is identified by its code, a firm by its CIN, an account by its username; a second run
creates nothing twice. Blocks are created through blocks.services.block_create, so every rule of the
registry (validation, overlap refusal, routing, VER) applies to the demo data too.
"""

import csv
import datetime
import math
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify
from shapely.geometry import Polygon

from bidders.models import Affiliation, BeneficialOwner, Firm, Membership
from bidders.roles import REGULATORS_GROUP
from blocks.constants import INDIAN_STATES
from blocks.models import Block
from blocks.services import block_create
from core import geo
from core.errors import ApplicationError

SHARED_CSV = settings.BASE_DIR.parent / "shared" / "data" / "tranche_blocks.csv"
FIXTURE_CSV = Path(__file__).resolve().parent / "fixtures" / "tranche_blocks.csv"

STATE_ALIASES = {"Jammu & Kashmir": "Jammu and Kashmir"}
MINERAL_ALIASES = {
    "ree": "rare-earth-elements",
    "pge": "platinum-group-elements",
    "phosphorite": "phosphate-without-uranium",
    "chromium": "chromite",
    "manganese": "manganese-ore",
}

# Two-letter codes of the States and Union Territories (as on vehicle registrations), for block codes.
STATE_CODES = {
    "Andhra Pradesh": "AP", "Arunachal Pradesh": "AR", "Assam": "AS", "Bihar": "BR", "Chhattisgarh": "CG",
    "Goa": "GA", "Gujarat": "GJ", "Haryana": "HR", "Himachal Pradesh": "HP", "Jharkhand": "JH",
    "Karnataka": "KA", "Kerala": "KL", "Madhya Pradesh": "MP", "Maharashtra": "MH", "Manipur": "MN",
    "Meghalaya": "ML", "Mizoram": "MZ", "Nagaland": "NL", "Odisha": "OD", "Punjab": "PB", "Rajasthan": "RJ",
    "Sikkim": "SK", "Tamil Nadu": "TN", "Telangana": "TS", "Tripura": "TR", "Uttar Pradesh": "UP",
    "Uttarakhand": "UK", "West Bengal": "WB", "Andaman and Nicobar Islands": "AN", "Chandigarh": "CH",
    "Dadra and Nagar Haveli and Daman and Diu": "DD", "Delhi": "DL", "Jammu and Kashmir": "JK", "Ladakh": "LA",
    "Lakshadweep": "LD", "Puducherry": "PY",
}  # fmt: skip

# Approximate centres (longitude, latitude) of the States and Union Territories: where a block goes when its
# district is not in DISTRICTS.
STATE_CENTROIDS = {
    "Andhra Pradesh": (79.7, 15.9), "Arunachal Pradesh": (94.7, 28.0), "Assam": (92.9, 26.2),
    "Bihar": (85.6, 25.7), "Chhattisgarh": (81.9, 21.3), "Goa": (74.0, 15.35), "Gujarat": (71.6, 22.7),
    "Haryana": (76.1, 29.1), "Himachal Pradesh": (77.2, 31.9), "Jharkhand": (85.5, 23.6),
    "Karnataka": (76.2, 14.7), "Kerala": (76.3, 10.5), "Madhya Pradesh": (78.6, 23.5),
    "Maharashtra": (75.7, 19.6), "Manipur": (93.9, 24.7), "Meghalaya": (91.3, 25.5), "Mizoram": (92.9, 23.2),
    "Nagaland": (94.5, 26.1), "Odisha": (84.4, 20.5), "Punjab": (75.3, 30.9), "Rajasthan": (74.2, 26.6),
    "Sikkim": (88.5, 27.5), "Tamil Nadu": (78.4, 11.1), "Telangana": (79.0, 17.9), "Tripura": (91.7, 23.8),
    "Uttar Pradesh": (80.9, 26.9), "Uttarakhand": (79.0, 30.1), "West Bengal": (87.9, 23.5),
    "Andaman and Nicobar Islands": (92.7, 11.7), "Chandigarh": (76.78, 30.73),
    "Dadra and Nagar Haveli and Daman and Diu": (73.0, 20.3), "Delhi": (77.1, 28.65),
    "Jammu and Kashmir": (75.3, 33.7), "Ladakh": (77.6, 34.2), "Lakshadweep": (72.64, 10.57),
    "Puducherry": (79.8, 11.94),
}  # fmt: skip

# A few mining districts per State of the tranches, with their approximate centres. A block whose district is
# not published gets one of its State's districts here (marked illustrative).
DISTRICTS = {
    "Andhra Pradesh": [("Anantapur", 77.60, 14.68), ("Kurnool", 78.04, 15.83), ("YSR Kadapa", 78.82, 14.47),
                       ("Chittoor", 79.10, 13.22)],
    "Arunachal Pradesh": [("Keyi Panyor", 93.70, 27.48), ("Papum Pare", 93.62, 27.09), ("West Siang", 94.60, 28.17),
                          ("East Siang", 95.33, 28.07), ("Lower Subansiri", 93.83, 27.56)],
    "Bihar": [("Gaya", 85.00, 24.79), ("Aurangabad", 84.37, 24.75), ("Jamui", 86.22, 24.92), ("Banka", 86.92, 24.88)],
    "Chhattisgarh": [("Korba", 82.68, 22.35), ("Raipur", 81.63, 21.25), ("Bilaspur", 82.14, 22.08),
                     ("Kanker", 81.49, 20.27), ("Surguja", 83.20, 23.12), ("Mahasamund", 82.10, 21.10)],
    "Gujarat": [("Kutch", 69.86, 23.73), ("Banaskantha", 72.43, 24.17), ("Panchmahal", 73.61, 22.77),
                ("Chhota Udaipur", 74.01, 22.30)],
    "Jammu and Kashmir": [("Reasi", 74.83, 33.08), ("Udhampur", 75.14, 32.93), ("Anantnag", 75.15, 33.73)],
    "Jharkhand": [("Palamu", 84.07, 24.03), ("Latehar", 84.50, 23.74), ("Garhwa", 83.81, 24.16),
                  ("Gumla", 84.54, 23.04)],
    "Karnataka": [("Chitradurga", 76.40, 14.23), ("Tumakuru", 77.10, 13.34), ("Shivamogga", 75.57, 13.93),
                  ("Hassan", 76.10, 13.00), ("Davanagere", 75.92, 14.46)],
    "Madhya Pradesh": [("Alirajpur", 74.36, 22.31), ("Jhabua", 74.59, 22.77), ("Chhindwara", 78.94, 22.06),
                       ("Balaghat", 80.18, 21.80)],
    "Maharashtra": [("Sindhudurg", 73.68, 16.11), ("Nagpur", 79.09, 21.15), ("Chandrapur", 79.30, 19.96),
                    ("Bhandara", 79.65, 21.17)],
    "Odisha": [("Koraput", 82.71, 18.81), ("Sundargarh", 84.03, 22.12), ("Keonjhar", 85.58, 21.63),
               ("Balangir", 83.49, 20.71), ("Kalahandi", 83.17, 19.91)],
    "Rajasthan": [("Hanumangarh", 74.32, 29.58), ("Bikaner", 73.31, 28.02), ("Udaipur", 73.71, 24.58),
                  ("Bhilwara", 74.64, 25.35)],
    "Tamil Nadu": [("Madurai", 78.12, 9.93), ("Sivaganga", 78.48, 9.85), ("Virudhunagar", 77.96, 9.58),
                   ("Tirunelveli", 77.70, 8.73), ("Salem", 78.15, 11.66)],
    "Uttar Pradesh": [("Lalitpur", 78.41, 24.69), ("Sonbhadra", 83.07, 24.69), ("Jhansi", 78.57, 25.45),
                      ("Mahoba", 79.87, 25.29)],
}  # fmt: skip

# Illustrative resource profiles: grade unit and range, IBM price range (INR per tonne of ore), quantity range
# (million tonnes), and whether the IBM publishes a State price for it (else the pan-India average is used).
RESOURCE_PROFILES = {
    "lithium": ("% Li2O", (0.10, 0.60), (5000, 12000), (0.5, 3), False),
    "rare-earth-elements": ("% TREO", (0.05, 0.30), (8000, 20000), (0.2, 2), False),
    "titanium": ("% TiO2", (3, 12), (2000, 5000), (1, 8), True),
    "bauxite": ("% Al2O3", (38, 50), (1200, 2500), (1, 10), True),
    "graphite": ("% fixed carbon", (6, 20), (4000, 12000), (0.5, 5), True),
    "phosphate-without-uranium": ("% P2O5", (12, 30), (2500, 6000), (1, 10), True),
    "nickel": ("% Ni", (0.2, 0.8), (10000, 30000), (0.3, 3), False),
    "chromite": ("% Cr2O3", (15, 45), (6000, 15000), (0.2, 2), True),
    "platinum-group-elements": ("g/t PGE", (0.5, 3), (20000, 60000), (0.1, 1), False),
    "potash": ("% K2O", (4, 12), (2000, 6000), (5, 30), False),
    "tungsten": ("% WO3", (0.10, 0.50), (15000, 40000), (0.2, 2), False),
    "molybdenum": ("% Mo", (0.02, 0.10), (10000, 30000), (0.1, 1), False),
    "gold": ("g/t Au", (1, 5), (20000, 90000), (0.1, 1), True),
    "lead": ("% Pb", (1, 5), (8000, 20000), (0.3, 3), True),
    "zinc": ("% Zn", (2, 8), (8000, 20000), (0.3, 3), True),
    "vanadium": ("% V2O5", (0.3, 1.0), (6000, 15000), (0.3, 3), False),
    "limestone": ("% CaO", (40, 50), (1000, 1600), (5, 30), True),
    "cobalt": ("% Co", (0.02, 0.10), (15000, 40000), (0.2, 2), False),
    "manganese-ore": ("% Mn", (25, 45), (4000, 9000), (0.5, 5), True),
    "iron-ore": ("% Fe", (55, 64), (3000, 6000), (2, 20), True),
    "halite": ("% NaCl", (80, 95), (1500, 3000), (5, 30), True),
    "glauconite": ("% K2O", (4, 8), (1500, 3000), (2, 10), False),
}
DEFAULT_PROFILE = ("", (0, 0), (2000, 10000), (0.5, 5), False)

ILLUSTRATIVE_AREA_HA = (200, 2000)
JITTER_DEG = 0.08  # how far from the district's centre a block may lie
MAX_PLACEMENT_ATTEMPTS = 60

PASSWORD_WARNING = "Demo passwords, published in the README: never use them, or this data, in production."


# ---------------------------------------------------------------------------------------------------------
# The published facts


@dataclass(frozen=True)
class Offering:
    """One row of tranche_blocks.csv: one offering of a block in one tranche."""

    tranche: int
    name: str
    state: str
    district: str
    minerals: tuple[str, ...]
    lease_type: str
    area: str
    stage: str
    outcome: str
    preferred_bidder: str
    final_offer_pct: str
    source_url: str


@dataclass
class DemoBlock:
    """A block as the demo registers it: the facts of its latest offering, and every offering it had."""

    code: str
    offerings: list[Offering] = field(default_factory=list)

    @property
    def latest(self) -> Offering:
        return self.offerings[-1]


def csv_path() -> Path:
    """The shared reference data when the checkout has it beside it, else the copy kept with the code."""
    return SHARED_CSV if SHARED_CSV.exists() else FIXTURE_CSV


def mineral_slug(name: str) -> str:
    name = name.strip()
    return MINERAL_ALIASES.get(name.lower(), slugify(name))


def state_name(name: str) -> str:
    name = name.strip()
    return STATE_ALIASES.get(name, name)


def read_offerings(path: Path) -> list[Offering]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            Offering(
                tranche=int(row["tranche"]),
                name=row["block"].strip(),
                state=state_name(row["state"]),
                district=row["district"].strip(),
                minerals=tuple(mineral_slug(m) for m in row["minerals"].split(",") if m.strip()),
                lease_type=row["type"].strip().upper(),
                area=row["area"].strip(),
                stage=row["stage"].strip().upper(),
                outcome=row["outcome"].strip(),
                preferred_bidder=row["preferred_bidder"].strip(),
                final_offer_pct=row["final_offer_pct"].strip(),
                source_url=row["source"].strip(),
            )
            for row in csv.DictReader(handle)
        ]


def block_key(name: str) -> str:
    """The same block under the names of different tranches ("... Bauxite (Aluminous Laterite) Block")."""
    return re.sub(r"\s+", " ", re.sub(r"\([^)]*\)", " ", name)).strip().lower()


def group_offerings(offerings: Iterable[Offering]) -> list[DemoBlock]:
    """One DemoBlock per block, in order of first offering; codes like T1-CG-01 (first tranche, State, n)."""
    blocks: dict[str, DemoBlock] = {}
    per_tranche_state: dict[tuple[int, str], int] = {}
    for offering in sorted(offerings, key=lambda o: o.tranche):  # stable: CSV order within a tranche
        key = block_key(offering.name)
        if key not in blocks:
            n = per_tranche_state[(offering.tranche, offering.state)] = (
                per_tranche_state.get((offering.tranche, offering.state), 0) + 1
            )
            code = f"T{offering.tranche}-{STATE_CODES.get(offering.state, 'XX')}-{n:02d}"
            blocks[key] = DemoBlock(code=code)
        blocks[key].offerings.append(offering)
    return list(blocks.values())


def status_from_outcome(outcome: str) -> str:
    """The status the last event named in a published outcome gives ("auctioned ...; annulled ..." -> annulled)."""
    text = outcome.lower()
    events = {
        Block.Status.AUCTIONED: text.rfind("auctioned"),
        Block.Status.ANNULLED: text.rfind("annulled"),
        Block.Status.UNDER_AUCTION: text.rfind("pending"),
    }
    status, position = max(events.items(), key=lambda item: item[1])
    return status if position >= 0 else Block.Status.NOTIFIED


def published_outcome(block: DemoBlock) -> str:
    """The outcome as published, with the preferred bidder, the final offer and the earlier offerings."""
    latest = block.latest
    text = f"Tranche {latest.tranche}: {latest.outcome}"
    if latest.preferred_bidder:
        text += f"; preferred bidder {latest.preferred_bidder}"
    if latest.final_offer_pct:
        text += f"; final offer {latest.final_offer_pct}% of VMD"
    text += "."
    earlier = [f"tranche {o.tranche}: {o.outcome}" for o in block.offerings[:-1]]
    if earlier:
        text += " Earlier: " + "; ".join(earlier) + "."
    max_length = Block._meta.get_field("published_outcome").max_length
    return text if len(text) <= max_length else text[: max_length - 1] + "…"


def published_area_ha(area: str) -> tuple[Decimal | None, bool]:
    """(area in hectares, whether it is the published block area) from the CSV's area text.

    "788.85 ha" and "20.16 sq km" are published areas; "~600 ha" is an approximate one (used, but marked
    illustrative); "250 ha (extent of lithium occurrence)" is not the block's area at all.
    """
    match = re.fullmatch(r"(~?)\s*([\d.]+)\s*(ha|sq km)", area.strip().lower())
    if not match:
        return None, False
    value = Decimal(match.group(2)) * (100 if match.group(3) == "sq km" else 1)
    return value, not match.group(1)


# ---------------------------------------------------------------------------------------------------------
# Illustrative values


def polygon(rng: random.Random, centre: tuple[float, float], area_ha: Decimal) -> dict:
    """A plausible block boundary: 5 to 8 vertices around `centre`, sized to `area_ha` geodesically."""
    lon0, lat0 = centre
    n = rng.randint(5, 8)
    step = 2 * math.pi / n
    start = rng.uniform(0, step)
    angles = [start + i * step + rng.uniform(-0.3, 0.3) * step for i in range(n)]
    radii = [rng.uniform(0.75, 1.25) for _ in range(n)]
    metres_per_deg_lat = 110_574.0
    metres_per_deg_lon = 111_320.0 * math.cos(math.radians(lat0))
    scale = math.sqrt(float(area_ha) * 10_000 / math.pi)  # metres: a circle of that area

    def ring(scale_m):
        points = [
            (
                round(lon0 + r * math.cos(a) * scale_m / metres_per_deg_lon, 8),
                round(lat0 + r * math.sin(a) * scale_m / metres_per_deg_lat, 8),
            )
            for a, r in zip(angles, radii, strict=True)
        ]
        return points + [points[0]]

    for _ in range(20):  # area grows with the square of the scale: converges in a few steps
        area = geo.geodesic_area_hectares(Polygon(ring(scale)))
        if abs(area - area_ha) < Decimal("0.001"):
            break
        scale *= math.sqrt(float(area_ha / area))
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring(scale)]]}


def placement(attempt: int) -> tuple[float, float]:
    """Deterministic offsets (degrees) that spiral out from the first place, for a boundary that overlapped."""
    if attempt == 0:
        return 0.0, 0.0
    angle = attempt * math.pi * (3 - math.sqrt(5))  # the golden angle: successive tries spread evenly
    radius = 0.06 * math.sqrt(attempt)
    return radius * math.cos(angle), radius * math.sin(angle)


def resources(rng: random.Random, minerals: Iterable[str]) -> list[dict]:
    out = []
    for slug in minerals:
        unit, (g_lo, g_hi), (p_lo, p_hi), (q_lo, q_hi), state_price = RESOURCE_PROFILES.get(slug, DEFAULT_PROFILE)
        quantity = Decimal(rng.randint(int(q_lo * 1000), int(q_hi * 1000))) * 1000  # tonnes, in thousands
        out.append(
            {
                "mineral": slug,
                "quantity_tonnes": quantity,
                "price_per_tonne": Decimal(rng.randint(p_lo, p_hi)),
                "price_basis": "state" if state_price else "pan_india",
                "grade": f"{rng.uniform(g_lo, g_hi):.2f} {unit}".replace(" %", "%") if unit else "",
            }
        )
    return out


def land_split(rng: random.Random, area_ha: Decimal) -> dict:
    forest = (area_ha * Decimal(str(round(rng.uniform(0, 0.5), 3)))).quantize(Decimal("0.0001"), ROUND_DOWN)
    government = ((area_ha - forest) * Decimal(str(round(rng.uniform(0.2, 0.8), 3)))).quantize(
        Decimal("0.0001"), ROUND_DOWN
    )
    return {"forest_land_ha": forest, "government_land_ha": government, "other_land_ha": area_ha - forest - government}


def block_fields(block: DemoBlock) -> tuple[dict, tuple[float, float], Decimal, random.Random]:
    """The block's fields except its boundary, its centre, its target area and the generator for the rest.

    Each block has its own generator, seeded with its code: the values do not depend on the clock, on the
    order of the CSV's other rows, or on which blocks an earlier run already created.
    """
    rng = random.Random(f"khanij-demo/{block.code}")
    facts = block.latest
    illustrative = {"boundary", "resources", "forest_land_ha", "government_land_ha", "other_land_ha"}
    illustrative |= {"reserve_price_pct", "tender_fee"}

    districts = DISTRICTS.get(facts.state, [])
    district = facts.district
    centre = next(((lon, lat) for name, lon, lat in districts if name == district), None)
    if not district:
        if districts:
            district, lon, lat = rng.choice(districts)
            centre = (lon, lat)
        illustrative.add("district")
    if centre is None:
        centre = STATE_CENTROIDS.get(facts.state, (80.0, 22.0))
    centre = (centre[0] + rng.uniform(-JITTER_DEG, JITTER_DEG), centre[1] + rng.uniform(-JITTER_DEG, JITTER_DEG))

    stage = facts.stage
    if not stage:
        lease_type = facts.lease_type or rng.choice(["CL", "CL", "CL", "ML"])  # most tranche blocks were CL
        stage = "G2" if lease_type == "ML" else rng.choice(["G3", "G4"])
        illustrative.add("exploration_stage")

    area, published = published_area_ha(facts.area)
    if area is None:
        area = Decimal(rng.randint(ILLUSTRATIVE_AREA_HA[0] * 100, ILLUSTRATIVE_AREA_HA[1] * 100)) / 100
    if not published:
        illustrative.add("area_hectares")

    fields = {
        "code": block.code,
        "name": facts.name,
        "state": facts.state,
        "district": district,
        "minerals": list(facts.minerals),
        "exploration_stage": stage,
        "resources": resources(rng, facts.minerals),
        "reserve_price_pct": Decimal(rng.choice(["5.00", "7.50", "10.00", "12.50", "15.00"])),
        "tender_fee": Decimal(rng.choice([300000, 500000, 1000000])),
        "status": status_from_outcome(facts.outcome),
        "illustrative_fields": sorted(illustrative),
        "source_url": facts.source_url,
        "published_outcome": published_outcome(block),
    }
    return fields, centre, area, rng


def create_block(block: DemoBlock, *, actor=None) -> Block:
    """Create one demo block through the registry's service; a refused overlap moves it and tries again."""
    fields, centre, area, rng = block_fields(block)
    shape_rng_state = rng.getstate()
    last_error = None
    for attempt in range(MAX_PLACEMENT_ATTEMPTS):
        rng.setstate(shape_rng_state)  # the same shape, only moved
        d_lon, d_lat = placement(attempt)
        boundary = polygon(rng, (centre[0] + d_lon, centre[1] + d_lat), area)
        land = land_split(rng, geo.parse_boundary(boundary).area_hectares)
        try:
            return block_create(actor=actor, boundary=boundary, **land, **fields)
        except ApplicationError as exc:
            if exc.code != "boundary_overlap":
                raise
            last_error = exc
    raise ApplicationError(
        f"Could not place demo block {block.code} without overlapping others after {MAX_PLACEMENT_ATTEMPTS} tries: "
        f"{last_error.message}"
    )


# ---------------------------------------------------------------------------------------------------------
# Firms and accounts (fictional)

FIRMS = [
    {
        "legal_name": "Demo Minerals Pvt Ltd",
        "cin": "U14100MH2015PTC990101",
        "pan": "AADCD9101K",
        "registered_address": "Demo House, 1 Example Road, Mumbai 400001 (fictional)",
        "net_worth": Decimal("3500000000.00"),
    },
    {
        "legal_name": "Demo Lithium Resources Pvt Ltd",
        "cin": "U14200MH2021PTC990102",
        "pan": "AADCD9102L",
        "registered_address": "Demo House, 1 Example Road, Mumbai 400001 (fictional)",
        "net_worth": Decimal("600000000.00"),
    },
    {
        "legal_name": "Example Metals Ltd",
        "cin": "L27100DL2008PLC990103",
        "pan": "AADCE9103M",
        "registered_address": "12 Sample Marg, New Delhi 110001 (fictional)",
        "net_worth": Decimal("12000000000.00"),
    },
    {
        "legal_name": "Sample Exploration Services Pvt Ltd",
        "cin": "U14290KA2018PTC990104",
        "pan": "AADCS9104N",
        "registered_address": "4 Placeholder Layout, Bengaluru 560001 (fictional)",
        "net_worth": Decimal("300000000.00"),
    },
]
NET_WORTH_AS_OF = datetime.date(2025, 3, 31)
# Demo Lithium Resources is Demo Minerals' subsidiary: in the same auction their bids would both be rejected.
AFFILIATIONS = [("U14100MH2015PTC990101", "U14200MH2021PTC990102", Affiliation.Kind.SUBSIDIARY, Decimal("74.00"))]
BENEFICIAL_OWNERS = [
    ("U14100MH2015PTC990101", "Asha Verma (fictional)", "AAAPV9101A", Decimal("51.00"), True),
    ("U14100MH2015PTC990101", "Rohan Mehta (fictional)", "AAAPM9102B", Decimal("24.00"), False),
    ("U14200MH2021PTC990102", "Asha Verma (fictional)", "AAAPV9101A", Decimal("26.00"), False),
    ("L27100DL2008PLC990103", "Kavita Iyer (fictional)", "AAAPI9103C", Decimal("30.00"), True),
]


@dataclass(frozen=True)
class Account:
    role: str
    username: str
    password: str
    firm: str = ""  # CIN of the firm the user administers


ACCOUNTS = [
    Account("Regulator (regulators group; staff: /admin/)", "regulator", "khanij-regulator"),
    Account("Firm administrator, Demo Minerals Pvt Ltd", "meera", "khanij-meera", firm="U14100MH2015PTC990101"),
    Account("Firm administrator, Example Metals Ltd", "ravi", "khanij-ravi", firm="L27100DL2008PLC990103"),
    Account("Superuser (Django admin)", "admin", "khanij-admin"),
]


@dataclass
class SeedReport:
    source: Path
    offerings: int = 0
    blocks_created: list[str] = field(default_factory=list)
    blocks_present: list[str] = field(default_factory=list)
    firms_created: int = 0
    firms_present: int = 0
    accounts: list[tuple[Account, bool]] = field(default_factory=list)  # (account, created now)


def seed_firms(report: SeedReport) -> dict[str, Firm]:
    firms = {}
    with transaction.atomic():
        for data in FIRMS:
            firm, created = Firm.objects.get_or_create(
                cin=data["cin"], defaults={**data, "net_worth_as_of": NET_WORTH_AS_OF}
            )
            firms[firm.cin] = firm
            if created:
                report.firms_created += 1
            else:
                report.firms_present += 1
        for firm_cin, affiliate_cin, kind, share in AFFILIATIONS:
            Affiliation.objects.get_or_create(
                firm=firms[firm_cin], affiliate=firms[affiliate_cin], defaults={"kind": kind, "share": share}
            )
        for cin, name, pan, share, control in BENEFICIAL_OWNERS:
            BeneficialOwner.objects.get_or_create(
                firm=firms[cin], pan=pan, defaults={"name": name, "share": share, "has_control": control}
            )
    return firms


def seed_accounts(report: SeedReport, firms: dict[str, Firm]) -> None:
    User = get_user_model()
    regulators, _ = Group.objects.get_or_create(name=REGULATORS_GROUP)
    with transaction.atomic():
        for account in ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=account.username, defaults={"email": f"{account.username}@demo.khanij.invalid"}
            )
            if created:
                user.set_password(account.password)
            if account.username == "admin":
                user.is_staff = user.is_superuser = True
            elif account.username == "regulator":
                user.is_staff = True
                user.groups.add(regulators)  # the group's admin permissions: bidders.apps.ensure_regulators_group
            user.save()
            if account.firm:
                Membership.objects.get_or_create(
                    user=user, firm=firms[account.firm], defaults={"role": Membership.Role.ADMIN}
                )
            report.accounts.append((account, created))


def seed_demo(*, actor=None) -> SeedReport:
    """Seed (or complete) the demo data; what is already there is left as it is."""
    source = csv_path()
    offerings = read_offerings(source)
    unknown_states = sorted({o.state for o in offerings} - set(INDIAN_STATES))
    if unknown_states:
        raise ApplicationError(f"{source} names States Khanij does not know: {', '.join(unknown_states)}.")
    report = SeedReport(source=source, offerings=len(offerings))
    blocks = group_offerings(offerings)
    existing = set(Block.objects.filter(code__in=[b.code for b in blocks]).values_list("code", flat=True))
    for block in blocks:
        if block.code in existing:
            report.blocks_present.append(block.code)
        else:
            create_block(block, actor=actor)
            report.blocks_created.append(block.code)
    seed_accounts(report, seed_firms(report))
    return report
