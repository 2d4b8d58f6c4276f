"""An act whose message cannot reach the broker still commits, answers as usual, and its message goes out once
the broker is back (core.outbox; issue 12).

The act runs in a separate process whose Celery broker is a Redis of this test's own (never the suite's), as a
web server's would be; the test stops that Redis, makes the act, starts Redis again on the same port and lets the
relay send what waited. Marked `serial`: `make test` runs it after the parallel suite.
"""

import json
import os
import subprocess
import sys

import pytest
import redis
from django.conf import settings
from django.db import connection

from core.models import OutboxMessage
from notifications.models import Notification
from tests.factories import UserFactory
from tests.faults.conftest import redis_server
from tests.processes import ROOT, free_port

pytestmark = [pytest.mark.serial, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ACT = """
import json, sys, django
django.setup()
from django.contrib.auth import get_user_model
from django.db import transaction
from celery import current_app
from notifications.services import notification_send
user = get_user_model().objects.get(pk=int(sys.argv[1]))
with transaction.atomic():
    notices = notification_send(users=[user], title="Your payment of Rs 12,00,000 was confirmed")
print(json.dumps({"notice": notices[0].pk, "queue": current_app.conf.task_default_queue}))
"""
RELAY = """
import django
django.setup()
from core.outbox import outbox_relay
print(outbox_relay())
"""


def run(code: str, broker: str, *args: str) -> subprocess.CompletedProcess:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")},
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": url,
        "REDIS_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_a_notice_made_while_the_broker_is_down_commits_and_is_sent_when_it_is_back(tmp_path, postgres):
    user = UserFactory(email="asha@example.in")
    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    connection.close()  # the subprocess writes; this test reads afresh afterwards

    # The broker is down: the act commits, and answers as it always does.
    down = run(ACT, broker, str(user.pk))
    assert down.returncode == 0, down.stderr[-3000:]
    notice = json.loads(down.stdout.strip().splitlines()[-1])
    assert Notification.objects.filter(pk=notice["notice"]).exists()
    message = OutboxMessage.objects.get()
    assert message.task == "notifications.deliver" and message.sent_at is None and message.attempts == 1
    assert message.last_error

    # The broker is back: the relay sends what waited, once.
    with redis_server(tmp_path, port=port) as (url, _process):
        OutboxMessage.objects.filter(pk=message.pk).update(available_at=message.created_at)  # its pause is over
        relayed = run(RELAY, url)
        assert relayed.returncode == 0, relayed.stderr[-3000:]
        assert relayed.stdout.strip().splitlines()[-1] == "1"
        queued = redis.Redis.from_url(url).lrange(notice["queue"], 0, -1)
        assert len(queued) == 1 and b"notifications.deliver" in queued[0]
        again = run(RELAY, url)
        assert again.stdout.strip().splitlines()[-1] == "0"
        assert redis.Redis.from_url(url).llen(notice["queue"]) == 1
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 2
