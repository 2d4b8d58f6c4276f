"""The people around one clearance case, for the permission tests of every page and endpoint: a Water Act consent
of a lease in Odisha held by Alice's firm, before the Odisha pollution control board, with an open query, a private
document and a public one.

Roles: anonymous; `alice` (an administrator of the holder: the applicant); `bob` (a member of another firm);
`odisha-board` (an officer of the case's authority); `jharkhand-board` (an officer of another State's board);
`desk-officer` (the Ministry of Mines' facilitation desk); `regulator1` (a regulator)."""

import io
from datetime import date

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfWriter

from authorities.models import Authority
from clearances.models import Document
from tests.factories.clearance_cases import make_case, officer
from tests.factories.licences import make_licence


def pdf_bytes(*, password: str | None = None) -> bytes:
    """A real one-page PDF (written by pypdf), optionally protected by a password."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = pdf_bytes()
ROLES = ("anonymous", "applicant", "other_firm", "officer", "other_officer", "desk", "regulator")


@pytest.fixture
def people(firm_user, other_firm_user, regulator):
    return {
        "anonymous": None,
        "applicant": firm_user,
        "other_firm": other_firm_user,
        "officer": officer("odisha-board", "spcb-odisha").user,
        "other_officer": officer("jharkhand-board", "spcb-jharkhand").user,
        "desk": officer("desk-officer", "mom-desk").user,
        "regulator": regulator,
    }


@pytest.fixture
def works_here():
    """The Odisha board works its cases in Khanij (its officers act; a regulator does not record for it)."""
    Authority.objects.filter(code="spcb-odisha").update(works_cases_here=True)


def add_document(case, user, name, *, public=False):
    document = Document(case=case, name=name, size=len(PDF), sha256="0" * 64, public=public, uploaded_by=user)
    document.file.save(name, ContentFile(PDF), save=False)
    document.save()
    return document


@pytest.fixture
def water_case(firm_user):
    holder = firm_user.memberships.get().firm
    licence = make_licence(status="loi_issued", holder=holder, state="Odisha", number="ML/2027/0042")
    case = make_case(
        licence=licence, kind="water_consent", filed_on=date(2027, 5, 1), queries=[(date(2027, 6, 10), None)]
    )
    add_document(case, firm_user, "consent-application.pdf")
    add_document(case, firm_user, "site-plan-public.pdf", public=True)
    return case
