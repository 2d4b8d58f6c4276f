"""The import of the real programme (auctions.history): the published record's tranches and auctions, written as
historic records. Idempotent: a tranche is found by its name, an auction by its tranche and block; a second run with
the same record writes nothing.

A historic record is not run here, so it bypasses the status tables (auctions.lifecycle): it is written with the
status its published outcome gives (settled for a preferred bidder declared, annulled, or evaluation while the
outcome is not published) and one ledger entry on its stream, `historic_record`, citing the source and the row as
published. What the record does not give (the schedule, the terms, bid counts, initial offers) stays null. Where the
published record later changes (a pending outcome published, a correction), the next run updates the auction and
writes a `historic_revised` entry with what was and what is now. Blocks are not registered here and not moved: an
offering is attached to the registered block of the same name (as `record.block_key` normalises it) and State; an
offering whose block is not registered is reported and left out, to be imported once the block is registered.
"""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction

from auctions.history import record
from auctions.models import Auction, Origin, Tranche
from blocks.models import Block
from core.errors import ApplicationError
from ledger.services import ledger_append

STATUS = {
    record.AUCTIONED: Auction.Status.SETTLED,
    record.ANNULLED: Auction.Status.ANNULLED,
    record.PENDING: Auction.Status.EVALUATION,
}
# The fields of a historic auction that come from the published record; a revision compares them.
PUBLISHED_FIELDS = (
    "attempt",
    "previous_id",
    "lease_kind",
    "status",
    "annulment_reason",
    "source_url",
    "published_outcome",
    "published_preferred_bidder",
    "published_final_offer",
    "declared_on",
    "annulled_on",
)


@dataclass
class HistoryReport:
    source: Path
    offerings: int = 0
    tranches_created: list[str] = field(default_factory=list)
    tranches_present: list[str] = field(default_factory=list)
    auctions_created: list[str] = field(default_factory=list)
    auctions_present: list[str] = field(default_factory=list)
    auctions_revised: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # offerings whose block is not registered


def _blocks(offerings: list[record.Offering]) -> dict[tuple[str, str], list[Block]]:
    found: dict[tuple[str, str], list[Block]] = {}
    states = {o.state for o in offerings}
    for block in Block.objects.filter(state__in=states).only("id", "code", "name", "state").order_by("code"):
        found.setdefault((record.block_key(block.name), block.state), []).append(block)
    return found


def _published(attempt: record.Attempt, previous: Auction | None) -> dict:
    offering, outcome = attempt.offering, attempt.outcome
    try:
        final_offer = record.final_offer(offering.final_offer_pct)
    except ValueError as exc:
        raise ApplicationError(f"Tranche {offering.tranche}, {offering.name}: {exc}") from None
    return {
        "attempt": attempt.attempt,
        "previous_id": previous.pk if previous else None,
        "lease_kind": offering.lease_type if offering.lease_type in ("ML", "CL") else "",
        "status": STATUS[outcome.status],
        "annulment_reason": outcome.reason[:120] if outcome.status == record.ANNULLED else "",
        "source_url": offering.source_url,
        "published_outcome": offering.outcome[:300],
        "published_preferred_bidder": offering.preferred_bidder[:200],
        "published_final_offer": final_offer,
        "declared_on": outcome.declared_on,
        "annulled_on": outcome.annulled_on,
    }


def _plain(value):
    """A value of the record as the ledger stores it (a day as YYYY-MM-DD)."""
    return value.isoformat() if isinstance(value, date) else value


def _entry(auction: Auction, attempt: record.Attempt, values: dict) -> dict:
    return {
        "origin": Origin.HISTORIC,
        "tranche": auction.tranche.name,
        "block": auction.block.code,
        "attempt": values["attempt"],
        "previous_auction": values["previous_id"],
        "status": values["status"],
        "annulment_reason": values["annulment_reason"],
        "preferred_bidder": values["published_preferred_bidder"],
        "final_offer_pct": values["published_final_offer"],
        "declared_on": _plain(values["declared_on"]),
        "annulled_on": _plain(values["annulled_on"]),
        "source": values["source_url"],
        "record": record.SOURCE_NAME,
        "published": attempt.offering.as_published(),
    }


def _tranche(number: int, report: HistoryReport) -> Tranche:
    facts = record.TRANCHES.get(number)
    name = facts.name if facts else f"Tranche {number}"
    tranche = Tranche.objects.filter(name__iexact=name).first()
    if tranche is not None:
        if tranche.origin != Origin.HISTORIC:
            raise ApplicationError(
                f"A tranche named {tranche.name} was notified on Khanij, so the published record of the Ministry's "
                f"{name} cannot be imported under that name. Rename the tranche run here, then import again."
            )
        report.tranches_present.append(name)
        return tranche
    report.tranches_created.append(name)
    return Tranche.objects.create(
        name=name,
        origin=Origin.HISTORIC,
        status=Tranche.Status.NOTIFIED,
        kind=Tranche.Kind.LEASE,
        params={},
        launched_on=facts.launched_on if facts else None,
        bids_due_on=facts.bids_due_on if facts else None,
        published_block_count=facts.blocks_offered if facts else None,
        source_note=facts.note if facts else f"Rows of {record.SOURCE_NAME}.",
    )


def historic_import(*, path: Path | None = None) -> HistoryReport:
    """Import (or complete) the published record at `path` (default: record.csv_path()). One transaction per
    tranche. Raises ApplicationError, naming the row, for a record that cannot be read."""
    path = path or record.csv_path()
    offerings = record.read_offerings(path)
    try:
        placed = record.attempts(offerings)
    except ValueError as exc:
        raise ApplicationError(f"{path.name}: {exc}") from None
    report = HistoryReport(source=path, offerings=len(offerings))
    blocks = _blocks(offerings)
    auctions: dict[tuple[str, str], Auction] = {}  # the latest auction of each block, for the next attempt's link
    for number in sorted({a.offering.tranche for a in placed}):
        matched = []
        for attempt in (a for a in placed if a.offering.tranche == number):
            offering = attempt.offering
            found = blocks.get(offering.key, [])
            if len(found) == 1:
                matched.append((attempt, found[0]))
            else:
                why = "no registered block has" if not found else f"{len(found)} registered blocks have"
                report.unmatched.append(f"Tranche {number}: {offering.name} ({offering.state}): {why} this name here")
        if not matched:
            continue  # no tranche without an auction on record
        with transaction.atomic():
            tranche = _tranche(number, report)
            for attempt, block in matched:
                offering = attempt.offering
                label = f"{tranche.name}: {offering.name} ({offering.state})"
                previous = auctions.get(offering.key) if attempt.previous else None
                auctions[offering.key] = _write(tranche, block, attempt, previous, label, report)
    return report


def _write(tranche, block, attempt, previous, label, report) -> Auction:
    values = _published(attempt, previous)
    auction = Auction.objects.filter(tranche=tranche, block=block).select_related("tranche", "block").first()
    if auction is None:
        auction = Auction.objects.create(tranche=tranche, block=block, origin=Origin.HISTORIC, params={}, **values)
        tranche.blocks.add(block)
        ledger_append(stream=auction.stream, kind="historic_record", payload=_entry(auction, attempt, values))
        report.auctions_created.append(label)
        return auction
    if auction.origin != Origin.HISTORIC:
        raise ApplicationError(f"{label}: the auction of {block.code} in {tranche.name} was run on Khanij.")
    before = {name: getattr(auction, name) for name in PUBLISHED_FIELDS}
    if before == values:
        report.auctions_present.append(label)
        return auction
    Auction.objects.filter(pk=auction.pk).update(**values)
    for name, value in values.items():
        setattr(auction, name, value)
    changed = sorted(name for name in PUBLISHED_FIELDS if before[name] != values[name])
    ledger_append(
        stream=auction.stream,
        kind="historic_revised",
        payload={
            "changed": changed,
            "before": {name: _plain(before[name]) for name in changed},
            "record": _entry(auction, attempt, values),
        },
    )
    report.auctions_revised.append(label)
    return auction
