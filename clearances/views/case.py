"""The page of one clearance case, and the acts done from it.

Anyone may read a case's public record here (its stages and clock, decisions with reasons, public documents). The
case's own people see more, and act by their part in it (`clearances.selectors.viewer.case_access`, over the pure
`clearances.permissions`): the applicant's administrators and bidders answer queries, move their own stages,
withdraw, add documents; the authority's officers raise queries, move stages on, decide with reasons, contest a
deemed decision, add documents; a regulator records those acts on behalf of an authority that does not use Khanij,
with the date and the authority's reference; the facilitation desk and the supervising office read everything
and act on nothing. Each act is one service call (clearances.services), which checks the actor again: a refusal
comes back on the page, next to the field it is about, with the HTTP status of the refusal; nothing is changed.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from bidders.forms import apply_errors
from clearances import services as svc
from clearances.forms import AdvanceForm, AnswerForm, ContestForm, DecideForm, QueryForm, ReasonsForm, UploadForm
from clearances.models import Case, Stage
from clearances.selectors.cases import revocable
from clearances.selectors.lists import case_view
from clearances.selectors.viewer import Access, case_access
from clearances.views.common import day, today
from core.errors import ApplicationError, NotFound

FORMS = {
    "query": QueryForm,
    "answer": AnswerForm,
    "advance": AdvanceForm,
    "decide": DecideForm,
    "contest": ContestForm,
    "withdraw": ReasonsForm,
    "revoke": ReasonsForm,
    "upload": UploadForm,
}


def with_case(view):
    """The case `pk` as the user may see it (404 for no such case)."""

    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        try:
            access = case_access(user=request.user, case_id=pk)
        except NotFound:
            raise Http404(f"There is no clearance case {pk}.") from None
        return view(request, access, *args, **kwargs)

    return wrapper


def _acts(access: Access, view) -> dict[str, bool]:
    """Which forms the page offers this viewer (the services decide; the page offers what can make sense)."""
    case, current = access.case, view.current
    stage = current.stage if current else None
    open_query = view.open_query is not None
    authority = access.authority_acts or (case.is_open and access.records_on_behalf)
    pending_after = stage is not None and any(
        s.stage.position > stage.position and s.stage.status == Stage.Status.PENDING for s in view.stages
    )
    deemed = case.outcome == Case.Outcome.DEEMED and not case.contested
    for_authority = case.authority_id in access.actor.authority_ids or access.records_on_behalf
    return {
        "answer": open_query and (access.applicant_acts or authority),
        "query": authority and stage is not None and not open_query and stage.owner == Stage.Owner.AUTHORITY,
        "advance": stage is not None
        and pending_after
        and (
            (stage.owner == Stage.Owner.APPLICANT and (access.applicant_acts or authority))
            or (stage.owner == Stage.Owner.AUTHORITY and authority)
        ),
        "decide": authority and stage is not None,
        "withdraw": access.applicant_acts,
        "contest": deemed and for_authority,
        "revoke": for_authority and revocable(case, view.on),
        "upload": access.full and (access.applicant_acts or access.authority_acts or access.records_on_behalf),
    }  # fmt: skip


def _page(request, access: Access, *, forms=None, status=200):
    view = case_view(access.case, on=today(), full=access.full)
    acts = _acts(access, view)
    forms = forms or {}
    context = {
        "access": access,
        "view": view,
        "case": view.case,
        "current": view.current,
        "acts": acts,
        "any_act": any(acts.values()),
        "recording": access.records_on_behalf and not access.authority_acts,
        "forms": {name: forms.get(name) or form_class(prefix=name) for name, form_class in FORMS.items()},
    }
    return render(request, "clearances/case.html", context, status=status)


@require_GET
@with_case
def case_page(request, access):
    return _page(request, access)


def _act(name: str, call, *, success):
    """The view of one act from the case's page: the form `name` read, `call(request, access, data)` made;
    `success(result)` said and the case's page shown again; a refusal shown next to its field."""

    @require_POST
    @with_case
    def view(request, access):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form = FORMS[name](request.POST, request.FILES, prefix=name)
        if not form.is_valid():
            messages.error(request, "Nothing was done: correct the fields marked below.")
            return _page(request, access, forms={name: form}, status=400)
        try:
            result = call(request, access, form.cleaned_data, form)
        except ApplicationError as error:
            apply_errors(error, form)
            messages.error(request, error.message)
            fresh = case_access(user=request.user, case_id=access.case.pk)
            return _page(request, fresh, forms={name: form}, status=error.status_code)
        messages.success(request, success(result))
        return redirect("clearances:case", pk=access.case.pk)

    view.__name__ = f"case_{name}"
    return view


query = _act(
    "query",
    lambda request, access, data, form: svc.query_raise(
        actor=request.user, case_id=access.case.pk, text=data["text"], **form.acted()
    ),
    success=lambda q: f"Query raised on {day(q.raised_on)}: the clock is stopped until the applicant answers.",
)
answer = _act(
    "answer",
    lambda request, access, data, form: svc.query_answer(
        actor=request.user, case_id=access.case.pk, answer=data["answer"], **form.acted()
    ),
    success=lambda q: f"Answered on {day(q.answered_on)}: the clock runs again.",
)
advance = _act(
    "advance",
    lambda request, access, data, form: svc.stage_advance(
        actor=request.user, case_id=access.case.pk, note=data["note"], **form.acted()
    ),
    success=lambda result: "The stage is closed and the next one has started.",
)
decide = _act(
    "decide",
    lambda request, access, data, form: svc.case_decide(
        actor=request.user,
        case_id=access.case.pk,
        outcome=data["outcome"],
        reasons=data["reasons"],
        conditions=data["conditions"],
        valid_until=data["valid_until"],
        **form.acted(),
    ),
    success=lambda d: f"{d.get_outcome_display()} on {day(d.decided_on)}, with reasons; the applicant is told.",
)
contest = _act(
    "contest",
    lambda request, access, data, form: svc.case_contest(
        actor=request.user,
        case_id=access.case.pk,
        reasons=data["reasons"],
        conditions=data["conditions"],
        **form.acted(),
    ),
    success=lambda d: (
        f"The decision contesting the deemed one is recorded ({day(d.decided_on)}); the deemed "
        "decision stands beside it, unchanged."
    ),
)
withdraw = _act(
    "withdraw",
    lambda request, access, data, form: svc.case_withdraw(
        actor=request.user, case_id=access.case.pk, reasons=data["reasons"]
    ),
    success=lambda d: f"The case is withdrawn ({day(d.decided_on)}).",
)
revoke = _act(
    "revoke",
    lambda request, access, data, form: svc.case_revoke(
        actor=request.user, case_id=access.case.pk, reasons=data["reasons"]
    ),
    success=lambda d: f"The forest clearance Stage I is revoked ({day(d.decided_on)}).",
)
upload = _act(
    "upload",
    lambda request, access, data, form: svc.document_add(
        actor=request.user,
        case_id=access.case.pk,
        file=data["file"],
        description=data["description"],
        public=data["public"],
    ),
    success=lambda doc: f"{doc.name} is added to the case" + (" and is public." if doc.public else "."),
)
