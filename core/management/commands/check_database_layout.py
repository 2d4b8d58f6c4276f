"""Stop with one line when the database was made by an older layout of the code.

Nothing is deployed yet, so a change of layout regenerates the migrations (the registry moved from `auctions`
to its own app, `blocks`). A database migrated by the old layout records migrations that no longer exist;
`migrate` would fail on it with a long traceback. `make run` calls this first and the developer reads what to do.
"""

import sys

from django.core.management.base import BaseCommand
from django.db import connections
from django.db.migrations.loader import MigrationLoader

# Apps no longer installed whose recorded migrations a migration of ours removes as it runs: not an older layout.
RETIRED_APPS = {
    "authtoken",  # rest_framework.authtoken, whose clear tokens core.0004_api_tokens drops with its records
}


class Command(BaseCommand):
    help = "Exit 1 with one line if the database records migrations this code does not have (an older layout)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        loader = MigrationLoader(connections[database], ignore_no_migrations=True)
        stale = sorted(
            key for key in loader.applied_migrations if key not in loader.disk_migrations and key[0] not in RETIRED_APPS
        )
        if stale:
            app, name = stale[0]
            sys.stderr.write(
                f"The database was made by an older layout of Khanij (it records migration {app}.{name}, which this "
                "code does not have): run `make clean`, then `make run`.\n"
            )
            sys.exit(1)
