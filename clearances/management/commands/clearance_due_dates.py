"""`manage.py clearance_due_dates`: register the targets of the open stages of every open case as due dates of the
applicant and of the authority (clearances.services.due_dates), for cases filed before stages had due dates.
Idempotent: a date already registered is left as it is (its reminders neither skipped nor repeated)."""

from django.core.management.base import BaseCommand

from clearances.services import case_due_dates_sync


class Command(BaseCommand):
    help = "Register the open clearance stages' targets as due dates of the applicant and the authority (idempotent)."

    def handle(self, *args, **options):
        count = case_due_dates_sync()
        self.stdout.write(f"{count} open stage(s) of open clearance cases in the register of due dates.")
