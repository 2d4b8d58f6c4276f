"""The OpenAPI schema generates with no warning and no error, and its pages answer."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_openapi_schema_generates_without_warnings_and_validates(tmp_path):
    # --fail-on-warn turns every warning (an undocumented field, an enum collision, ...) into a failure;
    # --validate checks the result against the OpenAPI 3 specification.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/public/blocks" in (tmp_path / "schema.yaml").read_text()


def test_schema_endpoint_answers(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content


def test_swagger_ui_answers(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
