"""The post-auction pages of a licence (payments, milestones, premium) for its holder's members and regulators,
and the regulator's queue. Thin: forms read the input, licences.services decides and writes; a refusal
comes back as a message next to the field it is about (and at the top), with the form as typed and the HTTP
status of the refusal. Plain forms: everything works without JavaScript."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bidders.forms import apply_errors
from bidders.roles import is_regulator
from core.errors import ApplicationError, NotFound, PermissionDenied
from core.money import format_inr
from licences import lifecycle
from licences import services as svc
from licences.forms.lease import (
    ExecuteForm,
    MdpaForm,
    MetForm,
    PaymentForm,
    PremiumReturnForm,
    RejectForm,
    RevokeForm,
)
from licences.models import Licence, Obligation, Payment
from licences.selectors import dues as sel

Kind = Obligation.Kind


def _forbidden(request, title: str, message: str, link=None, status=403):
    return render(request, "licences/post/forbidden.html", {"title": title, "message": message, "link": link},
                  status=status)  # fmt: skip


def licence_page(view):
    """The holder's members (any role; viewers see but cannot act) and regulators. Anonymous visitors log in
    first; anyone else gets 403, an unknown licence 404."""

    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            licence, role = sel.licence_access(user=request.user, licence_id=pk)
        except NotFound:
            raise Http404(f"There is no licence {pk}.") from None
        except PermissionDenied as error:
            return _forbidden(request, "Not your licence", error.message, link=(f"/licences/{pk}/", "Public record"))
        return view(request, licence, role, *args, **kwargs)

    return wrapper


def regulator_only(view):
    """A regulator's button on a licence page: anyone else gets 403 (the service refuses them too)."""

    @wraps(view)
    def wrapper(request, licence, role, *args, **kwargs):
        if role != sel.REGULATOR:
            return _forbidden(
                request,
                "Regulators only",
                "Confirming payments, the Letter of Intent, milestones, execution and revocation are the "
                f"regulator's acts; {request.user.get_username()} is not a regulator account.",
                link=(reverse("licence_post:milestones", kwargs={"pk": licence.pk}), "Back to the licence"),
            )
        return view(request, licence, role, *args, **kwargs)

    return wrapper


def _refused(request, error: ApplicationError, form=None) -> int:
    if form is not None:
        apply_errors(error, form)
    messages.error(request, error.message)
    return error.status_code


def _common(licence: Licence, role: str) -> dict:
    return {
        "licence": licence,
        "role": role,
        "is_regulator": role == sel.REGULATOR,
        "can_act": sel.can_act(role),
        "public_url": f"/licences/{licence.pk}/",
        "money": {
            "security": format_inr(licence.performance_security),
            "upfront": format_inr(licence.upfront_payment),
            "ver": format_inr(licence.value_of_estimated_resources),
        },
    }


# --- Payments -------------------------------------------------------------------------------------------------


def _payments_page(request, licence, role, *, form=None, reject_forms=None, status=200):
    rows = [
        r
        for r in sel.obligation_rows(licence, kinds=Obligation.MONEY_KINDS)
        if r["kind"] != Kind.PREMIUM or r["status"] in (Obligation.Status.PENDING, Obligation.Status.SUBMITTED)
    ]
    open_dues = [r["obligation"] for r in rows if r["payable"]]
    awaiting = list(sel.payments_awaiting(licence))
    reject_forms = reject_forms or {}
    context = {
        **_common(licence, role),
        "rows": rows,
        "form": form or PaymentForm(obligations=open_dues),
        "open_dues": open_dues,
        "awaiting": [
            {"payment": p, "reject_form": reject_forms.get(p.pk) or RejectForm(prefix=f"reject-{p.pk}")}
            for p in awaiting
        ],
        "history": list(licence.payments.select_related("obligation", "decided_by").order_by("-paid_on", "-id")),
        "loi_ready": sel.loi_ready(licence),
    }
    return render(request, "licences/post/payments.html", context, status=status)


def _holder_files(request, licence, role, form, call, *, page, follow_only: str, not_done: str, success, then):
    """A form of the holder's (a payment, a premium return): `call(cleaned_data)` records it. A regulator or a
    viewer (403), an invalid form (400) and the service's refusal come back on `page` with the form as typed;
    then `success(result)` is said and the browser goes to the page `then`."""
    if not sel.can_act(role):
        who = "a regulator" if role == sel.REGULATOR else f"a {role} of {licence.holder.legal_name}"
        messages.error(request, f"As {who} you may {follow_only}.")
        return page(request, licence, role, form=form, status=403)
    if not form.is_valid():
        messages.error(request, f"{not_done}: correct the fields marked below.")
        return page(request, licence, role, form=form, status=400)
    try:
        result = call(form.cleaned_data)
    except ApplicationError as error:
        status = _refused(request, error, form)
        return page(request, licence, role, form=form, status=status)
    messages.success(request, success(result))
    return redirect(then, pk=licence.pk)


@require_http_methods(["GET", "POST"])
@licence_page
def payments(request, licence, role):
    if request.method == "GET":
        return _payments_page(request, licence, role)
    open_dues = [r["obligation"] for r in sel.obligation_rows(licence, kinds=Obligation.MONEY_KINDS) if r["payable"]]
    return _holder_files(
        request,
        licence,
        role,
        PaymentForm(request.POST, obligations=open_dues),
        lambda data: svc.payment_record(
            actor=request.user,
            licence_id=licence.pk,
            obligation_id=data["obligation"],
            amount=data["amount"],
            reference=data["reference"],
            paid_on=data["paid_on"],
        ),
        page=_payments_page,
        follow_only="follow the payments but not record them",
        not_done="The payment was not recorded",
        success=lambda payment: (
            f"Your payment of {format_inr(payment.amount)} (reference {payment.reference}) for "
            f"{payment.obligation.title} is recorded; the regulator confirms it."
        ),
        then="licence_post:payments",
    )


def _payment_of(licence, payment_id) -> Payment:
    return get_object_or_404(Payment.objects.select_related("obligation"), pk=payment_id, licence=licence)


@require_POST
@licence_page
@regulator_only
def payment_confirm(request, licence, role, payment_id):
    payment = _payment_of(licence, payment_id)
    try:
        payment = svc.payment_confirm(actor=request.user, payment_id=payment.pk)
    except ApplicationError as error:
        return _payments_page(request, licence, role, status=_refused(request, error))
    late = f" Interest for late payment: {format_inr(payment.interest)}." if payment.interest else ""
    ready = " The Letter of Intent can now be issued." if sel.loi_ready(licence) else ""
    messages.success(request, f"Confirmed: {payment.obligation.title} is met.{late}{ready}")
    return redirect("licence_post:payments", pk=licence.pk)


@require_POST
@licence_page
@regulator_only
def payment_reject(request, licence, role, payment_id):
    payment = _payment_of(licence, payment_id)
    form = RejectForm(request.POST, prefix=f"reject-{payment.pk}")
    if not form.is_valid():
        messages.error(request, "The payment was not rejected: give the reason.")
        return _payments_page(request, licence, role, reject_forms={payment.pk: form}, status=400)
    try:
        svc.payment_reject(actor=request.user, payment_id=payment.pk, reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        status = _refused(request, error, form)
        return _payments_page(request, licence, role, reject_forms={payment.pk: form}, status=status)
    messages.success(request, f"The payment {payment.reference} is rejected; the firm is told why.")
    return redirect("licence_post:payments", pk=licence.pk)


# --- Milestones -------------------------------------------------------------------------------------------------


def _milestones_page(request, licence, role, *, forms=None, status=200):
    forms = forms or {}
    page = sel.milestone_page(licence)
    for row in page["rows"]:
        if row["markable"]:
            row["form"] = forms.get(("met", row["id"])) or MetForm(prefix=f"met-{row['id']}")
    context = {
        **_common(licence, role),
        **page,
        "mdpa_form": forms.get("mdpa") or MdpaForm(),
        "execute_form": forms.get("execute") or ExecuteForm(),
        "revoke_form": forms.get("revoke") or RevokeForm(),
    }
    return render(request, "licences/post/milestones.html", context, status=status)


@require_GET
@licence_page
def milestones(request, licence, role):
    return _milestones_page(request, licence, role)


def _act(request, licence, role, call, *, form=None, key=None, success):
    """Run a regulator's act from the milestones page: its message on success, its refusal next to the form."""
    if form is not None and not form.is_valid():
        messages.error(request, "Nothing was recorded: correct the field marked below.")
        return _milestones_page(request, licence, role, forms={key: form}, status=400)
    try:
        result = call(form.cleaned_data if form is not None else {})
    except ApplicationError as error:
        status = _refused(request, error, form)
        fresh = Licence.objects.select_related("holder", "block", "parent_el__holder", "auction").get(pk=licence.pk)
        return _milestones_page(request, fresh, role, forms={key: form} if form is not None else None, status=status)
    messages.success(request, success(result))
    return redirect("licence_post:milestones", pk=licence.pk)


def _licence_act(service, *, success, form_class=None, key=None):
    """The view of a regulator's act on a licence from the milestones page (see _act): `service(actor=...,
    licence_id=..., **the form's data)`; the form, if any, is `form_class` and the page knows it by `key`."""

    @require_POST
    @licence_page
    @regulator_only
    def view(request, licence, role):
        return _act(
            request,
            licence,
            role,
            lambda data: service(actor=request.user, licence_id=licence.pk, **data),
            form=form_class(request.POST) if form_class is not None else None,
            key=key,
            success=success,
        )

    return view


loi = _licence_act(
    svc.licence_issue_loi,
    success=lambda lic: f"The Letter of Intent is issued on {lic.awarded_on:%d %b %Y}; the milestones are set from it.",
)
mdpa = _licence_act(
    svc.licence_sign_mdpa,
    form_class=MdpaForm,
    key="mdpa",
    success=lambda lic: f"The development agreement is signed; {lic.holder.legal_name} is the successful bidder.",
)
execute = _licence_act(
    svc.licence_execute,
    form_class=ExecuteForm,
    key="execute",
    success=lambda lic: (
        f"The deed is executed: {lic.number} is in force from {lic.starts_on:%d %b %Y} to {lic.expires_on:%d %b %Y}."
    ),
)
revoke = _licence_act(
    svc.licence_revoke,
    form_class=RevokeForm,
    key="revoke",
    success=lambda lic: f"{lic.number} is revoked for default; its block is back in the registry for a new auction.",
)


@require_POST
@licence_page
@regulator_only
def obligation_met(request, licence, role, obligation_id):
    obligation = get_object_or_404(Obligation, pk=obligation_id, licence=licence)
    form = MetForm(request.POST, prefix=f"met-{obligation.pk}")

    def done(ob):
        penalty = f" Delay penalty {format_inr(ob.penalty)}: {ob.penalty_basis}" if ob.penalty else " On time."
        return f"{ob.title} is met on {ob.met_on:%d %b %Y}.{penalty}"

    return _act(
        request,
        licence,
        role,
        lambda data: svc.obligation_mark_met(actor=request.user, obligation_id=obligation.pk, met_on=data["met_on"]),
        form=form,
        key=("met", obligation.pk),
        success=done,
    )


# --- Premium -------------------------------------------------------------------------------------------------------


def _premium_page(request, licence, role, *, form=None, status=200):
    months = sel.premium_months(licence)
    minerals = list(licence.minerals.order_by("name"))
    context = {
        **_common(licence, role),
        "months": months,
        "totals": sel.premium_totals(months),
        "form": form or PremiumReturnForm(minerals=minerals),
        "in_force": licence.status == Licence.Status.ACTIVE and licence.kind in lifecycle.LEASES,
        "shares": list(sel.el_shares(licence)),
    }
    return render(request, "licences/post/premium.html", context, status=status)


@require_http_methods(["GET", "POST"])
@licence_page
def premium(request, licence, role):
    if request.method == "GET":
        return _premium_page(request, licence, role)
    return _holder_files(
        request,
        licence,
        role,
        PremiumReturnForm(request.POST, minerals=licence.minerals.order_by("name")),
        lambda data: svc.premium_return_file(actor=request.user, licence_id=licence.pk, **data),
        page=_premium_page,
        follow_only="follow the premium but not file returns",
        not_done="The return was not filed",
        success=lambda filed: (
            f"The return for {filed.month:%B %Y} is filed: premium {format_inr(filed.premium)} due "
            f"{filed.obligation.due_on:%d %b %Y}. {filed.basis}"
        ),
        then="licence_post:premium",
    )


# --- The regulator's queue ----------------------------------------------------------------------------------------


@require_GET
def regulator_queue(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not is_regulator(request.user):
        return _forbidden(
            request,
            "Regulators only",
            f"The licences' queue is kept by the regulators; {request.user.get_username()} is not a regulator account.",
        )
    return render(request, "licences/post/regulator_queue.html", sel.regulator_queue())
