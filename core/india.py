"""India's States and Union Territories: the jurisdictions of blocks, licences and public bodies (one list, so that
a block's State and the State of the body that decides on it are spelt alike)."""

INDIAN_STATES = [
    "Andhra Pradesh", "Arunachal Pradesh", "Assam", "Bihar", "Chhattisgarh", "Goa", "Gujarat", "Haryana",
    "Himachal Pradesh", "Jharkhand", "Karnataka", "Kerala", "Madhya Pradesh", "Maharashtra", "Manipur",
    "Meghalaya", "Mizoram", "Nagaland", "Odisha", "Punjab", "Rajasthan", "Sikkim", "Tamil Nadu", "Telangana",
    "Tripura", "Uttar Pradesh", "Uttarakhand", "West Bengal",
    "Andaman and Nicobar Islands", "Chandigarh", "Dadra and Nagar Haveli and Daman and Diu", "Delhi",
    "Jammu and Kashmir", "Ladakh", "Lakshadweep", "Puducherry",
]  # fmt: skip
# The Union Territories among them (their pollution control bodies are committees, not boards).
UNION_TERRITORIES = frozenset(INDIAN_STATES[28:])

STATE_CHOICES = [(s, s) for s in INDIAN_STATES]
