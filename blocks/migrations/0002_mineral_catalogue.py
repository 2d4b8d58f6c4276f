"""The mineral catalogue of RULES.md section 1 as data: First Schedule Part D and the Seventh Schedule,
plus common non-critical minerals so that routing to the States is meaningful."""

from django.db import migrations
from django.utils.text import slugify

PART_D = [
    "Beryl", "Cadmium", "Cobalt", "Gallium", "Glauconite", "Graphite", "Indium", "Lithium", "Molybdenum",
    "Nickel", "Niobium", "Phosphate (without uranium)", "Platinum-group elements", "Potash",
    "Rare-earth elements", "Rhenium", "Selenium", "Tantalum", "Tellurium", "Tin", "Titanium", "Tungsten",
    "Vanadium", "Zirconium",
]  # fmt: skip
SEVENTH_SCHEDULE = [
    "Copper", "Gold", "Silver", "Diamond", "Lithium", "Cobalt", "Molybdenum", "Lead", "Zinc", "Cadmium",
    "Rare-earth elements", "Graphite", "Vanadium", "Nickel", "Tin", "Tellurium", "Selenium", "Indium",
    "Rock phosphate", "Apatite", "Potash", "Rhenium", "Tungsten", "Platinum-group elements", "Beryl",
    "Titanium", "Niobium", "Tantalum", "Zirconium",
]  # fmt: skip
OTHER = ["Limestone", "Iron ore", "Bauxite", "Manganese ore", "Chromite", "Dolomite", "Halite", "Silica sand"]


def load(apps, schema_editor):
    Mineral = apps.get_model("blocks", "Mineral")
    for name in dict.fromkeys(PART_D + SEVENTH_SCHEDULE + OTHER):
        Mineral.objects.update_or_create(
            slug=slugify(name),
            defaults={"name": name, "part_d": name in PART_D, "seventh_schedule": name in SEVENTH_SCHEDULE},
        )


def unload(apps, schema_editor):
    apps.get_model("blocks", "Mineral").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("blocks", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
