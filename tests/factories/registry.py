"""Blocks registered through the real service (validated, routed, valued), each on its own patch of ground."""

import itertools

from blocks.services import block_create
from tests.factories.auctions import square_boundary

_slots = itertools.count()


def free_square(size: float = 0.02) -> dict:
    """A square boundary that overlaps no other block made here (a grid inside India's extent)."""
    n = next(_slots)
    return square_boundary(70.0 + (n % 250) * 0.1, 8.0 + (n // 250) * 0.1, size)


def registered_block(**fields):
    """block_create with plausible defaults; any field can be overridden, boundary=None for none."""
    n = next(_slots)
    values = {
        "code": f"PB-{n:05d}",
        "name": f"Public Block {n}",
        "state": "Chhattisgarh",
        "district": "Korba",
        "minerals": ["lithium"],
        "exploration_stage": "G3",
        "status": "notified",
        "boundary": free_square(),
    }
    values.update(fields)
    if values["boundary"] is None:
        values.pop("boundary")
    return block_create(actor=None, **values)
