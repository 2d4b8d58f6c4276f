"""Reference lists that the law and the tender documents name."""

from django.db import models

INDIAN_STATES = [
    "Andhra Pradesh", "Arunachal Pradesh", "Assam", "Bihar", "Chhattisgarh", "Goa", "Gujarat", "Haryana",
    "Himachal Pradesh", "Jharkhand", "Karnataka", "Kerala", "Madhya Pradesh", "Maharashtra", "Manipur",
    "Meghalaya", "Mizoram", "Nagaland", "Odisha", "Punjab", "Rajasthan", "Sikkim", "Tamil Nadu", "Telangana",
    "Tripura", "Uttar Pradesh", "Uttarakhand", "West Bengal",
    "Andaman and Nicobar Islands", "Chandigarh", "Dadra and Nagar Haveli and Daman and Diu", "Delhi",
    "Jammu and Kashmir", "Ladakh", "Lakshadweep", "Puducherry",
]  # fmt: skip

STATE_CHOICES = [(s, s) for s in INDIAN_STATES]


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
