from tests.factories.auctions import BlockFactory, BlockResourceFactory, square_boundary
from tests.factories.bidders import FirmFactory, MembershipFactory, UserFactory

__all__ = [
    "BlockFactory",
    "BlockResourceFactory",
    "FirmFactory",
    "MembershipFactory",
    "UserFactory",
    "square_boundary",
]
