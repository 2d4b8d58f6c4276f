"""Every operation of the OpenAPI document the app serves (/api/schema/) answers as documented, for the public, a
firm's administrator and a regulator: requests generated from the document by schemathesis, in-process against
the Django app, on the demo data and one auction in each phase (tests/factories/api_fuzz.py).

Each role runs every operation with the document's examples, schemathesis's coverage cases (each parameter's
boundaries and invalid values) and FUZZ_EXAMPLES random requests (5 here, so in CI; `make fuzz` runs 100), valid and
invalid, from a fixed seed (FUZZ_SEED), so a failure found once is found again. Each request runs in a savepoint
rolled back after it: every write acts on the seeded data and none is seen by the next request.

Checks on every answer: no server error; the status code, the content type, the headers and the body are the ones
the document gives for that operation (the room's events too, each state in them as GET .../room documents it); a
request the document says is invalid is refused with a 4xx. No check is left out for any operation. What the test
itself adapts, each with its reason below: multipart encoding, and no form body that is not an object.
"""

import os
import re
from datetime import timedelta

import hypothesis
import pytest
import requests
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport.requests import multipart_serializer as requests_multipart
from schemathesis.transport.requests import prepare_multipart_parts
from schemathesis.transport.wsgi import WSGI_TRANSPORT
from schemathesis.transport.wsgi import multipart_serializer as werkzeug_multipart

from auctions.room import stream as room_stream
from config.wsgi import application
from core.models import ApiToken
from tests.factories import api_fuzz

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
SEED = int(os.environ.get("FUZZ_SEED", "20261206"))
ROLES = {"anonymous": None, "firm": api_fuzz.FIRM, "regulator": api_fuzz.REGULATOR}
ROOM_STATE = "/api/v1/auctions/{auction_id}/room"
ROOM_EVENTS = "/api/v1/auctions/{auction_id}/room/events"


@schemathesis.check
def room_events_carry_room_states(ctx, response, case):
    """Each `message` event of the room's stream carries the room's state as GET .../room documents it: the OpenAPI
    3.0 document can describe an event (RoomEvent) but not the JSON its `data` holds."""
    if case.operation.path != ROOM_EVENTS or response.status_code != 200:
        return None
    states = schema[ROOM_STATE]["GET"]
    for block in response.content.decode().split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith(":")]
        fields = dict(line.partition(": ")[::2] for line in lines)
        if "data" in fields and fields.get("event", "message") == "message":
            state = schemathesis.Response(
                status_code=200,
                headers={"content-type": ["application/json"]},
                content=fields["data"].encode(),
                request=response.request,
                elapsed=0.0,
                verify=False,
            )
            states.validate_response(state)
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    room_events_carry_room_states,
]


@WSGI_TRANSPORT.serializer("multipart/form-data")
def multipart_as_clients_send_it(ctx, value):
    """Multipart bodies encoded as `requests` (and browsers) encode them, which is also how a failure's curl command
    shows them. In-process, schemathesis lets Werkzeug encode them, which differs twice: an empty field is written
    without the blank line after its headers (RFC 2046 allows it), which Django's parser reads as no field at all
    (`net_worth_as_of=` never reached the app, which was then blamed for accepting it); and a body that is not an
    object is sent bare, without a Content-Type, where `requests` wraps it in one part with its boundary."""
    if not isinstance(value, dict):
        sent = requests_multipart(ctx, value)
        if "headers" not in sent:
            return werkzeug_multipart(ctx, value)
        return {"data": sent["data"], "content_type": sent["headers"]["Content-Type"]}
    if not value:
        return werkzeug_multipart(ctx, value)
    files, data = prepare_multipart_parts(ctx, value)
    parts = list(files or [])
    for name, values in (data or {}).items():
        parts += [(name, (None, item)) for item in (values if isinstance(values, list) else [values])]
    prepared = requests.Request("POST", "http://localhost/", files=parts).prepare()
    if "Content-Type" not in prepared.headers:  # no part requests would send: nothing to encode differently
        return werkzeug_multipart(ctx, value)
    return {"data": prepared.body, "content_type": prepared.headers["Content-Type"]}


# The document as the app serves it, read when pytest collects this module (one test per operation and role).
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
schema.config.seed = SEED
# Each role sends its own credentials (none for the public), not credentials made up from the security schemes.
schema.config.generation.update(with_security_parameters=False)
SEEDED: list[api_fuzz.Seeded] = []  # what the module's fixture seeded, for the hook below (drawn at run time)


@schema.hook
def before_generate_path_parameters(context, strategy):
    """Path parameters name a seeded object as often as not: an index into what was seeded, read when drawn."""
    path = context.operation.path
    names = re.findall(r"\{(\w+)\}", path)
    if not names:
        return strategy

    def seeded_value(name):
        def pick(index):
            if not SEEDED:  # drawn while pytest collects (the examples phase): nothing is seeded yet
                return index
            values = SEEDED[-1].path_values(path, name)
            return values[index % len(values)]

        return st.integers(min_value=0, max_value=999).map(pick)

    return st.one_of(st.fixed_dictionaries({name: seeded_value(name) for name in names}), strategy)


@schema.hook
def filter_case(context, case):
    """A form (multipart or urlencoded) is a set of named fields, so a body that is not an object cannot be sent as
    one: schemathesis sends it as a part without a name, which Django's parser skips, so the app receives an empty
    form (and an empty PATCH of /firms/me rightly changes nothing) while the check believes an array was sent. Such
    requests are not generated; non-object bodies are still sent as JSON, and every other form."""
    form = case.media_type in ("multipart/form-data", "application/x-www-form-urlencoded")
    return not (form and case.body is not NOT_SET and not isinstance(case.body, dict))


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo data, written once for the module in a transaction rolled back at its end, and each role's token
    from the API's own /auth/token, as a program gets one."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            data = api_fuzz.seed()
            client = Client()
            for role, username in ROLES.items():
                if username is not None:
                    answer = client.post(
                        "/api/v1/auth/token",
                        {"username": username, "password": api_fuzz.PASSWORDS[username], "name": "api-fuzz"},
                        content_type="application/json",
                    )
                    assert answer.status_code == 201, answer.content
                    data.headers[role] = {"Authorization": f"Token {answer.json()['token']}"}
            data.values["tokens"] = list(ApiToken.objects.order_by("pk").values_list("pk", flat=True))
            missing = [
                f"{{{name}}} of {operation.path}"
                for operation in (result.ok() for result in schema.get_all_operations())
                for name in re.findall(r"\{(\w+)\}", operation.path)
                if not data.path_values(operation.path, name)
            ]
            assert not missing, f"seed objects that these path parameters name: {missing}"
            SEEDED.append(data)
            yield data
        finally:
            SEEDED.clear()
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(params=list(ROLES))
def credentials(request, seeded, db, settings):
    """The role's headers (none for the public). Requests go straight to Django's WSGI handler, which would close the
    test's connection (and its transaction) at each request's start and end: as Django's own test client does, that
    is switched off meanwhile. The room's event stream is served (the in-process handler is not a multithreaded
    server, where it would answer 503) and ends after its first pass, without the refresher thread, which would
    read the database outside the test's transaction (as in tests/auctions/test_room_stream.py)."""
    settings.ROOM_STREAMS = "on"
    settings.ROOM_STREAM_SECONDS = 0
    settings.ROOM_STREAM_REFRESHER = False
    room_stream.hub.reset()  # the process's memory of auction rows: none from another test's transaction
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield seeded.headers.get(request.param, {})
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    room_stream.hub.reset()


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_documented(case, credentials):
    with transaction.atomic():
        response = case.call(headers=credentials)
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS, headers=credentials)
