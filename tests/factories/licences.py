"""Licences written directly (no service), for tests of what reads or acts on an existing licence.
Tests of how a licence comes about use the real services (a settled auction, an EL grant)."""

import itertools
from datetime import date
from decimal import Decimal

from auctions.rules import AuctionParams
from blocks.models import Block, Mineral
from core.geo import parse_boundary
from licences.models import Licence
from tests.factories.auctions import BlockFactory, square_boundary
from tests.factories.bidders import FirmFactory

_n = itertools.count(1)


def make_licence(*, kind: str = "ML", holder=None, status: str = "active", size: float = 0.1,
                 minerals=("lithium",), **fields) -> Licence:  # fmt: skip
    """A licence of `kind` on a new block (a `size`-degree square of its own), held by `holder`."""
    n = next(_n)
    boundary = square_boundary(74.0 + (n % 40) * 0.3, 12.0 + (n // 40) * 0.3, size)
    area = parse_boundary(boundary).area_hectares
    block = BlockFactory(
        code=f"LB-{n:05d}",
        boundary=boundary,
        area_hectares=area,
        lease_kind=kind,
        exploration_stage="G4" if kind == "EL" else ("G3" if kind == "CL" else "G2"),
        status=Block.Status.LICENSED,
        minerals=[Mineral.objects.get(slug=s) for s in minerals],
    )
    values = {
        "number": f"{kind}/2027/{n:04d}",
        "kind": kind,
        "holder": holder or FirmFactory(),
        "block": block,
        "state": block.state,
        "district": block.district,
        "boundary": boundary,
        "area_hectares": area,
        "original_boundary": boundary,
        "original_area_hectares": area,
        "winning_offer_pct": Decimal("12.50") if kind != "EL" else Decimal("18.00"),
        "value_of_estimated_resources": Decimal("2000000000.00"),
        "performance_security": Decimal("10000000.00"),
        "upfront_payment": Decimal("10000000.00"),
        "params": AuctionParams().as_json(),
        "status": status,
        "declared_on": date(2027, 3, 1),
        "awarded_on": date(2027, 4, 1),
        "starts_on": date(2027, 4, 1),
    }
    values.update(fields)
    licence = Licence.objects.create(**values)
    licence.minerals.set(block.minerals.all())
    return licence
