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


def test_every_answer_that_sends_a_location_declares_it(client):
    """The 202 of an opening sends `Location` (its progress); the document declares the header on that answer, so a
    client generated from it reads where to poll. An operation that says it answers with `Location` declares it."""
    document = client.get("/api/schema/?format=json").json()
    declaring, mentioning = set(), set()
    for operations in document["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            if "`Location`" in operation.get("description", ""):
                mentioning.add(operation["operationId"])
            for code, answer in operation["responses"].items():
                header = answer.get("headers", {}).get("Location")
                if header:
                    assert header["required"] and header["schema"]["format"] == "uri-reference", (code, header)
                    declaring.add((operation["operationId"], code))
    assert declaring == {("auctions_open", "202"), ("tranches_open", "202")}
    assert mentioning == {operation for operation, _ in declaring}
