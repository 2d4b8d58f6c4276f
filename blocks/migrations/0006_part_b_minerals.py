"""First Schedule Part B (atomic minerals) as data: the flag on the catalogue, and the atomic minerals the catalogue
lacked. Since the 2023 amendment moved lithium, beryl, niobium, tantalum, titanium and zirconium to Part D, Part B
keeps minerals such as monazite (thorium-bearing) and uranium-bearing minerals. Their projects are fast-tracked like
Part D's (MoEFCC office memorandum of 8 September 2025; RULES.md s.5)."""

from django.db import migrations

PART_B = ["Monazite", "Uranium-bearing minerals"]


def load(apps, schema_editor):
    Mineral = apps.get_model("blocks", "Mineral")
    for name in PART_B:
        slug = name.lower().replace(" ", "-")
        Mineral.objects.update_or_create(
            slug=slug, defaults={"name": name, "part_b": True, "part_d": False, "seventh_schedule": False}
        )


def unload(apps, schema_editor):
    apps.get_model("blocks", "Mineral").objects.filter(name__in=PART_B).delete()


class Migration(migrations.Migration):
    dependencies = [("blocks", "0005_protected_areas_and_part_b")]
    operations = [migrations.RunPython(load, unload)]
