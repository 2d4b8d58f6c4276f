"""Every write of clearance cases, one module per phase: `filing` (file, withdraw), `stages` (advance, query, answer),
`decisions` (decide, revoke, contest), `silence` (the sweeper: silence effects and escalations), `documents`; under
them `due_dates` (each stage's target in the register of due dates), `outcomes` (how a case ends, and the lease
milestone it meets) and `common` (locks, who acts and when, the clock's storage, the ledger, notices).

Every function is keyword-only, checks the actor's right itself (`clearances.permissions`), runs in one short
transaction under the case's row lock, writes one entry of the case's ledger stream (`clearance:<pk>`), and raises
`core.errors.ApplicationError` (400, naming the field), `PermissionDenied` (403), `NotFound` (404) or `Conflict`
(409) with a message a person can act on, having changed nothing."""

from clearances.services.decisions import case_contest, case_decide, case_revoke
from clearances.services.documents import document_add, document_error
from clearances.services.due_dates import case_due_dates_sync
from clearances.services.filing import case_file, case_withdraw
from clearances.services.silence import clearances_sweep, stage_settle
from clearances.services.stages import query_answer, query_raise, stage_advance

__all__ = [
    "case_contest",
    "case_decide",
    "case_due_dates_sync",
    "case_file",
    "case_revoke",
    "case_withdraw",
    "clearances_sweep",
    "document_add",
    "document_error",
    "query_answer",
    "query_raise",
    "stage_advance",
    "stage_settle",
]
