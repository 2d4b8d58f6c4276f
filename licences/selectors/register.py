"""Reads of the public licence register and of a firm's deadlines (from notifications' register of due dates):
querysets shaped for their page or endpoint.

RULES.md s.6: the preferred bidder and the winning offer are public from the close of the e-auction, and a
licence row exists only from then on, so every licence is public: its holder, area and boundary, minerals,
dates, status, obligations and history. What stays private is the money trail behind an obligation's status:
payments, their bank references and amounts, and who recorded or confirmed them. These selectors feed
serializers and templates that name every field they show; none of them reads a Payment.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import QueryDict

from bidders.roles import firm_of, is_regulator
from blocks.models import Mineral
from core.dates import months_and_days
from core.errors import ApplicationError, NotFound
from licences import lifecycle
from licences.filters import LicenceFilter
from licences.models import Licence, LicenceEvent, Obligation, PremiumShare
from licences.selectors import common
from notifications.models import DueDate
from notifications.selectors import user_due_dates

# Heavy columns a list row never shows.
LIST_DEFERRED = ("boundary", "original_boundary", "params", "details", "block__boundary")


def _minerals_prefetch() -> Prefetch:
    return Prefetch("minerals", queryset=Mineral.objects.order_by("name"))


def licence_list_queryset(*, with_boundary: bool = False) -> QuerySet[Licence]:
    """Every licence with what a row of the register shows: two queries whatever the number of rows.

    `with_boundary`: keep the boundary (the API and the CSV publish the coordinates; the page does not).
    """
    deferred = ("params", "details", "original_boundary") if with_boundary else LIST_DEFERRED
    return (
        Licence.objects.select_related("holder", "auction", "parent_el__holder", "block")
        .defer(*deferred, "block__boundary", "parent_el__boundary", "parent_el__original_boundary")
        .annotate(holder_name=F("holder__legal_name"))
        .prefetch_related(_minerals_prefetch())
        .order_by("number")
    )


def _invalid_filters(filterset) -> ApplicationError:
    fields = {name: [str(m) for m in messages] for name, messages in filterset.errors.items()}
    first_field, first_messages = next(iter(fields.items()))
    return ApplicationError(f"{first_field}: {first_messages[0]}", fields=fields)


def _as_query(filters) -> QueryDict:
    """A dict of filters ({"kind": "EL"} or {"kind": ["ML", "CL"]}) as the QueryDict a request would give."""
    if isinstance(filters, QueryDict):
        return filters
    query = QueryDict(mutable=True)
    for name, value in (filters or {}).items():
        query.setlist(name, [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)])
    return query


def licence_list(*, filters=None, with_boundary: bool = False) -> QuerySet[Licence]:
    """The register narrowed by licences.filters.LicenceFilter (a QueryDict, or a dict of values or lists).

    Raises ApplicationError naming the allowed values when a filter value is unknown.
    """
    filterset = LicenceFilter(_as_query(filters), queryset=licence_list_queryset(with_boundary=with_boundary))
    if not filterset.is_valid():
        raise _invalid_filters(filterset)
    return filterset.qs


def award_years() -> list[int]:
    """The years in which a licence was awarded, newest first (the register's year filter)."""
    dates = Licence.objects.filter(awarded_on__isnull=False).dates("awarded_on", "year", order="DESC")
    return [d.year for d in dates]


def licence_detail(*, licence_id: int) -> Licence:
    """One licence with its minerals, history, obligations, parent EL, leases and premium shares."""
    licence = (
        Licence.objects.select_related("holder", "auction", "block", "parent_el__holder")
        .prefetch_related(
            _minerals_prefetch(),
            Prefetch("events", queryset=LicenceEvent.objects.order_by("at", "id")),
            Prefetch("obligations", queryset=Obligation.objects.order_by("due_on", "id")),
            Prefetch("leases", queryset=Licence.objects.select_related("holder").order_by("number")),
            Prefetch(
                "premium_shares_earned",
                queryset=PremiumShare.objects.select_related("lease", "payment__obligation").order_by("created_at"),
            ),
            Prefetch(
                "premium_shares_paid",
                queryset=PremiumShare.objects.select_related("el", "payment__obligation").order_by("created_at"),
            ),
        )
        .filter(pk=licence_id)
        .first()
    )
    if licence is None:
        raise NotFound(
            f"No licence has the id {licence_id}. Find it in the register at /licences/ or /api/v1/public/licences.",
            fields={"id": [f"No licence has the id {licence_id}."]},
        )
    on = common.today()
    for obligation in licence.obligations.all():
        # Public as on the holder's pages: a pending obligation past its due date is overdue.
        obligation.overdue = common.is_overdue(obligation, on)
    return licence


# --- Derived facts, shown on the page and in the API ---------------------------------------------------------


def months_between(start: datetime.date, end: datetime.date) -> tuple[int, int]:
    """Whole calendar months from `start` to `end`, and the days left over, as terms are counted
    (`core.dates.months_and_days`; pure; `end` before `start` gives (0, 0))."""
    return months_and_days(start, end)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def duration_text(start: datetime.date | None, end: datetime.date | None) -> str:
    """'5 years', '2 years 6 months', '11 months 30 days'; '' when either date is unknown."""
    if start is None or end is None:
        return ""
    months, days = months_between(start, end)
    years, months = divmod(months, 12)
    parts = [_plural(years, "year") if years else "", _plural(months, "month") if months else ""]
    parts.append(_plural(days, "day") if days else "")
    return " ".join(p for p in parts if p) or "0 days"


def term_ends_on(licence: Licence) -> datetime.date | None:
    """The last day of the term as it stands: the extended expiry if extended, else the expiry."""
    return lifecycle.term_ends(licence)


def duration_months(licence: Licence) -> int | None:
    end = term_ends_on(licence)
    if licence.starts_on is None or end is None:
        return None
    return months_between(licence.starts_on, end)[0]


def licence_duration(licence: Licence) -> str:
    return duration_text(licence.starts_on, term_ends_on(licence))


def winning_offer_meaning(kind: str) -> str:
    if kind == "EL":
        return "% share of the auction premium of a lease auctioned on the discovery, offered to the holder"
    return "% of the value of mineral despatched, paid as auction premium"


EVENT_KIND_LABELS = {"status": "Status changed"}


def event_label(kind: str) -> str:
    return EVENT_KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def may_follow_licence(user, licence: Licence) -> bool:
    """The holder's members and regulators follow a licence's payments and milestones; the public does not."""
    if is_regulator(user):
        return True
    firm = firm_of(user)
    return firm is not None and firm.pk == licence.holder_id


# --- A firm's own --------------------------------------------------------------------------------------------


def firm_licences(*, firm, today: datetime.date) -> QuerySet[Licence]:
    """The firm's licences, with their open and overdue obligations counted: two queries whatever their number."""
    open_statuses = (Obligation.Status.PENDING, Obligation.Status.SUBMITTED)
    return (
        licence_list_queryset()
        .filter(holder=firm)
        .annotate(
            open_obligations=Count("obligations", filter=Q(obligations__status__in=open_statuses), distinct=True),
            overdue_obligations=Count(
                "obligations",
                filter=Q(obligations__status=Obligation.Status.PENDING, obligations__due_on__lt=today),
                distinct=True,
            ),
        )
    )


@dataclass(frozen=True)
class DeadlineRow:
    deadline: DueDate
    days: int  # days from today to the due date: negative when overdue

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def overdue_by(self) -> int:
        return -self.days if self.days < 0 else 0

    @property
    def when(self) -> str:
        if self.days < 0:
            return f"overdue by {_plural(-self.days, 'day')}"
        if self.days == 0:
            return "due today"
        return f"in {_plural(self.days, 'day')}"


def firm_deadline_rows(*, user, today: datetime.date) -> list[DeadlineRow]:
    """The open due dates of the user and their firm (licence obligations, the dates of the auctions it takes part
    in; notifications' register), overdue ones first (the longest overdue first), then by date."""
    return [DeadlineRow(d, (d.due_on - today).days) for d in user_due_dates(user, today=today)]


@dataclass(frozen=True)
class DeadlineSummary:
    rows: list  # the first few DeadlineRow
    total: int
    overdue: int


def firm_deadline_summary(*, user, today: datetime.date, limit: int = 8) -> DeadlineSummary:
    rows = firm_deadline_rows(user=user, today=today)
    return DeadlineSummary(rows=rows[:limit], total=len(rows), overdue=sum(1 for r in rows if r.overdue))
