"""A case's documents: a PDF (checked by its content, not its name) within the size setting, in private storage with
its size and sha256; added by the applicant or the authority's side; public only when marked so."""

import hashlib
import os
import re

from django.core.files.base import ContentFile
from django.db import transaction

from clearances import permissions
from clearances.models import Case, Document
from clearances.pdf import document_problem
from clearances.selectors.access import actor_for, case_facts
from clearances.services import common
from core.errors import ApplicationError, NotFound, PermissionDenied

NAME_MAX = 120


def document_error(upload) -> str | None:
    """Why `upload` is not accepted as a case document, or None: the one check of `clearances.pdf` (a real PDF, by
    its structure, within the setting CLEARANCE_DOCUMENT_MAX_BYTES), which the pages and the API also run first."""
    return document_problem(upload)


def _require_party(actor, case) -> None:
    facts = actor_for(actor, case.licence)
    about = case_facts(case)
    if not (
        permissions.may_act_as_applicant(facts)
        or permissions.may_act_as_authority(facts, about)
        or permissions.may_record_on_behalf(facts, about)
    ):
        raise PermissionDenied("Only the applicant, the authority's officers or a regulator may add documents.")


def document_add(
    *, actor, case_id, file, description: str = "", public: bool = False, stage: str | None = None
) -> Document:
    """Store a PDF for the case (the applicant's members who act, the authority's officers, or a regulator). The file
    is written before the short transaction (checked who may first) and removed again if the act fails."""
    problem = document_error(file)
    if problem:
        raise ApplicationError(problem, fields={"file": [problem]})
    description = common.text_input(description, "description", "description", limit=300, required=False)
    case = Case.objects.select_related("authority", "licence").filter(pk=case_id).first()
    if case is None:
        raise NotFound(f"There is no clearance case {case_id}.")
    _require_party(actor, case)
    content = file.read()
    file.seek(0)
    digest = hashlib.sha256(content).hexdigest()
    original = os.path.basename(getattr(file, "name", "") or "document.pdf")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", os.path.splitext(original)[0]).strip("-.")[:NAME_MAX] or "document"
    document = Document(name=original[:200], description=description, size=len(content), sha256=digest,
                        public=bool(public), uploaded_by=actor)  # fmt: skip
    field = Document._meta.get_field("file")
    stored = field.storage.save(field.generate_filename(document, f"{stem}.pdf"), ContentFile(content))
    try:
        with transaction.atomic():
            case = common.lock_case(case_id)
            _require_party(actor, case)
            at = case.stages.filter(code=stage).first() if stage else None
            if stage and at is None:
                raise ApplicationError(f"The case has no stage {stage!r}.", fields={"stage": ["No such stage."]})
            document.case, document.stage, document.file.name = case, at, stored
            document.save()
            common.case_record(case, "document_added", {
                "document": document.pk, "name": document.name, "size": document.size, "sha256": digest,
                "public": document.public, "by": actor.get_username(),
            })  # fmt: skip
    except BaseException:
        field.storage.delete(stored)
        raise
    return document
