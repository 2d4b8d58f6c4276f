"""The public block list's filters and search (blocks.selectors, blocks.filters), and the routing in words."""

from decimal import Decimal

import pytest
from django.http import QueryDict

from blocks import selectors
from core.errors import ApplicationError, NotFound
from tests.factories.registry import registered_block

pytestmark = pytest.mark.django_db


def codes(queryset):
    return sorted(b.code for b in queryset)


@pytest.fixture
def registry():
    """Five blocks that differ in every filtered attribute."""
    return {
        "lithium": registered_block(
            code="CG-LI-01", name="Katghora Lithium", state="Chhattisgarh", district="Korba",
            minerals=["lithium", "rare-earth-elements"], exploration_stage="G4", status="notified",
        ),
        "gold": registered_block(
            code="RJ-AU-01", name="Bhukia Gold", state="Rajasthan", district="Banswara",
            minerals=["gold"], exploration_stage="G2", status="under_auction",
        ),
        "limestone": registered_block(
            code="RJ-LS-01", name="Jaisalmer Limestone", state="Rajasthan", district="Jaisalmer",
            minerals=["limestone"], exploration_stage="G1", status="identified",
        ),
        "graphite": registered_block(
            code="OD-GR-01", name="Akharkata Graphite", state="Odisha", district="",
            minerals=["graphite"], exploration_stage="G3", status="annulled",
        ),
        "copper": registered_block(
            code="JH-CU-01", name="Ghatsila Copper", state="Jharkhand", district="East Singhbhum",
            minerals=["copper", "gold"], exploration_stage="G2", status="withdrawn",
        ),
    }  # fmt: skip


def test_every_registered_block_is_public_whatever_its_status(registry):
    assert codes(selectors.block_list()) == sorted(b.code for b in registry.values())


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"mineral": ["lithium"]}, ["CG-LI-01"]),
        ({"mineral": ["gold"]}, ["JH-CU-01", "RJ-AU-01"]),
        ({"mineral": ["graphite", "limestone"]}, ["OD-GR-01", "RJ-LS-01"]),
        ({"state": ["Rajasthan"]}, ["RJ-AU-01", "RJ-LS-01"]),
        ({"state": ["Odisha", "Jharkhand"]}, ["JH-CU-01", "OD-GR-01"]),
        ({"stage": ["G2"]}, ["JH-CU-01", "RJ-AU-01"]),
        ({"status": ["annulled"]}, ["OD-GR-01"]),
        ({"status": ["notified", "under_auction"]}, ["CG-LI-01", "RJ-AU-01"]),
        ({"authority": "central"}, ["CG-LI-01", "OD-GR-01"]),
        ({"authority": "state"}, ["JH-CU-01", "RJ-AU-01", "RJ-LS-01"]),
        ({"lease_kind": "CL"}, ["CG-LI-01", "OD-GR-01"]),
        ({"lease_kind": "ML"}, ["JH-CU-01", "RJ-AU-01", "RJ-LS-01"]),
        ({"el_eligible": "false"}, ["RJ-LS-01"]),
        ({"el_eligible": "true"}, ["CG-LI-01", "JH-CU-01", "OD-GR-01", "RJ-AU-01"]),
    ],
)
def test_each_filter_narrows_the_list_to_the_matching_blocks(registry, filters, expected):
    assert codes(selectors.block_list(filters=filters)) == expected


def test_blank_values_of_the_form_mean_no_filter(registry):
    blank = QueryDict("mineral=&state=&stage=&status=&authority=&lease_kind=&el_eligible=&search=")
    assert codes(selectors.block_list(filters=blank)) == sorted(b.code for b in registry.values())


def test_filters_combine_as_and(registry):
    blocks = selectors.block_list(filters={"mineral": ["gold"], "state": ["Rajasthan"], "stage": ["G2"]})
    assert codes(blocks) == ["RJ-AU-01"]
    assert codes(selectors.block_list(filters={"mineral": ["gold"], "authority": "central"})) == []


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("rj-au", ["RJ-AU-01"]),  # code, any case
        ("katghora", ["CG-LI-01"]),  # name
        ("singhbhum", ["JH-CU-01"]),  # district
        ("odisha", ["OD-GR-01"]),  # State
        ("rare-earth", ["CG-LI-01"]),  # a mineral's name
        ("gold", ["JH-CU-01", "RJ-AU-01"]),  # name or mineral, each block once
        ("gold rajasthan", ["RJ-AU-01"]),  # every word must match
        ("nothing-like-this", []),
    ],
)
def test_search_finds_code_name_district_state_and_mineral_names(registry, search, expected):
    assert codes(selectors.block_list(filters={"search": search})) == expected


def test_a_block_with_two_searched_minerals_is_listed_once(registry):
    blocks = list(selectors.block_list(filters={"mineral": ["copper", "gold"]}))
    assert [b.code for b in blocks].count("JH-CU-01") == 1


@pytest.mark.parametrize(
    ("field", "bad", "allowed"),
    [
        ("stage", "G9", "G4, G3, G2, G1"),
        ("mineral", "unobtanium", "lithium"),
        ("state", "Atlantis", "Odisha"),
        ("status", "sold", "under_auction"),
        ("authority", "federal", "central, state"),
        ("el_eligible", "maybe", "true, false"),
        ("ordering", "colour", "-area_hectares"),
    ],
)
def test_an_unknown_filter_value_is_refused_naming_the_allowed_values(registry, field, bad, allowed):
    with pytest.raises(ApplicationError) as info:
        selectors.block_list(filters={field: bad})
    message = info.value.fields[field][0]
    assert message.startswith(f"{bad} is not a known")
    assert "Allowed values: " in message and allowed in message
    assert info.value.message == f"{field}: {message}"


def test_ordering_by_value_descending(registry):
    registered_block(code="ZZ-RICH", minerals=["gold"], resources=[
        {"mineral": "gold", "quantity_tonnes": "10", "price_per_tonne": "5000000000"}
    ])  # fmt: skip
    assert selectors.block_list(filters={"ordering": "-value_of_estimated_resources"})[0].code == "ZZ-RICH"


def test_block_detail_unknown_code_is_not_found():
    with pytest.raises(NotFound) as info:
        selectors.block_detail(code="XX-NONE")
    assert "XX-NONE" in info.value.message


def test_routing_is_explained_in_words(registry):
    lithium = selectors.block_detail(code="CG-LI-01")
    text = " ".join(selectors.block_routing_explanation(lithium))
    assert "Auctioned by the Central Government because lithium and rare-earth elements are Part D minerals" in text
    assert "composite licence" in text and "G4 (reconnaissance)" in text
    assert "exploration licence (EL) may be granted" in text

    gold = " ".join(selectors.block_routing_explanation(selectors.block_detail(code="RJ-AU-01")))
    assert "Auctioned by the Government of Rajasthan because none of its minerals (gold) is a Part D mineral" in gold
    assert "mining lease (ML)" in gold

    limestone = " ".join(selectors.block_routing_explanation(selectors.block_detail(code="RJ-LS-01")))
    assert "No exploration licence can be granted" in limestone


def test_neighbours_are_the_blocks_around_a_block_not_far_ones():
    def square(lon, lat):
        return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.02, lat], [lon + 0.02, lat + 0.02],
                                                     [lon, lat + 0.02], [lon, lat]]]}  # fmt: skip

    centre = registered_block(code="N-CENTRE", boundary=square(80.0, 20.0))
    registered_block(code="N-EAST", boundary=square(80.02, 20.0))  # shares an edge
    registered_block(code="N-FAR", boundary=square(85.0, 25.0))
    registered_block(code="N-NONE", boundary=None)
    assert [b.code for b in selectors.block_neighbours(block=centre)] == ["N-EAST"]


def test_portal_figures_count_the_registry(registry):
    registered_block(code="ZZ-VAL", minerals=["gold"], status="notified", resources=[
        {"mineral": "gold", "quantity_tonnes": "2", "price_per_tonne": "1000.50"}
    ])  # fmt: skip
    figures = selectors.portal_figures()
    assert figures.total_blocks == 6
    assert figures.total_ver == Decimal("2001.00")
    assert {v: n for v, _label, n in figures.by_status}["notified"] == 2
    assert {v: n for v, _label, n in figures.by_authority} == {"central": 2, "state": 4}
    assert {b.code for b in figures.open_now} == {"CG-LI-01", "RJ-AU-01", "ZZ-VAL"}
    assert figures.open_count == 3
    gold = next(m for m in figures.by_mineral if m.slug == "gold")
    assert gold.block_count == 3
