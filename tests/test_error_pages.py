"""Answers Django gives before any API view runs keep the API's one error shape under /api/; the portal keeps
its pages. (A path with a non-numeric id matches no endpoint; a fault in a view is a server error.)"""

import pytest
from django.test import Client, override_settings
from django.urls import include, path

from config import urls as project_urls

pytestmark = pytest.mark.django_db


def _fails(request):
    raise RuntimeError("a fault in a view")


urlpatterns = [
    path("api/v1/failing", _fails),
    path("failing/", _fails),
    path("", include(project_urls.urlpatterns)),
]
handler404 = project_urls.handler404
handler500 = project_urls.handler500


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/public/auctions/abc",
        "/api/v1/public/licences/12x",
        "/api/v1/public/tranches/-1",
        "/api/v1/no-such-endpoint",
        "/api/v1/licences/abc/payments",
    ],
)
def test_an_api_path_that_matches_nothing_answers_404_in_the_error_shape(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert url in error["message"] and "/api/docs/" in error["message"]


def test_a_portal_path_that_matches_nothing_is_still_a_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_under_the_api_answers_in_the_error_shape():
    response = Client(raise_request_exception=False).get("/api/v1/failing")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "server_error"
    assert "Idempotency-Key" in response.json()["error"]["message"]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_on_a_page_is_still_a_page():
    response = Client(raise_request_exception=False).get("/failing/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
