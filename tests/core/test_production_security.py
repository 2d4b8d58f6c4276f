"""Production settings (DEBUG off) pass `manage.py check --deploy` and put HTTPS, HSTS and the Content Security
Policy on real answers, with /healthz still answering plain HTTP for the load balancer.

The production values are read from config/settings.py in a subprocess with the production environment, then applied
to this process's test settings (which keep plain HTTP for the rest of the suite)."""

import base64
import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings

SECURITY_SETTINGS = (
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "CONTENT_SECURITY_POLICY",
)


def production_env(tmp_path, **extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "HOME", "LANG", "DATABASE_URL", "REDIS_URL") or key.startswith("PYTHON")
    }
    env.update(
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        SEALED_OFFER_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        LEDGER_SIGNING_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),  # an Ed25519 private key's 32 bytes
        ALLOWED_HOSTS="khanij.example.gov.in",
        KHANIJ_VAR_DIR=str(tmp_path / "var"),
        **extra,
    )
    return env


def production_settings(tmp_path, **extra) -> dict:
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {SECURITY_SETTINGS!r}}}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def production(tmp_path):
    values = production_settings(tmp_path)
    if values["SECURE_PROXY_SSL_HEADER"] is not None:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    with override_settings(**values):
        yield values


def test_check_deploy_reports_nothing_with_the_production_settings(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_production_redirects_plain_http_to_https_except_the_health_check(client, production, db):
    assert production["SECURE_SSL_REDIRECT"] is True
    home = client.get("/", HTTP_HOST="khanij.example.gov.in")
    assert home.status_code == 301 and home["Location"] == "https://khanij.example.gov.in/"
    assert client.get("/api/v1/public/blocks", HTTP_HOST="khanij.example.gov.in").status_code == 301

    health = client.get("/healthz", HTTP_HOST="khanij.example.gov.in")
    assert health.status_code == 200 and health.json()["status"] == "ok"


def test_production_answers_over_https_carry_hsts_and_a_csp_without_inline_scripts_or_styles(client, production, db):
    response = client.get("/", secure=True, HTTP_HOST="khanij.example.gov.in")

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "<script>" not in response.content.decode(), "an inline script would be blocked by the policy"


def test_json_api_answers_go_without_a_policy_but_keep_hsts_and_nosniff(client, production, db):
    """The policy guards documents that run scripts; a JSON answer runs nothing, and the header costs every offer."""
    response = client.get("/api/v1/public/minerals", secure=True, HTTP_HOST="khanij.example.gov.in")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "Content-Security-Policy" not in response
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    docs = client.get("/api/docs/", secure=True, HTTP_HOST="khanij.example.gov.in")
    assert "Content-Security-Policy" in docs


def test_swagger_ui_loads_its_assets_and_start_up_script_from_this_site(client, production):
    page = client.get("/api/docs/", secure=True, HTTP_HOST="khanij.example.gov.in")

    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn.jsdelivr.net" not in html and "<script>" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = client.get("/api/docs/?script=", secure=True, HTTP_HOST="khanij.example.gov.in")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


def test_the_proxy_ssl_header_is_trusted_only_when_a_proxy_is_configured(tmp_path):
    assert production_settings(tmp_path)["SECURE_PROXY_SSL_HEADER"] is None
    behind = production_settings(tmp_path, TRUSTED_PROXIES="10.0.0.5,172.18.0.0/16")
    assert behind["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_a_trusted_proxy_that_is_not_an_address_is_refused_with_a_message(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=production_env(tmp_path, TRUSTED_PROXIES="10.0.0.5,proxy.internal"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "TRUSTED_PROXIES has 'proxy.internal', which is not an IP address or network" in done.stderr
