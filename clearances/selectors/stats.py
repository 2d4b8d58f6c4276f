"""The public statistics of the clearance cases (issue 13): cases by kind, State and authority; the median days each
stage took against its target; the share decided in time; the fast track against ordinary cases.

Five queries whatever the number of cases, each grouped in the database (the groups are bounded by the kinds,
States and authorities, not by the cases), each reading one table's rows once: the cases by status and outcome;
the open stages with their clock (overdue, escalated; `selectors.clock`); the decided cases with a stage that
closed late; the closed stages with their median days (PostgreSQL's `percentile_cont`; on SQLite, which has no
median, the closed stages' days are read in one query and the median taken here); and the authorities.

Definitions (shown on the page and in the API):

- **overdue**: an open case whose open stage has used more days than its target allows (the clock of
  `clearances.rules.clock`, counted in SQL from the stored fields);
- **decided**: a case that ended in a decision of the authority or by operation of law: granted, refused, deemed
  (and granted then revoked); a withdrawn case is not decided;
- **decided in time**: decided, not deemed (silence is not a decision in time), and every stage with a clock
  closed by its target date;
- **median days of a stage**: over the stages of that kind of case that closed (not by a withdrawal, which says
  nothing of the authority's speed), the days used (pauses for queries excluded), against the target in days (for
  a target in months, the median of the days it spanned).
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Aggregate, Count, DecimalField, F, Q

from authorities.models import Authority
from clearances.models import Case, Stage
from clearances.selectors.clock import with_clock
from core.money import round_half_up

DECIDED = (Case.Outcome.GRANTED, Case.Outcome.REFUSED, Case.Outcome.DEEMED, Case.Outcome.REVOKED)
KIND_LABELS = dict(Case.Kind.choices)


class Median(Aggregate):
    """PostgreSQL's median of a group, as a decimal."""

    function = "PERCENTILE_CONT"
    template = "CAST(%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s) AS numeric)"
    output_field = DecimalField()
    allow_distinct = False


@dataclass
class Tally:
    """Counts of one group of cases."""

    total: int = 0
    open: int = 0
    overdue: int = 0
    escalated: int = 0
    granted: int = 0
    refused: int = 0
    deemed: int = 0
    withdrawn: int = 0
    decided: int = 0
    in_time: int = 0

    def add(self, row: dict) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + row[name])

    @property
    def share_in_time(self) -> Decimal | None:
        """Percent of the decided cases decided in time (one decimal), None when none is decided."""
        if not self.decided:
            return None
        return round_half_up(Decimal(self.in_time) * 100 / Decimal(self.decided), 1)


@dataclass
class StageFigure:
    kind: str
    kind_label: str
    code: str
    name: str
    fast_track: bool
    closed: int
    median_days: Decimal | None
    target_days: Decimal | None
    in_time: int

    @property
    def median_against_target(self) -> Decimal | None:
        """The median as a percentage of the target (over 100: slower than the target)."""
        if self.median_days is None or not self.target_days:
            return None
        return round_half_up(self.median_days * 100 / self.target_days, 1)


@dataclass
class Statistics:
    on: date
    overall: Tally
    by_kind: dict[str, Tally] = field(default_factory=dict)
    by_state: dict[str, Tally] = field(default_factory=dict)
    by_authority: dict[str, Tally] = field(default_factory=dict)
    authority_names: dict[str, str] = field(default_factory=dict)
    by_track: dict[str, Tally] = field(default_factory=dict)  # "fast_track", "ordinary"
    kind_by_track: dict[tuple[str, str], Tally] = field(default_factory=dict)
    stages: list[StageFigure] = field(default_factory=list)


KEYS = ("kind", "fast_track", "licence__state", "authority_id")


def _keyed(rows, prefix: str = "") -> dict[tuple, dict]:
    return {tuple(row.pop(f"{prefix}{key}") for key in KEYS): row for row in rows}


def _case_groups(on: date) -> list[dict]:
    """Each group's counts, in three grouped queries that each read one table's rows once (no correlated subquery,
    no clock on cases that have no open stage): the cases by status and outcome; the open stages with their clock
    (overdue, escalated); the decided cases with a stage that closed late."""
    decided = Q(status=Case.Status.DECIDED, outcome__in=DECIDED)
    cases = _keyed(
        Case.objects.values(*KEYS)
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=Case.OPEN_STATUSES)),
            granted=Count("pk", filter=Q(outcome=Case.Outcome.GRANTED)),
            refused=Count("pk", filter=Q(outcome=Case.Outcome.REFUSED)),
            deemed=Count("pk", filter=Q(outcome=Case.Outcome.DEEMED)),
            withdrawn=Count("pk", filter=Q(status=Case.Status.WITHDRAWN)),
            decided=Count("pk", filter=decided),
            undeemed=Count("pk", filter=decided & ~Q(outcome=Case.Outcome.DEEMED)),
        )
        .order_by()
    )
    case_keys = [f"case__{key}" for key in KEYS]
    open_stages = with_clock(Stage.objects.filter(status=Stage.Status.OPEN, case__status__in=Case.OPEN_STATUSES), on)
    clocks = _keyed(
        open_stages.values(*case_keys)
        .annotate(
            overdue=Count("pk", filter=Q(overdue=True)), escalated=Count("pk", filter=Q(escalated_on__isnull=False))
        )
        .order_by(),
        "case__",
    )
    late = _keyed(
        Stage.objects.filter(
            status=Stage.Status.CLOSED, target_date__isnull=False, ended_on__gt=F("target_date"),
            case__status=Case.Status.DECIDED, case__outcome__in=DECIDED,
        )
        .exclude(case__outcome=Case.Outcome.DEEMED)
        .values(*case_keys)
        .annotate(late=Count("case", distinct=True))
        .order_by(),
        "case__",
    )  # fmt: skip
    rows = []
    for key, row in cases.items():
        clock = clocks.get(key, {})
        row["overdue"], row["escalated"] = clock.get("overdue", 0), clock.get("escalated", 0)
        row["in_time"] = row.pop("undeemed") - late.get(key, {}).get("late", 0)
        rows.append({**dict(zip(KEYS, key, strict=True)), **row})
    return rows


def _closed_stages(on: date):
    """The stages that closed with a clock, with the days they used and allowed (`selectors.clock`)."""
    closed = Stage.objects.filter(status=Stage.Status.CLOSED, target_date__isnull=False).exclude(
        case__status=Case.Status.WITHDRAWN
    )
    return with_clock(closed, on).annotate(used=F("days_used"), allowed=F("days_allowed"))


GROUP = ("case__kind", "code", "name", "case__fast_track")


def _stage_groups(on: date) -> list[dict]:
    counts = {"closed": Count("pk"), "in_time": Count("pk", filter=Q(ended_on__lte=F("target_date")))}
    if connection.vendor == "postgresql":
        rows = (
            _closed_stages(on)
            .values(*GROUP)
            .annotate(median_days=Median("used"), target_days=Median("allowed"), **counts)
        )
        return list(rows.order_by())
    # SQLite has no median aggregate: one query for the days, the medians here.
    groups: dict[tuple, dict] = {}
    for row in _closed_stages(on).values(*GROUP, "used", "allowed", "ended_on", "target_date").order_by():
        key = tuple(row[g] for g in GROUP)
        group = groups.setdefault(key, {**dict(zip(GROUP, key, strict=True)), "used": [], "allowed": [], "in_time": 0})
        group["used"].append(Decimal(max(row["used"], 0)))
        group["allowed"].append(Decimal(row["allowed"]))
        group["in_time"] += row["ended_on"] <= row["target_date"]
    return [
        {**g, "closed": len(g["used"]), "median_days": statistics.median(g["used"]),
         "target_days": statistics.median(g["allowed"])}
        for g in groups.values()
    ]  # fmt: skip


def _decimal(value) -> Decimal | None:
    return None if value is None else round_half_up(Decimal(value), 1)


def clearance_statistics(*, on: date) -> Statistics:
    """The public statistics on `on` (five queries, whatever the number of cases)."""
    stats = Statistics(on=on, overall=Tally())
    bodies = {pk: (code, name) for pk, code, name in Authority.objects.values_list("pk", "code", "name")}
    codes = {pk: code for pk, (code, _name) in bodies.items()}
    for row in _case_groups(on):
        track = "fast_track" if row["fast_track"] else "ordinary"
        for table, key in (
            (stats.by_kind, row["kind"]),
            (stats.by_state, row["licence__state"]),
            (stats.by_authority, codes[row["authority_id"]]),
            (stats.by_track, track),
            (stats.kind_by_track, (row["kind"], track)),
        ):
            table.setdefault(key, Tally()).add(row)
        stats.overall.add(row)
    stats.by_kind = {k: stats.by_kind[k] for k in KIND_LABELS if k in stats.by_kind}
    stats.by_state = dict(sorted(stats.by_state.items()))
    stats.authority_names = {code: name for code, name in bodies.values() if code in stats.by_authority}
    stats.by_authority = dict(sorted(stats.by_authority.items(), key=lambda kv: stats.authority_names.get(kv[0], "")))
    order = {k: n for n, k in enumerate(KIND_LABELS)}
    stages = [
        StageFigure(
            kind=row["case__kind"],
            kind_label=KIND_LABELS.get(row["case__kind"], row["case__kind"]),
            code=row["code"],
            name=row["name"],
            fast_track=row["case__fast_track"],
            closed=row["closed"],
            median_days=_decimal(row["median_days"]),
            target_days=_decimal(row["target_days"]),
            in_time=row["in_time"],
        )
        for row in _stage_groups(on)
    ]
    stats.stages = sorted(stages, key=lambda s: (order.get(s.kind, 99), s.code, not s.fast_track))
    return stats


def by_kind_and_track(stats: Statistics) -> dict[str, dict[str, Tally]]:
    """{kind: {"fast_track": Tally, "ordinary": Tally}} for the comparison table."""
    table: dict[str, dict[str, Tally]] = defaultdict(dict)
    for (kind, track), tally in stats.kind_by_track.items():
        table[kind][track] = tally
    return {k: table[k] for k in KIND_LABELS if k in table}
