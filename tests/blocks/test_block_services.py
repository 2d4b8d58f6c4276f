"""blocks.services.block_create / block_update: what is stored, what is derived, and every refusal."""

import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from blocks.models import Block
from blocks.services import block_create, block_get, block_update, block_validate
from core.errors import ApplicationError, NotFound
from tests.factories import square_boundary

pytestmark = pytest.mark.django_db


def data(**overrides):
    values = {
        "code": "CG-LI-01",
        "name": "Katghora Lithium",
        "state": "Chhattisgarh",
        "district": "Korba",
        "minerals": ["lithium"],
        "exploration_stage": "G4",
        "boundary": square_boundary(82.0, 21.0),
    }
    values.update(overrides)
    return values


def refusal(**overrides) -> ApplicationError:
    with pytest.raises(ApplicationError) as excinfo:
        block_create(actor=None, **data(**overrides))
    return excinfo.value


def test_a_block_is_stored_with_its_area_routing_and_ver(regulator):
    block = block_create(
        actor=regulator,
        **data(
            minerals=["lithium", "rare-earth-elements"],
            resources=[
                {"mineral": "lithium", "quantity_tonnes": "120000", "price_per_tonne": "5200.50", "grade": "0.8% Li2O"},
                {
                    "mineral": "rare-earth-elements",
                    "quantity_tonnes": D("8000"),
                    "price_per_tonne": D("90000"),
                    "price_basis": "pan_india",
                },
            ],
            forest_land_ha="10.5",
            reserve_price_pct="0.50",
            tender_fee="300000",
            illustrative_fields=["resources", "boundary", "resources"],
        ),
    )
    block.refresh_from_db()
    assert block.status == Block.Status.IDENTIFIED
    assert (block.auction_authority, block.lease_kind, block.el_eligible) == ("central", "CL", True)
    assert block.area_hectares == D("115.1092")
    assert block.area_km2 == D("1.1511")
    assert (block.min_lon, block.min_lat, block.max_lon, block.max_lat) == pytest.approx((82.0, 21.0, 82.01, 21.01))
    assert block.value_of_estimated_resources == D("1344060000.00")
    assert block.forest_land_ha == D("10.5")
    assert block.reserve_price_pct == D("0.50")
    assert block.illustrative_fields == ["boundary", "resources"]
    assert sorted(block.minerals.values_list("slug", flat=True)) == ["lithium", "rare-earth-elements"]
    values = {r.mineral.slug: (r.value, r.price_basis, r.grade) for r in block.resources.select_related("mineral")}
    assert values == {
        "lithium": (D("624060000.00"), "state", "0.8% Li2O"),
        "rare-earth-elements": (D("720000000.00"), "pan_india", ""),
    }


@pytest.mark.parametrize(
    "minerals, stage, routing",
    [
        (["gold"], "G2", ("state", "ML", True)),
        (["limestone"], "G1", ("state", "ML", False)),
        (["limestone", "graphite"], "G3", ("central", "CL", True)),
    ],
)
def test_routing_is_derived_from_the_minerals_and_stage(minerals, stage, routing):
    block = block_create(actor=None, **data(minerals=minerals, exploration_stage=stage))
    assert (block.auction_authority, block.lease_kind, block.el_eligible) == routing


def test_a_block_without_boundary_has_no_area():
    block = block_create(actor=None, **data(boundary=None))
    assert block.area_hectares is None and block.area_km2 is None


def test_mineral_slugs_are_read_case_insensitively_and_once():
    block = block_create(actor=None, **data(minerals=[" Lithium ", "lithium", "GOLD"]))
    assert sorted(block.minerals.values_list("slug", flat=True)) == ["gold", "lithium"]


def test_a_duplicate_code_is_refused_whatever_its_case():
    block_create(actor=None, **data())
    error = refusal(code="cg-li-01", boundary=square_boundary(83.0, 21.0))
    assert error.fields["code"] == ["Block code cg-li-01 is already registered."]
    assert Block.objects.count() == 1


def test_an_unknown_mineral_is_refused_naming_it():
    error = refusal(minerals=["lithium", "unobtainium"])
    assert "Unknown mineral(s): unobtainium" in error.fields["minerals"][0]
    assert "/api/v1/public/minerals" in error.fields["minerals"][0]


def test_a_block_needs_a_mineral():
    assert refusal(minerals=[]).fields["minerals"] == ["Name at least one mineral of the block."]


@pytest.mark.parametrize("state", ["Atlantis", "", "odisha", "Orissa"])
def test_a_state_that_is_not_indian_is_refused(state):
    error = refusal(state=state)
    assert "is not a State or Union Territory of India; use its full name, e.g. Odisha." in error.fields["state"][0]


def test_an_unknown_stage_is_refused():
    assert refusal(exploration_stage="G5").fields["exploration_stage"] == [
        "Exploration stage must be G1, G2, G3 or G4 (UNFC); got G5."
    ]


def test_every_problem_is_reported_at_once_and_the_message_says_so():
    error = refusal(code="", name="", state="Atlantis", minerals=[], exploration_stage="")
    assert set(error.fields) == {"code", "name", "state", "minerals", "exploration_stage"}
    assert error.message.startswith("The block was not saved: Give the block code")
    assert error.message.endswith("(and more below)")


def test_a_land_split_larger_than_the_area_is_refused():
    error = refusal(forest_land_ha="100", government_land_ha="15.2")  # 115.2 ha > 115.1092 ha
    assert error.fields["land"] == [
        "Forest, government and other land add up to 115.2 ha, more than the block's area of 115.1092 ha."
    ]
    assert block_create(actor=None, **data(forest_land_ha="100", government_land_ha="15.1092")).pk


@pytest.mark.parametrize("value", ["-1", "abc", "NaN"])
def test_land_must_be_a_non_negative_number(value):
    assert "forest_land_ha" in refusal(forest_land_ha=value).fields


def test_a_bad_boundary_is_refused_with_the_geometry_message():
    bow_tie = {"type": "Polygon", "coordinates": [[[82, 21], [82.01, 21.01], [82.01, 21], [82, 21.01], [82, 21]]]}
    assert "not a valid polygon" in refusal(boundary=bow_tie).fields["boundary"][0]


def test_an_overlapping_boundary_is_refused_naming_the_other_block():
    block_create(actor=None, **data())
    error = refusal(code="CG-LI-02", boundary=square_boundary(82.005, 21.005))
    assert error.code == "boundary_overlap"
    assert error.fields["boundary"] == ["Overlaps block CG-LI-01 (Katghora Lithium)."]
    assert "overlaps block CG-LI-01 (Katghora Lithium)" in error.message
    assert not Block.objects.filter(code="CG-LI-02").exists()


def test_a_neighbour_sharing_an_edge_is_accepted():
    block_create(actor=None, **data())
    assert block_create(actor=None, **data(code="CG-LI-02", boundary=square_boundary(82.01, 21.0))).pk


def test_a_withdrawn_blocks_ground_may_be_reused():
    withdrawn = block_create(actor=None, **data(status=Block.Status.WITHDRAWN))
    block = block_create(actor=None, **data(code="CG-LI-02", boundary=square_boundary(82.0, 21.0)))
    assert block.pk != withdrawn.pk


def test_a_withdrawn_block_cannot_be_reactivated_over_a_block_that_took_its_ground():
    withdrawn = block_create(actor=None, **data(status=Block.Status.WITHDRAWN))
    block_create(actor=None, **data(code="CG-LI-02", boundary=square_boundary(82.005, 21.0)))
    with pytest.raises(ApplicationError) as excinfo:
        block_update(actor=None, block=withdrawn, status=Block.Status.IDENTIFIED)
    assert excinfo.value.fields["boundary"] == ["Overlaps block CG-LI-02 (Katghora Lithium)."]
    withdrawn.refresh_from_db()
    assert withdrawn.status == Block.Status.WITHDRAWN


def test_an_annulled_blocks_ground_is_still_taken():
    block_create(actor=None, **data(status=Block.Status.ANNULLED))
    assert refusal(code="CG-LI-02").code == "boundary_overlap"


@pytest.mark.parametrize(
    "resource, field_message",
    [
        (
            {"mineral": "gold", "quantity_tonnes": "1", "price_per_tonne": "1"},
            "Resource 1 is for gold, which is not among the block's minerals.",
        ),
        (
            {"mineral": "lithium", "quantity_tonnes": "1", "price_per_tonne": "1", "price_basis": "world"},
            "Price basis must be one of state, pan_india; got 'world'.",
        ),
        ({"mineral": "lithium", "quantity_tonnes": "", "price_per_tonne": "1"}, "needs a quantity in tonnes"),
        ({"mineral": "lithium", "quantity_tonnes": "-5", "price_per_tonne": "1"}, "Must be at least 0; got -5."),
    ],
)
def test_resources_are_checked(resource, field_message):
    error = refusal(resources=[resource])
    assert any(field_message in m for m in error.fields["resources[1]"])


@pytest.mark.parametrize(
    "resource, message",
    [
        ({"quantity_tonnes": "1", "price_per_tonne": "6800.005"}, "IBM price per tonne: Give at most 2 decimal places"),
        ({"quantity_tonnes": "1.0005", "price_per_tonne": "1"}, "Quantity (t): Give at most 3 decimal places"),
        ({"quantity_tonnes": "1e15", "price_per_tonne": "1"}, "Quantity (t): Must be less than 1,000,000,000,000,000"),
    ],
)
def test_figures_the_database_would_round_or_refuse_are_refused(resource, message):
    error = refusal(resources=[{"mineral": "lithium", **resource}])
    assert any(m.startswith(message) for m in error.fields["resources[1]"])


def test_resources_worth_more_than_the_registry_holds_are_refused():
    huge = {"mineral": "lithium", "quantity_tonnes": "999999999999999", "price_per_tonne": "999999999999"}
    assert "beyond what the registry can hold" in refusal(resources=[huge]).fields["resources"][0]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("tender_fee", "300000.001", "Give at most 2 decimal places; got 300000.001."),
        ("reserve_price_pct", "10000", "Must be less than 10,000; got 10000."),
        ("forest_land_ha", "1.00001", "Give at most 4 decimal places; got 1.00001."),
        ("source_url", "mines.gov.in", "Give a web address starting with https:// or http://."),
        ("source_url", "https://x.in/" + "a" * 500, "At most 500 characters; this has 513."),
        ("published_outcome", "x" * 201, "At most 200 characters; this has 201."),
    ],
)
def test_tender_figures_and_texts_are_checked(field, value, message):
    assert refusal(**{field: value}).fields[field] == [message]


def test_a_mineral_given_twice_in_resources_is_refused():
    twice = {"mineral": "lithium", "quantity_tonnes": "1", "price_per_tonne": "1"}
    assert refusal(resources=[twice, twice]).fields["resources"] == ["Give each mineral's resources once."]


def test_unknown_fields_are_refused():
    assert refusal(colour="red").fields["non_field_errors"] == ["Unknown field(s): colour."]


def test_update_recomputes_routing_area_and_ver():
    block = block_create(actor=None, **data())
    block = block_update(
        actor=None,
        block=block,
        minerals=["gold"],
        exploration_stage="G1",
        boundary=square_boundary(82.0, 21.0, size=0.02),
        resources=[{"mineral": "gold", "quantity_tonnes": "1000.005", "price_per_tonne": "6800.50"}],
    )
    block.refresh_from_db()
    assert (block.auction_authority, block.lease_kind, block.el_eligible) == ("state", "ML", True)
    assert D("460") < block.area_hectares < D("461")  # four times the 0.01° square
    assert block.value_of_estimated_resources == D("6800534.00")  # 6800534.0025
    assert list(block.resources.values_list("mineral__slug", flat=True)) == ["gold"]


def test_update_changes_only_the_fields_given():
    block = block_create(actor=None, **data(district="Korba"))
    block_update(actor=None, block=block, name="Renamed")
    block.refresh_from_db()
    assert (block.name, block.district, block.area_hectares) == ("Renamed", "Korba", D("115.1092"))


def test_update_keeps_its_own_code_and_ground():
    block = block_create(actor=None, **data())
    block = block_update(actor=None, block=block, code="CG-LI-01", boundary=square_boundary(82.0, 21.0))
    assert block.code == "CG-LI-01"


def test_update_refuses_another_blocks_code_and_ground():
    block_create(actor=None, **data())
    other = block_create(actor=None, **data(code="OD-GR-01", boundary=square_boundary(84.0, 20.0)))
    with pytest.raises(ApplicationError) as excinfo:
        block_update(actor=None, block=other, code="CG-LI-01", boundary=square_boundary(82.0, 21.0))
    assert set(excinfo.value.fields) == {"code"}  # the overlap is checked once every field is valid
    with pytest.raises(ApplicationError) as excinfo:
        block_update(actor=None, block=other, boundary=square_boundary(82.0, 21.0))
    assert excinfo.value.fields["boundary"] == ["Overlaps block CG-LI-01 (Katghora Lithium)."]


def test_update_refuses_a_land_split_larger_than_the_stored_area():
    block = block_create(actor=None, **data())
    with pytest.raises(ApplicationError) as excinfo:
        block_update(actor=None, block=block, other_land_ha="200")
    assert "more than the block's area of 115.1092 ha" in excinfo.value.fields["land"][0]


def test_dropping_a_mineral_that_still_has_resources_is_refused():
    block = block_create(
        actor=None,
        **data(
            minerals=["lithium", "gold"],
            resources=[{"mineral": "gold", "quantity_tonnes": "10", "price_per_tonne": "10"}],
        ),
    )
    with pytest.raises(ApplicationError) as excinfo:
        block_update(actor=None, block=block, minerals=["lithium"])
    assert excinfo.value.fields["resources"] == [
        "The block has estimated resources of Gold, which would no longer be among its minerals. Remove those "
        "resources too, or keep the mineral."
    ]
    block = block_update(actor=None, block=block, minerals=["lithium"], resources=[])
    assert block.value_of_estimated_resources == D("0.00")


def test_block_validate_checks_like_create_without_saving():
    block_create(actor=None, **data())
    values = block_validate(**data(code="CG-LI-02", boundary=square_boundary(83.0, 21.0)))
    assert values["boundary"].area_hectares > 0
    assert not Block.objects.filter(code="CG-LI-02").exists()
    with pytest.raises(ApplicationError) as excinfo:
        block_validate(**data(code="CG-LI-03"))
    assert excinfo.value.code == "boundary_overlap"


def test_block_get_names_the_missing_code():
    with pytest.raises(NotFound, match="No block has the code XX-00"):
        block_get(code="XX-00")


def _race(target, args_list):
    """Run target(*args) in one thread per args, released together; return what each appended."""
    barrier = threading.Barrier(len(args_list))
    outcomes = []

    def run(*args):
        try:
            barrier.wait(timeout=10)
            outcomes.append(target(*args))
        except ApplicationError as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_overlapping_blocks_created_at_once_exactly_one_succeeds(postgres):
    """Two writers pass validation together; the advisory lock makes the second see the first's block.
    Several rounds, in different places, so that a missing lock shows up."""
    for round_ in range(6):
        lat = 20.0 + round_ * 0.1

        def create(code, lon, lat=lat):
            return block_create(actor=None, **data(code=code, boundary=square_boundary(lon, lat)))

        outcomes = _race(create, [(f"RACE-{round_}-{i}", 82.0 + i * 0.004) for i in range(2)])
        created = [o.code for o in outcomes if isinstance(o, Block)]
        refused = [o for o in outcomes if isinstance(o, ApplicationError)]
        assert len(created) == 1 and len(refused) == 1, outcomes
        assert refused[0].code == "boundary_overlap"
        assert refused[0].fields["boundary"] == [f"Overlaps block {created[0]} (Katghora Lithium)."]
    assert Block.objects.count() == 6


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_blocks_with_one_code_created_at_once_the_second_is_told_why(postgres):
    def create(lon):
        return block_create(actor=None, **data(code="SAME-01", boundary=square_boundary(lon, 21.0)))

    outcomes = _race(create, [(82.0,), (83.0,)])
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(refused) == 1, outcomes
    assert refused[0].fields["code"] == ["Block code SAME-01 is already registered."]
    assert Block.objects.filter(code="SAME-01").count() == 1
