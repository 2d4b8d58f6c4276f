"""The full dumps of the open data (docs/open-data.md "Full dumps"): every public list as one CSV file, the public
offer history (`offers.csv`), and the OCDS release packages (one of everything, one per tranche), built by a
scheduled task into `settings.OPEN_DATA_DIR` and served as files at /data/<name>, with a manifest (name, rows, bytes,
sha256, built at, licence).

Each file is written to a temporary file in the same directory and renamed over the old one (atomic on POSIX), the
manifest last: a reader gets the old file or the new one, never half of one; building again replaces every file
(idempotent: no leftover, no duplicate). The rows are the downloads' own (the same row functions, read a chunk at a
time), so a dump and a download never disagree; a dump is not capped. Each auction's CSV line and OCDS releases are
rendered once per change and kept (licences/renderings.py): a build re-renders the auctions whose fingerprint changed,
then writes auctions.csv, results.csv and the packages from the stored text; offers.csv is written by PostgreSQL's
COPY where the database is PostgreSQL. Apps above this one (clearances) add their files with `register_csv_dump` in
their AppConfig.ready(): this app cannot import them (docs/architecture.md, "The full dumps")."""

import datetime
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from auctions.api.downloads import (
    AUCTION_CSV_COLUMNS,
    TRANCHE_CSV_COLUMNS,
    auction_csv_rows,
    tranche_csv_rows,
)
from auctions.selectors.bulk import OFFER_CSV_COLUMNS, auction_records, chunks, offer_csv_copy, offer_rows
from auctions.selectors.public import public_auction, public_auctions, public_results, public_tranches
from blocks.api.public import CSV_COLUMNS as BLOCK_CSV_COLUMNS
from blocks.api.public import block_csv_rows
from blocks.selectors import block_list_queryset
from core.public_api import csv_lines
from licences.api.downloads import OBLIGATION_CSV_COLUMNS, obligation_csv_rows, obligation_queryset
from licences.api.register import CSV_COLUMNS as LICENCE_CSV_COLUMNS
from licences.api.register import licence_csv_rows
from licences.ocds import auction_releases, release_package
from licences.renderings import csv_chunks, licences_of, refresh_renderings, release_chunks
from licences.selectors.register import licence_list_queryset

MANIFEST = "manifest.json"
UNCAPPED = sys.maxsize


def data_dir() -> Path:
    return Path(settings.OPEN_DATA_DIR)


@dataclass(frozen=True)
class CSVDump:
    """One CSV file of the dumps: `rows(site, now)` yields its rows (lists, as the download's own row function
    does); `copy(now, counter)`, where given, writes the same file faster on PostgreSQL (bytes, header first);
    `stored(now, counter)`, where given, writes it on any database from the stored renderings (text, header first),
    which `build_dumps` has refreshed first."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: Callable[[str, datetime.datetime], Iterable[list]]
    copy: Callable[[datetime.datetime, list], Iterator[bytes]] | None = None
    stored: Callable[[datetime.datetime, list], Iterator[str]] | None = None


# The CSV dumps of apps above this one (clearances), registered in their AppConfig.ready(): licences cannot import
# them (docs/architecture.md, "The full dumps").
_REGISTERED: dict[str, CSVDump] = {}


def register_csv_dump(dump: CSVDump) -> None:
    """Adds `dump` to every build, after this app's own files (again under the same name: replaced)."""
    _REGISTERED[dump.name] = dump


def _csv_dumps() -> list[CSVDump]:
    """Every CSV dump, in the order of the manifest."""
    return [
        CSVDump("blocks.csv", "Blocks", BLOCK_CSV_COLUMNS,
                lambda site, now: block_csv_rows(block_list_queryset(), site)),
        CSVDump("tranches.csv", "Notified tranches", TRANCHE_CSV_COLUMNS,
                lambda site, now: tranche_csv_rows(public_tranches(), site)),
        CSVDump("auctions.csv", "Auctions", AUCTION_CSV_COLUMNS,
                lambda site, now: auction_csv_rows(public_auctions(now=now), site, now=now),
                stored=lambda now, counter: csv_chunks(public_auctions(now=now), counter=counter)),
        CSVDump("results.csv", "Results", AUCTION_CSV_COLUMNS,
                lambda site, now: auction_csv_rows(public_results(now=now), site, now=now),
                stored=lambda now, counter: csv_chunks(public_results(now=now), counter=counter)),
        CSVDump("offers.csv", "Final offers of every e-auction whose offer history is public", OFFER_CSV_COLUMNS,
                lambda site, now: offer_rows(now=now),
                copy=lambda now, counter: offer_csv_copy(now=now, counter=counter)),
        CSVDump("licences.csv", "The licence register", LICENCE_CSV_COLUMNS,
                lambda site, now: licence_csv_rows(licence_list_queryset(with_boundary=True), site)),
        CSVDump("obligations.csv", "Obligations of every licence", OBLIGATION_CSV_COLUMNS,
                lambda site, now: obligation_csv_rows(obligation_queryset(), site)),
        *_REGISTERED.values(),
    ]  # fmt: skip


class RowCounter:
    """Counts the rows that pass through it (the header and any cut line are not rows)."""

    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def csv_dump_chunks(
    dump: CSVDump, *, site: str, now: datetime.datetime, counter: list, stored: bool = True
) -> Iterator[str | bytes]:
    """The file of `dump`: from the stored renderings where it has them (stored=False: rendered afresh), by COPY on
    PostgreSQL where it has one, else row by row; counter[0] ends as its rows."""
    if stored and dump.stored is not None:
        yield from dump.stored(now, counter)
        return
    if dump.copy is not None and connection.vendor == "postgresql":
        yield from dump.copy(now, counter)
        return
    rows = RowCounter(dump.rows(site, now))
    yield from csv_lines(dump.columns, rows, cap=UNCAPPED)
    counter[0] = rows.count


def write_atomic(directory: Path, name: str, chunks) -> dict:
    """Writes the `chunks` (text or bytes) to directory/name atomically; returns its bytes and sha256."""
    target = directory / name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                data = chunk if isinstance(chunk, bytes) else chunk.encode("utf-8")
                digest.update(data)
                size += len(data)
                out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return {"bytes": size, "sha256": digest.hexdigest()}


def _package_ends(uri: str, now: datetime.datetime) -> tuple[str, str]:
    """A release package's text before its first release and after its last."""
    head, tail = json.dumps(release_package([], uri=uri, published=now)).split('"releases": []')
    return head + '"releases": [', "]" + tail


def package_chunks(auctions, *, uri: str, now: datetime.datetime, counter: list):
    """A release package rendered afresh, piece by piece: every release of every auction of the queryset `auctions`,
    read as tuples a chunk at a time (auctions.selectors.bulk), each from public_auction. (The build writes the same
    text from the stored renderings: `stored_package_chunks`.)"""
    head, tail = _package_ends(uri, now)
    yield head
    first = True
    encode = JSONEncoder().encode
    for chunk in chunks(auction_records(auctions, now=now, offers=False)):
        licences = {licence.auction_id: licence for licence in licences_of([a.id for a in chunk])}
        pieces = []
        for auction in chunk:
            public = public_auction(auction, now=now, history=False)  # the releases count the offers, never list them
            for release in auction_releases(auction, public, licences.get(auction.id)):
                pieces.append(("" if first else ",") + encode(release))
                first = False
                counter[0] += 1
        yield "".join(pieces)
    yield tail


def stored_package_chunks(auctions, *, uri: str, now: datetime.datetime, counter: list):
    """The package of `package_chunks`, written from the stored renderings (refreshed first: refresh_renderings)."""
    head, tail = _package_ends(uri, now)
    return release_chunks(auctions, head=head, tail=tail, counter=counter)


def _entry(name: str, title: str, kind: str, rows: int, written: dict, built_at: str) -> dict:
    return {"name": name, "title": title, "format": kind, "rows": rows, **written, "built_at": built_at}


# The session-level advisory lock that lets one build run at a time on PostgreSQL: the hourly task and a
# `manage.py build_dumps` would otherwise upsert the same stored renderings at two different moments, and one could
# write its files from renderings of the other's moment. A second build waits for the first, then builds.
_BUILD_LOCK_KEY = 7_301_015


@contextmanager
def _one_build_at_a_time():
    if connection.vendor != "postgresql":
        yield  # SQLite (make run): one process builds, at start and from the embedded worker
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_BUILD_LOCK_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_BUILD_LOCK_KEY])


def build_dumps(*, directory: Path | None = None, site: str | None = None) -> dict:
    """Builds every dump and the manifest, one build at a time; returns the manifest."""
    with _one_build_at_a_time():
        return _build(directory=directory, site=site)


def _build(*, directory: Path | None, site: str | None) -> dict:
    directory = directory or data_dir()
    site = (site if site is not None else settings.SITE_URL).rstrip("/")
    now = timezone.now()
    built_at = now.isoformat()
    refresh_renderings(now=now, site=site)  # logs how many it rendered
    files = []
    for dump in _csv_dumps():
        counter = [0]
        written = write_atomic(directory, dump.name, csv_dump_chunks(dump, site=site, now=now, counter=counter))
        files.append(_entry(dump.name, dump.title, "csv", counter[0], written, built_at))
    auctions = public_auctions(now=now)
    packages = [("ocds/all.json", "OCDS release package of every auction", auctions)]
    for tranche in public_tranches().order_by("id"):
        title = f"OCDS release package of {tranche.name}"
        packages.append((f"ocds/tranche-{tranche.pk}.json", title, auctions.filter(tranche=tranche)))
    for name, title, queryset in packages:
        counter = [0]
        uri = f"{site}/data/{name}"
        written = write_atomic(directory, name, stored_package_chunks(queryset, uri=uri, now=now, counter=counter))
        files.append(_entry(name, title, "ocds", counter[0], written, built_at))
    _remove_stale(directory, {f["name"] for f in files})
    manifest = {"built_at": built_at, "licence": settings.OPEN_DATA_LICENCE_URL, "files": files}
    write_atomic(directory, MANIFEST, [json.dumps(manifest, indent=2)])
    return manifest


def _remove_stale(directory: Path, keep: set[str]) -> None:
    """A tranche's package no longer built (none should go, but a renamed file must not linger as current)."""
    for path in (directory / "ocds").glob("tranche-*.json"):
        if f"ocds/{path.name}" not in keep:
            path.unlink(missing_ok=True)


def read_manifest(directory: Path | None = None) -> dict | None:
    path = (directory or data_dir()) / MANIFEST
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
