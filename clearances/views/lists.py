"""The lists of clearance cases, one page per part people play: the applicant's cases (and filing a new one), an
officer's queue, the facilitation desk's board, the regulator's view. Each list is one query for its page and one
for its count (clearances.selectors.lists), whatever the number of cases.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from authorities.models import Authority
from bidders.forms import apply_errors
from bidders.rules import may_act
from blocks.constants import LeaseKind
from clearances import services as svc
from clearances.forms import FileForm
from clearances.models import Case
from clearances.selectors import board as board_sel
from clearances.selectors import lists as sel
from clearances.selectors.cases import licence_needs
from clearances.views.common import day, for_viewers, today
from core.errors import ApplicationError
from licences.models import Licence

PAGE_SIZE = 50
BOARD_FILTERS = ("status", "kind", "authority", "fast_track", "overdue", "escalated", "on_behalf")


class CountedPaginator(Paginator):
    """A paginator told its count (counted by a cheaper query than the list's own)."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._count = count

    @property
    def count(self) -> int:
        return self._count


def _page(request, rows, *, count: int | None = None):
    paginator = Paginator(rows, PAGE_SIZE) if count is None else CountedPaginator(rows, PAGE_SIZE, count=count)
    return paginator.get_page(request.GET.get("page"))


# --- The applicant ---------------------------------------------------------------------------------------------


@require_GET
@for_viewers(
    lambda v: bool(v.firm_roles),
    title="For licence holders",
    message="This page lists the clearance cases of your firm's licences; sign in as a member of a firm.",
)
def firm_cases(request, viewer):
    on = today()
    licences = list(
        Licence.objects.filter(holder_id=viewer.firm_id, kind__in=(LeaseKind.ML, LeaseKind.CL))
        .select_related("block")
        .order_by("number")
    )
    context = {
        "viewer": viewer,
        "page": _page(request, sel.applicant_cases(firm_id=viewer.firm_id, on=on)),
        "licences": licences,
        "acts": may_act(viewer.firm_roles.get(viewer.firm_id)),
        "on": on,
    }
    return render(request, "clearances/firm_cases.html", context)


def _licence_of(pk) -> Licence:
    licence = Licence.objects.select_related("block", "holder").filter(pk=pk).first()
    if licence is None:
        raise Http404(f"There is no licence {pk}.")
    return licence


def _file_page(request, viewer, licence, *, form=None, status=200):
    needs = licence_needs(licence)
    open_kinds = set(Case.objects.filter(licence=licence, status__in=Case.OPEN_STATUSES).values_list("kind", flat=True))
    standing = set(
        Case.objects.filter(licence=licence, outcome__in=Case.STANDING_OUTCOMES).values_list("kind", flat=True)
    )
    fileable = [k for k in (*needs.kinds, *needs.undetermined) if k not in open_kinds | standing]
    if Case.Kind.GROUNDWATER not in fileable and Case.Kind.GROUNDWATER not in open_kinds | standing:
        fileable.append(Case.Kind.GROUNDWATER)  # needed once the applicant declares groundwater use below
    context = {
        "licence": licence,
        "needs": needs,
        "open_kinds": open_kinds,
        "standing": standing,
        "form": form or FileForm(kinds=fileable),
        "acts": may_act(viewer.firm_roles.get(licence.holder_id)),
        "cases": list(sel.applicant_cases(firm_id=licence.holder_id, on=today()).filter(licence=licence)),
    }
    return render(request, "clearances/file.html", context, status=status)


@require_http_methods(["GET", "POST"])
@for_viewers(
    lambda v: bool(v.firm_roles),
    title="For licence holders",
    message="A clearance case is filed by the licence holder's administrators and bidders.",
)
def file_case(request, viewer, pk):
    licence = _licence_of(pk)
    if licence.holder_id not in viewer.firm_roles:
        message = f"{licence.number} is held by {licence.holder.legal_name}; only its members file its cases."
        context = {"title": "Not your licence", "message": message, "viewer": viewer}
        return render(request, "clearances/forbidden.html", context, status=403)
    if request.method == "GET":
        return _file_page(request, viewer, licence)
    form = FileForm(request.POST, kinds=[k for k, _ in Case.Kind.choices])
    if not form.is_valid():
        messages.error(request, "Nothing was filed: correct the fields marked below.")
        return _file_page(request, viewer, licence, form=form, status=400)
    data = form.cleaned_data
    try:
        case = svc.case_file(
            actor=request.user,
            licence_id=licence.pk,
            kind=data["kind"],
            external_reference=data["external_reference"],
            groundwater_use=data["groundwater_use"] or None,
            groundwater_m3_per_day=data["groundwater_m3_per_day"],
        )
    except ApplicationError as error:
        apply_errors(error, form)
        messages.error(request, error.message)
        return _file_page(request, viewer, licence, form=form, status=error.status_code)
    note = " It is on the fast track." if case.fast_track else ""
    messages.success(request, f"Filed with {case.authority.name} on {day(case.filed_on)}.{note}")
    return redirect("clearances:case", pk=case.pk)


# --- The authority's officers -------------------------------------------------------------------------------------


@require_GET
@for_viewers(
    lambda v: v.is_officer,
    title="For officers",
    message="The queue lists the cases of the bodies you are an officer of; ask an administrator to appoint you.",
)
def officer_queue(request, viewer):
    on = today()
    bodies = [b for b in viewer.authorities if not b.facilitation_desk]
    context = {
        "viewer": viewer,
        "bodies": bodies,
        "page": _page(request, sel.officer_queue(authority_ids=viewer.authority_ids, on=on)),
        "overdue": list(board_sel.overdue_stages(viewer=viewer, on=on, authority_ids=viewer.authority_ids)[:100]),
        "supervised": list(
            board_sel.overdue_stages(viewer=viewer, on=on, authority_ids=viewer.supervised_ids)[:100]
        ) if viewer.supervised_ids else [],
        "decided": list(sel.decided_by(authority_ids=viewer.authority_ids, on=on)[:20]),
        "on": on,
    }  # fmt: skip
    return render(request, "clearances/queue.html", context)


# --- The facilitation desk and the regulators -----------------------------------------------------------------------


def _board(request, viewer, *, mode: str, defaults: dict):
    on = today()
    filters = {name: request.GET.get(name, defaults.get(name, "")) for name in BOARD_FILTERS}
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "viewer": viewer,
        "mode": mode,
        "filters": filters,
        "query": query.urlencode(),
        "kinds": Case.Kind.choices,
        "statuses": Case.Status.choices,
        "authorities": Authority.objects.filter(Exists(Case.objects.filter(authority=OuterRef("pk"))))
        .order_by("name")
        .only("code", "name"),
        "page": _page(
            request,
            sel.all_cases(viewer=viewer, on=on, filters=filters),
            count=sel.count_cases(viewer=viewer, on=on, filters=filters),
        ),
        "overdue": list(board_sel.overdue_stages(viewer=viewer, on=on)[:100]),
        "overdue_count": board_sel.overdue_stages(viewer=viewer, on=on).count(),
        "escalated": list(board_sel.escalated_stages(viewer=viewer, on=on)[:100]),
        "on": on,
    }
    return render(request, "clearances/board.html", context)


@require_GET
@for_viewers(
    lambda v: v.desk or v.regulator,
    title="For the facilitation desk",
    message="The board of every clearance case is for the Ministry of Mines' facilitation desk and regulators.",
)
def desk_board(request, viewer):
    return _board(request, viewer, mode="desk", defaults={})


@require_GET
@for_viewers(
    lambda v: v.regulator,
    title="Regulators only",
    message="This view is for regulators, who record the moves of authorities that do not use Khanij.",
)
def regulator_board(request, viewer):
    return _board(request, viewer, mode="regulator", defaults={})
