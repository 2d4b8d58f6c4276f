from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete


class BlocksConfig(AppConfig):
    name = "blocks"
    verbose_name = "Blocks and minerals"

    def ready(self):
        from blocks import list_rows
        from blocks.models import Block, Mineral
        from blocks.public_cache import mineral_changed

        post_save.connect(mineral_changed, sender=Mineral, dispatch_uid="blocks.public_cache.mineral_saved")
        post_delete.connect(mineral_changed, sender=Mineral, dispatch_uid="blocks.public_cache.mineral_deleted")
        # The public list's stored rows (blocks.list_rows) show each block's minerals by name and schedule.
        post_save.connect(list_rows.mineral_saved, sender=Mineral, dispatch_uid="blocks.list_rows.mineral_saved")
        pre_delete.connect(list_rows.mineral_deleting, sender=Mineral, dispatch_uid="blocks.list_rows.mineral_deleting")
        post_delete.connect(list_rows.mineral_deleted, sender=Mineral, dispatch_uid="blocks.list_rows.mineral_deleted")
        m2m_changed.connect(
            list_rows.minerals_linked, sender=Block.minerals.through, dispatch_uid="blocks.list_rows.minerals_linked"
        )
