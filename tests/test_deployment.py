"""The production deployment files agree with the code: no Docker engine runs here, so a test reads them.

docker-compose.yml is parsed with PyYAML (installed as a dependency of drf-spectacular).
"""

import ast
import importlib
import importlib.util
import re
import shlex
from pathlib import Path

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from django.conf import settings
from django.core.management import get_commands
from django.urls import resolve

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("web", "worker", "beat")
COMPOSE_ONLY_HEADER = "Read by docker-compose.yml only"


def command_text(service: dict) -> str:
    command = service.get("command") or ""
    return command if isinstance(command, str) else shlex.join(command)


def settings_variables() -> set[str]:
    """Every environment variable config/settings.py reads (env.str("X"), Env().bool("X"), os.environ...)."""
    tree = ast.parse((ROOT / "config" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            first, func = node.args[0], ast.unparse(node.func).lower()
            reads_env = "env" in func and not func.endswith("read_env")
            if reads_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(ast.literal_eval(node.slice))
    return {n for n in names if re.fullmatch(r"[A-Z][A-Z0-9_]*", n)}


def env_example_sections() -> tuple[set[str], set[str]]:
    """(variables for Django, variables for docker compose) named in .env.example, set or commented out."""
    django_part, _, compose_part = (ROOT / ".env.example").read_text().partition(COMPOSE_ONLY_HEADER)

    def names(text):
        return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))

    return names(django_part), names(compose_part)


def compose_interpolated() -> set[str]:
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "docker-compose.yml").read_text()))


def test_compose_has_the_production_services_on_the_pinned_images():
    assert set(SERVICES) >= {"db", "redis", "web", "worker", "beat"}
    assert SERVICES["db"]["image"] == "postgres:15"
    assert SERVICES["redis"]["image"] == "redis:7"
    for name in APP_SERVICES:
        assert SERVICES[name]["build"] == ".", f"{name} must run the image built from the Dockerfile"
        assert SERVICES[name]["env_file"] == ".env", f"{name} must read its configuration from .env"


def test_every_app_service_names_a_settings_module_that_exists():
    for name in APP_SERVICES:
        module = SERVICES[name]["environment"]["DJANGO_SETTINGS_MODULE"]
        assert importlib.util.find_spec(module) is not None, f"{name}: settings module {module} does not exist"
        assert hasattr(importlib.import_module(module), "INSTALLED_APPS")


def test_web_collects_static_then_serves_the_wsgi_application_with_four_gunicorn_workers():
    command = command_text(SERVICES["web"])
    assert "manage.py migrate" not in command, "web runs as the application's role, which may not migrate"
    steps = [command.index(s) for s in ("manage.py collectstatic", "gunicorn")]
    assert steps == sorted(steps), "web must collect static files, then start gunicorn"
    for management_command in re.findall(r"manage\.py (\w+)", command):
        assert management_command in get_commands(), f"web runs manage.py {management_command}, which does not exist"
    target = re.search(r"gunicorn ([\w.]+):(\w+)", command)
    assert target, "web must start gunicorn with a module:attribute target"
    module, attribute = target.groups()
    assert (module, attribute) == ("config.wsgi", "application")
    assert callable(getattr(importlib.import_module(module), attribute))
    assert re.search(r"--workers[ =]4\b", command)
    # The live rooms' server-sent event streams hold a thread each: sync workers would serve none of them.
    assert re.search(r"--worker-class[ =]gthread\b", command) and re.search(r"--threads[ =]\d+", command)
    port = re.search(r"--bind[ =]0\.0\.0\.0:(\d+)", command).group(1)
    assert any(str(mapping).endswith(f":{port}") for mapping in SERVICES["web"]["ports"])


@pytest.mark.parametrize(("service", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_celery_services_load_the_celery_app_of_the_code(service, subcommand):
    tokens = shlex.split(command_text(SERVICES[service]))
    assert tokens[0] == "celery"
    app_name = tokens[tokens.index("-A") + 1]
    assert isinstance(find_app(app_name), Celery), f"{service}: celery -A {app_name} finds no Celery app"
    assert tokens[tokens.index("-A") + 2] == subcommand


def test_web_healthcheck_calls_healthz_which_the_code_serves():
    check = " ".join(SERVICES["web"]["healthcheck"]["test"])
    path = re.search(r"http://127\.0\.0\.1:\d+(/\w+)", check).group(1)
    assert path == "/healthz"
    assert resolve(path).url_name == "healthz"
    for name in ("db", "redis", "worker"):
        assert SERVICES[name].get("healthcheck"), f"{name} has no healthcheck"


def test_web_workers_and_beat_start_after_the_migrate_service_has_migrated_the_database():
    for name in ("worker", "beat"):
        assert SERVICES[name]["depends_on"]["web"]["condition"] == "service_healthy"
    for dependency in ("db", "redis"):
        assert SERVICES["web"]["depends_on"][dependency]["condition"] == "service_healthy"
    assert SERVICES["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_migrate_runs_as_the_owner_and_the_app_services_connect_as_the_application_role():
    migrate = SERVICES["migrate"]
    command = command_text(migrate)
    for management_command in re.findall(r"manage\.py (\w+)", command):
        assert management_command in get_commands(), f"migrate runs manage.py {management_command}, which is absent"
    assert command.index("manage.py migrate") < command.index("manage.py grant_app_role")
    assert command.index("manage.py migrate") < command.index("manage.py store_list_rows")
    app_role = re.search(r"grant_app_role (\w+)", command).group(1)
    owner = SERVICES["db"]["environment"]["POSTGRES_USER"]
    assert migrate["environment"]["DATABASE_OWNER_URL"].startswith(f"postgres://{owner}:${{POSTGRES_PASSWORD")
    assert migrate["restart"] == "no"
    # The db's init script creates the application's role, with a password of its own.
    init = [v for v in SERVICES["db"]["volumes"] if v.endswith(":/docker-entrypoint-initdb.d:ro")]
    assert init, "the db service must run deploy/postgres-init on its first start"
    script = "".join(p.read_text() for p in sorted((ROOT / init[0].split(":")[0]).glob("*.sh")))
    assert f"CREATE ROLE {app_role} LOGIN PASSWORD" in script and "POSTGRES_APP_PASSWORD" in script
    assert "POSTGRES_APP_PASSWORD" in SERVICES["db"]["environment"]
    # web, worker and beat read DATABASE_URL from .env: the example connects as the application's role.
    example = re.search(r"^DATABASE_URL=(\S+)", (ROOT / ".env.example").read_text(), flags=re.MULTILINE).group(1)
    assert example.startswith(f"postgres://{app_role}:POSTGRES_APP_PASSWORD_HERE@")
    for name in APP_SERVICES:
        assert "DATABASE_OWNER_URL" not in SERVICES[name]["environment"], f"{name} must not hold the owner's URL"


def test_env_example_documents_exactly_the_variables_settings_reads():
    read = settings_variables()
    documented, _ = env_example_sections()
    assert read >= {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"}, read
    assert read - documented == set(), f"settings.py reads {sorted(read - documented)}: document them in .env.example"
    assert documented - read == set(), f".env.example documents {sorted(documented - read)}, which settings.py ignores"


def test_env_example_documents_the_variables_compose_interpolates_and_no_others():
    documented_django, documented_compose = env_example_sections()
    interpolated = compose_interpolated()
    assert "POSTGRES_PASSWORD" in interpolated
    assert interpolated - (documented_django | documented_compose) == set()
    assert documented_compose - interpolated == set(), "a compose-only variable of .env.example is unused"


def test_dockerfile_installs_requirements_txt_on_python_311_slim_and_runs_as_a_non_root_user():
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines[0] == "FROM python:3.11-slim"
    assert any(re.fullmatch(r"COPY requirements\.txt \S+", line) for line in lines)
    assert any(re.search(r"pip install .*-r requirements\.txt", line) for line in lines)
    assert not any("requirements-dev" in line for line in lines), "the image must not install test tools"
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), "the image must run as a non-root user"
    requirements = (ROOT / "requirements.txt").read_text().lower()
    assert "gunicorn==" in requirements and "celery==" in requirements


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".env", ".venv", "var", ".git"} <= ignored


def test_the_connections_compose_may_keep_fit_within_the_database_with_a_margin():
    """Each gunicorn thread and each worker process keeps a connection (CONN_MAX_AGE): together with beat they
    must fit in max_connections with room for migrations and an operator's psql (issue 12: idle threads once took
    every slot, and beat could not connect)."""
    web = command_text(SERVICES["web"])
    threads = int(re.search(r"--workers[ =](\d+)", web).group(1)) * int(re.search(r"--threads[ =](\d+)", web).group(1))
    concurrency = int(re.search(r"--concurrency[ =](\d+)", command_text(SERVICES["worker"])).group(1))
    limit = int(re.search(r"max_connections=(\d+)", command_text(SERVICES["db"])).group(1))
    assert threads + concurrency + 1 <= limit - 10, (threads, concurrency, limit)


def test_the_worker_holds_the_sealing_key_with_which_it_opens_the_offers():
    """The opening of the initial offers is the worker's task: compose gives the worker (and web, which seals each offer
    as it is submitted) the variable settings read the key from, and refuses to start without it."""
    assert "SEALED_OFFER_KEY" in settings_variables()
    for name in ("worker", "web"):
        value = SERVICES[name]["environment"].get("SEALED_OFFER_KEY", "")
        assert re.fullmatch(r"\$\{SEALED_OFFER_KEY:\?[^}]+\}", value), f"{name} must get SEALED_OFFER_KEY from .env"
    app = find_app(shlex.split(command_text(SERVICES["worker"]))[2])
    app.loader.import_default_modules()
    assert "auctions.open" in app.tasks, "the worker's Celery app must know the opening task"
    # It consumes the default queue, where the opening is sent (no route names another).
    assert "--queues" not in command_text(SERVICES["worker"]) and "-Q" not in command_text(SERVICES["worker"])
    assert not getattr(settings, "CELERY_TASK_ROUTES", None)
