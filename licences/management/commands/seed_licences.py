"""`manage.py seed_licences`: the demo licences after `seed_demo` (see licences/demo.py). Idempotent;
development only, like seed_demo."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from licences.demo import seed_licences


class Command(BaseCommand):
    help = (
        "Seed demo licences (a preferred bidder, a lease in force, an exploration licence due to relinquish) and "
        "an area proposal, so that every screen after the auction can be tried at once. Needs seed_demo first. "
        "Idempotent. Development only (DEBUG=true) unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (throwaway systems only).")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_licences writes demo licences for the published demo accounts, so it runs only in development "
                "(DEBUG=true). On a throwaway system with DEBUG off, pass --force."
            )
        try:
            report = seed_licences()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        write = self.stdout.write
        write(self.style.MIGRATE_HEADING("Khanij demo licences (demo data: no auction was held for them)"))
        numbers = report.created + report.present
        write(
            f"  Licences: {len(report.created)} created, {len(report.present)} already present ({', '.join(numbers)})."
        )
        for act in report.acts:
            write(f"  Now, through the services: {act}.")
        write("  Try the screens after the auction:")
        width = max(len(account) for account, _what, _url in report.screens)
        for account, what, url in report.screens:
            write(f"    {account:<{width}}  {url:<28}  {what}")
