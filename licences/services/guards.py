"""What every act on a licence checks first, and how it reads its input: the licence locked and of the right kind,
not ended (or in force), dates, amounts and text parsed with messages a person can act on; the words a date is
written with in notes and messages. Shared by the services of leases (`day`, `date_input`) and of exploration
licences (`el_day`, `el_date_input`), whose notes have always written dates their own way."""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from blocks.models import Mineral
from blocks.rules import MineralFacts
from core.errors import ApplicationError, Conflict, NotFound
from licences import lifecycle
from licences.models import Licence
from licences.selectors.common import today
from licences.services.records import licence_lock

RULE = "RULES.md s.4"
SUMMARY_MAX_CHARS = 20_000


def day(value: datetime.date) -> str:
    return f"{value.day} {value:%b %Y}"


def pages(licence: Licence) -> dict:
    return {
        "payments": f"/licences/{licence.pk}/payments/",
        "milestones": f"/licences/{licence.pk}/milestones/",
        "premium": f"/licences/{licence.pk}/premium/",
    }


def lock_licence(licence_id) -> Licence:
    try:
        return licence_lock(licence_id)
    except (Licence.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no licence {licence_id}.") from None


def lock_lease(licence_id) -> Licence:
    """The licence, locked, if it is an ML or CL that has not ended (the acts from the LoI to the deed)."""
    licence = lock_licence(licence_id)
    require_lease(licence)
    require_not_ended(licence)
    return licence


def require_not_ended(licence: Licence) -> None:
    if lifecycle.is_ended(licence.status):
        raise Conflict(f"{licence.number} has ended ({licence.get_status_display()}); nothing more can be done on it.")


# The ends after which the dues that fell due while the licence was in force stay payable (RULES.md s.3 item 19).
DUES_SURVIVE = frozenset({lifecycle.SURRENDERED, lifecycle.TERMINATED})


def require_payable(licence: Licence) -> None:
    """Payments may be made on the licence: it has not ended, or it ended by surrender or termination, whose dues up
    to its last day stay payable (each obligation's own status says whether anything is still due on it)."""
    if licence.status not in DUES_SURVIVE:
        require_not_ended(licence)


def require_lease(licence: Licence) -> None:
    if licence.kind not in lifecycle.LEASES:
        raise Conflict(
            f"{licence.number} is an exploration licence: the Letter of Intent, agreement and execution are for "
            "mining leases and composite licences."
        )


def date_input(value, field: str, label: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise ApplicationError(
            f"Give {label} as a date like 2027-04-15.", fields={field: ["Give a date like 2027-04-15."]}
        ) from None


def not_future(value: datetime.date, field: str, label: str) -> None:
    if value > today():
        raise ApplicationError(
            f"{label.capitalize()} ({day(value)}) is in the future; give the date it really happened, today at the "
            "latest.",
            fields={field: [f"Give a date on or before {day(today())}."]},
        )


def money_input(value, field: str, label: str) -> Decimal:
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        result = None
    if result is None or not result.is_finite():
        raise ApplicationError(
            f"{value!r} is not an amount; give {label} in rupees like 1234567.89.",
            fields={field: ["Give an amount in rupees like 1234567.89."]},
        )
    if result < 0:
        raise ApplicationError(f"{label.capitalize()} cannot be negative.", fields={field: ["Give zero or more."]})
    return result


def el_day(value: datetime.date) -> str:
    return f"{value:%d %b %Y}"


def exploration_url(licence: Licence) -> str:
    return f"/licences/{licence.pk}/exploration/"


def lock_el(licence_id) -> Licence:
    try:
        licence = licence_lock(licence_id)
    except (Licence.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no licence {licence_id}.") from None
    if licence.kind != "EL":
        raise Conflict(f"{licence.number} is not an exploration licence; this act is for exploration licences only.")
    return licence


def require_in_force(licence: Licence, what: str) -> None:
    if not lifecycle.is_in_force(licence.status):
        if licence.status == Licence.Status.PREFERRED_BIDDER:
            raise Conflict(f"{licence.number} is not granted yet: {what} follows the grant.")
        raise Conflict(
            f"{licence.number} has ended ({licence.get_status_display().lower()}); {what} is no longer possible."
        )


def text_input(value, field: str, label: str, *, required=True, limit=SUMMARY_MAX_CHARS) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ApplicationError(f"Write the {label}.", fields={field: [f"Write the {label}."]})
    if len(text) > limit:
        message = f"The {label} has {len(text):,} characters; at most {limit:,} are accepted. Attach the rest as a PDF."
        raise ApplicationError(message, fields={field: [message]})
    return text


def el_date_input(value, field: str, label: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        message = f"Give {label} as a date, like 2032-03-31."
        raise ApplicationError(message, fields={field: [message]}) from None


def mineral_facts(minerals) -> list[MineralFacts]:
    return [MineralFacts(m.name, m.part_d, m.seventh_schedule) for m in minerals]


def seventh_schedule_names() -> list[str]:
    return list(Mineral.objects.filter(seventh_schedule=True).order_by("name").values_list("name", flat=True))
