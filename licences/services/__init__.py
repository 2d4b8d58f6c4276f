"""Every write of the licence register, one module per phase of the Rules: the licence of an auction's winner
(`award`), `payments`, the Letter of Intent to the deed (`milestones`), `revocation`, `premium`; an exploration
licence's term (`exploration`: grant, extension, expiry) and its holder's filings (`reports`: work-programme
reports, relinquishment, discovery); surrender and termination (`ending`); area `proposals`. Under them: `records`
(numbering, `licence_move` checked against the lifecycle and written to the history and the ledger, obligations and
their deadlines) and `guards` (locks, what each act checks first, input parsing).

Every function is keyword-only, checks the actor's role itself (a page, the API and a script cannot disagree),
runs in one short `transaction.atomic()`, and writes the licence's history and ledger through `licence_move` /
`licence_record`. The law is in `licences.rules` (pure); each figure is kept with its basis text. Callers read
`from licences import services; services.payment_record(...)`.
"""

from licences.selectors.common import params_of, today
from licences.selectors.dues import amount_due
from licences.services.award import instalment_basis, licence_create, licence_create_from_auction
from licences.services.ending import (
    licence_security_release,
    licence_surrender_accept,
    licence_surrender_notify,
    licence_terminate,
)
from licences.services.exploration import (
    el_expire,
    el_extend,
    el_extension_request,
    el_grant,
    el_grant_check,
    el_grant_record,
    el_sweep,
    granted_on,
)
from licences.services.guards import exploration_url
from licences.services.milestones import (
    execution_record,
    licence_execute,
    licence_issue_loi,
    licence_sign_mdpa,
    loi_record,
    milestone_met_by_decision,
    obligation_mark_met,
)
from licences.services.payments import first_dues_met, payment_confirm, payment_record, payment_reject
from licences.services.premium import premium_return_file
from licences.services.proposals import (
    area_proposal_accept,
    area_proposal_create,
    area_proposal_reject,
    suggested_block_code,
)
from licences.services.records import (
    licence_lock,
    licence_move,
    licence_number,
    licence_record,
    members_of,
    obligation_add,
    obligation_settle,
    regulators,
    require_holder,
    require_regulator,
)
from licences.services.reports import document_error, el_discovery_report, el_relinquish, el_report_file
from licences.services.revocation import licence_revoke

__all__ = [
    "amount_due",
    "area_proposal_accept",
    "area_proposal_create",
    "area_proposal_reject",
    "document_error",
    "el_discovery_report",
    "el_expire",
    "el_extend",
    "el_extension_request",
    "el_grant",
    "el_grant_check",
    "el_grant_record",
    "el_relinquish",
    "el_report_file",
    "el_sweep",
    "execution_record",
    "exploration_url",
    "first_dues_met",
    "granted_on",
    "instalment_basis",
    "licence_create",
    "licence_create_from_auction",
    "licence_execute",
    "licence_issue_loi",
    "licence_lock",
    "licence_move",
    "licence_number",
    "licence_record",
    "licence_revoke",
    "licence_security_release",
    "licence_sign_mdpa",
    "licence_surrender_accept",
    "licence_surrender_notify",
    "licence_terminate",
    "loi_record",
    "members_of",
    "milestone_met_by_decision",
    "obligation_add",
    "obligation_mark_met",
    "obligation_settle",
    "payment_confirm",
    "payment_record",
    "payment_reject",
    "params_of",
    "premium_return_file",
    "regulators",
    "require_holder",
    "require_regulator",
    "suggested_block_code",
    "today",
]
