"""`manage.py seed_clearances`: the demo clearance cases and officers after `seed_licences` (clearances/demo.py).
Idempotent; development only, like seed_demo."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clearances.demo import seed_clearances, stage_summary
from clearances.models import Case
from core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Seed a demo lease's clearance cases (fast track, an open query, overdue and escalated, deemed) and demo "
        "officers. Needs seed_demo first. Idempotent. Development only (DEBUG=true) unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (throwaway systems only).")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_clearances writes demo cases and officers with published passwords, so it runs only in "
                "development (DEBUG=true). On a throwaway system with DEBUG off, pass --force."
            )
        try:
            report = seed_clearances()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        write = self.stdout.write
        write(self.style.MIGRATE_HEADING(f"Khanij demo clearances of {report.licence} (demo data)"))
        for case in Case.objects.filter(licence__number=report.licence).select_related("authority"):
            track = " fast track," if case.fast_track else ""
            write(f"  {case.get_kind_display()} ({case.authority.short_name or case.authority.name},{track} "
                  f"{stage_summary(case)})")  # fmt: skip
        for officer, created in report.officers:
            state = "created" if created else "present"
            write(f"  Officer {officer.username} / {officer.password} ({officer.designation}; {state})")
        width = max(len(account) for account, _what, _url in report.screens)
        for account, what, url in report.screens:
            write(f"    {account:<{width}}  {url:<28}  {what}")
