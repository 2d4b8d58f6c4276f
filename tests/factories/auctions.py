from decimal import Decimal

import factory

from blocks.models import Block, BlockResource, Mineral


def square_boundary(lon: float, lat: float, size: float = 0.01) -> dict:
    """A closed square GeoJSON Polygon with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


class BlockFactory(factory.django.DjangoModelFactory):
    """A block row written directly (no validation): tests of the services build blocks through them."""

    class Meta:
        model = Block
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"TB-{n:05d}")
    name = factory.Sequence(lambda n: f"Test Block {n}")
    state = "Chhattisgarh"
    district = "Korba"
    exploration_stage = "G3"
    auction_authority = "central"
    lease_kind = "CL"
    el_eligible = True
    value_of_estimated_resources = Decimal("1000000.00")
    status = Block.Status.NOTIFIED

    @factory.post_generation
    def minerals(self, create, extracted, **kwargs):
        if create:
            self.minerals.set(extracted or [Mineral.objects.get(slug="lithium")])


class BlockResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlockResource

    block = factory.SubFactory(BlockFactory)
    mineral = factory.LazyFunction(lambda: Mineral.objects.get(slug="lithium"))
    quantity_tonnes = Decimal("1000.000")
    price_per_tonne = Decimal("5000.00")
    value = Decimal("5000000.00")
