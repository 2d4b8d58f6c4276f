"""The published facts of the demo: the rows of tranche_blocks.csv (one per offering of a block in a tranche),
grouped into one block each, with the status and the outcome the sources give."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from auctions.history.record import (
    FIXTURE_CSV,
    SHARED_CSV,
    Offering,
    block_key,
    csv_path,
    mineral_slug,
    read_offerings,
    state_name,
)
from blocks.models import Block

__all__ = [
    "FIXTURE_CSV",
    "SHARED_CSV",
    "DemoBlock",
    "Offering",
    "block_key",
    "csv_path",
    "group_offerings",
    "mineral_slug",
    "published_area_ha",
    "published_outcome",
    "read_offerings",
    "state_name",
    "status_from_outcome",
]

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


@dataclass
class DemoBlock:
    """A block as the demo registers it: the facts of its latest offering, and every offering it had."""

    code: str
    offerings: list[Offering] = field(default_factory=list)

    @property
    def latest(self) -> Offering:
        return self.offerings[-1]


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
