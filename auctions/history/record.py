"""The published record of the central critical-mineral tranches (pure: no ORM, no clock).

tranche_blocks.csv has one row per offering of a block in a tranche, compiled from news copies of Ministry of Mines
releases (its README). A row gives the block, its State and minerals, sometimes its district, lease kind, area and
stage, the outcome as the source words it, the preferred bidder, the final offer and the source's address. Empty
fields were not published. This module reads the rows and what their outcome says; it invents nothing: a date, a
reason or an attempt is taken only where the words give it, and whatever they do not give stays None.
"""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.text import slugify

SHARED_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "tranche_blocks.csv"
FIXTURE_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "tranche_blocks.csv"
SOURCE_NAME = "tranche_blocks.csv (news copies of Ministry of Mines releases)"

STATE_ALIASES = {"Jammu & Kashmir": "Jammu and Kashmir"}
MINERAL_ALIASES = {
    "ree": "rare-earth-elements",
    "pge": "platinum-group-elements",
    "phosphorite": "phosphate-without-uranium",
    "chromium": "chromite",
    "manganese": "manganese-ore",
}


@dataclass(frozen=True)
class TrancheFacts:
    """What the Ministry published of a tranche as a whole (the "Tranche facts" of the data's README)."""

    number: int
    launched_on: date
    blocks_offered: int
    bids_due_on: date | None = None
    results: str = ""  # the days results were announced, as published

    @property
    def name(self) -> str:
        return f"Tranche {self.number}"

    @property
    def note(self) -> str:
        parts = [f"Launched {self.launched_on:%-d %b %Y} with {self.blocks_offered} blocks"]
        if self.bids_due_on:
            parts.append(f"bids due {self.bids_due_on:%-d %b %Y}")
        if self.results:
            parts.append(f"results {self.results}")
        return "; ".join(parts) + f" (Ministry of Mines releases, as compiled in {SOURCE_NAME})."


# The tranches the published record has rows for (tranche 6 and the first exploration-licence tranche have none yet).
TRANCHES = {
    1: TrancheFacts(1, date(2023, 11, 29), 20, bids_due_on=date(2024, 2, 26), results="24 Jun 2024"),
    2: TrancheFacts(2, date(2024, 2, 29), 18),
    3: TrancheFacts(3, date(2024, 3, 14), 7),
    4: TrancheFacts(4, date(2024, 6, 24), 21, results="7 and 27 Nov 2024"),
    5: TrancheFacts(5, date(2025, 1, 28), 15, results="27 May 2025"),
}


@dataclass(frozen=True)
class Offering:
    """One row of tranche_blocks.csv: one offering of a block in one tranche, as published."""

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

    @property
    def key(self) -> tuple[str, str]:
        """The block this offering is of: its name as block_key normalises it, and its State."""
        return block_key(self.name), self.state

    def as_published(self) -> dict:
        """The row as the source gives it (the ledger entry of a historic auction cites it)."""
        return {
            "tranche": self.tranche,
            "block": self.name,
            "state": self.state,
            "district": self.district,
            "minerals": list(self.minerals),
            "type": self.lease_type,
            "area": self.area,
            "stage": self.stage,
            "outcome": self.outcome,
            "preferred_bidder": self.preferred_bidder,
            "final_offer_pct": self.final_offer_pct,
            "source": self.source_url,
        }


def csv_path() -> Path:
    """The shared reference data when the checkout has it beside it, else the copy kept with the code."""
    return SHARED_CSV if SHARED_CSV.exists() else FIXTURE_CSV


def mineral_slug(name: str) -> str:
    name = name.strip()
    return MINERAL_ALIASES.get(name.lower(), slugify(name))


def state_name(name: str) -> str:
    name = name.strip()
    return STATE_ALIASES.get(name, name)


def block_key(name: str) -> str:
    """The same block under the names of different tranches ("... Bauxite (Aluminous Laterite) Block")."""
    return re.sub(r"\s+", " ", re.sub(r"\([^)]*\)", " ", name)).strip().lower()


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


# --- What an outcome says ----------------------------------------------------------------------------------------

AUCTIONED = "auctioned"
ANNULLED = "annulled"
PENDING = "pending"

_DAY = r"\d{1,2} [A-Z][a-z]{2} \d{4}"
_EVENT = re.compile(
    rf"^(?P<word>auctioned|annulled|pending)\b\s*(?P<day>{_DAY})?\s*(?:\((?P<notes>[^)]*)\))?(?P<rest>.*)$"
)
# A note that dates the event itself: "7 Nov 2024", "result 24 Jun 2024", "e-auction 9 Jul 2024", "announced ...".
_EVENT_DAY = re.compile(rf"^(?:(?:result|e-auction|announced)\s+)?(?P<day>{_DAY})$")
_LOI_DAY = re.compile(rf"^LoI\s+(?P<day>{_DAY})$")
_MONTH_ONLY = re.compile(r"^[A-Z][a-z]{2} \d{4}$")
_REOFFERED = re.compile(r"^re-offered in tranche \d+$")


@dataclass(frozen=True)
class Outcome:
    """What a published outcome says: the status its last event gives, the annulment's reason, the days of the
    declaration and of the annulment where the words give a whole date (a month alone is not a day), and whether
    the source calls the offering a second attempt."""

    status: str  # AUCTIONED (a preferred bidder declared), ANNULLED or PENDING (no outcome published)
    reason: str = ""
    declared_on: date | None = None
    annulled_on: date | None = None
    second_attempt: bool = False
    loi_on: date | None = None


def _day(text: str) -> date:
    return datetime.strptime(text, "%d %b %Y").date()


def _events(text: str) -> list[str]:
    """The outcome's events: split on semicolons outside parentheses."""
    events, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth == 0:
            events.append(current.strip())
            current = ""
        else:
            current += char
    return [e for e in [*events, current.strip()] if e]


def outcome_of(text: str) -> Outcome:
    """Read a published outcome ("auctioned (second attempt; 7 Nov 2024)", "annulled (no bids)", "auctioned 7 Nov
    2024; annulled 23 Jan 2025 (biodiversity heritage site)"). Raises ValueError, naming the words, for an outcome
    that starts with none of auctioned, annulled, pending."""
    fields = {"status": "", "reason": "", "declared_on": None, "annulled_on": None, "second_attempt": False}
    fields["loi_on"] = None
    events = _events(text.strip())
    if not events:
        raise ValueError(f"The outcome {text!r} does not start with auctioned, annulled or pending.")
    for event in events:
        match = _EVENT.match(event)
        if match is None:
            raise ValueError(f"The outcome {text!r} does not start with auctioned, annulled or pending.")
        word = match["word"]
        fields["status"] = word
        day = _day(match["day"]) if match["day"] else None
        reasons = []
        for note in (n.strip() for n in (match["notes"] or "").split(";")):
            if not note:
                continue
            if note == "second attempt":
                fields["second_attempt"] = True
            elif found := _EVENT_DAY.match(note):
                day = _day(found["day"])
            elif found := _LOI_DAY.match(note):
                fields["loi_on"] = _day(found["day"])
            elif _MONTH_ONLY.match(note) or _REOFFERED.match(note):
                continue  # a month is not a day; a re-offer is the next offering's row
            else:
                reasons.append(note)
        if word == AUCTIONED:
            fields["declared_on"] = day
        elif word == ANNULLED:
            fields["annulled_on"] = day
            fields["reason"] = "; ".join(reasons)
    return Outcome(**fields)


def final_offer(text: str) -> Decimal | None:
    """The published final offer (a percentage, two decimals), or None when not published. Raises ValueError for
    a value that is not such a number."""
    if not text.strip():
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"The final offer {text!r} is not a percentage.") from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise ValueError(f"The final offer {text!r} is not a percentage with at most two decimals.")
    return value.quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Attempt:
    """One offering placed in the programme: which attempt it is and which earlier offering (if in the record) it
    follows."""

    offering: Offering
    outcome: Outcome
    attempt: int
    previous: Offering | None


def attempts(offerings: Iterable[Offering]) -> list[Attempt]:
    """Each offering with its attempt: a block offered again after an annulment in the record is the next attempt of
    that offering (a second attempt links to the first); one the source calls a second attempt is attempt 2 even
    when its first is not in the record. In tranche order, the CSV's order within a tranche."""
    placed: list[Attempt] = []
    latest: dict[tuple[str, str], Attempt] = {}
    for offering in sorted(offerings, key=lambda o: o.tranche):
        outcome = outcome_of(offering.outcome)
        before = latest.get(offering.key)
        if before is not None and before.offering.tranche == offering.tranche:
            raise ValueError(f"{offering.name} is offered twice in tranche {offering.tranche}.")
        attempt = before.attempt + 1 if before else (2 if outcome.second_attempt else 1)
        entry = Attempt(offering, outcome, attempt, before.offering if before else None)
        placed.append(entry)
        latest[offering.key] = entry
    return placed
