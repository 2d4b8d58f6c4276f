"""A case's documents (PDF by content, size limit, private storage, sha256, who may add) and its ledger stream (one
entry per act, in order, a chain anyone can verify)."""

import hashlib
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from clearances import services
from clearances.models import Document
from core.errors import ApplicationError, PermissionDenied
from ledger.models import Entry
from ledger.services import ledger_verify
from tests.clearances.conftest import PDF
from tests.factories.clearances import lease, member, officer, on

pytestmark = pytest.mark.django_db


def files(root: Path) -> set:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def case(db):
    """A case, and the private storage's root (settings.PRIVATE_MEDIA_ROOT, per test worker)."""
    root = Path(Document._meta.get_field("file").storage.location)
    root.mkdir(parents=True, exist_ok=True)
    licence = lease()
    asha = member(licence)
    with on(date(2027, 4, 1)):
        filed = services.case_file(actor=asha, licence_id=licence.pk, kind="mining_plan")
    return filed, asha, root


def test_a_pdf_is_stored_privately_with_its_size_and_hash(case):
    filed, asha, root = case
    upload = SimpleUploadedFile("Mining plan (final).pdf", PDF, content_type="application/pdf")
    document = services.document_add(actor=asha, case_id=filed.pk, file=upload, description="The plan", public=True)
    assert (document.name, document.size, document.sha256, document.public) == (
        "Mining plan (final).pdf",
        len(PDF),
        hashlib.sha256(PDF).hexdigest(),
        True,
    )
    stored = root / document.file.name
    assert stored.read_bytes() == PDF
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))
    payload = Entry.objects.get(stream=filed.stream, kind="document_added").payload
    assert payload["sha256"] == document.sha256


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.pdf", b"GIF89a not a pdf", "is not a PDF (its content is not, whatever its name says)"),
        ("plan.pdf", b"", "is empty"),
        ("plan.docx", b"PK\x03\x04", "is not a PDF"),
    ],
)
def test_a_file_that_is_not_a_pdf_is_refused_naming_the_field(case, name, content, message):
    filed, asha, root = case
    with pytest.raises(ApplicationError) as refused:
        services.document_add(actor=asha, case_id=filed.pk, file=SimpleUploadedFile(name, content))
    assert message in refused.value.fields["file"][0]
    assert not Document.objects.exists()


def test_a_file_over_the_limit_is_refused(case, settings):
    filed, asha, _root = case
    settings.CLEARANCE_DOCUMENT_MAX_BYTES = 20
    with pytest.raises(ApplicationError, match="the limit is 20") as refused:
        services.document_add(actor=asha, case_id=filed.pk, file=SimpleUploadedFile("plan.pdf", PDF))
    assert "file" in refused.value.fields


def test_a_stranger_adds_no_document_and_leaves_no_file(case, plain_user, other_firm_user):
    filed, _asha, root = case
    before = files(root)
    for actor in (plain_user, other_firm_user, officer("spcb-odisha", "ospcb")):
        with pytest.raises(PermissionDenied):
            services.document_add(actor=actor, case_id=filed.pk, file=SimpleUploadedFile("plan.pdf", PDF))
    assert files(root) == before and not Document.objects.exists()
    letter = services.document_add(
        actor=officer("ibm", "rcom"), case_id=filed.pk, file=SimpleUploadedFile("letter.pdf", PDF)
    )
    assert files(root) - before == {root / letter.file.name}


def test_a_refused_act_removes_the_file_it_wrote(case):
    filed, asha, root = case
    before = files(root)
    with pytest.raises(ApplicationError, match="no stage 'nope'"):
        services.document_add(actor=asha, case_id=filed.pk, file=SimpleUploadedFile("plan.pdf", PDF), stage="nope")
    assert files(root) == before


def test_every_act_is_an_entry_of_the_cases_chain(case):
    filed, asha, _root = case
    rcom = officer("ibm", "rcom")
    with on(date(2027, 4, 10)):
        services.query_raise(actor=rcom, case_id=filed.pk, text="Annexure 4 is missing.")
    with on(date(2027, 4, 12)):
        services.query_answer(actor=asha, case_id=filed.pk, answer="Attached.")
    with on(date(2027, 5, 1)):
        services.case_decide(actor=rcom, case_id=filed.pk, outcome="granted", reasons="Approved.")
    entries = list(Entry.objects.filter(stream=f"clearance:{filed.pk}").order_by("seq"))
    assert [(e.seq, e.kind) for e in entries] == [
        (1, "filed"),
        (2, "query_raised"),
        (3, "query_answered"),
        (4, "decided"),
    ]
    assert entries[3].payload["reasons"] == "Approved." and entries[3].payload["by"] == "rcom"
    assert ledger_verify(stream=filed.stream).ok
