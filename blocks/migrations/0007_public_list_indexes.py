from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("blocks", "0006_part_b_minerals"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="block",
            index=models.Index(fields=["state", "code"], name="block_state_code_idx"),
        ),
        # The public list filtered by mineral (blocks.filters.mineral_filter: EXISTS on the many-to-many table by
        # mineral): the block ids of a mineral read from the index alone.
        migrations.RunSQL(
            "CREATE INDEX block_minerals_mineral_block_idx ON blocks_block_minerals (mineral_id, block_id)",
            "DROP INDEX block_minerals_mineral_block_idx",
        ),
    ]
