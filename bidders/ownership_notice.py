"""The notice a beneficial owner's consent is given on (Digital Personal Data Protection Act 2023, ss.5-6): what is
published about the owner, why, where, and how to withdraw. Shown with the consent box when an owner is declared (the
firm's page and the API's documentation); its version is recorded with the time of consent, so a later notice never
covers an earlier consent. Change the text only with a new version."""

NOTICE_VERSION = "bo-publication-2026-12"

PUBLISHED_FIELDS = ("name", "nationality", "nature of the interest (shareholding, control)", "share of the interest")

NOTICE = (
    "Khanij publishes the beneficial owners of firms that bid for or hold a mining lease, composite licence or "
    "exploration licence, as the EITI Standard (Requirement 2.5) asks, so that anyone can see who ultimately owns or "
    "controls the holders of India's mineral rights. For this owner it publishes only the full name, the nationality, "
    "the nature of the interest (shareholding, and control where declared) and its share, as open data (Beneficial "
    "Ownership Data Standard 0.4, at /api/v1/public/beneficial-ownership), once the firm is named publicly as a "
    "technically qualified bidder or as a licence holder. The PAN, addresses and any other identity number are never "
    "published. The firm's administrator confirms that the owner has read this notice and consents; the owner may "
    "withdraw consent by asking the firm to remove the declaration, after which Khanij stops publishing it (a firm "
    "that bids must still declare its owners to the regulator)."
)
