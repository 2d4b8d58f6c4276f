"""The JSON API reads money, percentages and dates exactly as sent, and refuses what a person did not mean
(issue 12): a number's extra places are not rounded away through a float, `1_000` and digits of other scripts are
not numbers, and year 0639 is not a year anyone meant."""

import json
from decimal import Decimal

import pytest
from rest_framework import serializers

from core.fields import DateField, ExactDecimalField, ExactJSONParser, JSONNumber
from tests.blocks.test_regulator_api import LIST, body, post

pytestmark = pytest.mark.django_db


def parse(text: str):
    import io

    return ExactJSONParser().parse(io.BytesIO(text.encode()), parser_context={})


class Money(serializers.Serializer):
    amount = ExactDecimalField(max_digits=18, decimal_places=2)
    paid_on = DateField(required=False)


@pytest.mark.parametrize(
    ("raw", "accepted"),
    [
        ('{"amount": 37.65}', Decimal("37.65")),
        ('{"amount": "37.65"}', Decimal("37.65")),
        ('{"amount": 1000}', Decimal("1000.00")),
        ('{"amount": " 12.5 "}', Decimal("12.50")),
        ('{"amount": -3}', Decimal("-3.00")),
        ('{"amount": 37.65000000000000000001}', None),  # through a float this was 37.65
        ('{"amount": "37.65000000000000000001"}', None),
        ('{"amount": "1_000"}', None),  # Python's Decimal reads this as 1000
        ('{"amount": "1,000"}', None),
        ('{"amount": "1e3"}', Decimal("1000.00")),  # an exponent is exact
        ('{"amount": 25e8}', Decimal("2500000000.00")),
        ('{"amount": "1e-3"}', None),  # exact, but more places than money has
        ('{"amount": "१०००"}', None),  # Devanagari digits: the pages convert them, the API does not guess
        ('{"amount": "٣٧"}', None),
        ('{"amount": true}', None),
        ('{"amount": ""}', None),
    ],
)
def test_a_json_amount_is_read_exactly_or_refused(raw, accepted):
    serializer = Money(data=parse(raw))
    assert serializer.is_valid() is (accepted is not None), serializer.errors
    if accepted is not None:
        assert serializer.validated_data["amount"] == accepted


def test_a_refused_number_says_how_to_write_it():
    serializer = Money(data=parse('{"amount": "1_000"}'))
    assert not serializer.is_valid()
    assert "digits 0-9" in str(serializer.errors["amount"][0]) and "1_000" in str(serializer.errors["amount"][0])


@pytest.mark.parametrize(
    ("day", "ok"),
    [("2039-04-01", True), ("1900-01-01", True), ("2199-12-31", True), ("0639-04-01", False),
     ("1899-12-31", False), ("2200-01-01", False), ("20390-04-01", False)],
)  # fmt: skip
def test_a_date_must_be_of_this_era(day, ok):
    serializer = Money(data={"amount": "1", "paid_on": day})
    assert serializer.is_valid() is ok, serializer.errors
    if not ok and day.startswith("0639"):
        assert "0639 is not a year this can be" in str(serializer.errors["paid_on"][0])


def test_other_numbers_still_read_as_floats():
    """Coordinates and other numbers keep working as floats (a GeoJSON boundary needs no exactness)."""
    data = parse('{"coordinates": [[82.0, 21.5]], "n": 3}')
    assert data["coordinates"][0][0] == 82.0 and isinstance(data["coordinates"][0][0], JSONNumber)
    assert data["n"] == 3 and type(data["n"]) is int


def test_the_registry_api_refuses_a_tender_fee_with_places_lost_in_a_float(api_as, regulator):
    client = api_as(regulator)
    text = json.dumps(body(tender_fee="TENDER-FEE")).replace('"TENDER-FEE"', "300000.0000000000000001")
    response = client.post(LIST, data=text, content_type="application/json")
    assert response.status_code == 400
    assert "tender_fee" in response.json()["error"]["fields"]
    assert post(client, body(code="EXACT-2", tender_fee=300000.25)).status_code == 201
