"""What the API fuzz test (tests/test_fuzz_api.py) found the API accepting, ignoring or failing on, one behaviour each:
a list's page and page size, a filter's unknown value, a number too large to round, an empty date in a form, and an
answer's empty web or email address, which the document says is a URI or an email."""

import pytest

from tests.factories import BlockFactory, FirmFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def error(response):
    return response.json()["error"]


@pytest.mark.parametrize("page_size", ["abc", "0", "-5", "1.5", " 5", "٥", ""])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_refused_rather_than_ignored(api, page_size):
    response = api.get("/api/v1/public/blocks", {"page_size": page_size})
    assert response.status_code == 400
    assert error(response)["fields"]["page_size"] == [
        f"page_size must be a whole number from 1, e.g. page_size=20; {page_size!r} is not."
    ]


def test_a_damaged_cursor_is_refused_in_the_error_shape(api):
    response = api.get("/api/v1/public/tranches", {"cursor": "E"})
    assert response.status_code == 400
    assert error(response)["code"] == "invalid"
    assert "start again without a cursor" in error(response)["message"]


def test_the_registry_refuses_page_0_and_says_how_many_pages_there_are_past_the_last(api_as, regulator):
    for n in range(3):
        BlockFactory(code=f"PG-{n}")
    client = api_as(regulator)
    refused = client.get("/api/v1/blocks", {"page": "0"})
    assert refused.status_code == 400
    assert "page must be a whole number from 1" in error(refused)["message"]
    past = client.get("/api/v1/blocks", {"page": "3", "page_size": "2"})
    assert past.status_code == 404
    assert error(past)["message"] == "There is no page 3: the list has 2 pages."
    assert [b["code"] for b in client.get("/api/v1/blocks", {"page": "2", "page_size": "2"}).json()["results"]] == [
        "PG-2"
    ]


def test_an_unknown_status_is_refused_naming_the_allowed_ones_and_empty_means_any(api_as, regulator):
    client = api_as(regulator)
    BlockFactory(code="ST-1")
    refused = client.get("/api/v1/blocks", {"status": "AAA"})
    assert refused.status_code == 400
    assert error(refused)["message"] == (
        "status: AAA is not a known status. Allowed values: identified, notified, under_auction, auctioned, "
        "licensed, annulled, withdrawn."
    )
    assert client.get("/api/v1/blocks", {"status": ""}).json()["count"] == 1
    assert client.get("/api/v1/area-proposals", {"status": "AAA"}).status_code == 400


def test_a_true_or_false_filter_refuses_anything_else(api_as, regulator):
    FirmFactory(incorporated_in_india=False)
    client = api_as(regulator)
    refused = client.get("/api/v1/firms", {"incorporated_in_india": "null"})
    assert refused.status_code == 400
    assert error(refused)["fields"]["incorporated_in_india"] == ["Give true or false; null is neither."]
    assert len(client.get("/api/v1/firms", {"incorporated_in_india": "false"}).json()["results"]) == 1


@pytest.mark.parametrize(
    "url",
    ["/api/v1/public/blocks/PG%00-1", "/api/v1/blocks/PG%00-1", "/api/v1/firms/U1%00", "/api/v1/public/ledger/a%00b"],
)
def test_a_nul_character_in_a_code_is_no_such_thing_not_a_server_error(api_as, regulator, url):
    response = api_as(regulator).get(url)
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_the_registry_search_refuses_a_nul_character(api_as, regulator):
    response = api_as(regulator).get("/api/v1/blocks", {"search": "Katghora\x00"})
    assert response.status_code == 400
    assert error(response)["fields"]["search"] == ["Remove the NUL character (%00) from the text."]


def test_a_whole_number_filter_refuses_a_fraction(api):
    response = api.get("/api/v1/public/auctions", {"attempt": "0.5"})
    assert response.status_code == 400
    assert error(response)["fields"]["attempt"] == ["Enter a whole number."]


@pytest.mark.parametrize(
    ("share", "message"),
    [
        ("-2.190815890442356e+56", "Ensure this value is greater than or equal to 0."),
        ("2.190815890442356e+56", "Ensure this value is less than or equal to 100."),
    ],
)
def test_a_share_too_large_to_round_is_refused_with_its_range_not_a_server_error(api_as, firm_user, share, message):
    response = api_as(firm_user).post(
        "/api/v1/firms/me/beneficial-owners",
        {"name": "Asha Verma", "pan": "AAAPV9101A", "share": share},
        format="json",
    )
    assert response.status_code == 400
    assert error(response)["fields"]["share"] == [message]


def test_an_empty_date_in_a_form_is_refused_rather_than_read_as_not_sent(api_as, firm_user):
    response = api_as(firm_user).patch(
        "/api/v1/firms/me", {"net_worth_as_of": "", "registered_address": "2 Mine Road"}, format="multipart"
    )
    assert response.status_code == 400
    assert error(response)["fields"]["net_worth_as_of"] == [
        "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
    ]
    firm_user.memberships.get().firm.refresh_from_db()
    assert firm_user.memberships.get().firm.registered_address == "1 Mine Road, Mumbai 400001"


def test_a_block_without_a_source_publishes_null_not_an_empty_address(api):
    BlockFactory(code="SRC-1", source_url="")
    BlockFactory(code="SRC-2", source_url="https://example.org/tranche-1")
    assert api.get("/api/v1/public/blocks/SRC-1").json()["source_url"] is None
    assert api.get("/api/v1/public/blocks/SRC-2").json()["source_url"] == "https://example.org/tranche-1"


def test_a_member_without_an_email_is_listed_with_null(api_as):
    admin = MembershipFactory(user=UserFactory(username="asha", email="")).user
    members = api_as(admin).get("/api/v1/firms/me/members").json()
    assert [(m["username"], m["email"]) for m in members] == [("asha", None)]
