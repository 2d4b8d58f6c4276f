"""The public bodies Khanij knows at start (authorities/bodies.py): the Ministry of Mines and its facilitation desk,
IBM, MoEFCC, CPCB, NBWL, the Ministry of Jal Shakti and CGWA, and every State's and UT's mining department,
pollution control board and SEIAA, with their supervising offices."""

from django.db import migrations


def load(apps, schema_editor):
    from authorities import bodies

    bodies.load(apps.get_model("authorities", "Authority"))


def unload(apps, schema_editor):
    Authority = apps.get_model("authorities", "Authority")
    Authority.objects.update(supervising_office=None)
    Authority.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("authorities", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
