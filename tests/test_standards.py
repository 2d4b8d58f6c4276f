"""The open-data standards the suite validates against (tests/standards/) are the ones stored offline for the project
(../shared/standards/), byte for byte, wherever those are beside the checkout."""

from pathlib import Path

import pytest

from tests.conftest import require_service
from tests.standards import BODS, OCDS

SHARED = Path(__file__).resolve().parents[2] / "shared" / "standards"


@pytest.mark.parametrize("copy", [OCDS, BODS], ids=["ocds-1.1.5", "bods-0.4"])
def test_the_copies_are_the_shared_standards(copy):
    shared = SHARED / copy.name
    require_service(shared.exists(), f"the shared standards ({shared}) beside this checkout")
    files = sorted(p.relative_to(copy) for p in copy.rglob("*") if p.is_file())
    assert files, copy
    for name in files:
        assert (shared / name).read_bytes() == (copy / name).read_bytes(), name
