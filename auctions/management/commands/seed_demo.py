"""`manage.py seed_demo`: the demo registry, fictional firms and one account per role (see auctions.demo)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from auctions.demo import PASSWORD_WARNING, seed_demo
from core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Seed the demo data: the real blocks of the critical-mineral tranches (illustrative values marked), "
        "fictional firms and one account per role. Idempotent: a second run adds nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. The demo accounts' passwords are published: never on a real system.",
        )
        parser.add_argument(
            "--url",
            default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/",
            help="The address to print for the portal (default: http://127.0.0.1:$PORT/).",
        )

    def handle(self, *args, force=False, url="", **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts whose passwords are published, so it runs only in development "
                "(DEBUG=true). On a throwaway system with DEBUG off, pass --force."
            )
        try:
            report = seed_demo()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        write = self.stdout.write
        blocks_total = len(report.blocks_created) + len(report.blocks_present)
        write(self.style.MIGRATE_HEADING("Khanij demo data"))
        write(
            f"  Blocks: {len(report.blocks_created)} created, {len(report.blocks_present)} already present "
            f"({blocks_total} blocks from {report.offerings} offerings in {report.source})."
        )
        write("          Names, States, minerals, outcomes and sources are published facts; boundaries, areas,")
        write("          resources and the other fields each block lists as illustrative are invented.")
        write(f"  Firms:  {report.firms_created} created, {report.firms_present} already present (all fictional).")
        write("  Accounts (sign in at /accounts/login/):")
        width = max(len(account.role) for account, _ in report.accounts)
        pw_width = max(len(account.password) for account, _ in report.accounts)
        for account, created in report.accounts:
            note = "" if created else "  (already there: password as first seeded)"
            write(f"    {account.role:<{width}}  {account.username:<10}  {account.password:<{pw_width}}{note}".rstrip())
        write(self.style.WARNING(f"  {PASSWORD_WARNING}"))
        write(f"  Portal: {url}   Back office: {url}admin/   API docs: {url}api/docs/")
