"""Render and store the public block list's row of every block that has none, or one of an older rendering
(blocks.list_rows): after a deployment that changed the rendering (ROW_VERSION), or a bulk load that wrote blocks
without them. The list answers right without them, only slower (each missing row is rendered per request)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from blocks.list_rows import store_list_rows, store_missing_list_rows
from blocks.models import Block

BATCH = 2000


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="render every block's row, stored or not")

    def handle(self, *args, **options):
        if options["all"]:
            ids = list(Block.objects.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), BATCH):
                with transaction.atomic():
                    store_list_rows(ids[start : start + BATCH])
        else:
            ids = range(store_missing_list_rows(BATCH))
        self.stdout.write(f"Stored the list rows of {len(ids)} block{'' if len(ids) == 1 else 's'}.")
