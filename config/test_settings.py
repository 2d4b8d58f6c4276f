"""Settings for the test suite: the real settings, with a test-only secret and fast password hashing.

Under pytest-xdist (`make test` runs the suite in parallel) each worker gets its own Redis database, Celery queue
and var directory (config/parallel_tests.py).
"""

import os

from config import parallel_tests

os.environ.setdefault("SECRET_KEY", "insecure-test-only-secret-key")
os.environ.setdefault("SEALED_OFFER_KEY", "dGVzdC1vbmx5LXNlYWxpbmcta2V5LTMyLWJ5dGVzISE=")
# The test client and the browser tests' live server speak plain HTTP (tests/core/test_production_security.py checks
# the redirect with the production value).
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LEDGER_SIGNING_KEY", "P7zmqDdVdqT517J0wKxrMaeKdZdzlqFlgrlWA7MPfdE=")
os.environ.setdefault("KHANIJ_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
os.environ["KHANIJ_VAR_DIR"] = parallel_tests.worker_var_dir(os.environ["KHANIJ_VAR_DIR"], XDIST_WORKER)

from config.settings import *  # noqa: E402,F403
from config.settings import CACHES, DATABASES, REDIS_URL, STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A process a test starts (a Celery worker) writes its emails where the test can count them.
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Transactional tests end with a flush (TRUNCATE of every table), which the ledger's triggers refuse unless the
# session says so (ledger/migrations/0004): the suite's own connections do, a test that checks the refusal unsets it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c khanij.ledger_truncate=allowed".strip()

CELERY_TASK_DEFAULT_QUEUE = parallel_tests.worker_celery_queue(XDIST_WORKER)
if REDIS_URL and parallel_tests.worker_index(XDIST_WORKER) is not None:
    _databases = parallel_tests.REDIS_DEFAULT_DATABASES
    if parallel_tests.redis_database(REDIS_URL) + parallel_tests.worker_index(XDIST_WORKER) >= _databases:
        _databases = parallel_tests.server_databases(REDIS_URL)  # asked only when the default would not do
    REDIS_URL = CELERY_BROKER_URL = parallel_tests.worker_redis_url(REDIS_URL, XDIST_WORKER, _databases)
    CACHES = {**CACHES, "default": {**CACHES["default"], "LOCATION": REDIS_URL}}
