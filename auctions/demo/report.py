"""What a run of the demo seed did, for the command to print."""

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SeedReport:
    source: Path
    offerings: int = 0
    blocks_created: list[str] = field(default_factory=list)
    blocks_present: list[str] = field(default_factory=list)
    firms_created: int = 0
    firms_present: int = 0
    accounts: list = field(default_factory=list)  # (firms.Account, created now)
