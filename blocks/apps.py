from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class BlocksConfig(AppConfig):
    name = "blocks"
    verbose_name = "Blocks and minerals"

    def ready(self):
        from blocks.models import Mineral
        from blocks.public_cache import mineral_changed

        post_save.connect(mineral_changed, sender=Mineral, dispatch_uid="blocks.public_cache.mineral_saved")
        post_delete.connect(mineral_changed, sender=Mineral, dispatch_uid="blocks.public_cache.mineral_deleted")
