"""Grant the application's PostgreSQL role what it needs and no more (docs/architecture.md, Integrity).

    manage.py grant_app_role khanij_app        # as the owner of the tables (DATABASE_OWNER_URL, else DATABASE_URL)

Every table of the schema: SELECT, INSERT, UPDATE, DELETE; but the ledger's entries and checkpoints only SELECT and
INSERT, and its stream heads SELECT, INSERT and UPDATE (an append moves its stream's head). TRUNCATE, REFERENCES and
TRIGGER never. Sequences: USAGE and SELECT. Default privileges give tables and sequences the owner creates later the
same, so run this again after every `migrate` (the compose file does) to take UPDATE and DELETE back from new ledger
tables. Idempotent: everything the role had on the schema's tables is revoked first, in the same transaction.
"""

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from core.management.commands.migrate import owner_alias
from ledger.models import Checkpoint, Entry, StreamHead

# What the application may do to each ledger table: never rewrite, delete or empty it.
LEDGER_PRIVILEGES = {Entry: "SELECT, INSERT", Checkpoint: "SELECT, INSERT", StreamHead: "SELECT, INSERT, UPDATE"}
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class Command(BaseCommand):
    help = "Grant the application's PostgreSQL role its privileges: no UPDATE, DELETE or TRUNCATE of the ledger."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the application's role, e.g. khanij_app (it must exist)")
        parser.add_argument("--database", help="database alias to run as (default: owner when set, else default)")

    def handle(self, *args, role, database, **options):
        alias = database or owner_alias()
        connection = connections[alias]
        if connection.vendor != "postgresql":
            raise CommandError("Roles and privileges need PostgreSQL; SQLite (make run) has none to grant.")
        if not ROLE_NAME.fullmatch(role):
            raise CommandError(f"{role!r} is not a plain role name (lower-case letters, digits and _).")
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_database(), current_schema(), current_user, "
                "(SELECT rolsuper FROM pg_roles WHERE rolname = %s)",
                [role],
            )
            database_name, schema, owner, superuser = cursor.fetchone()
            if superuser is None:
                raise CommandError(f"There is no role {role}: create it first (CREATE ROLE {role} LOGIN PASSWORD ...).")
            if role == owner or superuser:
                raise CommandError(f"{role} owns the tables or is a superuser: the app needs a role of its own.")
            quote = connection.ops.quote_name
            grantee, schema = quote(role), quote(schema)
            for statement in self.statements(quote(database_name), schema, grantee, quote):
                cursor.execute(statement)
        self.stdout.write(f"{role} may use {database_name} as the application: the ledger is insert-only for it")

    @staticmethod
    def statements(database: str, schema: str, grantee: str, quote) -> list[str]:
        ledger = [
            f"GRANT {privileges} ON {quote(model._meta.db_table)} TO {grantee}"
            for model, privileges in LEDGER_PRIVILEGES.items()
        ]
        tables = ", ".join(quote(model._meta.db_table) for model in LEDGER_PRIVILEGES)
        return [
            f"GRANT CONNECT ON DATABASE {database} TO {grantee}",
            f"GRANT USAGE ON SCHEMA {schema} TO {grantee}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {grantee}",
            f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {schema} TO {grantee}",
            f"REVOKE ALL ON {tables} FROM {grantee}",
            *ledger,
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {grantee}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {TABLE_PRIVILEGES} ON TABLES TO {grantee}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {grantee}",
        ]
