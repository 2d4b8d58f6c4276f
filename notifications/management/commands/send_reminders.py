"""Send the reminders due today, or on another day: `manage.py send_reminders [--date 2027-05-03]`."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from notifications.services import email_deliver, reminders_sweep


class Command(BaseCommand):
    help = "Send the reminders due today (IST), or on --date (YYYY-MM-DD), and deliver their emails."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The IST day to send the reminders of (default: today).")
        parser.add_argument("--no-email", action="store_true", help="Write the reminders; leave the emails queued.")

    def handle(self, *args, date=None, no_email=False, **options):
        day = None
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date takes a day as YYYY-MM-DD, e.g. 2027-05-03; got {date!r}.") from None
        result = reminders_sweep(today=day)
        delivered = 0 if no_email else email_deliver()
        self.stdout.write(
            f"{result['reminders']} reminder(s) of {result['due_dates']} due date(s) sent; "
            f"{delivered} email(s) delivered."
        )
