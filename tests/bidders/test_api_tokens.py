"""API tokens: a program is issued one with its user's credentials and its name (shown once, only a hash kept); it
works until it expires or is revoked; its user lists and revokes theirs (one, all, or the one signing the request)
through the API and on the account's page, never another user's; an administrator revokes any in the back office,
which shows nothing of the token; every role may manage its own tokens and nobody else's."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bidders import services
from bidders.models import Membership
from core.errors import ApplicationError
from core.models import ApiToken
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "correct-horse-battery"
ISSUE = "/api/v1/auth/token"
TOKENS = "/api/v1/auth/tokens"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/firms/me"
PAGE = reverse("account:api_tokens")


def issue(username="alice", name="bidding-robot", password=PASSWORD):
    return APIClient().post(ISSUE, {"username": username, "password": password, "name": name}, format="json")


def signed(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def error_of(response) -> dict:
    return response.json()["error"]


@pytest.fixture
def roles(firm_user, other_firm_user, plain_user, regulator):
    """A signed-in user of every kind: a firm's administrator, bidder and viewer, another firm's member, an account
    without a firm, a regulator."""
    firm = firm_user.memberships.get().firm
    bidder = MembershipFactory(firm=firm, user=UserFactory(username="bina"), role=Membership.Role.BIDDER).user
    viewer = MembershipFactory(firm=firm, user=UserFactory(username="vic"), role=Membership.Role.VIEWER).user
    return {
        "admin": firm_user,
        "bidder": bidder,
        "viewer": viewer,
        "other": other_firm_user,
        "plain": plain_user,
        "regulator": regulator,
    }


# --- Issue -----------------------------------------------------------------------------------------------------------


def test_a_token_is_issued_once_for_a_named_program_and_signs_its_requests(firm_user):
    before = timezone.now()
    response = issue()

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "username", "id", "name", "created", "expiry", "last_used", "replaced"}
    assert (body["username"], body["name"], body["last_used"], body["replaced"]) == (
        "alice",
        "bidding-robot",
        None,
        False,
    )
    stored = ApiToken.objects.get()
    assert stored.pk == body["id"] and stored.user == firm_user
    assert before + timedelta(days=30) <= stored.expiry <= timezone.now() + timedelta(days=30)
    assert signed(body["token"]).get(ME).json()["legal_name"] == "Alice Minerals Ltd"
    # The token is nowhere else: the list and the page show what is stored, which is not the token.
    listed = signed(body["token"]).get(TOKENS)
    assert body["token"] not in listed.content.decode() and listed.json()[0]["current"] is True


def test_programs_get_one_token_each_and_a_second_issue_under_a_name_replaces_it(firm_user):
    robot, books = issue(name="bidding-robot").json()["token"], issue(name="accounts").json()["token"]
    again = issue(name="bidding-robot")

    assert again.status_code == 201 and again.json()["replaced"] is True
    assert sorted(ApiToken.objects.values_list("name", flat=True)) == ["accounts", "bidding-robot"]
    assert error_of(signed(robot).get(ME))["code"] == "token_invalid"
    assert signed(again.json()["token"]).get(ME).status_code == 200
    assert signed(books).get(ME).status_code == 200


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("", "Name the program this token is for, e.g. bidding-robot"),
        ("   ", "Name the program this token is for"),
        ("x" * 101, "Keep the name to 100 characters; this one has 101."),
        ("robot\x07", "Use letters, digits, spaces and punctuation only"),
    ],
)
def test_a_token_without_a_usable_name_is_refused_with_what_to_type(firm_user, name, says):
    response = issue(name=name)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid" and says in error_of(response)["fields"]["name"][0]
    assert not ApiToken.objects.exists()


def test_a_missing_name_is_a_field_error(firm_user):
    response = APIClient().post(ISSUE, {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 400 and error_of(response)["fields"]["name"] == ["This field is required."]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"username": "alice", "password": "wrong", "name": "r"}, "The username or password is wrong"),
        ({"username": "nobody", "password": PASSWORD, "name": "r"}, "The username or password is wrong"),
        ({"username": "", "password": "", "name": "r"}, "Enter your username"),
    ],
)
def test_wrong_credentials_get_no_token(firm_user, body, says):
    response = APIClient().post(ISSUE, body, format="json")
    assert response.status_code == 400 and says in error_of(response)["message"]
    assert not ApiToken.objects.exists()


def test_an_account_holds_a_limited_number_of_unexpired_tokens(firm_user, settings):
    settings.API_TOKENS_PER_USER = 2
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert issue(name="one").status_code == 201 and issue(name="two").status_code == 201
        refused = issue(name="three")
        assert refused.status_code == 409 and error_of(refused)["code"] == "too_many_tokens"
        assert "You hold 2 API tokens" in error_of(refused)["message"]
        assert "DELETE /api/v1/auth/tokens/{id}" in error_of(refused)["message"]
        assert issue(name="two").status_code == 201  # a replacement is not one more
    with time_machine.travel(start + timedelta(days=31), tick=False):
        # Expired tokens do not count, and are removed at the next issue.
        assert issue(name="three").status_code == 201
        assert list(ApiToken.objects.values_list("name", flat=True)) == ["three"]


@pytest.mark.parametrize("role", ["admin", "bidder", "viewer", "other", "plain", "regulator"])
def test_every_role_is_issued_tokens_with_its_own_credentials(roles, role):
    response = issue(username=roles[role].username)
    assert response.status_code == 201 and response.json()["username"] == roles[role].username


def test_the_service_returns_the_token_once_and_stores_its_digest(firm_user):
    request = RequestFactory().post(ISSUE)
    issued = services.auth_token_issue(username="alice", password=PASSWORD, name="robot", request=request)
    assert issued.record.user == firm_user and issued.replaced is False
    assert not hasattr(ApiToken.objects.get(), "token") and issued.token not in issued.record.digest
    with pytest.raises(ApplicationError) as refused:
        services.auth_token_issue(username="alice", password="wrong", name="robot", request=request)
    assert refused.value.code == "invalid_credentials"


# --- List and revoke through the API ----------------------------------------------------------------------------------


def test_a_user_lists_only_their_own_tokens_without_any_secret(firm_user, other_firm_user):
    mine = [issue(name="robot").json(), issue(name="books").json()]
    issue(username="bob", name="bobs-robot")

    response = signed(mine[0]["token"]).get(TOKENS)

    assert response.status_code == 200
    assert [t["name"] for t in response.json()] == ["books", "robot"]  # newest first
    assert [t["current"] for t in response.json()] == [False, True]
    text = response.content.decode()
    for stored in ApiToken.objects.all():
        assert stored.digest not in text and stored.token_key not in text
    assert set(response.json()[0]) == {"id", "name", "created", "expiry", "last_used", "current"}


def test_revoking_one_token_refuses_it_at_once_and_leaves_the_others(firm_user):
    robot, books = issue(name="robot").json(), issue(name="books").json()

    response = signed(books["token"]).delete(f"{TOKENS}/{robot['id']}")

    assert response.status_code == 204
    refused = signed(robot["token"]).get(ME)
    assert refused.status_code == 401 and error_of(refused)["code"] == "token_invalid"
    assert "it was revoked" in error_of(refused)["message"]
    assert signed(books["token"]).get(ME).status_code == 200
    again = signed(books["token"]).delete(f"{TOKENS}/{robot['id']}")
    assert again.status_code == 404 and "it was revoked already, or it is not yours" in error_of(again)["message"]


def test_another_users_token_cannot_be_revoked_nor_seen(firm_user, other_firm_user):
    alice = issue(name="robot").json()
    bob = issue(username="bob", name="robot").json()

    response = signed(alice["token"]).delete(f"{TOKENS}/{bob['id']}")

    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert signed(bob["token"]).get(ME).status_code == 200
    assert [t["id"] for t in signed(alice["token"]).get(TOKENS).json()] == [alice["id"]]
    assert signed(alice["token"]).delete(TOKENS).json() == {"revoked": 1}
    assert signed(bob["token"]).get(ME).status_code == 200


def test_revoking_all_refuses_every_token_of_the_user(firm_user):
    tokens = [issue(name=name).json()["token"] for name in ("robot", "books", "monitor")]

    response = signed(tokens[0]).delete(TOKENS)

    assert response.status_code == 200 and response.json() == {"revoked": 3}
    for token in tokens:
        assert error_of(signed(token).get(ME))["code"] == "token_invalid"


def test_logout_revokes_the_token_of_the_request_only(firm_user):
    robot, books = issue(name="robot").json()["token"], issue(name="books").json()["token"]

    assert signed(robot).post(LOGOUT).status_code == 204

    assert error_of(signed(robot).get(ME))["code"] == "token_invalid"
    assert signed(books).get(ME).status_code == 200
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["books"]


def test_logout_needs_a_token_not_a_session(firm_user):
    issue(name="robot")
    client = APIClient()
    client.force_login(firm_user)
    response = client.post(LOGOUT)
    assert response.status_code == 401 and error_of(response)["code"] == "not_authenticated"
    assert ApiToken.objects.count() == 1


def test_an_expired_token_cannot_list_or_revoke(firm_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token = issue(name="robot").json()["token"]
    with time_machine.travel(start + timedelta(days=30, minutes=1), tick=False):
        for response in (signed(token).get(TOKENS), signed(token).delete(TOKENS), signed(token).post(LOGOUT)):
            assert response.status_code == 401 and error_of(response)["code"] == "token_expired"
            assert "Issue a new one with POST /api/v1/auth/token" in error_of(response)["message"]
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize("role", ["admin", "bidder", "viewer", "other", "plain", "regulator"])
def test_every_role_manages_its_own_tokens_and_no_one_elses(roles, role):
    user = roles[role]
    mine = issue(username=user.username, name="mine").json()
    spare = issue(username=user.username, name="spare").json()
    someone_else = "other" if role != "other" else "admin"
    theirs = issue(username=roles[someone_else].username, name="theirs").json()
    client = signed(mine["token"])

    assert [t["name"] for t in client.get(TOKENS).json()] == ["spare", "mine"]
    assert client.delete(f"{TOKENS}/{theirs['id']}").status_code == 404
    assert client.delete(f"{TOKENS}/{spare['id']}").status_code == 204
    assert client.post(LOGOUT).status_code == 204
    assert signed(theirs["token"]).get(TOKENS).status_code == 200
    session = APIClient()
    session.force_login(user)
    assert session.get(TOKENS).json() == []


@pytest.mark.parametrize(
    ("method", "path"), [("get", TOKENS), ("delete", TOKENS), ("delete", f"{TOKENS}/1"), ("post", LOGOUT)]
)
def test_anonymous_callers_are_refused(firm_user, method, path):
    issue(name="robot")
    response = getattr(APIClient(), method)(path)
    assert response.status_code == 401 and error_of(response)["code"] == "not_authenticated"
    assert ApiToken.objects.count() == 1


# --- The account's page ----------------------------------------------------------------------------------------------


def test_the_page_lists_the_users_tokens_and_shows_no_secret(client, firm_user, other_firm_user):
    token = issue(name="bidding-robot").json()["token"]
    issue(username="bob", name="bobs-robot")
    client.force_login(firm_user)

    page = client.get(PAGE).content.decode()

    assert "bidding-robot" in page and "bobs-robot" not in page
    assert token not in page and token[:15] not in page
    assert ApiToken.objects.get(name="bidding-robot").digest not in page
    assert "POST /api/v1/auth/token" in page and "A token works for 30 days" in page


def test_the_page_revokes_one_token_then_all(client, firm_user):
    robot, books = issue(name="robot").json(), issue(name="books").json()
    client.force_login(firm_user)

    response = client.post(reverse("account:api_token_revoke", args=[robot["id"]]), follow=True)
    assert "The token “robot” is revoked" in response.content.decode()
    assert error_of(signed(robot["token"]).get(ME))["code"] == "token_invalid"
    assert signed(books["token"]).get(ME).status_code == 200

    response = client.post(reverse("account:api_tokens_revoke_all"), follow=True)
    assert "All your API tokens are revoked (1)" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_page_cannot_revoke_another_users_token(client, firm_user, other_firm_user):
    bob = issue(username="bob", name="robot").json()
    client.force_login(firm_user)

    response = client.post(reverse("account:api_token_revoke", args=[bob["id"]]), follow=True)

    assert "You have no API token with id" in response.content.decode()
    assert signed(bob["token"]).get(ME).status_code == 200


def test_the_page_needs_a_signed_in_user_and_a_post_to_revoke(client, firm_user):
    robot = issue(name="robot").json()
    assert client.get(PAGE).status_code == 302
    assert client.post(reverse("account:api_tokens_revoke_all")).status_code == 302
    client.force_login(firm_user)
    assert client.get(reverse("account:api_token_revoke", args=[robot["id"]])).status_code == 405
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize("role", ["admin", "viewer", "plain", "regulator"])
def test_every_role_has_the_page(client, roles, role):
    issue(username=roles[role].username, name=f"{role}-robot")
    client.force_login(roles[role])
    response = client.get(PAGE)
    assert response.status_code == 200 and f"{role}-robot" in response.content.decode()


# --- The back office -------------------------------------------------------------------------------------------------


def test_an_administrator_sees_tokens_without_secrets_and_revokes_any(client, firm_user, other_firm_user):
    alice = issue(name="robot").json()
    bob = issue(username="bob", name="books").json()
    client.force_login(UserFactory(username="backoffice", is_staff=True, is_superuser=True))

    listing = client.get(reverse("admin:core_apitoken_changelist")).content.decode()
    detail = client.get(reverse("admin:core_apitoken_change", args=[alice["id"]])).content.decode()

    for page in (listing, detail):
        assert "robot" in page
        for stored in ApiToken.objects.all():
            assert stored.digest not in page and stored.token_key not in page
        assert alice["token"] not in page and bob["token"] not in page
    assert client.get(reverse("admin:core_apitoken_add")).status_code == 403

    response = client.post(
        reverse("admin:core_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [alice["id"], bob["id"]]},
        follow=True,
    )
    assert "2 API token(s) revoked" in response.content.decode()
    assert error_of(signed(alice["token"]).get(ME))["code"] == "token_invalid"
    assert error_of(signed(bob["token"]).get(ME))["code"] == "token_invalid"


def test_a_regulator_cannot_see_tokens_in_the_back_office(client, regulator, firm_user):
    issue(name="robot")
    User.objects.filter(pk=regulator.pk).update(is_staff=True)
    client.force_login(regulator)
    assert client.get(reverse("admin:core_apitoken_changelist")).status_code == 403


# --- The tokens stored in clear before ------------------------------------------------------------------------------


def test_the_migration_drops_the_tokens_stored_in_clear(firm_user):
    from importlib import import_module

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.db.migrations.recorder import MigrationRecorder

    migration = import_module("core.migrations.0004_api_tokens")
    with connection.schema_editor() as editor:
        editor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp with time zone, user_id int)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created datetime, user_id int)"
        )
        editor.execute(f"INSERT INTO authtoken_token VALUES ('{'a' * 40}', NULL, {firm_user.pk})")
    MigrationRecorder(connection).record_applied("authtoken", "0001_initial")
    ContentType.objects.create(app_label="authtoken", model="token")
    assert "authtoken_token" in connection.introspection.table_names()

    with connection.schema_editor() as editor:
        migration.remove_clear_tokens(apps, editor)

    assert "authtoken_token" not in connection.introspection.table_names()
    assert not MigrationRecorder(connection).migration_qs.filter(app="authtoken").exists()
    assert not ContentType.objects.filter(app_label="authtoken").exists()
