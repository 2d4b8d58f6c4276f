"""`manage.py build_dumps`: the full open-data dumps at /data/ now, as the hourly task `licences.build_dumps` does.
`make run` calls it after seeding, so that a fresh system's /data/ page lists its files from the first minute, not
after the first hour; an operator may call it after an import."""

from django.core.management.base import BaseCommand

from licences import dumps


class Command(BaseCommand):
    help = "Build the full open-data dumps (CSV and OCDS packages) and their manifest now. Safe to run twice."

    def handle(self, *args, **options):
        manifest = dumps.build_dumps()
        rows = sum(entry["rows"] for entry in manifest["files"])
        self.stdout.write(f"Dumps built at {manifest['built_at']}: {len(manifest['files'])} files, {rows:,} rows.")
