"""Reads of the licence register: filters, ordering, refusals naming the allowed values, durations."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import ApplicationError, NotFound
from licences.selectors import register as sel
from tests.factories import FirmFactory
from tests.factories.licences import make_licence

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def register():
    """Three licences of two holders in two States, awarded in 2027 and 2028."""
    alpha = FirmFactory(legal_name="Alpha Lithium Ltd", cin="U13100MH2020PTC000101")
    beta = FirmFactory(legal_name="Beta Gold Exploration Ltd", cin="U13100RJ2021PTC000202")
    return {
        "ml": make_licence(kind="ML", holder=alpha, state="Chhattisgarh", awarded_on=D(2027, 4, 1),
                           minerals=("lithium",), number="ML/2027/0001"),
        "cl": make_licence(kind="CL", holder=alpha, state="Odisha", awarded_on=D(2028, 2, 1), status="loi_issued",
                           minerals=("graphite",), number="CL/2028/0001"),
        "el": make_licence(kind="EL", holder=beta, state="Rajasthan", awarded_on=D(2028, 6, 1),
                           minerals=("gold", "copper"), number="EL/2028/0001"),
    }  # fmt: skip


def numbers(queryset):
    return [lic.number for lic in queryset]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["CL/2028/0001", "EL/2028/0001", "ML/2027/0001"]),
        ({"kind": "EL"}, ["EL/2028/0001"]),
        ({"kind": ["ML", "CL"]}, ["CL/2028/0001", "ML/2027/0001"]),
        ({"status": "loi_issued"}, ["CL/2028/0001"]),
        ({"state": "Rajasthan"}, ["EL/2028/0001"]),
        ({"mineral": "copper"}, ["EL/2028/0001"]),
        ({"mineral": ["lithium", "graphite"]}, ["CL/2028/0001", "ML/2027/0001"]),
        ({"holder": "alpha"}, ["CL/2028/0001", "ML/2027/0001"]),
        ({"holder": "gold exploration"}, ["EL/2028/0001"]),
        ({"holder": "RJ2021PTC"}, ["EL/2028/0001"]),  # a CIN fragment
        ({"holder": "alpha gold"}, []),  # every word must match
        ({"year": "2028"}, ["CL/2028/0001", "EL/2028/0001"]),
        ({"year": "2028", "kind": "CL"}, ["CL/2028/0001"]),
        ({"year": "2026"}, []),
    ],
)
def test_the_register_filters(register, filters, expected):
    assert numbers(sel.licence_list(filters=filters)) == expected


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("number", ["CL/2028/0001", "EL/2028/0001", "ML/2027/0001"]),
        ("-awarded_on", ["EL/2028/0001", "CL/2028/0001", "ML/2027/0001"]),
        ("holder", ["CL/2028/0001", "ML/2027/0001", "EL/2028/0001"]),  # Alpha's two by number, then Beta
        ("-holder", ["EL/2028/0001", "CL/2028/0001", "ML/2027/0001"]),
        ("state", ["ML/2027/0001", "CL/2028/0001", "EL/2028/0001"]),  # Chhattisgarh, Odisha, Rajasthan
    ],
)
def test_the_register_sorts_and_breaks_ties_by_number(register, ordering, expected):
    assert numbers(sel.licence_list(filters={"ordering": ordering})) == expected


@pytest.mark.parametrize(
    ("filters", "field", "words"),
    [
        ({"kind": "PL"}, "kind", ["PL is not a known kind", "ML, CL, EL"]),
        ({"status": "granted"}, "status", ["granted is not a known status", "preferred_bidder", "active", "expired"]),
        ({"state": "Atlantis"}, "state", ["Atlantis is not a known state", "Rajasthan"]),
        ({"mineral": "unobtainium"}, "mineral", ["unobtainium"]),
        ({"year": "twenty"}, "year", ["four digits, e.g. 2027"]),
        ({"year": "27"}, "year", ["from 1950 on"]),
        ({"ordering": "colour"}, "ordering", ["colour is not a known ordering", "number", "holder", "awarded_on"]),
    ],
)
def test_an_unknown_filter_value_is_refused_naming_what_is_allowed(register, filters, field, words):
    with pytest.raises(ApplicationError) as caught:
        list(sel.licence_list(filters=filters))
    assert field in caught.value.fields
    message = caught.value.fields[field][0]
    for word in words:
        assert word in message


def test_an_empty_filter_value_means_any(register):
    assert len(sel.licence_list(filters={"kind": "", "state": "", "year": ""})) == 3


def test_award_years_are_listed_newest_first(register):
    assert sel.award_years() == [2028, 2027]


def test_the_list_reads_in_two_queries_whatever_the_number_of_licences(register):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            for lic in sel.licence_list(filters={"ordering": "holder"}):
                (lic.holder.legal_name, lic.auction, lic.parent_el, lic.block.code, list(lic.minerals.all()))
        return len(ctx.captured_queries)

    few = count()
    for _ in range(5):
        make_licence(kind="ML", minerals=("lithium", "cobalt"))
    assert count() == few == 2


def test_an_unknown_licence_is_not_found_with_where_to_look():
    with pytest.raises(NotFound) as caught:
        sel.licence_detail(licence_id=999999)
    assert "/licences/" in caught.value.message


# --- Durations --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2027, 4, 1), D(2032, 4, 1), (60, 0)),
        (D(2027, 4, 1), D(2032, 3, 31), (59, 30)),  # 1 Mar 2032 + 30 days
        # Corrected (was (0, 28)): RULES.md "Dates and terms", s.3(35): one month from 31 Jan ends on 28 Feb (the
        # month's last day), as every term and delay penalty counts it, so a month has passed on 28 Feb.
        (D(2027, 1, 31), D(2027, 2, 28), (1, 0)),
        (D(2027, 1, 31), D(2027, 2, 27), (0, 27)),
        (D(2027, 1, 31), D(2027, 3, 31), (2, 0)),
        # Corrected (was (11, 30)): RULES.md "Dates and terms": a year from 29 Feb 2028 ends on 28 Feb 2029 (no 29
        # Feb), so an EL granted on 29 Feb 2028 and expiring on 28 Feb 2033 shows its 5 years.
        (D(2028, 2, 29), D(2029, 2, 28), (12, 0)),
        (D(2028, 2, 29), D(2029, 2, 27), (11, 29)),  # 29 Jan 2029 + 29 days
        (D(2027, 6, 1), D(2027, 6, 1), (0, 0)),
        (D(2027, 6, 2), D(2027, 6, 1), (0, 0)),
    ],
)
def test_months_between(start, end, expected):
    assert sel.months_between(start, end) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2027, 4, 1), D(2032, 4, 1), "5 years"),
        (D(2027, 4, 1), D(2034, 4, 1), "7 years"),
        (D(2028, 4, 1), D(2078, 4, 1), "50 years"),
        (D(2028, 2, 29), D(2033, 2, 28), "5 years"),  # an EL granted on a leap day (rules.el_expiry)
        (D(2027, 4, 1), D(2028, 5, 1), "1 year 1 month"),
        (D(2027, 4, 1), D(2029, 10, 3), "2 years 6 months 2 days"),
        (D(2027, 4, 1), D(2027, 4, 2), "1 day"),
        (D(2027, 4, 1), None, ""),
        (None, D(2027, 4, 1), ""),
    ],
)
def test_duration_text(start, end, expected):
    assert sel.duration_text(start, end) == expected


def test_the_term_runs_to_the_extended_expiry_when_extended():
    el = make_licence(kind="EL", starts_on=D(2027, 6, 1), expires_on=D(2032, 6, 1), extended_to=D(2034, 6, 1))
    assert sel.term_ends_on(el) == D(2034, 6, 1)
    assert sel.licence_duration(el) == "7 years"
    assert sel.duration_months(el) == 84


def test_the_winning_offer_is_explained_by_kind():
    assert "value of mineral despatched" in sel.winning_offer_meaning("ML")
    assert "share of the auction premium" in sel.winning_offer_meaning("EL")


def test_a_list_row_defers_the_boundary_but_the_api_keeps_it(register):
    row = sel.licence_list_queryset().get(pk=register["ml"].pk)
    assert "boundary" in row.get_deferred_fields()
    full = sel.licence_list_queryset(with_boundary=True).get(pk=register["ml"].pk)
    assert "boundary" not in full.get_deferred_fields()
    assert full.area_hectares > Decimal("0")
