"""CIN and PAN formats: every kind of mistake gets a message that says what is wrong."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from bidders.validators import normalise_identifier, validate_cin, validate_company_pan, validate_pan

THIS_YEAR = datetime.date.today().year


@pytest.mark.parametrize(
    "cin",
    [
        "U13100MH2020PTC123456",  # unlisted private company
        "L27100MH1907PLC000260",  # listed public company (an old one)
        "U14200DL2019GOI345678",  # government company
        f"U13100KA{THIS_YEAR}OPC000001",  # incorporated this year
        "U13100WB1850PLC000001",  # the oldest possible year
    ],
)
def test_valid_cins_pass(cin):
    validate_cin(cin)


@pytest.mark.parametrize(
    ("cin", "says"),
    [
        ("", "Enter the firm's CIN"),
        ("U13100MH2020PTC12345", "has 20"),  # too short
        ("U13100MH2020PTC1234567", "has 22"),  # too long
        ("X13100MH2020PTC123456", "starts with L (listed) or U (unlisted)"),
        ("U1310AMH2020PTC123456", "5-digit industry code"),
        ("U131001H2020PTC123456", "2-letter code"),
        ("U13100MH20A0PTC123456", "year of incorporation"),
        ("U13100MH1849PTC123456", "between 1850"),
        (f"U13100MH{THIS_YEAR + 1}PTC123456", f"has {THIS_YEAR + 1}"),
        ("U13100MH2020P1C123456", "3-letter company type"),
        ("U13100MH2020PTC12345X", "registration number"),
        ("u13100mh2020ptc123456", "starts with L (listed) or U"),  # lower case (services normalise first)
        ("U13100Mh2020PTC123456", "capital letters"),
    ],
)
def test_invalid_cins_say_what_is_wrong(cin, says):
    with pytest.raises(ValidationError) as caught:
        validate_cin(cin)
    message = caught.value.messages[0]
    assert says in message
    assert "U13100MH2020PTC123456" in message  # and show what a CIN looks like


@pytest.mark.parametrize("pan", ["AAACK1234F", "ABCPE1234K", "ZZZZZ9999Z"])
def test_valid_pans_pass(pan):
    validate_pan(pan)


@pytest.mark.parametrize(
    ("pan", "says"),
    [
        ("", "Enter the PAN"),
        ("AAACK1234", "has 9"),
        ("AAACK1234FF", "has 11"),
        ("AAAC11234F", "first 5 characters of a PAN are letters"),
        ("AAACKA234F", "Characters 6-9 of a PAN are digits"),
        ("AAACK12345", "last character of a PAN is a letter"),
        ("AAACk1234F", "capital letters"),
        ("AAAÇK1234F", "first 5 characters of a PAN are letters"),
    ],
)
def test_invalid_pans_say_what_is_wrong(pan, says):
    with pytest.raises(ValidationError) as caught:
        validate_pan(pan)
    assert says in caught.value.messages[0]
    assert "AAACK1234F" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("pan", "holder"),
    [("ABCPE1234K", "an individual"), ("ABCHE1234K", "a Hindu undivided family"), ("ABCTE1234K", "a trust")],
)
def test_a_company_pan_has_c_as_its_fourth_letter(pan, holder):
    validate_company_pan("AAACK1234F")
    with pytest.raises(ValidationError) as caught:
        validate_company_pan(pan)
    assert "4th letter of a company's PAN is C" in caught.value.messages[0]
    assert holder in caught.value.messages[0]


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        (" aaack1234f ", "AAACK1234F"),
        ("U13100 MH 2020 PTC 123456", "U13100MH2020PTC123456"),
        ("aaa-ck-1234-f", "AAACK1234F"),
        (None, ""),
    ],
)
def test_identifiers_are_normalised_as_registers_write_them(typed, normalised):
    assert normalise_identifier(typed) == normalised
