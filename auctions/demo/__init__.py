"""Demo data for `make run`: the real blocks of India's critical-mineral tranches, fictional firms, one account
per role. One module per concern: `facts` (the published rows of tranche_blocks.csv, grouped by block),
`places` (the illustrative values the sources do not give, and the block's registration), `firms` (the
fictional firms and the accounts), `report` (what a run did).

The blocks come from tranche_blocks.csv (the published facts, one row per offering): names, States, districts,
minerals, ML/CL type, stage, outcome, preferred bidder, final offer and the source. What the sources do not give
(boundaries, areas, missing districts and stages, resources, land split, reserve price, tender fee) is filled
with plausible values from a seeded random.Random (never the clock), and the block lists those fields in
`illustrative_fields` so that the portal can say so. The firms are invented ("Demo ...", "Example ..."): the
demo never presents invented figures about real companies.

Blocks are registered through blocks.services.block_create, so every rule of the registry (validation, overlap
refusal, routing, VER) applies to the demo data too. Their statuses and published outcomes are registry facts
(the auctions were run by the Ministry, not here), so block_create takes them as the block's initial status: the
demo runs no tranche and no auction, and writes none directly. The firms, their affiliates and owners and the
accounts are written directly (firms.py says why).

Idempotent: a block is identified by its code, a firm by its CIN, an account by its username; a second run
creates nothing twice.
"""

from auctions.demo.facts import (
    FIXTURE_CSV,
    SHARED_CSV,
    DemoBlock,
    Offering,
    csv_path,
    group_offerings,
    read_offerings,
    status_from_outcome,
)
from auctions.demo.firms import ACCOUNTS, FIRMS, PASSWORD_WARNING, Account, seed_accounts, seed_firms
from auctions.demo.places import (
    MAX_PLACEMENT_ATTEMPTS,
    block_fields,
    create_block,
    land_split,
    placement,
    polygon,
    resources,
)
from auctions.demo.report import SeedReport
from blocks.constants import INDIAN_STATES
from blocks.models import Block
from core.errors import ApplicationError

__all__ = [
    "ACCOUNTS",
    "FIRMS",
    "MAX_PLACEMENT_ATTEMPTS",
    "FIXTURE_CSV",
    "PASSWORD_WARNING",
    "SHARED_CSV",
    "Account",
    "DemoBlock",
    "Offering",
    "SeedReport",
    "block_fields",
    "create_block",
    "csv_path",
    "group_offerings",
    "land_split",
    "placement",
    "polygon",
    "read_offerings",
    "resources",
    "seed_accounts",
    "seed_demo",
    "seed_firms",
    "status_from_outcome",
]


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
