"""`manage.py migrate` as the owner of the tables when DATABASE_OWNER_URL is set (the `owner` database alias).

The application then connects (DATABASE_URL) as a role that may not alter the tables or rewrite the ledger
(`manage.py grant_app_role`); only migrations need the owner. An explicit `--database` is obeyed.
"""

from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections

OWNER = "owner"


def owner_alias() -> str:
    """The alias that owns the default database's tables: `owner` when it names the same database, else default."""
    databases = connections.settings
    if OWNER in databases and databases[OWNER]["NAME"] == databases[DEFAULT_DB_ALIAS]["NAME"]:
        return OWNER
    return DEFAULT_DB_ALIAS


class Command(MigrateCommand):
    help = MigrateCommand.help + " Runs as the owner (DATABASE_OWNER_URL) when that is set."

    def handle(self, *args, **options):
        if options["database"] == DEFAULT_DB_ALIAS:
            options["database"] = owner_alias()
        return super().handle(*args, **options)
