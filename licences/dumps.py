"""The full dumps of the open data (docs/open-data.md "Full dumps"): every public list as one CSV file, and the OCDS
release packages (one of everything, one per tranche), built by a scheduled task into `settings.OPEN_DATA_DIR` and
served as files at /data/<name>, with a manifest (name, rows, bytes, sha256, built at, licence).

Each file is written to a temporary file in the same directory and renamed over the old one (atomic on POSIX), the
manifest last: a reader gets the old file or the new one, never half of one; building again replaces every file
(idempotent: no leftover, no duplicate). The rows are the downloads' own (the same row functions, read a chunk at a
time), so a dump and a download never disagree; a dump is not capped.
"""

import datetime
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from auctions.api.downloads import (
    AUCTION_CSV_COLUMNS,
    TRANCHE_CSV_COLUMNS,
    auction_csv_rows,
    tranche_csv_rows,
)
from auctions.selectors.public import public_auction, public_auctions, public_results, public_tranches
from blocks.api.public import CSV_COLUMNS as BLOCK_CSV_COLUMNS
from blocks.api.public import block_csv_rows
from blocks.selectors import block_list_queryset
from core.public_api import CSV_CHUNK, csv_lines
from licences.api.downloads import OBLIGATION_CSV_COLUMNS, obligation_csv_rows, obligation_queryset
from licences.api.register import CSV_COLUMNS as LICENCE_CSV_COLUMNS
from licences.api.register import licence_csv_rows
from licences.ocds import auction_releases, release_package
from licences.selectors.register import licence_list_queryset

MANIFEST = "manifest.json"
UNCAPPED = sys.maxsize


def data_dir() -> Path:
    return Path(settings.OPEN_DATA_DIR)


def _csv_files(site: str):
    """(name, title, columns, rows) of every CSV dump."""
    return [
        ("blocks.csv", "Blocks", BLOCK_CSV_COLUMNS, lambda: block_csv_rows(block_list_queryset(), site)),
        ("tranches.csv", "Notified tranches", TRANCHE_CSV_COLUMNS, lambda: tranche_csv_rows(public_tranches(), site)),
        ("auctions.csv", "Auctions", AUCTION_CSV_COLUMNS, lambda: auction_csv_rows(public_auctions(), site)),
        ("results.csv", "Results", AUCTION_CSV_COLUMNS, lambda: auction_csv_rows(public_results(), site)),
        ("licences.csv", "The licence register", LICENCE_CSV_COLUMNS,
         lambda: licence_csv_rows(licence_list_queryset(with_boundary=True), site)),
        ("obligations.csv", "Obligations of every licence", OBLIGATION_CSV_COLUMNS,
         lambda: obligation_csv_rows(obligation_queryset(), site)),
    ]  # fmt: skip


class RowCounter:
    """Counts the rows that pass through it (the header and any cut line are not rows)."""

    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def write_atomic(directory: Path, name: str, chunks) -> dict:
    """Writes the text `chunks` to directory/name atomically; returns its bytes and sha256."""
    target = directory / name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                data = chunk.encode("utf-8")
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


def package_chunks(auctions, *, uri: str, now: datetime.datetime, counter: list):
    """A release package written piece by piece: every release of every auction, one auction in memory at a time."""
    head, tail = json.dumps(release_package([], uri=uri, published=now)).split('"releases": []')
    yield head + '"releases": ['
    first = True
    for auction in auctions.iterator(chunk_size=CSV_CHUNK):
        for release in auction_releases(auction, public_auction(auction, now=now), _licence(auction)):
            yield ("" if first else ",") + json.dumps(release, cls=JSONEncoder)
            first = False
            counter[0] += 1
    yield "]" + tail


def _licence(auction):
    try:
        return auction.licence
    except auction.__class__.licence.RelatedObjectDoesNotExist:
        return None


def _entry(name: str, title: str, kind: str, rows: int, written: dict, built_at: str) -> dict:
    return {"name": name, "title": title, "format": kind, "rows": rows, **written, "built_at": built_at}


def build_dumps(*, directory: Path | None = None, site: str | None = None) -> dict:
    """Builds every dump and the manifest; returns the manifest."""
    directory = directory or data_dir()
    site = (site if site is not None else settings.SITE_URL).rstrip("/")
    now = timezone.now()
    built_at = now.isoformat()
    files = []
    for name, title, columns, rows in _csv_files(site):
        counter = RowCounter(rows())
        written = write_atomic(directory, name, csv_lines(columns, counter, cap=UNCAPPED))
        files.append(_entry(name, title, "csv", counter.count, written, built_at))
    auctions = public_auctions(now=now).select_related("licence")
    packages = [("ocds/all.json", "OCDS release package of every auction", auctions)]
    for tranche in public_tranches().order_by("id"):
        title = f"OCDS release package of {tranche.name}"
        packages.append((f"ocds/tranche-{tranche.pk}.json", title, auctions.filter(tranche=tranche)))
    for name, title, queryset in packages:
        counter = [0]
        uri = f"{site}/data/{name}"
        written = write_atomic(directory, name, package_chunks(queryset, uri=uri, now=now, counter=counter))
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
