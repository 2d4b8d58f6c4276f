"""The catalogue of the open data: every public endpoint and every dump file, with its licence and when it was last
updated. The /data/ page and the /api/v1/public/ root both render `catalogue()`, so they list the same things."""

from django.conf import settings
from django.urls import reverse

from licences.dumps import read_manifest

LIVE = "live: answers from the database at the moment of the request (cached up to 60 seconds)"

AUCTION_FILTERS = "tranche, block, mineral, state, phase, attempt, kind, origin"
LICENCE_FILTERS = "kind, status, state, mineral, holder, year, ordering"
OBLIGATION_FILTERS = "licence, licence_kind, kind, status, state, mineral, overdue"

# (route name, title, format, filters), in the order of docs/open-data.md.
ENDPOINTS = (
    ("public_api:mineral-list", "Minerals", "json", ""),
    ("public_api:block-list", "Blocks of the registry", "json", "mineral, state, stage, status, authority, ordering"),
    ("public_api:block-csv", "Blocks of the registry", "csv", "as the blocks"),
    ("public_auctions_api:tranche-list", "Notified tranches", "json", ""),
    ("public_auctions_api:tranche-csv", "Notified tranches", "csv", ""),
    ("public_auctions_api:auction-list", "Auctions", "json", AUCTION_FILTERS),
    ("public_auctions_api:auction-csv", "Auctions", "csv", "as the auctions"),
    ("public_auctions_api:result-csv", "Results (auctions that have ended)", "csv", "as the auctions"),
    ("public-licence-list", "The licence register (EITI 2.3)", "json", LICENCE_FILTERS),
    ("public-licence-csv", "The licence register (EITI 2.3)", "csv", "as the register"),
    ("public-obligation-csv", "Obligations of every licence", "csv", OBLIGATION_FILTERS),
    ("public-clearance-list", "Clearance cases", "json", "as /api/docs/ lists"),
    ("public-clearance-csv", "Clearance cases", "csv", "as the clearance cases"),
    ("public-clearance-statistics", "Clearance statistics", "json", ""),
    ("ocds-releases", "OCDS 1.1 releases (latest of each auction)", "ocds", ""),
    ("public-beneficial-ownership", "Beneficial ownership, BODS 0.4 (EITI 2.5)", "bods", ""),
    ("public-ledger-checkpoints", "Ledger checkpoints", "json", ""),
)  # fmt: skip

TEMPLATES = (
    ("/api/v1/public/blocks/{code}", "One block", "json"),
    ("/api/v1/public/tranches/{id}", "One tranche", "json"),
    ("/api/v1/public/auctions/{id}", "One auction", "json"),
    ("/api/v1/public/auctions/{id}/ocds", "OCDS releases of one auction", "ocds"),
    ("/api/v1/public/tranches/{id}/ocds", "OCDS releases of one tranche", "ocds"),
    ("/api/v1/public/licences/{id}", "One licence, with history and obligations", "json"),
    ("/api/v1/public/ledger/{stream}", "A ledger stream, with its verification", "json"),
)


def catalogue(site: str = "") -> dict:
    """{"licence", "endpoints": [...], "files": [...], "dumps_built_at"}; a URL is absolute when `site` is given."""
    licence = settings.OPEN_DATA_LICENCE_URL
    endpoints = [
        {"url": site + reverse(name), "title": title, "format": fmt, "filters": filters, "licence": licence,
         "updated": LIVE}
        for name, title, fmt, filters in ENDPOINTS
    ] + [
        {"url": site + path, "title": title, "format": fmt, "filters": "", "licence": licence, "updated": LIVE}
        for path, title, fmt in TEMPLATES
    ]  # fmt: skip
    manifest = read_manifest() or {"files": [], "built_at": None}
    files = [
        {
            "url": site + reverse("open_data_file", args=[f["name"]]),
            "name": f["name"],
            "title": f["title"],
            "format": f["format"],
            "rows": f["rows"],
            "bytes": f["bytes"],
            "sha256": f["sha256"],
            "licence": manifest.get("licence", licence),
            "updated": f["built_at"],
        }
        for f in manifest["files"]
    ]
    return {
        "licence": licence,
        "dumps_built_at": manifest["built_at"],
        "manifest": site + reverse("open_data_file", args=["manifest.json"]),
        "endpoints": endpoints,
        "files": files,
    }
