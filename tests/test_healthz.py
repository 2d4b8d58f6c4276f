"""/healthz: 200 when the database and the broker answer, else 503 naming what is down.

The unreachable services are real: a port nothing listens on, not a mock.
"""

import json
import sys

import pytest

from tests.processes import free_port, get, khanij_env, serving


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_and_the_broker_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_healthz_is_503_naming_the_broker_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("down")


def test_healthz_is_503_naming_the_database_when_the_database_is_unreachable(tmp_path):
    """A real server (gunicorn) whose PostgreSQL is a closed port: the page says the database is down."""
    port = free_port()
    env = khanij_env(tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/khanij")
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]

    with serving(command, env, tmp_path / "gunicorn.log", port) as base:
        status, _url, body = get(base + "/healthz")

    assert status == 503
    body = json.loads(body)
    assert body["status"] == "down"
    assert body["checks"]["database"].startswith("down")
    assert body["checks"]["broker"] == "ok"
