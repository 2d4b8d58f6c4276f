"""`manage.py import_history`: the published record of the central tranches as historic tranches and auctions
(auctions.history). Idempotent; usable in production once the blocks are registered."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from auctions.services.history import historic_import
from core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Import the published record of India's critical-mineral tranches (tranche_blocks.csv) as historic tranches "
        "and auctions: never run here, each with one ledger entry citing its source. Idempotent: a second run with "
        "the same record writes nothing; a changed record revises the auctions it changes, in the ledger."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--csv", type=Path, default=None, help="The record to import (default: the shared tranche_blocks.csv)."
        )

    def handle(self, *args, csv=None, **options):
        if csv is not None and not csv.exists():
            raise CommandError(f"{csv} does not exist.")
        try:
            report = historic_import(path=csv)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        write = self.stdout.write
        write(self.style.MIGRATE_HEADING("The published record of the central tranches"))
        write(f"  Source:   {report.source} ({report.offerings} offerings)")
        write(f"  Tranches: {len(report.tranches_created)} created, {len(report.tranches_present)} already present.")
        write(
            f"  Auctions: {len(report.auctions_created)} created, {len(report.auctions_present)} already present, "
            f"{len(report.auctions_revised)} revised from a changed record."
        )
        for label in report.auctions_revised:
            write(f"    revised: {label}")
        if report.unmatched:
            count = len(report.unmatched)
            write(self.style.WARNING(f"  Not imported ({count}): register these blocks, then run again."))
            for line in report.unmatched:
                write(f"    {line}")
        write("  What the sources do not give (dates, bid counts, initial offers) is empty and shown as not published.")
