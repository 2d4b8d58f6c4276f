"""Every write to firms, their people, affiliates, beneficial owners and documents (HackSoft style).

One function per use case, keyword-only arguments, one short transaction each, in a module per concern:
`firms` (registration, particulars), `members`, `ownership` (affiliates, beneficial owners), `documents`,
`tokens` (API tokens); `access` says who may change a firm (its administrators) and `input` reads what a person typed.
Callers read `from bidders import services; services.member_add(...)`.
"""

from bidders.services.documents import document_remove, document_upload
from bidders.services.firms import firm_register, firm_update
from bidders.services.input import DOCUMENT_MAX_BYTES, DOCUMENT_TYPES, FIRM_FIELDS
from bidders.services.members import member_add, member_remove, member_role_set
from bidders.services.ownership import (
    affiliation_add,
    affiliation_remove,
    beneficial_owner_add,
    beneficial_owner_remove,
)
from bidders.services.tokens import (
    IssuedToken,
    auth_token_issue,
    auth_token_logout,
    auth_token_revoke,
    auth_tokens_revoke_all,
)

__all__ = [
    "DOCUMENT_MAX_BYTES",
    "DOCUMENT_TYPES",
    "FIRM_FIELDS",
    "IssuedToken",
    "affiliation_add",
    "affiliation_remove",
    "auth_token_issue",
    "auth_token_logout",
    "auth_token_revoke",
    "auth_tokens_revoke_all",
    "beneficial_owner_add",
    "beneficial_owner_remove",
    "document_remove",
    "document_upload",
    "firm_register",
    "firm_update",
    "member_add",
    "member_remove",
    "member_role_set",
]
