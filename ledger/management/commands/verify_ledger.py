from django.core.management.base import BaseCommand, CommandError

from ledger.models import StreamHead
from ledger.services import ledger_verify


class Command(BaseCommand):
    help = "Recompute the hash chain of one stream, or of every stream, and report any break."

    def add_arguments(self, parser):
        parser.add_argument("streams", nargs="*", help="stream names, e.g. auction:12 (default: all)")

    def handle(self, *args, streams, **options):
        names = streams or list(StreamHead.objects.order_by("stream").values_list("stream", flat=True))
        broken = 0
        for name in names:
            result = ledger_verify(stream=name)
            if result.ok:
                self.stdout.write(f"{name}: ok, {result.entries} entries, head {result.head_hash}")
            else:
                broken += 1
                self.stdout.write(self.style.ERROR(f"{name}: BROKEN at entry {result.first_bad_seq}: {result.reason}"))
        if broken:
            raise CommandError(f"{broken} of {len(names)} stream(s) failed verification")
        self.stdout.write(self.style.SUCCESS(f"{len(names)} stream(s) verified"))
