"""`make run` on a var/ made by an older layout of the code stops with one line saying what to do.

The registry moved from `auctions` to its own app (`blocks`) and the migrations were regenerated (nothing is
deployed); a development database migrated before that records migrations the code no longer has, and `migrate`
would fail on it with a long traceback. `manage.py check_database_layout`, which `make run` calls first, says it.
"""

import sqlite3
import subprocess
import sys

from tests.processes import ROOT, khanij_env, manage


def _check(env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check_database_layout"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_a_database_of_the_old_layout_is_refused_in_one_line_naming_make_clean(tmp_path):
    env = khanij_env(tmp_path)
    manage(env, "migrate", "--noinput")
    assert _check(env).returncode == 0  # this layout's own database passes

    with sqlite3.connect(tmp_path / "khanij.sqlite3") as db:  # what the old layout had applied
        db.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('auctions', '0005_tranche_kind', '2026-12-01')"
        )
    result = _check(env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "auctions.0005_tranche_kind" in lines[0] and "make clean" in lines[0] and "make run" in lines[0]


def test_make_run_checks_the_layout_before_it_migrates():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile[makefile.index("\nrun:") :]
    assert run.index("check_database_layout") < run.index("migrate --noinput")


def test_a_database_with_the_clear_tokens_of_before_passes_and_migrate_drops_them(tmp_path):
    """rest_framework.authtoken's records are not an older layout: core.0004_api_tokens removes its table (every
    token in clear) and its records, so a developer's var/ upgrades in place."""
    env = khanij_env(tmp_path)
    manage(env, "migrate", "--noinput")
    manage(env, "migrate", "--noinput", "core", "0003")  # the database as it was before the tokens were hashed
    with sqlite3.connect(tmp_path / "khanij.sqlite3") as db:  # what rest_framework.authtoken had made
        db.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created datetime, user_id integer)")
        db.execute("INSERT INTO authtoken_token VALUES ('0123456789abcdef0123456789abcdef01234567', NULL, 1)")
        db.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('authtoken', '0001_initial', '2026-12-01')"
        )
    assert _check(env).returncode == 0

    manage(env, "migrate", "--noinput")

    with sqlite3.connect(tmp_path / "khanij.sqlite3") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "authtoken_token" not in tables and "core_apitoken" in tables
        assert db.execute("SELECT count(*) FROM django_migrations WHERE app = 'authtoken'").fetchone() == (0,)
