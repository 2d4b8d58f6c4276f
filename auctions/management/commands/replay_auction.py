"""`manage.py replay_auction <auction id>`: recompute an auction from its ledger alone and say whether every
published step agrees (auctions.replay). Exits non-zero on any disagreement."""

from django.core.management.base import BaseCommand, CommandError

from auctions.replay import OUTCOMES, replay
from ledger.models import Entry


class Command(BaseCommand):
    help = (
        "Replay an auction from its ledger entries alone, with the same rules functions the live system used, "
        "and report point by point whether each published step agrees. Exits with status 1 on any disagreement."
    )

    def add_arguments(self, parser):
        parser.add_argument("auction_id", type=int, help="the auction's number, as in /auctions/<id>/")
        parser.add_argument("--quiet", action="store_true", help="print only the points that disagree")

    def handle(self, *args, auction_id, quiet=False, **options):
        stream = f"auction:{auction_id}"
        entries = [e.as_dict() for e in Entry.objects.filter(stream=stream).order_by("seq")]
        if not entries:
            raise CommandError(f"The ledger has no stream {stream}: there is no auction {auction_id}.")
        result = replay(auction_id, entries)
        write = self.stdout.write
        write(
            f"Replay of auction {auction_id} from {len(entries)} ledger entries ({stream}): {OUTCOMES[result.outcome]}"
        )
        for check in result.checks:
            if check.agrees and quiet:
                continue
            mark = self.style.SUCCESS("agrees ") if check.agrees else self.style.ERROR("DIFFERS")
            write(f"  {mark} {check.name}")
            write(f"          published:  {check.published}")
            write(f"          recomputed: {check.recomputed}")
        bad = result.disagreements
        if bad:
            raise CommandError(
                f"{len(bad)} of {len(result.checks)} points disagree with what was published: "
                + ", ".join(c.name for c in bad)
            )
        write(self.style.SUCCESS(f"All {len(result.checks)} points agree with what was published."))
