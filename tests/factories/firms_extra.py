"""Factories for what a firm declares: affiliates, beneficial owners, eligibility documents."""

from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from bidders.models import Affiliation, BeneficialOwner, EligibilityDocument
from tests.factories.bidders import FirmFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def upload(name: str = "net-worth.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    """An uploaded file as a browser sends it."""
    return SimpleUploadedFile(name, content)


def person_pan(n: int) -> str:
    """A valid PAN of an individual (4th letter P)."""
    return f"ABCP{chr(65 + n // 10000 % 26)}{n % 10000:04d}K"


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    firm = factory.SubFactory(FirmFactory)
    affiliate = factory.SubFactory(FirmFactory)
    kind = Affiliation.Kind.COMMON_CONTROL
    share = None


class BeneficialOwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BeneficialOwner

    firm = factory.SubFactory(FirmFactory)
    name = factory.Sequence(lambda n: f"Owner {n}")
    pan = factory.Sequence(person_pan)
    nationality = "Indian"
    share = Decimal("10.00")
    has_control = False


class EligibilityDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EligibilityDocument

    firm = factory.SubFactory(FirmFactory)
    kind = EligibilityDocument.Kind.NET_WORTH
    file = factory.django.FileField(filename="certificate.pdf", data=PDF_BYTES)
    description = ""
