"""A case's document is a PDF no larger than the setting CLEARANCE_DOCUMENT_MAX_BYTES, checked by what it is, not by
its name or the type the browser claims: it starts as a PDF does, and pypdf (the maintained pure-Python reader)
finds its cross-reference table, its trailer and at least one page. A password-protected file is refused too: the
authority must be able to open it.

The pages and the API run this on the upload before `clearances.services.document_add` (which checks the first
bytes again), so that a refusal names the file and says what to do."""

import os

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from pypdf import PdfReader


def document_problem(upload) -> str | None:
    """Why `upload` (an uploaded file) is not accepted as a case document, or None."""
    if upload is None:
        return "Choose a PDF file to upload."
    name = os.path.basename(getattr(upload, "name", "") or "document")
    size = getattr(upload, "size", 0) or 0
    limit = settings.CLEARANCE_DOCUMENT_MAX_BYTES
    if not size:
        return f"{name} is empty; choose the file again."
    if size > limit:
        return (
            f"{name} is {filesizeformat(size)}; the limit is {filesizeformat(limit)}. Reduce its resolution or split "
            "it into several files."
        )
    try:
        upload.seek(0)
        if upload.read(5) != b"%PDF-":
            return f"{name} is not a PDF (its content is not, whatever its name says). Export it as PDF and try again."
        upload.seek(0)
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            return f"{name} is protected by a password; upload it without one, so that the authority can open it."
        if len(reader.pages) == 0:
            return f"{name} has no page; export the document as PDF again."
    except Exception:  # noqa: BLE001 - any failure to parse untrusted bytes means the same to the person
        return f"{name} is damaged or not a complete PDF (its structure cannot be read). Export it as PDF again."
    finally:
        upload.seek(0)
    return None
