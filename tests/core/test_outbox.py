"""core.outbox: what goes out after a commit is written with the act and relayed at least once."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import outbox_enqueue, outbox_relay
from notifications.models import Notification
from notifications.services import notification_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def eager(settings):
    """Celery runs the relayed task in this process, so that its effect can be seen."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


def test_an_act_rolled_back_sends_nothing(eager):
    user = UserFactory(email="asha@example.in")
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_send(users=[user], title="Your payment was confirmed")
        raise RuntimeError("the act failed after its notice was written")
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_an_act_committed_is_relayed_once_after_its_commit(eager):
    user = UserFactory(email="asha@example.in")
    with transaction.atomic():
        notification_send(users=[user], title="Your payment was confirmed")
        assert mail.outbox == []  # nothing leaves before the commit
        assert OutboxMessage.objects.get().sent_at is None
    message = OutboxMessage.objects.get()
    assert message.task == "notifications.deliver" and message.sent_at is not None and message.attempts == 1
    assert [m.subject for m in mail.outbox] == ["Your payment was confirmed"]
    assert outbox_relay() == 0  # a later relay finds nothing more to send
    assert len(mail.outbox) == 1


def test_a_message_the_broker_does_not_take_waits_with_a_growing_pause(eager):
    """A task the worker does not know fails to send as a broker that is down would: nothing raises, the act stands."""
    with transaction.atomic():
        lost = outbox_enqueue("no.such.task", args=[1])
        later = outbox_enqueue("core.outbox_purge")
    lost.refresh_from_db()
    assert lost.sent_at is None and lost.attempts == 1 and "no.such.task" in lost.last_error
    first_pause = lost.available_at - timezone.now()
    assert timedelta(seconds=1) < first_pause <= timedelta(seconds=2)
    assert OutboxMessage.objects.get(pk=later.pk).sent_at is not None  # relayed on its own commit
    assert outbox_relay() == 0  # not due yet
    with time_machine.travel(lost.available_at + timedelta(seconds=1), tick=False):
        outbox_relay()
    lost.refresh_from_db()
    assert lost.attempts == 2 and lost.available_at - timezone.now() > timedelta(seconds=3)
