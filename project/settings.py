"""Settings, read from the environment (see .env.example).

Safe defaults for a developer's machine; with DEBUG off the service refuses to start without a real
secret key.
"""

import ipaddress
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from project.release import caches_for, release_name

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

_INSECURE_KEY_PREFIX = "django-insecure"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not DEBUG and (len(SECRET_KEY) < 32 or SECRET_KEY.startswith(_INSECURE_KEY_PREFIX)):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 32 characters when DEBUG is off "
        "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
if not SECRET_KEY:
    SECRET_KEY = _INSECURE_KEY_PREFIX + "-development-only-key-never-used-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # Django's widget templates, for FORM_RENDERER below
    "django_celery_beat",
    "viewflow",
    "viewflow.workflow",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "auditlog",
    # From the bottom up: each app imports only those above it in this list (make lint checks it).
    "workdays",
    "organisation",
    "audit",
    "notifications",
    "deadlines",
    "accounts",
    "cases",
    "reporting",
    "flows",
    "health",
    "demo",
    "api",
]

MIDDLEWARE = [
    # Outermost: the request id and the request's log line, then its metrics (the whole request, timed).
    "project.logs.RequestLogMiddleware",
    "health.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "project.middleware.SessionIdleMiddleware",
    "project.middleware.ThaiFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "organisation.scope.ScopeMiddleware",
    # After authentication: a change made while serving a request knows its person, address and way in.
    "audit.context.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # DEBUG only: a missing page shows the service's 404, not Django's technical one.
    "project.middleware.OwnNotFoundPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "project.urls"

# The tables of the work, by the prefix of their names, and the kinds of work each belongs to: a write renews
# their stamps, and the pages held rendered under them are drawn again (organisation/cached.py). Viewflow's
# processes and tasks belong to both workflows; a report's draft saved does not draw the request lists again.
# The accounts (auth_user and its groups and permissions) are not work, but the signed-in person is held under
# their stamp (accounts/backends.py): any write to them, a sign-in, a deactivation, a password set, renews it.
# Background work that failed (health/selectors.py: reminders and escalations, deliveries, workflow steps) is
# counted again only after a write to those tables.
WORK_TABLES = {
    "cases_": ("requests",),
    "reporting_": ("reports",),
    "viewflow_": ("requests", "reports", "background"),
    "deadlines_scheduledaction": ("background",),
    "notifications_delivery": ("background",),
    "auth_user": ("accounts",),
}

# The audit log of changes (audit/models.py): django-auditlog with a log entry of our own.
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"
# auditlog's own migrations create its default log table even when the model is swapped: an unused table
# whose foreign keys would block the flush of auth_user. Without migrations, its swapped model makes none.
MIGRATION_MODULES = {"auditlog": None}
WSGI_APPLICATION = "project.wsgi.application"

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
                "notifications.context_processors.bell",
                "organisation.context_processors.centre",
            ],
            "builtins": ["workdays.templatetags.thai_dates", "workdays.templatetags.rows", "project.layout"],
        },
    },
    # The few hottest row templates (an app's jinja2/ folder), taken into Django pages by {% jinja %}
    # (workdays/jinja_env.py). Second: a page's name is always looked up in the Django templates first.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],  # the layout's header (project/layout.py)
        "APP_DIRS": True,
        "OPTIONS": {"environment": "workdays.jinja_env.environment"},
    },
]

# Widgets render with the project's templates, so that templates/django/forms/ can override Django's (a select's
# options written in place rather than included one by one).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A query running longer than this many milliseconds is cancelled (0: no limit). docker-compose.yml sets it for
# the web server, below gunicorn's timeout: a runaway query ends as an error page with its request id instead
# of a worker killed mid-request. Workers and commands (a cycle's opening, an export) keep no limit.
DATABASE_STATEMENT_TIMEOUT = env.int("DATABASE_STATEMENT_TIMEOUT", default=0)
if DATABASE_STATEMENT_TIMEOUT and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: wait for the writer instead of failing at once, and take the write lock up front.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: a locked-out person is refused before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.LocalBackend",
]
# Local user names and passwords: development, and the break-glass path beside DLA-SSO.
LOCAL_SIGN_IN_ENABLED = env.bool("LOCAL_SIGN_IN_ENABLED", default=True)

# DLA-SSO (OpenID Connect, mozilla-django-oidc): on when a client id is set. Endpoints are given explicitly
# (the provider's discovery document lists them); the issuer is checked in every ID token.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_CLOCK_LEEWAY_SECONDS = env.int("OIDC_CLOCK_LEEWAY_SECONDS", default=30)
# Which claim finds the account: "username" (OIDC_USERNAME_CLAIM), "email" (verified e-mail) or
# "citizen_id" (OIDC_CITIZEN_ID_CLAIM, against the officers' citizen IDs in accounts.OfficerIdentity).
OIDC_MATCH_CLAIM = env.str("OIDC_MATCH_CLAIM", default="username")
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
OIDC_CITIZEN_ID_CLAIM = env.str("OIDC_CITIZEN_ID_CLAIM", default="citizen_id")
# A claim naming the person's province (DOPA code or name), for the refusal page.
OIDC_PROVINCE_CLAIM = env.str("OIDC_PROVINCE_CLAIM", default="province_code")
LOGIN_REDIRECT_URL_FAILURE = "/accounts/sso-refused/"
if OIDC_ENABLED:
    _missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
            "OIDC_OP_ISSUER",
        )
        if not globals()[name]
    ]
    if _missing:
        raise ImproperlyConfigured(f"OIDC_RP_CLIENT_ID is set: set {', '.join(_missing)} too.")
    AUTHENTICATION_BACKENDS.insert(1, "accounts.oidc.DlaOIDCBackend")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
# Production: WhiteNoise serves the collected files, compressed. Not the Manifest (hashed names)
# variant: its collectstatic fails on viewflow 2.4's bundled roboto-fontface.css, which refers to
# font files viewflow does not ship (Roboto-Thin.woff2 ...).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# E-mail
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ศูนย์ประสานงานท้องถิ่นอำเภอ <noreply@localhost>")

# Celery. Without REDIS_URL, an embedded broker on the file system (kombu's filesystem transport)
# serves a real worker process on a developer's machine; production always sets REDIS_URL.
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = Path(env.str("BROKER_DIR", default=str(VAR_DIR / "broker")))
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any]
# The cache holds the sessions (production), each person's scope and unread count: Redis in production;
# on a developer's machine a folder under var/ that the web server and the worker share, and the sessions
# in the database.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "project.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "dla",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# What is held made by the code (pages held rendered by {% cache %}, figures and directories held as objects) is
# the release's own (project/release.py): RELEASE names it, else a digest of the code. The sessions and the
# version stamps in the default cache outlive a release: nobody is signed out by a deploy.
RELEASE = release_name(env.str("RELEASE", default=""), BASE_DIR)
CACHES = caches_for(CACHES["default"], RELEASE)

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A hung Redis (accepts, never answers) would otherwise block a publisher or /healthz forever.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=5.0),
        "socket_connect_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=5.0),
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Two queues, each consumed by workers of its own (docker-compose.yml): the default queue runs the periodic
# jobs (deadlines, escalations, the outbox sweep, cycle openings), which must never wait behind e-mail; the
# e-mail queue runs the deliveries, which wait on the relay (a thread pool: I/O, not CPU). `make run` and the
# integration tests run one worker that consumes both.
CELERY_TASK_DEFAULT_QUEUE = "celery"
NOTIFICATION_EMAIL_QUEUE = env.str("NOTIFICATION_EMAIL_QUEUE", default="email")
# A third queue for webhooks: their receivers are outside systems the Department does not run; one that
# hangs until the send deadline on every delivery must delay neither the officers' e-mail nor the deadlines.
WEBHOOK_QUEUE = env.str("WEBHOOK_QUEUE", default="webhooks")
CELERY_TASK_ROUTES = {
    "notifications.tasks.deliver": {"queue": NOTIFICATION_EMAIL_QUEUE},
    "notifications.tasks.send_digest": {"queue": NOTIFICATION_EMAIL_QUEUE},
    "notifications.tasks.deliver_webhooks": {"queue": WEBHOOK_QUEUE},
}
CELERY_BEAT_SCHEDULE = {
    # Expires: beats queued while no worker ran are dropped, not replayed all at once.
    "heartbeat": {"task": "health.tasks.heartbeat", "schedule": 30.0, "options": {"expires": 25}},
}

# /healthz: a worker heartbeat older than this answers 503; the broker check gives up after
# HEALTHZ_BROKER_TIMEOUT seconds (a hung broker must not hang the health check).
HEARTBEAT_MAX_AGE_SECONDS = env.int("HEARTBEAT_MAX_AGE_SECONDS", default=180)
HEALTHZ_BROKER_TIMEOUT = env.float("HEALTHZ_BROKER_TIMEOUT", default=2.0)

# /metrics (Prometheus): only these addresses or networks may read it, every other gets a 404. A request
# through a proxy must come from inside at every hop (the addresses of X-Forwarded-For, X-Real-IP and
# Forwarded too), so the public proxy in front of the service never lets an outsider read it.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
for _network in METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_IPS: {_network!r} is not an address or network"
        ) from _error

# Office hours of the working-day calendar.
OFFICE_OPENS = env.str("OFFICE_OPENS", default="08:30")
OFFICE_CLOSES = env.str("OFFICE_CLOSES", default="16:30")

# Security: production behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# Off by default so that the test client and a developer's http:// work; production sets it (see
# .env.example); `manage.py check --deploy` (run by the migrate container) names it if forgotten.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# Container and load-balancer health checks call /healthz, and Prometheus /metrics, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading HSTS binds the whole domain for years: the domain owner's decision, not this service's.
# Silenced so that `check --deploy --fail-level WARNING` (the migrate container) passes without it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
# Signed out after SESSION_IDLE_MINUTES without a request. A request renews the session at most once every
# SESSION_RENEW_SECONDS (project.middleware.SessionIdleMiddleware): no write on every GET.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=60)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_RENEW_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Content security policy (django-csp 4): our own origin only, no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Request bodies: forms stay small; files go through the attachment checks (REQUEST_ATTACHMENT_MAX_BYTES).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=2000)
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=20)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# Brute force (django-axes): after AXES_FAILURE_LIMIT failed sign-ins for one user name from one address,
# that pair is locked for AXES_COOLOFF_MINUTES, or until the province's SSO admin unlocks it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", default=30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
# How many proxies in front of the service append to X-Forwarded-For (0: use the peer address).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
X_FRAME_OPTIONS = "DENY"

# Logs on standard error: one JSON object per line in production ("json"), readable lines on a developer's
# machine ("text", the default with DEBUG). Request lines carry the request id, person, view, status and
# duration; a worker's lines the task's id and name (project/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "project.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "project.logs.JsonFormatter"},
        "text": {"()": "project.logs.TextFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Through the root's handler only: Django's own console handler would print its lines twice.
        "django": {"handlers": [], "level": LOG_LEVEL},
        # runserver's line per request repeats dla.request's (its 4xx and 5xx warnings stay).
        "django.server": {"handlers": [], "level": "WARNING"},
    },
}

# Errors reported to Sentry (or a compatible service): on only when SENTRY_DSN is set, nothing sent without.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from project.sentry import sentry_start

    sentry_start(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=RELEASE,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

VAR_DIR.mkdir(exist_ok=True)
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start until collectstatic made it

# Notifications
# The service's public address, the start of every link in an e-mail (production: set SITE_URL). By default
# the address `make run` serves: project/devrun.py passes its PORT on.
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}").rstrip("/")
# Each read or write of an SMTP exchange waits at most EMAIL_TIMEOUT; the whole exchange (connect to the
# relay's reply to the final dot) ends within EMAIL_SEND_DEADLINE_SECONDS or counts as a failed attempt.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
EMAIL_SEND_DEADLINE_SECONDS = env.int("EMAIL_SEND_DEADLINE_SECONDS", default=30)
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="dla-coordination.local")
# Pending deliveries older than this are enqueued again by the sweep (the broker may have been down).
NOTIFICATION_SWEEP_AFTER_SECONDS = env.int("NOTIFICATION_SWEEP_AFTER_SECONDS", default=60)
# A delivery claimed by a worker that has not finished after this long is taken back (the worker died) and
# sent again by the sweep (every NOTIFICATION_SWEEP_EVERY_SECONDS). It must exceed the longest live send
# (the send deadline) with room for rendering, or a slow but live send could be taken back and repeated.
NOTIFICATION_CLAIM_TIMEOUT_SECONDS = env.int("NOTIFICATION_CLAIM_TIMEOUT_SECONDS", default=40)
NOTIFICATION_SWEEP_EVERY_SECONDS = env.int("NOTIFICATION_SWEEP_EVERY_SECONDS", default=15)
# Webhooks (notifications/webhooks.py): each step of a POST waits at most WEBHOOK_TIMEOUT, the whole exchange
# ends within WEBHOOK_SEND_DEADLINE_SECONDS (below the claim timeout, like e-mail's); a subscription is
# switched off after WEBHOOK_MAX_CONSECUTIVE_FAILURES failed attempts in a row; after a secret's rotation
# the old one still signs for WEBHOOK_SECRET_GRACE_HOURS. Target URLs must be https and public addresses:
# WEBHOOK_ALLOW_HTTP and WEBHOOK_ALLOW_PRIVATE_ADDRESSES are for a developer's machine and the tests.
WEBHOOK_TIMEOUT = env.int("WEBHOOK_TIMEOUT", default=10)
WEBHOOK_SEND_DEADLINE_SECONDS = env.int("WEBHOOK_SEND_DEADLINE_SECONDS", default=20)
WEBHOOK_MAX_CONSECUTIVE_FAILURES = env.int("WEBHOOK_MAX_CONSECUTIVE_FAILURES", default=10)
# A delivery the receiver refuses while it takes others is given up (FAILED) after this many attempts
# (10 s, 20 s, 40 s... at most 10 min apart: about 1 h 30 min for 15).
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=15)
WEBHOOK_SECRET_GRACE_HOURS = env.int("WEBHOOK_SECRET_GRACE_HOURS", default=24)
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=DEBUG)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)
if max(EMAIL_SEND_DEADLINE_SECONDS, WEBHOOK_SEND_DEADLINE_SECONDS) + 10 > NOTIFICATION_CLAIM_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        "NOTIFICATION_CLAIM_TIMEOUT_SECONDS must exceed EMAIL_SEND_DEADLINE_SECONDS by at least 10 s: "
        "a live send would otherwise be taken back by the sweep and sent twice"
    )

CELERY_BEAT_SCHEDULE.update(
    {
        "fire-deadlines": {
            "task": "deadlines.tasks.fire_deadlines",
            "schedule": 60.0,
            "options": {"expires": 55},
        },
        "fire-workflow-timers": {
            "task": "flows.tasks.fire_workflow_timers",
            "schedule": 60.0,
            "options": {"expires": 55},
        },
        "notification-sweep": {
            "task": "notifications.tasks.sweep",
            "schedule": float(NOTIFICATION_SWEEP_EVERY_SECONDS),
            "options": {"expires": NOTIFICATION_SWEEP_EVERY_SECONDS - 1},
        },
        "notification-digests": {
            "task": "notifications.tasks.digests",
            "schedule": 900.0,
            "options": {"expires": 850},
        },
        # Reporting cycles whose opening date has come (and openings a lost message left half done).
        "open-due-cycles": {
            "task": "reporting.tasks.open_due_cycles",
            "schedule": 300.0,
            "options": {"expires": 290},
        },
        "cycle-closing-soon": {
            "task": "reporting.tasks.notify_closing_soon",
            "schedule": 300.0,
            "options": {"expires": 290},
        },
        # Open tasks follow responsibility dated to change today (an assignment's start, an acting deputy's
        # days beginning or ending): just after midnight, Bangkok time.
        "hand-tasks-to-responsible": {
            "task": "flows.tasks.hand_tasks_to_responsible",
            "schedule": crontab(hour=0, minute=5),
            "options": {"expires": 12 * 3600},
        },
    }
)

# Coordination requests: attachments (PDF, DOCX, XLSX, JPG, PNG, checked by content) up to this size each,
# stored under MEDIA_ROOT and served only through the request's permission check.
REQUEST_ATTACHMENT_MAX_BYTES = env.int("REQUEST_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
REQUEST_ATTACHMENTS_PER_REQUEST = env.int("REQUEST_ATTACHMENTS_PER_REQUEST", default=10)
# The coordination monitoring pages count a scope's figures once for everyone, and hold them this long in the
# shared cache (at 100,000 requests the country's figures take about two seconds to count); 0: every request.
MONITORING_FIGURES_SECONDS = env.int("MONITORING_FIGURES_SECONDS", default=300)
# The national page's figures for the fiscal year so far are counted ahead of time, a minute before the held ones
# expire (a count of the whole country takes a second or more): no look waits for it.
if MONITORING_FIGURES_SECONDS > 0:
    CELERY_BEAT_SCHEDULE["count-national-figures"] = {
        "task": "cases.tasks.count_national_figures",
        "schedule": float(max(MONITORING_FIGURES_SECONDS - 60, 30)),
        "options": {"expires": max(MONITORING_FIGURES_SECONDS - 60, 30) - 5},
    }

# The API for the Department's other systems (api/): bearer tokens (personal or a service account's), the
# session for the reference page, one error shape, cursors, a rate limit per token (API_RATE_LIMIT, in the
# cache; empty: none).
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="1000/hour")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.ServiceAccountsReadOnly",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handle",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DLA coordination API",
    "DESCRIPTION": (
        "The directory, coordination requests, workload reporting and the caller's notifications, each "
        "within the caller's scope, as on the pages. Authorization: Bearer <token>."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}
