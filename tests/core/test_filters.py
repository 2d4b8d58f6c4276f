"""Every public list refuses an unknown filter value with a 400 naming it, whatever the value holds.

A `%` in a value used to reach a %-formatted message and turn the answer into a server error (500) on the
public API and the pages that share its filters.
"""

import html

import pytest

pytestmark = pytest.mark.django_db

# Each public list with filters, and one of its choice filters.
LISTS = [
    ("/api/v1/public/blocks", "state"),
    ("/api/v1/public/blocks.csv", "mineral"),
    ("/api/v1/public/minerals", "part_d"),
    ("/api/v1/public/auctions", "phase"),
    ("/api/v1/public/licences", "state"),
    ("/api/v1/public/licences.csv", "kind"),
    ("/blocks/", "stage"),
    ("/licences/", "state"),
]
VALUES = ["%", "100%", "%s", "%(name)s", "a%d", "%%"]


@pytest.mark.parametrize(("url", "name"), LISTS)
@pytest.mark.parametrize("value", VALUES)
def test_a_percent_sign_in_a_filter_is_refused_with_a_message_naming_it(client, url, name, value):
    response = client.get(url, {name: value})
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert f"{value} is not a known" in text  # the refused value itself, as typed
    assert "Allowed values" in text
