from django.apps import AppConfig
from django.db.models.signals import post_migrate

# What the regulators group may open in the Django admin (the back office). Writes to the domain go through
# the pages and services; the admin shows domain rows read-only except the mineral catalogue.
REGULATOR_VIEW_APPS = (
    "blocks", "auctions", "bidders", "licences", "ledger", "notifications", "authorities", "clearances",
)  # fmt: skip
REGULATOR_EDIT_MODELS = (("blocks", "mineral"),)
# Further permissions of the regulators (app label, codename): appointing and removing officers of public bodies.
REGULATOR_PERMISSIONS = (("authorities", "manage_officers"),)


def ensure_regulators_group(sender, using="default", **kwargs):
    """The regulators group exists with its admin permissions after every migrate (idempotent)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    from bidders.roles import REGULATORS_GROUP

    group, _ = Group.objects.using(using).get_or_create(name=REGULATORS_GROUP)
    edit = Q()
    for app_label, model in REGULATOR_EDIT_MODELS:
        edit |= Q(content_type__app_label=app_label, content_type__model=model)
    for app_label, codename in REGULATOR_PERMISSIONS:
        edit |= Q(content_type__app_label=app_label, codename=codename)
    permissions = Permission.objects.using(using).filter(
        Q(content_type__app_label__in=REGULATOR_VIEW_APPS, codename__startswith="view_") | edit
    )
    group.permissions.add(*permissions)


class BiddersConfig(AppConfig):
    name = "bidders"
    verbose_name = "Firms and people"

    def ready(self):
        from bidders.audiences import firm_keys, firm_users
        from notifications.audiences import audience_register

        post_migrate.connect(ensure_regulators_group, dispatch_uid="bidders.ensure_regulators_group")
        # Reminders and calendars name a firm as `firm:<id>`; its members are read when something is sent.
        audience_register("firm", users=firm_users, keys_of=firm_keys)
