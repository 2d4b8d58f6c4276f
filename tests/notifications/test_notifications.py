import pytest
from django.core import mail
from django.db import transaction

from notifications.models import Notification
from notifications.services import notification_send, notifications_email

pytestmark = pytest.mark.django_db


def test_a_notice_is_in_the_inbox_at_once_and_emailed_once(client, firm_user):
    firm_user.email = "alice@example.in"
    firm_user.save()
    with transaction.atomic():
        notices = notification_send(users=[firm_user], title="You qualified", body="The e-auction starts.", url="/x/")
    assert notifications_email(ids=[n.pk for n in notices]) == 1
    assert notifications_email(ids=[n.pk for n in notices]) == 0  # never twice
    assert mail.outbox[0].subject == "You qualified" and mail.outbox[0].to == ["alice@example.in"]
    client.force_login(firm_user)
    page = client.get("/inbox/")
    assert "You qualified" in page.content.decode()
    assert 'class="badge">1<' in page.content.decode()


def test_marking_read_clears_the_badge(client, firm_user):
    with transaction.atomic():
        notification_send(users=[firm_user], title="Closed")
    client.force_login(firm_user)
    client.post("/inbox/read/")
    assert Notification.objects.get().read_at is not None
    assert 'class="badge">' not in client.get("/inbox/").content.decode()


def test_another_user_never_sees_my_notices(client, firm_user, other_firm_user):
    with transaction.atomic():
        notification_send(users=[firm_user], title="Private to Alice")
    client.force_login(other_firm_user)
    assert "Private to Alice" not in client.get("/inbox/").content.decode()


def test_the_inbox_needs_an_account(client):
    assert client.get("/inbox/").status_code == 302
