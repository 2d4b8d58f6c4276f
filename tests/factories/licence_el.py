"""Exploration licences for the EL lifecycle's tests: a licence row (preferred bidder, or granted through the real
service at a moment in the past), polygons inside or around its boundary, and small PDF files."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from licences import services
from tests.factories.licences import make_licence

IST = ZoneInfo("Asia/Kolkata")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def at(day: date, hour: int = 11) -> datetime:
    """A moment of `day` in India (when a test moves the clock to a date)."""
    return datetime.combine(day, time(hour), tzinfo=IST)


def firm_of_user(user):
    return user.memberships.get().firm


def el_preferred(holder_user, **fields):
    """An EL whose auction `holder_user`'s firm won: the record the EL auction's settlement writes."""
    fields.setdefault("declared_on", date(2027, 3, 1))
    fields.setdefault("awarded_on", None)
    fields.setdefault("starts_on", None)
    return make_licence(kind="EL", holder=firm_of_user(holder_user), status="preferred_bidder", **fields)


def el_granted(regulator, holder_user, granted: date = date(2027, 4, 1), **fields):
    """An EL granted on `granted` through `services.el_grant` (the clock moved to that day)."""
    licence = el_preferred(holder_user, **fields)
    with time_machine.travel(at(granted), tick=False):
        services.el_grant(actor=regulator, licence_id=licence.pk)
    licence.refresh_from_db()
    return licence


def corner(licence) -> tuple[float, float, float]:
    """The south-west corner and side (degrees) of a licence made by `make_licence` (a square)."""
    ring = licence.original_boundary["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return min(lons), min(lats), max(lons) - min(lons)


def square(lon: float, lat: float, side: float) -> dict:
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def inner_square(licence, share_of_side: float, offset: float = 0.2) -> dict:
    """A square inside the licence's original square, `share_of_side` of its side (0.4 -> 16% of its area)."""
    lon, lat, side = corner(licence)
    return square(lon + offset * side, lat + offset * side, share_of_side * side)


def pdf(name: str = "report.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")
