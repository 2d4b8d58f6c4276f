"""Khanij settings: everything that differs between machines comes from the environment.

Embedded defaults (no variables set) give a working development system: SQLite under var/,
Celery on kombu's filesystem transport under var/, a development secret key while DEBUG is on.
"""

import ipaddress
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("KHANIJ_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment (or DEBUG=true for development)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

# AES-256 key (URL-safe base64) that seals initial price offers at rest. Never stored in the database.
# With DEBUG on and no key set, a development key is generated once under var/; production must set its own.
SEALED_OFFER_KEY = env.str("SEALED_OFFER_KEY", default="")
if not SEALED_OFFER_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SEALED_OFFER_KEY is not set. Generate one with `python -m auctions.sealing`.")
    _dev_key = VAR_DIR / "dev-sealed-offer.key"
    if not _dev_key.exists():
        import base64
        import secrets

        _dev_key.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        _dev_key.chmod(0o600)
    SEALED_OFFER_KEY = _dev_key.read_text().strip()

# Ed25519 private key that signs the ledger's checkpoints (ledger/signing.py): PEM or base64 of the 32-byte seed.
# Never stored in the database. With DEBUG on and no key set, a development key is generated once under var/.
# After a rotation the old public keys (base64 or PEM), comma-separated, keep older checkpoints verifiable.
LEDGER_SIGNING_KEY = env.str("LEDGER_SIGNING_KEY", default="")
if not LEDGER_SIGNING_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("LEDGER_SIGNING_KEY is not set. Generate one with `python -m ledger.signing`.")
    _dev_signing_key = VAR_DIR / "dev-ledger-signing.key"
    if not _dev_signing_key.exists():
        import base64

        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        _seed = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        _dev_signing_key.write_text(base64.b64encode(_seed).decode())
        _dev_signing_key.chmod(0o600)
    LEDGER_SIGNING_KEY = _dev_signing_key.read_text().strip()
LEDGER_RETIRED_PUBLIC_KEYS = env.list("LEDGER_RETIRED_PUBLIC_KEYS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "axes",
    "csp",
    "drf_spectacular_sidecar",
    "core",
    "bidders",
    "authorities",
    "blocks",
    "auctions",
    "licences",
    "clearances",
    "ledger",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it only looks at a flag that a refused login attempt sets on the request.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "bidders.context_processors.roles",
                "notifications.context_processors.unread",
                "licences.context_processors.deadlines",
                "clearances.context_processors.posts",
            ],
        },
    },
]

# Database: PostgreSQL in production and CI; SQLite (WAL, immediate transactions) by default.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'khanij.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    # A kept connection is checked (SELECT 1) before a request first uses it, so a PostgreSQL restart costs no
    # request a 500: the dead connection is replaced (issue 12: one 500 per pooled thread after a restart).
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
    # Prepared statements (psycopg 3): a query run a few times on a connection is planned once, not at every run.
    # Planning was most of PostgreSQL's work for an e-auction offer (docs/benchmarks.md). Needs the parameters
    # bound by the server; turn it off behind a pooler that cannot keep them (PgBouncer in transaction mode).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
# The owner of the tables (migrations, `grant_app_role`), when the application connects as a role that may not
# alter them (docs/architecture.md, Integrity): `manage.py migrate` then runs on this alias.
if env.str("DATABASE_OWNER_URL", default=""):
    DATABASES["owner"] = {**DATABASES["default"], **env.db_url("DATABASE_OWNER_URL")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out username and address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "after-login"
LOGOUT_REDIRECT_URL = "portal:home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("hi", "हिन्दी")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Kolkata")
USE_I18N = True
USE_TZ = True
# Weekdays the offices that receive filings and payments close every week (names or 0 = Monday ... 6 = Sunday),
# besides the calendar of closed days (core.ClosedDay): a deadline falling on one moves to the next open day
# (General Clauses Act s.10, core.dates). None by default, so no deadline moves until the calendar says so.
OFFICE_CLOSED_WEEKDAYS = env.list("OFFICE_CLOSED_WEEKDAYS", default=[])

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Files that only a permission-checked view may hand out (clearance documents): outside MEDIA_ROOT, so that no static
# or media route (DEBUG serves MEDIA_URL) can serve them.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": "/private-files-are-not-served/"},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

# Celery: Redis when REDIS_URL is set, else kombu's filesystem transport under var/ so that
# the worker and beat really run with nothing installed.
REDIS_URL = env.str("REDIS_URL", default="")
# Seconds a Redis call (cache, room events) may take to connect or answer before it is given up.
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=0.5)
# Seconds a process leaves Redis alone after a call failed, before it tries again by itself.
REDIS_RETRY_AFTER = env.float("REDIS_RETRY_AFTER", default=1.0)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    _queue_dir = VAR_DIR / "celery"
    for _sub in ("out", "processed", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    # The filesystem transport ignores the host; naming one keeps kombu from warning "No hostname was supplied" at
    # every connection of the worker, beat and web.
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "out"),
        "data_folder_out": str(_queue_dir / "out"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# django-celery-beat's database scheduler, which waits out a database outage instead of exiting (config/beat.py).
CELERY_BEAT_SCHEDULER = "config.beat:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Reminders of due dates (notifications.rules, docs/email.md): days before each date (0 is the day itself), then every
# REMINDER_OVERDUE_EVERY_DAYS while overdue (0: never), at most REMINDER_LIMIT for one date. A reminder day starts at
# REMINDER_DAY_STARTS_AT o'clock IST. REMINDER_KINDS overrides them per kind of due date (the auctions' dates pass
# and are not "overdue"; a licence obligation is).
REMINDER_DAYS_BEFORE = env.list("REMINDER_DAYS_BEFORE", cast=int, default=[30, 7, 1, 0])
REMINDER_OVERDUE_EVERY_DAYS = env.int("REMINDER_OVERDUE_EVERY_DAYS", default=7)
REMINDER_LIMIT = env.int("REMINDER_LIMIT", default=12)
REMINDER_DAY_STARTS_AT = env.int("REMINDER_DAY_STARTS_AT", default=7)
REMINDER_SWEEP_SECONDS = env.int("REMINDER_SWEEP_SECONDS", default=300)
_AUCTION_DATE_REMINDERS = {"days_before": [7, 1, 0], "overdue_every": 0}
REMINDER_KINDS = {
    "auction_document_sale_end": _AUCTION_DATE_REMINDERS,
    "auction_bid_due": _AUCTION_DATE_REMINDERS,
    "auction_e_auction_start": _AUCTION_DATE_REMINDERS,
    # A licence's expiry is not the holder's to meet late: told well ahead (an extension must be asked in time).
    "expiry": {"days_before": [90, 30, 7], "overdue_every": 0},
    # The State's duty to auction a discovery: the EL holder is told when it falls due, not nagged after.
    "discovery_auction": {"days_before": [30, 0], "overdue_every": 0},
    # A clearance stage's target as the applicant sees it (the authority's to meet): a week before and on the day.
    # The authority's own date (`clearance_stage`) follows the general plan, weekly while overdue.
    "clearance_stage_awaited": {"days_before": [7, 0], "overdue_every": 0},
}
CELERY_BEAT_SCHEDULE = {
    "ledger-checkpoint": {"task": "ledger.checkpoint", "schedule": 60.0},
    # The sweeper settles auctions within seconds of their due date or close (readers never wait for it).
    "auctions-sweep": {"task": "auctions.sweep", "schedule": 10.0},
    # Exploration licences past their term expire; what ended licences still owed is marked missed.
    "licences-el-sweep": {"task": "licences.el_sweep", "schedule": 3600.0},
    # Idempotency-Key records past their 24 hours are deleted (every offer leaves one).
    "core-idempotency-purge": {"task": "core.idempotency_purge", "schedule": 3600.0},
    # What could not go to the broker right after its commit (core.outbox) is relayed within seconds.
    "core-outbox-relay": {"task": "core.outbox_relay", "schedule": 5.0},
    "core-outbox-purge": {"task": "core.outbox_purge", "schedule": 3600.0},
    # Block imports whose worker died are taken over and resumed (blocks.imports.jobs).
    "blocks-import-sweep": {"task": "blocks.import_sweep", "schedule": 60.0},
    # Reminders of due dates (notifications.services.reminders): what is due today (IST) is sent, once per user.
    "notifications-reminders": {"task": "notifications.reminders", "schedule": float(REMINDER_SWEEP_SECONDS)},
    # Emails whose pause after a failure is over are tried again; the given-up ones wait in the admin.
    "notifications-email-retry": {"task": "notifications.email_retry", "schedule": 60.0},
    "notifications-purge": {"task": "notifications.purge", "schedule": 3600.0},
    # Clearance stages past their target: silence effects (deemed consent, ToR standing, proceed as recommended)
    # recorded on their day, overdue stages escalated once (clearances/services/silence.py).
    "clearances-sweep": {"task": "clearances.sweep", "schedule": 600.0},
    # The full open-data dumps (CSV of every list, OCDS packages), rebuilt and served at /data/ (licences/dumps.py).
    "licences-build-dumps": {"task": "licences.build_dumps", "schedule": 3600.0},
}
# RULES.md s.5: a block this near a national park or wildlife sanctuary (km, inclusive) is refused at registration.
PROTECTED_AREA_BARRED_KM = Decimal(env.str("PROTECTED_AREA_BARRED_KM", default="1"))
# Clearance rules' parameters for new cases (clearances/rules/params.py names them); each case keeps the ones it was
# filed under. Empty: the defaults of RULES.md s.5.
CLEARANCE_PARAMS = {}
# The largest document a clearance case accepts (bytes; clearances/pdf.py).
CLEARANCE_DOCUMENT_MAX_BYTES = env.int("CLEARANCE_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Seconds without a sign of life after which a block import's worker is taken to have died (its job resumes).
BLOCK_IMPORT_STALE_AFTER = env.int("BLOCK_IMPORT_STALE_AFTER", default=120)
# Seconds after which an opening of initial offers queued or taken by a worker, and not finished, is taken to be lost
# (its message, or its worker, died); the sweeper queues it again (auctions.services.opening).
AUCTION_OPENING_STALE_AFTER = env.int("AUCTION_OPENING_STALE_AFTER", default=60)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

CACHES = {
    "default": (
        {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Redis is a cache here: a call that does not answer within REDIS_TIMEOUT seconds answers "not cached",
            # and the process leaves Redis alone for REDIS_RETRY_AFTER seconds (core/cache.py).
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
                "retry_after": REDIS_RETRY_AFTER,
            },
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Live rooms (auctions/room/stream.py): server-sent event streams, one thread each, woken through Redis pub/sub.
# "auto" serves streams on threaded servers (runserver, gunicorn gthread) and tells sync workers' clients to poll.
ROOM_STREAMS = env.str("ROOM_STREAMS", default="auto")  # auto | on | off
ROOM_STREAMS_PER_PROCESS = env.int("ROOM_STREAMS_PER_PROCESS", default=64)
ROOM_STREAM_DATABASE_SLOTS = env.int("ROOM_STREAM_DATABASE_SLOTS", default=8)
ROOM_STREAM_SECONDS = env.int("ROOM_STREAM_SECONDS", default=600)

# Open data (docs/open-data.md): the most rows one streamed CSV download gives (the header X-Row-Cap says it, and a
# cut file ends with a line saying so); the full dumps at /data/ have every row.
PUBLIC_CSV_MAX_ROWS = env.int("PUBLIC_CSV_MAX_ROWS", default=1_000_000)
# Where the scheduled task (licences.build_dumps) writes the full dumps served at /data/<name>.
OPEN_DATA_DIR = Path(env.str("OPEN_DATA_DIR", default=str(VAR_DIR / "open-data")))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "core.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # JSON numbers keep their text, so money and percentages are read exactly (core/fields.py).
    "DEFAULT_PARSER_CLASSES": [
        "core.fields.ExactJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_CLASSES": [],
}

# API tokens for programs (django-rest-knox, model core.ApiToken): only a SHA-512 digest of each token is stored, and
# the token is shown once, when issued (POST /api/v1/auth/token). A token works for API_TOKEN_DAYS days from its issue,
# then is refused with 401 `token_expired`; its user revokes it (or all of theirs) on /account/tokens/ or through the
# API, an administrator in the back office. A user holds at most API_TOKENS_PER_USER unexpired tokens, one per
# program, each with a name; issuing a token under a name already used replaces that token.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=30)
API_TOKENS_PER_USER = env.int("API_TOKENS_PER_USER", default=20)
if API_TOKEN_DAYS < 1 or API_TOKENS_PER_USER < 1:
    raise ImproperlyConfigured("API_TOKEN_DAYS and API_TOKENS_PER_USER must be whole numbers of at least 1.")
KNOX_TOKEN_MODEL = "core.ApiToken"
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_DAYS),
    "AUTH_HEADER_PREFIX": "Token",  # the scheme programs already send: `Authorization: Token <token>`
    "TOKEN_PREFIX": "khanij_",  # a leaked token is recognisable (secret scanners, logs)
    "AUTO_REFRESH": False,  # a token lasts API_TOKEN_DAYS from its issue, however often it is used
}
# knox's own table (knox.AuthToken) is swapped for core.ApiToken: its migrations would still create it, empty.
MIGRATION_MODULES = {"knox": None}

SPECTACULAR_SETTINGS = {
    "TITLE": "Khanij API",
    "DESCRIPTION": (
        "Auctions of India's critical-mineral blocks, exploration licences and clearances. "
        "`/api/v1/public/` is anonymous and read-only; everything else needs a session or a token "
        "(`Authorization: Token <token>`). A program gets a token from `POST /api/v1/auth/token` with a username, a "
        "password and the program's name; the token is shown once, lasts `API_TOKEN_DAYS` days (30 by default) and "
        "can be revoked (`/api/v1/auth/tokens`, `/api/v1/auth/logout`). Errors have one shape: "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    # Swagger UI from this site's static files, not a CDN (the Content Security Policy allows only this site).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AffiliationKindEnum": "bidders.models.Affiliation.Kind",
        "EligibilityDocumentKindEnum": "bidders.models.EligibilityDocument.Kind",
        "MembershipRoleEnum": "bidders.models.Membership.Role",
        "BlockStatusEnum": "blocks.models.Block.Status",
        "ParticipationStatusEnum": "auctions.models.Participation.Status",
        "TrancheStatusEnum": "auctions.models.Tranche.Status",
        "AuctionPhaseEnum": "auctions.selectors.phase.PHASE_CHOICES",
        "TrancheKindEnum": "auctions.models.Tranche.Kind",
        "LeaseKindEnum": "blocks.constants.LeaseKind",
        "ExplorationStageEnum": "blocks.constants.ExplorationStage",
        "LicenceStatusEnum": "licences.models.Licence.Status",
        "ObligationKindEnum": "licences.models.Obligation.Kind",
        "ObligationStatusEnum": "licences.models.Obligation.Status",
        "DueDateStatusEnum": "notifications.models.DueDate.Status",
        "ClearanceKindEnum": "clearances.models.Case.Kind",
        "ClearanceStatusEnum": "clearances.models.Case.Status",
        "ClearanceOutcomeEnum": "clearances.models.Case.Outcome",
        "ClearanceDecisionOutcomeEnum": "clearances.models.Decision.Outcome",
        "ClearanceStageOwnerEnum": "clearances.models.Stage.Owner",
        "ClearanceStageStatusEnum": "clearances.models.Stage.Status",
        "ClearanceQueryEffectEnum": "clearances.models.Stage.QueryEffect",
        "ClearanceSilenceEnum": "clearances.models.Stage.Silence",
        "ClearanceDecideOutcomeEnum": "clearances.api.acts.DECIDE_OUTCOMES",
        "ClearanceTrackEnum": "clearances.api.serializers.TRACKS",
    },
}

# Email (docs/email.md): SMTP from the environment. The console backend prints emails by default (make run).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)  # STARTTLS, usually on port 587
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)  # implicit TLS, usually on port 465
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)  # seconds an SMTP exchange may take
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@khanij.local")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# The envelope sender (SMTP MAIL FROM, the Return-Path): where bounces go. A mailbox someone reads, or a bounce
# processor; its domain is the one SPF checks. Empty: DEFAULT_FROM_EMAIL.
EMAIL_BOUNCE_ADDRESS = env.str("EMAIL_BOUNCE_ADDRESS", default="")
# The domain of Message-IDs and calendar UIDs (empty: DEFAULT_FROM_EMAIL's domain).
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="")
# A failed email is tried again after EMAIL_RETRY_FIRST_SECONDS, then twice as long each time up to
# EMAIL_RETRY_MAX_SECONDS; after EMAIL_MAX_ATTEMPTS tries it is given up and listed in the admin.
EMAIL_RETRY_FIRST_SECONDS = env.int("EMAIL_RETRY_FIRST_SECONDS", default=60)
EMAIL_RETRY_MAX_SECONDS = env.int("EMAIL_RETRY_MAX_SECONDS", default=3600)
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=10)
# How long one worker's try keeps an email from the others (longer than EMAIL_TIMEOUT): a worker that dies while
# sending leaves it to be tried again after this.
EMAIL_SEND_LEASE_SECONDS = env.int("EMAIL_SEND_LEASE_SECONDS", default=300)
EMAIL_KEEP_DAYS = env.int("EMAIL_KEEP_DAYS", default=30)  # sent emails (with their addresses) are deleted after this
# Email alerts (notifications.services.alerts): confirmation links last ALERT_CONFIRM_DAYS; at most
# ALERT_LIMIT_PER_ADDRESS requests per address and ALERT_LIMIT_PER_IP per IP address in ALERT_LIMIT_WINDOW_SECONDS.
ALERT_CONFIRM_DAYS = env.int("ALERT_CONFIRM_DAYS", default=7)
ALERT_LIMIT_PER_ADDRESS = env.int("ALERT_LIMIT_PER_ADDRESS", default=3)
ALERT_LIMIT_PER_IP = env.int("ALERT_LIMIT_PER_IP", default=20)
ALERT_LIMIT_WINDOW_SECONDS = env.int("ALERT_LIMIT_WINDOW_SECONDS", default=3600)

# Open data (docs/open-data.md). An OCDS `ocid` is this prefix, a hyphen and the auction's id. The default is a visible
# placeholder: a real deployment registers its own prefix (ocds-xxxxxx, six characters) with the Open Contracting
# Partnership's helpdesk (data@open-contracting.org) and sets it here, before it publishes any release.
OCDS_OCID_PREFIX = env.str("OCDS_OCID_PREFIX", default="ocds-xxxxxx")
# The licence of the published data (the OCDS packages and the BODS statements say it).
OPEN_DATA_LICENCE_URL = env.str(
    "OPEN_DATA_LICENCE_URL", default="https://data.gov.in/government-open-data-license-india"
)

# Proxies in front of Django (TLS terminators, load balancers): addresses or networks, comma-separated. Only a
# request whose peer is one of them has its X-Forwarded-For read (for the login lockout) and its
# X-Forwarded-Proto trusted (for HTTPS). Empty: Django is reached directly and trusts no forwarded header.
TRUSTED_PROXIES = []
for _proxy in env.list("TRUSTED_PROXIES", default=[]):
    try:
        TRUSTED_PROXIES.append(ipaddress.ip_network(_proxy, strict=False))
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES has {_proxy!r}, which is not an IP address or network. "
            "Give the proxies' addresses or networks, comma-separated, e.g. 10.0.0.5,172.18.0.0/16."
        ) from None

# Login lockout (django-axes, kept in the database: it works while Redis is down). After LOGIN_FAILURE_LIMIT wrong
# passwords for one username from one address, that username is refused from that address, even with the right
# password, for LOGIN_COOLOFF_MINUTES counted from the last failure; the login page and /api/v1/auth/token alike.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
_cooloff_minutes = env.int("LOGIN_COOLOFF_MINUTES", default=15)
if AXES_FAILURE_LIMIT < 1 or _cooloff_minutes < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be whole numbers of at least 1.")
AXES_COOLOFF_TIME = timedelta(minutes=_cooloff_minutes)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A try during the lockout does not restart it: the time the page announces holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "core.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_VERBOSE = False  # no start-up banner in every management command

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache (Redis in production) and written through to the database: the live
# rooms' polls then cost no session query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    # HTTPS only: plain HTTP is redirected, except the load balancer's health check.
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # Browsers remember to use HTTPS for this long (a year by default), for the portal's host and the hosts under it
    # (includeSubDomains covers only names below the portal's own, e.g. *.khanij.example.gov.in).
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # The browsers' preload list takes only a registrable domain (example.gov.in), never a host below it, and binds
    # every host of that domain: a decision for the domain's owner, off by default. Django's reminder that it is
    # off (security.W021) is silenced while it is off by choice.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
if TRUSTED_PROXIES:
    # Behind a TLS-terminating proxy Django sees plain HTTP; the proxy says "https" in X-Forwarded-Proto. The proxy
    # must set (not pass on) that header. Django trusts it from any peer, so it is set only when a proxy is named.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (django-csp): scripts, styles, images, fetches and frames from this site only. Scripts
# are files under static/ (no inline script or handler) and so are styles (no <style> block or `style` attribute
# in any template: tests/core/test_content_security_policy.py holds it, and tests/test_csp_browser.py shows that
# Chromium reports no violation). Scripts may still set an element's style through the DOM (`el.style.x = ...`),
# which CSP allows. The API's Swagger UI is served from drf-spectacular-sidecar's static files, its page style from
# static/css/swagger.css.
CONTENT_SECURITY_POLICY = {
    # The JSON API runs nothing in a browser (its answers are application/json with nosniff), and the header cost
    # about 60 us of CPU per answer, 5% of an e-auction offer (docs/benchmarks.md, 6 December): the pages, the
    # API's docs and schema keep the policy; /api/v1/ answers go without it.
    "EXCLUDE_URL_PREFIXES": ["/api/v1/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django logs every 4xx answer as a warning. A 4xx is an answer to the client (most offers in a busy e-auction
    # are refused as stale, each a 400), not a fault of the server: only 5xx are logged unless this says WARNING.
    "loggers": {"django.request": {"level": env.str("REQUEST_LOG_LEVEL", default="ERROR")}},
}
