"""The firm's pages: sign-up, and the dashboard where its administrators keep its data current; and every account's
page of API tokens.

Thin: forms read the input, services decide and write, selectors read. A refused change re-renders the
dashboard with the form as typed, its messages, and the HTTP status of the refusal.
"""

import functools
import mimetypes
import os

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from bidders import ownership_notice, selectors, services
from bidders.forms import (
    AccountForm,
    AffiliationForm,
    BeneficialOwnerForm,
    DocumentForm,
    FirmForm,
    MemberAddForm,
    MemberRoleForm,
    apply_errors,
)
from bidders.models import Membership
from bidders.roles import firm_of, is_regulator
from core.errors import ApplicationError, NotFound
from core.money import CRORE, format_inr, round_half_up

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
FIRM_FIELDS = list(FirmForm.base_fields)


def signup(request):
    """One page: a new account and the firm it acts for (or only the firm, for a signed-in user without one)."""
    user = request.user
    if user.is_authenticated:
        if firm_of(user) is not None:
            messages.info(request, f"You act for {firm_of(user)} already; here is its dashboard.")
            return redirect("firm:dashboard")
        if is_regulator(user):
            messages.error(request, "Regulator accounts cannot act for a firm. Sign up with a separate account.")
            return redirect("portal:home")
    new_account = not user.is_authenticated
    data = request.POST if request.method == "POST" else None
    account_form = AccountForm(data) if new_account else None
    firm_form = FirmForm(data)
    status = 200
    if request.method == "POST":
        forms_ = [f for f in (account_form, firm_form) if f is not None]
        valid = [f.is_valid() for f in forms_]  # every form, so that every error shows at once
        if all(valid):
            account = {}
            if new_account:
                account = {k: account_form.cleaned_data[k] for k in ("username", "email", "password")}
            try:
                membership = services.firm_register(
                    user=None if new_account else user,
                    **account,
                    **{k: firm_form.cleaned_data[k] for k in FIRM_FIELDS},
                )
            except ApplicationError as error:
                apply_errors(error, *forms_)
                status = error.status_code
            else:
                if new_account:
                    login(request, membership.user, backend=MODEL_BACKEND)
                messages.success(
                    request,
                    f"{membership.firm} is registered, and you are its administrator. Add your colleagues, "
                    "affiliates, beneficial owners and eligibility documents below.",
                )
                return redirect("firm:dashboard")
        else:
            status = 400
    return render(
        request,
        "bidders/signup.html",
        {"account_form": account_form, "firm_form": firm_form, "new_account": new_account},
        status=status,
    )


def _without_firm(request):
    if is_regulator(request.user):
        messages.info(request, "Regulators do not act for a firm; every firm is in the back office.")
        return redirect("admin:bidders_firm_changelist")
    messages.info(
        request,
        f"You are signed in as {request.user.get_username()} but do not act for a firm yet. Register your firm "
        "here, or ask your firm's administrator to add you as a member.",
    )
    return redirect("firm:signup")


def _dashboard(request, firm, *, bound=None, status=200):
    role = selectors.membership_role(user=request.user, firm=firm)
    forms_ = {
        "firm_form": FirmForm(prefix="firm", initial={k: getattr(firm, k) for k in FIRM_FIELDS}),
        "member_form": MemberAddForm(prefix="member"),
        "affiliation_form": AffiliationForm(prefix="affiliation"),
        "owner_form": BeneficialOwnerForm(prefix="owner"),
        "document_form": DocumentForm(prefix="document"),
    }
    forms_.update(bound or {})
    members = list(selectors.firm_members(firm=firm))
    context = {
        "firm": firm,
        "role": role,
        "role_label": Membership.Role(role).label if role else "",
        "is_admin": role == Membership.Role.ADMIN,
        "members": members,
        "role_choices": Membership.Role.choices,
        "affiliations": selectors.firm_affiliations(firm=firm),
        "declared_by": selectors.firm_declared_by(firm=firm),
        "owners": selectors.firm_beneficial_owners(firm=firm),
        "ownership_notice": ownership_notice.NOTICE,
        "ownership_notice_version": ownership_notice.NOTICE_VERSION,
        "owner_share_total": selectors.firm_beneficial_share_total(firm=firm),
        "documents": selectors.firm_documents(firm=firm),
        "net_worth_inr": format_inr(firm.net_worth),
        "net_worth_crore": round_half_up(firm.net_worth / CRORE, 2),
        "open_section": next(iter(bound), "") if bound else "",
        **forms_,
    }
    return render(request, "bidders/dashboard.html", context, status=status)


@login_required
@require_GET
def dashboard(request):
    firm = firm_of(request.user)
    if firm is None:
        return _without_firm(request)
    return _dashboard(request, firm)


def _firm_post(view):
    """For the dashboard's actions: a signed-in member, by POST; a refusal re-renders the dashboard."""

    @functools.wraps(view)
    @login_required
    @require_POST
    def wrapper(request, *args, **kwargs):
        firm = firm_of(request.user)
        if firm is None:
            return _without_firm(request)
        try:
            result = view(request, firm, *args, **kwargs)
        except _Refused as refused:
            if refused.error is not None:
                messages.error(request, refused.error.message)
                status = refused.error.status_code
            else:
                status = 400
            return _dashboard(request, firm, bound=refused.bound, status=status)
        except ApplicationError as error:
            messages.error(request, error.message)
            return _dashboard(request, firm, status=error.status_code)
        message, anchor = result
        messages.success(request, message)
        return redirect(f"{reverse('firm:dashboard')}#{anchor}")

    return wrapper


class _Refused(Exception):
    def __init__(self, bound: dict, error: ApplicationError | None = None):
        self.bound, self.error = bound, error


def _submit(name, form, call):
    """Validate `form`, run `call(cleaned_data)`; on refusal raise _Refused with the form bound."""
    if not form.is_valid():
        raise _Refused({name: form})
    try:
        return call(form.cleaned_data)
    except ApplicationError as error:
        apply_errors(error, form)
        raise _Refused({name: form}, error) from error


def _firm_form(form_class, prefix: str, service, *, success, anchor: str):
    """A dashboard form that adds to the firm (or changes it): `form_class`, bound under `prefix`, read into
    `service(actor=..., firm=..., **its data)`; then `success(result, firm)` is said and the dashboard opens at
    `#anchor`."""

    @_firm_post
    def view(request, firm):
        form = form_class(request.POST, request.FILES, prefix=prefix)
        result = _submit(f"{prefix}_form", form, lambda data: service(actor=request.user, firm=firm, **data))
        return success(result, firm), anchor

    return view


def _firm_remove(get, remove, noun: str, *, success, anchor: str):
    """A dashboard button that removes a row of the firm: `get(firm=..., <noun>_id=pk)` finds it among the firm's
    (404 otherwise), `remove(actor=..., <noun>=it)` removes it; then `success(it, firm)` is said and the dashboard
    opens at `#anchor`."""

    @_firm_post
    def view(request, firm, pk):
        row = get(firm=firm, **{f"{noun}_id": pk})
        remove(actor=request.user, **{noun: row})
        return success(row, firm), anchor

    return view


firm_update = _firm_form(
    FirmForm,
    "firm",
    services.firm_update,
    success=lambda _firm, firm: f"The registered data of {firm} are saved.",
    anchor="firm",
)
member_add = _firm_form(
    MemberAddForm,
    "member",
    services.member_add,
    success=lambda membership, firm: (
        f"{membership.user.get_username()} is now a member of {firm} ({membership.get_role_display().lower()})."
    ),
    anchor="members",
)
member_remove = _firm_remove(
    selectors.membership_get,
    services.member_remove,
    "membership",
    success=lambda membership, firm: f"{membership.user.get_username()} no longer acts for {firm}.",
    anchor="members",
)
affiliation_add = _firm_form(
    AffiliationForm,
    "affiliation",
    services.affiliation_add,
    success=lambda affiliation, _firm: f"{affiliation.affiliate} is declared as an affiliate.",
    anchor="affiliates",
)
affiliation_remove = _firm_remove(
    selectors.affiliation_get,
    services.affiliation_remove,
    "affiliation",
    success=lambda affiliation, _firm: f"{affiliation.affiliate} is no longer declared as an affiliate.",
    anchor="affiliates",
)
beneficial_owner_add = _firm_form(
    BeneficialOwnerForm,
    "owner",
    services.beneficial_owner_add,
    success=lambda owner, _firm: f"{owner.name} is declared as a beneficial owner ({owner.share}%).",
    anchor="owners",
)
beneficial_owner_remove = _firm_remove(
    selectors.beneficial_owner_get,
    services.beneficial_owner_remove,
    "beneficial_owner",
    success=lambda owner, _firm: f"{owner.name} is no longer declared as a beneficial owner.",
    anchor="owners",
)
document_upload = _firm_form(
    DocumentForm,
    "document",
    services.document_upload,
    success=lambda document, _firm: f"{document.get_kind_display()} uploaded.",
    anchor="documents",
)
document_remove = _firm_remove(
    selectors.document_get,
    services.document_remove,
    "document",
    success=lambda document, _firm: f"{document.get_kind_display()} removed.",
    anchor="documents",
)


@_firm_post
def member_role(request, firm, pk):
    membership = selectors.membership_get(firm=firm, membership_id=pk)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        raise ApplicationError("Choose a role: administrator, authorised bidder or viewer.")
    membership = services.member_role_set(actor=request.user, membership=membership, role=form.cleaned_data["role"])
    return f"{membership.user.get_username()} is now {membership.get_role_display().lower()}.", "members"


@login_required
@require_GET
def document_download(request, pk):
    """A document, for its firm's members and for regulators; to anyone else it does not exist."""
    try:
        document = selectors.document_get_for_reader(user=request.user, document_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    name = os.path.basename(document.file.name)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file of this document is missing; upload it again.") from error
    response = FileResponse(handle, filename=name, content_type=mimetypes.guess_type(name)[0])
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- The account's API tokens ----------------------------------------------------------------------------------


@login_required
@require_GET
def api_tokens(request):
    """Every signed-in user's list of their API tokens (never the tokens: they are not kept), to revoke them."""
    context = {
        "tokens": selectors.api_tokens(user=request.user),
        "now": timezone.now(),
        "token_days": settings.API_TOKEN_DAYS,
        "tokens_per_user": settings.API_TOKENS_PER_USER,
    }
    return render(request, "bidders/api_tokens.html", context)


@login_required
@require_POST
def api_token_revoke(request, pk):
    try:
        token = services.auth_token_revoke(user=request.user, token_id=pk)
    except NotFound as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The token “{token.name}” is revoked: the program using it is refused from now on.")
    return redirect("account:api_tokens")


@login_required
@require_POST
def api_tokens_revoke_all(request):
    count = services.auth_tokens_revoke_all(user=request.user)
    messages.success(request, f"All your API tokens are revoked ({count}): every program must be issued a new one.")
    return redirect("account:api_tokens")
