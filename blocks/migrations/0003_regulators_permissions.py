"""The regulators' group may view the registry in the back office and edit the mineral catalogue.

The registry moved from the `auctions` app to `blocks`, so its admin permissions now carry the `blocks` label.
Permissions are normally created after the last migration (post_migrate); they are created here first so
that the grant does not wait for the next migrate. `bidders.apps.ensure_regulators_group` keeps granting the
same after every migrate, for the other apps and for databases flushed by tests.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REGULATORS_GROUP = "regulators"  # bidders.roles.REGULATORS_GROUP, frozen here as migrations must be


def grant(apps, schema_editor):
    app_config = apps.get_app_config("blocks")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(schema_editor.connection.alias).get_or_create(name=REGULATORS_GROUP)
    view = Permission.objects.filter(content_type__app_label="blocks", codename__startswith="view_")
    edit = Permission.objects.filter(content_type__app_label="blocks", content_type__model="mineral")
    group.permissions.add(*view, *edit)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=REGULATORS_GROUP).first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="blocks"))


class Migration(migrations.Migration):
    dependencies = [
        ("blocks", "0002_mineral_catalogue"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
