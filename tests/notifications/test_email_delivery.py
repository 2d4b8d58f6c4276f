"""Email delivery against a real SMTP server on loopback (aiosmtpd in a thread) that fails, then recovers: marked sent
only once the server accepted it, tried again after a growing pause, the same Message-ID on every try, given up after
EMAIL_MAX_ATTEMPTS and listed for an administrator, who can send it again."""

import email
import socket
from datetime import timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from notifications import tasks
from notifications.models import Email, Notification
from notifications.services import email_deliver, notification_send, notifications_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class FlakyServer:
    """An SMTP server's handler: refuses the first `failures` messages with 451 (try again later), then accepts.
    With `keep_refused`, a refused message was stored all the same (the server took it but its answer was lost)."""

    def __init__(self, failures: int = 0, *, keep_refused: bool = False, refuse_rcpt: str = ""):
        self.failures = failures
        self.keep_refused = keep_refused
        self.refuse_rcpt = refuse_rcpt
        self.tries = 0
        self.received: list[email.message.Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt and address == self.refuse_rcpt:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.tries += 1
        message = email.message_from_bytes(envelope.content)
        if self.failures > 0:
            self.failures -= 1
            if self.keep_refused:
                self.received.append(message)
            return "451 4.3.0 Mail server busy, try again later"
        self.received.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK: queued"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """Start a server with `smtp(FlakyServer(...))`; Django sends to it over SMTP."""
    started = []

    def start(handler: FlakyServer) -> FlakyServer:
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        return handler

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def asha(db):
    return UserFactory(username="asha", email="asha@example.in")


def tell(user, title="Your payment was confirmed") -> Notification:
    with transaction.atomic():
        return notification_send(users=[user], title=title, body="Rs 10,00,000.00 for ML/2027/0001.", url="/x/")[0]


def later(seconds: float):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def test_an_email_refused_for_now_is_tried_again_after_a_growing_pause_and_marked_sent_only_then(smtp, asha, settings):
    settings.EMAIL_RETRY_FIRST_SECONDS, settings.EMAIL_RETRY_MAX_SECONDS = 60, 3600
    server = smtp(FlakyServer(failures=2))
    notice = tell(asha)
    row = Email.objects.get(notification=notice)

    assert notifications_email(ids=[notice.pk]) == 0  # the server says 451
    row.refresh_from_db()
    notice.refresh_from_db()
    assert (row.status, row.attempts, notice.emailed_at) == ("pending", 1, None)  # not marked: it was not sent
    assert "451" in row.last_error
    assert timedelta(seconds=55) < row.available_at - timezone.now() <= timedelta(seconds=60)
    assert email_deliver() == 0 and server.tries == 1  # not before its pause is over

    with later(61):
        assert email_deliver() == 0  # refused again: now twice as long
        row.refresh_from_db()
        assert row.attempts == 2 and row.available_at - timezone.now() > timedelta(seconds=115)
    with later(61 + 121):
        assert tasks.email_retry() == 1  # the beat task's retry
    row.refresh_from_db()
    notice.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 3) and notice.emailed_at is not None
    [message] = server.received
    assert message["Message-ID"] == row.message_id and message["Subject"] == "Your payment was confirmed"
    assert message["To"] == "asha@example.in" and "/x/" in message.get_payload()
    assert email_deliver() == 0 and len(server.received) == 1  # sent once


def test_a_retry_after_a_send_the_server_kept_but_did_not_acknowledge_has_the_same_message_id(smtp, asha, settings):
    """The crash case: the server stored the message, its answer was lost; the retry is a duplicate clients drop."""
    settings.EMAIL_RETRY_FIRST_SECONDS = 1
    server = smtp(FlakyServer(failures=1, keep_refused=True))
    tell(asha)
    assert email_deliver() == 0
    with later(2):
        assert email_deliver() == 1
    first, second = server.received
    assert first["Message-ID"] == second["Message-ID"] == Email.objects.get().message_id
    assert first["Message-ID"].endswith("@khanij.local>")


def test_an_email_that_keeps_failing_is_given_up_and_an_administrator_sees_and_resends_it(smtp, asha, settings, client):
    settings.EMAIL_MAX_ATTEMPTS, settings.EMAIL_RETRY_FIRST_SECONDS = 3, 10
    server = smtp(FlakyServer(failures=3))
    tell(asha, title="Your LoI is issued")
    for seconds in (0, 11, 11 + 21):
        with later(seconds):
            email_deliver()
    row = Email.objects.get()
    assert (row.status, row.attempts) == ("dead", 3) and "451" in row.last_error
    with later(10_000):
        assert email_deliver() == 0 and server.tries == 3  # given up: no more tries

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/notifications/email/?status__exact=dead").content.decode()
    assert "Your LoI is issued" in page and "asha@example.in" in page and "Given up" in page
    response = client.post(
        "/admin/notifications/email/", {"action": "send_again", "_selected_action": [row.pk]}, follow=True
    )
    assert "1 email(s) will be sent again" in response.content.decode()
    assert email_deliver() == 1  # the server has recovered
    row.refresh_from_db()
    assert row.status == "sent" and len(server.received) == 1


def test_a_regulator_sees_the_dead_letters_but_cannot_resend_them(smtp, asha, settings, client, regulator):
    settings.EMAIL_MAX_ATTEMPTS = 1
    smtp(FlakyServer(failures=1))
    tell(asha, title="Payment to confirm")
    email_deliver()
    regulator.is_staff = True
    regulator.save()
    assert Group.objects.get(name="regulators").permissions.filter(codename="view_email").exists()
    client.force_login(regulator)
    page = client.get("/admin/notifications/email/?status__exact=dead").content.decode()
    assert "Payment to confirm" in page and "send_again" not in page


def test_a_mailbox_refused_for_good_is_given_up_at_once(smtp, settings):
    settings.EMAIL_MAX_ATTEMPTS = 10
    server = smtp(FlakyServer(refuse_rcpt="nobody@example.in"))
    tell(UserFactory(username="nobody", email="nobody@example.in"))
    assert email_deliver() == 0
    row = Email.objects.get()
    assert (row.status, row.attempts) == ("dead", 1) and "550" in row.last_error and server.tries == 0


def test_a_server_that_is_down_leaves_the_email_waiting_and_the_act_stands(asha, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    notice = tell(asha)
    assert email_deliver() == 0
    row = Email.objects.get()
    assert (row.status, row.attempts) == ("pending", 1) and "Connection" in row.last_error
    assert Notification.objects.get(pk=notice.pk).emailed_at is None


def test_the_envelope_sender_is_the_bounce_address_and_the_from_header_the_portals(smtp, asha, settings):
    settings.DEFAULT_FROM_EMAIL = "Khanij <noreply@khanij.example.gov.in>"
    settings.EMAIL_BOUNCE_ADDRESS = "bounces@khanij.example.gov.in"
    server = smtp(FlakyServer())
    tell(asha)
    assert email_deliver() == 1
    assert server.envelopes == [("bounces@khanij.example.gov.in", ["asha@example.in"])]
    assert server.received[0]["From"] == "Khanij <noreply@khanij.example.gov.in>"
    assert server.received[0]["Message-ID"].endswith("@khanij.example.gov.in>")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_notice_goes_out_through_the_outbox_after_its_commit(smtp, asha, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the relayed task runs here
    server = smtp(FlakyServer())
    with transaction.atomic():
        notification_send(users=[asha], title="You qualified")
        assert server.tries == 0  # nothing leaves before the commit
    assert [m["Subject"] for m in server.received] == ["You qualified"]
    assert Email.objects.get().status == "sent"
