"""Filing a case (the applicant, or recorded from the authority's own system) and withdrawing it (the applicant).

A case may be filed only for a kind the licence needs (or may need: a distance not assessed), after the Letter of
Intent, once per kind while open or granted; it is fast-track when the block holds a Part D or Part B mineral
(set here, naming the minerals, never chosen by the applicant); it stores the template, targets and rules it is filed
under; its first stage starts on the filing day.
"""

from dataclasses import replace
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from authorities.models import Authority
from authorities.selectors import state_body
from clearances import lifecycle, permissions, rules
from clearances.models import Case, Decision, Stage
from clearances.rules import templates as t
from clearances.selectors.access import actor_for
from clearances.selectors.cases import current_params, licence_facts
from clearances.services import common
from core.errors import ApplicationError, Conflict, PermissionDenied
from licences.models import Licence, Obligation
from licences.services import licence_lock

# Licence statuses in which a case may be filed: from the Letter of Intent until the lease ends.
FILING_STATUSES = (Licence.Status.LOI_ISSUED, Licence.Status.MDPA_SIGNED, Licence.Status.ACTIVE)
# The kinds in whose application the applicant declares groundwater use.
GROUNDWATER_DECLARED_IN = (t.ENVIRONMENT, t.WATER_CONSENT, t.GROUNDWATER)


def _authority(body: rules.Body, kind: str) -> Authority:
    found = (
        Authority.objects.filter(code=body.code).first() if body.code else state_body(kind=body.kind, state=body.state)
    )
    if found is None:
        raise Conflict(f"No public body is registered to decide a {t.LABELS[kind].lower()} ({body.describe()}).")
    return found


def _groundwater(kind, use, volume) -> tuple[bool | None, Decimal | None]:
    if kind not in GROUNDWATER_DECLARED_IN:
        if use or volume not in (None, ""):
            raise ApplicationError(
                f"Groundwater use is declared in the environment, Water Act or groundwater application, not in a "
                f"{t.LABELS[kind].lower()}.",
                fields={"groundwater_use": ["Not part of this application."]},
            )
        return None, None
    if volume in (None, ""):
        return (None if use is None else bool(use)), None
    try:
        amount = Decimal(str(volume).strip())
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ApplicationError(
            f"Give the groundwater drawn in cubic metres a day, like 120.50; got {volume!r}.",
            fields={"groundwater_m3_per_day": ["Give cubic metres a day, like 120.50."]},
        )
    return (amount > 0 if use is None else bool(use)), amount


def _require_filer(actor, licence: Licence, authority: Authority, filed_on, reference: str) -> tuple[bool, object]:
    """(recorded, filing date): the applicant files today; the authority's officer, or a regulator where it does not
    use Khanij, records a case filed in its own system, with the filing date and its reference."""
    facts = actor_for(actor, licence)
    about = permissions.CaseFacts(authority.pk, authority.works_cases_here)
    if permissions.may_act_as_applicant(facts) and filed_on in (None, ""):
        return False, common.today()
    if permissions.may_record_on_behalf(facts, about):
        if filed_on in (None, "") or not reference:
            raise ApplicationError(
                f"Record a case filed with {authority.name} with its filing date and its reference.",
                fields={"filed_on": ["Give the date it was filed."], "external_reference": ["Give its reference."]},
            )
        on = common.date_input(filed_on, "filed_on")
        if on > common.today():
            raise ApplicationError(
                f"The filing date ({common.day(on)}) is in the future.",
                fields={"filed_on": [f"Give a date on or before {common.day(common.today())}."]},
            )
        return True, on
    if permissions.may_act_as_applicant(facts):
        raise ApplicationError(
            "The applicant files today: leave the filing date out.", fields={"filed_on": ["Leave it out."]}
        )
    raise PermissionDenied(permissions.applicant_refusal(facts))


def case_file(*, actor, licence_id, kind: str, external_reference: str = "", groundwater_use: bool | None = None,
              groundwater_m3_per_day=None, filed_on=None, details: dict | None = None) -> Case:  # fmt: skip
    """File a case of `kind` for the licence: its authority, fast track, template and stages follow from the data."""
    if kind not in t.KINDS:
        message = f"{kind!r} is not a kind of clearance; choose one of {', '.join(t.KINDS)}."
        raise ApplicationError(message, fields={"kind": [message]})
    reference = str(external_reference or "").strip()
    if len(reference) > common.REFERENCE_MAX:
        raise ApplicationError("A reference has at most 100 characters.", fields={"external_reference": ["Too long."]})
    use, volume = _groundwater(kind, groundwater_use, groundwater_m3_per_day)
    params = current_params()
    try:
        with transaction.atomic():
            licence = licence_lock(licence_id)
            facts = licence_facts(licence)
            if use:
                facts = replace(facts, groundwater_declared=True)
            needs = rules.cases_needed(facts, params)
            need = needs.get(kind)
            if need is None and kind not in needs.undetermined:
                message = rules.not_needed_reason(kind, facts, params)
                raise ApplicationError(message, fields={"kind": [message]}, code="not_needed")
            body = need.body if need else rules.case_body(kind, facts, params)
            authority = _authority(body, kind)
            recorded, on = _require_filer(actor, licence, authority, filed_on, reference)
            _require_fileable(licence, kind, on)
            fast = needs.fast_track_minerals
            template = rules.case_template(kind, params, fast_track=bool(fast))
            case = Case.objects.create(
                licence=licence, kind=kind, authority=authority, fast_track=bool(fast), fast_track_minerals=list(fast),
                template={"params": params.as_json(), "template": template.as_json(), "reason": _why(need, needs)},
                external_reference=reference, filed_on=on, filed_by=actor,
                filed_via=Case.FiledVia.RECORDED if recorded else Case.FiledVia.APPLICANT,
                groundwater_use=use, groundwater_m3_per_day=volume, details=details or {},
            )  # fmt: skip
            first = _stages(case, template)
            common.stage_start(first, on)
            common.case_record(case, "filed", {
                "authority": authority.code, "filed_on": on.isoformat(), "fast_track": case.fast_track,
                "fast_track_minerals": case.fast_track_minerals, "external_reference": reference,
                "filed_via": case.filed_via, "by": actor.get_username(), "groundwater_use": use,
                "groundwater_m3_per_day": volume, "template": case.template,
            })  # fmt: skip
            title = f"{licence.number}: {template.label.lower()} filed" + (" (fast track)" if fast else "")
            body = f"Filed on {common.day(on)} with {authority.name}; first stage: {first.name}"
            body += f", target {common.day(first.target_date)}." if first.target_date else "."
            common.tell_authority(case, title, body)
            if recorded:
                common.tell_holder(case, title, body)
    except IntegrityError:  # two filings of one kind at once: the partial unique index lets one through
        raise Conflict(f"A {t.LABELS[kind].lower()} case of this licence is already open.") from None
    return case


def _why(need: rules.Need | None, needs: rules.Needs) -> str:
    return need.reason if need else "filed while the need is undetermined: " + " ".join(needs.notes)


def _require_fileable(licence: Licence, kind: str, on) -> None:
    label = t.LABELS[kind]
    if licence.status not in FILING_STATUSES:
        raise Conflict(
            f"Clearances are filed after the Letter of Intent, while the lease lasts; {licence.number} is "
            f"{licence.get_status_display().lower()}."
        )
    if licence.awarded_on and on < licence.awarded_on:
        raise ApplicationError(
            f"The filing date ({common.day(on)}) is before the Letter of Intent of {common.day(licence.awarded_on)}.",
            fields={"filed_on": [f"Give a date on or after {common.day(licence.awarded_on)}."]},
        )
    existing = Case.objects.filter(licence=licence, kind=kind).filter(
        status__in=Case.OPEN_STATUSES
    ) | Case.objects.filter(licence=licence, kind=kind, outcome__in=Case.STANDING_OUTCOMES)
    found = existing.order_by("-filed_on").first()
    if found is not None:
        state = (
            f"open since {common.day(found.filed_on)}"
            if found.is_open
            else f"{found.get_outcome_display().lower()} on {common.day(found.decided_on)}"
        )
        raise Conflict(f"The licence already has a {label.lower()} case ({state}): case {found.pk}.")
    if (
        kind == t.FOREST_STAGE_2
        and not Case.objects.filter(licence=licence, kind=t.FOREST_STAGE_1, outcome__in=Case.STANDING_OUTCOMES).exists()
    ):
        raise Conflict(
            "Forest clearance Stage II follows the in-principle approval (Stage I): file it once Stage I is granted."
        )
    milestone = t.MILESTONES.get(kind)
    if milestone:
        met = licence.obligations.filter(kind=milestone, status=Obligation.Status.MET).first()
        if met is not None:
            raise Conflict(
                f"The {met.title.lower()} milestone of {licence.number} was recorded met on {common.day(met.met_on)}: "
                f"no {label.lower()} case is needed."
            )


def _stages(case: Case, template: rules.CaseTemplate) -> Stage:
    """The case's stages from its template; returns the first that is not skipped."""
    rows = [
        Stage(
            case=case, position=n, code=s.code, name=s.name, owner=s.owner, target_days=s.target_days,
            target_months=s.target_months, query_effect=s.query_effect, silence=s.silence,
            status=Stage.Status.SKIPPED if s.skipped else Stage.Status.PENDING, skip_reason=s.skipped[:300],
        )
        for n, s in enumerate(template.stages, start=1)
    ]  # fmt: skip
    Stage.objects.bulk_create(rows)
    return case.stages.filter(status=Stage.Status.PENDING).order_by("position").first()


def case_withdraw(*, actor, case_id, reasons: str) -> Decision:
    """The applicant withdraws the case, with reasons; the open stage closes. Withdrawing again changes nothing."""
    reasons = common.text_input(reasons, "reasons", "reasons for the withdrawal")
    with transaction.atomic():
        case = common.lock_case(case_id)
        if case.status == Case.Status.WITHDRAWN:
            return case.decisions.get(outcome=Decision.Outcome.WITHDRAWN)
        act = common.applicant_act(actor, case)
        common.require_open(case)
        stage = common.open_stage(case)
        if stage is not None:
            common.stage_end(stage, act.on, "withdrawn")
        lifecycle.case_move(case=case, to=Case.Status.WITHDRAWN, outcome=Case.Outcome.WITHDRAWN, decided_on=act.on)
        decision = Decision.objects.create(
            case=case, stage=stage, outcome=Decision.Outcome.WITHDRAWN, reasons=reasons, decided_on=act.on,
            recorded_by=actor,
        )  # fmt: skip
        common.case_record(case, "withdrawn", {**act.ledger(case), "reasons": reasons})
        common.tell_authority(case, f"{case.licence.number}: {case.get_kind_display().lower()} withdrawn", reasons)
    return decision
