"""Benchmark of the reminders sweep (issue 14): with 1,000,000 due dates, the sweep finds what is due today in under a
second through its index (the plan shows `duedate_next_reminder`, not a scan) and sends each reminder once, with two
sweepers running at once.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/khanij_bench_reminders .venv/bin/python bench/reminders.py

The database is dropped, created and migrated (its name must contain "bench"). Options: --due-dates (1,000,000),
--firms (500) with --members each (2), --spread-days over which the dates fall (1,825: a year past to four ahead),
--sweepers (2 processes at once), --reuse (keep a seeded database). Figures go to var/bench/reminders-*.json and,
by hand, to docs/benchmarks.md.
"""

import argparse
import multiprocessing
import os
import re
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_database_url, machine, postgres_version, recreate_database, save, setup_django  # noqa: E402

GOAL_FIND_SECONDS = 1.0


def _options():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--due-dates", type=int, default=1_000_000)
    parser.add_argument("--firms", type=int, default=500)
    parser.add_argument("--members", type=int, default=2)
    parser.add_argument("--spread-days", type=int, default=1825)
    parser.add_argument("--sweepers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database (skip the seeding)")
    return parser.parse_args()


def _seed(options, today) -> None:
    """Firms with their members, then the due dates by COPY: due days spread over --spread-days around today, 90%
    open; each open one's next reminder as the sweeps of the days before today would have left it."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from bidders.models import Firm, Membership
    from notifications import rules
    from notifications.models import DueDate
    from notifications.services.due_dates import policy

    user_model = get_user_model()
    with transaction.atomic():
        firms = Firm.objects.bulk_create(
            Firm(legal_name=f"Bench Minerals {n}", cin=f"U13100MH2020PTC{n:06d}", pan=f"AAAC{chr(65 + n // 10000)}"
                 f"{n % 10000:04d}F", registered_address="1 Mine Road", net_worth=1, net_worth_as_of=today)
            for n in range(options.firms)
        )  # fmt: skip
        users = user_model.objects.bulk_create(
            user_model(username=f"bench{n}", email=f"bench{n}@example.in")
            for n in range(options.firms * options.members)
        )
        Membership.objects.bulk_create(
            Membership(user=user, firm=firms[n // options.members]) for n, user in enumerate(users)
        )
    plan = policy("upfront_1")
    start = today - timedelta(days=365)
    table = DueDate._meta.db_table
    columns = ["subject", "key", "kind", "audience", "title", "due_on", "url", "status", "next_remind_on",
               "reminders_sent", "revision", "created_at", "updated_at"]  # fmt: skip
    now = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime())
    copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for n in range(options.due_dates):
            due_on = start + timedelta(days=(n * 7919) % options.spread_days)
            firm = firms[n % len(firms)]
            status = "met" if n % 10 == 9 else "open"
            following, sent = None, 0
            if status == "open":
                following = rules.first_reminder_on(due_on, plan, today=today)
                sent = _sent_before(due_on, plan, today)
                if sent >= plan.limit:
                    following = None
            copy.write_row(
                (f"licences.licence:{n // 4 + 1}", f"obligation:{n + 1}", "upfront_1", f"firm:{firm.pk}",
                 f"Bench obligation {n + 1}", due_on, f"/licences/{n // 4 + 1}/", status, following, sent, 0, now, now)
            )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")


def _sent_before(due_on, plan, today) -> int:
    """How many reminders the daily sweeps before `today` sent for this date (its steps before today)."""
    before = sum(1 for d in plan.days_before if due_on - timedelta(days=d) < today)
    late = (today - due_on).days - 1 if today > due_on else 0
    weekly = late // plan.overdue_every if plan.overdue_every and late > 0 else 0
    return before + weekly


def _claim_query(today):
    from notifications.models import DueDate

    return (
        DueDate.objects.select_for_update(skip_locked=True)
        .filter(status=DueDate.Status.OPEN, next_remind_on__isnull=False, next_remind_on__lte=today)
        .order_by("next_remind_on", "pk")[:500]
    )


def _find(today) -> dict:
    """What the sweep does to find what is due: the plan of its claim (a batch of 500) and the count of all due."""
    from django.db import connection, transaction

    from notifications.models import DueDate

    with transaction.atomic(), connection.cursor() as cursor:
        sql, params = _claim_query(today).query.sql_with_params()
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        claim_plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)  # the plan's run locked rows: release them
    due = DueDate.objects.filter(status=DueDate.Status.OPEN, next_remind_on__isnull=False, next_remind_on__lte=today)
    count_sql, count_params = due.order_by().values("pk").query.sql_with_params()
    timings = []
    with connection.cursor() as cursor:
        for _ in range(5):
            started = time.perf_counter()
            cursor.execute(f"SELECT count(*) FROM ({count_sql}) AS due", count_params)
            count = cursor.fetchone()[0]
            timings.append(time.perf_counter() - started)
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM ({count_sql}) AS due", count_params)
        count_plan = "\n".join(row[0] for row in cursor.fetchall())
    return {
        "due_count": count,
        "find_all_seconds_best": min(timings),
        "find_all_seconds_worst": max(timings),
        "claim_plan": claim_plan,
        "count_plan": count_plan,
        "claim_ms": float(re.search(r"Execution Time: ([\d.]+) ms", claim_plan).group(1)),
        "uses_index": "duedate_next_reminder" in claim_plan and "duedate_next_reminder" in count_plan,
        "seq_scan": "Seq Scan" in claim_plan or "Seq Scan" in count_plan,
    }


def _sweeper(database_url: str, var_dir: str, today_iso: str, queue) -> None:
    """One sweeper process: Django of its own, the sweep of `today`."""
    os.environ["KHANIJ_VAR_DIR"] = var_dir
    setup_django(database_url)
    from datetime import date

    from core.outbox import _task
    from notifications.services import reminders_sweep

    _task("notifications.deliver")  # load the tasks (and Celery's Django checks) once, as a running worker has
    started = time.perf_counter()
    result = reminders_sweep(today=date.fromisoformat(today_iso))
    queue.put({**result, "seconds": time.perf_counter() - started})


def _sweep(database_url: str, var_dir: str, today, sweepers: int) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [
        context.Process(target=_sweeper, args=(database_url, var_dir, today.isoformat(), queue))
        for _ in range(sweepers)
    ]
    started = time.perf_counter()
    for p in processes:
        p.start()
    results = [queue.get(timeout=1800) for _ in processes]
    for p in processes:
        p.join(60)
    return {"wall_seconds": time.perf_counter() - started, "sweepers": results}


def _check(today, members: int, due_count: int) -> dict:
    from django.db import connection

    from notifications.models import DueDate, Email, Notification, Reminder

    table, q = Reminder._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} GROUP BY due_date_id, due_on, {q('offset')}, user_id "
            "HAVING count(*) > 1) AS twice"
        )
        duplicates = cursor.fetchone()[0]
    still_due = DueDate.objects.filter(status="open", next_remind_on__lte=today).count()
    return {
        "reminders": Reminder.objects.count(),
        "expected": due_count * members,
        "notices": Notification.objects.count(),
        "emails_queued": Email.objects.count(),
        "duplicates": duplicates,
        "still_due_after": still_due,
    }


def main() -> int:
    options = _options()
    database_url = bench_database_url("bench/reminders.py")
    var_dir = tempfile.mkdtemp(prefix="khanij-bench-reminders-")
    os.environ["KHANIJ_VAR_DIR"] = var_dir  # the outbox's broker files stay out of var/ (no worker will read them)
    if not options.reuse:
        print("Creating and migrating the database...", flush=True)
        recreate_database(database_url)
    setup_django(database_url)
    from notifications.services.due_dates import reminder_today

    today = reminder_today()
    report = {"machine": machine(), "postgres": postgres_version(), "options": vars(options), "today": str(today)}
    if not options.reuse:
        started = time.perf_counter()
        _seed(options, today)
        report["seed_seconds"] = time.perf_counter() - started
        print(f"Seeded {options.due_dates:,} due dates in {report['seed_seconds']:.1f} s", flush=True)
    found = _find(today)
    report["find"] = found
    best, worst = found["find_all_seconds_best"] * 1000, found["find_all_seconds_worst"] * 1000
    print(f"Due today: {found['due_count']:,} of {options.due_dates:,}; finding them all took {best:.1f} ms (best of "
          f"5; worst {worst:.1f} ms); the sweep's first claim of 500 {found['claim_ms']:.1f} ms; index used: "
          f"{found['uses_index']}, sequential scan: {found['seq_scan']}")  # fmt: skip
    print("Plan of the claim:\n" + found["claim_plan"])
    sweep = _sweep(database_url, var_dir, today, options.sweepers)
    report["sweep"] = sweep
    again = _sweep(database_url, var_dir, today, 1)
    report["second_sweep"] = again
    checks = _check(today, options.members, found["due_count"])
    report["checks"] = checks
    sent = sum(s["reminders"] for s in sweep["sweepers"])
    print(f"{options.sweepers} sweepers at once: {sent:,} reminders in {sweep['wall_seconds']:.1f} s "
          f"({sent / sweep['wall_seconds']:.0f}/s); per sweeper: "
          + ", ".join(f"{s['reminders']:,} in {s['seconds']:.1f} s" for s in sweep["sweepers"]))  # fmt: skip
    print(f"A second sweep the same day: {sum(s['reminders'] for s in again['sweepers'])} reminders")
    print(f"Checks: {checks}")
    goals = {
        "find under 1 s": found["find_all_seconds_best"] < GOAL_FIND_SECONDS,
        "index, no scan": found["uses_index"] and not found["seq_scan"],
        "each reminder once": checks["duplicates"] == 0 and checks["reminders"] == checks["expected"] == sent,
        "nothing sent twice": sum(s["reminders"] for s in again["sweepers"]) == 0,
    }
    report["goals"] = goals
    for goal, met in goals.items():
        print(f"  {'MET   ' if met else 'MISSED'} {goal}")
    print(f"Saved {save('reminders', report)}")
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
