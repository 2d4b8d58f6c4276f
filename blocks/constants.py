"""Reference lists that the law and the tender documents name."""

from django.db import models

from core import india

# The States and UTs are core data (core.india), shared with the public bodies of `authorities`.
INDIAN_STATES = india.INDIAN_STATES
STATE_CHOICES = india.STATE_CHOICES


class ExplorationStage(models.TextChoices):
    """UNFC stages of exploration, from the least to the most explored."""

    G4 = "G4", "G4 Reconnaissance"
    G3 = "G3", "G3 Prospecting"
    G2 = "G2", "G2 General exploration"
    G1 = "G1", "G1 Detailed exploration"


class LeaseKind(models.TextChoices):
    ML = "ML", "Mining lease"
    CL = "CL", "Composite licence"
    EL = "EL", "Exploration licence"


class AuctionAuthority(models.TextChoices):
    CENTRAL = "central", "Central Government"
    STATE = "state", "State Government"
