"""The illustrative values of the demo's blocks (what the sources do not give): where a block lies, its boundary,
resources and land split, each from a generator seeded with the block's code; and the block's registration
through the registry's own service, blocks.services.block_create."""

import math
import random
from collections.abc import Iterable
from decimal import ROUND_DOWN, Decimal

from shapely.geometry import Polygon

from auctions.demo.facts import DemoBlock, published_area_ha, published_outcome, status_from_outcome
from blocks.models import Block
from blocks.services import block_create
from core import geo
from core.errors import ApplicationError

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
