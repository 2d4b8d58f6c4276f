"""The Content Security Policy allows scripts and styles from this site's files only: no 'unsafe-inline' in any
directive, and no page carries what such a policy refuses (a <style> block, a `style` attribute, an inline script or
event handler). tests/test_csp_browser.py shows Chromium reports no violation on the main pages."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import FirmFactory
from tests.factories.licence_register import ml_with_history
from tests.factories.registry import registered_block

pytestmark = pytest.mark.django_db


class Inline(HTMLParser):
    """What a strict policy refuses in a page: <style> elements, `style` attributes, inline scripts, handlers."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "style":
            self.found.append("<style> block")
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        self.found += [f"<{tag} {name}=...>" for name in sorted(names) if name == "style" or name.startswith("on")]


def inline_in(html: str) -> list[str]:
    parser = Inline()
    parser.feed(html)
    return parser.found


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_the_policy_allows_scripts_and_styles_from_this_site_only():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    for name, sources in directives.items():
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, name


def test_no_template_carries_an_inline_style_or_script():
    found = {}
    for template in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        text = template.read_text()
        inline = inline_in(text)
        if inline:
            found[str(template.relative_to(settings.BASE_DIR))] = inline
    assert found == {}


@pytest.fixture
def portal(regulator, firm_user):
    block = registered_block(code="CG-LI-77")
    licence = ml_with_history(holder=firm_user.memberships.get().firm, number="ML/2027/0077")
    ml_with_history(holder=FirmFactory(legal_name="Other Ltd"), number="ML/2027/0078")
    return {"block": block, "licence": licence}


def pages(portal) -> dict[str, list[str]]:
    """The pages each kind of visitor opens, by who opens them."""
    licence = portal["licence"].pk
    public = [
        "/",
        "/blocks/",
        f"/blocks/{portal['block'].code}/",
        "/tranches/",
        "/calendar/",
        "/results/",
        "/licences/",
        f"/licences/{licence}/",
        "/accounts/login/",
        "/api/docs/",
    ]
    return {
        "anonymous": public,
        "firm": [
            "/firm/",
            "/firm/licences/",
            "/firm/deadlines/",
            f"/licences/{licence}/",
            f"/licences/{licence}/payments/",
            "/account/tokens/",
        ],
        "regulator": ["/regulator/blocks/", "/regulator/tranches/", "/regulator/licences/", f"/licences/{licence}/"],
    }


@pytest.mark.parametrize("who", ["anonymous", "firm", "regulator"])
def test_every_page_sends_the_strict_policy_and_carries_nothing_it_refuses(client, portal, firm_user, regulator, who):
    if who != "anonymous":
        client.force_login({"firm": firm_user, "regulator": regulator}[who])
    for path in pages(portal)[who]:
        response = client.get(path)
        assert response.status_code == 200, path
        policy = policy_of(response)
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"], path
        assert not [name for name, sources in policy.items() if "'unsafe-inline'" in sources], path
        assert inline_in(response.content.decode()) == [], path
