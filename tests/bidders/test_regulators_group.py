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
    assert client.get("/admin/blocks/block/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403


# The back office's lists, by app label. The registry's models moved from `auctions` to `blocks`, and so did
# their admin URLs: the old ones answer 404; licences' deadlines are notifications' due dates now.
ADMIN_LISTS = [
    "/admin/blocks/mineral/",
    "/admin/blocks/block/",
    "/admin/blocks/blockimport/",
    "/admin/auctions/tranche/",
    "/admin/auctions/auction/",
    "/admin/auctions/participation/",
    "/admin/auctions/offer/",
    "/admin/bidders/firm/",
    "/admin/licences/licence/",
    "/admin/licences/obligation/",
    "/admin/licences/payment/",
    "/admin/notifications/duedate/",
    "/admin/notifications/email/",
    "/admin/notifications/reminder/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ADMIN_LISTS)
def test_each_back_office_list_answers_under_its_app_label(admin_client, url):
    assert admin_client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/admin/auctions/block/", "/admin/auctions/mineral/", "/admin/auctions/blockimport/", "/admin/licences/deadline/"],
)
def test_the_registrys_old_admin_urls_are_gone(admin_client, url):
    assert admin_client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_regulators_group_holds_the_registrys_permissions_under_the_blocks_label():
    """Granted by blocks' migration 0003 (and after every migrate): view the registry, edit the minerals."""
    perms = set(Group.objects.get(name="regulators").permissions.values_list("content_type__app_label", "codename"))
    assert {("blocks", "view_block"), ("blocks", "view_blockimport"), ("blocks", "change_mineral")} <= perms
    assert ("blocks", "change_block") not in perms
