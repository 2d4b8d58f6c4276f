"""A firm's eligibility documents: uploaded with their type checked by content, and removed."""

import os
import re

from django.db import transaction

from bidders.models import EligibilityDocument, Firm
from bidders.services.access import require_admin
from bidders.services.input import DOCUMENT_MAX_BYTES, DOCUMENT_NAME_MAX, DOCUMENT_TYPES, FieldErrors, clean_text


def _size_mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def document_upload(*, actor, firm: Firm, kind: str, file, description: str = "") -> EligibilityDocument:
    """Store an eligibility document: PDF, PNG or JPEG, at most 10 MB, its content matching its type."""
    require_admin(actor, firm, "upload documents")
    errors = FieldErrors()
    if kind not in EligibilityDocument.Kind.values:
        errors.add("kind", f"Choose what the document is: {', '.join(EligibilityDocument.Kind.values)}.")
    description = clean_text(description)
    if len(description) > 200:
        errors.add("description", f"A description has at most 200 characters; this one has {len(description)}.")
    if file is None:
        errors.add("file", "Choose a file to upload (PDF, PNG or JPEG).")
    else:
        original = os.path.basename(getattr(file, "name", "") or "document")
        stem, ext = os.path.splitext(original)
        ext = ext.lower()
        if ext not in DOCUMENT_TYPES:
            shown = ext or "no extension"
            errors.add(
                "file",
                f"{original} has {shown}: only PDF, PNG and JPEG files are accepted. Save it as PDF and upload "
                "it again.",
            )
        elif file.size == 0:
            errors.add("file", f"{original} is empty; choose the file again.")
        elif file.size > DOCUMENT_MAX_BYTES:
            errors.add(
                "file",
                f"{original} is {_size_mb(file.size)}; the limit is {_size_mb(DOCUMENT_MAX_BYTES)}. "
                "Reduce its resolution or split it into parts.",
            )
        else:
            type_name, signatures = DOCUMENT_TYPES[ext]
            file.seek(0)
            head = file.read(16)
            file.seek(0)
            if not any(head.startswith(sig) for sig in signatures):
                errors.add(
                    "file",
                    f"{original} is named as a {type_name} file but its content is not {type_name}. "
                    f"Export it as {type_name} again, or give it its real extension.",
                )
        stored_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:DOCUMENT_NAME_MAX] or "document"
    errors.raise_if_any()
    document = EligibilityDocument(firm=firm, kind=kind, description=description)
    with transaction.atomic():
        document.file.save(f"{stored_stem}{ext}", file, save=False)
        document.save()
    return document


def document_remove(*, actor, document: EligibilityDocument) -> None:
    require_admin(actor, document.firm, "remove documents")
    storage, name = document.file.storage, document.file.name
    with transaction.atomic():
        EligibilityDocument.objects.filter(pk=document.pk).delete()
        transaction.on_commit(lambda: storage.delete(name) if name else None)
