import pytest
from django.contrib.auth.models import Group

from bidders.apps import ensure_regulators_group


@pytest.mark.django_db
def test_the_regulators_group_can_view_the_domain_in_the_admin_and_edit_only_the_mineral_catalogue():
    ensure_regulators_group(sender=None)
    codenames = set(Group.objects.get(name="regulators").permissions.values_list("codename", flat=True))
    assert {"view_block", "view_firm", "view_auction", "view_entry", "change_mineral"} <= codenames
    assert "change_block" not in codenames and "delete_entry" not in codenames


@pytest.mark.django_db
def test_a_regulator_who_is_staff_opens_the_admin(client, regulator):
    regulator.is_staff = True
    regulator.save()
    ensure_regulators_group(sender=None)
    client.force_login(regulator)
    assert client.get("/admin/auctions/block/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403
