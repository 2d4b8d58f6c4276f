"""Text is text: a JSON number (or true, a list, an object) sent where the API's document says string is refused with
a 400 naming the field and "Send text, not a number.", where DRF read {"reason": 251} as the reason "251" (found by
the API fuzz test, docs/reliability.md). The same value sent as a string passes that field."""

import pytest
from rest_framework import serializers

from bidders.models import Firm, Membership
from core.fields import (
    StrictCharField,
    StrictChoiceField,
    StrictEmailField,
    StrictRegexField,
    StrictSlugField,
    StrictURLField,
)
from core.serializers import ModelSerializer
from licences import services as licence_services
from tests.factories.licence_el import square
from tests.factories.licence_post import settled_lease

pytestmark = pytest.mark.django_db


class Form(serializers.Serializer):
    text = StrictCharField(required=False)
    email = StrictEmailField(required=False)
    slug = StrictSlugField(required=False)
    url = StrictURLField(required=False)
    month = StrictRegexField(r"^\d{6}$", required=False)
    kind = StrictChoiceField(choices=[("1", "one"), ("lease", "Lease")], required=False)
    count = StrictChoiceField(choices=[(1, "one"), (2, "two")], required=False)
    names = serializers.ListField(child=StrictCharField(), required=False)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("text", 251, "Send text, not a number."),
        ("text", 2.5, "Send text, not a number."),
        ("text", True, "Send text, not true or false."),
        ("text", ["a"], "Send text, not a list."),
        ("text", {"a": 1}, "Send text, not an object."),
        ("email", 251, "Send text, not a number."),
        ("slug", 251, "Send text, not a number."),  # DRF's SlugField took it as the valid slug "251"
        ("url", 251, "Send text, not a number."),
        ("month", 202501, "Send text, not a number."),  # DRF's RegexField took it as "202501", matching the pattern
        ("kind", 1, "Send text, not a number: one of the allowed values as a string."),  # DRF chose "1"
        ("names", [251], "Send text, not a number."),
    ],
)
def test_a_value_that_is_not_text_is_refused_with_a_message_saying_what_to_send(field, value, message):
    form = Form(data={field: value})
    assert not form.is_valid()
    errors = form.errors[field]
    assert str(errors[0] if isinstance(errors, list) else errors[0][0]) == message


@pytest.mark.parametrize(
    ("field", "value"),
    [("text", "251"), ("email", "a@b.in"), ("slug", "251"), ("url", "https://ibm.gov.in/"), ("month", "202501"),
     ("kind", "1"), ("count", 1), ("count", "2"), ("names", ["251"])],
)  # fmt: skip
def test_the_same_value_as_text_is_accepted_and_numeric_choices_keep_their_numbers(field, value):
    form = Form(data={field: value})
    assert form.is_valid(), form.errors


def test_a_model_serializer_reads_model_text_and_choice_fields_strictly():
    class FirmInput(ModelSerializer):
        class Meta:
            model = Firm
            fields = ["legal_name", "registered_address"]

    class MembershipInput(ModelSerializer):
        class Meta:
            model = Membership
            fields = ["role"]

    firm = FirmInput(data={"legal_name": 251, "registered_address": 7})
    assert not firm.is_valid()
    assert firm.errors == {
        "legal_name": ["Send text, not a number."],
        "registered_address": ["Send text, not a number."],
    }
    role = MembershipInput(data={"role": 1})
    assert not role.is_valid() and "Send text, not a number" in str(role.errors["role"][0])


# --- Through the API: (who, method, path, body with a number where text is due, the field named, the body as text) --

CASES = {
    "block code": ("regulator", "post", "/api/v1/blocks", {"code": 251}, "code", {"code": "CG-251"}),
    "block source URL": ("regulator", "post", "/api/v1/blocks", {"source_url": 251}, "source_url", None),
    "block minerals": ("regulator", "post", "/api/v1/blocks", {"minerals": [251]}, "minerals[1]", None),
    "tranche kind": ("regulator", "post", "/api/v1/tranches", {"kind": 1}, "kind", {"kind": "lease"}),
    "firm's name": ("firm", "patch", "/api/v1/firms/me", {"legal_name": 251}, "legal_name", None),
    "member's role": ("firm", "post", "/api/v1/firms/me/members", {"user": "x", "role": 1}, "role", None),
    "member's account": ("firm", "post", "/api/v1/firms/me/members", {"user": 251, "role": "viewer"}, "user", None),
    "token's account": ("anonymous", "post", "/api/v1/auth/token", {"username": 251}, "username", None),
    "proposal's title": ("firm", "post", "/api/v1/area-proposals", {"title": 251}, "title", {"title": "Hills"}),
    "proposal rejected": (
        "regulator", "post", "/api/v1/area-proposals/{proposal}/reject", {"reason": 251}, "reason",
        {"reason": "Overlaps a block."},
    ),
    "revocation's reason": ("regulator", "post", "/api/v1/licences/{lease}/revoke", {"reason": 251}, "reason", None),
    "premium return's month": (
        "holder", "post", "/api/v1/licences/{lease}/premium-returns", {"month": 202701}, "month", None,
    ),
    "clearance's kind": ("holder", "post", "/api/v1/licences/{lease}/clearances", {"kind": 1}, "kind", None),
}  # fmt: skip


@pytest.fixture
def objects(firm_user, regulator):
    made = {}

    def get(name):
        if name not in made and name == "proposal":
            made[name] = licence_services.area_proposal_create(
                actor=firm_user, title="Hills east of Dongri", state="Odisha", district="Koraput",
                minerals=["graphite"], boundary=square(83.0, 18.5, 0.1), rationale="Graphite float in the streams.",
            ).pk  # fmt: skip
        if name not in made and name in ("lease", "holder"):
            licence, firms = settled_lease(regulator, kind="CL")
            made.update(lease=licence.pk, holder=firms[1])
        return made[name]

    return get


@pytest.mark.parametrize("case", CASES)
def test_every_kind_of_text_input_refuses_a_number_naming_the_field(case, objects, api_as, regulator, firm_user):
    who, method, path, body, field, as_text = CASES[case]
    names = [part.split("}")[0] for part in path.split("{")[1:]]
    url = path.format(**{name: objects(name) for name in names})
    user = {"anonymous": None, "regulator": regulator, "firm": firm_user}.get(who)
    if who == "holder":
        user = objects("holder")
    headers = {"HTTP_IDEMPOTENCY_KEY": f"strict-{case}"} if method == "post" else {}
    response = getattr(api_as(user), method)(url, body, format="json", **headers)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"][field][0].startswith("Send text, not a number"), error
    if as_text is not None:
        again = getattr(api_as(user), method)(url, as_text, format="json", HTTP_IDEMPOTENCY_KEY=f"text-{case}")
        assert field not in (again.json().get("error") or {}).get("fields", {}), again.content
